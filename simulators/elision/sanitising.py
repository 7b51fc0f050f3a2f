"""What stock VICIdial's ``non_agent_api.php`` does to a request's fields first.

With non-Latin text off (its default), each field loses the characters it may not hold
(every letter outside A-Z and a-z among them), most text fields then read ``+`` as a
space, and the database cuts a value longer than its column. The dialer answers
success all the same. The ``vicidial`` flavour applies this to every request before it
looks at the login, as VICIdial 2.14-202 (build 250720-1841) does, field by field.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Filter:
    """The characters a field keeps (a regex class body, besides 0-9 A-Z a-z), whether
    ``+`` then becomes a space, and the column's width (None: not cut)."""

    drop: re.Pattern[str]
    plus_is_space: bool = False
    width: int | None = None

    def apply(self, value: str) -> str:
        value = self.drop.sub("", value)
        return value.replace("+", " ") if self.plus_is_space else value

    def store(self, value: str) -> str:
        return value[: self.width] if self.width is not None else value


def _keeping(extra: str, *, plus: bool = False, width: int | None = None) -> Filter:
    return Filter(re.compile(f"[^{extra}0-9a-zA-Z]"), plus, width)


def _dropping(characters: str, *, width: int) -> Filter:
    return Filter(re.compile(f"[{characters}]"), True, width)


_ID = _keeping(r"\-_")
_LETTERS_DIGITS = _keeping("")
_PLACE = r"\- '+.:/@_"

FILTERS: dict[str, Filter] = {
    "user": _ID,
    "pass": _ID,
    "function": _ID,
    "source": _LETTERS_DIGITS,
    "agent_user": _ID,
    "agent_pass": _ID,
    "agent_user_level": Filter(re.compile("[^0-9]")),
    "agent_full_name": _keeping(r"\- +.:/@_", width=50),
    "agent_user_group": _ID,
    "phone_login": _ID,
    "phone_pass": _ID,
    "voicemail_id": _LETTERS_DIGITS,
    "delete_user": Filter(re.compile("[^A-Z]")),
    "active": Filter(re.compile("[^A-Z]")),
    "campaign_id": _ID,
    "list_id": _ID,
    "list_name": _keeping(r"\- +.:/@?&_", width=30),
    "list_exists_check": _LETTERS_DIGITS,
    "duplicate_check": _ID,
    "custom_fields": _LETTERS_DIGITS,
    "phone_number": Filter(re.compile("[^,0-9]")),
    "phone_code": Filter(re.compile("[^0-9]"), width=10),
    "vendor_lead_code": _dropping(';#"', width=20),
    "source_id": _dropping(';#"', width=50),
    "title": _keeping(r"\- '_.", width=4),
    "first_name": _keeping(r"\- '+_.", plus=True, width=30),
    "middle_initial": _keeping(r"\-_", width=1),
    "last_name": _keeping(r"\- '+_.", plus=True, width=30),
    "address1": _keeping(_PLACE, plus=True, width=100),
    "address2": _keeping(_PLACE, plus=True, width=100),
    "address3": _keeping(_PLACE, plus=True, width=100),
    "city": _keeping(_PLACE, plus=True, width=50),
    "state": _keeping(r"\- ", width=2),
    "province": _keeping(r"\- '+._", plus=True, width=50),
    "postal_code": _keeping(r"\- '+", plus=True, width=10),
    "country_code": _keeping(r"\-_", width=3),
    "alt_phone": _keeping(r"\- '+_.", plus=True, width=12),
    "email": _keeping(r"\- '+.:/@%_", plus=True, width=70),
    "security_phrase": _keeping(_PLACE, plus=True, width=100),
    "comments": _dropping(';#"', width=255),
    "owner": _keeping(_PLACE, plus=True, width=20),
}
LEAD_FIELDS = (
    "vendor_lead_code",
    "source_id",
    "phone_code",
    "title",
    "first_name",
    "middle_initial",
    "last_name",
    "address1",
    "address2",
    "address3",
    "city",
    "state",
    "province",
    "postal_code",
    "country_code",
    "alt_phone",
    "email",
    "security_phrase",
    "comments",
    "owner",
)


def sanitised(query: Mapping[str, str]) -> dict[str, str]:
    """``query`` with each field VICIdial filters filtered; any other field as sent."""
    return {
        name: FILTERS[name].apply(value) if name in FILTERS else value
        for name, value in query.items()
    }


def stored(name: str, value: str) -> str:
    """``value`` of the lead field ``name`` as its column keeps it."""
    return FILTERS[name].store(value) if name in FILTERS else value


def custom_value(value: str) -> str:
    """A custom field's value as add_lead stores it."""
    return re.sub(r"\\$", "", value.replace("+", " ").replace(";", "").replace('"', ""))

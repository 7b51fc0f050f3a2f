"""What stock VICIdial (2.14, ``non_agent_api.php``) keeps of each field it is sent.

Before it stores anything, VICIdial removes the characters a field may not hold (with
its default setting, non-Latin text off, every letter outside A-Z and a-z goes), turns
``+`` into a space in most text fields, and its database cuts a value longer than the
column (``notes`` at 255). It answers success all the same.

So the adapter (``vicidial`` flavour) refuses identifiers and passwords the dialer would
change (it would create another user, or set a password other than the CRM's), and for
free text reports the value the dialer stores. The rules are the dialer's, field by
field, as its 2.14-202 source (build 250720-1841) applies them.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bridge.errors import InvalidRequest

IDENTIFIER_CHARACTERS = "letters A-Z and a-z, digits, '-' and '_'"
_NOT_IDENTIFIER = re.compile(r"[^-_0-9A-Za-z]")
PASSWORD_MIN = 2  # add_user refuses a shorter agent_pass


def as_identifier(value: str) -> str:
    """``value`` as VICIdial keeps an identifier or password (its ``user``, ``pass``)."""
    return _NOT_IDENTIFIER.sub("", value)


def secret_variants(secret: str) -> tuple[str, ...]:
    """How VICIdial may echo ``secret``: as it keeps identifiers and passwords."""
    return (as_identifier(secret),)


@dataclass(frozen=True, slots=True)
class TextRule:
    """One free-text field: the characters removed, ``+`` read as a space or not, and
    the column's width (None: not cut)."""

    removed: re.Pattern[str]
    plus_is_space: bool = True
    width: int | None = None

    def stored(self, value: str) -> str:
        kept = self.removed.sub("", value)
        if self.plus_is_space:
            kept = kept.replace("+", " ")
        return kept[: self.width] if self.width is not None else kept


def _rule(kept: str, *, plus_is_space: bool = True, width: int | None = None) -> TextRule:
    return TextRule(re.compile(f"[^{kept}0-9A-Za-z]"), plus_is_space, width)


_NAME = r"\- '+_."
_PLACE = r"\- '+.:/@_"
_EMAIL = r"\- '+.:/@%_"
_QUOTES = re.compile(r"[;#\"]")  # comments and vendor_lead_code lose only these

# add_lead's fields, by the name the API gives them (vicidial_list's column widths).
LEAD_TEXT = {
    "title": _rule(r"\- '_.", plus_is_space=False, width=4),
    "first_name": _rule(_NAME, width=30),
    "last_name": _rule(_NAME, width=30),
    "address1": _rule(_PLACE, width=100),
    "city": _rule(_PLACE, width=50),
    "postal_code": _rule(r"\- '+", width=10),
    "email": _rule(_EMAIL, width=70),
    "comments": TextRule(_QUOTES, width=255),
    "vendor_lead_code": TextRule(_QUOTES, width=20),
}
# add_user's and update_user's free text (vicidial_users' widths).
USER_TEXT = {
    "agent_full_name": _rule(r"\- +.:/@_", plus_is_space=False, width=50),
    "email": _rule(_EMAIL, width=100),
}
LIST_TEXT = {"list_name": _rule(r"\- +.:/@?&_", plus_is_space=False, width=30)}
# Identifiers and secrets: kept only if the dialer would keep them as they are.
AGENT_IDENTIFIERS = ("agent_user", "agent_user_group", "phone_login")
AGENT_SECRETS = ("agent_pass", "phone_pass")
_TRAILING_BACKSLASH = re.compile(r"\\$")


def stored_custom_value(value: str) -> str:
    """A custom field's value as add_lead stores it."""
    return _TRAILING_BACKSLASH.sub("", value.replace("+", " ").replace(";", "").replace('"', ""))


def changed_text(rules: Mapping[str, TextRule], fields: Mapping[str, str | None]) -> dict[str, str]:
    """The fields of ``fields`` the dialer would store otherwise, with what it stores."""
    changes = {}
    for name, value in fields.items():
        rule = rules.get(name)
        if rule is not None and value is not None and rule.stored(value) != value:
            changes[name] = rule.stored(value)
    return changes


def check_identifiers(
    fields: Mapping[str, str | None], names: Iterable[str], *, dialer: str
) -> None:
    """Refuse an identifier of ``fields`` (among ``names``) the dialer would change."""
    for name in names:
        value = fields.get(name)
        if value is not None and as_identifier(value) != value:
            raise InvalidRequest(
                f"{name} {value!r} would be stored as {as_identifier(value)!r} by VICIdial, "
                f"which keeps only {IDENTIFIER_CHARACTERS}: use those only",
                dialer=dialer,
            )


def check_secrets(fields: Mapping[str, str | None], names: Iterable[str], *, dialer: str) -> None:
    """Refuse a password of ``fields`` (among ``names``) the dialer would change or refuse.

    The error never shows the password."""
    for name in names:
        value = fields.get(name)
        if value is None:
            continue
        if as_identifier(value) != value:
            raise InvalidRequest(
                f"{name} has characters VICIdial removes (it keeps only "
                f"{IDENTIFIER_CHARACTERS}), so the password on the dialer would not be the "
                "one the CRM set: choose one of those characters only",
                dialer=dialer,
            )
        if name == "agent_pass" and len(value) < PASSWORD_MIN:
            raise InvalidRequest(
                f"agent_pass must be at least {PASSWORD_MIN} characters on VICIdial",
                dialer=dialer,
            )


def check_kept(name: str, value: str | None, minimum: int, rule: TextRule, *, dialer: str) -> None:
    """Refuse the required text ``value`` if the dialer would keep fewer than ``minimum``
    characters of it."""
    if value is not None and len(rule.stored(value)) < minimum:
        raise InvalidRequest(
            f"{name} {value!r} would be stored as {rule.stored(value)!r} by VICIdial, "
            f"shorter than {minimum} characters: use letters A-Z and a-z or digits",
            dialer=dialer,
        )

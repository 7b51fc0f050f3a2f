"""The fields of spec 004's user and list requests, checked before anything is sent.

Lengths are counted in UTF-8 bytes, as the dialer's PHP ``strlen`` counts them, and a
field out of range is refused with the dialer's own words where the spec gives them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bridge.errors import InvalidRequest
from bridge.interface import DialerUser

REQUIRED = "YOU MUST USE ALL REQUIRED FIELDS"


def yes_no(flag: bool) -> str:
    """A flag as the API writes it."""
    return "Y" if flag else "N"


@dataclass(frozen=True, slots=True)
class Agent:
    """The fields of add_user and update_user, named as the API names them.

    ``None`` is "not sent". add_user needs the first five; ``active`` is update_user's.
    """

    agent_user: str
    agent_pass: str | None = field(default=None, repr=False)
    agent_user_level: int | None = None
    agent_full_name: str | None = None
    agent_user_group: str | None = None
    phone_login: str | None = None
    phone_pass: str | None = field(default=None, repr=False)
    voicemail_id: str | None = None
    email: str | None = None
    active: bool | None = None

    @classmethod
    def from_user(cls, user: DialerUser) -> "Agent":
        return cls(
            agent_user=user.username,
            agent_pass=user.password,
            agent_user_level=user.user_level,
            agent_full_name=user.full_name,
            agent_user_group=user.user_group,
            phone_login=user.phone_login or user.extension,
            phone_pass=user.phone_pass,
            email=user.email or None,
            active=user.active,
        )

    def params(self) -> dict[str, str]:
        values = {
            "agent_user": self.agent_user,
            "agent_pass": self.agent_pass,
            "agent_user_level": None
            if self.agent_user_level is None
            else str(self.agent_user_level),
            "agent_full_name": self.agent_full_name,
            "agent_user_group": self.agent_user_group,
            "phone_login": self.phone_login,
            "phone_pass": self.phone_pass,
            "voicemail_id": self.voicemail_id,
            "email": self.email,
            "active": None if self.active is None else yes_no(self.active),
        }
        return {key: value for key, value in values.items() if value is not None}

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.agent_pass, self.phone_pass) if s)


def _size(text: str) -> int:
    """Length as the dialer's PHP ``strlen`` counts it: UTF-8 bytes."""
    return len(text.encode())


def _sized(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and low <= _size(value) <= high


def _digits(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: (
        isinstance(value, str) and value.isascii() and value.isdigit() and low <= len(value) <= high
    )


def _is_level(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9


@dataclass(frozen=True, slots=True)
class Rule:
    check: Callable[[Any], bool]
    detail: str
    label: str = ""  # update_user's name for the field in "YOU MUST USE A VALID …"


AGENT_RULES = {
    "agent_user": Rule(_sized(2, 20), "agent_user must be 2-20 bytes (UTF-8)"),
    "agent_pass": Rule(_sized(1, 20), "agent_pass must be 1-20 bytes (UTF-8)"),
    "agent_user_level": Rule(_is_level, "agent_user_level must be one digit, 1 to 9", "USER LEVEL"),
    "agent_full_name": Rule(
        _sized(1, 50), "agent_full_name must be 1-50 bytes (UTF-8)", "FULL NAME"
    ),
    "agent_user_group": Rule(
        _sized(1, 20), "agent_user_group must be 1-20 bytes (UTF-8)", "USER GROUP"
    ),
    "phone_login": Rule(_sized(1, 20), "phone_login must be 1-20 bytes (UTF-8)", "PHONE LOGIN"),
    "phone_pass": Rule(_sized(1, 20), "phone_pass must be 1-20 bytes (UTF-8)", "PHONE PASSWORD"),
    "voicemail_id": Rule(_digits(1, 10), "voicemail_id must be 1-10 digits", "VOICEMAIL ID"),
    "email": Rule(_sized(1, 100), "email must be 1-100 bytes (UTF-8)", "EMAIL"),
}
ADD_USER_REQUIRED = (
    "agent_user",
    "agent_pass",
    "agent_user_level",
    "agent_full_name",
    "agent_user_group",
)
LIST_ID = _digits(2, 14)  # and no leading 0: VICIdial stores the number (`list_id_kept`)


LIST_ID_RULE = "list_id must be 2-14 digits, not starting with 0"


def list_id_kept(list_id: str) -> bool:
    """Whether VICIdial keeps ``list_id`` as written: 2-14 digits, no leading zero (it
    stores the list id as a number, so ``0000001104`` would become ``1104``)."""
    return LIST_ID(list_id) and not list_id.startswith("0")


CAMPAIGN_ID = _sized(2, 8)
SOURCE = _sized(2, 20)


def check_add_user(agent: Agent, *, dialer: str) -> None:
    """Refuse ``agent`` unless add_user can send it: the first five fields, no ``active``."""
    for name in ADD_USER_REQUIRED:
        rule = AGENT_RULES[name]
        if not rule.check(getattr(agent, name)):
            raise InvalidRequest(f"add_user {REQUIRED} ({rule.detail})", dialer=dialer)
    if agent.active is not None:
        raise InvalidRequest(
            "add_user has no 'active' field: set it with update_user", dialer=dialer
        )
    _check_optional(agent, ADD_USER_REQUIRED, wording=None, dialer=dialer)


def check_update_user(agent: Agent, *, dialer: str) -> None:
    """Refuse ``agent`` unless update_user can send it: a user, and valid optional fields."""
    check_agent_user(agent.agent_user, dialer=dialer)
    _check_optional(agent, ("agent_user",), wording="update_user", dialer=dialer)


def check_agent_user(username: str, *, dialer: str) -> None:
    """Refuse ``username`` unless update_user can name a user with it."""
    rule = AGENT_RULES["agent_user"]
    if not rule.check(username):
        raise InvalidRequest(f"update_user {REQUIRED} ({rule.detail})", dialer=dialer)


def check_list(
    list_id: str,
    list_name: str,
    campaign_id: str,
    *,
    name_min: int,
    wording: str,
    dialer: str,
) -> None:
    """Refuse add_list's fields unless they fit, in ``wording``: the dialer's own words."""
    if not list_id_kept(list_id):
        raise InvalidRequest(f"{wording} ({LIST_ID_RULE})", dialer=dialer)
    if not _sized(name_min, 30)(list_name):
        raise InvalidRequest(
            f"{wording} (list_name must be {name_min}-30 bytes (UTF-8))", dialer=dialer
        )
    if not CAMPAIGN_ID(campaign_id):
        raise InvalidRequest(f"{wording} (campaign_id must be 2-8 bytes (UTF-8))", dialer=dialer)


def _check_optional(agent: Agent, skip: Iterable[str], *, wording: str | None, dialer: str) -> None:
    for name, rule in AGENT_RULES.items():
        value = getattr(agent, name)
        if name in skip or value is None or rule.check(value):
            continue
        if wording and rule.label:
            raise InvalidRequest(
                f"{wording} YOU MUST USE A VALID {rule.label}, THIS IS AN OPTIONAL FIELD "
                f"({rule.detail})",
                dialer=dialer,
            )
        raise InvalidRequest(rule.detail, dialer=dialer)

"""One request to the Elision simulator: its query, the API user it names, field checks.

Lengths are counted in UTF-8 bytes, as PHP's ``strlen`` does."""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from simulators.elision.state import (
    LOCK_ATTEMPTS,
    LOCK_SECONDS,
    MODIFY_LEVEL,
    ElisionState,
    User,
)


@dataclass(frozen=True, slots=True)
class Call:
    """One request: its query, the user it names, and that user if the login is right."""

    query: Mapping[str, str]
    user: str
    api: User | None
    state: ElisionState

    def get(self, name: str) -> str | None:
        return self.query.get(name)

    def text(self, name: str) -> str:
        return self.query.get(name, "")

    def may_modify(self) -> bool:
        return self.api is not None and self.api.user_level >= MODIFY_LEVEL

    @property
    def level(self) -> int:
        return self.api.user_level if self.api else 0


def size(text: str) -> int:
    return len(text.encode())


def sized(text: str | None, low: int, high: int) -> bool:
    return text is not None and low <= size(text) <= high


def digits(text: str | None, low: int, high: int) -> bool:
    return text is not None and text.isascii() and text.isdigit() and low <= len(text) <= high


def one_digit(text: str | None) -> bool:
    return digits(text, 1, 1) and text != "0"


def login(state: ElisionState, query: Mapping[str, str]) -> User | None:
    user = state.users.get(query.get("user", ""))
    password = query.get("pass", "")
    if user is None or user.user not in state.api_users or user.active != "Y":
        return None
    return user if hmac.compare_digest(password.encode(), user.password.encode()) else None


def authorise(state: ElisionState, query: Mapping[str, str]) -> tuple[User | None, str]:
    """VICIdial's login, with its lockout: the user and ``GOOD``, or None and ``BAD`` or
    ``LOCK``.

    Each failed login of an existing user counts; at ten, the user is locked until 15
    minutes after its last good login (every login refused, the right one too). A
    failed login after that starts the count again; a good one clears it."""
    user = state.users.get(query.get("user", ""))
    if user is None:
        return None, "BAD"
    now = state.clock()
    recent = user.last_login_at is not None and now - user.last_login_at < LOCK_SECONDS
    found = login(state, query)
    if found is not None and (user.failed_logins < LOCK_ATTEMPTS or not recent):
        found.failed_logins, found.last_login_at = 0, now
        return found, "GOOD"
    if user.failed_logins < LOCK_ATTEMPTS:
        user.failed_logins += 1
        return None, "BAD"
    if not recent:
        user.failed_logins, user.last_login_at = 1, now
        return None, "BAD"
    return None, "LOCK"

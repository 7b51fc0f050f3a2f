"""``/api/user``: users (agents among them), their login, and their queues.

The password policy is checked before anything is sent: at least 8 characters, with
digits, uppercase and lowercase letters.
"""

from __future__ import annotations  # a method named ``list`` shadows the builtin in the class

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bridge.errors import InvalidRequest
from bridge.rest.client.queues import QueueMembership
from bridge.rest.client.records import (
    integer,
    mapping,
    optional_flag,
    optional_integer,
    optional_text,
    text,
)
from bridge.rest.client.resource import Resource, each

PATH = "/api/user"
PASSWORD_MIN_LENGTH = 8


def password_problems(password: str) -> list[str]:
    """What ``password`` lacks under the dialer's policy (empty when it is acceptable)."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"at least {PASSWORD_MIN_LENGTH} characters")
    if not any(char.isdigit() for char in password):
        problems.append("a digit")
    if not any(char.isupper() for char in password):
        problems.append("an uppercase letter")
    if not any(char.islower() for char in password):
        problems.append("a lowercase letter")
    return problems


@dataclass(frozen=True, slots=True)
class User:
    """A user as the dialer returns it (never with its password); ``raw`` has every field."""

    id: int
    name: str
    username: str
    email: str | None = None
    account_id: int | None = None
    active: bool | None = None
    is_agent: bool | None = None
    in_reports: bool | None = None
    timezone: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @classmethod
    def from_record(cls, value: Any) -> User:
        record = {k: v for k, v in mapping(value, "user").items() if k != "password"}
        return cls(
            id=integer(record.get("id"), "id"),
            name=text(record.get("name"), "name"),
            username=text(record.get("username"), "username"),
            email=optional_text(record.get("email"), "email"),
            account_id=optional_integer(record.get("account_id"), "account_id"),
            active=optional_flag(record.get("active"), "active"),
            is_agent=optional_flag(record.get("is_agent"), "is_agent"),
            in_reports=optional_flag(record.get("in_reports"), "in_reports"),
            timezone=optional_text(record.get("timezone"), "timezone"),
            raw=record,
        )


class Users(Resource):
    """``adapter.users``: list, get, query, create, update, delete, login, logout, queues."""

    async def list(self) -> builtins.list[User]:
        envelope = await self._connection.read(PATH)
        return self._data(envelope, each(User.from_record))

    async def get(self, user_id: int) -> User:
        envelope = await self._connection.read(f"{PATH}/{user_id}")
        return self._data(envelope, User.from_record)

    async def query(self, q: str, *, agents_only: bool = False) -> builtins.list[User]:
        """Users whose name, username or email matches ``q``."""
        params: dict[str, str | int | None] = {"q": q, "is_agent": int(agents_only)}
        envelope = await self._connection.read(f"{PATH}/", params=params)
        return self._data(envelope, each(User.from_record))

    async def create(
        self,
        *,
        name: str,
        username: str,
        password: str,
        email: str,
        is_agent: bool | None = None,
        in_reports: bool | None = None,
        active: bool | None = None,
        timezone: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> User:
        """Create a user; ``extra`` holds any other documented field (``groups``, ...)."""
        required = {"name": name, "username": username, "password": password, "email": email}
        missing = [key for key, value in required.items() if not value.strip()]
        if missing:
            raise InvalidRequest(
                f"a user needs {', '.join(missing)} (name, username, password and email"
                " are required)",
                dialer=self.dialer,
            )
        body = self._body(
            extra,
            name=name,
            username=username,
            password=password,
            email=email,
            is_agent=is_agent,
            in_reports=in_reports,
            active=None if active is None else int(active),
            timezone=timezone,
        )
        envelope = await self._connection.call("POST", PATH, json_body=body)
        return self._data(envelope, User.from_record)

    async def update(
        self,
        user_id: int,
        *,
        name: str | None = None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        is_agent: bool | None = None,
        in_reports: bool | None = None,
        active: bool | None = None,
        timezone: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> User:
        """Change only the given fields; return the whole record after the change."""
        for key, value in {"name": name, "username": username, "email": email}.items():
            if value is not None and not value.strip():
                raise InvalidRequest(f"a user's {key} cannot be empty", dialer=self.dialer)
        body = self._body(
            extra,
            name=name,
            username=username,
            password=password,
            email=email,
            is_agent=is_agent,
            in_reports=in_reports,
            active=None if active is None else int(active),
            timezone=timezone,
        )
        envelope = await self._connection.call("PUT", f"{PATH}/{user_id}", json_body=body)
        return self._data(envelope, User.from_record)

    async def delete(self, user_id: int) -> None:
        await self._connection.call("DELETE", f"{PATH}/{user_id}")

    async def login(self, username: str, password: str) -> None:
        """Open the API session of this user (the user that agent actions default to)."""
        body = {"username": username, "password": password}
        await self._connection.call("POST", f"{PATH}/login", json_body=body)

    async def logout(self) -> None:
        await self._connection.call("GET", f"{PATH}/logout")

    async def queues(self, user_id: int) -> builtins.list[QueueMembership]:
        envelope = await self._connection.read(f"{PATH}/{user_id}/queues")
        return self._data(envelope, each(QueueMembership.from_row))

    async def set_queues(self, user_id: int, queues: Sequence[QueueMembership]) -> None:
        """Replace the user's queues with these (the body is the array of rows)."""
        body = [membership.to_row() for membership in queues]
        await self._connection.call("PUT", f"{PATH}/{user_id}/queues", json_body=body)

    def _body(self, extra: Mapping[str, Any] | None, **given: Any) -> dict[str, Any]:
        if extra and "password" in extra:
            raise InvalidRequest("give the password as password=, not in extra", dialer=self.dialer)
        password = given["password"]
        if password is not None and (problems := password_problems(password)):
            raise InvalidRequest(
                f"the password needs {', '.join(problems)} (the dialer requires at least"
                f" {PASSWORD_MIN_LENGTH} characters with digits, uppercase and lowercase letters)",
                dialer=self.dialer,
            )
        return {**(extra or {}), **{k: v for k, v in given.items() if v is not None}}

"""The agent directory: who may log in to the widget, with which extension.

Passwords are kept as argon2 hashes. Hashing runs off the event loop; an unknown
username is checked against a dummy hash so that its answer takes as long as a wrong
password's.
"""

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Row, bindparam, delete, select, update

from server.database import Database
from server.problems import Problem
from server.tables import agents, sessions

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-password")
# Built once: on every agent request, building the statement would cost more than running it.
_BY_ID = select(agents).where(agents.c.id == bindparam("agent_id"))


class LoginError(Problem):
    """The agent cannot log in; ``code`` is what the widget reports."""


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    tenant: str
    username: str
    full_name: str
    extension: str
    active: bool
    synced_dialers: tuple[str, ...] = ()  # dialers this agent has been created on
    allowed_extensions: tuple[str, ...] = ()  # besides ``extension``, for login

    def may_use(self, extension: str) -> bool:
        return extension == self.extension or extension in self.allowed_extensions


def _agent(row: Row[Any]) -> Agent:
    return Agent(
        id=row.id,
        tenant=row.tenant,
        username=row.username,
        full_name=row.full_name,
        extension=row.extension,
        active=bool(row.active),
        synced_dialers=tuple(json.loads(row.synced_dialers)),
        allowed_extensions=tuple(json.loads(row.allowed_extensions)),
    )


def _named(tenant: str, username: str) -> ColumnElement[bool]:
    return (agents.c.tenant == tenant) & (agents.c.username == username)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def _verify(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class AgentDirectory:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self,
        tenant: str,
        username: str,
        *,
        password: str | None = None,
        full_name: str = "",
        extension: str = "",
        active: bool = True,
        synced_dialers: tuple[str, ...] | None = None,
        allowed_extensions: tuple[str, ...] | None = None,
    ) -> Agent:
        """Create the agent, or update it (the password, ``synced_dialers`` and
        ``allowed_extensions`` only when given).

        One statement: concurrent saves of a new agent leave one row, the last save's.
        A new password or disabling the agent ends its sessions in the same transaction."""
        changes: dict[str, object] = {
            "full_name": full_name,
            "extension": extension,
            "active": active,
            "updated_at": time.time(),
        }
        if synced_dialers is not None:
            changes["synced_dialers"] = json.dumps(list(synced_dialers))
        if allowed_extensions is not None:
            changes["allowed_extensions"] = json.dumps(list(allowed_extensions))
        if not password:
            known = update(agents).where(_named(tenant, username)).values(changes)
            async with self._db.begin() as connection:
                row = (await connection.execute(known.returning(*agents.c))).one_or_none()
                if row is not None and not active:
                    await connection.execute(delete(sessions).where(sessions.c.agent_id == row.id))
            if row is None:
                raise ValueError(f"agent {username!r} is new: a password is required")
            return _agent(row)
        changes["password_hash"] = await hash_password(password)
        insert = self._db.upsert(agents).values(
            {
                "tenant": tenant,
                "username": username,
                "created_at": changes["updated_at"],
                "synced_dialers": "[]",
                **changes,
            }
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[agents.c.tenant, agents.c.username],
            set_={name: insert.excluded[name] for name in changes},
        )
        async with self._db.begin() as connection:
            row = (await connection.execute(upsert.returning(*agents.c))).one()
            await connection.execute(delete(sessions).where(sessions.c.agent_id == row.id))
        return _agent(row)

    async def _one(self, condition: ColumnElement[bool]) -> Row[Any] | None:
        async with self._db.connect() as connection:
            return (await connection.execute(select(agents).where(condition))).one_or_none()

    async def get(self, tenant: str, username: str) -> Agent | None:
        row = await self._one(_named(tenant, username))
        return _agent(row) if row else None

    async def delete(self, tenant: str, username: str) -> bool:
        """Remove the agent; its sessions end with it."""
        async with self._db.begin() as connection:
            result = await connection.execute(delete(agents).where(_named(tenant, username)))
        return result.rowcount > 0

    async def get_by_id(self, agent_id: int) -> Agent | None:
        """The agent with this id (on every agent request: a fast read)."""
        row = await self._db.read_one(_BY_ID, {"agent_id": agent_id})
        return _agent(row) if row else None

    async def authenticate(self, tenant: str, username: str, password: str) -> Agent:
        row = await self._one(_named(tenant, username))
        valid = await _verify(row.password_hash if row else _DUMMY_HASH, password)
        if row is None or not valid:
            raise LoginError("invalid_credentials", "wrong username or password")
        agent = _agent(row)
        if not agent.active:
            raise LoginError(
                "agent_disabled", f"agent {username} is disabled; ask an administrator"
            )
        return agent

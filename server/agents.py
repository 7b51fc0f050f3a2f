"""The agent directory: who may log in to the widget, with which extension.

Passwords are kept as argon2id hashes (`server.passwords`); an unknown username is checked
against a dummy hash so that its answer takes as long as a wrong password's. Saving an
agent with the password it has already keeps its hash (and its sessions): that is known
from the process's memo (`server.password_memo`) or else one argon2 check, and a new hash
is made only for a new password. The directory's own hashing waits for background turns of
the hash gate, so logins go first; logins are admitted by their route. A hash made with
older parameters is upgraded when its password is next verified (a login or a sync).
"""

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, delete, select, update

from server.database import Database
from server.hash_gate import HashGate
from server.password_memo import PasswordMemo
from server.passwords import HASHER, hash_password, needs_rehash, verify_password
from server.problems import Problem
from server.tables import agents, sessions

_DUMMY_HASH = HASHER.hash("not-a-password")
# Built once: on every agent request, building the statement would cost more than running it.
_BY_ID = select(agents).where(agents.c.id == bindparam("agent_id"))
_BY_NAME = select(agents).where(
    (agents.c.tenant == bindparam("tenant")) & (agents.c.username == bindparam("username"))
)


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


class AgentDirectory:
    def __init__(self, db: Database, gate: HashGate | None = None) -> None:
        self._db = db
        self._gate = gate or HashGate()
        self._memo = PasswordMemo()

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
        A new password or disabling the agent ends its sessions in the same transaction;
        the password it has already keeps its hash and its sessions."""
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
            row = await self._update(_named(tenant, username), changes, end_sessions=not active)
            if row is None:
                raise ValueError(f"agent {username!r} is new: a password is required")
            return _agent(row)
        existing = await self._one(tenant, username)
        if existing is not None and (kept := await self._same_password(existing, password)):
            unchanged = _named(tenant, username) & (
                agents.c.password_hash == existing.password_hash
            )
            row = await self._update(
                unchanged, {**changes, "password_hash": kept}, end_sessions=not active
            )
            if row is not None:
                return _agent(row)
            # the password changed meanwhile: this save's password is set below
        async with self._gate.background():
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
        self._memo.remember(tenant, username, row.password_hash, password)
        return _agent(row)

    async def _same_password(self, row: Row[Any], password: str) -> str | None:
        """The hash to keep if ``password`` is the agent's already (its stored hash, or
        one upgraded to today's parameters); None if it is another password."""
        stored: str = row.password_hash
        known = self._memo.same(row.tenant, row.username, stored, password)
        if known is not None:
            return stored if known else None
        async with self._gate.background():
            if not await verify_password(stored, password):
                return None
            if needs_rehash(stored):
                stored = await hash_password(password)
        self._memo.remember(row.tenant, row.username, stored, password)
        return stored

    async def _update(
        self, condition: ColumnElement[bool], changes: dict[str, object], *, end_sessions: bool
    ) -> Row[Any] | None:
        """Update the agent that matches ``condition`` (None if none does); with
        ``end_sessions``, its sessions end in the same transaction."""
        statement = update(agents).where(condition).values(changes).returning(*agents.c)
        async with self._db.begin() as connection:
            row = (await connection.execute(statement)).one_or_none()
            if row is not None and end_sessions:
                await connection.execute(delete(sessions).where(sessions.c.agent_id == row.id))
        return row

    async def _one(self, tenant: str, username: str) -> Any:
        """The agent's row (a fast read: every synced agent and every login reads it)."""
        return await self._db.read_one(_BY_NAME, {"tenant": tenant, "username": username})

    async def get(self, tenant: str, username: str) -> Agent | None:
        row = await self._one(tenant, username)
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
        """The agent whose password this is; a hash made with older parameters is
        upgraded (the caller holds the hash gate's turn for this)."""
        row = await self._one(tenant, username)
        valid = await verify_password(row.password_hash if row else _DUMMY_HASH, password)
        if row is None or not valid:
            raise LoginError("invalid_credentials", "wrong username or password")
        agent = _agent(row)
        if not agent.active:
            raise LoginError(
                "agent_disabled", f"agent {username} is disabled; ask an administrator"
            )
        stored: str = row.password_hash
        if needs_rehash(stored):
            upgraded = await hash_password(password)
            same = (agents.c.id == row.id) & (agents.c.password_hash == stored)
            async with self._db.begin() as connection:
                changed = await connection.execute(
                    update(agents).where(same).values(password_hash=upgraded)
                )
            stored = upgraded if changed.rowcount else stored
        self._memo.remember(tenant, username, stored, password)
        return agent

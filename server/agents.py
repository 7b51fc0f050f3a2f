"""The agent directory: who may log in to the widget, with which extension.

Passwords are kept as argon2 hashes. Hashing runs off the event loop; an unknown
username is checked against a dummy hash so that its answer takes as long as a wrong
password's.
"""

import asyncio
import json
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.database import Database, Row
from server.problems import Problem

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-password")


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


def _agent(row: Row) -> Agent:
    return Agent(
        id=row["id"],
        tenant=row["tenant"],
        username=row["username"],
        full_name=row["full_name"],
        extension=row["extension"],
        active=bool(row["active"]),
        synced_dialers=tuple(json.loads(row["synced_dialers"])),
    )


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
    ) -> Agent:
        """Create the agent, or update it (the password only when one is given;
        ``synced_dialers`` only when given)."""
        now = time.time()
        existing = await self.get(tenant, username)
        if existing is None:
            if not password:
                raise ValueError(f"agent {username!r} is new: a password is required")
            await self._db.insert(
                "INSERT INTO agents (tenant, username, password_hash, full_name, extension,"
                " active, synced_dialers, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    tenant,
                    username,
                    await hash_password(password),
                    full_name,
                    extension,
                    int(active),
                    json.dumps(list(synced_dialers or ())),
                    now,
                    now,
                ),
            )
        else:
            synced = existing.synced_dialers if synced_dialers is None else synced_dialers
            await self._db.execute(
                "UPDATE agents SET full_name = ?, extension = ?, active = ?, synced_dialers = ?,"
                " updated_at = ? WHERE id = ?",
                (full_name, extension, int(active), json.dumps(list(synced)), now, existing.id),
            )
            if password:
                await self._db.execute(
                    "UPDATE agents SET password_hash = ? WHERE id = ?",
                    (await hash_password(password), existing.id),
                )
        saved = await self.get(tenant, username)
        assert saved is not None
        return saved

    async def get(self, tenant: str, username: str) -> Agent | None:
        row = await self._db.fetch_one(
            "SELECT * FROM agents WHERE tenant = ? AND username = ?", (tenant, username)
        )
        return _agent(row) if row else None

    async def delete(self, tenant: str, username: str) -> bool:
        """Remove the agent; its sessions end with it."""
        return (
            await self._db.execute(
                "DELETE FROM agents WHERE tenant = ? AND username = ?", (tenant, username)
            )
            > 0
        )

    async def get_by_id(self, agent_id: int) -> Agent | None:
        row = await self._db.fetch_one("SELECT * FROM agents WHERE id = ?", (agent_id,))
        return _agent(row) if row else None

    async def authenticate(self, tenant: str, username: str, password: str) -> Agent:
        row = await self._db.fetch_one(
            "SELECT * FROM agents WHERE tenant = ? AND username = ?", (tenant, username)
        )
        valid = await _verify(row["password_hash"] if row else _DUMMY_HASH, password)
        if row is None or not valid:
            raise LoginError("invalid_credentials", "wrong username or password", status=401)
        agent = _agent(row)
        if not agent.active:
            raise LoginError(
                "agent_disabled", f"agent {username} is disabled; ask an administrator", status=403
            )
        return agent

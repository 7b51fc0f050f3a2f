"""Short-lived bearer tokens that stand for an agent's login.

The token itself is only ever in the widget's memory; the server keeps its SHA-256.
A session expires after ``idle_seconds`` without use, and after ``max_seconds`` in any
case; use extends it (written at most once a minute).
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Executable, bindparam, delete, insert, select, update

from server.database import Database
from server.problems import Problem
from server.tables import sessions

EXTEND_EVERY_SECONDS = 60
# Built once: on every agent request, building the statement would cost more than running it.
_BY_TOKEN_HASH = select(sessions).where(sessions.c.token_hash == bindparam("token_hash"))


class SessionError(Problem):
    """The bearer token does not stand for a live session."""


@dataclass(frozen=True, slots=True)
class Session:
    token_hash: str
    agent_id: int
    extension: str
    expires_at: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, db: Database, *, idle_seconds: int, max_seconds: int) -> None:
        self._db = db
        self._idle = idle_seconds
        self._max = max_seconds

    async def _change(self, statement: Executable) -> int:
        """Run one changing statement; return how many sessions it touched."""
        async with self._db.begin() as connection:
            return (await connection.execute(statement)).rowcount

    async def open(self, agent_id: int, extension: str) -> tuple[str, float]:
        """Start a session; return the token (shown once) and when it expires."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        expires_at = now + min(self._idle, self._max)
        await self._change(
            insert(sessions).values(
                token_hash=_digest(token),
                agent_id=agent_id,
                extension=extension,
                created_at=now,
                expires_at=expires_at,
            )
        )
        return token, expires_at

    async def resolve(self, token: str) -> Session:
        """The live session behind ``token``; extends it. Raises `SessionError`.

        On every request of an agent, so it only reads, unless the session has expired
        or is due to be extended."""
        token_hash = _digest(token)
        row = await self._db.read_one(_BY_TOKEN_HASH, {"token_hash": token_hash})
        if row is None:
            raise SessionError("invalid_token", "not logged in: the session is unknown")
        now = time.time()
        if row.expires_at <= now:
            await self._change(delete(sessions).where(sessions.c.token_hash == token_hash))
            raise SessionError("session_expired", "the session has expired: log in again")
        expires_at = row.expires_at
        wanted = min(now + self._idle, row.created_at + self._max)
        if wanted - expires_at >= EXTEND_EVERY_SECONDS:
            expires_at = wanted
            await self._change(
                update(sessions)
                .where(sessions.c.token_hash == token_hash)
                .values(expires_at=wanted)
            )
        return Session(row.token_hash, row.agent_id, row.extension, expires_at)

    async def close(self, token: str) -> bool:
        return (
            await self._change(delete(sessions).where(sessions.c.token_hash == _digest(token))) > 0
        )

    async def purge_expired(self) -> int:
        return await self._change(delete(sessions).where(sessions.c.expires_at <= time.time()))

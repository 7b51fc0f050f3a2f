"""Single-use login tokens: a CRM back end logs an agent in without a password in the page.

``POST /api/v1/crm/login-tokens`` (API key) issues a token for one agent of the key's
tenant, valid for a minute; the CRM page passes it to the widget's ``login`` instead of
a username and password. The bridge keeps only the token's SHA-256, and spending it
deletes it in the same statement, so it works once, on any bridge instance.
"""

import hashlib
import secrets
import time

from sqlalchemy import delete, insert

from server.database import Database
from server.problems import Problem
from server.tables import login_tokens

LIFETIME_SECONDS = 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginTokenStore:
    def __init__(self, db: Database, *, lifetime_seconds: float = LIFETIME_SECONDS) -> None:
        self._db = db
        self._lifetime = lifetime_seconds

    async def issue(self, agent_id: int) -> tuple[str, float]:
        """A new token for the agent (shown once) and when it expires."""
        token = "clt_" + secrets.token_urlsafe(32)
        now = time.time()
        expires_at = now + self._lifetime
        async with self._db.begin() as connection:
            await connection.execute(
                insert(login_tokens).values(
                    token_hash=_digest(token),
                    agent_id=agent_id,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return token, expires_at

    async def spend(self, token: str) -> int:
        """The agent the token was issued for; the token is gone afterwards."""
        spent = (
            delete(login_tokens)
            .where(login_tokens.c.token_hash == _digest(token))
            .returning(login_tokens.c.agent_id, login_tokens.c.expires_at)
        )
        async with self._db.begin() as connection:
            row = (await connection.execute(spent)).one_or_none()
        if row is None or row.expires_at <= time.time():
            raise Problem(
                "invalid_login_token",
                "this login token is unknown, used or expired: ask the CRM for a new one",
            )
        return int(row.agent_id)

    async def purge_expired(self) -> int:
        async with self._db.begin() as connection:
            result = await connection.execute(
                delete(login_tokens).where(login_tokens.c.expires_at <= time.time())
            )
        return result.rowcount

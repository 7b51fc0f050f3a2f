"""API keys for CRM back ends (the "API Manager"): created and revoked by an admin.

A key is shown once, at creation; the bridge keeps its SHA-256 and a short prefix
so that an admin can tell keys apart.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

from server.database import Database, Row

KEY_PREFIX = "cbk_"


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    tenant: str
    name: str
    prefix: str
    created_at: float
    last_used_at: float | None
    revoked_at: float | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _key(row: Row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        tenant=row["tenant"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


class ApiKeyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, tenant: str, name: str) -> tuple[ApiKey, str]:
        """A new key for ``tenant``; returns it with the secret, which is not kept."""
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key_id = await self._db.insert(
            "INSERT INTO api_keys (tenant, name, prefix, key_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (tenant, name, secret[: len(KEY_PREFIX) + 6], _digest(secret), time.time()),
        )
        row = await self._db.fetch_one("SELECT * FROM api_keys WHERE id = ?", (key_id,))
        assert row is not None
        return _key(row), secret

    async def list(self, tenant: str | None = None) -> list[ApiKey]:
        if tenant is None:
            rows = await self._db.fetch_all("SELECT * FROM api_keys ORDER BY id DESC")
        else:
            rows = await self._db.fetch_all(
                "SELECT * FROM api_keys WHERE tenant = ? ORDER BY id DESC", (tenant,)
            )
        return [_key(row) for row in rows]

    async def revoke(self, key_id: int) -> bool:
        changed = await self._db.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (time.time(), key_id),
        )
        return changed > 0

    async def authenticate(self, secret: str) -> ApiKey | None:
        """The live key behind ``secret``, or None."""
        row = await self._db.fetch_one(
            "SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", (_digest(secret),)
        )
        if row is None:
            return None
        await self._db.execute(
            "UPDATE api_keys SET last_used_at = ? WHERE id = ?", (time.time(), row["id"])
        )
        return _key(row)

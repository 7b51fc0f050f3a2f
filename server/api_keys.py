"""API keys for CRM back ends (the "API Manager"): created and revoked by an admin.

A key is shown once, at creation; the bridge keeps its SHA-256 and a short prefix
so that an admin can tell keys apart.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select, update

from server.database import Database
from server.tables import api_keys

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


def _key(row: Row[Any]) -> ApiKey:
    return ApiKey(
        id=row.id,
        tenant=row.tenant,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class ApiKeyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, tenant: str, name: str) -> tuple[ApiKey, str]:
        """A new key for ``tenant``; returns it with the secret, which is not kept."""
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        new_key = (
            insert(api_keys)
            .values(
                tenant=tenant,
                name=name,
                prefix=secret[: len(KEY_PREFIX) + 6],
                key_hash=_digest(secret),
                created_at=time.time(),
            )
            .returning(*api_keys.c)
        )
        async with self._db.begin() as connection:
            row = (await connection.execute(new_key)).one()
        return _key(row), secret

    async def list(self, tenant: str | None = None) -> list[ApiKey]:
        query = select(api_keys).order_by(api_keys.c.id.desc())
        if tenant is not None:
            query = query.where(api_keys.c.tenant == tenant)
        async with self._db.connect() as connection:
            return [_key(row) for row in await connection.execute(query)]

    async def revoke(self, key_id: int) -> bool:
        async with self._db.begin() as connection:
            result = await connection.execute(
                update(api_keys)
                .where((api_keys.c.id == key_id) & api_keys.c.revoked_at.is_(None))
                .values(revoked_at=time.time())
            )
        return result.rowcount > 0

    async def authenticate(self, secret: str) -> ApiKey | None:
        """The live key behind ``secret``, or None; notes when it was used."""
        async with self._db.begin() as connection:
            row = (
                await connection.execute(
                    update(api_keys)
                    .where(
                        (api_keys.c.key_hash == _digest(secret)) & api_keys.c.revoked_at.is_(None)
                    )
                    .values(last_used_at=time.time())
                    .returning(*api_keys.c)
                )
            ).one_or_none()
        return _key(row) if row else None

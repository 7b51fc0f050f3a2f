"""The secrets in the REST dialers' Event Push URLs, one per tenant and dialer.

An admin creates (or rotates) it on the admin page, which shows the whole URL once; the
bridge keeps its SHA-256. Rotating replaces it: the old URL stops working at once on the
instance that rotated it, and within `REMEMBER_SECONDS` on the others (each instance
remembers the current hash that long, so that events do not each cost a query).

After a rotation the instance that made it remembers the replaced secret's hash, in
memory, and counts the pushes it refuses that still carry that old secret (a dialer
whose configuration was not updated): the admin page shows how many and the last one.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.database import Database
from server.tables import event_push_secrets

REMEMBER_SECONDS = 5.0


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_UNKNOWN = object()


@dataclass(slots=True)
class OldSecretRefusals:
    """Pushes refused since the secret was replaced, because they carried the old one."""

    replaced_at: float
    count: int = 0
    last_at: float | None = None


class PushSecrets:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._known: TTLCache[tuple[str, str], str | None] = TTLCache(1024, REMEMBER_SECONDS)
        self._replaced: dict[tuple[str, str], str] = {}  # the old secret's hash
        self._refusals: dict[tuple[str, str], OldSecretRefusals] = {}

    async def rotate(self, tenant: str, dialer: str) -> str:
        """A new secret for the dialer's Event Push URL (any older one stops working)."""
        secret = secrets.token_urlsafe(32)
        now = time.time()
        values = {"secret_hash": _digest(secret), "created_at": now}
        insert = self._db.upsert(event_push_secrets).values(tenant=tenant, dialer=dialer, **values)
        async with self._db.begin() as connection:
            old = await self._current(connection, tenant, dialer)
            await connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[event_push_secrets.c.tenant, event_push_secrets.c.dialer],
                    set_=values,
                )
            )
        self._known.pop((tenant, dialer), None)
        if old is not None:
            self._replaced[tenant, dialer] = old
            self._refusals[tenant, dialer] = OldSecretRefusals(replaced_at=now)
        return secret

    def old_secret_refusals(self, tenant: str, dialer: str) -> OldSecretRefusals | None:
        """Pushes refused with the secret this instance replaced last, if it replaced one."""
        return self._refusals.get((tenant, dialer))

    async def created(self) -> dict[tuple[str, str], float]:
        """When each (tenant, dialer)'s current secret was made."""
        async with self._db.connect() as connection:
            rows = await connection.execute(select(event_push_secrets))
            return {(row.tenant, row.dialer): row.created_at for row in rows}

    async def verify(self, tenant: str, dialer: str, secret: str) -> bool:
        # One lookup: between a membership test and a read the entry can expire (a 500).
        remembered = self._known.get((tenant, dialer), _UNKNOWN)
        if remembered is not _UNKNOWN:
            known = remembered if isinstance(remembered, str) else None
        else:
            async with self._db.connect() as connection:
                known = await self._current(connection, tenant, dialer)
            self._known[tenant, dialer] = known
        digest = _digest(secret)
        if known is not None and hmac.compare_digest(known, digest):
            return True
        old = self._replaced.get((tenant, dialer))
        if old is not None and hmac.compare_digest(old, digest):
            refusals = self._refusals[tenant, dialer]
            refusals.count += 1
            refusals.last_at = time.time()
        return False

    @staticmethod
    async def _current(connection: AsyncConnection, tenant: str, dialer: str) -> str | None:
        return (
            await connection.execute(
                select(event_push_secrets.c.secret_hash).where(
                    (event_push_secrets.c.tenant == tenant)
                    & (event_push_secrets.c.dialer == dialer)
                )
            )
        ).scalar_one_or_none()

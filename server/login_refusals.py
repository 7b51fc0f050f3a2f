"""The dialers' login refusals in the database: the `bridge.RefusalStore` the server's
login breakers share, so that bridge instances, and an instance after a restart, never
try again a login a dialer refused or locked (VICIdial locks its API user for 15 minutes
after ten failures)."""

import time

from sqlalchemy import delete, select

from bridge import StoredRefusal
from server.database import Database
from server.tables import dialer_login_refusals as refusals_table


class DatabaseRefusals:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def refusals(self, key: str) -> list[StoredRefusal]:
        async with self._db.connect() as connection:
            rows = await connection.execute(
                select(refusals_table).where(
                    (refusals_table.c.breaker == key) & (refusals_table.c.until > time.time())
                )
            )
            return [
                StoredRefusal(row.fingerprint, row.until, row.dialer, row.message, row.dialer_text)
                for row in rows
            ]

    async def save(self, key: str, refusal: StoredRefusal) -> None:
        values = {
            "until": refusal.until,
            "dialer": refusal.dialer,
            "message": refusal.message,
            "dialer_text": refusal.dialer_text,
        }
        upsert = self._db.upsert(refusals_table).values(
            breaker=key, fingerprint=refusal.fingerprint, **values
        )
        async with self._db.begin() as connection:
            await connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=[refusals_table.c.breaker, refusals_table.c.fingerprint],
                    set_=values,
                )
            )

    async def clear(self, key: str, fingerprint: str) -> None:
        async with self._db.begin() as connection:
            await connection.execute(
                delete(refusals_table).where(
                    (refusals_table.c.breaker == key)
                    & (refusals_table.c.fingerprint.in_(("", fingerprint)))
                )
            )

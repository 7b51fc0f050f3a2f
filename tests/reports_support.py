"""Seeding the ``calls`` table for the report tests: calls given in local wall time."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from server.database import Database
from server.tables import agents, calls


def moment(local: str, zone: str, *, fold: int = 0) -> float:
    """``2026-03-10 09:00:00`` in ``zone`` as epoch seconds (``fold=1``: the repeated hour's
    second pass)."""
    naive = dt.datetime.fromisoformat(local)
    return naive.replace(tzinfo=ZoneInfo(zone), fold=fold).timestamp()


async def add_agent(database: Database, tenant: str, username: str) -> int:
    async with database.begin() as connection:
        result = await connection.execute(
            insert(agents)
            .values(tenant=tenant, username=username, password_hash="-", created_at=0, updated_at=0)
            .returning(agents.c.id)
        )
        return int(result.scalar_one())


async def add_call(
    database: Database,
    tenant: str,
    call_id: str,
    started_at: float,
    *,
    direction: str = "inbound",
    wait: float | None = None,  # seconds to the answer; None: never answered
    talk: float = 0,
    rang: float = 0,  # unanswered: seconds to the end
    **columns: Any,
) -> None:
    """A call that has ended: answered ``wait`` seconds after it started and talked for
    ``talk``, or ended unanswered after ``rang`` seconds."""
    answered_at = None if wait is None else started_at + wait
    ended_at = started_at + rang if answered_at is None else answered_at + talk
    async with database.begin() as connection:
        await connection.execute(
            insert(calls).values(
                tenant=tenant,
                dialer="rest",
                call_id=call_id,
                state="ended",
                direction=direction,
                started_at=started_at,
                answered=answered_at is not None,
                answered_at=answered_at,
                ended_at=ended_at,
                updated_at=ended_at,
                **columns,
            )
        )

"""One call at a time per agent: ``POST /api/v1/calls`` is refused (409
``call_in_progress``) while the agent has a call being placed or not yet ended.

Being placed: an originate of the agent's is in flight (a row in ``originates_in_flight``
from before the request to the dialer until its answer is recorded, claimed atomically so
two instances cannot both place one). Not yet ended: a call of the agent in the call
model that started in the last `STALE_CALL_SECONDS` (a call whose end the dialer never
sent stops counting then).
"""

import contextlib
import time
from collections.abc import AsyncIterator

from sqlalchemy import delete, select

from server.database import Database
from server.problems import Problem
from server.tables import calls, originates_in_flight

CALL_IN_PROGRESS = "call_in_progress"
STALE_CALL_SECONDS = 4 * 3600
IN_FLIGHT_SECONDS = 120  # longer than any dialer's timeout: a claim left by a dead instance


def _refusal(why: str) -> Problem:
    return Problem(
        CALL_IN_PROGRESS,
        f"{why}: finish it before placing another call",
        status=409,
    )


class CallGuard:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def _on_a_call(self, agent_id: int, now: float) -> bool:
        not_ended = select(calls.c.call_id).where(
            (calls.c.agent_id == agent_id)
            & (calls.c.state != "ended")
            & (calls.c.started_at > now - STALE_CALL_SECONDS)
        )
        async with self._db.connect() as connection:
            return (await connection.execute(not_ended.limit(1))).first() is not None

    @contextlib.asynccontextmanager
    async def placing(self, agent_id: int) -> AsyncIterator[None]:
        """Hold the agent's claim to place one call (refused if it has one going)."""
        now = time.time()
        if await self._on_a_call(agent_id, now):
            raise _refusal("you are on a call")
        mine = originates_in_flight.c.agent_id == agent_id
        async with self._db.begin() as connection:
            await connection.execute(
                delete(originates_in_flight).where(
                    mine & (originates_in_flight.c.started_at < now - IN_FLIGHT_SECONDS)
                )
            )
            claimed = await connection.execute(
                self._db.upsert(originates_in_flight)
                .values(agent_id=agent_id, started_at=now)
                .on_conflict_do_nothing()
            )
        if claimed.rowcount == 0:
            raise _refusal("a call of yours is being placed")
        try:
            yield
        finally:
            async with self._db.begin() as connection:
                await connection.execute(
                    delete(originates_in_flight).where(
                        mine & (originates_in_flight.c.started_at == now)
                    )
                )

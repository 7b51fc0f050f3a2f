"""One call at a time per agent: ``POST /api/v1/calls`` is refused (409
``call_in_progress``) while the agent has a call being placed or not yet ended.

Being placed: an originate of the agent's is in flight, from before the request to the
dialer until its answer. This instance knows its own in memory; on a shared database
(PostgreSQL, several instances) the claim is also a row in ``originates_in_flight``,
taken atomically so two instances cannot both place one. A SQLite file serves one
instance (`server.single_instance`), so there the memory is the whole truth and the
click waits for no commit. Not yet ended: a call of the agent in the call model that
started in the last `STALE_CALL_SECONDS` (a call whose end the dialer never sent stops
counting then), read with `Database.read_one`.
"""

import contextlib
import time
from collections.abc import AsyncIterator

from sqlalchemy import bindparam, delete, select

from server.database import Database
from server.problems import Problem
from server.tables import calls, originates_in_flight

CALL_IN_PROGRESS = "call_in_progress"
STALE_CALL_SECONDS = 4 * 3600
IN_FLIGHT_SECONDS = 120  # longer than any dialer's timeout: a claim left by a dead instance

_NOT_ENDED = (
    select(calls.c.call_id)
    .where(
        (calls.c.agent_id == bindparam("agent_id"))
        & (calls.c.state != "ended")
        & (calls.c.started_at > bindparam("since"))
    )
    .limit(1)
)


def _refusal(why: str) -> Problem:
    return Problem(CALL_IN_PROGRESS, f"{why}: finish it before placing another call")


class CallGuard:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._placing: set[int] = set()  # agents with an originate in flight here

    @contextlib.asynccontextmanager
    async def placing(self, agent_id: int) -> AsyncIterator[None]:
        """Hold the agent's claim to place one call (refused if it has one going)."""
        if agent_id in self._placing:
            raise _refusal("a call of yours is being placed")
        self._placing.add(agent_id)
        try:
            now = time.time()
            found = await self._db.read_one(
                _NOT_ENDED, {"agent_id": agent_id, "since": now - STALE_CALL_SECONDS}
            )
            if found is not None:
                raise _refusal("you are on a call")
            if not self._db.shared:
                yield
                return
            await self._claim(agent_id, now)
            try:
                yield
            finally:
                await self._release(agent_id, now)
        finally:
            self._placing.discard(agent_id)

    async def _claim(self, agent_id: int, now: float) -> None:
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

    async def _release(self, agent_id: int, now: float) -> None:
        async with self._db.begin() as connection:
            await connection.execute(
                delete(originates_in_flight).where(
                    (originates_in_flight.c.agent_id == agent_id)
                    & (originates_in_flight.c.started_at == now)
                )
            )

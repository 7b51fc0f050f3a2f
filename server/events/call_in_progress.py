"""One call at a time per agent: ``POST /api/v1/calls`` is refused (409
``call_in_progress``) while the agent has a call being placed or not yet ended.

Being placed: an originate of the agent's is in flight, from before the request to the
dialer until its answer is recorded. On PostgreSQL the claim is a row in
``originates_in_flight``, taken atomically so that two instances cannot both place one;
on SQLite, which serves one instance only, it is kept in memory (a write transaction
would add milliseconds to every click). Not yet ended: a call of the agent in the call
model that started in the last `STALE_CALL_SECONDS` (a call whose end the dialer never
sent stops counting then).
"""

import contextlib
import time
from collections.abc import AsyncIterator

from sqlalchemy import Select, delete, select

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


def _not_ended(agent_id: int, now: float) -> Select[tuple[str]]:
    return (
        select(calls.c.call_id)
        .where(
            (calls.c.agent_id == agent_id)
            & (calls.c.state != "ended")
            & (calls.c.started_at > now - STALE_CALL_SECONDS)
        )
        .limit(1)
    )


class CallGuard:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._one_instance = database.url.startswith("sqlite")
        self._placing: set[int] = set()  # on SQLite: the agents placing a call now

    def placing(self, agent_id: int) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold the agent's claim to place one call (refused if it has one going)."""
        if self._one_instance:
            return self._placing_here(agent_id)
        return self._placing_anywhere(agent_id)

    @contextlib.asynccontextmanager
    async def _placing_here(self, agent_id: int) -> AsyncIterator[None]:
        if agent_id in self._placing:
            raise _refusal("a call of yours is being placed")
        self._placing.add(agent_id)
        try:
            async with self._db.connect() as connection:
                if (await connection.execute(_not_ended(agent_id, time.time()))).first():
                    raise _refusal("you are on a call")
            yield
        finally:
            self._placing.discard(agent_id)

    @contextlib.asynccontextmanager
    async def _placing_anywhere(self, agent_id: int) -> AsyncIterator[None]:
        now = time.time()
        mine = originates_in_flight.c.agent_id == agent_id
        async with self._db.begin() as connection:
            if (await connection.execute(_not_ended(agent_id, now))).first() is not None:
                raise _refusal("you are on a call")
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

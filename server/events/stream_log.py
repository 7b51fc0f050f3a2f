"""The agents' stream events, kept in the database so that a widget that reconnects
(after a dropped connection, a laptop's sleep, a bridge restart) gets what it missed.

Ids increase with every event the bridge writes; a widget resumes with the last id it
saw. Events are kept for `KEEP_SECONDS`, then purged.
"""

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import strict_json
from server.tables import stream_events

KEEP_SECONDS = 7 * 24 * 3600
PAGE = 500


@dataclass(frozen=True, slots=True)
class StreamEvent:
    id: int
    agent_id: int
    name: str
    data: dict[str, Any]

    def message(self) -> dict[str, Any]:
        """The stream's ``{"type": "event", ...}`` message."""
        return {"type": "event", "id": self.id, "name": self.name, "data": self.data}


_APPEND = insert(stream_events).returning(stream_events.c.id)


def append(connection: Connection, agent_id: int, name: str, data: dict[str, Any]) -> StreamEvent:
    """Write one event (inside the writer's transaction)."""
    values = {"agent_id": agent_id, "name": name, "data": strict_json.dumps(data)}
    event_id: int = connection.execute(_APPEND, {**values, "created_at": time.time()}).scalar_one()
    return StreamEvent(event_id, agent_id, name, data)


async def since(
    connection: AsyncConnection, agent_id: int, after: int, limit: int = PAGE
) -> list[StreamEvent]:
    """The agent's events with an id above ``after``, oldest first, at most ``limit``."""
    rows = await connection.execute(
        select(stream_events)
        .where((stream_events.c.agent_id == agent_id) & (stream_events.c.id > after))
        .order_by(stream_events.c.id)
        .limit(limit)
    )
    return [_event(row) for row in rows]


async def by_ids(connection: AsyncConnection, ids: Sequence[int]) -> list[StreamEvent]:
    rows = await connection.execute(
        select(stream_events).where(stream_events.c.id.in_(ids)).order_by(stream_events.c.id)
    )
    return [_event(row) for row in rows]


async def purge(connection: AsyncConnection, older_than: float) -> int:
    result = await connection.execute(
        delete(stream_events).where(stream_events.c.created_at < older_than)
    )
    return result.rowcount


def _event(row: Any) -> StreamEvent:
    return StreamEvent(row.id, row.agent_id, row.name, json.loads(row.data))


async def latest_id(connection: AsyncConnection, agent_id: int) -> int:
    """The id of the agent's newest event (0 when none)."""
    newest = await connection.execute(
        select(func.max(stream_events.c.id)).where(stream_events.c.agent_id == agent_id)
    )
    return newest.scalar_one() or 0

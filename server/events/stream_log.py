"""The agents' stream events, kept in the database so that a widget that reconnects
(after a dropped connection, a laptop's sleep, a bridge restart) gets what it missed.

Each agent's events are numbered 1, 2, 3 ... (``seq``, the stream's ``id``), without
gaps, in the order they commit: the transaction that writes an agent's events takes the
next numbers from the agent's `stream_cursors` row, which it locks until it commits, so
whichever instance commits next numbers next. A stream thus knows that number ``n + 1``
follows ``n``, and a widget resumes with the last number it saw. Events are kept for
`KEEP_SECONDS`, then purged.
"""

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from server import strict_json
from server.database import padded
from server.tables import stream_cursors, stream_events
from widget import protocol

KEEP_SECONDS = 7 * 24 * 3600
PAGE = 500


@dataclass(frozen=True, slots=True)
class StreamEvent:
    agent_id: int
    name: str
    data: dict[str, Any]
    seq: int = 0  # the agent's event number (0 until `store` wrote it)
    id: int = 0  # the row's id, across agents (0 until stored)
    stored_at: float = 0.0

    def message(self) -> dict[str, Any]:
        """The stream's ``{"type": "event", ...}`` message."""
        return {"type": protocol.STREAM_EVENT, "id": self.seq, "name": self.name, "data": self.data}


def new(agent_id: int, name: str, data: dict[str, Any]) -> StreamEvent:
    """An event for the agent, written by the writer's transaction at its end (`store`)."""
    return StreamEvent(agent_id, name, data)


_INSERT = insert(stream_events).returning(stream_events.c.id, sort_by_parameter_order=True)


def _take_numbers(connection: Connection, agent_id: int, count: int) -> int:
    """Lock the agent's cursor and move it ``count`` on; the last number taken."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    bump = dialect.insert(stream_cursors).values(agent_id=agent_id, seq=count)
    bump = bump.on_conflict_do_update(
        index_elements=[stream_cursors.c.agent_id],
        set_={"seq": stream_cursors.c.seq + bump.excluded.seq},
    ).returning(stream_cursors.c.seq)
    last: int = connection.execute(bump).scalar_one()
    return last


def store(connection: Connection, events: Sequence[StreamEvent]) -> list[StreamEvent]:
    """Write ``events`` (inside the writer's transaction, last), numbered per agent; the
    stored events, each agent's in order. Agents are locked in id order, so two
    instances' transactions never wait for each other in a circle."""
    by_agent: dict[int, list[StreamEvent]] = {}
    for event in events:
        by_agent.setdefault(event.agent_id, []).append(event)
    stored: list[StreamEvent] = []
    now = time.time()
    for agent_id in sorted(by_agent):
        mine = by_agent[agent_id]
        first = _take_numbers(connection, agent_id, len(mine)) - len(mine) + 1
        numbered = [replace(event, seq=first + n) for n, event in enumerate(mine)]
        rows = [
            {
                "agent_id": agent_id,
                "seq": event.seq,
                "name": event.name,
                "data": strict_json.dumps(event.data),
                "created_at": now,
            }
            for event in numbered
        ]
        ids: Sequence[int] = connection.execute(_INSERT, rows).scalars().all()
        stored += [
            replace(event, id=row_id, stored_at=now)
            for event, row_id in zip(numbered, ids, strict=True)
        ]
    return stored


async def since(
    connection: AsyncConnection, agent_id: int, after: int, limit: int = PAGE
) -> list[StreamEvent]:
    """The agent's events numbered above ``after``, in order, at most ``limit``."""
    rows = await connection.execute(
        select(stream_events)
        .where((stream_events.c.agent_id == agent_id) & (stream_events.c.seq > after))
        .order_by(stream_events.c.seq)
        .limit(limit)
    )
    return [_event(row) for row in rows]


async def by_ids(connection: AsyncConnection, ids: Sequence[int]) -> list[StreamEvent]:
    rows = await connection.execute(
        select(stream_events)
        .where(stream_events.c.id.in_(padded(ids)))
        .order_by(stream_events.c.agent_id, stream_events.c.seq)
    )
    return [_event(row) for row in rows]


async def purge(connection: AsyncConnection, older_than: float) -> int:
    result = await connection.execute(
        delete(stream_events).where(stream_events.c.created_at < older_than)
    )
    return result.rowcount


def _event(row: Any) -> StreamEvent:
    return StreamEvent(
        row.agent_id, row.name, json.loads(row.data), row.seq, row.id, row.created_at
    )


async def latest_id(connection: AsyncConnection, agent_id: int) -> int:
    """The number of the agent's newest committed event (0 when none): a stream resuming
    after it gets every event written later."""
    newest = await connection.execute(
        select(stream_cursors.c.seq).where(stream_cursors.c.agent_id == agent_id)
    )
    return newest.scalar_one_or_none() or 0

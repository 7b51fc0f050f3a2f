"""Calls reported once to an agent's pages, also across reloads.

Each stream notes the newest call event it has sent (`DeliveryNotes.note`), kept per
agent in the database (``stream_deliveries``: so across instances and restarts). A
stream opened without ``after`` (a page just loaded, a new tab) starts before the oldest
call event of the agent that no stream has sent and that is at most `REPLAY_SECONDS`
old (`start_after`): a call that ended while the page reloaded reaches the new page, and
once sent, it is not sent again to the next tab.

Notes are written through the intake's `BatchWriter` (no writer contends with it for
SQLite's lock), coalesced: while one write is on its way, newer notes wait for the next.
"""

import asyncio
import functools
import logging
import time

from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.database import Database
from server.events import stream_log
from server.events.batch_writer import BatchWriter
from server.events.stream_log import StreamEvent
from server.tables import stream_deliveries, stream_events
from widget import protocol

log = logging.getLogger(__name__)

REPLAY_SECONDS = 600
CALL_EVENTS = (protocol.CALL_RINGING, protocol.CALL_ANSWERED, protocol.CALL_ENDED)


class DeliveryNotes:
    def __init__(self, database: Database, writer: BatchWriter) -> None:
        self._db = database
        self._writer = writer
        self._pending: dict[int, int] = {}  # agent → newest call event number sent, unwritten
        self._writing: dict[int, int] = {}  # the notes being written
        self._flushing: asyncio.Task[None] | None = None

    def note(self, event: StreamEvent) -> None:
        """``event`` has been sent to one of its agent's streams."""
        if event.name not in CALL_EVENTS:
            return
        if event.seq > self._pending.get(event.agent_id, 0):
            self._pending[event.agent_id] = event.seq
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        while self._pending:
            self._writing, self._pending = self._pending, {}
            try:
                await self._writer.run(functools.partial(self._write, notes=self._writing))
            except Exception:
                log.exception("noting the agents' delivered call events failed")
            finally:
                self._writing = {}

    def _write(
        self, connection: Connection, *, notes: dict[int, int]
    ) -> tuple[None, list[StreamEvent]]:
        now = time.time()
        for agent_id, event_id in notes.items():
            insert = self._db.upsert(stream_deliveries).values(
                agent_id=agent_id, delivered_through=event_id, updated_at=now
            )
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[stream_deliveries.c.agent_id],
                    set_={"delivered_through": event_id, "updated_at": now},
                    where=stream_deliveries.c.delivered_through < event_id,
                )
            )
        return None, []

    async def start_after(self, connection: AsyncConnection, agent_id: int) -> int:
        """Where a stream opened without ``after`` starts: just before the agent's oldest
        call event of the last `REPLAY_SECONDS` that no stream has sent, else after the
        agent's newest event."""
        written = await connection.execute(
            select(stream_deliveries.c.delivered_through).where(
                stream_deliveries.c.agent_id == agent_id
            )
        )
        delivered = max(
            written.scalar() or 0,
            self._pending.get(agent_id, 0),
            self._writing.get(agent_id, 0),
        )
        oldest_missed = await connection.execute(
            select(func.min(stream_events.c.seq)).where(
                (stream_events.c.agent_id == agent_id)
                & (stream_events.c.seq > delivered)
                & stream_events.c.name.in_(CALL_EVENTS)
                & (stream_events.c.created_at >= time.time() - REPLAY_SECONDS)
            )
        )
        first = oldest_missed.scalar()
        if first is None:
            return await stream_log.latest_id(connection, agent_id)
        return int(first) - 1

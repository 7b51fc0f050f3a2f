"""The audit log ("API Monitoring"): every call the bridge made to a dialer.

Adapters hand entries to `AuditLog.record`, which only queues them; a background
writer stores them in batches, so auditing costs the hot path (click-to-call) nothing.
In the server the batches go through the events' `BatchWriter`, in the transaction it
shares with the other changes waiting (a click's record among them): one writer, so
SQLite's write lock is never contended, and no thread hop per statement. What a crash
loses is the entries not yet committed (docs/benchmarks.md, "what a crash loses").
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select

from bridge import AuditEntry
from server.database import Database
from server.events.batch_writer import BatchWriter
from server.events.stream_log import StreamEvent
from server.tables import audit_log

log = logging.getLogger(__name__)

BATCH = 500
ENTRY_FIELDS = tuple(field.name for field in fields(AuditEntry))
INSERT = insert(audit_log)


def _rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    return [{name: getattr(entry, name) for name in ENTRY_FIELDS} for entry in entries]


@dataclass(frozen=True, slots=True)
class AuditQuery:
    tenant: str | None = None
    since: float | None = None
    until: float | None = None
    action: str | None = None
    limit: int = 50
    offset: int = 0


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db
        # None is the stop mark: `running` queues it, the writer ends when it comes out.
        self._queue: asyncio.Queue[AuditEntry | None] = asyncio.Queue()
        self._storing = asyncio.Lock()  # held while a batch is on its way to the database
        self._writer: BatchWriter | None = None  # while `running` with one

    def record(self, entry: AuditEntry) -> None:
        self._queue.put_nowait(entry)

    def _drain(self, most: int) -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        while len(entries) < most and not self._queue.empty():
            entry = self._queue.get_nowait()
            if entry is None:  # the writer's stop mark: leave it for the writer
                self._queue.put_nowait(entry)
                break
            entries.append(entry)
        return entries

    async def _store(self, entries: list[AuditEntry]) -> None:
        try:
            async with self._storing:
                rows = _rows(entries)
                if self._writer is not None:
                    await self._writer.run(lambda connection: _insert(connection, rows))
                else:
                    async with self._db.begin() as connection:
                        await connection.execute(INSERT, rows)
        except Exception:
            for entry in entries:
                self._queue.put_nowait(entry)
            raise

    async def flush(self) -> None:
        """Store everything recorded so far, also what the writer is storing right now
        (tests and shutdown call this)."""
        while entries := self._drain(BATCH):
            await self._store(entries)
        async with self._storing:
            pass

    async def _write_until_stopped(self) -> None:
        """Store the queue batch by batch, never cancelled halfway through a batch."""
        while (first := await self._queue.get()) is not None:
            try:
                await self._store([first, *self._drain(BATCH - 1)])
            except Exception:
                log.exception("audit log write failed; the entries are kept for a retry")
                await asyncio.sleep(1)

    @contextlib.asynccontextmanager
    async def running(self, writer: BatchWriter | None = None) -> AsyncIterator[None]:
        """Run the background writer, storing through ``writer`` if given (it must run
        longer); flush what is left on the way out."""
        self._writer = writer
        task = asyncio.create_task(self._write_until_stopped())
        try:
            yield
        finally:
            self._queue.put_nowait(None)
            await task
            await self.flush()
            self._writer = None

    async def query(self, query: AuditQuery) -> tuple[list[dict[str, object]], int]:
        """Entries matching ``query``, newest first, and how many match in all."""
        conditions: list[ColumnElement[bool]] = []
        if query.tenant is not None:
            conditions.append(audit_log.c.tenant == query.tenant)
        if query.since is not None:
            conditions.append(audit_log.c.at >= query.since)
        if query.until is not None:
            conditions.append(audit_log.c.at < query.until)
        if query.action is not None:
            conditions.append(audit_log.c.action == query.action)
        entries = (
            select(*(column for column in audit_log.c if column.name != "id"))
            .where(*conditions)
            .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        count = select(func.count()).select_from(audit_log).where(*conditions)
        async with self._db.connect() as connection:
            total = (await connection.execute(count)).scalar_one()
            rows = [dict(row._mapping) for row in await connection.execute(entries)]
        return rows, total


def _insert(connection: Connection, rows: list[dict[str, Any]]) -> tuple[None, list[StreamEvent]]:
    connection.execute(INSERT, rows)
    return None, []

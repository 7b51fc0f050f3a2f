"""The audit log ("API Monitoring"): every call the bridge made to a dialer.

Adapters hand entries to `AuditLog.record`, which only queues them; a background
writer stores them in batches, so auditing costs the hot path (click-to-call) nothing.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass

from bridge import AuditEntry
from server.database import Database

log = logging.getLogger(__name__)

BATCH = 500


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
        self._queue: asyncio.Queue[AuditEntry] = asyncio.Queue()

    def record(self, entry: AuditEntry) -> None:
        self._queue.put_nowait(entry)

    def _drain(self, most: int) -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        while len(entries) < most and not self._queue.empty():
            entries.append(self._queue.get_nowait())
        return entries

    async def _store(self, entries: list[AuditEntry]) -> None:
        try:
            await self._db.execute_many(
                "INSERT INTO audit_log (at, tenant, user, dialer, action, duration_ms, outcome,"
                " error_text) VALUES (:at, :tenant, :user, :dialer, :action, :duration_ms,"
                " :outcome, :error_text)",
                [asdict(entry) for entry in entries],
            )
        except Exception:
            for entry in entries:
                self._queue.put_nowait(entry)
            raise

    async def flush(self) -> None:
        """Store everything queued so far (tests and shutdown call this)."""
        while entries := self._drain(BATCH):
            await self._store(entries)

    async def _write_forever(self) -> None:
        while True:
            first = await self._queue.get()
            try:
                await self._store([first, *self._drain(BATCH - 1)])
            except Exception:
                log.exception("audit log write failed; the entries are kept for a retry")
                await asyncio.sleep(1)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the background writer; flush what is left on the way out."""
        task = asyncio.create_task(self._write_forever())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.flush()

    async def query(self, query: AuditQuery) -> tuple[list[dict[str, object]], int]:
        """Entries matching ``query``, newest first, and how many match in all."""
        where, params = [], []
        for clause, value in (
            ("tenant = ?", query.tenant),
            ("at >= ?", query.since),
            ("at < ?", query.until),
            ("action = ?", query.action),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        condition = (" WHERE " + " AND ".join(where)) if where else ""
        total = await self._db.fetch_one(f"SELECT COUNT(*) FROM audit_log{condition}", params)  # noqa: S608
        rows = await self._db.fetch_all(
            f"SELECT at, tenant, user, dialer, action, duration_ms, outcome, error_text"  # noqa: S608
            f" FROM audit_log{condition} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        )
        return [dict(row) for row in rows], total[0] if total else 0

"""Each row's state, committed as it changes, in groups: the bookkeeping of one running job.

Before a batch leaves for the dialer its rows are committed as ``sending``
(`RowLedger.mark_sending` returns only then), so after a crash every row that might
have reached the dialer is known. Outcomes (`RowLedger.settle`) are queued and written
with the next group; a crash before that leaves them ``sending``, which is safe: they
are treated as in flight. One writer task commits whatever has queued up in one
transaction, which first renews the worker's lease and checks it still owns the job
(`LostJob` otherwise), adds to the job's counters and reads whether it was cancelled;
when nothing happens it still writes every ``heartbeat`` seconds to keep the lease.
"""

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.exc import DBAPIError, OperationalError

from server.database import Database
from server.jobs.records import Counts
from server.jobs.states import OUTCOMES, SENDING, SUCCEEDED
from server.jobs.store import LostJob, update_owned
from server.tables import job_rows

log = logging.getLogger(__name__)

RATE_WINDOW = 10.0  # seconds of recent progress the rate is measured over
IN_LIST = 500  # row numbers per IN (...) list
_UNSET: Any = object()


@dataclass(slots=True)
class _Group:
    """What one transaction writes."""

    sending: list[int] = field(default_factory=list)
    settled: dict[int, tuple[str, str, str | None]] = field(default_factory=dict)
    pause: Any = _UNSET
    done: list[asyncio.Future[None]] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.sending or self.settled or self.done) and self.pause is _UNSET


class RowLedger:
    """The rows of job ``job_id`` as worker ``owner`` changes them."""

    def __init__(
        self,
        db: Database,
        job_id: int,
        owner: str,
        counts: Counts,
        *,
        lease_seconds: float,
        on_write: Callable[[], object] = lambda: None,
    ) -> None:
        self._db = db
        self.job_id = job_id
        self._owner = owner
        self._lease = lease_seconds
        self._heartbeat = lease_seconds / 3
        self._queued = _Group()
        self._wake = asyncio.Event()
        self._closing = False
        self.counts = Counter({name: getattr(counts, name) for name in OUTCOMES})
        self._succeeded = counts.succeeded
        self._progress: deque[tuple[float, int]] = deque([(time.monotonic(), 0)])
        self._settled_total = 0
        self.cancel_requested = False
        self.lost: LostJob | None = None
        self._stored_at = time.monotonic()
        self._on_write = on_write  # told after each write: cancel_requested or lost may change

    @property
    def succeeded(self) -> int:
        """Rows added or already there so far (stored or not yet), this run and earlier."""
        return self._succeeded

    async def mark_sending(self, idxs: list[int]) -> None:
        """Commit ``idxs`` as ``sending``; return once that is stored."""
        self._queued.sending.extend(idxs)
        await self.flush()

    def settle(self, idx: int, state: str, message: str, data: str | None = None) -> None:
        """Queue row ``idx``'s outcome (and new ``data``, e.g. without a password)."""
        self._queued.settled[idx] = (state, message, data)
        self._succeeded += state in SUCCEEDED
        self._wake.set()

    def note_pause(self, reason: str | None) -> None:
        """Why the job waits (the dialer is down), or None once it goes on."""
        self._queued.pause = reason
        self._wake.set()

    async def flush(self) -> None:
        """Wait until everything queued so far is stored."""
        if self.lost:
            raise self.lost
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.done.append(done)
        self._wake.set()
        await done

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["RowLedger"]:
        """Run the writer; on the way out, write what is left."""
        writer = asyncio.create_task(self._write_until_closed())
        try:
            yield self
        finally:
            self._closing = True
            self._wake.set()
            await writer

    async def _write_until_closed(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._heartbeat)
            self._wake.clear()
            group, self._queued = self._queued, _Group()
            if self.lost is None:
                await self._store(group)
                self._on_write()
            for done in group.done:
                if not done.done():
                    if self.lost:
                        done.set_exception(self.lost)
                    else:
                        done.set_result(None)
            if self._closing and self._queued.empty():
                return

    async def _store(self, group: _Group) -> None:
        """Write ``group``, trying again while the database is busy or unreachable, until
        the lease would have run out (then another worker may have taken the job)."""
        while True:
            try:
                await self._write(group)
                self._stored_at = time.monotonic()
                return
            except LostJob as lost:
                self.lost = lost
            except (OperationalError, DBAPIError, OSError) as error:
                if time.monotonic() - self._stored_at < self._lease:
                    log.warning(
                        "job %s: storing row states failed (%s); retrying", self.job_id, error
                    )
                    await asyncio.sleep(0.5)
                    continue
                self.lost = LostJob(f"job {self.job_id}: the database was unreachable too long")
            except Exception:
                log.exception("job %s: storing row states failed", self.job_id)
                self.lost = LostJob(f"job {self.job_id}: storing row states failed")
            log.warning("%s: stopping", self.lost)
            return

    async def _write(self, group: _Group) -> None:
        deltas = Counter(state for state, _, _ in group.settled.values() if state in OUTCOMES)
        values: dict[str, Any] = {
            "lease_until": time.time() + self._lease,
            "rate": self._rate(sum(deltas.values())),
        }
        if group.pause is not _UNSET:
            values["paused_reason"] = group.pause
        async with self._db.begin() as connection:
            self.cancel_requested = await update_owned(
                connection, self.job_id, self._owner, deltas, **values
            )
            for start in range(0, len(group.sending), IN_LIST):
                await connection.execute(
                    update(job_rows)
                    .where(
                        job_rows.c.job_id == self.job_id,
                        job_rows.c.idx.in_(group.sending[start : start + IN_LIST]),
                    )
                    .values(state=SENDING)
                )
            await self._write_outcomes(connection, group.settled)
        self.counts.update(deltas)
        self._settled_total += sum(deltas.values())

    async def _write_outcomes(
        self, connection: Any, settled: dict[int, tuple[str, str, str | None]]
    ) -> None:
        """Rows of the same outcome and message in one statement, the others (their own
        message, new data) in one statement run for each: few round trips either way."""
        alike: dict[tuple[str, str], list[int]] = {}
        for idx, (state, message, data) in settled.items():
            if data is None:
                alike.setdefault((state, message), []).append(idx)
        each = [
            {"i": idx, "s": state, "m": message, "d": data}
            for idx, (state, message, data) in settled.items()
            if data is not None or len(alike[state, message]) == 1
        ]
        for (state, message), idxs in alike.items():
            for start in range(0, len(idxs) if len(idxs) > 1 else 0, IN_LIST):
                await connection.execute(
                    update(job_rows)
                    .where(
                        job_rows.c.job_id == self.job_id,
                        job_rows.c.idx.in_(idxs[start : start + IN_LIST]),
                    )
                    .values(state=state, message=message)
                )
        plain = [row for row in each if row["d"] is None]
        with_data = [row for row in each if row["d"] is not None]
        where = (job_rows.c.job_id == self.job_id) & (job_rows.c.idx == bindparam("i"))
        if plain:
            await connection.execute(
                update(job_rows).where(where).values(state=bindparam("s"), message=bindparam("m")),
                [{"i": row["i"], "s": row["s"], "m": row["m"]} for row in plain],
            )
        if with_data:
            await connection.execute(
                update(job_rows)
                .where(where)
                .values(state=bindparam("s"), message=bindparam("m"), data=bindparam("d")),
                with_data,
            )

    def _rate(self, settling: int) -> float:
        """Rows per second over the last `RATE_WINDOW` seconds (this write included)."""
        now = time.monotonic()
        self._progress.append((now, self._settled_total + settling))
        while len(self._progress) > 2 and now - self._progress[1][0] > RATE_WINDOW:
            self._progress.popleft()
        then, before = self._progress[0]
        return (self._settled_total + settling - before) / (now - then) if now > then else 0.0

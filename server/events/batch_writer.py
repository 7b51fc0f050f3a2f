"""Runs the intake's changes in shared transactions, one after another, in arrival order.

Every change is a job: a (synchronous) function of one connection that answers its
result and the stream events it wrote. One task takes the waiting jobs (up to
`MAX_BATCH`) and runs them in one transaction, so a burst of dialer events costs one
commit rather than one each, and writers never contend for SQLite's lock. On SQLite the
whole transaction runs in one worker thread on a synchronous engine (`Database.
sqlite_writer`); on PostgreSQL it runs on the async engine (asyncpg needs no thread).
After the commit the events go to the hub and each caller gets its result. If the
shared transaction fails, each of its jobs runs again alone, so only the failing one
fails. A caller that need not wait for the commit hands its job over with `submit`
(what a click-to-call remembers); on the way out, the jobs still waiting are written.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection

from server.database import Database
from server.events import stream_log
from server.events.hub import StreamHub
from server.events.stream_log import StreamEvent

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[Connection], tuple[T, list[StreamEvent]]]
Item = tuple[Job[Any], asyncio.Future[Any]]
MAX_BATCH = 100


class BatchWriter:
    def __init__(self, database: Database, hub: StreamHub) -> None:
        self._db = database
        self._hub = hub
        # None is the stop mark: `running` queues it on the way out; the jobs before it
        # are still written.
        self._queue: asyncio.Queue[Item | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        engine = self._db.sqlite_writer()
        thread = ThreadPoolExecutor(1, thread_name_prefix="event-writer") if engine else None
        self._task = asyncio.create_task(self._write_forever(engine, thread))
        try:
            yield
        finally:
            self._queue.put_nowait(None)
            await self._task
            while not self._queue.empty():  # queued while it stopped: too late
                if (item := self._queue.get_nowait()) is not None:
                    _fail(item[1], RuntimeError("the batch writer has stopped"))
            if thread is not None and engine is not None:
                thread.shutdown()
                engine.dispose()

    async def run(self, job: Job[T]) -> T:
        """Run ``job`` in the next transaction; its result once committed."""
        return await self._queue_job(job)

    def submit(self, job: Job[Any]) -> None:
        """Queue ``job`` for the next transaction without waiting for it; should it
        fail, the error is logged."""
        self._queue_job(job).add_done_callback(_log_failure)

    def _queue_job(self, job: Job[T]) -> asyncio.Future[T]:
        if self._task is None or self._task.done():
            raise RuntimeError("the batch writer is not running")
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((job, done))
        return done

    async def _write_forever(self, engine: Any, thread: ThreadPoolExecutor | None) -> None:
        async def commit(batch: list[Item]) -> None:
            jobs = [job for job, _ in batch]
            if engine is not None:
                loop = asyncio.get_running_loop()
                results, events = await loop.run_in_executor(
                    thread, _run_in_transaction, engine, jobs, self._hub
                )
            else:
                async with self._db.begin() as connection:
                    results, events = await connection.run_sync(_run_jobs, jobs, self._hub)
            self._hub.deliver(events)
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)

        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                await commit(batch)
            except Exception as error:
                if len(batch) == 1:
                    _fail(batch[0][1], error)
                    continue
                for item in batch:
                    try:
                        await commit([item])
                    except Exception as alone:
                        _fail(item[1], alone)


def _run_jobs(
    connection: Connection, jobs: list[Job[Any]], hub: StreamHub
) -> tuple[list[Any], list[StreamEvent]]:
    results, events = [], []
    for job in jobs:
        result, written = job(connection)
        results.append(result)
        events += written
    stored = stream_log.store(connection, events)
    hub.announce(connection, stored)
    return results, stored


def _run_in_transaction(
    engine: Any, jobs: list[Job[Any]], hub: StreamHub
) -> tuple[list[Any], list[StreamEvent]]:
    with engine.begin() as connection:
        return _run_jobs(connection, jobs, hub)


def _log_failure(done: asyncio.Future[Any]) -> None:
    """Log the error of a job nobody waits for."""
    if not done.cancelled() and (error := done.exception()) is not None:
        log.error("a change nobody waited for failed: %r", error)


def _fail(done: asyncio.Future[Any], error: Exception) -> None:
    """Hand the job's error to its caller (who may have left)."""
    if not done.done():
        done.set_exception(error)
    else:
        log.warning("a change failed after its caller left: %r", error)

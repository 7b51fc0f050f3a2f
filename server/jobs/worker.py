"""The worker of one bridge instance: claims jobs from the database and runs them.

It looks for claimable jobs every ``[jobs] poll_seconds`` (at once when woken: a job was
created here, or one finished) and runs at most ``[jobs] workers`` at a time; a request
that awaits a small job has it run at once (`run_now`). A job whose worker stopped (a
crash, ``kill -9``, a lost network) becomes claimable when its lease runs out, and the
next worker to claim it resumes it where it stopped. Stopping the instance lets the
batches in flight finish, then hands its jobs back at once (`JobStore.release`).
"""

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator

from bridge import Actor, current_actor
from server.agents import AgentDirectory
from server.config import ServerConfig
from server.dialers import DialerRegistry, UnknownDialer
from server.jobs.agent_sync import AgentSync
from server.jobs.lead_export import LeadExport
from server.jobs.records import Job
from server.jobs.run import CANCELLED, LOST, SHUTDOWN, JobRun, Stop
from server.jobs.states import CANCELLED as CANCELLED_STATE
from server.jobs.states import DONE, FAILED
from server.jobs.store import CANCELLED_MESSAGE, JobStore, LostJob
from server.retention import Retention

log = logging.getLogger(__name__)

LEAD_EXPORT = "lead_export"
AGENT_SYNC = "agent_sync"
SHUTDOWN_GRACE = 15.0  # seconds the batches in flight may take when the instance stops


def worker_name() -> str:
    """Names this process in the jobs it claims (for people reading the database)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class JobWorker:
    def __init__(
        self,
        store: JobStore,
        dialers: DialerRegistry,
        agents: AgentDirectory,
        config: ServerConfig,
        *,
        name: str | None = None,
    ) -> None:
        self.store = store
        self.dialers = dialers
        self.agents = agents
        self.config = config
        self.settings = config.jobs
        self.owner = name or worker_name()
        self._runs: dict[int, JobRun] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._finished: dict[int, asyncio.Event] = {}
        self._wake = asyncio.Event()
        self._claiming = True
        self._retention = Retention(self.settings.keep_days)

    @contextlib.asynccontextmanager
    async def running(self, *, claim: bool = True) -> AsyncIterator["JobWorker"]:
        """Run the claiming loop (unless ``claim`` is false: then only `run_now` runs
        jobs); on the way out, stop the jobs running here and hand them back."""
        looking = asyncio.create_task(self._claim_loop()) if claim else None
        try:
            yield self
        finally:
            if looking is not None:
                looking.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await looking
            await self.stop_all()

    async def stop_all(self) -> None:
        for run in list(self._runs.values()):
            run.stop(SHUTDOWN)
        tasks = list(self._tasks.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def hand_back(self) -> None:
        """Claim no more jobs; stop those running here and hand them back at once (the
        instance is draining: another takes them over without waiting for the lease)."""
        self._claiming = False
        await self.stop_all()

    def wake(self) -> None:
        """Look for claimable jobs now (one was just created)."""
        self._wake.set()

    async def run_now(self, job_id: int) -> bool:
        """Claim job ``job_id`` and run it here, beyond ``workers``; False if another
        worker has it."""
        if job_id in self._tasks:
            return True
        job = await self.store.claim(self.owner, self.settings.lease_seconds, job_id)
        if job is None:
            return False
        self._start(job)
        return True

    def cancel(self, job_id: int) -> None:
        """Stop job ``job_id`` at once if it runs here (`JobStore.cancel` records it)."""
        run = self._runs.get(job_id)
        if run is not None:
            run.stop(CANCELLED)

    async def wait(self, job_id: int, at_most: float | None = None) -> Job:
        """The job once it is finished (or as it is when ``at_most`` seconds are up)."""
        deadline = time.monotonic() + (at_most if at_most is not None else float("inf"))
        while True:
            job = await self.store.get(job_id)
            if job is None:
                raise LookupError(f"job {job_id} does not exist")
            left = deadline - time.monotonic()
            if not job.active or left <= 0:
                return job
            finished = self._finished.get(job_id)
            with contextlib.suppress(TimeoutError):
                # Here: until it ends; elsewhere: look again shortly.
                await asyncio.wait_for(
                    finished.wait() if finished else asyncio.sleep(left), min(left, 0.25)
                )

    async def purge(self) -> int:
        """Delete the jobs that finished more than ``[jobs] keep_days`` ago."""
        purged = await self.store.purge(self._retention.finished_before())
        if purged:
            log.info("deleted %s jobs finished over %s days ago", purged, self.settings.keep_days)
        return purged

    async def _claim_loop(self) -> None:
        while True:
            try:
                if self._retention.due():
                    await self.purge()
                while self._claiming and len(self._tasks) < self.settings.workers:
                    job = await self.store.claim(self.owner, self.settings.lease_seconds)
                    if job is None:
                        break
                    self._start(job)
            except Exception:
                log.exception("looking for jobs failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)
            self._wake.clear()

    def _start(self, job: Job) -> None:
        if job.id in self._tasks:  # its lease ran out while it ran here: it still does
            return
        self._finished[job.id] = asyncio.Event()
        self._tasks[job.id] = asyncio.create_task(self._run(job), name=f"job {job.id}")

    async def _run(self, job: Job) -> None:
        current_actor.set(Actor(job.tenant, f"job:{job.id}"))
        run = JobRun(job, self.store, self.owner, self.settings)
        self._runs[job.id] = run
        log.info(
            "job %s (%s, %s rows) running on %s", job.id, job.kind, job.counts.total, self.owner
        )
        try:
            async with run.ledger.running():
                if job.cancel_requested:
                    run.stop(CANCELLED)
                else:
                    await self._execute(run)
            await self._finish(run)
        except LostJob:
            log.warning("job %s was taken over by another worker", job.id)
        except Exception:
            log.exception("job %s failed unexpectedly", job.id)
            await self._fail_unexpectedly(run)
        finally:
            del self._runs[job.id], self._tasks[job.id]
            self._finished.pop(job.id).set()
            self._wake.set()  # a slot is free

    async def _execute(self, run: JobRun) -> None:
        job = run.job
        if job.kind == LEAD_EXPORT:
            try:
                adapter = self.dialers.get(job.tenant, job.dialer)
            except UnknownDialer as error:
                run.stop(Stop("failed", {"code": "unknown_dialer", "message": str(error)}))
                return
            await LeadExport(run, adapter).run_job()
        elif job.kind == AGENT_SYNC:
            await AgentSync(run, self.dialers.of_tenant(job.tenant), self.agents).run_job()
        else:
            run.stop(Stop("failed", {"code": "unknown_job", "message": f"no job kind {job.kind}"}))

    async def _finish(self, run: JobRun) -> None:
        stopped = run.stopped
        if stopped == LOST:
            return
        if stopped == SHUTDOWN:
            await self.store.release(run.job.id, self.owner)
            log.info("job %s handed back for another worker", run.job.id)
            return
        state, message = DONE, ""
        if stopped == CANCELLED and run.rows_left() == 0:  # too late: every row is done
            stopped = None
        if stopped == CANCELLED:
            state, message = CANCELLED_STATE, CANCELLED_MESSAGE
        elif stopped is not None:
            failed = stopped.fatal or run.ledger.succeeded == 0
            state = FAILED if failed else DONE
            message = f"not sent: {(stopped.error or {}).get('message', 'the job stopped')}"
        await self.store.finish(
            run.job.id,
            self.owner,
            state,
            error=stopped.error if stopped else None,
            not_sent_message=message,
        )
        log.info("job %s %s", run.job.id, state)

    async def _fail_unexpectedly(self, run: JobRun) -> None:
        error = {"code": "internal_error", "message": "the job failed unexpectedly; see the log"}
        with contextlib.suppress(Exception):
            await self.store.finish(
                run.job.id, self.owner, FAILED, error=error, not_sent_message="not sent"
            )

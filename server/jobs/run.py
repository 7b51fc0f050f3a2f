"""One worker's run of one job: what the job's executor needs, and why it stopped."""

import asyncio
from dataclasses import dataclass
from typing import Any

from bridge import DialerError
from server.config import JobsSection
from server.jobs.ledger import RowLedger
from server.jobs.records import Job
from server.jobs.store import JobStore


@dataclass(frozen=True, slots=True)
class Stop:
    """Why a run ends before every row has an outcome."""

    reason: str  # "cancelled", "failed", "shutdown" or "lost"
    error: dict[str, Any] | None = None
    fatal: bool = False  # the job fails even if some rows succeeded (credentials refused)


CANCELLED = Stop("cancelled")
SHUTDOWN = Stop("shutdown")
LOST = Stop("lost")


def failure(error: DialerError, *, fatal: bool = False) -> Stop:
    return Stop("failed", error.to_dict(), fatal)


class JobRun:
    """``job`` as worker ``owner`` runs it; executors read ``stopped`` between batches."""

    def __init__(self, job: Job, store: JobStore, owner: str, settings: JobsSection) -> None:
        self.job = job
        self.store = store
        self.ledger = RowLedger(
            store.db,
            job.id,
            owner,
            job.counts,
            lease_seconds=settings.lease_seconds,
            on_write=self.check,
        )
        self.owner = owner
        self.settings = settings
        self.stop_event = asyncio.Event()
        self.stopped: Stop | None = None

    def stop(self, why: Stop) -> None:
        """End the run: the first reason given wins."""
        if self.stopped is None:
            self.stopped = why
        self.stop_event.set()

    def rows_left(self) -> int:
        """Rows without an outcome yet."""
        return self.job.counts.total - sum(self.ledger.counts.values())

    def check(self) -> bool:
        """Whether the run goes on (the ledger's news of a cancellation or a lost lease
        stops it)."""
        if self.ledger.lost is not None:
            self.stop(LOST)
        elif self.ledger.cancel_requested:
            self.stop(CANCELLED)
        return self.stopped is None

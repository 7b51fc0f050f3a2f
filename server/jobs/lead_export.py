"""Running a lead-export job: the job's pending rows, batch by batch, into one dialer list.

The batches are the adapter's (`bridge.lead_export.plan_batches`, per page of rows);
up to the dialer's ``export_concurrency`` (`bridge.DialerTraits`) of them are in flight
at once. What happens when a
batch fails depends on the error (`bridge.errors`):

- credentials refused (`dialer_failures.stops_the_job`): the batch is ``not_sent`` and the
  job stops, failed, with the dialer's reason;
- the dialer is down or busy: the job pauses (`DialerPause`) and sends the batch again
  when the dialer answers, unless the call may have reached a dialer that has no
  duplicate check: then the batch is ``unknown`` and the job goes on after the pause;
  a small request's job (``awaited``) does not wait: it stops, the rest ``not_sent``;
- the dialer refused the batch (``dialer_rejected``, ``invalid_request``): its rows
  ``failed`` with the reason; an unreadable answer: ``unknown``. If nothing of the job
  has reached the list so far, the job stops there, failed with the dialer's error.

Rows in flight when an earlier run stopped are sent again if the dialer refuses
duplicates (its trait ``refuses_duplicate_leads``), else reported ``unknown``.
"""

import asyncio
import logging
from collections.abc import Sequence

from bridge import (
    TOO_LARGE,
    DialerAdapter,
    DialerBadResponse,
    DialerBusy,
    DialerError,
    DialerList,
    DialerRejected,
    DialerUnavailable,
    Lead,
    LeadOutcome,
    plan_batches,
)
from server.jobs.dialer_failures import may_have_reached, stops_the_job
from server.jobs.lead_rows import lead_of
from server.jobs.pause import Attempt, DialerPause
from server.jobs.run import LOST, JobRun, failure
from server.jobs.states import FAILED, NOT_SENT, PENDING, UNKNOWN, lead_status
from server.jobs.store import LostJob

log = logging.getLogger(__name__)

PAGE = 2000  # rows read from the database at a time
MARK_AHEAD_LEADS = 64  # leads marked "sending" but not taken by a sender yet, at most
IN_FLIGHT_AT_STOP = (
    "in flight when the bridge stopped; the dialer has no duplicate check, so it was not"
    " sent again: check the list before sending it again"
)
MAYBE_REACHED = "{reason}; the dialer may have added it and has no duplicate check"
NOT_SENT_AGAIN = (
    "{reason}; the dialer may have added it, and the job stopped before sending it again"
)

Batch = list[tuple[int, Lead]]


class LeadExport:
    def __init__(self, run: JobRun, adapter: DialerAdapter) -> None:
        self.run = run
        self.adapter = adapter
        self.ledger = run.ledger
        self.send_again = adapter.traits.refuses_duplicate_leads
        self.awaited = run.job.awaited
        self.pause = DialerPause(run.stop_event, first=0.5, most=run.settings.max_pause_seconds)
        self.target = DialerList("", "")
        self.mark_ahead = False

    async def run_job(self) -> None:
        job = self.run.job
        resumed = await self.run.store.resume(
            job, self.run.owner, send_again=self.send_again, message=IN_FLIGHT_AT_STOP
        )
        if resumed:
            log.info("job %s: %d rows were in flight at the last stop", job.id, resumed)
        target = await self._target()
        if target is None:
            return
        self.target = target
        senders = self.adapter.traits.export_concurrency
        # Rows are committed "sending" before they leave. Where that costs little after
        # a crash (the dialer refuses duplicates, or a batch is one lead) the next group
        # of batches is marked while the last one is in flight; else each batch is
        # marked as it leaves, so that only leads that may have left are "unknown".
        self.mark_ahead = self.send_again or self.adapter.lead_batching.max_leads == 1
        batches: asyncio.Queue[Batch | None] = asyncio.Queue()
        async with asyncio.TaskGroup() as tasks:
            for _ in range(senders):
                tasks.create_task(self._sender(batches))
            ahead = senders
            if self.mark_ahead:  # two groups are marked ahead of the batches in flight
                ahead = max(1, MARK_AHEAD_LEADS // (2 * self.adapter.lead_batching.max_leads))
            await self._produce(batches, ahead)
            for _ in range(senders):
                batches.put_nowait(None)

    async def _target(self) -> DialerList | None:
        """The list to fill; created first if the job says so (once: its id is kept).

        A run that stopped while creating it may have created it: a dialer that takes
        the list id given then refuses to create it again, and that list is used."""
        job = self.run.job
        target = DialerList(**job.spec["list"])
        if "list_id" in job.result or not job.spec.get("create_list"):
            list_id = job.result.get("list_id", target.list_id)
            return DialerList(list_id, target.name, target.campaign, target.active)
        maybe_created = bool(job.result.get("creating_list"))
        await self.run.store.save_result(job.id, self.run.owner, {"creating_list": True})
        while True:
            async with self.pause.attempt() as attempt:
                if not attempt.go:
                    return None
                try:
                    created = await self.adapter.create_list(target)
                    break
                except (DialerUnavailable, DialerBusy) as error:
                    if self.awaited or may_have_reached(error):
                        self.run.stop(failure(error))
                        return None
                    self.pause.failed(attempt)
                    self.ledger.note_pause(error.message)
                except DialerRejected as error:
                    if maybe_created and target.list_id:
                        created = target
                        break
                    self.run.stop(failure(error))
                    return None
                except DialerError as error:
                    self.run.stop(failure(error, fatal=stops_the_job(error)))
                    return None
        self.pause.answered()
        self.ledger.note_pause(None)
        await self.run.store.save_result(job.id, self.run.owner, {"list_id": created.list_id})
        return DialerList(created.list_id, target.name, target.campaign, target.active)

    async def _produce(self, batches: asyncio.Queue[Batch | None], ahead: int) -> None:
        """Read the pending rows page by page, cut them into batches, and hand them to the
        senders ``ahead`` at a time (marked ``sending`` first if `mark_ahead`)."""
        after = -1
        while self.run.check():
            page = await self.run.store.rows(
                self.run.job.id, after=after, limit=PAGE, state=PENDING
            )
            if not page:
                return
            after = page[-1].idx
            leads = [lead_of(row.data) for row in page]
            planned, too_large = plan_batches(self.adapter.lead_batching, leads)
            for index in too_large:
                self.ledger.settle(page[index].idx, FAILED, TOO_LARGE)
            for start in range(0, len(planned), ahead):
                group = [
                    [(page[i].idx, leads[i]) for i in batch]
                    for batch in planned[start : start + ahead]
                ]
                # Marked while the senders still work on the last group, handed over
                # once they took it all: at most two groups are marked and not sent.
                if self.mark_ahead and not await self._mark_sending(group):
                    return
                await batches.join()
                for batch in group:
                    batches.put_nowait(batch)

    async def _mark_sending(self, group: list[Batch]) -> bool:
        """Commit the rows of ``group`` as ``sending`` (one transaction for all)."""
        try:
            await self.ledger.mark_sending([idx for batch in group for idx, _ in batch])
        except LostJob:
            self.run.stop(LOST)
            return False
        return True

    async def _sender(self, batches: asyncio.Queue[Batch | None]) -> None:
        while (batch := await batches.get()) is not None:
            batches.task_done()
            if self.run.check() and (self.mark_ahead or await self._mark_sending([batch])):
                await self._send(batch)
            else:  # marked, but not sent: pending again
                self._settle([idx for idx, _ in batch], PENDING, "")

    async def _send(self, batch: Batch) -> None:
        idxs = [idx for idx, _ in batch]
        leads = [lead for _, lead in batch]
        maybe_reached: DialerError | None = None  # the last try's, if it may have arrived
        while True:
            async with self.pause.attempt() as attempt:
                if not attempt.go:  # stopping: a try that may have arrived is not unsent
                    if maybe_reached is None:
                        self._settle(idxs, PENDING, "")
                    else:
                        message = NOT_SENT_AGAIN.format(reason=maybe_reached.message)
                        self._settle(idxs, UNKNOWN, message)
                    return
                try:
                    outcomes = await self.adapter.add_leads(self.target, leads)
                except DialerError as error:
                    if self._failed(idxs, error, attempt):
                        maybe_reached = error if may_have_reached(error) else None
                        continue
                    return
            self.pause.answered()
            self.ledger.note_pause(None)
            for idx, outcome in zip(idxs, outcomes, strict=True):
                self.ledger.settle(idx, lead_status(outcome), _with_stored(outcome))
            return

    def _failed(self, idxs: Sequence[int], error: DialerError, attempt: Attempt) -> bool:
        """Record the batch's fate after ``error``; True to send it again."""
        if stops_the_job(error):
            self._settle(idxs, NOT_SENT, f"not sent: {error.message}")
            self.run.stop(failure(error, fatal=True))
            return False
        if isinstance(error, DialerUnavailable | DialerBusy):
            reached = may_have_reached(error) and not self.send_again
            if self.awaited:  # not sent again: a try that may have arrived is unknown
                if reached:
                    self._settle(idxs, UNKNOWN, MAYBE_REACHED.format(reason=error.message))
                elif may_have_reached(error):
                    self._settle(idxs, UNKNOWN, NOT_SENT_AGAIN.format(reason=error.message))
                else:
                    self._settle(idxs, NOT_SENT, f"not sent: {error.message}")
                self.run.stop(failure(error))
                return False
            self.pause.failed(attempt)
            self.ledger.note_pause(error.message)
            if reached:
                self._settle(idxs, UNKNOWN, MAYBE_REACHED.format(reason=error.message))
                return False
            return True
        state = UNKNOWN if isinstance(error, DialerBadResponse) else FAILED
        self._settle(idxs, state, error.dialer_text or error.message)
        if self.ledger.succeeded == 0:
            self.run.stop(failure(error))
        return False

    def _settle(self, idxs: Sequence[int], state: str, message: str) -> None:
        for idx in idxs:
            self.ledger.settle(idx, state, message)


def _with_stored(outcome: LeadOutcome) -> str:
    """The dialer's message, and what it stored where that differs from what was sent."""
    if not outcome.stored_as:
        return outcome.message
    stored = ", ".join(f"{field} as {value!r}" for field, value in outcome.stored_as.items())
    return f"{outcome.message} (the dialer stores {stored})"

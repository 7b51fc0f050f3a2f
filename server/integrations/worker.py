"""The delivery worker of one bridge instance: sends the outbox's deliveries to the CRMs.

It looks at the outbox every ``[integrations] poll_seconds`` (at once when woken) and
sends at most ``concurrency`` deliveries at a time, at most ``per_tenant_concurrency``
of one tenant, each in a task of its own: a slow or dead CRM holds only its tenant's
places, never the intake (which only writes the outbox) nor other tenants.

An attempt is retried after a network error, a timeout, a 429 or a 5xx answer, with
exponential backoff and jitter and no sooner than ``Retry-After``, until
``max_attempts``; any other answer below 200 or from 300 up fails it at once. A request
the outbound policy refuses fails at once too. When a delivery of a lookup webhook
(response type ``object`` or ``records``) is done, its agent gets a ``lookup_result``
stream event, written with the delivery's outcome in one transaction. Deliveries that
finished more than ``keep_days`` ago are deleted (looked for at most hourly).
"""

import asyncio
import contextlib
import functools
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from sqlalchemy import Connection, select

from server.backoff import next_wait, retry_after_seconds, should_retry
from server.database import Database
from server.events import stream_log
from server.events.batch_writer import BatchWriter
from server.events.stream_log import StreamEvent
from server.integrations import outbox
from server.integrations.answers import agent_view, read_answer
from server.integrations.model import Credentials, Group, Webhook
from server.integrations.outbound import UnsafeTarget, unsafe_reason
from server.integrations.outbox import Attempt, Delivery
from server.integrations.sender import Reply, WebhookSender
from server.integrations.settings import IntegrationsSection
from server.integrations.store import IntegrationStore
from server.integrations.unreachable import why_unreachable
from server.integrations.webhook_request import WebhookRequest, build_request
from server.problems import Problem
from server.retention import Retention
from server.tables import agents
from widget import protocol

log = logging.getLogger(__name__)

# A lookup's Agent View ({"columns", "records"}), why it has none, or None (no lookup).
Lookup = dict[str, Any] | str | None
HOLD_GRACE_SECONDS = 30  # beyond the timeout, before another instance takes a delivery over
STOP_GRACE_SECONDS = 5  # for deliveries in flight to put their work down


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        writer: BatchWriter,
        store: IntegrationStore,
        sender: WebhookSender,
        settings: IntegrationsSection,
    ) -> None:
        self._db = database
        self._writer = writer
        self._store = store
        self._sender = sender
        self._settings = settings
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: Counter[str] = Counter()
        self._wake = asyncio.Event()
        self._stopping = False
        self._retention = Retention(settings.keep_days)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["DeliveryWorker"]:
        """Send deliveries until the end of the block. Stopping lets the database work in
        flight finish (cancelling it midway can leave a connection stuck) and closes the
        HTTP session, so requests in flight end at once; their deliveries stay
        ``sending`` until their hold ends, then any instance sends them again."""
        self._stopping = False
        looking = asyncio.create_task(self._loop())
        try:
            yield self
        finally:
            self._stopping = True
            self._wake.set()
            await looking
            await self._sender.close()
            if self._tasks:
                _, late = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
                for task in late:
                    task.cancel()

    def wake(self) -> None:
        """Look at the outbox now (a delivery was queued or retried here)."""
        self._wake.set()

    async def purge(self) -> int:
        """Delete the deliveries that finished more than ``[integrations] keep_days`` ago."""
        purged = await outbox.purge(self._db, self._retention.finished_before())
        if purged:
            log.info(
                "deleted %s webhook deliveries finished over %s days ago",
                purged,
                self._retention.keep_days,
            )
        return purged

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                if self._retention.due():
                    await self.purge()
                await self._start_due()
            except Exception:
                log.exception("looking at the webhook outbox failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)
            self._wake.clear()

    async def _start_due(self) -> None:
        room = self._settings.concurrency - len(self._tasks)
        if room <= 0:
            return
        limit = self._settings.per_tenant_concurrency
        hold = self._settings.timeout_seconds + HOLD_GRACE_SECONDS
        claimed = await outbox.claim(self._db, room, dict(self._in_flight), limit, hold)
        for delivery in claimed:
            self._in_flight[delivery.tenant] += 1
            task = asyncio.create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(functools.partial(self._done, delivery.tenant))

    def _done(self, tenant: str, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._in_flight[tenant] -= 1
        if self._in_flight[tenant] <= 0:
            del self._in_flight[tenant]
        self._wake.set()  # a place is free

    async def _deliver(self, delivery: Delivery) -> None:
        webhook: Webhook | None = None
        try:
            if delivery.webhook_id is None:
                attempt, lookup = _failed("its webhook was deleted"), None
            else:
                webhook = await self._store.webhook(delivery.webhook_id)
                attempt, lookup = await self._attempt(delivery, webhook)
        except Problem as problem:
            attempt, lookup = _failed(problem.message), None
        except Exception:
            if self._stopping:
                return  # its HTTP session closed under it
            log.exception(
                "delivery %s of webhook %s failed", delivery.delivery_id, delivery.webhook_name
            )
            attempt, lookup = _failed("the bridge could not send it (see its log)"), None
        if self._stopping:
            return  # left sending: taken again once its hold ends
        log.info(
            "delivery %s of webhook %s (attempt %d): %s %s",
            delivery.delivery_id,
            delivery.webhook_name,
            delivery.attempts,
            attempt.state,
            attempt.status or attempt.error or "",
        )

        def job(connection: Connection) -> tuple[None, list[StreamEvent]]:
            outbox.record(connection, delivery, attempt)
            event = _lookup_event(connection, delivery, webhook, attempt, lookup)
            return None, [] if event is None else [event]

        await self._writer.run(job)

    async def _attempt(self, delivery: Delivery, webhook: Webhook) -> tuple[Attempt, Lookup]:
        """How the attempt went, and for a lookup its Agent View or why there is none."""
        group = None if webhook.group_id is None else await self._store.group(webhook.group_id)
        try:
            request = await self.request_for(webhook, group, delivery)
        except UnsafeTarget as error:
            return _failed(str(error)), None
        summary = request.summary()
        try:
            reply = await self._sender.send(request)
        except UnsafeTarget as error:
            return _failed(str(error), summary), None
        except (aiohttp.ClientError, TimeoutError) as error:
            refused = unsafe_reason(error)
            if refused is not None:
                return _failed(refused, summary), None
            reason = why_unreachable(error, request.url, self._sender.timeout_seconds)
            return self._again_or_fail(delivery, reason, summary, None, None), None
        answer = reply.summary(request.secrets)
        if 200 <= reply.status < 300:
            attempt = Attempt("delivered", reply.status, None, summary, answer, reply.duration_ms)
            return attempt, _lookup(reply, webhook, request.secrets)
        refusal = f"the CRM answered {reply.status} {reply.reason}".strip()
        if should_retry(reply.status):
            wait = retry_after_seconds(reply.headers.get("Retry-After"))
            again = self._again_or_fail(delivery, refusal, summary, reply, answer, wait)
            return again, None
        return Attempt("failed", reply.status, refusal, summary, answer, reply.duration_ms), None

    async def request_for(
        self, webhook: Webhook, group: Group | None, delivery: Delivery
    ) -> WebhookRequest:
        """The delivery's request, with the credentials of its group (and agent)."""
        agent = None
        if delivery.agent_id is not None:
            async with self._db.connect() as connection:
                agent = await connection.scalar(
                    select(agents.c.username).where(agents.c.id == delivery.agent_id)
                )
        if group is not None and group.level == "user" and group.auth_type != "none" and not agent:
            raise Problem(
                "no_member", f"user-level group {group.name!r} needs the call's agent: it has none"
            )
        credentials = await self._store.credentials(group, agent) if group else None
        return build_request(
            webhook, delivery.values, group, credentials or Credentials(), delivery.delivery_id
        )

    def _again_or_fail(
        self,
        delivery: Delivery,
        error: str,
        summary: str,
        reply: Reply | None,
        answer: str | None,
        retry_after: float | None = None,
    ) -> Attempt:
        status = None if reply is None else reply.status
        duration = None if reply is None else reply.duration_ms
        if delivery.attempts >= self._settings.max_attempts:
            message = f"{error}; gave up after {delivery.attempts} attempts"
            return Attempt("failed", status, message, summary, answer, duration)
        wait = next_wait(
            delivery.attempts,
            base_seconds=self._settings.backoff_seconds,
            max_seconds=self._settings.backoff_max_seconds,
            retry_after=retry_after,
            retry_after_max=self._settings.retry_after_max_seconds,
        )
        return Attempt("pending", status, error, summary, answer, duration, time.time() + wait)


def _failed(error: str, summary: str | None = None) -> Attempt:
    return Attempt("failed", None, error, summary, None, None)


def _lookup(reply: Reply, webhook: Webhook, secrets: tuple[str, ...]) -> Lookup:
    """For a lookup webhook, the answer's Agent View, or why there is none."""
    if webhook.response_type == "ignore":
        return None
    answer = read_answer(reply.body, webhook.response_type)
    return answer.error or agent_view(
        answer.records, webhook.columns, secrets, webhook.column_labels
    )


def _lookup_event(
    connection: Connection,
    delivery: Delivery,
    webhook: Webhook | None,
    attempt: Attempt,
    lookup: Lookup,
) -> StreamEvent | None:
    """The ``lookup_result`` for the delivery's agent, once a lookup is done."""
    if webhook is None or webhook.response_type == "ignore" or delivery.agent_id is None:
        return None
    if attempt.state not in outbox.DONE_STATES:
        return None
    view = (
        lookup
        if isinstance(lookup, dict)
        else agent_view([], webhook.columns, labels=webhook.column_labels)
    )
    error = lookup if isinstance(lookup, str) else attempt.error
    data = {"webhook": webhook.name, "call_id": delivery.call_id, **view, "error": error}
    return stream_log.new(delivery.agent_id, protocol.LOOKUP_RESULT, data)

"""The deliveries' outbox: written in the transaction of the call change (or manual run)
that causes them, then claimed and sent by the `DeliveryWorker` of any instance.

A delivery is ``pending`` until it is due (``next_attempt_at``), ``sending`` while a
worker holds it (until ``next_attempt_at``, after which another may take it over), then
``delivered`` or ``failed``; a failed one can be put back to ``pending`` (`retry`).
Finished ones are deleted ``[integrations] keep_days`` after they finished (`purge`).
Its ``delivery_id`` is the request's ``Idempotency-Key``, the same on every attempt.
"""

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from server.database import Database
from server.integrations.model import Webhook
from server.problems import Problem
from server.tables import webhook_deliveries

DONE_STATES = ("delivered", "failed")
CLAIM_LOCK = 0x63726D63  # any fixed number: the instances' claims of deliveries take turns
PUBLIC_FIELDS = (
    "delivery_id",
    "tenant",
    "webhook_id",
    "webhook_name",
    "call_id",
    "trigger",
    "state",
    "attempts",
    "next_attempt_at",
    "last_status",
    "last_error",
    "request_summary",
    "answer_summary",
    "duration_ms",
    "created_at",
    "updated_at",
    "finished_at",
)


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    delivery_id: str
    tenant: str
    webhook_id: int | None
    webhook_name: str
    call_id: str | None
    agent_id: int | None
    values: dict[str, str]
    attempts: int


def enqueue(
    connection: Connection,
    webhook: Webhook,
    *,
    call_id: str | None,
    agent_id: int | None,
    trigger: str,
    values: dict[str, str],
) -> str:
    """Queue one delivery of ``webhook`` (inside the caller's transaction); its id."""
    now = time.time()
    delivery_id = str(uuid.uuid4())
    connection.execute(
        insert(webhook_deliveries).values(
            delivery_id=delivery_id,
            tenant=webhook.tenant,
            webhook_id=webhook.id,
            webhook_name=webhook.name,
            call_id=call_id,
            agent_id=agent_id,
            trigger=trigger,
            variables=json.dumps(values),
            state="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    return delivery_id


def _due(now: float) -> ColumnElement[bool]:
    return and_(
        webhook_deliveries.c.state.in_(("pending", "sending")),
        webhook_deliveries.c.next_attempt_at <= now,
    )


async def _held_everywhere(connection: AsyncConnection, now: float) -> dict[str, int]:
    """Deliveries held by a worker of any instance now, by tenant."""
    rows = await connection.execute(
        select(webhook_deliveries.c.tenant, func.count().label("held"))
        .where(
            (webhook_deliveries.c.state == "sending") & (webhook_deliveries.c.next_attempt_at > now)
        )
        .group_by(webhook_deliveries.c.tenant)
    )
    return {row.tenant: int(row.held) for row in rows}


async def claim(
    database: Database,
    limit: int,
    in_flight: dict[str, int],
    per_tenant: int,
    hold_seconds: float,
) -> list[Delivery]:
    """Up to ``limit`` due deliveries, at most ``per_tenant`` of a tenant in flight across
    all instances (those held in the database, or ``in_flight`` here if more), now held
    by this worker for ``hold_seconds``. On PostgreSQL the instances claim one at a time
    (a transaction-level advisory lock), so two cannot both take a tenant's last slot."""
    now = time.time()
    async with database.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK}
            )
        held = await _held_everywhere(connection, now)
        counts = {
            tenant: max(held.get(tenant, 0), in_flight.get(tenant, 0))
            for tenant in {*held, *in_flight}
        }
        condition = _due(now)
        full = [tenant for tenant, count in counts.items() if count >= per_tenant]
        if full:
            condition = and_(condition, webhook_deliveries.c.tenant.not_in(full))
        rows = (
            await connection.execute(
                select(webhook_deliveries)
                .where(condition)
                .order_by(webhook_deliveries.c.next_attempt_at)
                .limit(limit * 4)
            )
        ).all()
        claimed: list[Delivery] = []
        for row in rows:
            if len(claimed) >= limit or counts.get(row.tenant, 0) >= per_tenant:
                continue
            taken = await connection.execute(
                update(webhook_deliveries)
                .where((webhook_deliveries.c.id == row.id) & _due(now))
                .values(
                    state="sending",
                    next_attempt_at=now + hold_seconds,
                    attempts=row.attempts + 1,
                    updated_at=now,
                )
            )
            if taken.rowcount:
                counts[row.tenant] = counts.get(row.tenant, 0) + 1
                claimed.append(
                    Delivery(
                        id=row.id,
                        delivery_id=row.delivery_id,
                        tenant=row.tenant,
                        webhook_id=row.webhook_id,
                        webhook_name=row.webhook_name,
                        call_id=row.call_id,
                        agent_id=row.agent_id,
                        values=json.loads(row.variables),
                        attempts=row.attempts + 1,
                    )
                )
        return claimed


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one attempt went; ``retry_at`` set when the delivery is to be tried again."""

    state: str
    status: int | None
    error: str | None
    request_summary: str | None
    answer_summary: str | None
    duration_ms: float | None
    retry_at: float | None = None


def record(connection: Connection, delivery: Delivery, attempt: Attempt) -> None:
    """Store an attempt's outcome (inside the writer's transaction)."""
    now = time.time()
    connection.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.id == delivery.id)
        .values(
            state=attempt.state,
            next_attempt_at=attempt.retry_at or now,
            last_status=attempt.status,
            last_error=attempt.error,
            request_summary=attempt.request_summary,
            answer_summary=attempt.answer_summary,
            duration_ms=attempt.duration_ms,
            updated_at=now,
            finished_at=now if attempt.state in DONE_STATES else None,
        )
    )


async def retry(database: Database, delivery_id: str) -> dict[str, Any]:
    """Send a failed delivery again, with a fresh number of attempts."""
    now = time.time()
    async with database.begin() as connection:
        done = await connection.execute(
            update(webhook_deliveries)
            .where(
                (webhook_deliveries.c.delivery_id == delivery_id)
                & (webhook_deliveries.c.state == "failed")
            )
            .values(state="pending", attempts=0, next_attempt_at=now, updated_at=now)
        )
        row = (
            await connection.execute(
                select(webhook_deliveries).where(webhook_deliveries.c.delivery_id == delivery_id)
            )
        ).first()
    if row is None:
        raise Problem("unknown_delivery", f"no delivery {delivery_id!r}")
    if not done.rowcount:
        raise Problem(
            "not_failed",
            f"delivery {delivery_id} is {row.state}: only a failed one is retried",
        )
    return delivery_json(row)


async def purge(database: Database, finished_before: float) -> int:
    """Delete the deliveries delivered or failed before ``finished_before`` (a time);
    how many."""
    async with database.begin() as connection:
        purged = await connection.execute(
            delete(webhook_deliveries).where(
                webhook_deliveries.c.state.in_(DONE_STATES),
                webhook_deliveries.c.finished_at < finished_before,
            )
        )
    return purged.rowcount


def delivery_json(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in PUBLIC_FIELDS}


@dataclass(frozen=True, slots=True)
class DeliveryQuery:
    tenant: str | None = None
    webhook: str | None = None  # name
    outcome: str | None = None  # a state
    since: float | None = None
    until: float | None = None
    limit: int = 100
    offset: int = 0


async def find(database: Database, query: DeliveryQuery) -> tuple[list[dict[str, Any]], int]:
    """Deliveries for monitoring, newest first, and how many match."""
    conditions: list[ColumnElement[bool]] = []
    table = webhook_deliveries.c
    if query.tenant is not None:
        conditions.append(table.tenant == query.tenant)
    if query.webhook is not None:
        conditions.append(table.webhook_name == query.webhook)
    if query.outcome is not None:
        conditions.append(table.state == query.outcome)
    if query.since is not None:
        conditions.append(table.created_at >= query.since)
    if query.until is not None:
        conditions.append(table.created_at < query.until)
    where = and_(True, *conditions)
    async with database.connect() as connection:
        rows = await connection.execute(
            select(webhook_deliveries)
            .where(where)
            .order_by(table.created_at.desc(), table.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        found = [delivery_json(row) for row in rows]
        total = (
            await connection.execute(
                select(func.count()).select_from(webhook_deliveries).where(where)
            )
        ).scalar_one()
    return found, total


async def get(database: Database, delivery_id: str) -> dict[str, Any] | None:
    """One delivery as monitoring shows it, or None."""
    async with database.connect() as connection:
        row = (
            await connection.execute(
                select(webhook_deliveries).where(webhook_deliveries.c.delivery_id == delivery_id)
            )
        ).first()
    return None if row is None else delivery_json(row)

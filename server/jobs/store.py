"""Jobs in the database: created whole with their rows, read, cancelled, retried, and
claimed by one worker at a time.

A worker owns a job while its lease lasts (`claim`; `server.jobs.ledger` renews it with
every write): every change a worker makes checks that it still owns the job, so a worker
whose lease ran out (stopped, or cut off from the database) can change nothing once
another has taken the job over. Claiming picks the oldest claimable job with ``FOR
UPDATE SKIP LOCKED`` on PostgreSQL, so instances sharing a database never wait for each
other; SQLite runs the same single statement under its write lock.
"""

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from server.database import Database
from server.jobs.records import NO_DATA, Job, JobRow, NewRow, job_of
from server.jobs.states import (
    ACTIVE,
    CANCELLED,
    FAILED,
    NOT_SENT,
    PENDING,
    QUEUED,
    RUNNING,
    SENDING,
    UNKNOWN,
)
from server.tables import job_rows, jobs

INSERT_CHUNK = 5000
CANCELLED_MESSAGE = "not sent: the job was cancelled"


class LostJob(Exception):
    """This worker no longer owns the job (its lease ran out and another took it)."""


def owned(job_id: int, owner: str) -> ColumnElement[bool]:
    return and_(jobs.c.id == job_id, jobs.c.owner == owner)


def _claimable(now: float) -> ColumnElement[bool]:
    return and_(
        jobs.c.state.in_(ACTIVE), or_(jobs.c.lease_until.is_(None), jobs.c.lease_until < now)
    )


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Creating

    async def create(
        self,
        tenant: str,
        kind: str,
        rows: Sequence[NewRow],
        *,
        dialer: str = "",
        spec: dict[str, Any],
        source: str = "api",
        idempotency_key: str | None = None,
        request_hash: str | None = None,
    ) -> tuple[Job, bool]:
        """Store a queued job with ``rows``, in one transaction; ``(job, True)``.

        If the tenant has a job with ``idempotency_key`` already, that job and False."""
        now = time.time()
        failed = sum(1 for row in rows if row.state == FAILED)
        not_sent = sum(1 for row in rows if row.state == NOT_SENT)
        values = {
            "tenant": tenant,
            "kind": kind,
            "state": QUEUED,
            "source": source,
            "dialer": dialer,
            "spec": json.dumps(spec),
            "idempotency_key": idempotency_key,
            "request_hash": request_hash,
            "total": len(rows),
            "failed": failed,
            "not_sent": not_sent,
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self.db.begin() as connection:
                job_id = (
                    await connection.execute(insert(jobs).values(values).returning(jobs.c.id))
                ).scalar_one()
                for start in range(0, len(rows), INSERT_CHUNK):
                    chunk = rows[start : start + INSERT_CHUNK]
                    await connection.execute(
                        insert(job_rows),
                        [
                            {
                                "job_id": job_id,
                                "idx": row.idx,
                                "state": row.state,
                                "phone": row.phone,
                                "data": row.data,
                                "message": row.message,
                            }
                            for row in chunk
                        ],
                    )
        except IntegrityError:
            if idempotency_key is None:
                raise
            existing = await self.find(tenant, idempotency_key)
            if existing is None:
                raise
            return existing, False
        job = await self.get(job_id)
        assert job is not None
        return job, True

    async def retry_failed(self, job: Job) -> Job | None:
        """A new queued job of ``job``'s rows that failed or were not sent (refused before
        sending, e.g. no phone number, they stay behind); None if there are none."""
        now = time.time()
        async with self.db.begin() as connection:
            new_id = (
                await connection.execute(
                    insert(jobs)
                    .values(
                        tenant=job.tenant,
                        kind=job.kind,
                        state=QUEUED,
                        source="retry",
                        dialer=job.dialer,
                        spec=json.dumps({**job.spec, "awaited": False}),
                        result=json.dumps(job.result),
                        retry_of=job.id,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(jobs.c.id)
                )
            ).scalar_one()
            copied = await connection.execute(
                insert(job_rows).from_select(
                    ["job_id", "idx", "state", "phone", "data"],
                    select(
                        literal(new_id),
                        job_rows.c.idx,
                        literal(PENDING),
                        job_rows.c.phone,
                        job_rows.c.data,
                    ).where(
                        job_rows.c.job_id == job.id,
                        job_rows.c.state.in_((FAILED, NOT_SENT)),
                        job_rows.c.data != NO_DATA,
                    ),
                )
            )
            if copied.rowcount == 0:
                await connection.execute(delete(jobs).where(jobs.c.id == new_id))
                return None
            await connection.execute(
                update(jobs).where(jobs.c.id == new_id).values(total=copied.rowcount)
            )
        return await self.get(new_id)

    # Reading

    async def get(self, job_id: int, tenant: str | None = None) -> Job | None:
        query = select(jobs).where(jobs.c.id == job_id)
        if tenant is not None:
            query = query.where(jobs.c.tenant == tenant)
        async with self.db.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return job_of(row) if row else None

    async def find(self, tenant: str, idempotency_key: str) -> Job | None:
        query = select(jobs).where(
            jobs.c.tenant == tenant, jobs.c.idempotency_key == idempotency_key
        )
        async with self.db.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return job_of(row) if row else None

    async def newest(
        self, tenant: str | None = None, *, active: bool = False, limit: int = 50
    ) -> list[Job]:
        """The newest jobs first (of one tenant, or all), or only those not finished."""
        query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
        if tenant is not None:
            query = query.where(jobs.c.tenant == tenant)
        if active:
            query = query.where(jobs.c.state.in_(ACTIVE))
        async with self.db.connect() as connection:
            return [job_of(row) for row in await connection.execute(query)]

    async def rows(
        self, job_id: int, *, after: int = -1, limit: int = 1000, state: str | None = None
    ) -> list[JobRow]:
        """Up to ``limit`` rows after row ``after``, in order (of one ``state`` if given)."""
        query = (
            select(
                job_rows.c.idx,
                job_rows.c.state,
                job_rows.c.phone,
                job_rows.c.data,
                job_rows.c.message,
            )
            .where(job_rows.c.job_id == job_id, job_rows.c.idx > after)
            .order_by(job_rows.c.idx)
            .limit(limit)
        )
        if state is not None:
            query = query.where(job_rows.c.state == state)
        async with self.db.connect() as connection:
            return [JobRow(**row._mapping) for row in await connection.execute(query)]

    async def retryable(self, job_id: int) -> bool:
        """Whether `retry_failed` would find rows to send again (rows refused before
        sending, which hold no lead, stay behind)."""
        query = (
            select(job_rows.c.idx)
            .where(
                job_rows.c.job_id == job_id,
                job_rows.c.state.in_((FAILED, NOT_SENT)),
                job_rows.c.data != NO_DATA,
            )
            .limit(1)
        )
        async with self.db.connect() as connection:
            return (await connection.execute(query)).first() is not None

    async def reasons(self, job_id: int, *, distinct: int = 200) -> list[tuple[str, int]]:
        """Why rows did not reach the list: each message of the failed, unknown and not
        sent rows with how many have it, most frequent first (``distinct`` at most)."""
        count = func.count().label("rows")
        query = (
            select(job_rows.c.message, count)
            .where(job_rows.c.job_id == job_id, job_rows.c.state.in_((FAILED, UNKNOWN, NOT_SENT)))
            .group_by(job_rows.c.message)
            .order_by(count.desc(), job_rows.c.message)
            .limit(distinct)
        )
        async with self.db.connect() as connection:
            return [(row.message, row.rows) for row in await connection.execute(query)]

    # Cancelling

    async def cancel(self, job_id: int) -> None:
        """A queued job is cancelled at once; a running one when its worker sees it."""
        now = time.time()
        async with self.db.begin() as connection:
            queued = await connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == QUEUED)
                .values(state=CANCELLED, cancel_requested=True, finished_at=now, updated_at=now)
            )
            if queued.rowcount:
                await _give_up(connection, job_id, CANCELLED_MESSAGE)
            else:
                await connection.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.state == RUNNING)
                    .values(cancel_requested=True, updated_at=now)
                )

    # A worker's side

    async def claim(
        self, owner: str, lease_seconds: float, job_id: int | None = None
    ) -> Job | None:
        """Take the oldest claimable job (or job ``job_id`` if claimable) for ``owner``.

        A read first: an idle worker looking for work takes no write lock."""
        now = time.time()
        pick = select(jobs.c.id).where(_claimable(now))
        if job_id is not None:
            pick = pick.where(jobs.c.id == job_id)
        pick = pick.order_by(jobs.c.id).limit(1)
        async with self.db.connect() as connection:
            if (await connection.execute(pick)).first() is None:
                return None
        pick = pick.with_for_update(skip_locked=True)
        claim = (
            update(jobs)
            .where(jobs.c.id == pick.scalar_subquery(), _claimable(now))
            .values(
                state=RUNNING,
                owner=owner,
                lease_until=now + lease_seconds,
                started_at=func.coalesce(jobs.c.started_at, now),
                updated_at=now,
            )
            .returning(*jobs.c)
        )
        async with self.db.begin() as connection:
            row = (await connection.execute(claim)).one_or_none()
        return job_of(row) if row else None

    async def resume(self, job: Job, owner: str, *, send_again: bool, message: str) -> int:
        """Rows left ``sending`` by a worker that stopped: back to ``pending`` if
        ``send_again``, else ``unknown`` with ``message``. How many there were."""
        async with self.db.begin() as connection:
            await update_owned(connection, job.id, owner)
            changed = await connection.execute(
                update(job_rows)
                .where(job_rows.c.job_id == job.id, job_rows.c.state == SENDING)
                .values(
                    {"state": PENDING} if send_again else {"state": UNKNOWN, "message": message}
                )
            )
            if changed.rowcount and not send_again:
                await update_owned(connection, job.id, owner, {UNKNOWN: changed.rowcount})
        return changed.rowcount

    async def save_result(self, job_id: int, owner: str, result: dict[str, Any]) -> None:
        async with self.db.begin() as connection:
            await update_owned(connection, job_id, owner, result=json.dumps(result))

    async def finish(
        self,
        job_id: int,
        owner: str,
        state: str,
        *,
        error: dict[str, Any] | None = None,
        not_sent_message: str = "",
    ) -> None:
        """End the job in ``state``: rows still pending are ``not_sent`` with the message."""
        now = time.time()
        async with self.db.begin() as connection:
            await update_owned(connection, job_id, owner)
            await _give_up(connection, job_id, not_sent_message)
            ended = (
                await connection.execute(
                    update(jobs)
                    .where(owned(job_id, owner))
                    .values(
                        state=state,
                        error=json.dumps(error) if error else None,
                        paused_reason=None,
                        lease_until=None,
                        finished_at=now,
                        updated_at=now,
                    )
                    .returning(*jobs.c)
                )
            ).one()
            job = job_of(ended)
            if job.started_at is not None and now > job.started_at:
                await connection.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id)
                    .values(rate=job.counts.sent / (now - job.started_at))
                )

    async def release(self, job_id: int, owner: str) -> None:
        """Give the job up unfinished (this instance is stopping): another may take it now."""
        async with self.db.begin() as connection:
            await connection.execute(
                update(jobs)
                .where(owned(job_id, owner))
                .values(lease_until=None, paused_reason=None)
            )

    async def purge(self, finished_before: float) -> int:
        """Delete the jobs finished before ``finished_before`` (a time), with their rows
        and their idempotency keys; how many."""
        old = select(jobs.c.id).where(
            jobs.c.state.not_in(ACTIVE), jobs.c.finished_at < finished_before
        )
        async with self.db.begin() as connection:
            await connection.execute(delete(job_rows).where(job_rows.c.job_id.in_(old)))
            purged = await connection.execute(delete(jobs).where(jobs.c.id.in_(old)))
        return purged.rowcount


async def update_owned(
    connection: AsyncConnection,
    job_id: int,
    owner: str,
    deltas: Mapping[str, int] | None = None,
    **values: Any,
) -> bool:
    """Add ``deltas`` to the job's counters and set ``values``, if ``owner`` still owns it
    (else `LostJob`); the first statement of each of a worker's transactions. Answers
    whether the job's cancellation was asked for."""
    changes: dict[str, Any] = {"updated_at": time.time(), **values}
    for counter, delta in (deltas or {}).items():
        if delta:
            changes[counter] = jobs.c[counter] + delta
    row = (
        await connection.execute(
            update(jobs)
            .where(owned(job_id, owner))
            .values(changes)
            .returning(jobs.c.cancel_requested)
        )
    ).one_or_none()
    if row is None:
        raise LostJob(f"job {job_id} is no longer run by {owner}")
    return bool(row.cancel_requested)


async def _give_up(connection: AsyncConnection, job_id: int, message: str) -> None:
    """Rows still pending become ``not_sent``; rows left sending become ``unknown``."""
    for state, outcome, text in (
        (PENDING, NOT_SENT, message),
        (SENDING, UNKNOWN, "in flight when the job stopped; the dialer may have it"),
    ):
        changed = await connection.execute(
            update(job_rows)
            .where(job_rows.c.job_id == job_id, job_rows.c.state == state)
            .values(state=outcome, message=text)
        )
        if changed.rowcount:
            await connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values({outcome: jobs.c[outcome] + changed.rowcount})
            )

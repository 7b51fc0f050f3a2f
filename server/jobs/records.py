"""A job and its rows as the stores read them from the database."""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from server.jobs.states import ACTIVE, ADDED, ALREADY_THERE, FAILED, NOT_SENT, UNKNOWN


@dataclass(frozen=True, slots=True)
class Counts:
    """How many rows a job has, and how many ended each way."""

    total: int = 0
    added: int = 0
    already_there: int = 0
    failed: int = 0
    unknown: int = 0
    not_sent: int = 0

    @property
    def sent(self) -> int:
        """Rows done with: sent to the dialer (or refused before being sent)."""
        return self.added + self.already_there + self.failed + self.unknown

    @property
    def remaining(self) -> int:
        return self.total - self.sent - self.not_sent

    @property
    def succeeded(self) -> int:
        return self.added + self.already_there

    def as_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "sent": self.sent,
            ADDED: self.added,
            ALREADY_THERE: self.already_there,
            FAILED: self.failed,
            UNKNOWN: self.unknown,
            NOT_SENT: self.not_sent,
        }


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    tenant: str
    kind: str
    state: str
    source: str
    dialer: str
    spec: dict[str, Any]
    result: dict[str, Any]
    counts: Counts
    rate: float
    paused_reason: str | None
    error: dict[str, Any] | None
    cancel_requested: bool
    owner: str | None
    lease_until: float | None
    idempotency_key: str | None
    request_hash: str | None
    retry_of: int | None
    created_at: float
    updated_at: float
    started_at: float | None
    finished_at: float | None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def awaited(self) -> bool:
        """A small request's job: its caller waits for it and gets the answer of old."""
        return bool(self.spec.get("awaited"))


def job_of(row: Row[Any]) -> Job:
    return Job(
        id=row.id,
        tenant=row.tenant,
        kind=row.kind,
        state=row.state,
        source=row.source,
        dialer=row.dialer,
        spec=json.loads(row.spec),
        result=json.loads(row.result),
        counts=Counts(
            total=row.total,
            added=row.added,
            already_there=row.already_there,
            failed=row.failed,
            unknown=row.unknown,
            not_sent=row.not_sent,
        ),
        rate=row.rate,
        paused_reason=row.paused_reason,
        error=json.loads(row.error) if row.error else None,
        cancel_requested=bool(row.cancel_requested),
        owner=row.owner,
        lease_until=row.lease_until,
        idempotency_key=row.idempotency_key,
        request_hash=row.request_hash,
        retry_of=row.retry_of,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


@dataclass(frozen=True, slots=True)
class NewRow:
    """A row as a request or file gives it: ``pending``, or ``failed`` before sending."""

    idx: int
    state: str
    phone: str  # the lead's number (E.164 digits, or as given if it is no number)
    data: str  # JSON of the lead or agent; "{}" for a row refused before sending
    message: str = ""


@dataclass(frozen=True, slots=True)
class JobRow:
    idx: int
    state: str
    phone: str
    data: str
    message: str

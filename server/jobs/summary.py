"""A job as people and programs read it: state, how it ended, counts, rate, time left,
why it waits, and why rows did not reach the list."""

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from server.jobs.records import Job
from server.jobs.states import DONE, FAILED

DONE_WITH_FAILURES = "done with failures"
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def eta_seconds(job: Job) -> float | None:
    """Seconds until the rows left are done at the recent rate (None if unknown)."""
    if not job.active or job.rate <= 0:
        return None
    return round(job.counts.remaining / job.rate, 1)


def job_outcome(job: Job) -> str | None:
    """How a finished job ended: ``done`` (every row reached the list), ``done with
    failures`` (some did not), ``failed`` (stopped by an error, or no row reached the
    list), ``cancelled``; None while it runs."""
    if job.active:
        return None
    if job.state != DONE:
        return job.state
    counts = job.counts
    if counts.total and counts.succeeded == 0:
        return FAILED
    return DONE_WITH_FAILURES if counts.succeeded < counts.total else DONE


def common_reasons(messages: Iterable[tuple[str, int]], top: int = 3) -> list[tuple[str, int]]:
    """The ``top`` most frequent reasons, rows' own values (a number, a name in quotes)
    left out so that the same reason counts once: ``'…' has the wrong length``."""
    counted: Counter[str] = Counter()
    for message, rows in messages:
        counted[QUOTED.sub("'…'", message.strip()) or "no reason given"] += rows
    return counted.most_common(top)


def job_summary(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "outcome": job_outcome(job),
        "tenant": job.tenant,
        "dialer": job.dialer or None,
        "list_id": job.result.get("list_id") or job.spec.get("list", {}).get("list_id"),
        "source": job.source,
        "retry_of": job.retry_of,
        "counts": job.counts.as_dict(),
        "rate": round(job.rate, 1),
        "eta_seconds": eta_seconds(job),
        "paused": job.paused_reason,
        "cancel_requested": job.cancel_requested and job.active,
        "error": job.error,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }

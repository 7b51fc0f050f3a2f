"""A job as people and programs read it: state, counts, rate, time left, why it waits."""

from typing import Any

from server.jobs.records import Job


def eta_seconds(job: Job) -> float | None:
    """Seconds until the rows left are done at the recent rate (None if unknown)."""
    if not job.active or job.rate <= 0:
        return None
    return round(job.counts.remaining / job.rate, 1)


def job_summary(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
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

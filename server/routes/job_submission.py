"""Starting a job from a CRM API request: ``Idempotency-Key``, ``Prefer: respond-async``,
and the answers (``202 Accepted`` with ``Location``, or the small request's answer).

The same ``Idempotency-Key`` (per tenant) with the same request answers the same job and
never starts a second one; with a different request (method, path, body) it is a 422
``idempotency_key_reused``. A request that awaits its job (small, no ``Prefer:
respond-async``) has it run at once on this instance and answers when it is done.
"""

import hashlib
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from server.auth import API_KEY
from server.jobs.records import Job, NewRow
from server.jobs.summary import job_summary
from server.keys import JOB_WORKER, JOBS
from server.problems import Problem

IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_KEY_LENGTH = 255
JOBS_PATH = "/api/v1/crm/jobs"


async def read_json_bytes(request: web.Request) -> bytes:
    """The body of a JSON request, unread yet (415 unless ``application/json``)."""
    if request.content_type != "application/json":
        raise Problem(
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        )
    return await request.read()


def idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise Problem(
            "invalid_idempotency_key",
            f"{IDEMPOTENCY_KEY} must be 1 to {MAX_KEY_LENGTH} printable characters, e.g. a UUID",
        )
    return key


def request_digest(request: web.Request, body: bytes) -> str:
    """What makes two requests "the same" for an ``Idempotency-Key``."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def prefers_async(request: web.Request) -> bool:
    """``Prefer: respond-async`` (RFC 7240): answer 202 at once, whatever the size."""
    preferences = request.headers.getall("Prefer", [])
    return any(
        part.split("=")[0].strip().lower() == "respond-async"
        for header in preferences
        for part in header.split(",")
    )


async def earlier_job(request: web.Request, key: str | None, digest: str) -> Job | None:
    """The job an earlier request with this ``Idempotency-Key`` started, if any."""
    if key is None:
        return None
    job = await request.config_dict[JOBS].find(request[API_KEY].tenant, key)
    if job is not None and job.request_hash != digest:
        raise Problem(
            "idempotency_key_reused",
            f"{IDEMPOTENCY_KEY} {key!r} was used for a different request (job {job.id}):"
            " use a new key for a new request",
            job_id=job.id,
        )
    return job


async def submit(
    request: web.Request,
    kind: str,
    rows: Sequence[NewRow],
    *,
    spec: dict[str, Any],
    dialer: str = "",
    key: str | None,
    digest: str,
) -> Job:
    """Store the job and start it: at once here if its caller awaits it, else whenever a
    worker is free."""
    job, created = await request.config_dict[JOBS].create(
        request[API_KEY].tenant,
        kind,
        rows,
        dialer=dialer,
        spec=spec,
        idempotency_key=key,
        request_hash=digest,
    )
    if not created:  # the same key, sent twice at the same time
        return await earlier_job(request, key, digest) or job
    if job.awaited:
        await request.config_dict[JOB_WORKER].run_now(job.id)
    else:
        request.config_dict[JOB_WORKER].wake()
    return job


async def finished(request: web.Request, job: Job) -> Job:
    """An awaited job, once done (run here now if no worker has it)."""
    worker = request.config_dict[JOB_WORKER]
    if job.active and job.state == "queued":
        await worker.run_now(job.id)
    return await worker.wait(job.id)


def job_url(job: Job) -> str:
    return f"{JOBS_PATH}/{job.id}"


def job_json(job: Job) -> dict[str, Any]:
    url = job_url(job)
    links = {"self": url, "report": f"{url}/report.csv"}
    if job.active:
        links["cancel"] = f"{url}/cancel"
    elif job.counts.failed or job.counts.not_sent:
        links["retry_failed"] = f"{url}/retry-failed"
    return {**job_summary(job), "links": links}


def accepted(job: Job) -> web.Response:
    """The job: 202 with its ``Location`` while it runs, 200 once it is finished."""
    return web.json_response(
        job_json(job),
        status=202 if job.active else 200,
        headers={"Location": job_url(job), "Preference-Applied": "respond-async"},
    )


def job_error(job: Job) -> Problem:
    """The error that stopped ``job``, answered as the request would have been."""
    error = dict(job.error or {"code": "job_failed", "message": f"job {job.id} failed"})
    code, message = error.pop("code"), error.pop("message")
    return Problem(code, message, **error)

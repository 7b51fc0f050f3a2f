"""Export To Dialer: ``POST /api/v1/crm/leads`` pushes leads into a list, as a job.

Body: ``{dialer, list: {list_id, name?, campaign?}, create_list?: bool, leads: [{
phone_number, phone_code?, first_name?, last_name?, title?, email?, address?, city?,
postal_code?, notes?, language?, vendor_lead_code?, priority?, custom?}]}``.

A body of the wrong shape is refused whole, naming the field (``leads.3.priority``).
Numbers are normalised first; a lead whose number cannot be dialled is reported and
not sent. With ``create_list`` the list is created first (the "new list" case) and the
leads go to it, under the id the dialer gave it (``list_id`` in the answer).

Every export is a job (`server.jobs`): stored with its leads before anything is sent,
resumed after a crash, never sending a lead twice. A small one (at most ``[jobs]
sync_max_leads`` leads, without ``Prefer: respond-async``) is awaited and answered as
before: one outcome per lead, in the order sent. A larger one answers ``202 Accepted``
with ``Location: /api/v1/crm/jobs/{id}`` at once.
"""

import asyncio
from typing import Any

import pydantic_core
from aiohttp import web
from pydantic import Field, ValidationError

from server.auth import API_KEY
from server.fields import Identifier
from server.jobs.lead_rows import NO_LEAD, LeadBody, lead_row
from server.jobs.records import Job, NewRow
from server.jobs.states import ADDED, ALREADY_THERE, OUTCOMES, SUCCEEDED
from server.jobs.worker import LEAD_EXPORT
from server.keys import CONFIG, JOBS
from server.problems import Problem
from server.request_body import Body
from server.routes.dialer_lists import ListBody, require_list_id, tenant_dialer
from server.routes.job_submission import (
    accepted,
    earlier_job,
    finished,
    idempotency_key,
    job_error,
    prefers_async,
    read_json_bytes,
    request_digest,
    submit,
)

MAX_LEADS = 100_000
MAX_PROBLEMS = 100  # field problems listed in one refusal


class ExportTarget(Body):
    """The body without its leads, which are read one by one (`read_export`)."""

    dialer: Identifier
    target: ListBody = Field(alias="list")
    create_list: bool = False


def _problem(problems: list[dict[str, str]], more: int) -> Problem:
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    if more:
        summary += f"; and {more} more"
    return Problem("invalid_message", summary, fields=problems)


def _fields(error: ValidationError, *prefix: int | str) -> list[dict[str, str]]:
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    return [
        {
            "field": ".".join(str(p) for p in (*prefix, *problem["loc"])) or "(body)",
            "message": problem["msg"],
        }
        for problem in problems
    ]


def read_export(raw: bytes, region: str) -> tuple[ExportTarget, list[NewRow]]:
    """The body's target and its leads as job rows (numbers normalised), or every problem.

    The leads are read one by one and let go of as they become rows, so a body of
    100,000 leads never exists as 100,000 models at once."""
    try:
        body = pydantic_core.from_json(raw, cache_strings="keys")
    except ValueError:
        raise Problem("invalid_json", "the body must be valid JSON (UTF-8)") from None
    problems: list[dict[str, str]] = []
    leads = body.pop("leads", None) if isinstance(body, dict) else None
    try:
        target = ExportTarget.model_validate(body)
    except ValidationError as error:
        problems += _fields(error)
    if not isinstance(leads, list) or not 1 <= len(leads) <= MAX_LEADS:
        problems.append({"field": "leads", "message": f"give a list of 1 to {MAX_LEADS} leads"})
        raise _problem(problems, 0)
    rows: list[NewRow] = []
    more = 0
    leads.reverse()  # popped from the end: each lead is let go of once it is a row
    for index in range(len(leads)):
        try:
            rows.append(lead_row(index, LeadBody.model_validate(leads.pop()), region))
        except ValidationError as error:
            found = _fields(error, "leads", index)
            room = MAX_PROBLEMS - len(problems)
            problems += found[: max(room, 0)]
            more += max(len(found) - max(room, 0), 0)
    if problems:
        raise _problem(problems, more)
    return target, rows


def _lead_answer(job: Job, rows: list[Any]) -> web.Response:
    """The answer of old: ``{dialer, list_id, added, failed, leads: [...]}``."""
    leads = []
    for row in rows:
        outcome: dict[str, Any] = {"index": row.idx}
        if row.data != NO_LEAD:
            outcome["phone"] = row.phone
        outcome |= {"ok": row.state in SUCCEEDED, "message": row.message, "status": row.state}
        leads.append(outcome)
    counts = {state: sum(1 for row in rows if row.state == state) for state in OUTCOMES}
    return web.json_response(
        {
            "dialer": job.dialer,
            "list_id": job.result.get("list_id") or job.spec["list"]["list_id"],
            **counts,
            "job_id": job.id,
            "leads": leads,
        },
        status=200 if counts[ADDED] + counts[ALREADY_THERE] == len(rows) else 207,
    )


async def answer(request: web.Request, job: Job) -> web.Response:
    """What the request that started ``job`` is answered (again, for the same key)."""
    if not job.awaited:
        return accepted(job)
    job = await finished(request, job)
    if job.state == "failed" and job.counts.succeeded == 0:
        raise job_error(job)
    rows = await request.config_dict[JOBS].rows(job.id, limit=job.counts.total)
    return _lead_answer(job, rows)


async def export_leads(request: web.Request) -> web.Response:
    raw = await read_json_bytes(request)
    key, digest = idempotency_key(request), request_digest(request, raw)
    if job := await earlier_job(request, key, digest):
        return await answer(request, job)
    tenant = request.config_dict[CONFIG].tenants[request[API_KEY].tenant]
    body, rows = await asyncio.to_thread(read_export, raw, tenant.default_region)
    _, adapter = tenant_dialer(request, body.dialer)  # 404 for a dialer the tenant lacks
    if body.target.list_id is None:
        require_list_id(adapter, "list.list_id", creating=body.create_list)
    awaited = len(rows) <= request.config_dict[CONFIG].jobs.sync_max_leads
    target = body.target.dialer_list()
    spec = {
        "list": {
            "list_id": target.list_id,
            "name": target.name,
            "campaign": target.campaign,
            "active": target.active,
        },
        "create_list": body.create_list,
        "awaited": awaited and not prefers_async(request),
    }
    job = await submit(
        request, LEAD_EXPORT, rows, spec=spec, dialer=body.dialer, key=key, digest=digest
    )
    return await answer(request, job)


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_post("/leads", export_leads)

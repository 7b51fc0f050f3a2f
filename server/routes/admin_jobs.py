"""Admin pages for jobs and CSV imports, in the admin sub-application (`admin.py`).

- ``/admin/jobs``: the newest jobs with live progress bars (``static/admin-jobs.js``
  polls ``GET /admin/api/jobs?ids=1,2``), rate, time left, cancel, retry failed rows,
  the per-row report (``/admin/jobs/{id}/report.csv``);
- ``/admin/imports``: upload a CSV file for a tenant; ``/admin/imports/{id}``: map its
  columns to lead fields with a preview of the first rows and their numbers as they
  will be sent, choose the dialer and list (or create one), start: the import is a
  lead-export job (`server.jobs.csv_import`).
"""

import asyncio
import itertools
from typing import Any

from aiohttp import web

from bridge import DialerList
from server.jobs.csv_import import (
    LEAD_FIELDS,
    NO_PHONE_COLUMN,
    CsvProblem,
    guess_mapping,
    lead_rows,
    preview,
    read_csv,
    read_csv_text,
)
from server.jobs.export_target import export_target_problem, known_lists, list_label
from server.jobs.records import Job
from server.jobs.report import send_report
from server.jobs.states import CANCELLED, DONE, FAILED, NOT_SENT
from server.jobs.store import JobStore
from server.jobs.summary import DONE_WITH_FAILURES, common_reasons, job_outcome, job_summary
from server.jobs.uploads import Upload
from server.jobs.worker import LEAD_EXPORT
from server.keys import CONFIG, CSV_UPLOADS, DIALERS, JOB_WORKER, JOBS
from server.problems import Problem
from server.routes.admin_render import render
from server.templating import utc

PAGE_JOBS = 50
BAD_ROWS_SHOWN = 50
BAD_ROWS_CHECKED = 1000  # rows the mapping page checks; the job's report lists all
KINDS = {"lead_export": "lead export", "agent_sync": "user sync"}
OUTCOME_CLASSES = {
    DONE: "outcome-ok",
    DONE_WITH_FAILURES: "outcome-warn",
    FAILED: "outcome-error",
    CANCELLED: "outcome-warn",
}


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    minutes, seconds = divmod(int(value), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def job_view(
    job: Job, reasons: list[tuple[str, int]] | None = None, *, retryable: bool = False
) -> dict[str, Any]:
    """A job for the page and for its script: numbers, and the texts shown.

    ``reasons``: why rows did not reach the list, the most common first (finished jobs);
    ``retryable``: whether some of those rows can be sent again."""
    summary = job_summary(job)
    counts = job.counts
    outcome = job_outcome(job)
    state = outcome or job.state
    if job.paused_reason:
        state += f" (paused: {job.paused_reason})"
    elif job.cancel_requested and job.active:
        state += " (cancelling)"
    if job.error:
        state += f": {job.error.get('message', '')}"
    target = f"{job.dialer}, list {summary['list_id']}" if job.dialer else ""
    return {
        **summary,
        "done": counts.sent + counts.not_sent,
        "active": job.active,
        "retryable": retryable and not job.active,
        "outcome_class": OUTCOME_CLASSES.get(outcome or "", ""),
        "texts": {
            "state": state,
            "progress": f"{counts.sent + counts.not_sent:,} / {counts.total:,}",
            "added": f"{counts.added:,}",
            "already_there": f"{counts.already_there:,}",
            "failed": f"{counts.failed:,}",
            "unknown": f"{counts.unknown:,}",
            "not_sent": f"{counts.not_sent:,}",
            "rate": f"{job.rate:,.0f} rows/s" if job.rate else "",
            "eta": _seconds(summary["eta_seconds"]),
            "reasons": "; ".join(
                f"{reason} ({rows:,} {'row' if rows == 1 else 'rows'})"
                for reason, rows in reasons or []
            ),
        },
        "what": f"{KINDS.get(job.kind, job.kind)} {target} ({job.source})".replace("  ", " "),
        "created": utc(job.created_at),
    }


async def _views(store: JobStore, jobs: list[Job]) -> list[dict[str, Any]]:
    """The jobs' views, with the common reasons of those that ended with failures."""
    views = []
    for job in jobs:
        reasons, retryable = None, False
        if not job.active and job.counts.succeeded < job.counts.total:
            reasons = common_reasons(await store.reasons(job.id))
            retryable = await store.retryable(job.id)
        views.append(job_view(job, reasons, retryable=retryable))
    return views


def _job_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise Problem("unknown_job", f"no job {raw[:20]!r}")
    return int(raw)


async def _job(request: web.Request) -> Job:
    job = await request.config_dict[JOBS].get(_job_id(request))
    if job is None:
        raise Problem("unknown_job", f"no job {request.match_info['id']}")
    return job


async def jobs_html(request: web.Request) -> web.Response:
    store = request.config_dict[JOBS]
    jobs = await store.newest(limit=PAGE_JOBS)
    return render(request, "admin/jobs.html", jobs=await _views(store, jobs))


async def jobs_json(request: web.Request) -> web.Response:
    """``?ids=1,2,3``: those jobs; else the newest."""
    store = request.config_dict[JOBS]
    wanted = [part for part in request.query.get("ids", "").split(",") if part]
    if not all(part.isdigit() and len(part) <= 18 for part in wanted) or len(wanted) > 100:
        raise Problem("invalid_query", "ids: up to 100 job ids, separated by commas")
    if wanted:
        found = [await store.get(int(job_id)) for job_id in wanted]
        jobs = [job for job in found if job is not None]
    else:
        jobs = await store.newest(limit=PAGE_JOBS)
    return web.json_response(await _views(store, jobs))


async def cancel_job(request: web.Request) -> web.Response:
    job = await _job(request)
    if job.active:
        await request.config_dict[JOBS].cancel(job.id)
        request.config_dict[JOB_WORKER].cancel(job.id)
    raise web.HTTPSeeOther(f"/admin/jobs#job-{job.id}")


async def retry_failed(request: web.Request) -> web.Response:
    job = await _job(request)
    retry = None if job.active else await request.config_dict[JOBS].retry_failed(job)
    if retry is not None:
        request.config_dict[JOB_WORKER].wake()
    raise web.HTTPSeeOther(f"/admin/jobs#job-{retry.id if retry else job.id}")


async def job_report(request: web.Request) -> web.StreamResponse:
    return await send_report(request, request.config_dict[JOBS], await _job(request))


# CSV imports


async def imports_html(request: web.Request) -> web.Response:
    tenants = sorted(request.config_dict[CONFIG].tenants)
    return render(request, "admin/imports.html", tenants=tenants, problem="")


async def upload(request: web.Request) -> web.Response:
    form = await request.post()
    tenants = request.config_dict[CONFIG].tenants
    tenant, sent = form.get("tenant"), form.get("file")
    problem = ""
    if tenant not in tenants:
        problem = "choose a tenant"
    elif not isinstance(sent, web.FileField):
        problem = "choose a CSV file"
    else:
        raw = await asyncio.to_thread(sent.file.read)
        try:
            csv_file = read_csv(raw)
        except CsvProblem as error:
            problem = f"{sent.filename}: {error}"
        else:
            upload_id = await request.config_dict[CSV_UPLOADS].save(
                str(tenant), sent.filename, csv_file.text, csv_file.encoding
            )
            raise web.HTTPSeeOther(f"/admin/imports/{upload_id}")
    page = render(request, "admin/imports.html", tenants=sorted(tenants), problem=problem)
    page.set_status(400)
    return page


def _choices(values: Any, header: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """The mapping (``map_<field>=<column>``) and the target chosen in a form or query."""
    mapping = {}
    for field in LEAD_FIELDS:
        column = str(values.get(f"map_{field}", ""))
        if column.isdigit() and int(column) < len(header):
            mapping[field] = int(column)
    target = {
        name: str(values.get(name, "")).strip()[:100]
        for name in ("dialer", "list_id", "list_name", "campaign", "create_list")
    }
    return mapping, target


async def _upload(request: web.Request) -> Upload:
    raw = request.match_info["id"]
    found = await request.config_dict[CSV_UPLOADS].get(int(raw)) if raw.isdigit() else None
    if found is None or len(raw) > 9:
        raise Problem("unknown_upload", "no such upload: it was imported or is over a day old")
    return found


async def import_html(request: web.Request, problem: str = "") -> web.Response:
    found = await _upload(request)
    csv_file = read_csv_text(found.content, found.encoding)
    tenant = request.config_dict[CONFIG].tenants[found.tenant]
    if request.method == "GET" and not request.query:
        mapping, target = guess_mapping(csv_file.header), {"dialer": next(iter(tenant.dialers))}
    else:
        values = request.query if request.method == "GET" else await request.post()
        mapping, target = _choices(values, csv_file.header)
    region = tenant.default_region
    shown = preview(csv_file, mapping, region)
    checked = []
    if "phone_number" in mapping:
        checked = list(itertools.islice(lead_rows(csv_file, mapping, region), BAD_ROWS_CHECKED))
    bad = [row for row in checked if row.state == NOT_SENT]
    lists = await known_lists(request.config_dict[DIALERS].get(found.tenant, target["dialer"]))
    return render(
        request,
        "admin/import.html",
        upload=found,
        csv_file=csv_file,
        rows=csv_file.rows,
        fields=LEAD_FIELDS,
        mapping=mapping,
        mapped=[field for field in LEAD_FIELDS if field in mapping],
        target=target,
        dialers=list(tenant.dialers),
        preview=shown,
        checked=len(checked),
        bad=bad[:BAD_ROWS_SHOWN],
        bad_count=len(bad),
        lists=[{"id": known.list_id, "label": list_label(known)} for known in lists],
        problem=problem,
    )


async def start_import(request: web.Request) -> web.Response:
    found = await _upload(request)
    form = await request.post()
    csv_file = read_csv_text(found.content, found.encoding)
    mapping, target = _choices(form, csv_file.header)
    tenant = request.config_dict[CONFIG].tenants[found.tenant]
    problem = ""
    if "phone_number" not in mapping:
        problem = NO_PHONE_COLUMN
    elif target["dialer"] not in tenant.dialers:
        problem = "choose a dialer"
    elif not target["list_id"] and not target["create_list"]:
        problem = "give the list's id, or create a new list"
    dialer_list = DialerList(
        target["list_id"] or "new", target["list_name"], target["campaign"], True
    )
    if not problem:
        adapter = request.config_dict[DIALERS].get(found.tenant, target["dialer"])
        create = bool(target["create_list"])
        problem = await export_target_problem(adapter, dialer_list, create=create) or ""
    if problem:
        return await import_html(request, problem)
    taken = await request.config_dict[CSV_UPLOADS].take(found.id)
    if taken is None:  # started twice: the first click won
        raise web.HTTPSeeOther("/admin/jobs")
    rows = await asyncio.to_thread(
        lambda: list(lead_rows(csv_file, mapping, tenant.default_region))
    )
    spec = {
        "list": {
            "list_id": dialer_list.list_id,
            "name": dialer_list.name,
            "campaign": dialer_list.campaign,
            "active": True,
        },
        "create_list": bool(target["create_list"]),
        "awaited": False,
    }
    job, _ = await request.config_dict[JOBS].create(
        found.tenant, LEAD_EXPORT, rows, dialer=target["dialer"], spec=spec, source="csv"
    )
    request.config_dict[JOB_WORKER].wake()
    raise web.HTTPSeeOther(f"/admin/jobs#job-{job.id}")


def add_routes(admin: web.Application) -> None:
    admin.router.add_get("/jobs", jobs_html)
    admin.router.add_get("/api/jobs", jobs_json)
    admin.router.add_post("/jobs/{id}/cancel", cancel_job)
    admin.router.add_post("/jobs/{id}/retry-failed", retry_failed)
    admin.router.add_get("/jobs/{id}/report.csv", job_report)
    admin.router.add_get("/imports", imports_html)
    admin.router.add_post("/imports", upload)
    admin.router.add_get("/imports/{id}", import_html)
    admin.router.add_post("/imports/{id}/start", start_import)

"""Jobs for CRM back ends: ``/api/v1/crm/jobs``.

- ``GET /jobs`` the tenant's newest jobs (``?active=true``: those not finished);
- ``GET /jobs/{id}``: state (``queued``, ``running``, ``done``, ``failed``,
  ``cancelled``), counts, rate, time left, why it waits, what stopped it;
- ``GET /jobs/{id}/report.csv``: each row's outcome;
- ``POST /jobs/{id}/cancel``: rows not sent yet stay unsent (``not_sent``);
- ``POST /jobs/{id}/retry-failed``: a new job of the rows that failed or were not sent.
"""

from aiohttp import web

from server.auth import API_KEY
from server.jobs.records import Job
from server.jobs.report import send_report
from server.keys import JOB_WORKER, JOBS
from server.problems import Problem
from server.routes.job_submission import job_json, job_url


async def _job(request: web.Request) -> Job:
    tenant = request[API_KEY].tenant
    raw = request.match_info["id"]
    ok = raw.isdigit() and len(raw) <= 18
    job = await request.config_dict[JOBS].get(int(raw), tenant) if ok else None
    if job is None:
        raise Problem("unknown_job", f"tenant {tenant} has no job {raw[:20]!r}")
    return job


async def list_jobs(request: web.Request) -> web.Response:
    active = request.query.get("active", "") in ("1", "true", "yes")
    jobs = await request.config_dict[JOBS].newest(request[API_KEY].tenant, active=active)
    return web.json_response({"jobs": [job_json(job) for job in jobs]})


async def get_job(request: web.Request) -> web.Response:
    return web.json_response(job_json(await _job(request)))


async def report(request: web.Request) -> web.StreamResponse:
    return await send_report(request, request.config_dict[JOBS], await _job(request))


async def cancel(request: web.Request) -> web.Response:
    job = await _job(request)
    if not job.active:
        raise Problem("job_finished", f"job {job.id} is {job.state} already: nothing to cancel")
    await request.config_dict[JOBS].cancel(job.id)
    request.config_dict[JOB_WORKER].cancel(job.id)
    job = await request.config_dict[JOB_WORKER].wait(job.id, at_most=2)
    return web.json_response(job_json(job), status=202 if job.active else 200)


async def retry_failed(request: web.Request) -> web.Response:
    job = await _job(request)
    if job.active:
        raise Problem("job_running", f"job {job.id} is {job.state}: retry once it has finished")
    retry = await request.config_dict[JOBS].retry_failed(job)
    if retry is None:
        raise Problem(
            "nothing_to_retry",
            f"job {job.id} has no rows that failed or were not sent",
        )
    request.config_dict[JOB_WORKER].wake()
    return web.json_response(job_json(retry), status=202, headers={"Location": job_url(retry)})


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_get("/jobs", list_jobs)
    crm_api.router.add_get("/jobs/{id}", get_job)
    crm_api.router.add_get("/jobs/{id}/report.csv", report)
    crm_api.router.add_post("/jobs/{id}/cancel", cancel)
    crm_api.router.add_post("/jobs/{id}/retry-failed", retry_failed)

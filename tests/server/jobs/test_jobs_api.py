"""Lead exports as jobs through the CRM API: 202 and Location, progress, Idempotency-Key,
the per-row report; small requests answered as before."""

import time
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from server.keys import CONFIG, JOB_WORKER, JOBS
from server.tables import job_rows, jobs
from tests.databases import BOTH_DATABASES
from tests.jobs_api import job_until, leads, report
from tests.support import rest_state

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

ASYNC = {"Prefer": "respond-async"}


def export(count: int, **extra: Any) -> dict[str, Any]:
    return {
        "dialer": "rest",
        "list": {"list_id": "new", "name": "Campaign"},
        "create_list": True,
        "leads": leads(count),
        **extra,
    }


async def test_a_large_export_answers_202_and_its_job_adds_every_lead(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer
) -> None:
    response = await bridge.post("/api/v1/crm/leads", json=export(1001), headers=api_key)
    started = await response.json()
    assert response.status == 202, started
    assert response.headers["Location"] == f"/api/v1/crm/jobs/{started['id']}"
    assert started["state"] in ("queued", "running")
    assert started["counts"]["total"] == 1001

    job = await job_until(bridge, response.headers["Location"], api_key)
    assert job["state"] == "done", job
    assert job["counts"] == {
        "total": 1001,
        "sent": 1001,
        "added": 1001,
        "already_there": 0,
        "failed": 0,
        "unknown": 0,
        "not_sent": 0,
    }
    assert job["rate"] > 0 and job["eta_seconds"] is None
    phone_list = rest_state(rest_simulator).phone_list(int(job["list_id"]))
    assert len(phone_list.leads) == 1001

    rows = await report(bridge, response.headers["Location"], api_key)
    assert len(rows) == 1001
    assert rows[0] == {
        "row": "0",
        "phone": "13125550000",
        "status": "added",
        "message": f"added to phone list {job['list_id']}",
    }


async def test_prefer_respond_async_makes_a_small_export_a_job_too(
    bridge: TestClient, api_key: dict
) -> None:
    body = export(3)
    body["leads"].append({"phone_number": "not a number"})
    response = await bridge.post("/api/v1/crm/leads", json=body, headers={**api_key, **ASYNC})
    assert response.status == 202
    assert response.headers["Preference-Applied"] == "respond-async"
    job = await job_until(bridge, response.headers["Location"], api_key)
    assert (job["state"], job["counts"]["added"], job["counts"]["failed"]) == ("done", 3, 1)
    rows = await report(bridge, response.headers["Location"], api_key)
    assert rows[3] == {
        "row": "3",
        "phone": "not a number",
        "status": "failed",
        "message": "'not a number' is not a phone number",
    }


async def test_the_same_idempotency_key_answers_the_same_job_and_never_runs_it_twice(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    headers = {**api_key, **ASYNC, "Idempotency-Key": "export-2026-11-22-a"}
    body = export(50)
    first = await bridge.post("/api/v1/crm/leads", json=body, headers=headers)
    job = await job_until(bridge, first.headers["Location"], api_key)
    again = await bridge.post("/api/v1/crm/leads", json=body, headers=headers)
    assert again.status == 200  # the job is finished: its state, not a new job
    assert (await again.json())["id"] == job["id"]
    assert again.headers["Location"] == first.headers["Location"]
    async with session.get(rest_simulator.make_url("/_sim/requests")) as sent:
        posts = [r for r in await sent.json() if r["path"].endswith("/lead")]
    assert len(posts) == 1

    other = await bridge.post("/api/v1/crm/leads", json=export(51), headers=headers)
    assert other.status == 422
    error = (await other.json())["error"]
    assert (error["code"], error["job_id"]) == ("idempotency_key_reused", job["id"])


async def test_a_small_request_with_a_key_gets_the_same_answer_again(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer
) -> None:
    headers = {**api_key, "Idempotency-Key": "small-1"}
    body = export(2)
    first = await bridge.post("/api/v1/crm/leads", json=body, headers=headers)
    answer = await first.json()
    assert first.status == 200, answer
    assert [lead["status"] for lead in answer["leads"]] == ["added", "added"]
    again = await bridge.post("/api/v1/crm/leads", json=body, headers=headers)
    assert (again.status, await again.json()) == (200, answer)
    assert len(rest_state(rest_simulator).phone_lists) == 1  # the list was created once


async def test_jobs_are_listed_and_an_unknown_one_is_404(bridge: TestClient, api_key: dict) -> None:
    response = await bridge.post("/api/v1/crm/leads", json=export(2), headers={**api_key, **ASYNC})
    job = await job_until(bridge, response.headers["Location"], api_key)
    listed = await (await bridge.get("/api/v1/crm/jobs", headers=api_key)).json()
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]
    for path in ("/api/v1/crm/jobs/999999", "/api/v1/crm/jobs/x", "/api/v1/crm/jobs/1" + "0" * 30):
        missing = await bridge.get(path, headers=api_key)
        assert missing.status == 404
        assert (await missing.json())["error"]["code"] == "unknown_job"
    assert (await bridge.get(response.headers["Location"])).status == 401


async def test_a_bad_idempotency_key_or_body_is_refused_whole(
    bridge: TestClient, api_key: dict
) -> None:
    long_key = await bridge.post(
        "/api/v1/crm/leads", json=export(1), headers={**api_key, "Idempotency-Key": "k" * 256}
    )
    assert (await long_key.json())["error"]["code"] == "invalid_idempotency_key"
    body = export(3)
    body["leads"][2]["priority"] = "high"
    refused = await bridge.post("/api/v1/crm/leads", json=body, headers=api_key)
    error = (await refused.json())["error"]
    assert (refused.status, error["code"]) == (400, "invalid_message")
    assert error["fields"] == [
        {"field": "leads.2.priority", "message": "Input should be a valid integer"}
    ]
    assert (await (await bridge.get("/api/v1/crm/jobs", headers=api_key)).json())["jobs"] == []


async def test_jobs_finished_longer_ago_than_keep_days_are_deleted_with_their_key(
    bridge: TestClient, api_key: dict
) -> None:
    headers = {**api_key, **ASYNC, "Idempotency-Key": "old-export"}
    old = await bridge.post("/api/v1/crm/leads", json=export(2), headers=headers)
    recent = await bridge.post("/api/v1/crm/leads", json=export(3), headers={**api_key, **ASYNC})
    old_job = await job_until(bridge, old.headers["Location"], api_key)
    await job_until(bridge, recent.headers["Location"], api_key)
    keep_days = bridge.app[CONFIG].jobs.keep_days
    async with bridge.app[JOBS].db.begin() as connection:
        await connection.execute(
            update(jobs)
            .where(jobs.c.id == old_job["id"])
            .values(finished_at=time.time() - keep_days * 86400 - 60)
        )

    assert await bridge.app[JOB_WORKER].purge() == 1

    assert (await bridge.get(old.headers["Location"], headers=api_key)).status == 404
    assert (await bridge.get(recent.headers["Location"], headers=api_key)).status == 200
    async with bridge.app[JOBS].db.begin() as connection:
        rows = await connection.execute(select(job_rows).where(job_rows.c.job_id == old_job["id"]))
        assert rows.all() == []
    again = await bridge.post("/api/v1/crm/leads", json=export(4), headers=headers)
    assert again.status == 202  # the key is free again: a new job, not a 422
    assert (await again.json())["id"] != old_job["id"]


async def test_no_report_cell_starts_a_spreadsheet_formula(
    bridge: TestClient, api_key: dict
) -> None:
    hostile = ['=HYPERLINK("http://x.test")', "+1-2", "-2+3", "@SUM(A1)"]
    body = export(1)
    body["leads"] += [{"phone_number": value} for value in hostile]
    response = await bridge.post("/api/v1/crm/leads", json=body, headers={**api_key, **ASYNC})
    assert response.status == 202
    await job_until(bridge, response.headers["Location"], api_key)
    rows = await report(bridge, response.headers["Location"], api_key)
    assert [row["phone"] for row in rows[1:]] == [f"'{value}" for value in hostile]
    cells = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


async def test_a_new_rest_list_needs_no_list_id_and_others_say_they_need_one(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer
) -> None:
    body = {"dialer": "rest", "list": {"name": "Fresh"}, "create_list": True, "leads": leads(2)}
    response = await bridge.post("/api/v1/crm/leads", json=body, headers=api_key)
    assert response.status == 200, await response.text()
    assert rest_state(rest_simulator).phone_list(int((await response.json())["list_id"]))
    for refused in (
        {**body, "create_list": False},
        {**body, "dialer": "elision"},
    ):
        answer = await bridge.post("/api/v1/crm/leads", json=refused, headers=api_key)
        assert answer.status == 400
        assert "list.list_id: give the list's id" in (await answer.json())["error"]["message"]
    created = await bridge.post(
        "/api/v1/crm/lists", json={"dialer": "rest", "name": "Another"}, headers=api_key
    )
    assert created.status == 201, await created.text()

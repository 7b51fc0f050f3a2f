"""Jobs while they run: cancelled, a dialer going down and coming back, credentials
refused, a batch refused and retried as a new job; Euphoria's trickle feed as a job."""

import json
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from server.jobs.lead_rows import LeadBody, lead_row
from server.keys import DATABASE, JOB_WORKER, JOBS
from server.tables import jobs
from simulators.elision import STATE as ELISION_STATE
from simulators.euphoria import STATE as EUPHORIA_STATE
from tests.databases import BOTH_DATABASES
from tests.jobs_api import clear_faults, fault, job_until, leads, numbers, report
from tests.support import TENANT, rest_state

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

ASYNC = {"Prefer": "respond-async"}
LEADS = 3000  # six REST batches of 500


async def start(bridge: TestClient, api_key: dict, body: dict[str, Any]) -> str:
    response = await bridge.post("/api/v1/crm/leads", json=body, headers={**api_key, **ASYNC})
    assert response.status == 202, await response.text()
    return response.headers["Location"]


def to_rest(count: int = LEADS) -> dict[str, Any]:
    return {
        "dialer": "rest",
        "list": {"list_id": "new", "name": "Jobs"},
        "create_list": True,
        "leads": leads(count),
    }


def in_batch(number: int) -> str:
    """A text only the REST batch holding lead ``number`` contains."""
    return f'"1{numbers(LEADS)[number]}"'


async def test_a_cancelled_job_stops_and_leaves_the_rest_unsent(
    bridge: TestClient,
    api_key: dict,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    await fault(rest_simulator, session, kind="latency", ms=1000, path="/api/phone_list/")
    url = await start(bridge, api_key, to_rest())
    await job_until(bridge, url, api_key, done=lambda job: job["counts"]["sent"] > 0)
    cancelled = await bridge.post(f"{url}/cancel", headers=api_key)
    assert cancelled.status in (200, 202)
    job = await job_until(bridge, url, api_key)
    counts = job["counts"]
    assert job["state"] == "cancelled", job
    assert 0 < counts["added"] < LEADS
    # A batch whose answer came too late (a loaded machine) may have arrived: unknown.
    assert counts["added"] + counts["unknown"] + counts["not_sent"] == LEADS
    assert counts["not_sent"] > 0
    on_list = set(rest_state(rest_simulator).phone_list(int(job["list_id"])).leads)
    rows = await report(bridge, url, api_key)
    by_status: dict[str, set[str]] = {}
    for row in rows:
        by_status.setdefault(row["status"], set()).add("1" + row["phone"].lstrip("+1"))
    assert by_status["added"] <= on_list
    assert not by_status["not_sent"] & on_list
    assert {row["message"] for row in rows if row["status"] == "not_sent"} == {
        "not sent: the job was cancelled"
    }
    again = await bridge.post(f"{url}/cancel", headers=api_key)
    assert (again.status, (await again.json())["error"]["code"]) == (409, "job_finished")


async def test_a_batch_that_may_have_arrived_is_unknown_when_the_job_stops_before_resending(
    bridge: TestClient,
    api_key: dict,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    # The batch holding lead 1600 loses its connection before the answer (it may have
    # been added); the job pauses to send it again, and is cancelled meanwhile.
    await fault(rest_simulator, session, kind="drop", body_contains=in_batch(1600))
    url = await start(bridge, api_key, to_rest())
    await job_until(bridge, url, api_key, done=lambda job: job["paused"])
    cancelled = await bridge.post(f"{url}/cancel", headers=api_key)
    assert cancelled.status in (200, 202)
    job = await job_until(bridge, url, api_key)
    assert (job["state"], job["counts"]["unknown"]) == ("cancelled", 500), job
    unknown = {row["message"] for row in await report(bridge, url, api_key)
               if row["status"] == "unknown"}  # fmt: skip
    assert unknown == {
        "rest is unreachable (the connection was closed before an answer came); check that"
        " it is running; the dialer may have added it, and the job stopped before sending"
        " it again"
    }


async def test_a_dialer_that_goes_down_pauses_the_job_until_it_answers_again(
    bridge: TestClient,
    api_key: dict,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    await fault(rest_simulator, session, kind="status", status=503, body_contains=in_batch(1600))
    url = await start(bridge, api_key, to_rest())
    paused = await job_until(bridge, url, api_key, done=lambda job: job["paused"])
    assert paused["state"] == "running"
    assert paused["paused"] == "rest answered HTTP 503; try again shortly"
    assert paused["counts"]["added"] < LEADS
    await clear_faults(rest_simulator, session)  # the dialer is back
    job = await job_until(bridge, url, api_key)
    assert (job["state"], job["paused"], job["counts"]["added"]) == ("done", None, LEADS), job
    assert len(rest_state(rest_simulator).phone_list(int(job["list_id"])).leads) == LEADS


async def test_refused_credentials_stop_the_job_with_the_reason(
    bridge: TestClient,
    api_key: dict,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    await fault(
        rest_simulator,
        session,
        kind="status",
        status=401,
        body='{"success": false, "msg": "Unauthorized"}',
        content_type="application/json",
        body_contains=in_batch(1600),
    )
    url = await start(bridge, api_key, to_rest())
    job = await job_until(bridge, url, api_key)
    assert job["state"] == "failed", job
    assert job["error"]["code"] == "dialer_unauthorized"
    assert "refused the bridge's api_key" in job["error"]["message"]
    counts = job["counts"]
    assert counts["added"] >= 1000 and counts["added"] + counts["not_sent"] == LEADS
    assert len(rest_state(rest_simulator).phone_list(int(job["list_id"])).leads) == counts["added"]


async def test_rows_a_dialer_refused_are_retried_as_a_new_job(
    bridge: TestClient,
    api_key: dict,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    await fault(
        rest_simulator,
        session,
        kind="status",
        status=200,
        body='{"success": false, "msg": "the list is full"}',
        content_type="application/json",
        body_contains=in_batch(1600),
        path="/api/phone_list/",
        times=1,
    )
    url = await start(bridge, api_key, to_rest())
    job = await job_until(bridge, url, api_key)
    assert (job["state"], job["counts"]["failed"]) == ("done", 500), job
    failed = [row for row in await report(bridge, url, api_key) if row["status"] == "failed"]
    assert {row["message"] for row in failed} == {"refused: the list is full"}

    retried = await bridge.post(f"{url}/retry-failed", headers=api_key)
    retry = await retried.json()
    assert retried.status == 202, retry
    assert (retry["retry_of"], retry["counts"]["total"], retry["list_id"]) == (
        job["id"],
        500,
        job["list_id"],
    )
    retry = await job_until(bridge, retried.headers["Location"], api_key)
    assert (retry["state"], retry["counts"]["added"]) == ("done", 500)
    assert len(rest_state(rest_simulator).phone_list(int(job["list_id"])).leads) == LEADS
    assert [row["row"] for row in await report(bridge, retried.headers["Location"], api_key)] == [
        row["row"] for row in failed
    ]
    nothing = await bridge.post(f"{retried.headers['Location']}/retry-failed", headers=api_key)
    assert (await nothing.json())["error"]["code"] == "nothing_to_retry"


async def test_leads_that_may_have_reached_a_dialer_without_duplicate_check_are_unknown(
    bridge: TestClient,
    api_key: dict,
    elision_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    elision_simulator.app[ELISION_STATE].lists["1101"] = {"list_id": "1101"}
    await fault(elision_simulator, session, kind="drop", match={"function": "add_multi_lead"},
                times=1)  # fmt: skip
    body = {"dialer": "elision", "list": {"list_id": "1101"}, "leads": leads(500)}
    url = await start(bridge, api_key, body)
    job = await job_until(bridge, url, api_key)
    counts = job["counts"]
    assert job["state"] == "done", job
    assert counts["unknown"] > 0 and counts["added"] + counts["unknown"] == 500
    stored = [lead["phone_number"] for lead in elision_simulator.app[ELISION_STATE].leads]
    assert len(stored) == len(set(stored)) == counts["added"]  # the dropped call added none
    unknown = [row for row in await report(bridge, url, api_key) if row["status"] == "unknown"]
    assert unknown[0]["message"] == (
        "elision is unreachable (the connection was closed before an answer came); check"
        " that it is running; the dialer may have added it and has no duplicate check"
    )


async def test_a_euphoria_trickle_feed_runs_as_a_job_one_feed_per_priority(
    bridge: TestClient, api_key: dict, euphoria_simulator: TestServer
) -> None:
    sent = [{**lead, "priority": 1 + n % 2} for n, lead in enumerate(leads(1200))]
    body = {"dialer": "euphoria", "list": {"list_id": "L1", "name": "Big",
            "campaign": "SalesCampaign"}, "leads": sent}  # fmt: skip
    job = await job_until(bridge, await start(bridge, api_key, body), api_key)
    assert (job["state"], job["counts"]["added"]) == ("done", 1200), job
    fed = euphoria_simulator.app[EUPHORIA_STATE].contacts["acme"]["SalesCampaign"]["Big"]
    assert sorted(json.dumps(c["priority"]) for c in fed) == ["1"] * 600 + ["2"] * 600


async def test_a_list_a_stopped_run_may_have_created_is_used_not_created_twice(
    bridge: TestClient, api_key: dict, elision_simulator: TestServer
) -> None:
    # A run created list 1101 on the dialer and stopped before noting it.
    elision_simulator.app[ELISION_STATE].lists["1101"] = {"list_id": "1101"}
    store = bridge.app[JOBS]
    spec = {"list": {"list_id": "1101", "name": "Resumed list", "campaign": "TESTCAMP",
                     "active": True}, "create_list": True}  # fmt: skip
    rows = [lead_row(n, LeadBody.model_validate(lead), "US") for n, lead in enumerate(leads(5))]
    job, _ = await store.create(TENANT, "lead_export", rows, dialer="elision", spec=spec)
    async with store.db.begin() as connection:
        await connection.execute(
            jobs.update().where(jobs.c.id == job.id).values(result='{"creating_list": true}')
        )
    bridge.app[JOB_WORKER].wake()
    done = await job_until(bridge, f"/api/v1/crm/jobs/{job.id}", api_key)
    assert (done["state"], done["counts"]["added"], done["list_id"]) == ("done", 5, "1101")


async def test_a_draining_instance_hands_its_running_job_back_at_once(
    bridge: TestClient,
    api_key: dict,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    await fault(rest_simulator, session, kind="status", status=503, body_contains=in_batch(1600))
    url = await start(bridge, api_key, to_rest())
    await job_until(bridge, url, api_key, done=lambda job: job["paused"])
    await bridge.app[JOB_WORKER].hand_back()  # what SIGTERM does first (server.drain)
    async with bridge.app[DATABASE].connect() as connection:
        [job] = (await connection.execute(select(jobs))).all()
    assert (job.state, job.lease_until) == ("running", None)  # any instance may take it now
    await bridge.app[JOB_WORKER].run_now(job.id)  # and it resumes where it stopped
    await clear_faults(rest_simulator, session)
    done = await job_until(bridge, url, api_key)
    assert (done["state"], done["counts"]["added"]) == ("done", LEADS), done

"""User sync: an agent created once in the CRM exists in the bridge and on the dialers."""

import asyncio

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from server.keys import DATABASE
from server.tables import agents as agents_table
from simulators.elision import STATE as ELISION_STATE
from simulators.rest.state import STATE
from tests.jobs_api import fault, job_until, report
from tests.support import AGENT as SEATED
from tests.support import TENANT

LOGIN = f"/api/v1/tenants/{TENANT}/sessions"

AGENT = {
    "full_name": "Zoë O'Neil & <Co>",
    "password": "Sync-Pass-42",
    "extension": "2002",
    "email": "zoe@acme.test",
}


def rest_users(simulator: TestServer) -> dict[str, dict]:
    return {u["username"]: u for u in simulator.app[STATE].snapshot()["users"]}


def elision_users(simulator: TestServer) -> list[dict]:
    return simulator.app[ELISION_STATE].snapshot()["users"]


async def test_a_synced_agent_logs_in_to_the_widget_and_exists_on_the_dialers(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer, elision_simulator: TestServer
) -> None:
    response = await bridge.put("/api/v1/crm/agents/zoe", json=AGENT, headers=api_key)
    body = await response.json()
    assert response.status == 200, body
    assert body["created"] is True
    assert body["dialers"]["rest"]["ok"] is True
    assert body["dialers"]["euphoria"] == {
        "skipped": True,
        "message": "create_user is not supported by euphoria",
    }
    assert body["dialers"]["elision"] == {
        "ok": True,
        "message": "SUCCESS: add_user USER HAS BEEN ADDED - api|zoe|***|1|Zoë O'Neil & <Co>|AGENTS",
    }
    assert body["agent"]["synced_dialers"] == ["elision", "rest"]
    assert rest_users(rest_simulator)["zoe"]["name"] == AGENT["full_name"]
    [elision_user] = [u for u in elision_users(elision_simulator) if u["user"] == "zoe"]
    assert elision_user["full_name"] == AGENT["full_name"]

    login = await bridge.post(
        f"/api/v1/tenants/{TENANT}/sessions", json={"username": "zoe", "password": "Sync-Pass-42"}
    )
    assert login.status == 200
    assert (await login.json())["agent"]["extension"] == "2002"


async def test_a_second_sync_updates_instead_of_creating(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer
) -> None:
    await bridge.put("/api/v1/crm/agents/zoe", json=AGENT, headers=api_key)
    changed = {"full_name": "Zoë Smith", "active": False}
    response = await bridge.put("/api/v1/crm/agents/zoe", json=changed, headers=api_key)
    body = await response.json()
    assert response.status == 200, body
    assert body["created"] is False
    assert rest_users(rest_simulator)["zoe"]["name"] == "Zoë Smith"
    assert rest_users(rest_simulator)["zoe"]["active"] == 0
    login = await bridge.post(
        f"/api/v1/tenants/{TENANT}/sessions", json={"username": "zoe", "password": "Sync-Pass-42"}
    )
    assert (await login.json())["error"]["code"] == "agent_disabled"


async def test_a_dialer_refusal_is_reported_and_a_retry_finishes_the_job(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer
) -> None:
    weak = {**AGENT, "password": "weak"}
    response = await bridge.put("/api/v1/crm/agents/zoe", json=weak, headers=api_key)
    body = await response.json()
    assert response.status == 207
    assert body["dialers"]["rest"]["error"]["code"] == "invalid_request"
    assert "password" in body["dialers"]["rest"]["error"]["message"]
    assert body["dialers"]["elision"]["ok"] is True  # Elision takes short passwords
    assert body["agent"]["synced_dialers"] == ["elision"]
    retry = await bridge.put("/api/v1/crm/agents/zoe", json=AGENT, headers=api_key)
    assert retry.status == 200
    retried = await retry.json()
    assert retried["dialers"]["elision"]["message"].startswith("SUCCESS: update_user")
    assert retried["dialers"]["rest"]["ok"] is True
    assert retried["agent"]["synced_dialers"] == ["elision", "rest"]


async def test_deleting_removes_the_agent_everywhere(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer, elision_simulator: TestServer
) -> None:
    await bridge.put("/api/v1/crm/agents/zoe", json=AGENT, headers=api_key)
    response = await bridge.delete("/api/v1/crm/agents/zoe", headers=api_key)
    assert response.status == 200
    assert (await response.json())["deleted"] is True
    assert "zoe" not in rest_users(rest_simulator)
    assert all(u["user"] != "zoe" for u in elision_users(elision_simulator))
    again = await bridge.delete("/api/v1/crm/agents/zoe", headers=api_key)
    assert again.status == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"password": "Sync-Pass-42"}, "full_name: Field required"),
        ({"full_name": "New"}, "agent zoe is new: 'password' is required"),
        ({**AGENT, "user_level": "9"}, "user_level: Input should be a valid integer"),
        ({**AGENT, "user_level": 10}, "user_level: Input should be less than or equal to 9"),
        ({**AGENT, "extension": 2002}, "extension: Input should be a valid string"),
        ({**AGENT, "full_nme": "x"}, "full_nme: Extra inputs are not permitted"),
    ],
)
async def test_bad_requests_say_what_to_fix(
    bridge: TestClient, api_key: dict, body: dict, message: str
) -> None:
    response = await bridge.put("/api/v1/crm/agents/zoe", json=body, headers=api_key)
    assert response.status == 400
    assert (await response.json())["error"]["message"] == message


def agents(count: int, **fields: object) -> list[dict[str, object]]:
    return [
        {"username": f"bulk{n}", "full_name": f"Bulk Agent {n}", "password": "Bulk-Pass-42",
         "email": f"bulk{n}@acme.test", **fields}
        for n in range(count)
    ]  # fmt: skip


async def test_a_few_agents_are_synced_at_once_and_answered_one_by_one(
    bridge: TestClient, api_key: dict, rest_simulator: TestServer, elision_simulator: TestServer
) -> None:
    await bridge.put("/api/v1/crm/agents/bulk0", json=AGENT, headers=api_key)
    sent = agents(3)
    sent[2]["password"] = "weak"  # the REST dialer refuses it
    response = await bridge.put("/api/v1/crm/agents", json={"agents": sent}, headers=api_key)
    body = await response.json()
    assert response.status == 207, body
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 1)
    assert [(a["username"], a["status"]) for a in body["agents"]] == [
        ("bulk0", "already_there"),
        ("bulk1", "added"),
        ("bulk2", "failed"),
    ]
    assert body["agents"][1]["dialers"]["rest"]["ok"] is True
    assert body["agents"][2]["message"].startswith("rest: invalid_request: ")
    assert "Bulk-Pass-42" not in await response.text()
    assert {"bulk0", "bulk1"} <= set(rest_users(rest_simulator))
    assert {"bulk1", "bulk2"} <= {u["user"] for u in elision_users(elision_simulator)}
    login = await bridge.post(
        f"/api/v1/tenants/{TENANT}/sessions", json={"username": "bulk1", "password": "Bulk-Pass-42"}
    )
    assert login.status == 200


async def test_many_agents_are_a_job_whose_failed_rows_can_be_retried(
    bridge: TestClient,
    api_key: dict,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    refusal = '{"success": false, "msg": "too many users, try later"}'
    await fault(rest_simulator, session, kind="status", status=200, body=refusal,
                content_type="application/json", path="/api/user", body_contains='"bulk7"',
                times=1)  # fmt: skip
    response = await bridge.put("/api/v1/crm/agents", json={"agents": agents(30)}, headers=api_key)
    assert response.status == 202, await response.text()
    job = await job_until(bridge, response.headers["Location"], api_key)
    assert (job["state"], job["kind"], job["counts"]["added"], job["counts"]["failed"]) == (
        "done", "agent_sync", 29, 1
    ), job  # fmt: skip
    rows = await report(bridge, response.headers["Location"], api_key)
    assert (rows[7]["username"], rows[7]["status"]) == ("bulk7", "failed")
    assert "rest: dialer_rejected: too many users, try later" in rows[7]["message"]
    assert set(rest_users(rest_simulator)) >= {f"bulk{n}" for n in range(30) if n != 7}

    retried = await bridge.post(f"{response.headers['Location']}/retry-failed", headers=api_key)
    retry = await job_until(bridge, retried.headers["Location"], api_key)
    # bulk7 is in the directory since the first job: it is updated, and created on REST.
    assert (retry["counts"]["total"], retry["counts"]["already_there"]) == (1, 1), retry
    assert "bulk7" in rest_users(rest_simulator)


async def test_a_bulk_body_is_checked_whole(bridge: TestClient, api_key: dict) -> None:
    twice = agents(2) + agents(1)
    response = await bridge.put("/api/v1/crm/agents", json={"agents": twice}, headers=api_key)
    error = (await response.json())["error"]
    assert (response.status, error["message"]) == (400, "agents.2.username: 'bulk0' appears twice")
    missing = await bridge.put(
        "/api/v1/crm/agents", json={"agents": [{"username": "x"}]}, headers=api_key
    )
    assert (await missing.json())["error"]["fields"] == [
        {"field": "agents.0.full_name", "message": "Field required"}
    ]


async def stored_hashes(bridge: TestClient) -> dict[str, str]:
    async with bridge.app[DATABASE].connect() as connection:
        rows = await connection.execute(
            select(agents_table.c.username, agents_table.c.password_hash)
        )
        return {row.username: row.password_hash for row in rows}


async def sync_job(bridge: TestClient, api_key: dict, sent: list[dict[str, object]]) -> dict:
    headers = {**api_key, "Prefer": "respond-async"}
    response = await bridge.put("/api/v1/crm/agents", json={"agents": sent}, headers=headers)
    assert response.status == 202, await response.text()
    return await job_until(bridge, response.headers["Location"], api_key)


async def test_a_sync_again_hashes_only_the_passwords_that_changed(
    bridge: TestClient, api_key: dict
) -> None:
    first = await sync_job(bridge, api_key, agents(30))
    assert first["counts"]["added"] == 30, first
    hashes = await stored_hashes(bridge)
    login = await bridge.post(LOGIN, json={"username": "bulk5", "password": "Bulk-Pass-42"})
    token = (await login.json())["token"]

    again = await sync_job(bridge, api_key, agents(30, extension="2002"))
    assert again["counts"]["already_there"] == 30, again
    assert await stored_hashes(bridge) == hashes  # nothing re-hashed

    changed = agents(30)
    changed[3]["password"] = "Bulk-Pass-43"
    del changed[4]["password"]
    await sync_job(bridge, api_key, changed)
    now = await stored_hashes(bridge)
    assert {name for name in hashes if now[name] != hashes[name]} == {"bulk3"}
    new = await bridge.post(LOGIN, json={"username": "bulk3", "password": "Bulk-Pass-43"})
    assert new.status == 200
    old = await bridge.post(LOGIN, json={"username": "bulk3", "password": "Bulk-Pass-42"})
    assert old.status == 401
    # bulk5's password never changed: its widget session lived through the syncs.
    logout = await bridge.delete("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert logout.status == 200


async def test_agents_log_in_while_a_big_sync_hashes_passwords(
    bridge: TestClient, api_key: dict
) -> None:
    headers = {**api_key, "Prefer": "respond-async"}
    sent = agents(120)
    response = await bridge.put("/api/v1/crm/agents", json={"agents": sent}, headers=headers)
    assert response.status == 202, await response.text()
    statuses, during = [], 0
    async with asyncio.timeout(60):
        while True:
            statuses.append((await bridge.post(LOGIN, json=SEATED)).status)
            job = await (await bridge.get(response.headers["Location"], headers=api_key)).json()
            if job["state"] not in ("queued", "running"):
                break
            during += job["state"] == "running"
    assert during > 0, "the sync ended before a login"
    assert set(statuses) == {200}, statuses
    assert job["counts"]["added"] == 120, job

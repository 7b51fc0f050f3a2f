"""The agent's state from the widget: check in, pause, queues, check out, wrap-up."""

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from server.app import create_app
from server.config import parse_config
from simulators.rest.state import QueueRecord
from tests.databases import BOTH_DATABASES
from tests.events_support import connect, events, push, push_path, set_dialer_ids
from tests.support import ADMIN, CRM_ORIGIN, ELISION_PASS, SYNCED_AGENT, TENANT, login, rest_state

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


@pytest.fixture
async def agent(bridge: TestClient, api_key: dict[str, str]) -> dict[str, str]:
    """agent1 synced to the REST simulator, with the user id it got there; its token."""
    response = await bridge.put("/api/v1/crm/agents/agent1", json=SYNCED_AGENT, headers=api_key)
    created = (await response.json())["dialers"]["rest"]
    assert created["ok"], created
    user_id = created["message"].rsplit(" ", 1)[-1]
    await set_dialer_ids(bridge, api_key, user_id=user_id)
    token = await login(bridge)
    return {"user_id": user_id, "Authorization": f"Bearer {token}", "token": token}


def auth(agent: dict[str, str]) -> dict[str, str]:
    return {"Authorization": agent["Authorization"]}


async def ok(response: aiohttp.ClientResponse) -> dict[str, Any]:
    assert response.status == 200, await response.text()
    return await response.json()


async def test_check_in_pause_queues_resume_check_out(
    bridge: TestClient, agent: dict[str, str], rest_simulator: TestServer
) -> None:
    simulated = rest_state(rest_simulator)
    for queue_id in (4, 5):
        simulated.queues[queue_id] = QueueRecord(queue_id, {"name": f"Queue {queue_id}"})
    user = simulated.users[int(agent["user_id"])]
    ws, _ = await connect(bridge, agent["token"])

    answer = await ok(await bridge.post("/api/v1/agent/check-in", json={}, headers=auth(agent)))
    assert answer["state"] == {
        "state": "available",
        "pause_reason": None,
        "queues": [],
        "since": answer["state"]["since"],
        "wrapup": None,
    }
    assert answer["state"]["since"].endswith("Z")
    assert answer["check_in_number"].startswith("***")
    assert user.agent.checked_in

    answer = await ok(
        await bridge.post("/api/v1/agent/pause", json={"reason": "Lunch"}, headers=auth(agent))
    )
    assert answer["state"]["state"] == "paused" and answer["state"]["pause_reason"] == "Lunch"
    assert user.agent.pause_id == 2  # Lunch is the tenant's second pause reason

    answer = await ok(
        await bridge.put("/api/v1/agent/queues", json={"queues": [4, "5"]}, headers=auth(agent))
    )
    assert answer["state"]["queues"] == ["4", "5"]
    assert user.agent.queues == [4, 5]

    answer = await ok(await bridge.post("/api/v1/agent/resume", headers=auth(agent)))
    assert {k: answer["state"][k] for k in ("state", "pause_reason", "queues")} == {
        "state": "available",
        "pause_reason": None,
        "queues": ["4", "5"],
    }
    assert user.agent.pause_id == 0

    answer = await ok(await bridge.post("/api/v1/agent/check-out", json={}, headers=auth(agent)))
    assert answer["state"]["state"] == "checked_out"
    assert not user.agent.checked_in

    streamed = [m["data"]["state"] for m in await events(ws, 5)]
    assert streamed == ["available", "paused", "paused", "available", "checked_out"]
    await ws.close()


async def test_check_in_on_a_device_keeps_the_device(
    bridge: TestClient, agent: dict[str, str], rest_simulator: TestServer
) -> None:
    answer = await ok(
        await bridge.post("/api/v1/agent/check-in", json={"device_id": 31}, headers=auth(agent))
    )
    assert "check_in_number" not in answer
    assert rest_state(rest_simulator).users[int(agent["user_id"])].agent.device_id == 31
    path = await push_path(bridge)  # a call from device 31 is the agent's, with no user id
    await push(
        bridge,
        path,
        "call:ring",
        call_id="d1",
        type="outbound",
        src_device_id=31,
        dst_num="2025550143",
    )
    ws, welcome = await connect(bridge, agent["token"])
    assert [call["call_id"] for call in welcome["calls"]] == ["d1"]
    await ws.close()


async def test_a_wrap_up_is_stored_on_the_call_and_ends_the_wrap_up(
    bridge: TestClient, agent: dict[str, str], rest_simulator: TestServer, api_key: dict[str, str]
) -> None:
    await ok(await bridge.post("/api/v1/agent/check-in", json={}, headers=auth(agent)))
    path = await push_path(bridge)
    call = {
        "call_id": "w1",
        "type": "inbound",
        "cid_num": "2025550143",
        "dst_user_id": agent["user_id"],
    }
    for name in ("call:ring", "call:answer"):
        await push(bridge, path, name, **call)
    await push(bridge, path, "call:end", billms=5000, **call)
    ws, welcome = await connect(bridge, agent["token"])
    assert welcome["state"]["state"] == "wrap_up"
    replayed = await events(ws, 5)  # the call no page has been told of, once
    assert [m["name"] for m in replayed][-2:] == ["call_ended", "agent_state"]
    body = {"disposition": "Failed Contact", "outcome": "Voicemail", "notes": "call again"}
    answer = await ok(await bridge.post("/api/v1/calls/w1/wrapup", json=body, headers=auth(agent)))
    assert {
        k: answer["call"][k] for k in ("call_id", "disposition", "outcome", "notes", "agent")
    } == {"call_id": "w1", **body, "agent": "agent1"}
    [state] = await events(ws, 1)
    assert state["data"]["state"] == "available"
    assert rest_state(rest_simulator).users[int(agent["user_id"])].agent.wrapup_until is not None
    stored = await (await bridge.get("/api/v1/crm/calls", headers=api_key)).json()
    assert stored["calls"][0]["disposition"] == "Failed Contact"
    await ws.close()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("post", "/api/v1/agent/pause", {"reason": "Nap"}, 400, "unknown_pause_reason"),
        ("post", "/api/v1/agent/pause", {}, 400, "invalid_message"),
        ("put", "/api/v1/agent/queues", {"queues": "4"}, 400, "invalid_message"),
        ("post", "/api/v1/calls/nope/wrapup", {"disposition": "Success"}, 404, "unknown_call"),
        ("post", "/api/v1/calls/nope/wrapup", {"disposition": "Great"}, 400, "invalid_message"),
        ("post", "/api/v1/agent/pause", {"reason": "Lunch"}, 422, "dialer_rejected"),  # not in
    ],
)
async def test_bad_requests_say_what_is_wrong(
    bridge: TestClient,
    agent: dict[str, str],
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    response = await getattr(bridge, method)(path, json=body, headers=auth(agent))
    assert response.status == status, await response.text()
    assert (await response.json())["error"]["code"] == code


async def test_an_agent_without_a_dialer_user_id_is_told_how_to_get_one(bridge: TestClient) -> None:
    token = await login(bridge)
    response = await bridge.post(
        "/api/v1/agent/check-in", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 409
    assert "dialer_ids" in (await response.json())["error"]["message"]


async def test_a_dialer_without_agent_functions_answers_not_supported(
    database_url: str, elision_simulator: TestServer, aiohttp_client: Any
) -> None:
    from server.keys import AGENTS

    elision = {
        "base_url": str(elision_simulator.make_url("")),
        "api_user": "api",
        "api_pass": ELISION_PASS,
    }
    config = parse_config(
        {
            "server": {"database": database_url},
            "admin": {"username": ADMIN[0], "password": ADMIN[1]},
            "tenants": {TENANT: {"allowed_origins": [CRM_ORIGIN], "dialers": {"elision": elision}}},
        }
    )
    client = await aiohttp_client(create_app(config))
    await client.app[AGENTS].save(TENANT, "agent1", password="Agent1-secret!", extension="1001")
    headers = {"Authorization": f"Bearer {await login(client)}"}
    for path, body in (
        ("/api/v1/agent/check-in", {}),
        ("/api/v1/calls/c1/wrapup", {"disposition": "Success"}),
    ):
        response = await client.post(path, json=body, headers=headers)
        assert response.status == 501
        assert (await response.json())["error"]["code"] == "not_supported"
    ws, welcome = await connect(client, headers["Authorization"].split()[1])
    assert welcome["live_status"] is False
    await ws.close()


async def test_user_sync_learns_the_agents_user_id_on_the_rest_dialer(
    bridge: TestClient, api_key: dict[str, str], rest_simulator: TestServer
) -> None:
    response = await bridge.put("/api/v1/crm/agents/agent1", json=SYNCED_AGENT, headers=api_key)
    user_id = int((await response.json())["dialers"]["rest"]["message"].rsplit(" ", 1)[-1])
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    await ok(await bridge.post("/api/v1/agent/check-in", json={}, headers=headers))
    assert rest_state(rest_simulator).users[user_id].agent.checked_in

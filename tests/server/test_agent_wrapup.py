"""The widget's call data and the pending wrap-up: numbers in display form, queue names,
time in state, and a wrap-up the bridge holds (in every tab, after a restart) until it is
saved, skipped or its time is up."""

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from server.app import create_app
from server.keys import AGENTS
from tests.databases import BOTH_DATABASES
from tests.events_support import calls, connect, events, push, push_path, set_dialer_ids
from tests.support import AGENT, SYNCED_AGENT, TENANT, bridge_config, login, rest_state

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

QUEUES = [{"id": "3", "name": "Support"}]


def _config(database_url: str, rest: TestServer, wrapup_seconds: int) -> Any:
    return bridge_config(
        database_url,
        str(rest.make_url("")),
        queues=QUEUES,
        wrapup_seconds=wrapup_seconds,
    )


@pytest.fixture
async def bridge(
    request: pytest.FixtureRequest,
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
) -> TestClient:
    """The bridge on the REST simulator, its tenant naming queue 3 "Support", with a
    wrap-up time of 120 s (or the test's ``bridge`` parameter)."""
    app = create_app(_config(database_url, rest_simulator, getattr(request, "param", 120)))

    async def seed(app: web.Application) -> None:
        await app[AGENTS].save(
            TENANT, AGENT["username"], password=AGENT["password"], extension=AGENT["extension"]
        )

    app.on_startup.append(seed)
    client: TestClient = await aiohttp_client(app)
    return client


@pytest.fixture
async def agent(bridge: TestClient, api_key: dict[str, str]) -> dict[str, Any]:
    """agent1, a user of the REST simulator, checked in there; its headers and push path."""
    response = await bridge.put("/api/v1/crm/agents/agent1", json=SYNCED_AGENT, headers=api_key)
    user_id = (await response.json())["dialers"]["rest"]["message"].rsplit(" ", 1)[-1]
    await set_dialer_ids(bridge, api_key, user_id=user_id)
    token = await login(bridge)
    headers = {"Authorization": f"Bearer {token}"}
    answer = await bridge.post("/api/v1/agent/check-in", json={}, headers=headers)
    assert answer.status == 200, await answer.text()
    return {"user_id": user_id, "token": token, "headers": headers, "path": await push_path(bridge)}


async def answered_call(bridge: TestClient, agent: dict[str, Any], call_id: str) -> None:
    """An inbound call of queue 3 from London rings the agent, is answered and ends."""
    call = {
        "call_id": call_id,
        "type": "queue",
        "cid_num": "+442079460018",
        "cid_name": "Jane Roe",
        "queue_id": 3,
        "dst_user_id": agent["user_id"],
    }
    await push(bridge, agent["path"], "call:ring", **call)
    await push(bridge, agent["path"], "call:answer", **call)
    await push(
        bridge, agent["path"], "call:end", billms=5000, hangup_cause="NORMAL_CLEARING", **call
    )


async def test_call_events_show_the_number_and_queue_for_people(
    bridge: TestClient, agent: dict[str, Any], api_key: dict[str, str]
) -> None:
    ws, _ = await connect(bridge, agent["token"])
    await answered_call(bridge, agent, "q1")
    ringing, answered, in_call, ended, wrap_up = await events(ws, 5)
    for event in (ringing, answered, ended):
        assert event["data"]["number"] == "+442079460018"
        assert event["data"]["display"] == "+44 20 7946 0018"
        assert (event["data"]["queue"], event["data"]["queue_name"]) == ("3", "Support")
    assert (in_call["data"]["state"], wrap_up["data"]["state"]) == ("in_call", "wrap_up")
    [stored] = await calls(bridge, api_key)
    assert (stored["display"], stored["queue_name"]) == ("+44 20 7946 0018", "Support")
    await ws.close()


async def test_a_click_to_call_shows_its_number_in_display_form_from_the_start(
    bridge: TestClient, agent: dict[str, Any]
) -> None:
    ws, _ = await connect(bridge, agent["token"])
    placed = await bridge.post(
        "/api/v1/calls", json={"phone_number": "3125550178"}, headers=agent["headers"]
    )
    assert placed.status == 200, await placed.text()
    uuid = (await placed.json())["uuid"]
    await push(
        bridge, agent["path"], "call:ring", call_id=uuid, type="outbound", dst_num="13125550178"
    )
    [ringing] = await events(ws, 1)
    assert (ringing["data"]["uuid"], ringing["data"]["display"]) == (uuid, "+1 312-555-0178")
    _, welcome = await connect(bridge, agent["token"])
    assert welcome["calls"][0]["display"] == "+1 312-555-0178"
    await ws.close()


async def test_the_wrap_up_is_pending_in_every_tab_and_a_skip_ends_it_everywhere(
    bridge: TestClient, agent: dict[str, Any], rest_simulator: TestServer, api_key: dict[str, str]
) -> None:
    tabs = [(await connect(bridge, agent["token"]))[0] for _ in range(2)]
    await answered_call(bridge, agent, "w1")
    for ws in tabs:
        *_, in_call, _, wrap_up = await events(ws, 5)
        assert wrap_up["data"]["state"] == "wrap_up"
        assert wrap_up["data"]["since"] > in_call["data"]["since"]
    pending = wrap_up["data"]["wrapup"]
    assert {k: v for k, v in pending.items() if k not in ("ended_at", "deadline")} == {
        "call_id": "w1",
        "display": "+44 20 7946 0018",
        "number": "+442079460018",
        "direction": "inbound",
        "caller_name": "Jane Roe",
    }
    assert pending["ended_at"] < pending["deadline"]  # ISO 8601 UTC texts sort as times
    _, reloaded = await connect(bridge, agent["token"])
    assert reloaded["state"]["wrapup"] == pending  # a new tab, or a reload, has it too

    skipped = await bridge.post(
        "/api/v1/calls/w1/wrapup", json={"skip": True}, headers=agent["headers"]
    )
    assert skipped.status == 200, await skipped.text()
    answer = await skipped.json()
    assert (answer["state"]["state"], answer["state"]["wrapup"]) == ("available", None)
    assert answer["call"]["call_id"] == "w1" and answer["call"]["disposition"] is None
    for ws in tabs:
        [state] = await events(ws, 1)
        assert (state["data"]["state"], state["data"]["wrapup"]) == ("available", None)
        await ws.close()
    user = rest_state(rest_simulator).users[int(agent["user_id"])]
    assert user.agent.wrapup_until is not None  # the dialer's wrap-up ended too
    [stored] = await calls(bridge, api_key)
    assert stored["disposition"] is None


async def test_saving_the_wrap_up_answers_the_state_without_it(
    bridge: TestClient, agent: dict[str, Any]
) -> None:
    await answered_call(bridge, agent, "w2")
    saved = await bridge.post(
        "/api/v1/calls/w2/wrapup", json={"disposition": "Success"}, headers=agent["headers"]
    )
    assert saved.status == 200, await saved.text()
    answer = await saved.json()
    assert answer["call"]["disposition"] == "Success"
    assert (answer["state"]["state"], answer["state"]["wrapup"]) == ("available", None)


@pytest.mark.parametrize(
    "body",
    [{}, {"skip": True, "disposition": "Success"}, {"skip": True, "notes": "x"}],
)
async def test_a_wrap_up_is_either_saved_or_skipped(
    bridge: TestClient, agent: dict[str, Any], body: dict[str, Any]
) -> None:
    await answered_call(bridge, agent, "w3")
    response = await bridge.post("/api/v1/calls/w3/wrapup", json=body, headers=agent["headers"])
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_message"


@pytest.mark.parametrize("bridge", [1], indirect=True)
async def test_when_the_wrap_up_time_is_up_the_agent_is_available_again(
    bridge: TestClient, agent: dict[str, Any]
) -> None:
    ws, _ = await connect(bridge, agent["token"])
    await answered_call(bridge, agent, "w4")
    *_, wrap_up = await events(ws, 5)
    assert wrap_up["data"]["state"] == "wrap_up"
    [timed_out] = await events(ws, 1)  # within about a second
    assert (timed_out["data"]["state"], timed_out["data"]["wrapup"]) == ("available", None)
    _, welcome = await connect(bridge, agent["token"])
    assert welcome["state"]["state"] == "available"
    await ws.close()


@pytest.mark.parametrize("bridge", [0], indirect=True)
async def test_a_tenant_without_wrap_up_time_goes_straight_to_available(
    bridge: TestClient, agent: dict[str, Any]
) -> None:
    ws, _ = await connect(bridge, agent["token"])
    await answered_call(bridge, agent, "w5")
    *_, after_call = await events(ws, 5)
    assert (after_call["data"]["state"], after_call["data"]["wrapup"]) == ("available", None)
    await ws.close()


async def test_the_pending_wrap_up_outlives_a_restart(
    bridge: TestClient,
    agent: dict[str, Any],
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
) -> None:
    await answered_call(bridge, agent, "w6")
    await bridge.close()
    restarted: TestClient = await aiohttp_client(
        create_app(_config(database_url, rest_simulator, 120))
    )
    ws, welcome = await connect(restarted, await login(restarted))
    assert welcome["state"]["state"] == "wrap_up"
    assert welcome["state"]["wrapup"]["call_id"] == "w6"
    await ws.close()

"""The widget's agent requests (check_in ... wrapup) against the real bridge and REST
simulator; only the browser's fetch is replaced, by one of the same shape."""

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from simulators.rest.state import QueueRecord
from tests.events_support import push, push_path, set_dialer_ids
from tests.support import AGENT, rest_state
from tests.widget_support import widget

SYNCED_AGENT = {
    "full_name": "Agent One",
    "password": AGENT["password"],
    "extension": "1001",
    "email": "agent1@acme.test",
}


@pytest.fixture
async def user_id(bridge: TestClient, api_key: dict[str, str]) -> str:
    """agent1 synced to the REST simulator; its user id there."""
    response = await bridge.put("/api/v1/crm/agents/agent1", json=SYNCED_AGENT, headers=api_key)
    created = (await response.json())["dialers"]["rest"]
    assert created["ok"], created
    user_id = created["message"].rsplit(" ", 1)[-1]
    await set_dialer_ids(bridge, api_key, user_id=user_id)
    return user_id


def fields(event: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: event.get(name) for name in ("event", "request_id", *names)}


async def test_agent_requests_change_the_state_on_the_dialer(
    bridge: TestClient, rest_simulator: TestServer, user_id: str
) -> None:
    controller = widget(bridge)
    refused = await controller.handle({"action": "pause", "reason": "Lunch", "request_id": 1})
    assert fields(refused, "code") == {"event": "error", "request_id": 1, "code": "not_logged_in"}
    await controller.handle({"action": "login", **AGENT})
    user = rest_state(rest_simulator).users[int(user_id)]

    checked_in = await controller.handle({"action": "check_in", "request_id": "c"})
    assert fields(checked_in, "state", "pause_reason", "queues") == {
        "event": "agent_state",
        "request_id": "c",
        "state": "available",
        "pause_reason": None,
        "queues": [],
    }
    assert checked_in["check_in_number"].startswith("***")
    assert user.agent.checked_in
    paused = await controller.handle({"action": "pause", "reason": "Lunch"})
    assert (paused["state"], paused["pause_reason"]) == ("paused", "Lunch")
    assert user.agent.pause_id == 2
    assert controller.state.view()["agent-state"] == "Paused · Lunch"
    unknown = await controller.handle({"action": "pause", "reason": "Nap", "request_id": 2})
    assert fields(unknown, "code", "action") == {
        "event": "error",
        "request_id": 2,
        "code": "unknown_pause_reason",
        "action": "pause",
    }
    resumed = await controller.handle({"action": "resume"})
    assert resumed["state"] == "available" and user.agent.pause_id == 0
    checked_out = await controller.handle({"action": "check_out"})
    assert checked_out["state"] == "checked_out" and not user.agent.checked_in


async def test_set_queues_checks_the_list_before_asking(
    bridge: TestClient, rest_simulator: TestServer, user_id: str
) -> None:
    for queue_id in (4, 5):
        rest_state(rest_simulator).queues[queue_id] = QueueRecord(queue_id, {"name": "Sales"})
    controller = widget(bridge)
    await controller.handle({"action": "login", **AGENT})
    bad = await controller.handle({"action": "set_queues", "queues": "4", "request_id": 3})
    assert fields(bad, "code") == {"event": "error", "request_id": 3, "code": "invalid_message"}
    assert "list of queue ids" in bad["message"]
    answer = await controller.handle({"action": "set_queues", "queues": [4, "5"]})
    assert answer["queues"] == ["4", "5"]
    assert rest_state(rest_simulator).users[int(user_id)].agent.queues == [4, 5]


async def test_a_wrapup_is_stored_on_the_call(
    bridge: TestClient, rest_simulator: TestServer, user_id: str, api_key: dict[str, str]
) -> None:
    controller = widget(bridge)
    await controller.handle({"action": "login", **AGENT})
    await controller.handle({"action": "check_in"})
    path = await push_path(bridge)
    call = {"call_id": "w1", "type": "inbound", "cid_num": "2025550143", "dst_user_id": user_id}
    for name in ("call:ring", "call:answer", "call:end"):
        await push(bridge, path, name, **call)
    wrong = await controller.handle(
        {"action": "wrapup", "call_id": "w1", "disposition": "Great", "request_id": 4}
    )
    assert fields(wrong, "code") == {"event": "error", "request_id": 4, "code": "invalid_message"}
    assert "Success, Unsure, Failed, Failed Contact" in wrong["message"]
    request = {"call_id": "w1", "disposition": "Failed Contact", "outcome": "Voicemail"}
    done = await controller.handle({"action": "wrapup", "request_id": 5, **request})
    assert done == {
        "channel": "crm-bridge",
        "protocol": 1,
        "event": "wrapped_up",
        "request_id": 5,
        **request,
        "notes": None,
        "skipped": False,
    }
    stored = await (await bridge.get("/api/v1/crm/calls", headers=api_key)).json()
    assert stored["calls"][0]["disposition"] == "Failed Contact"

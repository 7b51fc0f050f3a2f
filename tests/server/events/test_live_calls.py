"""The whole loop on real sockets: the REST simulator pushes its events to the bridge's
Event Push URL, and the agent's stream shows ring → answer → end, busy and unanswered
calls, inbound queue calls, and ignores a re-delivered event."""

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from tests.databases import BOTH_DATABASES
from tests.events_support import FAST, connect, events, sim

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


async def dial(bridge: TestClient, wired: dict[str, Any], number: str) -> str:
    response = await bridge.post(
        "/api/v1/calls", json={"phone_number": number}, headers=wired["headers"]
    )
    assert response.status == 200, await response.text()
    return (await response.json())["uuid"]


async def test_a_click_to_call_rings_is_answered_and_ends_on_the_stream(
    bridge: TestClient, wired: dict[str, Any]
) -> None:
    ws, welcome = await connect(bridge, wired["token"])
    assert welcome["live_status"] is True
    uuid = await dial(bridge, wired, "+1 202 555 0143")
    received = await events(ws, 5)
    assert [(m["name"], m["data"].get("state")) for m in received] == [
        ("call_ringing", None),
        ("call_answered", None),
        ("agent_state", "in_call"),
        ("call_ended", None),
        ("agent_state", "checked_out"),
    ]
    ringing, ended = received[0]["data"], received[3]["data"]
    assert (ringing["call_id"], ringing["uuid"], ringing["direction"], ringing["number"]) == (
        uuid,
        uuid,
        "outbound",
        "+12025550143",
    )
    assert ended["answered"] is True and ended["hangup_cause"] == "NORMAL_CLEARING"
    assert ended["bill_ms"] > 0 and ended["duration_ms"] >= ended["bill_ms"]
    await ws.close()


@pytest.mark.parametrize(
    ("number", "cause"), [("2025550486", "USER_BUSY"), ("2025550408", "NO_ANSWER")]
)
async def test_busy_and_unanswered_numbers_end_without_answer(
    bridge: TestClient, wired: dict[str, Any], number: str, cause: str
) -> None:
    ws, _ = await connect(bridge, wired["token"])
    await dial(bridge, wired, number)
    ringing, ended = await events(ws, 2)
    assert (ringing["name"], ended["name"]) == ("call_ringing", "call_ended")
    assert (ended["data"]["answered"], ended["data"]["hangup_cause"], ended["data"]["bill_ms"]) == (
        False,
        cause,
        0,
    )
    await ws.close()


async def test_an_inbound_queue_call_rings_the_agent(
    bridge: TestClient, wired: dict[str, Any], session: aiohttp.ClientSession
) -> None:
    ws, _ = await connect(bridge, wired["token"])
    inbound = {
        "user_id": wired["user_id"],
        "caller": "+442071838750",
        "caller_name": "Jane Roe",
        "queue_id": 3,
        **FAST,
    }
    call_id = (await sim(session, wired, "POST", "/_sim/inbound", inbound))["call_id"]
    received = await events(ws, 5)
    assert [m["name"] for m in received] == [
        "call_ringing",
        "call_answered",
        "agent_state",
        "call_ended",
        "agent_state",
    ]
    data = received[0]["data"]
    assert data == {
        "call_id": call_id,
        "uuid": None,
        "direction": "inbound",
        "number": "+442071838750",
        "display": "+44 20 7183 8750",
        "caller_name": "Jane Roe",
        "queue": "3",
        "queue_name": None,  # the tenant names no queue 3
        "lead_id": None,
    }
    await ws.close()


async def test_checking_in_through_the_bridge_and_the_dialers_own_events_agree(
    bridge: TestClient, wired: dict[str, Any], session: aiohttp.ClientSession
) -> None:
    ws, _ = await connect(bridge, wired["token"])
    await bridge.post("/api/v1/agent/check-in", json={}, headers=wired["headers"])
    await bridge.post("/api/v1/agent/pause", json={"reason": "Break"}, headers=wired["headers"])
    # the simulator pushes agent:checkin, agent:status twice; they confirm what is known
    await wait_for_sent(session, wired, 3)
    await bridge.post("/api/v1/agent/resume", json={}, headers=wired["headers"])
    states = [m["data"]["state"] for m in await events(ws, 3)]
    assert states == ["available", "paused", "available"]
    await ws.close()


async def test_a_redelivered_event_reaches_nobody_twice(
    bridge: TestClient, wired: dict[str, Any], session: aiohttp.ClientSession
) -> None:
    ws, _ = await connect(bridge, wired["token"])
    await sim(session, wired, "PUT", "/_sim/call_plan", {"outcome": "busy", **FAST})
    await dial(bridge, wired, "2025550143")
    await events(ws, 2)  # ringing, ended
    await wait_for_sent(session, wired, 2)
    await sim(session, wired, "POST", "/_sim/events/redeliver", {"index": 0})  # call:ring again
    await wait_for_sent(session, wired, 3)
    second = await dial(bridge, wired, "2025550199")
    [next_event, _] = await events(ws, 2)
    assert (next_event["name"], next_event["data"]["call_id"]) == ("call_ringing", second)
    await ws.close()


async def wait_for_sent(session: aiohttp.ClientSession, wired: dict[str, Any], count: int) -> None:
    """Until the simulator has delivered ``count`` events (the bridge answered each)."""
    for _ in range(200):
        if len((await sim(session, wired, "GET", "/_sim/events"))["sent"]) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the simulator did not deliver {count} events")

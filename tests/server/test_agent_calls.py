"""The agent's recent calls (``GET /api/v1/agent/calls``): that agent's only, newest first,
each with what became of it in one word."""

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.events.call_outcomes import call_outcome
from tests.databases import BOTH_DATABASES
from tests.events_support import push, push_path, set_dialer_ids
from tests.support import login

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

OUTBOUND = {"type": "outbound", "src_user_id": 7}


@pytest.mark.parametrize(
    ("direction", "answered", "cause", "outcome"),
    [
        ("outbound", True, "NORMAL_CLEARING", "answered"),
        ("inbound", True, "NORMAL_CLEARING", "answered"),
        ("inbound", False, "ORIGINATOR_CANCEL", "missed"),
        ("inbound", False, None, "missed"),
        ("outbound", False, "USER_BUSY", "busy"),
        ("outbound", False, "CALL_REJECTED", "busy"),
        ("outbound", False, "NO_ANSWER", "no_answer"),
        ("outbound", False, "NO_USER_RESPONSE", "no_answer"),
        ("outbound", False, "ALLOTTED_TIMEOUT", "no_answer"),
        ("outbound", False, "ORIGINATOR_CANCEL", "cancelled"),
        ("internal", False, "NORMAL_CLEARING", "cancelled"),
        ("outbound", False, "UNALLOCATED_NUMBER", "failed"),
        ("outbound", False, "NORMAL_TEMPORARY_FAILURE", "failed"),
        ("outbound", False, None, "failed"),
    ],
)
def test_each_hang_up_cause_has_an_outcome(
    direction: str, answered: bool, cause: str | None, outcome: str
) -> None:
    got = call_outcome(state="ended", answered=answered, direction=direction, hangup_cause=cause)
    assert got == outcome


def test_a_call_not_over_has_no_outcome_yet() -> None:
    for state in ("ringing", "answered"):
        assert (
            call_outcome(state=state, answered=True, direction="outbound", hangup_cause=None)
            is None
        )


async def _call(
    bridge: TestClient, path: str, call_id: str, ts: int, *events: tuple[str, dict[str, Any]]
) -> None:
    for name, extra in events:
        await push(bridge, path, name, call_id=call_id, ts=ts, **{**OUTBOUND, **extra})


async def test_the_agents_recent_calls_newest_first_with_their_outcome(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    await set_dialer_ids(bridge, api_key, user_id="7")
    path = await push_path(bridge)
    ring = ("call:ring", {"dst_num": "3125550178"})
    end = ("call:end", {"dst_num": "3125550178"})
    await _call(
        bridge,
        path,
        "answered",
        1_795_430_000,
        ring,
        ("call:answer", {}),
        ("call:end", {"durationms": 63000, "billms": 60000, "hangup_cause": "NORMAL_CLEARING"}),
    )
    await _call(bridge, path, "busy", 1_795_430_100, ring, (end[0], {"hangup_cause": "USER_BUSY"}))
    await _call(
        bridge,
        path,
        "missed",
        1_795_430_200,
        ("call:ring", {"type": "queue", "cid_num": "+442079460018", "cid_name": "Jane Roe"}),
        ("call:end", {"type": "queue", "canceled": "TIMEOUT", "cid_num": "+442079460018"}),
    )
    await _call(bridge, path, "ringing", 1_795_430_300, ring)
    await _call(  # another agent's
        bridge, path, "theirs", 1_795_430_400, ("call:ring", {"src_user_id": 8, "dst_num": "1"})
    )
    headers = {"Authorization": f"Bearer {await login(bridge)}"}

    response = await bridge.get("/api/v1/agent/calls", headers=headers)
    assert response.status == 200, await response.text()
    found = (await response.json())["calls"]
    assert [(c["call_id"], c["outcome"]) for c in found] == [
        ("ringing", None),
        ("missed", "missed"),
        ("busy", "busy"),
        ("answered", "answered"),
    ]
    missed, answered = found[1], found[3]
    assert missed == {
        "call_id": "missed",
        "direction": "inbound",
        "number": "+442079460018",
        "display": "+44 20 7946 0018",
        "caller_name": "Jane Roe",
        "queue_name": None,
        "started_at": "2026-11-23T10:36:40.000Z",
        "answered_at": None,
        "ended_at": "2026-11-23T10:36:40.000Z",
        "duration_ms": None,
        "outcome": "missed",
        "hangup_cause": "TIMEOUT",
    }
    assert (answered["display"], answered["duration_ms"], answered["hangup_cause"]) == (
        "+1 312-555-0178",
        63000,
        "NORMAL_CLEARING",
    )
    assert answered["answered_at"] == "2026-11-23T10:33:20.000Z"

    response = await bridge.get("/api/v1/agent/calls?limit=2", headers=headers)
    assert [c["call_id"] for c in (await response.json())["calls"]] == ["ringing", "missed"]


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-1"])
async def test_a_limit_from_1_to_50(bridge: TestClient, limit: str) -> None:
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    response = await bridge.get(f"/api/v1/agent/calls?limit={limit}", headers=headers)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_query"


async def test_recent_calls_need_a_logged_in_agent(bridge: TestClient) -> None:
    response = await bridge.get("/api/v1/agent/calls")
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "not_logged_in"

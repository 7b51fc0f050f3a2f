"""The call model: events in any order, or twice, leave the same call."""

import itertools
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient

from bridge import CallUpdate
from server.events.agent_model import AgentState
from server.events.call_model import Call, agent_news, merge
from tests.events_support import calls, push, push_path, set_dialer_ids

RING = CallUpdate(
    "c1",
    "ringing",
    100.0,
    direction="outbound",
    number="+12025550143",
    progressms=120,
    lead_id="L1",
)
ANSWER = CallUpdate("c1", "answered", 103.0, direction="outbound", number="+12025550143")
END = CallUpdate(
    "c1",
    "ended",
    163.0,
    direction="outbound",
    number="+12025550143",
    waitms=3000,
    durationms=63000,
    billms=60000,
    hangup_cause="NORMAL_CLEARING",
)
MISSED_END = CallUpdate(
    "c1", "ended", 130.0, direction="outbound", durationms=30000, billms=0, hangup_cause="NO_ANSWER"
)


def fold(updates: list[CallUpdate], agent_id: int | None = 5) -> tuple[Call, list[str]]:
    """The call after ``updates``, and the stream events its agent got on the way."""
    call: Call | None = None
    told: list[str] = []
    for update in updates:
        call = merge("acme", "rest", call, update, agent_id)
        news = agent_news(call)
        if news:
            told.append(news)
            call = replace(call, notified=call.state)
    assert call is not None
    return call, told


def test_in_order_the_agent_hears_ring_answer_end() -> None:
    call, told = fold([RING, ANSWER, END])
    assert told == ["call_ringing", "call_answered", "call_ended"]
    assert (call.state, call.answered, call.started_at, call.answered_at, call.ended_at) == (
        "ended",
        True,
        100.0,
        103.0,
        163.0,
    )
    assert (call.durationms, call.billms, call.progressms, call.lead_id) == (
        63000,
        60000,
        120,
        "L1",
    )


@pytest.mark.parametrize("order", list(itertools.permutations([RING, ANSWER, END])))
def test_any_order_and_any_repeat_gives_the_same_call(order: tuple[CallUpdate, ...]) -> None:
    expected, _ = fold([RING, ANSWER, END])
    call, told = fold([*order, *order])
    assert replace(call, notified=None) == replace(expected, notified=None)
    assert told[-1] == "call_ended"
    assert len(told) == len(set(told))  # never told twice


def test_a_call_never_answered_ends_without_answer() -> None:
    call, told = fold([RING, MISSED_END, RING])
    assert (call.state, call.answered, call.hangup_cause) == ("ended", False, "NO_ANSWER")
    assert told == ["call_ringing", "call_ended"]


def test_a_missed_answer_event_is_read_from_the_bill_time() -> None:
    call, told = fold([RING, END])
    assert call.answered
    assert told == ["call_ringing", "call_ended"]


def test_nobody_is_told_until_the_agent_is_known() -> None:
    call, told = fold([RING], agent_id=None)
    assert told == []
    call = merge("acme", "rest", call, ANSWER, 9)
    assert (call.agent_id, agent_news(call)) == (9, "call_answered")


def test_the_agent_is_in_call_then_wraps_up_an_answered_call() -> None:
    agent = AgentState(checked_in=True, queues=("1",))
    answered, _ = fold([RING, ANSWER])
    agent = agent.following(answered, wrapup_seconds=120, now=1000.0)
    assert agent.data() == {
        "state": "in_call",
        "pause_reason": None,
        "queues": ["1"],
        "since": None,
        "wrapup": None,
    }
    ended, _ = fold([RING, ANSWER, END])
    agent = agent.following(ended, wrapup_seconds=120, now=1000.0)
    assert agent.name == "wrap_up"
    assert agent.data()["wrapup"] == {
        "call_id": "c1",
        "display": "+1 202-555-0143",
        "number": "+12025550143",
        "direction": "outbound",
        "caller_name": "",
        "ended_at": "1970-01-01T00:02:43.000Z",
        "deadline": "1970-01-01T00:18:40.000Z",
    }
    assert agent.wrapped_up("c1").name == "available"
    assert agent.wrapped_up("c2").name == "wrap_up"  # another call's: still pending
    assert agent.wrap_up_expired(1119.0).name == "wrap_up"
    assert agent.wrap_up_expired(1120.0).name == "available"
    assert agent.paused("Lunch").wrapped_up("c1").data()["state"] == "paused"


def test_no_wrap_up_when_the_tenant_wants_none_and_a_new_call_ends_the_pending_one() -> None:
    ended, _ = fold([RING, ANSWER, END])
    agent = AgentState(checked_in=True, call_id="c1")
    assert agent.following(ended, wrapup_seconds=0, now=1000.0).name == "available"
    waiting = agent.following(ended, wrapup_seconds=60, now=1000.0)
    second = replace(ended, call_id="c2", state="answered")
    assert waiting.following(second, wrapup_seconds=60, now=1001.0).wrapup is None


def test_an_unanswered_call_needs_no_wrap_up() -> None:
    ended, _ = fold([RING, MISSED_END])
    following = AgentState(checked_in=True).following(ended, wrapup_seconds=120, now=1.0)
    assert following.name == "available"


async def test_events_reversed_on_the_wire_leave_the_call_as_in_order(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    path = await push_path(bridge)
    await set_dialer_ids(bridge, api_key, user_id="7")
    base = {"type": "outbound", "dst_num": "2025550143", "src_user_id": 7}
    events = [
        ("call:ring", {"ts": 100, "progressms": 90}),
        ("call:answer", {"ts": 102}),
        (
            "call:end",
            {"ts": 160, "durationms": 60000, "billms": 58000, "hangup_cause": "NORMAL_CLEARING"},
        ),
    ]
    for call_id, ordered in (("forward", events), ("backward", events[::-1])):
        for name, data in ordered:
            await push(bridge, path, name, call_id=call_id, **base, **data)
    found = {call["call_id"]: call for call in await calls(bridge, api_key)}
    forward, backward = found.pop("forward"), found.pop("backward")
    assert {**forward, "call_id": "-"} == {**backward, "call_id": "-"}
    assert (forward["state"], forward["answered"], forward["agent"]) == ("ended", True, "agent1")

"""Each dialer's pushes read into the bridge's events by its own package, with no server:
pure functions from the raw push to a `PushedEvent` (the receivers are tested over HTTP
in test_event_receiver.py)."""

import json

import pytest

from bridge import AgentEvent, CallUpdate, EventRefused
from bridge.euphoria import events as euphoria
from bridge.rest import events as rest


def rest_push(event: str, **data: object) -> bytes:
    return json.dumps({"event": event, "data": data}).encode()


@pytest.mark.parametrize(
    ("event", "data", "expected"),
    [
        (
            "agent:checkin",
            {"user_id": 7, "device_id": 3},
            AgentEvent("7", checked_in=True, device_id="3"),
        ),
        ("agent:checkout", {"user_id": "7", "device_id": 3}, AgentEvent("7", checked_in=False)),
        ("queue:join", {"user_id": 7, "queues": [4, "5"]}, AgentEvent("7", joined=("4", "5"))),
        ("queue:leave", {"user_id": 7, "queues": []}, AgentEvent("7", left=())),
        (
            "agent:status",
            {"user_id": 7, "in_calls": 0, "pause_id": 2},
            AgentEvent("7", checked_in=False, pause_id=2),
        ),
        ("agent:status", {"user_id": 7}, AgentEvent("7")),
    ],
)
def test_rest_queue_events_are_agent_events(
    event: str, data: dict[str, object], expected: AgentEvent
) -> None:
    pushed = rest.read(rest_push(event, **data))
    assert (pushed.name, pushed.change) == (event, expected)


def test_rest_variables_are_kept_as_read_and_unknown_ones_dropped() -> None:
    pushed = rest.read(rest_push("agent:checkin", user_id=7, device_id="3", mood="fine"))
    assert pushed.variables == {"user_id": "7", "device_id": "3"}


def test_a_rest_call_event_keeps_the_remote_number_as_written() -> None:
    pushed = rest.read(
        rest_push("call:ring", call_id="c1", type="inbound", cid_num="020 7183 8750", ts=5)
    )
    assert isinstance(pushed.change, CallUpdate)
    assert (pushed.change.call_id, pushed.change.state, pushed.change.number) == (
        "c1",
        "ringing",
        "020 7183 8750",
    )
    assert pushed.change.direction == "inbound" and pushed.change.at == 5


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{", "invalid_json"),
        (rest_push("call:hold", call_id="c1"), "unknown_event"),
        (rest_push("call:end"), "invalid_event"),
        (rest_push("agent:checkin"), "invalid_event"),
    ],
)
def test_what_rest_pushes_wrong_is_refused_with_a_code(raw: bytes, code: str) -> None:
    with pytest.raises(EventRefused) as refused:
        rest.read(raw)
    assert refused.value.code == code


def test_a_euphoria_webhook_keeps_its_variables_and_nothing_else() -> None:
    params = {
        "event": "answer",
        "CALL_SIPID": "sip-1",
        "CALL_DIR": "incoming",
        "CALLERID_NUMBER": "+442071838750",
        "CALL_QUEUE": "{CALL_QUEUE}",
        "extra": "dropped",
    }
    pushed = euphoria.read(params)
    assert pushed.name == "answer"
    assert pushed.variables == {k: v for k, v in params.items() if k != "extra"}
    assert isinstance(pushed.change, CallUpdate)
    assert (pushed.change.state, pushed.change.direction, pushed.change.queue) == (
        "answered",
        "inbound",
        None,  # left unexpanded by Euphoria
    )
    assert pushed.change.number == "+442071838750"


def test_a_euphoria_webhook_without_its_call_is_refused() -> None:
    with pytest.raises(EventRefused, match="CALL_SIPID is required"):
        euphoria.read({"event": "end"})

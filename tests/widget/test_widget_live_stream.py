"""The widget's live-stream logic (widget/live_stream.py) on CPython and MicroPython."""

import asyncio
import json
import shutil
import subprocess

import pytest

from tests.support import ROOT

MODULES = [
    ROOT / "widget" / n
    for n in ("messages.py", "protocol.py", "session_state.py", "live_stream.py")
]
SCENARIO = ROOT / "tests" / "micropython" / "stream_scenario.py"
RUNNER = ROOT / "tests" / "micropython" / "run.mjs"


def _on_micropython() -> list:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run MicroPython; ./dev setup installs the project's tools")
    code = "import json, stream_scenario\nprint(json.dumps(await stream_scenario.run()))"
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [node, str(RUNNER), code, *map(str, [*MODULES, SCENARIO])],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_stream_resumes_without_loss_or_doubles_identically_on_both_runtimes() -> None:
    import tests.micropython.stream_scenario as scenario

    results = json.loads(json.dumps(asyncio.run(scenario.run())))
    assert _on_micropython() == results

    assert results[0] == {"type": "hello", "token": "t-1", "after": None}
    welcome, ringing, answered = results[1:4]
    # After each welcome the CRM page gets a snapshot: no call, no agent state, no wrap-up.
    assert welcome[0] == [
        {
            "channel": "crm-bridge",
            "protocol": 1,
            "event": "call_state",
            "call": None,
            "agent_state": None,
            "wrapup": None,
        }
    ]
    assert ringing[0] == [
        {
            "channel": "crm-bridge",
            "protocol": 1,
            "event": "call_ringing",
            "call_id": "c-7",
            "uuid": "u-1",
            "direction": "outbound",
            "number": "+12025550143",
            "display": None,
            "caller_name": None,
            "queue": None,
            "queue_name": None,
            "lead_id": "42",
        }
    ]
    assert (ringing[1]["call-state"], ringing[1]["call-headline"]) == (
        "ringing",
        "Waiting for an answer",
    )
    assert ringing[1]["call-number"] == "+12025550143"
    assert answered[0][0]["event"] == "call_answered"
    assert (answered[1]["call-state"], answered[1]["call-timer"]) == ("connected", "1:12")

    assert results[4] == {"type": "hello", "token": "t-1", "after": 12}
    snapshot, repeated, ended, agent, inbound, unknown, other_ended, refused = results[5:13]
    # The reconnected stream's snapshot names the call under way.
    assert snapshot[0][0]["call"]["call_id"] == "c-7"
    assert repeated[0] == []
    assert ended[0][0]["event"] == "call_ended"
    assert {k: ended[0][0][k] for k in ("duration_ms", "bill_ms", "hangup_cause")} == {
        "duration_ms": 65000,
        "bill_ms": 61000,
        "hangup_cause": "NORMAL_CLEARING",
    }
    assert "answered" not in ended[0][0]
    assert ended[1]["call-state"] == "ended"
    assert ended[1]["call-headline"] == "Hung up"  # never the raw cause
    assert ended[1]["call-timer"] == "1:05"
    assert agent[0][0]["state"] == "paused"
    assert agent[0][0]["since"] == "1970-01-01T00:02:00.250Z"
    assert (agent[1]["agent-state"], agent[1]["agent-since"]) == ("Paused · Lunch", "1:19")
    assert "uuid" not in inbound[0][0]
    assert inbound[1]["call-headline"] == "Incoming call"
    assert (inbound[1]["call-number"], inbound[1]["call-name"]) == ("+1 555-0100", "Ada")
    assert unknown[0] == []
    assert other_ended[0][0]["call_id"] == "c-9"  # told to the CRM, but the panel keeps
    assert other_ended[1]["call-name"] == "Ada"  # the ringing call
    assert refused[1]["error"] == "Call progress cannot be shown right now"
    assert refused[1]["error-code"] == "live_events: the session has ended"
    assert results[13]["call_id"] == "c-7"  # the ended call waits for its wrap-up

    assert results[14] == [0.5, 1.5, 3.998, 5.0, 4.0, 4.0, 0.5]
    assert results[15]["call-headline"] == "Call progress is not shown for this phone system"
    assert results[16] == {"type": "hello", "token": "t-2", "after": 20}  # the welcome's cursor

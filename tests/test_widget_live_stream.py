"""The widget's live-stream logic (widget/live_stream.py) on CPython and MicroPython."""

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = [ROOT / "widget" / n for n in ("protocol.py", "session_state.py", "live_stream.py")]
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
    assert welcome[0] == []
    assert ringing[0] == [
        {
            "channel": "crm-bridge",
            "protocol": 1,
            "event": "call_ringing",
            "call_id": "c-7",
            "uuid": "u-1",
            "direction": "outbound",
            "number": "+12025550143",
            "caller_name": None,
            "queue": None,
            "lead_id": "42",
        }
    ]
    assert ringing[1]["live-call"] == "Ringing to +12025550143"
    assert answered[0][0]["event"] == "call_answered"
    assert answered[1]["live-call"] == "Connected to +12025550143 · 1:12"

    assert results[4] == {"type": "hello", "token": "t-1", "after": 12}
    _, repeated, ended, agent, inbound, unknown, other_ended, refused = results[5:13]
    assert repeated[0] == []
    assert ended[0][0]["event"] == "call_ended"
    assert {k: ended[0][0][k] for k in ("duration_ms", "bill_ms", "hangup_cause")} == {
        "duration_ms": 65000,
        "bill_ms": 61000,
        "hangup_cause": "NORMAL_CLEARING",
    }
    assert "answered" not in ended[0][0]
    assert ended[1]["live-call"] == "Ended to +12025550143 after 1:05 (NORMAL_CLEARING)"
    assert agent[0] == [
        {
            "channel": "crm-bridge",
            "protocol": 1,
            "event": "agent_state",
            "state": "paused",
            "pause_reason": "Lunch",
            "queues": ["5", "7"],
        }
    ]
    assert agent[1]["agent-state"] == "Paused (Lunch) · queues 5, 7"
    assert "uuid" not in inbound[0][0]
    assert inbound[1]["live-call"] == "Ringing from +15550100 (Ada)"
    assert unknown[0] == []
    assert other_ended[0][0]["call_id"] == "c-9"  # told to the CRM, but the panel keeps
    assert other_ended[1]["live-call"] == "Ringing from +15550100 (Ada)"  # the ringing call
    assert refused[1]["error"] == "live events: the session has ended"
    assert results[13] == "c-7"

    assert results[14] == [0.5, 1.5, 3.998, 5.0, 4.0, 4.0, 0.5]
    assert results[15]["live-call"] == "Live call status is not available for this dialer"
    assert results[16] == {"type": "hello", "token": "t-2", "after": 20}  # the welcome's cursor

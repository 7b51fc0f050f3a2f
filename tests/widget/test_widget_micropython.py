"""The widget's pure modules behave the same on MicroPython (the browser default) as on CPython."""

import asyncio
import json
import shutil
import subprocess

import pytest

from tests.support import ROOT

MODULES = [
    ROOT / "widget" / n for n in ("messages.py", "protocol.py", "session_state.py", "controller.py")
]
SCENARIO = ROOT / "tests" / "micropython" / "scenario.py"


def test_a_session_runs_identically_on_micropython() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run MicroPython; ./dev setup installs the project's tools")
    code = "import json, scenario\nprint(json.dumps(await scenario.run()))"
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [
            node,
            str(ROOT / "tests" / "micropython" / "run.mjs"),
            code,
            *map(str, [*MODULES, SCENARIO]),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    on_micropython = json.loads(completed.stdout.strip().splitlines()[-1])

    import tests.micropython.scenario as scenario

    on_cpython = json.loads(json.dumps(asyncio.run(scenario.run())))
    assert on_micropython == on_cpython
    events = [outcome["event"] for outcome, *_ in on_cpython[:-1]]
    assert on_cpython[6][0]["code"] == "invalid_message"  # {type: "click_to_call"}
    requests = [is_request for _, _, is_request in on_cpython[:-1]]
    assert requests == [True] * 7 + [False] + [True] * 5
    assert events == [
        *("error", "error", "logged_in", "call_originated", "error", "error", "error", "error"),
        *("recording_ready", "error", "error", "logged_out", "error"),
    ]

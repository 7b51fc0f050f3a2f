"""The widget's side of the Integration Centre: ``crm_tag`` on click_to_call, the
``run_webhook`` request, the ``screen_pop`` and ``lookup_result`` events; and the queue
picker's state.

The pure logic runs under CPython and MicroPython (tests/micropython/webhook_scenario.py).
The HTTP side runs the real `ServerApi` against a small server that answers as the
bridge's ``POST /api/v1/webhooks/run`` and ``POST /api/v1/calls`` are specified to
(docs/protocol.md); the bridge's own endpoints are built and tested separately.
"""

import asyncio
import json
import shutil
import subprocess
from typing import Any

import protocol
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from controller import Controller
from server_api import ServerApi
from session_state import SessionState, web_url

from tests.support import ROOT
from tests.widget_support import fetch_through

MODULES = [
    ROOT / "widget" / n
    for n in ("messages.py", "protocol.py", "session_state.py", "live_stream.py", "controller.py")
]
SCENARIO = ROOT / "tests" / "micropython" / "webhook_scenario.py"


def _on_micropython() -> list[Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run MicroPython; ./dev setup installs the project's tools")
    code = "import json, webhook_scenario\nprint(json.dumps(await webhook_scenario.run()))"
    runner = ROOT / "tests" / "micropython" / "run.mjs"
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [node, str(runner), code, *map(str, [*MODULES, SCENARIO])],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def results() -> list[Any]:
    import tests.micropython.webhook_scenario as scenario

    on_cpython = json.loads(json.dumps(asyncio.run(scenario.run())))
    assert _on_micropython() == on_cpython
    return on_cpython


def test_requests_carry_crm_tag_and_run_webhooks(results: list[Any]) -> None:
    not_logged_in, _, tagged, untagged, too_long, nameless, started, refused = results[:8]
    assert (not_logged_in["event"], not_logged_in["code"]) == ("error", "not_logged_in")
    assert (tagged["event"], untagged["event"]) == ("call_originated", "call_originated")
    assert too_long["code"] == "invalid_message"
    assert too_long["message"] == "click_to_call: 'crm_tag' must be at most 100 characters"
    assert nameless["message"] == "run_webhook needs 'webhook' as non-empty text"
    assert started == {
        "channel": "crm-bridge",
        "protocol": 1,
        "event": "webhook_started",
        "request_id": 3,
        "delivery_id": 41,
        "webhook": "Find contact",
        "call_id": "c-1",
    }
    assert {k: refused[k] for k in ("event", "request_id", "code", "action")} == {
        "event": "error",
        "request_id": 4,
        "code": "unknown_webhook",
        "action": "run_webhook",
    }
    assert results[8] == [
        ["call", "2025550143", "deal-42"],
        ["call", "2025550144", ""],
        ["webhook", "t-1", {"webhook": "Find contact", "call_id": "c-1"}],
        ["webhook", "t-1", {"webhook": "Missing", "dynamic_parameter": "7"}],
    ]


def test_screen_pops_are_forwarded_and_shown_as_http_links_only(results: list[Any]) -> None:
    _, _, pop, _, bad_pop, _, other_call, _ = results[9:17]
    assert pop[0] == [
        {
            "channel": "crm-bridge",
            "protocol": 1,
            "event": "screen_pop",
            "url": "https://crm.test/c?id=1",
            "webhook": "Pop",
            "call_id": "c-1",
        }
    ]
    assert pop[1] == {"url": "https://crm.test/c?id=1", "text": "Pop"}  # the webhook's name
    assert bad_pop[0][0]["url"] == "javascript:alert(1)"  # the CRM page decides for itself
    assert bad_pop[1] is None  # but the widget never makes it a link
    assert other_call[1] is None  # another call's pop waits for no one


def test_lookup_results_are_forwarded_and_shown_as_plain_text(results: list[Any]) -> None:
    ringing, _, lookup, _, failed, other_call, _ = results[10:17]
    assert ringing[2] == []
    assert lookup[0][0]["event"] == "lookup_result"
    assert lookup[0][0]["records"][0] == {"name": "<b>Ada</b>", "note": None, "orders": 3}
    found = {
        "caption": "Find contact",
        "columns": ["Name", "Note", "Orders"],  # no labels sent: the keys, prettified
        "rows": [["<b>Ada</b>", "", "3"], ["Bo", "x" * 199 + "…", "true"]],
        "error": "",
        "details": "",
    }
    assert lookup[2] == [found]
    # A failed lookup shows in plain words beside the other's records, which stay.
    assert failed[2] == [
        found,
        {
            "caption": "Find",
            "columns": ["A"],
            "rows": [],
            "error": "The lookup did not work; try again later",
            "details": "the CRM answered HTTP 500",
        },
    ]
    assert other_call[2] == failed[2]  # a screen pop of another call leaves it alone


def test_the_queue_picker_follows_the_agents_queues(results: list[Any]) -> None:
    text, chosen, controls = results[17]
    assert text == "Available"
    assert chosen == ["7", "9"]
    assert controls["queue-controls"] is True
    assert controls["screen-pop"] is False  # the last pop was another call's
    assert SessionState().controls()["queue-controls"] is False


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://crm.test/x", True),
        ("HTTP://crm.test/x", True),
        ("javascript:alert(1)", False),
        (" https://crm.test/x", False),
        ("https://crm.test/a b", False),
        ("https://crm.test/\nx", False),
        ("data:text/html,x", False),
        ("//crm.test/x", False),
        ("https://", False),
        ("https://crm.test/" + "x" * 2100, False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url: Any, shown: bool) -> None:
    assert bool(web_url(url)) is shown


def contract_server(seen: list[dict[str, Any]]) -> web.Application:
    """Answers as docs/protocol.md specifies the bridge's two endpoints the widget uses."""

    async def run(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append({"path": request.path, "auth": request.headers["Authorization"], **body})
        if body["webhook"] == "Missing":
            error = {"code": "unknown_webhook", "message": "no webhook named 'Missing'"}
            return web.json_response({"error": error}, status=404)
        return web.json_response({"delivery_id": 7, "webhook": body["webhook"]}, status=202)

    async def call(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append({"path": request.path, **body})
        return web.json_response({"uuid": "u-9", "destination": "+1202", "display": "+1 202"})

    async def login(_request: web.Request) -> web.Response:
        return web.json_response({"token": "tok", "agent": {"username": "a", "extension": ""}})

    app = web.Application()
    app.router.add_post("/api/v1/webhooks/run", run)
    app.router.add_post("/api/v1/calls", call)
    app.router.add_post("/api/v1/tenants/acme/sessions", login)
    return app


async def test_the_requests_reach_the_bridge_as_specified(aiohttp_client: Any) -> None:
    seen: list[dict[str, Any]] = []
    client: TestClient = await aiohttp_client(contract_server(seen))
    controller = Controller(ServerApi("", "acme", fetch_through(client)), SessionState())
    await controller.handle({"action": "login", "username": "a", "password": "p"})
    await controller.handle({"action": "click_to_call", "phone_number": "202", "crm_tag": "d-1"})
    started = await controller.handle(
        {"action": "run_webhook", "webhook": "Find", "dynamic_parameter": "x", "request_id": "r"}
    )
    refused = await controller.handle({"action": "run_webhook", "webhook": "Missing"})
    assert seen == [
        {"path": "/api/v1/calls", "phone_code": "", "phone_number": "202", "crm_tag": "d-1"},
        {"path": "/api/v1/webhooks/run", "auth": "Bearer tok", "webhook": "Find"}
        | {"dynamic_parameter": "x"},
        {"path": "/api/v1/webhooks/run", "auth": "Bearer tok", "webhook": "Missing"},
    ]
    assert (started["event"], started["delivery_id"], started["call_id"]) == (
        protocol.WEBHOOK_STARTED,
        7,
        None,
    )
    assert (refused["event"], refused["code"]) == ("error", "unknown_webhook")

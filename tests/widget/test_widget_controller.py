"""The widget's request handling (controller + server_api) against the real bridge server.

The browser's fetch is replaced by one made of aiohttp with the same shape; everything
else - the widget logic, the server, the REST simulator - is the real thing.
"""

import json

import aiohttp
import protocol
from aiohttp.test_utils import TestClient, TestServer
from controller import Controller
from server_api import ServerApi
from session_state import SessionState

from server.keys import AGENTS
from tests.support import AGENT, REST_API_KEY, TENANT, rest_state
from tests.widget_support import FetchAnswer, widget


async def test_login_then_click_to_call_reaches_the_dialer(
    bridge: TestClient, rest_simulator: TestServer
) -> None:
    controller = widget(bridge)
    logged_in = await controller.handle(
        {"action": "login", **AGENT, "phone_pass": "x", "request_id": "a"}
    )
    assert logged_in == {
        "channel": "crm-bridge",
        "protocol": 1,
        "event": "logged_in",
        "request_id": "a",
        "username": "agent1",
        "extension": "1001",
    }
    called = await controller.handle(
        {
            "action": "click_to_call",
            "phone_code": "1",
            "phone_number": "2025550143",
            "request_id": "b",
        }
    )
    assert called["event"] == "call_originated"
    assert called["destination"] == "+12025550143"
    assert (called["display"], called["source"]) == ("+1 202-555-0143", "crm")
    [call] = rest_state(rest_simulator).calls
    assert call.uuid == called["uuid"]
    assert call.destination == "12025550143"
    assert call.extension == "1001"
    assert controller.state.view()["call-headline"] == "Call placed to +1 202-555-0143"


async def test_wrong_password_is_an_error_event(bridge: TestClient) -> None:
    controller = widget(bridge)
    outcome = await controller.handle(
        {"action": "login", "username": "agent1", "password": "nope", "request_id": 3}
    )
    assert outcome["event"] == "error"
    assert outcome["code"] == "invalid_credentials"
    assert outcome["request_id"] == 3
    assert outcome["action"] == "login"
    assert controller.state.token is None


async def test_click_to_call_after_logout_is_refused_without_reaching_the_dialer(
    bridge: TestClient, rest_simulator: TestServer
) -> None:
    controller = widget(bridge)
    await controller.handle({"action": "login", **AGENT})
    token = controller.state.token
    assert (await controller.handle({"action": "logout"}))["event"] == protocol.LOGGED_OUT
    refused = await controller.handle({"action": "click_to_call", "phone_number": "2025550143"})
    assert refused["code"] == protocol.NOT_LOGGED_IN
    assert rest_state(rest_simulator).calls == []
    # the token the widget held is dead on the server too
    response = await bridge.post(
        "/api/v1/calls",
        json={"phone_code": "1", "phone_number": "2025550143"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 401


async def test_a_dialer_refusal_is_an_error_event_with_the_dialer_text(
    bridge: TestClient, rest_simulator: TestServer
) -> None:
    await bridge.app[AGENTS].save(
        TENANT, "agent1", full_name="Agent One", extension="1001", allowed_extensions=("7777",)
    )
    controller = widget(bridge)
    await controller.handle({"action": "login", **AGENT, "extension": "7777"})
    outcome = await controller.handle(
        {"action": "click_to_call", "phone_code": "1", "phone_number": "2025550143"}
    )
    assert outcome["code"] == "dialer_rejected"
    assert "extension 7777 is not routed" in outcome["message"]
    assert REST_API_KEY not in json.dumps(outcome)
    assert controller.state.logged_in  # a refused call does not end the session


async def test_an_unreachable_server_is_reported(bridge: TestClient) -> None:
    async def broken_fetch(url: str, **options: object) -> FetchAnswer:
        raise OSError("network down")

    controller = Controller(ServerApi("", TENANT, broken_fetch), SessionState())
    outcome = await controller.handle({"action": "login", **AGENT})
    assert outcome["code"] == protocol.SERVER_UNREACHABLE


async def test_a_malformed_message_gets_an_error_event(bridge: TestClient) -> None:
    outcome = await widget(bridge).handle({"action": "click_to_call", "request_id": "x"})
    assert outcome["code"] == protocol.INVALID_MESSAGE
    assert outcome["request_id"] == "x"


async def dialer_requests(session: aiohttp.ClientSession, *simulators: TestServer) -> list[dict]:
    """What reached the dialers, from each simulator's request log."""
    received = []
    for simulator in simulators:
        async with session.get(simulator.make_url("/_sim/requests")) as response:
            received += [{**row, "at": 0} for row in await response.json()]
    return received


async def test_login_and_logout_reach_no_dialer_a_call_one_originate(
    bridge: TestClient,
    rest_simulator: TestServer,
    euphoria_simulator: TestServer,
    elision_simulator: TestServer,
    session: aiohttp.ClientSession,
) -> None:
    dialers = (rest_simulator, euphoria_simulator, elision_simulator)
    controller = widget(bridge)
    assert (await controller.handle({"action": "login", **AGENT}))["event"] == protocol.LOGGED_IN
    assert await dialer_requests(session, *dialers) == []
    await controller.handle({"action": "click_to_call", "phone_code": "1", "phone_number": 1})
    await controller.handle({"action": "click_to_call", "phone_number": "2025550143"})
    received = await dialer_requests(session, *dialers)
    assert [(r["method"], r["path"]) for r in received] == [("GET", "/api/cc_agent/originate")]
    assert (await controller.handle({"action": "logout"}))["event"] == protocol.LOGGED_OUT
    assert await dialer_requests(session, *dialers) == received


async def test_login_with_a_token_from_the_crm_back_end(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    issued = await bridge.post(
        "/api/v1/crm/login-tokens", json={"username": AGENT["username"]}, headers=api_key
    )
    token = (await issued.json())["token"]
    controller = widget(bridge)
    logged_in = await controller.handle({"action": "login", "token": token, "request_id": 1})
    assert logged_in["event"] == "logged_in"
    assert (logged_in["username"], logged_in["extension"]) == ("agent1", "1001")
    again = await widget(bridge).handle({"action": "login", "token": token, "request_id": 2})
    assert (again["event"], again["code"]) == ("error", "invalid_login_token")


async def test_a_call_the_dialer_got_but_never_answered_may_have_been_placed(
    bridge: TestClient, rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    controller = widget(bridge)
    await controller.handle({"action": "login", **AGENT})
    fault = {"kind": "latency", "ms": 3000, "path": "/api/cc_agent/originate", "times": 1}
    await session.post(rest_simulator.make_url("/_sim/faults"), json=fault)
    outcome = await controller.handle(
        {"action": "click_to_call", "phone_code": "1", "phone_number": "2025550143"}
    )
    assert outcome["code"] == protocol.DIALER_OUTCOME_UNKNOWN
    assert "the call may have been placed; check before calling again" in outcome["message"]
    view = controller.state.view()
    assert view["call-state"] == "unknown"
    assert view["call-headline"] == "The call may have been placed: check before calling again"
    assert view["error"] == ""  # not said twice
    assert controller.state.logged_in


async def test_one_call_at_a_time_a_second_click_to_call_is_refused(
    bridge: TestClient, rest_simulator: TestServer
) -> None:
    controller = widget(bridge)
    await controller.handle({"action": "login", **AGENT})
    controller.state.live_status = True  # a dialer whose calls the stream follows
    first = {"action": "click_to_call", "phone_code": "1", "phone_number": "2025550143"}
    placed = await controller.handle(first)
    assert placed["event"] == "call_originated"
    second = await controller.handle({**first, "request_id": "again"})
    assert (second["event"], second["code"], second["request_id"]) == (
        "error",
        protocol.CALL_IN_PROGRESS,
        "again",
    )
    assert len(rest_state(rest_simulator).calls) == 1  # the dialer never saw the second
    view = controller.state.view()
    assert view["call-state"] == "calling"  # the call under way is as it was
    assert view["error"] == "Finish the current call first"
    controller.state.live_event("call_ended", {"call_id": placed["uuid"], "uuid": placed["uuid"]})
    assert controller.refusal(first) is None

"""Whatever a dialer or a widget sends to the live-event routes, the bridge answers 2xx
or 4xx, never 5xx, and what it stored never poisons an answer: generated events with the
spec's variables holding values of every type (huge integers, infinite times, digits
that are not 0-9), with a ``call_answered`` webhook waiting, each followed by the CRM
API's call list read as strict JSON; generated Euphoria webhook parameters; and
generated bodies for the agent-state requests."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.euphoria.events import WEBHOOK_PARAMETERS
from bridge.rest.events import EVENT_NAMES, Variables
from server import strict_json
from tests.events_support import push_path, set_dialer_ids
from tests.integrations_support import FakeCrm, admin, bridge_app
from tests.support import TENANT, login

HUGE = [2**53 + 1, 2**63, 2**64, 10**30, -(2**63), float("inf"), float("-inf"), 1e308]
ODD_DIGITS = ["²", "1²", "١٢", "\uff11\uff12", "12.5", "-3", " 7 ", "1e400", "9" * 40]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(HUGE)
    | st.text(max_size=20)
    | st.sampled_from(["", "7", "2025550143", "\ud800", "x" * 2000, "Lunch", "Success"])
    | st.sampled_from(ODD_DIGITS)
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=8)
variables = st.dictionaries(st.sampled_from(sorted(Variables.model_fields)), values, max_size=12)
events = st.fixed_dictionaries(
    {"event": st.sampled_from(EVENT_NAMES) | st.text(max_size=10), "data": variables}
)
agent_bodies = st.dictionaries(
    st.sampled_from(["device_id", "reason", "queues", "disposition", "outcome", "notes"]),
    values,
    max_size=4,
)
AGENT_ROUTES = [
    ("POST", "/api/v1/agent/check-in"),
    ("POST", "/api/v1/agent/pause"),
    ("PUT", "/api/v1/agent/queues"),
    ("POST", "/api/v1/calls/c1/wrapup"),
]
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _encode(body: Any) -> bytes:
    return json.dumps(body).encode("utf-8", "surrogatepass")


@pytest.fixture
async def webhooked(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    aiohttp_server: Callable[..., Any],
) -> tuple[TestClient, dict[str, str]]:
    """A bridge with a ``call_answered`` webhook to a stand-in CRM, and an API key."""
    crm: TestServer = await aiohttp_server(FakeCrm().app(), host="127.0.0.1")
    bridge = await aiohttp_client(bridge_app(database_url, str(rest_simulator.make_url(""))))
    await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {
            "tenant": TENANT,
            "name": "answered",
            "url": f"http://127.0.0.1:{crm.port}/answered",
            "parameters": [{"name": "when", "value": "{DATETIME}"}],
            "trigger": "call_answered",
        },
        201,
    )
    key = await admin(bridge, "POST", "/admin/api/keys", {"tenant": TENANT, "name": "crm"}, 201)
    api_key = {"X-Api-Key": key["key"]}
    await set_dialer_ids(bridge, api_key, user_id="7")
    return bridge, api_key


async def _calls_are_strict_json(bridge: TestClient, api_key: dict[str, str]) -> None:
    listed = await bridge.get("/api/v1/crm/calls", headers=api_key)
    assert listed.status == 200, await listed.text()
    strict_json.loads(await listed.read())


@FUZZ
@given(event=events)
async def test_no_event_makes_the_receiver_fail_with_5xx(
    webhooked: tuple[TestClient, dict[str, str]], event: dict[str, Any]
) -> None:
    bridge, api_key = webhooked
    path = await push_path(bridge)
    response = await bridge.post(path, data=_encode(event))
    assert response.status < 500, (event, await response.text())
    await _calls_are_strict_json(bridge, api_key)


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ('"durationms": 9223372036854775808', "durationms"),
        ('"waitms": 18446744073709551616', "waitms"),
        ('"ts": 1e400', "ts"),
        ('"ts": Infinity', "ts"),
        ('"in_calls": 100000000000000000000', "in_calls"),
    ],
)
async def test_out_of_range_numbers_are_refused_naming_the_field(
    webhooked: tuple[TestClient, dict[str, str]], variables: str, field: str
) -> None:
    bridge, api_key = webhooked
    path = await push_path(bridge)
    raw = '{"event": "call:answer", "data": {"call_id": "n1", "type": "inbound",'
    raw += f' "dst_user_id": 7, {variables}}}}}'
    response = await bridge.post(path, data=raw.encode())
    assert response.status == 400, await response.text()
    assert f"data.{field}" in (await response.json())["error"]["message"]
    await _calls_are_strict_json(bridge, api_key)


euphoria_params = st.dictionaries(
    st.sampled_from([*WEBHOOK_PARAMETERS, "event"]),
    st.sampled_from(ODD_DIGITS) | st.text(max_size=20) | st.sampled_from(["ring", "end", "x"]),
    max_size=8,
)


@FUZZ
@given(params=euphoria_params)
async def test_no_euphoria_webhook_makes_the_receiver_fail_with_5xx(
    bridge: TestClient, api_key: dict[str, str], params: dict[str, str]
) -> None:
    params = {"CALL_SIPID": "e1", **params}
    response = await bridge.post("/api/v1/events/euphoria", data=params, headers=api_key)
    assert response.status < 500, (params, await response.text())
    await _calls_are_strict_json(bridge, api_key)


@pytest.mark.parametrize("duration", ["²", "1²", "١٢", "1" + "0" * 30])
async def test_a_euphoria_duration_that_is_no_bounded_number_is_refused(
    bridge: TestClient, api_key: dict[str, str], duration: str
) -> None:
    params = {"CALL_SIPID": "e2", "event": "end", "CALL_DURATION": duration}
    response = await bridge.post("/api/v1/events/euphoria", data=params, headers=api_key)
    assert response.status == 400, await response.text()
    assert "CALL_DURATION" in (await response.json())["error"]["message"]


@pytest.mark.parametrize(("method", "path"), AGENT_ROUTES)
@FUZZ
@given(body=agent_bodies)
async def test_no_body_makes_an_agent_route_fail_with_5xx(
    bridge: TestClient, api_key: dict[str, str], method: str, path: str, body: Any
) -> None:
    await set_dialer_ids(bridge, api_key, user_id="1")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {await login(bridge)}"}
    response = await bridge.request(method, path, data=_encode(body), headers=headers)
    assert response.status < 500, (body, await response.text())

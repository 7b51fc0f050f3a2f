"""Whatever a dialer or a widget sends to the live-event routes, the bridge answers 2xx
or 4xx, never 5xx: generated events with the spec's variables holding values of every
type, and generated bodies for the agent-state requests."""

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.events.rest_push import EVENT_NAMES, Variables
from tests.events_support import push_path, set_dialer_ids
from tests.support import login

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["", "7", "2025550143", "\ud800", "x" * 2000, "Lunch", "Success"])
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


@FUZZ
@given(event=events)
async def test_no_event_makes_the_receiver_fail_with_5xx(
    bridge: TestClient, event: dict[str, Any]
) -> None:
    path = await push_path(bridge)
    response = await bridge.post(path, data=_encode(event))
    assert response.status < 500, (event, await response.text())


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

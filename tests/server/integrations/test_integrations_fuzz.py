"""Whatever JSON reaches the Integration Centre's routes, the answer is 2xx or 4xx with an
error, never 5xx (as `test_json_fuzz` does for the other routes)."""

import json
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integrations_support import bridge_app
from tests.support import ADMIN, TENANT, login

FIELD_NAMES = [
    "tenant", "name", "auth_type", "level", "key_name", "key_placement", "api_key",
    "username", "password", "agent", "url", "parameters", "value", "test_values", "type",
    "content_type", "response_type", "columns", "group", "trigger", "directions", "queues",
    "webhook", "call_id", "dynamic_parameter",
]  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=30)
    | st.sampled_from(
        ["", TENANT, "api_key", "user", "https://crm.example.com/{CALL_NUMBER}", "{NOPE}", "\ud800"]
    )
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=20,
)
bodies = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=8) | json_values
ROUTES = [
    ("POST", "/admin/api/groups", "admin"),
    ("POST", "/admin/api/webhooks", "admin"),
    ("POST", "/admin/api/webhooks/1/test", "admin"),
    ("PUT", "/admin/api/webhooks/1/columns", "admin"),
    ("POST", "/api/v1/webhooks/run", "agent"),
]


@pytest.fixture
async def bridge(
    database_url: str, rest_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> TestClient:
    return await aiohttp_client(bridge_app(database_url, str(rest_simulator.make_url(""))))


@pytest.mark.parametrize(("method", "path", "auth"), ROUTES)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
async def test_no_body_makes_an_integration_route_fail_with_5xx(
    bridge: TestClient, method: str, path: str, auth: str, body: Any
) -> None:
    headers = {"Content-Type": "application/json"}
    if auth == "agent":
        headers["Authorization"] = f"Bearer {await login(bridge)}"
    else:
        headers["Authorization"] = aiohttp.encode_basic_auth(*ADMIN)
    data = json.dumps(body).encode("utf-8", "surrogatepass")
    response = await bridge.request(method, path, data=data, headers=headers)
    assert response.status < 500, (body, await response.text())
    assert "error" in await response.json() or response.status < 300

"""Whatever JSON a client sends to any JSON route, the bridge answers 2xx or 4xx, never 5xx.

Hypothesis generates bodies of every shape (nested, surrogates, huge numbers, the
routes' own field names with values of every type) and posts them to each route with
valid credentials, so validation, not authentication, is what gets exercised.
"""

import json
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import ADMIN, TENANT, login

FIELD_NAMES = [
    "username", "password", "extension", "phone_code", "phone_number", "lead_id",
    "full_name", "email", "user_level", "active", "tenant", "name", "dialer", "list",
    "list_id", "create_list", "leads", "priority", "custom", "campaign", "agents",
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "1", "2025550143", "\ud800", "x" * 300, TENANT, "rest"])
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
    ("POST", f"/api/v1/tenants/{TENANT}/sessions", "none"),
    ("POST", "/api/v1/calls", "agent"),
    ("PUT", "/api/v1/crm/agents/fuzzed", "api_key"),
    ("PUT", "/api/v1/crm/agents", "api_key"),
    ("POST", "/api/v1/crm/lists", "api_key"),
    ("POST", "/api/v1/crm/leads", "api_key"),
    ("POST", "/admin/api/keys", "admin"),
]


def _encode(body: Any) -> bytes:
    return json.dumps(body).encode("utf-8", "surrogatepass")


@pytest.fixture
def tokens() -> dict[str, str]:
    """The agent's token, once signed in (hypothesis runs every example in one test)."""
    return {}


@pytest.mark.parametrize(("method", "path", "auth"), ROUTES)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
async def test_no_body_makes_a_json_route_fail_with_5xx(
    bridge: TestClient,
    api_key: dict[str, str],
    tokens: dict[str, str],
    method: str,
    path: str,
    auth: str,
    body: Any,
) -> None:
    headers = {"Content-Type": "application/json"}
    if auth == "agent":
        if "agent" not in tokens:  # one sign-in for all of the test's examples
            tokens["agent"] = await login(bridge)
        headers["Authorization"] = f"Bearer {tokens['agent']}"
    elif auth == "api_key":
        headers.update(api_key)
    elif auth == "admin":
        headers["Authorization"] = aiohttp.encode_basic_auth(*ADMIN)
    response = await bridge.request(method, path, data=_encode(body), headers=headers)
    assert response.status < 500, (body, await response.text())
    assert "error" in await response.json() or response.status < 300

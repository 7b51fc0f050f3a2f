"""What used to answer the admin with a 500 is a 400 that says why."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.integrations_support import admin, bridge_app
from tests.support import TENANT


@pytest.fixture
async def bridge(
    database_url: str, rest_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> AsyncIterator[TestClient]:
    yield await aiohttp_client(bridge_app(database_url, str(rest_simulator.make_url(""))))


@pytest.mark.parametrize("value", ["", "a b", "x:99999", "[::1"])
async def test_testing_a_url_whose_host_a_value_leaves_broken_is_a_400(
    bridge: TestClient, value: str
) -> None:
    hook = await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {
            "tenant": TENANT,
            "name": "dynamic",
            "url": "https://{DYNAMIC_PARAMETER}:8443/x",
            "test_values": {"DYNAMIC_PARAMETER": value},
        },
        201,
    )
    tried = await admin(bridge, "POST", f"/admin/api/webhooks/{hook['id']}/test", status=400)
    assert tried["error"]["code"] == "unsafe_url"
    assert "URL" in tried["error"]["message"]

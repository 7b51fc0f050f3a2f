"""What used to answer the admin with a 500 is a 400 that says why."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.databases import BOTH_DATABASES
from tests.integrations_support import admin, bridge_app
from tests.support import TENANT

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


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


async def test_testing_for_an_agent_who_is_not_a_member_says_so(bridge: TestClient) -> None:
    group = {"tenant": TENANT, "name": "users", "auth_type": "api_key", "key_name": "X-Key"}
    created = await admin(bridge, "POST", "/admin/api/groups", {**group, "level": "user"}, 201)
    await admin(
        bridge,
        "POST",
        f"/admin/api/groups/{created['id']}/members",
        {"agent": "agent1", "api_key": "member-key-1"},
        201,
    )
    hook = await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {"tenant": TENANT, "name": "m", "url": "https://crm.example.test/x", "group": "users"},
        201,
    )
    tried = await admin(
        bridge, "POST", f"/admin/api/webhooks/{hook['id']}/test", {"agent": "agent2"}, 409
    )
    assert tried["error"]["message"].startswith(
        "agent 'agent2' is not a member of user-level group 'users'"
    )


async def test_a_browser_window_may_open_an_intranet_page_the_bridge_never_fetches(
    bridge: TestClient,
) -> None:
    fields = {"tenant": TENANT, "type": "browser_window"}
    for name, url in (("intranet", "http://crm.intranet.local/c?n={CALL_NUMBER}"),
                      ("private", "https://10.1.2.3/contact")):  # fmt: skip
        await admin(
            bridge, "POST", "/admin/api/webhooks", {**fields, "name": name, "url": url}, 201
        )
    for name, url in (("ftp", "ftp://crm.example.test/x"), ("creds", "https://u:p@crm.test/x")):
        refused = await admin(
            bridge, "POST", "/admin/api/webhooks", {**fields, "name": name, "url": url}, 400
        )
        assert refused["error"]["code"] in ("unsafe_url", "invalid_message")
    ajax = {"tenant": TENANT, "name": "ajax", "url": "https://10.1.2.3/contact"}
    refused = await admin(bridge, "POST", "/admin/api/webhooks", ajax, 400)
    assert "not public" in refused["error"]["message"]

"""The Integration Centre's admin pages over HTTP: forms, refusals shown on the page, Test
and Configure with the column choice, the Agent View, deliveries and Retry (the browser
side: tests/e2e/integrations.spec.ts)."""

import html
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.integrations_support import ADMIN_HEADERS, FakeCrm, admin, bridge_app, settled
from tests.support import TENANT, login

CRM_KEY = "crm-key-never-shown-Zq81"
RECORDS = [
    {"name": "Zoë <b>Dupont</b>", "company": "Acme & Co", "status": "Customer", "owner": "Mary"},
    {"name": "Jean Roe", "company": "Roe Ltd", "status": "Prospect", "owner": None},
]


@pytest.fixture
async def crm(aiohttp_server: Callable[..., Any]) -> tuple[FakeCrm, str]:
    fake = FakeCrm()
    server: TestServer = await aiohttp_server(fake.app(), host="127.0.0.1")
    return fake, f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def bridge(
    database_url: str, rest_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> AsyncIterator[TestClient]:
    yield await aiohttp_client(bridge_app(database_url, str(rest_simulator.make_url(""))))


async def post_form(bridge: TestClient, path: str, form: dict[str, Any]) -> tuple[int, str, str]:
    """Status, the redirect's target (or ""), the page."""
    response = await bridge.post(path, data=form, headers=ADMIN_HEADERS, allow_redirects=False)
    return response.status, response.headers.get("Location", ""), await response.text()


async def page(bridge: TestClient, path: str) -> str:
    response = await bridge.get(path, headers=ADMIN_HEADERS)
    assert response.status == 200, await response.text()
    return await response.text()


async def lookup_webhook(bridge: TestClient, crm_url: str) -> str:
    """A group with an API key and a look-up webhook made through the pages; its page."""
    status, _, _ = await post_form(
        bridge,
        "/admin/integrations",
        {"tenant": TENANT, "name": "CRM", "auth_type": "api_key", "level": "global",
         "key_placement": "header", "key_name": "X-Api-Key", "api_key": CRM_KEY},
    )  # fmt: skip
    assert status == 303
    status, location, body = await post_form(
        bridge,
        "/admin/integrations/webhooks/new",
        {"tenant": TENANT, "name": "Find the caller", "url": f"{crm_url}/contacts",
         "type": "ajax_get", "content_type": "form", "response_type": "records",
         "group": "CRM", "trigger": "call_ringing", "directions": "inbound",
         "parameters": "number={CALL_NUMBER}\nwho={CALLERID_NAME}",
         "test_values": "CALL_NUMBER=+12025550143\nCALLERID_NAME=O'Brien & Søn"},
    )  # fmt: skip
    assert status == 303, body
    return location


async def test_a_group_and_a_webhook_are_made_with_the_forms_and_secrets_never_shown(
    bridge: TestClient, crm: tuple[FakeCrm, str]
) -> None:
    location = await lookup_webhook(bridge, crm[1])
    [made] = await admin(bridge, "GET", "/admin/api/webhooks")
    assert location == f"/admin/integrations/webhooks/{made['id']}"
    assert (made["group"], made["trigger"], made["directions"]) == (
        "CRM",
        "call_ringing",
        ["inbound"],
    )
    assert made["parameters"] == [
        {"name": "number", "value": "{CALL_NUMBER}"},
        {"name": "who", "value": "{CALLERID_NAME}"},
    ]
    listing = await page(bridge, "/admin/integrations")
    form = await page(bridge, location)
    assert "Find the caller" in listing and "set (never shown)" in listing
    assert "number={CALL_NUMBER}" in form
    assert CRM_KEY not in listing + form


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"url": "https://crm.example/x?n={CALL_NUMBR}"}, "Unknown variable {CALL_NUMBR}"),
        ({"url": "ftp://crm.example/x"}, "give an https:// URL"),
        ({"type": "browser_window", "response_type": "records"}, "its response_type is ignore"),
        ({"group": "no such group"}, "no such group"),
    ],
)
async def test_a_webhook_form_that_does_not_validate_is_shown_again_with_the_reason(
    bridge: TestClient, form: dict[str, str], says: str
) -> None:
    fields = {"tenant": TENANT, "name": "Hook", "url": "https://crm.example/x", **form}
    status, _, body = await post_form(bridge, "/admin/integrations/webhooks/new", fields)
    assert status == 200
    assert says in html.unescape(body)
    assert 'data-testid="page-error"' in body
    assert f'value="{html.escape(fields["url"])}"' in body  # what was typed is kept
    assert await admin(bridge, "GET", "/admin/api/webhooks") == []


async def test_a_group_in_use_is_not_deleted_and_the_page_says_why(
    bridge: TestClient, crm: tuple[FakeCrm, str]
) -> None:
    await lookup_webhook(bridge, crm[1])
    [group] = await admin(bridge, "GET", "/admin/api/groups")
    status, _, body = await post_form(bridge, "/admin/integrations", {"delete_group": group["id"]})
    assert status == 200
    assert "Find the caller" in html.unescape(body.split('data-testid="page-error">')[1])
    assert len(await admin(bridge, "GET", "/admin/api/groups")) == 1


async def test_test_and_configure_shows_the_answer_saves_the_columns_and_the_agent_view(
    bridge: TestClient, crm: tuple[FakeCrm, str]
) -> None:
    fake, crm_url = crm
    fake.replies["/contacts"] = [web.json_response(RECORDS) for _ in range(2)]
    location = await lookup_webhook(bridge, crm_url)

    status, _, tested = await post_form(bridge, f"{location}/test", {})
    assert status == 200
    [sent] = fake.to("/contacts")
    assert sent.query["who"] == "O'Brien & Søn" and sent.headers["X-Api-Key"] == CRM_KEY
    assert 'data-testid="test-status">200 OK' in tested
    for column in ("name", "company", "status", "owner"):
        assert f'data-testid="column-{column}"' in tested
    assert "Zoë &lt;b&gt;Dupont&lt;/b&gt;" in tested  # the CRM's text is text
    assert CRM_KEY not in tested

    assert 'data-testid="label-company"' in tested
    status, _, configured = await post_form(
        bridge,
        f"{location}/columns",
        {"column": ["company", "status"], "label:company": " Company ", "label:owner": "Owner"},
    )
    assert status == 200
    [webhook] = await admin(bridge, "GET", "/admin/api/webhooks")
    assert webhook["columns"] == ["company", "status"]
    assert webhook["column_labels"] == {"company": "Company"}  # of the ticked columns only
    view = configured.split('data-testid="agent-view">')[1].split("</table>")[0]
    assert "<th>Company</th><th>status</th></tr>" in view
    assert "Acme &amp; Co" in view and "Prospect" in view
    assert "Dupont" not in view and "Mary" not in view


async def test_a_failed_delivery_is_listed_and_retried_from_the_page(
    bridge: TestClient, crm: tuple[FakeCrm, str]
) -> None:
    fake, crm_url = crm
    fake.replies["/log"] = [web.json_response({"error": "no"}, status=400)]
    await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {"tenant": TENANT, "name": "Log", "url": f"{crm_url}/log", "type": "ajax_post"},
        201,
    )
    token = await login(bridge)
    run = await bridge.post(
        "/api/v1/webhooks/run",
        json={"webhook": "Log"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert run.status == 202, await run.text()
    [failed] = await settled(bridge)
    assert failed["state"] == "failed"

    listed = await page(bridge, "/admin/deliveries?outcome=failed&webhook=Log")
    assert listed.count('data-testid="delivery"') == 1
    assert "1 delivery." in listed
    assert 'data-testid="retry-delivery"' in listed
    assert "<summary>Details: request, headers and answer</summary>" in listed
    assert f"POST {crm_url}/log" in listed
    status, location, _ = await post_form(
        bridge, "/admin/deliveries?outcome=failed", {"retry": failed["delivery_id"]}
    )
    # The attempt is waited for: the page says how it went, though the filter hides it.
    assert (status, location) == (
        303,
        f"/admin/deliveries?outcome=failed&retried={failed['delivery_id']}",
    )
    [delivered] = await settled(bridge)
    assert delivered["state"] == "delivered"
    sent = await fake.wait_for("/log", 2)
    assert sent[0].headers["Idempotency-Key"] == sent[1].headers["Idempotency-Key"]
    after = await page(bridge, location)
    assert "No delivery matches." in after
    assert "Sent Log again: delivered (200) in " in after
    assert "0 deliveries." in after

    status, _, again = await post_form(
        bridge, "/admin/deliveries", {"retry": failed["delivery_id"]}
    )
    assert status == 200
    assert "only a failed one is retried" in again


async def test_a_user_level_group_gets_members_with_their_own_secret(bridge: TestClient) -> None:
    status, _, body = await post_form(
        bridge,
        "/admin/integrations",
        {"tenant": TENANT, "name": "Per agent", "auth_type": "credentials", "level": "user"},
    )
    assert status == 303, body
    [group] = await admin(bridge, "GET", "/admin/api/groups")
    members = f"/admin/integrations/groups/{group['id']}/members"
    assert f'href="{members}"' in await page(bridge, "/admin/integrations")

    status, location, _ = await post_form(
        bridge, members, {"agent": "agent1", "username": "a1", "password": "Member-pass-77"}
    )
    assert (status, location) == (303, members)
    status, _, refused = await post_form(bridge, members, {"agent": "agent2", "username": "a2"})
    assert status == 200
    assert 'data-testid="page-error"' in refused
    listed = await page(bridge, members)
    assert "<td>agent1</td>" in listed and "<td>agent2</td>" not in listed
    assert "Member-pass-77" not in listed


async def test_what_the_configuration_declares_is_read_only_in_the_pages(
    database_url: str, rest_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> None:
    declared = {
        "groups": [{"name": "Declared", "auth_type": "api_key", "key_name": "X-Key",
                    "api_key": CRM_KEY}],
        "webhooks": [{"name": "Declared log", "url": "https://crm.example/log",
                      "type": "ajax_post", "group": "Declared", "trigger": "call_ended"}],
    }  # fmt: skip
    app = bridge_app(database_url, str(rest_simulator.make_url("")), tenant_integrations=declared)
    bridge = await aiohttp_client(app)
    [hook] = await admin(bridge, "GET", "/admin/api/webhooks")
    listing = await page(bridge, "/admin/integrations")
    assert listing.count("<td>declared in the configuration") == 2
    assert 'name="delete_webhook"' not in listing and 'name="delete_group"' not in listing
    form = await page(bridge, f"/admin/integrations/webhooks/{hook['id']}")
    assert 'data-testid="declared"' in form and "<fieldset disabled>" in form

    fields = {"name": "Declared log", "url": "https://crm.example/other", "type": "ajax_post"}
    status, _, refused = await post_form(
        bridge, f"/admin/integrations/webhooks/{hook['id']}", fields
    )
    assert status == 200 and 'data-testid="page-error"' in refused
    assert [w["url"] for w in await admin(bridge, "GET", "/admin/api/webhooks")] == [
        "https://crm.example/log"
    ]
    assert CRM_KEY not in listing + form + refused

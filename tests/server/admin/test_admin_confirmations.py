"""Dangerous admin actions ask first and say what will stop; after a new Event Push URL,
the pushes refused with the old one are counted on the page."""

import html

import aiohttp
from aiohttp.test_utils import TestClient

from tests.support import ADMIN, TENANT

AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}


async def post(bridge: TestClient, path: str, form: dict[str, str]) -> tuple[int, str]:
    response = await bridge.post(path, data=form, headers=AUTH, allow_redirects=False)
    return response.status, html.unescape(await response.text())


async def test_revoking_a_key_asks_first_and_says_what_stops(bridge: TestClient) -> None:
    made = await bridge.post(
        "/admin/api/keys", json={"tenant": TENANT, "name": "CRM"}, headers=AUTH
    )
    key = await made.json()
    status, page = await post(bridge, "/admin/keys", {"revoke": str(key["id"])})
    assert status == 200
    assert "Revoke the API key 'CRM' of acme?" in page
    assert f"starting {key['prefix']}… (never used) gets 401 invalid_api_key" in page
    assert 'name="confirmed" value="yes"' in page
    listed = await (await bridge.get("/admin/api/keys", headers=AUTH)).json()
    assert listed[0]["revoked_at"] is None  # not yet

    status, page = await post(bridge, "/admin/keys", {"revoke": str(key["id"]), "confirmed": "yes"})
    assert status == 200
    listed = await (await bridge.get("/admin/api/keys", headers=AUTH)).json()
    assert listed[0]["revoked_at"] is not None


async def test_a_new_push_url_asks_first_then_counts_pushes_with_the_old_one(
    bridge: TestClient,
) -> None:
    form = {"tenant": TENANT, "dialer": "rest"}
    _, first = await post(bridge, "/admin/events", form)  # the first URL: nothing to lose
    old_url = first.split('<span class="secret">')[1].split("</span>")[0]
    status, asking = await post(bridge, "/admin/events", form)
    assert status == 200
    assert "Replace the Event Push URL of acme / rest?" in asking
    assert "The current URL stops working at once" in asking
    assert "?secret=" not in asking
    event = {"event": "agent:checkout", "data": {"user_id": 7}}
    old_path = "/api/" + old_url.split("/api/", 1)[1]
    assert (await bridge.post(old_path, json=event)).status == 200  # still the current one

    _, replaced = await post(bridge, "/admin/events", {**form, "confirmed": "yes"})
    assert 'data-testid="new-push-url"' in replaced
    for _ in range(3):
        assert (await bridge.post(old_path, json=event)).status == 401
    wrong = old_path.split("secret=")[0] + "secret=guess"
    assert (await bridge.post(wrong, json=event)).status == 401  # not the old one: not counted
    page = " ".join(
        html.unescape(await (await bridge.get("/admin/events", headers=AUTH)).text()).split()
    )
    assert "Events stopped arriving from acme / rest: 3 pushes with the replaced URL" in page
    assert '<td data-testid="refused-count">3 (last ' in page


async def test_deleting_a_group_or_webhook_asks_first(bridge: TestClient) -> None:
    group = await bridge.post(
        "/admin/api/groups", json={"tenant": TENANT, "name": "CRM"}, headers=AUTH
    )
    group_id = (await group.json())["id"]
    hook = await bridge.post(
        "/admin/api/webhooks",
        json={"tenant": TENANT, "name": "Open", "url": "https://crm.example/x"},
        headers=AUTH,
    )
    hook_id = (await hook.json())["id"]
    status, page = await post(bridge, "/admin/integrations", {"delete_group": str(group_id)})
    assert (status, "Delete the group 'CRM' of acme?") == (200, page.split("<h1>")[1][:31])
    status, page = await post(bridge, "/admin/integrations", {"delete_webhook": str(hook_id)})
    assert "Delete the webhook 'Open' of acme?" in page
    assert "nothing more is sent to https://crm.example/x" in page
    assert len(await (await bridge.get("/admin/api/webhooks", headers=AUTH)).json()) == 1

    for name, object_id in (("delete_webhook", hook_id), ("delete_group", group_id)):
        status, _ = await post(
            bridge, "/admin/integrations", {name: str(object_id), "confirmed": "yes"}
        )
        assert status == 303
    assert await (await bridge.get("/admin/api/webhooks", headers=AUTH)).json() == []
    assert await (await bridge.get("/admin/api/groups", headers=AUTH)).json() == []

"""Admin access, the API Manager (keys) and API Monitoring (the audit log)."""

import time

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bridge.audit import AuditEntry
from server.keys import AUDIT, DATABASE
from server.tables import api_keys
from tests.support import ADMIN, TENANT, login

AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}


async def create_key(bridge: TestClient, name: str = "CRM") -> dict:
    response = await bridge.post(
        "/admin/api/keys", json={"tenant": TENANT, "name": name}, headers=AUTH
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def test_admin_needs_the_configured_credentials(bridge: TestClient) -> None:
    anonymous = await bridge.get("/admin/api/audit")
    assert anonymous.status == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    wrong = await bridge.get(
        "/admin/api/audit", headers={"Authorization": aiohttp.encode_basic_auth("admin", "guess")}
    )
    assert wrong.status == 401
    assert (await bridge.get("/admin/api/audit", headers=AUTH)).status == 200


@pytest.mark.parametrize(
    "sent_from",
    [
        {"Origin": "https://evil.test"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.test", "Sec-Fetch-Site": "same-site"},
    ],
    ids=["other-origin", "cross-site-browser", "same-site-browser"],
)
async def test_changes_from_another_origin_are_refused(bridge: TestClient, sent_from: dict) -> None:
    response = await bridge.post(
        "/admin/keys", data={"tenant": TENANT, "name": "sneaky"}, headers={**AUTH, **sent_from}
    )
    assert response.status == 403
    assert (await (await bridge.get("/admin/api/keys", headers=AUTH)).json()) == []


async def test_the_admin_s_own_form_posts_are_accepted(bridge: TestClient) -> None:
    # With Referrer-Policy: no-referrer, browsers send Origin: null even from the same page.
    response = await bridge.post(
        "/admin/keys",
        data={"tenant": TENANT, "name": "From the page"},
        headers={**AUTH, "Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status == 200
    assert [
        key["name"] for key in await (await bridge.get("/admin/api/keys", headers=AUTH)).json()
    ] == ["From the page"]


async def test_a_key_is_shown_once_stored_hashed_and_can_be_revoked(bridge: TestClient) -> None:
    created = await create_key(bridge, "Acme production")
    secret = created["key"]
    assert secret.startswith("cbk_")
    assert secret.startswith(created["prefix"])
    listed = await (await bridge.get("/admin/api/keys", headers=AUTH)).json()
    assert [k["name"] for k in listed] == ["Acme production"]
    assert secret not in str(listed)
    async with bridge.app[DATABASE].connect() as connection:
        rows = list(await connection.execute(select(api_keys)))
    assert secret not in str([tuple(r) for r in rows])

    headers = {"X-Api-Key": secret}
    assert (await bridge.get("/api/v1/crm/lists?dialer=rest", headers=headers)).status != 401
    revoked = await bridge.delete(f"/admin/api/keys/{created['id']}", headers=AUTH)
    assert revoked.status == 200
    refused = await bridge.get("/api/v1/crm/lists?dialer=rest", headers=headers)
    assert refused.status == 401
    assert (await refused.json())["error"]["code"] == "invalid_api_key"
    again = await bridge.delete(f"/admin/api/keys/{created['id']}", headers=AUTH)
    assert again.status == 404


async def test_a_key_for_an_unknown_tenant_is_refused(bridge: TestClient) -> None:
    response = await bridge.post("/admin/api/keys", json={"tenant": "x", "name": "n"}, headers=AUTH)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "unknown_tenant"


async def test_the_keys_page_creates_and_shows_a_key_once(bridge: TestClient) -> None:
    page = await bridge.post(
        "/admin/keys", data={"tenant": TENANT, "name": "From the page"}, headers=AUTH
    )
    html = await page.text()
    assert 'data-testid="new-key"' in html
    assert "From the page" in html
    again = await (await bridge.get("/admin/keys", headers=AUTH)).text()
    assert 'data-testid="new-key"' not in again


async def test_the_audit_log_filters_pages_and_shows_newest_first(bridge: TestClient) -> None:
    token = await login(bridge)
    for number in ("2025550101", "2025550102", "2025550103"):
        await bridge.post(
            "/api/v1/calls",
            json={"phone_code": "1", "phone_number": number},
            headers={"Authorization": f"Bearer {token}"},
        )
    await bridge.app[AUDIT].flush()
    page1 = await (
        await bridge.get(
            "/admin/api/audit", params={"action": "originate", "per_page": "2"}, headers=AUTH
        )
    ).json()
    assert page1["total"] == 3
    assert len(page1["entries"]) == 2
    page2 = await (
        await bridge.get(
            "/admin/api/audit",
            params={"action": "originate", "per_page": "2", "page": "2"},
            headers=AUTH,
        )
    ).json()
    times = [e["at"] for e in page1["entries"] + page2["entries"]]
    assert times == sorted(times, reverse=True)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    dated = await (
        await bridge.get("/admin/api/audit", params={"from": today, "to": today}, headers=AUTH)
    ).json()
    assert dated["total"] == 3
    none = await (
        await bridge.get("/admin/api/audit", params={"to": "2000-01-01"}, headers=AUTH)
    ).json()
    assert none["total"] == 0
    other_action = await (
        await bridge.get("/admin/api/audit", params={"action": "x"}, headers=AUTH)
    ).json()
    assert other_action["total"] == 0
    bad = await bridge.get("/admin/api/audit", params={"from": "yesterday"}, headers=AUTH)
    assert bad.status == 400
    assert "is not a date like 2026-11-22" in await bad.text()

    html = await (await bridge.get("/admin/audit", params={"per_page": "2"}, headers=AUTH)).text()
    assert html.count("<td>originate</td>") == 2
    assert "older →" in html


async def test_an_entrys_detail_is_in_the_json_and_on_the_page(bridge: TestClient) -> None:
    audit = bridge.app[AUDIT]
    audit.record(
        AuditEntry(
            time.time(), TENANT, "agent1", "elision", "add_lead", 8.0, "ok", None, "list 1101"
        )
    )
    await audit.flush()
    listed = await (await bridge.get("/admin/api/audit", headers=AUTH)).json()
    assert [e["detail"] for e in listed["entries"]] == ["list 1101"]
    html = await (await bridge.get("/admin/audit", headers=AUTH)).text()
    assert "<td>list 1101</td>" in html

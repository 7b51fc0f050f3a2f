"""The admin pages' shell: error pages for people, JSON for the API, the nav, sign-out."""

from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.error_middleware import error_middleware
from server.keys import ASSETS, CONFIG, TEMPLATES
from server.routes.admin_error_pages import admin_error_pages
from tests.support import ADMIN, bridge_config

AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_a_person_without_credentials_gets_a_sign_in_page(bridge: TestClient) -> None:
    response = await bridge.get("/admin/jobs", headers=BROWSER)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.content_type == "text/html"
    page = await response.text()
    assert "Sign-in required" in page
    assert 'href="/admin"' in page
    assert "admin_login_required" not in page
    assert "acme" not in page and "Admin pages" not in page  # nothing of the bridge's own


async def test_the_json_api_keeps_json_errors(bridge: TestClient) -> None:
    response = await bridge.get("/admin/api/jobs", headers=BROWSER)
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "admin_login_required"
    missing = await bridge.get("/admin/api/webhooks/999", headers={**AUTH, **BROWSER})
    assert missing.status == 404
    assert "error" in await missing.json()


async def test_a_person_who_opens_an_api_address_gets_a_page(bridge: TestClient) -> None:
    opened = {**BROWSER, "Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}
    signed_out = await bridge.get("/admin/api/jobs", headers=opened)
    assert signed_out.status == 401
    assert signed_out.content_type == "text/html"
    assert "Sign-in required" in await signed_out.text()
    missing = await bridge.get("/admin/api/webhooks/999", headers={**AUTH, **opened})
    assert missing.status == 404
    page = await missing.text()
    assert "No webhook 999." in page
    assert "unknown_webhook" not in page
    assert '<a href="/admin" data-testid="way-back">Back to the admin pages</a>' in page


async def test_a_client_asking_for_json_gets_json_on_pages_too(bridge: TestClient) -> None:
    response = await bridge.get("/admin/jobs", headers={"Accept": "application/json"})
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "admin_login_required"


async def test_unknown_pages_and_objects_are_404_pages_with_a_way_back(bridge: TestClient) -> None:
    nowhere = await bridge.get("/admin/nowhere", headers={**AUTH, **BROWSER})
    assert nowhere.status == 404
    assert "Not found" in await nowhere.text()
    gone = await bridge.get("/admin/imports/12345", headers={**AUTH, **BROWSER})
    assert gone.status == 404
    page = await gone.text()
    assert "No such upload: it was imported or is over a day old." in page
    assert '<a href="/admin/imports" data-testid="way-back">Back to Import leads</a>' in page
    assert "unknown_upload" not in page


async def test_a_body_too_large_is_a_413_page(bridge: TestClient) -> None:
    form = aiohttp.FormData()
    form.add_field("tenant", "acme")
    form.add_field("file", b"phone\n" + b"1" * (17 * 1024**2), filename="big.csv")
    response = await bridge.post("/admin/imports", data=form, headers={**AUTH, **BROWSER})
    assert response.status == 413
    assert "Too large" in await response.text()


async def test_an_unexpected_failure_is_a_500_page_with_a_request_id(
    aiohttp_client: Callable[..., Any],
) -> None:
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("a bug")

    real = create_app(bridge_config("sqlite+aiosqlite://", "http://127.0.0.1:9"))
    app = web.Application(middlewares=[error_middleware])
    for key in (CONFIG, ASSETS, TEMPLATES):
        app[key] = real[key]  # type: ignore[index]
    admin = web.Application(middlewares=[admin_error_pages])
    admin.router.add_get("/broken", broken)  # a handler that fails, under the admin's pages
    app.add_subapp("/admin", admin)
    response = await (await aiohttp_client(app)).get("/admin/broken", headers=BROWSER)
    assert response.status == 500
    page = await response.text()
    assert "Request id: <code>" in page
    assert "a bug" not in page
    assert "Traceback" not in page


async def test_the_nav_marks_the_current_page_and_shows_tenants(bridge: TestClient) -> None:
    page = await (await bridge.get("/admin/integrations/webhooks/new", headers=AUTH)).text()
    assert '<a href="/admin/integrations" aria-current="page">Integrations</a>' in page
    assert page.count('aria-current="page"') == 1
    assert "Tenant: acme" in page
    assert "signed in as admin" in page
    assert 'href="/admin/sign-out"' in page


async def test_sign_out_answers_401_so_the_browser_forgets(bridge: TestClient) -> None:
    for headers in (AUTH, {}):
        response = await bridge.get("/admin/sign-out", headers={**headers, **BROWSER})
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == 'Basic realm="crm-bridge admin"'
        page = await response.text()
        assert "Signed out" in page
        assert "signed in as" not in page

"""Test and Configure says why a CRM cannot be reached (name, address, port, cause) and
lays out the request line by line; a refused form says what is wrong without jargon."""

import asyncio
import html
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.integrations_support import ADMIN_HEADERS, admin, bridge_app
from tests.support import TENANT


@pytest.fixture
async def bridge(
    request: pytest.FixtureRequest,
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
) -> TestClient:
    """The bridge; the CRM's answer is awaited 5 s (or the test's ``param`` seconds)."""
    app = bridge_app(
        database_url,
        str(rest_simulator.make_url("")),
        allow_http_hosts=["127.0.0.1", "crm.invalid"],
        timeout_seconds=getattr(request, "param", 5),
    )
    return await aiohttp_client(app)


async def after_test(bridge: TestClient, url: str) -> str:
    """The webhook page after Test and Configure of a webhook to ``url``."""
    hook = await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {"tenant": TENANT, "name": f"Hook {url}", "url": url, "type": "ajax_post",
         "parameters": [{"name": "number", "value": "{CALL_NUMBER}"}],
         "test_values": {"CALL_NUMBER": "+12025550143"}},
        201,
    )  # fmt: skip
    response = await bridge.post(
        f"/admin/integrations/webhooks/{hook['id']}/test", data={}, headers=ADMIN_HEADERS
    )
    assert response.status == 200
    return " ".join(html.unescape(await response.text()).split())


@pytest.mark.parametrize("bridge", [0.3], indirect=True)  # a silent CRM times out soon
async def test_an_unreachable_crm_is_explained(
    bridge: TestClient,
    aiohttp_server: Callable[..., Any],
    unused_tcp_port_factory: Callable[[], int],
) -> None:
    closed = unused_tcp_port_factory()
    page = await after_test(bridge, f"http://127.0.0.1:{closed}/log")
    assert (
        f"The CRM cannot be reached: 127.0.0.1, port {closed} refused the connection"
        " (connection refused: nothing listens there, or a firewall says no)" in page
    )
    page = await after_test(bridge, "http://crm.invalid/log")
    assert "The CRM cannot be reached: the name crm.invalid cannot be found (DNS failure: " in page

    release = asyncio.Event()

    async def silent(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response()

    plain = web.Application()
    plain.router.add_post("/log", silent)
    server: TestServer = await aiohttp_server(plain, host="127.0.0.1")
    page = await after_test(bridge, f"http://127.0.0.1:{server.port}/log")
    assert (
        f"The CRM cannot be reached: 127.0.0.1, port {server.port} did not answer within"
        " 0.3 s (timeout)" in page
    )
    page = await after_test(bridge, f"https://127.0.0.1:{server.port}/log")  # TLS to plain HTTP
    assert f"The CRM cannot be reached: TLS with 127.0.0.1, port {server.port} failed (" in page
    release.set()


async def test_the_request_is_laid_out_line_by_line(
    bridge: TestClient, aiohttp_server: Callable[..., Any]
) -> None:
    crm = web.Application()

    async def log(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    crm.router.add_post("/log", log)
    server: TestServer = await aiohttp_server(crm, host="127.0.0.1")
    hook_url = f"http://127.0.0.1:{server.port}/log"
    hook = await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {"tenant": TENANT, "name": "Log", "url": hook_url, "type": "ajax_post",
         "parameters": [{"name": "number", "value": "{CALL_NUMBER}"}],
         "test_values": {"CALL_NUMBER": "+12025550143"}},
        201,
    )  # fmt: skip
    response = await bridge.post(
        f"/admin/integrations/webhooks/{hook['id']}/test", data={}, headers=ADMIN_HEADERS
    )
    page = html.unescape(await response.text())
    assert "page-error" not in page, page.split("page-error")[1][:300]
    request = page.split('data-testid="test-request">')[1].split("</pre>")[0]
    lines = request.split("\n")
    assert lines[0] == f"POST {hook_url}"
    assert "Content-Type: application/x-www-form-urlencoded" in lines[1:-2]
    assert lines[-2:] == ["", "number=%2B12025550143"]


async def test_a_url_typo_is_said_without_jargon(bridge: TestClient) -> None:
    form = {"tenant": TENANT, "name": "Typo", "url": "https://crm.example/{CALL_NUMBR}"}
    response = await bridge.post(
        "/admin/integrations/webhooks/new", data=form, headers=ADMIN_HEADERS
    )
    page = html.unescape(await response.text())
    assert "Unknown variable {CALL_NUMBR}: use one of" in page
    assert "(body)" not in page
    form["url"] = "htps://crm.example/log"
    response = await bridge.post(
        "/admin/integrations/webhooks/new", data=form, headers=ADMIN_HEADERS
    )
    assert "URL: give an https:// URL" in html.unescape(await response.text())

"""One error layer: every refusal has the documented body, nothing leaks a traceback."""

import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import text

from server.database import Database
from server.database_faults import RETRY_AFTER_SECONDS
from server.error_middleware import error_middleware
from server.problems import Problem
from tests.support import ADMIN, TENANT

LOGIN = f"/api/v1/tenants/{TENANT}/sessions"


async def test_an_unexpected_failure_is_a_logged_500_with_a_request_id(
    aiohttp_client: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals")

    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/api/v1/broken", broken)
    app.router.add_get("/page", broken)
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR, logger="server.error_middleware"):
        response = await client.get("/api/v1/broken")
        page = await client.get("/page")
    assert response.status == 500
    error = (await response.json())["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] in error["message"]
    assert "secret internals" not in await response.text()
    assert "Traceback" not in await response.text()
    assert error["request_id"] in caplog.text
    assert "secret internals" in caplog.text  # the operator's log has the cause
    assert page.status == 500
    assert "secret internals" not in await page.text()


async def test_a_problem_is_rendered_with_its_status_headers_and_details(
    aiohttp_client: Callable[..., Any],
) -> None:
    async def refuse(request: web.Request) -> web.Response:
        raise Problem("too_many_events", "wait", headers={"Retry-After": "3"}, seconds=3)

    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/api/x", refuse)
    response = await (await aiohttp_client(app)).get("/api/x")
    assert response.status == 429
    assert response.headers["Retry-After"] == "3"
    assert await response.json() == {
        "error": {"code": "too_many_events", "message": "wait", "seconds": 3}
    }


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nothing-here", 404, "not_found"),
        ("GET", "/api/v1/calls", 405, "method_not_allowed"),
        ("GET", "/api/v1/crm/nothing-here", 401, "missing_api_key"),
        ("GET", "/admin/api/nothing-here", 401, "admin_login_required"),
    ],
)
async def test_the_json_api_answers_json_for_routing_errors(
    bridge: TestClient, method: str, path: str, status: int, code: str
) -> None:
    response = await bridge.request(method, path)
    assert response.status == status
    assert response.content_type == "application/json"
    assert (await response.json())["error"]["code"] == code


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (LOGIN, {"username": "a", "password": "b", "x": 1}, "x"),
        (
            f"/api/v1/tenants/{TENANT}/sessions",
            {"username": "a" * 151, "password": "b"},
            "username",
        ),
        (LOGIN, {"username": [], "password": "b"}, "username"),
        (LOGIN, [1, 2], "(body)"),
    ],
)
async def test_bodies_of_the_wrong_shape_name_the_field(
    bridge: TestClient, path: str, body: Any, field: str
) -> None:
    response = await bridge.post(path, json=body)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "invalid_message"
    assert field in [f["field"] for f in error["fields"]]
    assert error["message"].startswith(field)


@pytest.mark.parametrize(
    "raw",
    ["[" * 5000 + "]" * 5000, '{"tenant": "acme", "name": "\\ud800"}', "\xff"],
    ids=["deeply-nested", "lone-surrogate", "not-utf8"],
)
async def test_hostile_json_is_a_400_not_a_crash(bridge: TestClient, raw: str) -> None:
    response = await bridge.post(
        "/admin/api/keys",
        data=raw.encode("utf-8", "surrogateescape"),
        headers={
            "Content-Type": "application/json",
            "Authorization": aiohttp.encode_basic_auth(*ADMIN),
        },
    )
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_json"


async def test_admin_audit_dates_out_of_range_are_a_400(bridge: TestClient) -> None:
    response = await bridge.get(
        "/admin/api/audit?to=9999-12-31",
        headers={"Authorization": aiohttp.encode_basic_auth(*ADMIN)},
    )
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_query"


@pytest.mark.parametrize(
    "path", ["/healthz", "/api/v1/nothing", "/widget/acme", "/static/embed.js"]
)
async def test_every_answer_says_nosniff_and_hides_the_server_version(
    bridge: TestClient, path: str
) -> None:
    response = await bridge.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Server"] == "crm-bridge"


async def test_admin_pages_forbid_inline_code_framing_and_referrers(bridge: TestClient) -> None:
    response = await bridge.get(
        "/admin/audit", headers={"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
    )
    assert response.status == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<style>" not in await response.text()


@pytest.mark.parametrize("where", ["refusing_postgresql", "unopenable_sqlite"])
async def test_a_database_that_is_down_is_a_503_with_retry_after(
    aiohttp_client: Callable[..., Any], tmp_path: Path, where: str
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    setting = {
        "refusing_postgresql": f"postgresql://bridge:secret@127.0.0.1:{closed}/bridge",
        "unopenable_sqlite": f"sqlite:///{tmp_path}",  # a folder, not a file
    }[where]
    database = Database.from_setting(setting)

    async def query(request: web.Request) -> web.Response:
        async with database.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return web.Response()

    app = web.Application(middlewares=[error_middleware])
    app.router.add_post("/api/v1/events/t/rest", query)
    app.router.add_get("/page", query)
    client = await aiohttp_client(app)
    try:
        response = await client.post("/api/v1/events/t/rest")
        page = await client.get("/page")
    finally:
        await database.close()
    assert response.status == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    error = (await response.json())["error"]
    assert (error["code"], error["retry_after"]) == ("database_unavailable", RETRY_AFTER_SECONDS)
    assert "secret" not in await response.text()
    assert (page.status, page.headers["Retry-After"]) == (503, str(RETRY_AFTER_SECONDS))

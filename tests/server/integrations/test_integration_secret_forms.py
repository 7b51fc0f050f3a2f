"""A CRM that echoes the group's secret in whatever form it received it — raw query
string, form or JSON body, Basic header, decoded, JSON-escaped, past the 2,000th
character of its answer — never gets a piece of it shown: not in the agent's
``lookup_result``, the admin's Test answer, the deliveries API and page, or the database."""

import base64
import html
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from server.keys import DATABASE
from server.tables import stream_events, webhook_deliveries
from tests.events_support import connect, events, push, push_path, set_dialer_ids
from tests.integrations_support import ADMIN_HEADERS, FakeCrm, admin, bridge_app, settled
from tests.support import TENANT, login

KEY = 'Kq9/<r> "Zx+%2F&é=7wP\\v'
PASSWORD = 'pw Yt/4+"ü&%x=Q'
INBOUND = {"type": "inbound", "cid_num": "2025550143", "dst_user_id": 7}
PIECE = 6  # no run of this many characters of a secret (in any form) may show


def _echo(request: web.Request, body: bytes) -> str:
    """Everything the request carried, as received and decoded, as a JSON object padded
    so that the answer is cut at 2,000 characters 12 characters into a secret."""
    received = "|".join(
        [
            request.raw_path,
            request.query_string,
            body.decode(),
            request.headers.get("Authorization", ""),
            json.dumps(dict(request.query)),
        ]
    )
    echo = json.dumps({"echo": received, "escaped": json.dumps(received)})
    pieces = _pieces(KEY) | _pieces(PASSWORD)
    first = min(echo.find(piece) for piece in pieces if piece in echo)
    padding = '{"padding": "' + "x" * max(0, 2000 - 12 - 15 - first) + '", '
    return padding + echo[1:]


@pytest.fixture
async def crm(aiohttp_server: Callable[..., Any]) -> tuple[FakeCrm, str]:
    async def echo(request: web.Request) -> web.Response:
        text = _echo(request, await request.read())
        return web.Response(text=text, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    server: TestServer = await aiohttp_server(app, host="127.0.0.1")
    return FakeCrm(), f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def bridge(
    database_url: str, rest_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> AsyncIterator[TestClient]:
    yield await aiohttp_client(bridge_app(database_url, str(rest_simulator.make_url(""))))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _pieces(secret: str) -> set[str]:
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret, safe="/"),
        quote_plus(secret),
        quote_plus(secret, safe="/"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        base64.b64encode(f"user:{secret}".encode()).decode(),
    }
    forms |= {json.dumps(form)[1:-1] for form in set(forms)}
    return {form[i : i + PIECE] for form in forms for i in range(len(form) - PIECE + 1)}


def _leaks(texts: list[str]) -> list[str]:
    pieces = _pieces(KEY) | _pieces(PASSWORD)
    return sorted({piece for text in texts for piece in pieces if piece in text})


@pytest.mark.parametrize(
    ("auth", "kind", "content_type"),
    [
        ("api_key", "ajax_get", "form"),
        ("api_key", "ajax_post", "form"),
        ("api_key", "ajax_post", "json"),
        ("credentials", "ajax_get", "form"),
    ],
)
async def test_no_piece_of_a_secret_comes_back_in_any_encoding(
    bridge: TestClient, crm: tuple[FakeCrm, str], auth: str, kind: str, content_type: str
) -> None:
    _, base = crm
    secret_fields: dict[str, Any] = (
        {"key_name": "key", "key_placement": "parameter", "api_key": KEY}
        if auth == "api_key"
        else {"username": "user", "password": PASSWORD}
    )
    await admin(
        bridge,
        "POST",
        "/admin/api/groups",
        {"tenant": TENANT, "name": "g", "auth_type": auth, **secret_fields},
        201,
    )
    hook = await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {
            "tenant": TENANT,
            "name": "lookup",
            "url": f"{base}/find",
            "group": "g",
            "type": kind,
            "content_type": content_type,
            "parameters": [{"name": "phone", "value": "{CALLERID_NUMBER}"}],
            "response_type": "object",
            "trigger": "call_ringing",
        },
        201,
    )
    shown: list[Any] = [await admin(bridge, "POST", f"/admin/api/webhooks/{hook['id']}/test")]
    api_key = await admin(bridge, "POST", "/admin/api/keys", {"tenant": TENANT, "name": "c"}, 201)
    await set_dialer_ids(bridge, {"X-Api-Key": api_key["key"]}, user_id="7")
    ws, _ = await connect(bridge, await login(bridge))
    await push(bridge, await push_path(bridge), "call:ring", call_id="S1", **INBOUND)
    shown += await events(ws, 2)
    await ws.close()
    shown.append(await settled(bridge))
    page = await bridge.get("/admin/deliveries", headers=ADMIN_HEADERS)
    texts = [text for value in shown for text in _strings(value)]
    texts.append(html.unescape(await page.text()))
    async with bridge.app[DATABASE].connect() as connection:
        texts += [
            text or ""
            for column in (
                webhook_deliveries.c.request_summary,
                webhook_deliveries.c.answer_summary,
                stream_events.c.data,
            )
            for text in await connection.scalars(select(column))
        ]
    assert any("[redacted]" in text for text in texts)
    assert _leaks(texts) == []

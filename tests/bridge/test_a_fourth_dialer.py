"""A fourth kind of dialer needs its package and a registration, nothing in the server.

The made-up Acme dialer (`tests.fake_dialer`, built as docs/adding-a-dialer.md says) is
registered, configured for the tenant and used through the real bridge on real
sockets: the agent's click-to-call reaches Acme's own API, the admin makes its Event
Push URL, and what Acme pushes there rings and ends the call on the agent's stream.
"""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bridge import UrlPush, adapter_class, kinds_pushing, registered
from server.app import create_app
from server.keys import AGENTS
from tests.events_support import connect, events, push_path
from tests.fake_dialer import AcmeAdapter, AcmeSettings
from tests.support import AGENT, TENANT, bridge_config, login

TOKEN = "acme-token-51f0"
PLACED = web.AppKey("placed", list)


@pytest.fixture
async def acme(aiohttp_server: Callable[..., Any]) -> TestServer:
    """The Acme dialer's API: ``POST /calls`` with its token answers the call's id."""

    async def place(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unknown token"}, status=401)
        request.app[PLACED].append(await request.json())
        return web.json_response({"call": f"acme-{len(request.app[PLACED])}"})

    app = web.Application()
    app[PLACED] = []
    app.router.add_post("/calls", place)
    return await aiohttp_server(app)


@pytest.fixture
async def bridge(
    database_url: str, acme: TestServer, aiohttp_client: Callable[..., Any]
) -> AsyncIterator[TestClient]:
    """The bridge with the Acme dialer registered and its tenant's click-to-call dialer.

    The configuration's schema knows the kinds of `bridge.dialers`; a kind registered
    at run time is configured in code (its settings checked by its own model)."""
    with registered(AcmeAdapter):
        config = bridge_config(database_url, "http://127.0.0.1:9")  # REST: not called
        tenant = config.tenants[TENANT]
        settings = AcmeSettings(base_url=str(acme.make_url("")), token=TOKEN, timeout=2)
        tenant = tenant.model_copy(
            update={"dialers": {**tenant.dialers, "acme": settings}, "click_to_call_dialer": "acme"}
        )
        app = create_app(config.model_copy(update={"tenants": {TENANT: tenant}}))

        async def seed(app: web.Application) -> None:
            await app[AGENTS].save(
                TENANT, AGENT["username"], password=AGENT["password"], extension="1001"
            )

        app.on_startup.append(seed)
        yield await aiohttp_client(app)


def test_registering_a_kind_makes_it_known_while_registered() -> None:
    with registered(AcmeAdapter):
        assert adapter_class("acme") is AcmeAdapter
        assert kinds_pushing(UrlPush) == ("rest", "acme")
        with pytest.raises(ValueError, match="registered already"), registered(AcmeAdapter):
            pass
    with pytest.raises(KeyError):
        adapter_class("acme")


async def test_a_click_to_call_reaches_the_fourth_dialer_and_its_pushes_reach_the_agent(
    bridge: TestClient, acme: TestServer
) -> None:
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    ws, welcome = await connect(bridge, headers["Authorization"].removeprefix("Bearer "))
    assert welcome["live_status"] is True  # Acme pushes its calls' progress

    response = await bridge.post(
        "/api/v1/calls", json={"phone_number": "+1 202 555 0143"}, headers=headers
    )
    assert response.status == 200, await response.text()
    placed = await response.json()
    assert (placed["uuid"], placed["dialer"]) == ("acme-1", "acme")
    assert acme.app[PLACED] == [{"to": "12025550143", "agent": "1001"}]

    path = await push_path(bridge, "acme")  # the admin's Event Push URL of the Acme dialer
    for state in ("ringing", "ended"):
        pushed = await bridge.post(path, json={"call": "acme-1", "state": state})
        assert await pushed.json() == {"ok": True, "duplicate": False}
    ringing, ended = await events(ws, 2)
    assert (ringing["name"], ended["name"]) == ("call_ringing", "call_ended")
    assert (ringing["data"]["uuid"], ringing["data"]["number"]) == ("acme-1", "+12025550143")
    assert ended["data"]["answered"] is False
    await ws.close()


async def test_what_the_fourth_dialer_cannot_read_is_refused_in_its_words(
    bridge: TestClient,
) -> None:
    path = await push_path(bridge, "acme")
    refused = await bridge.post(path, json={"call": "acme-1", "state": "on hold"})
    assert refused.status == 400
    assert await refused.json() == {
        "error": {
            "code": "unknown_event",
            "message": "state must be one of ringing, answered, ended",
        }
    }
    wrong = await bridge.post(f"/api/v1/events/{TENANT}/nobody?secret=x", json={})
    assert (await wrong.json())["error"] == {
        "code": "unknown_event_url",
        "message": "no REST or Acme dialer has this Event Push URL",
    }

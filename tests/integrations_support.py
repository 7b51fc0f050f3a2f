"""A stand-in CRM for the Integration Centre's tests (a real aiohttp app on a real port)
and a bridge configuration whose outbound policy allows exactly it."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient
from multidict import CIMultiDict, MultiDict

from server.app import create_app
from server.config import ServerConfig, parse_config
from server.integrations.secret_box import SecretBox
from server.keys import AGENTS
from tests.support import ADMIN, AGENT, CRM_ORIGIN, REST_API_KEY, TENANT

SECRET_KEY = SecretBox.new_key()
ADMIN_HEADERS = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
# Everything a CRM's name, a note or a parameter may contain that breaks naive encoding.
HOSTILE = 'Zoë & "Dupont" <o\'brien>+1=2;%20 #?/\\ 東京'


@dataclass
class Received:
    method: str
    path: str
    query: MultiDict[str]
    headers: CIMultiDict[str]
    body: bytes


@dataclass
class FakeCrm:
    """Records every request; answers each path from its queue of replies (then 200 {})."""

    received: list[Received] = field(default_factory=list)
    replies: dict[str, list[web.Response | Callable[[], Any]]] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append(
            Received(
                request.method,
                request.path,
                MultiDict(request.query),
                CIMultiDict(request.headers),
                await request.read(),
            )
        )
        self.arrived.set()
        queue = self.replies.get(request.path)
        if queue:
            reply = queue.pop(0)
            return reply if isinstance(reply, web.StreamResponse) else await reply()
        return web.json_response({})

    def to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def wait_for(self, path: str, count: int = 1) -> list[Received]:
        async def enough() -> None:
            while len(self.to(path)) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), 10)
        return self.to(path)


def integrations_config(
    database_url: str,
    rest_url: str,
    *,
    tenant_integrations: dict[str, Any] | None = None,
    other_tenants: tuple[str, ...] = (),
    **settings: Any,
) -> ServerConfig:
    """The test bridge: the REST dialer, fast retries, and the CRM on 127.0.0.1 allowed;
    ``other_tenants`` are more tenants like ``TENANT`` (without declared integrations)."""
    integrations = {
        "secret_keys": [SECRET_KEY],
        "allow_http_hosts": ["127.0.0.1"],
        "allow_addresses": ["127.0.0.1/32"],
        "backoff_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "poll_seconds": 0.02,
        "max_attempts": 3,
        "timeout_seconds": 5,
        **settings,
    }
    tenant: dict[str, Any] = {
        "name": "Acme",
        "allowed_origins": [CRM_ORIGIN],
        "dialers": {"rest": {"base_url": rest_url, "api_key": REST_API_KEY, "timeout": 2}},
    }
    tenants = {other: {**tenant, "name": other.title()} for other in other_tenants}
    if tenant_integrations is not None:
        tenant["integrations"] = tenant_integrations
    return parse_config(
        {
            "server": {"database": database_url},
            "admin": {"username": ADMIN[0], "password": ADMIN[1]},
            "integrations": integrations,
            "tenants": {TENANT: tenant, **tenants},
        }
    )


async def admin(
    bridge: TestClient, method: str, path: str, body: Any = None, status: int = 200
) -> Any:
    response = await bridge.request(method, path, json=body, headers=ADMIN_HEADERS)
    assert response.status == status, await response.text()
    return await response.json()


async def deliveries(bridge: TestClient, **query: str) -> list[dict[str, Any]]:
    answer = await admin(bridge, "GET", "/admin/api/deliveries", None)
    if query:
        response = await bridge.get("/admin/api/deliveries", params=query, headers=ADMIN_HEADERS)
        answer = await response.json()
    return answer["deliveries"]


async def settled(bridge: TestClient, count: int = 1) -> list[dict[str, Any]]:
    """The deliveries once ``count`` of them are delivered or failed (newest first)."""
    for _ in range(500):
        found = await deliveries(bridge)
        if sum(d["state"] in ("delivered", "failed") for d in found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"deliveries did not settle: {found}")


def bridge_app(database_url: str, rest_url: str, **options: Any) -> web.Application:
    """The bridge app on that configuration, with agent1 (extension 1001) and agent2."""
    app = create_app(integrations_config(database_url, rest_url, **options))

    async def seed(app: web.Application) -> None:
        await app[AGENTS].save(
            TENANT, AGENT["username"], password=AGENT["password"], extension="1001"
        )
        await app[AGENTS].save(TENANT, "agent2", password="Agent2-secret!", extension="200")

    app.on_startup.append(seed)
    return app

"""Helpers for the live-event tests: an Event Push URL of the test bridge, pushing
events to it as the REST dialer does, and an agent's live stream."""

from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.test_utils import TestClient

from tests.support import ADMIN, TENANT


async def push_path(bridge: TestClient, dialer: str = "rest") -> str:
    """A new Event Push URL of the bridge's REST dialer, as a path with its query."""
    response = await bridge.post(
        f"/admin/api/event-push/{TENANT}/{dialer}",
        headers={"Authorization": aiohttp.encode_basic_auth(*ADMIN)},
    )
    assert response.status == 201, await response.text()
    url = urlsplit((await response.json())["url"])
    return f"{url.path}?{url.query}"


async def push(bridge: TestClient, path: str, event: str, **data: Any) -> dict[str, Any]:
    response = await bridge.post(path, json={"event": event, "data": data})
    assert response.status == 200, await response.text()
    return await response.json()


async def connect(
    bridge: TestClient, token: str, after: int | None = None
) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    """The agent's live stream after its hello, and the first answer (the welcome)."""
    ws = await bridge.ws_connect("/api/v1/stream")
    await ws.send_json({"type": "hello", "token": token, "after": after})
    return ws, await ws.receive_json(timeout=5)


async def events(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[dict[str, Any]]:
    """The stream's next ``count`` messages, all of them events."""
    received = [await ws.receive_json(timeout=5) for _ in range(count)]
    assert all(message["type"] == "event" for message in received), received
    return received


async def set_dialer_ids(
    bridge: TestClient, api_key: dict[str, str], username: str = "agent1", **ids: str
) -> None:
    """Give the agent ids on the REST dialer through the CRM API's agent PUT."""
    response = await bridge.put(
        f"/api/v1/crm/agents/{username}",
        json={"full_name": "Agent One", "extension": "1001", "dialer_ids": {"rest": ids}},
        headers=api_key,
    )
    assert response.status in (200, 207), await response.text()


async def calls(bridge: TestClient, api_key: dict[str, str], **query: str) -> list[dict[str, Any]]:
    response = await bridge.get("/api/v1/crm/calls", params=query, headers=api_key)
    assert response.status == 200, await response.text()
    return (await response.json())["calls"]


FAST = {"ring_seconds": 0.05, "talk_seconds": 0.1}


async def sim(
    session: aiohttp.ClientSession, wired: dict[str, Any], method: str, path: str, body: Any = None
) -> Any:
    async with session.request(method, wired["sim"].join(aiohttp.client.URL(path)), json=body) as r:
        assert r.status < 300, await r.text()
        return await r.json()

"""Fixtures the server's tests share beyond the project-wide ones (tests/conftest.py)."""

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.events_support import FAST, push_path
from tests.support import SYNCED_AGENT, rest_state


@pytest.fixture
async def wired(
    bridge: TestClient,
    rest_simulator: TestServer,
    api_key: dict[str, str],
    session: aiohttp.ClientSession,
) -> dict[str, Any]:
    """The simulator pushing to the bridge; agent1 a user of it on extension 1001."""
    response = await bridge.put("/api/v1/crm/agents/agent1", json=SYNCED_AGENT, headers=api_key)
    user_id = int((await response.json())["dialers"]["rest"]["message"].rsplit(" ", 1)[-1])
    body = {**SYNCED_AGENT, "dialer_ids": {"rest": {"user_id": user_id}}}
    await bridge.put("/api/v1/crm/agents/agent1", json=body, headers=api_key)
    rest_state(rest_simulator).route_extension("1001", user_id=user_id)
    sim = rest_simulator.make_url("")
    push_url = str(bridge.make_url(await push_path(bridge)))
    for method, path, payload in (
        ("PUT", "/_sim/event_url", {"url": push_url}),
        ("PUT", "/_sim/call_plan", FAST),
    ):
        async with session.request(method, sim.join(aiohttp.client.URL(path)), json=payload) as r:
            assert r.status == 200, await r.text()
    token = (
        await (
            await bridge.post(
                "/api/v1/tenants/acme/sessions",
                json={"username": "agent1", "password": SYNCED_AGENT["password"]},
            )
        ).json()
    )["token"]
    return {
        "user_id": user_id,
        "token": token,
        "sim": sim,
        "headers": {"Authorization": f"Bearer {token}"},
    }

"""The admins' live wallboard on real sockets: its page is a readable snapshot, and its
server-sent-events stream sends a first board at once and a new one when an agent checks
in and when a queue call waits, is answered and ends (the REST simulator pushing to the
bridge), on SQLite and PostgreSQL."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from tests.databases import BOTH_DATABASES
from tests.events_support import sim
from tests.support import ADMIN

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

ADMIN_AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
QUEUE = 3


class Boards:
    """The wallboard stream's ``board`` events, in order."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def next(self) -> dict[str, Any]:
        name, data = None, ""
        while True:
            line = (await self._response.content.readline()).decode()
            assert line, "the stream ended"
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data += line[len("data: ") :]
            elif not line and name == "board":
                return dict(json.loads(data))
            elif not line:
                name, data = None, ""

    async def until(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first board (from now) that has what is ``wanted``."""
        async with asyncio.timeout(20):  # a guard against hanging, not a measure
            while not wanted((event := await self.next())["board"]):
                pass
        return event


@pytest.fixture
async def boards(bridge: TestClient) -> AsyncIterator[Boards]:
    response = await bridge.get("/admin/wallboard/events?tenant=acme", headers=ADMIN_AUTH)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    yield Boards(response)
    response.close()


def agent_state(board: dict[str, Any], username: str) -> str | None:
    return next((a["state"] for a in board["agents"] if a["agent"] == username), None)


def waiting(board: dict[str, Any]) -> int:
    return sum(q["waiting"] for q in board["queues"] if q["queue"] == str(QUEUE))


async def test_the_board_follows_an_agent_and_a_queue_call(
    bridge: TestClient,
    boards: Boards,
    wired: dict[str, Any],
    session: aiohttp.ClientSession,
) -> None:
    first = await boards.next()
    assert agent_state(first["board"], "agent1") is None  # not checked in
    assert first["board"]["today"]["offered"] == 0
    assert "No agent is checked in." in first["html"]

    response = await bridge.post("/api/v1/agent/check-in", json={}, headers=wired["headers"])
    assert response.status == 200, await response.text()
    checked_in = await boards.until(lambda b: agent_state(b, "agent1") == "available")
    assert 'data-agent="agent1"' in checked_in["html"] and "Available" in checked_in["html"]

    call = {"user_id": wired["user_id"], "caller": "+442071838750", "queue_id": QUEUE}
    await sim(
        session, wired, "POST", "/_sim/inbound", call | {"ring_seconds": 1.5, "talk_seconds": 1.5}
    )
    ringing = await boards.until(lambda b: waiting(b) == 1)
    [queue] = [q for q in ringing["board"]["queues"] if q["queue"] == str(QUEUE)]
    assert queue["name"] == f"Queue {QUEUE}" and queue["oldest_started_at"] is not None
    assert 'data-testid="wb-waiting"><dt>Calls waiting</dt><dd>1</dd>' in ringing["html"]

    await boards.until(lambda b: agent_state(b, "agent1") == "in_call" and waiting(b) == 0)
    ended = await boards.until(lambda b: agent_state(b, "agent1") in ("wrap_up", "available"))
    today = ended["board"]["today"]
    assert (today["offered"], today["answered"], today["abandoned"]) == (1, 1, 0)
    assert today["service_level"] in (100.0, 0.0)  # answered within 20 s or not: either way set


async def test_the_page_is_a_snapshot_without_javascript(bridge: TestClient) -> None:
    page = await bridge.get("/admin/wallboard", headers=ADMIN_AUTH)
    assert page.status == 200
    html = await page.text()
    assert '<a href="/admin/wallboard" aria-current="page">Wallboard</a>' in html
    for words in ("Today so far", "Calls waiting", "Service level", "No agent is checked in."):
        assert words in html
    assert 'data-events="/admin/wallboard/events?tenant=acme"' in html


async def test_the_wallboard_is_for_admins_only(bridge: TestClient) -> None:
    for path in ("/admin/wallboard", "/admin/wallboard/events"):
        assert (await bridge.get(path)).status == 401

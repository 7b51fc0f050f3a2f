"""A tenant's dialer (or anyone with its Event Push URL or an API key) cannot fill the
database: unknown variables are dropped, a stored event is capped, each tenant's events
are rate limited (429 with Retry-After), the Euphoria receiver takes a bounded number of
parameters, and received events are kept ``[events] keep_days``."""

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, insert, select

from server.app import create_app
from server.config import EventsSection
from server.database import Database
from server.keys import AGENTS, DATABASE
from server.tables import dialer_events
from tests.events_support import push_path
from tests.jobs_api import until
from tests.support import AGENT, TENANT, bridge_config

PADDING = {f"x_{n}": "p" * 1000 for n in range(55)}  # 57 KB of unknown variables
RATE = EventsSection(max_per_second=0.5, burst=20, keep_days=7)


@pytest.fixture
async def bridge(
    database_url: str,
    rest_simulator: TestServer,
    euphoria_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
) -> AsyncIterator[TestClient]:
    config = bridge_config(
        database_url, str(rest_simulator.make_url("")), str(euphoria_simulator.make_url(""))
    )
    app = create_app(config.model_copy(update={"events": RATE}))

    async def seed(app: Any) -> None:
        await app[AGENTS].save(TENANT, AGENT["username"], password=AGENT["password"])

    app.on_startup.append(seed)
    yield await aiohttp_client(app)


async def _stored_bytes(bridge: TestClient) -> tuple[int, int]:
    async with bridge.app[DATABASE].connect() as connection:
        count, size = (
            await connection.execute(
                select(func.count(), func.coalesce(func.sum(func.length(dialer_events.c.data)), 0))
            )
        ).one()
    return int(count), int(size)


async def test_a_flood_of_padded_events_is_rate_limited_and_stored_small(
    bridge: TestClient,
) -> None:
    path = await push_path(bridge)
    statuses = []
    for n in range(40):
        data = {"call_id": f"f{n}", "type": "inbound", "cid_num": "2025550143", **PADDING}
        response = await bridge.post(path, json={"event": "call:ring", "data": data})
        statuses.append(response.status)
        if response.status == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert (await response.json())["error"]["code"] == "too_many_events"
    assert statuses.count(200) <= RATE.burst + 1  # the burst, and what trickled in since
    assert statuses.count(429) >= 40 - RATE.burst - 1
    count, size = await _stored_bytes(bridge)
    assert count == statuses.count(200)
    assert size < count * 300  # the known variables only, not the 57 KB of padding


async def test_an_event_too_large_to_keep_is_refused(bridge: TestClient) -> None:
    path = await push_path(bridge)
    queues = [f"queue-{n:05d}-" + "q" * 40 for n in range(1000)]
    response = await bridge.post(
        path, json={"event": "queue:join", "data": {"user_id": 7, "queues": queues}}
    )
    assert response.status == 413, await response.text()
    assert (await response.json())["error"]["code"] == "event_too_large"


async def test_the_euphoria_receiver_takes_a_bounded_number_of_parameters(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    many = {f"P{n}": "v" for n in range(5000)}
    for send in ({"data": many}, {"json": dict(list(many.items())[:3000])}):
        params = {"CALL_SIPID": "e1", "event": "ring"}
        response = await bridge.post(
            "/api/v1/events/euphoria",
            headers=api_key,
            **{k: {**params, **v} for k, v in send.items()},
        )
        assert response.status == 400, await response.text()
        assert "at most 100 parameters" in (await response.json())["error"]["message"]
    fine = {"CALL_SIPID": "e2", "event": "ring", "UNKNOWN": "u" * 1500}
    response = await bridge.post("/api/v1/events/euphoria", data=fine, headers=api_key)
    assert response.status == 200, await response.text()
    async with bridge.app[DATABASE].connect() as connection:
        [data] = await connection.scalars(select(dialer_events.c.data))
    assert "UNKNOWN" not in data and "e2" in data


async def test_received_events_are_kept_keep_days(
    database_url: str, rest_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> None:
    database = await Database.open(database_url)
    now = time.time()
    async with database.begin() as connection:
        for name, days in (("old", 8), ("recent", 6)):
            await connection.execute(
                insert(dialer_events).values(
                    tenant=TENANT, dialer="rest", name=name, digest=name, data="{}",
                    received_at=now - days * 86400,
                )
            )  # fmt: skip
    await database.close()
    config = bridge_config(database_url, str(rest_simulator.make_url("")))
    bridge = await aiohttp_client(create_app(config.model_copy(update={"events": RATE})))

    async def names() -> list[str]:
        async with bridge.app[DATABASE].connect() as connection:
            return list(await connection.scalars(select(dialer_events.c.name)))

    kept = await until(names, lambda found: "old" not in found)  # purged as the bridge starts
    assert kept == ["recent"]

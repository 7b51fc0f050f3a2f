"""Health, readiness and a graceful stop: ``/readyz`` says when an instance should get
no requests; SIGTERM closes the live streams with 1012 at once (the widget reconnects
elsewhere) and the process exits. A second instance on one SQLite file is refused."""

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from server.error_catalogue import RESTARTING
from server.keys import DRAIN
from tests.bridge_processes import agent, open_stream, serve, write_config
from tests.databases import BOTH_DATABASES
from tests.events_support import connect
from tests.processes import Processes, processes
from tests.support import login

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Processes]:
    with processes(tmp_path) as running:
        yield running


async def test_ready_until_draining_then_streams_close_with_1012(bridge: TestClient) -> None:
    health = await bridge.get("/healthz")
    assert (health.status, await health.json()) == (200, {"ok": True})
    ready = await bridge.get("/readyz")
    assert (ready.status, await ready.json()) == (
        200,
        {"ready": True, "database": "ok", "listen": "ok", "draining": False},
    )
    ws, _ = await connect(bridge, await login(bridge))

    draining = asyncio.create_task(bridge.app[DRAIN].begin())
    assert (await ws.receive(timeout=5)).type == WSMsgType.CLOSE
    assert ws.close_code == RESTARTING
    await draining
    not_ready = await bridge.get("/readyz")
    assert not_ready.status == 503
    assert (await not_ready.json())["draining"] is True
    late = await bridge.ws_connect("/api/v1/stream")  # one that comes in meanwhile
    await late.send_json({"type": "hello", "token": await login(bridge), "after": None})
    assert (await late.receive(timeout=5)).type == WSMsgType.CLOSE
    assert late.close_code == RESTARTING
    assert (await bridge.get("/healthz")).status == 200  # alive: it is only stopping


async def test_sigterm_closes_streams_with_1012_and_the_process_exits(
    tmp_path: Path, started: Processes, database_url: str
) -> None:
    config = write_config(tmp_path, "bridge", database_url, "shutdown_seconds = 4")
    process, url = await serve(started, config)
    async with aiohttp.ClientSession() as session:
        me = await agent(session, config, url)
        ws, _ = await open_stream(session, url, me.token)
        process.popen.send_signal(signal.SIGTERM)
        assert (await ws.receive(timeout=10)).type == WSMsgType.CLOSE
        assert ws.close_code == RESTARTING
    assert process.popen.wait(timeout=30) == 0


async def test_a_second_instance_on_one_sqlite_file_is_refused_with_one_line(
    tmp_path: Path, started: Processes
) -> None:
    database = f"sqlite:///{tmp_path / 'bridge.sqlite3'}"
    await serve(started, write_config(tmp_path, "first", database))
    second = started.start(
        "second", ["serve", "--config", str(write_config(tmp_path, "second", database))]
    )
    assert second.popen.wait(timeout=60) == 1
    [line] = second.log.read_text().strip().splitlines()
    assert line.startswith("crm-bridge: another crm-bridge serve (pid ")
    assert "PostgreSQL" in line

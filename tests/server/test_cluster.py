"""Two `crm-bridge serve` instances on one PostgreSQL behind Debian's haproxy, as an
operator runs them, through ``kill -9`` of one instance, a PostgreSQL restart and an
outage: every stored event reaches every stream once, in order, and every answer during
the outage is a 503.

A dialer pushes one agent's calls (ring, answer, end; several calls at once) through
haproxy, which spreads them round-robin over the instances, and re-sends a push until
it gets a 2xx, as the REST dialer does. Three widgets hold the agent's live stream: one
on each instance directly and one through haproxy; each reconnects after a close, to
the next address it knows, with the last id it saw (or the welcome's cursor). The
PostgreSQL server is the test's own (`tests.postgres_server`), so restarting it
disturbs no other test. Collected only under `scripts/with-throwaway-postgres`, which
installs PostgreSQL and haproxy (see conftest.py).
"""

import asyncio
import contextlib
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from tests.bridge_processes import Agent, agent, serve, write_config
from tests.postgres_server import PostgresServer
from tests.processes import Process, Processes, free_ports, processes

HAPROXY = """
global
    maxconn 4000

defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    retries 3
    option redispatch

frontend bridge
    bind 127.0.0.1:{port}
    default_backend bridges

backend bridges
    balance roundrobin
    option httpchk GET /readyz
    default-server inter 300ms fall 2 rise 1
    server a {a} check
    server b {b} check
"""
CONCURRENT_CALLS = 3
SETTLE_SECONDS = 60.0  # for the streams to catch up at the end (a loaded machine is slow)


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.create()
        yield server
    finally:
        server.remove()


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Processes]:
    with processes(tmp_path) as running:
        yield running


@contextlib.contextmanager
def haproxy(folder: Path, a: str, b: str) -> Iterator[str]:
    """haproxy round-robin over the two instances; its URL."""
    port = free_ports(1)
    config = folder / "haproxy.cfg"
    config.write_text(
        HAPROXY.format(port=port, a=a.removeprefix("http://"), b=b.removeprefix("http://"))
    )
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    with (folder / "haproxy.log").open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - Debian's haproxy, our configuration
            [binary, "-f", str(config), "-db"], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


class Dialer:
    """Pushes calls' events; re-sends each until a 2xx. Keeps every answer's status with
    the time its request was sent."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url
        self.answers: list[tuple[float, int]] = []
        self.calls = 0

    async def push(self, event: str, data: dict[str, Any]) -> None:
        while True:
            sent = time.monotonic()
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self.session.post(
                    self.url, json={"event": event, "data": data}, timeout=aiohttp.ClientTimeout(10)
                ) as response:
                    await response.read()
                    self.answers.append((sent, response.status))
                    if response.status < 300:
                        return
            await asyncio.sleep(0.2)  # a real dialer honours Retry-After; the test is brief

    async def calls_until(self, stop: asyncio.Event, line: int) -> None:
        while not stop.is_set():
            self.calls += 1
            call = {
                "call_id": f"c{line}-{self.calls}",
                "type": "outbound",
                "dst_num": "2025550143",
                "src_user_id": 7,
            }
            for event in ("call:ring", "call:answer", "call:end"):
                await self.push(event, call)


class Widget:
    """A widget's live stream: reconnects to its addresses in turn, resuming after the
    last id it saw; keeps every event it got."""

    def __init__(self, session: aiohttp.ClientSession, urls: list[str], token: str) -> None:
        self.session, self.urls, self.token = session, urls, token
        self.cursor: int | None = None  # the first welcome's
        self.last: int | None = None
        self.received: list[tuple[int, str, str | None]] = []
        self.close_codes: list[int | None] = []
        self.welcomed = asyncio.Event()
        self._moved = asyncio.Event()

    async def reaches(self, last: int) -> None:
        """Wait until the widget has seen event ``last``."""
        while self.last != last:
            self._moved.clear()
            await self._moved.wait()

    async def run(self) -> None:
        for attempt in range(10**6):
            url = self.urls[attempt % len(self.urls)]
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                async with self.session.ws_connect(f"{url}/api/v1/stream") as ws:
                    await ws.send_json({"type": "hello", "token": self.token, "after": self.last})
                    async for message in ws:
                        if message.type == aiohttp.WSMsgType.TEXT:
                            self._take(json.loads(message.data))
                    self.close_codes.append(ws.close_code)
            await asyncio.sleep(0.2)

    def _take(self, message: dict[str, Any]) -> None:
        if message["type"] == "welcome":
            if self.last is None:
                self.cursor = self.last = message["cursor"]
            self.welcomed.set()
        elif message["type"] == "event":
            data = message["data"]
            self.received.append((message["id"], message["name"], data.get("call_id")))
            self.last = message["id"]
            self._moved.set()


async def stored_events(url: str) -> list[tuple[int, str, str | None]]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT seq, name, data FROM stream_events ORDER BY seq")
    finally:
        await connection.close()
    return [(row["seq"], row["name"], json.loads(row["data"]).get("call_id")) for row in rows]


@contextlib.asynccontextmanager
async def running(*tasks: asyncio.Task[None]) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_no_event_lost_or_doubled_through_a_kill_a_restart_and_an_outage(
    tmp_path: Path, postgres: PostgresServer, started: Processes
) -> None:
    extra = 'trusted_proxies = ["127.0.0.1"]\nshutdown_seconds = 5'
    configs = [write_config(tmp_path, name, postgres.url, extra) for name in ("a", "b")]
    (process_a, a), (_, b) = await asyncio.gather(*(serve(started, c) for c in configs))
    with haproxy(tmp_path, a, b) as balanced:
        await Process.answers(process_a, f"{balanced}/readyz")
        session = await contextlib.AsyncExitStack().enter_async_context(aiohttp.ClientSession())
        try:
            me: Agent = await agent(session, configs[0], balanced)
            widgets = [
                Widget(session, [a, b], me.token),
                Widget(session, [b, a], me.token),
                Widget(session, [balanced], me.token),
            ]
            one_connection_per_push = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(force_close=True)
            )
            dialer = Dialer(one_connection_per_push, f"{balanced}{me.push_path}")
            stop = asyncio.Event()
            streams = [asyncio.create_task(widget.run()) for widget in widgets]
            async with running(*streams):
                for widget in widgets:
                    await asyncio.wait_for(widget.welcomed.wait(), 30)
                lines = [
                    asyncio.create_task(dialer.calls_until(stop, n))
                    for n in range(CONCURRENT_CALLS)
                ]
                await asyncio.sleep(2)
                process_a.kill()  # kill -9, in the middle of pushes and streams
                await asyncio.sleep(1)
                process_a, _ = await serve(started, configs[0])
                await asyncio.sleep(1)
                postgres.stop()  # a PostgreSQL restart
                postgres.start()
                await asyncio.sleep(2)
                postgres.stop()  # an outage
                outage_began = time.monotonic()
                await asyncio.sleep(3)
                outage_ended = time.monotonic()
                postgres.start()
                await asyncio.sleep(2)
                stop.set()
                await asyncio.wait_for(asyncio.gather(*lines), 60)
                stored = await stored_events(postgres.url)
                newest = stored[-1][0]
                async with asyncio.timeout(SETTLE_SECONDS):
                    for widget in widgets:
                        await widget.reaches(newest)
        finally:
            await session.close()
            await one_connection_per_push.close()

    assert [seq for seq, _, _ in stored] == list(range(1, newest + 1))  # numbered, no gap
    for widget in widgets:  # each got every event after its cursor once, in order
        assert widget.cursor is not None
        assert widget.received == stored[widget.cursor :], widget.close_codes
    calls = {call_id for _, name, call_id in stored if name == "call_ringing"}
    assert len(calls) >= CONCURRENT_CALLS * 2
    for call in calls:  # every call's news once, whatever instance got each push
        names = [name for _, name, call_id in stored if call_id == call]
        assert names == ["call_ringing", "call_answered", "call_ended"], (call, names)
    during = [status for sent, status in dialer.answers if outage_began < sent < outage_ended - 0.5]
    assert during and set(during) == {503}
    assert 500 not in {status for _, status in dialer.answers}

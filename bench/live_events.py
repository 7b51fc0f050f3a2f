"""Dialer event → the agent's stream, with 1,000 agents' streams open on one bridge.

A `crm-bridge serve` child process (SQLite, as configured by default) with 1,000 agents,
each with a session and a user id on its REST dialer, seeded straight into its database
before it starts. The bench opens one WebSocket stream per agent, then POSTs ``call:ring``
events to the Event Push URL at a fixed rate (open loop), each for a random agent, and
times each from just before its POST to the ``call_ringing`` on that agent's stream (one
process, one clock). Baselines in the same run: a ``GET /healthz`` round trip at the same
rate (the HTTP floor), and the bridge's RSS before any stream is open.
"""

import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp

from bench.seeding import TENANT, seed_agents
from server.database import Database
from server.events.push_secrets import PushSecrets

MIB = 1024 * 1024
CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
database = "{database}"
stream_waiting_per_address = 1000  # the 1,000 streams open at once, all from 127.0.0.1

[tenants.{tenant}]
allowed_origins = ["http://127.0.0.1:1"]

[tenants.{tenant}.dialers.rest]
base_url = "http://127.0.0.1:9"
api_key = "bench-rest-key"
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _seed(database_url: str, count: int) -> tuple[list[str], str]:
    """``count`` agents (user ids 1..count), a session each; their tokens and the secret."""
    tokens = await seed_agents(database_url, count)
    database = await Database.open(database_url)
    try:
        return tokens, await PushSecrets(database).rotate(TENANT, "rest")
    finally:
        await database.close()


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextlib.contextmanager
def _bridge(folder: Path, database_url: str) -> Iterator[tuple[str, int]]:
    port = _free_port()
    config = folder / "bench.toml"
    config.write_text(CONFIG.format(port=port, database=database_url, tenant=TENANT))
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "cli", "serve", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the bridge did not start") from None
                time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


class Streams:
    """One open stream per agent; each ``call_ringing`` resolves its call's future."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self._readers: list[asyncio.Task[None]] = []

    async def open(self, session: aiohttp.ClientSession, base: str, tokens: list[str]) -> None:
        connections = await asyncio.gather(*(self._connect(session, base, t) for t in tokens))
        self._readers = [asyncio.create_task(self._read(ws)) for ws in connections]

    async def _connect(
        self, session: aiohttp.ClientSession, base: str, token: str
    ) -> aiohttp.ClientWebSocketResponse:
        ws = await session.ws_connect(f"{base}/api/v1/stream", heartbeat=None)
        await ws.send_json({"type": "hello", "token": token, "after": None})
        welcome = await ws.receive_json(timeout=60)
        assert welcome["type"] == "welcome", welcome
        return ws

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            event = message.json()
            future = self.waiting.get(event.get("data", {}).get("call_id"))
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

    async def close(self) -> None:
        for reader in self._readers:
            reader.cancel()


async def _at_rate(rate: float, count: int, job: Any) -> list[float]:
    """Start ``job(i)`` ``count`` times, ``rate`` a second (open loop); their results."""
    started = time.perf_counter()
    tasks = []
    for i in range(count):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(job(i)))
    return list(await asyncio.gather(*tasks))


@contextlib.asynccontextmanager
async def running_bridge(agents_count: int) -> AsyncIterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="crm-bridge-bench-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        tokens, secret = await _seed(database_url, agents_count)
        with _bridge(Path(folder), database_url) as (base, pid):
            yield {"base": base, "pid": pid, "tokens": tokens, "secret": secret}


async def measure(
    agents_count: int = 1000, events: int = 1000, rate: float = 100
) -> dict[str, Any]:
    async with (
        running_bridge(agents_count) as bridge,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session,
    ):
        base, pid = bridge["base"], bridge["pid"]
        push = f"{base}/api/v1/events/{TENANT}/rest?secret={bridge['secret']}"

        async def healthz(_i: int) -> float:
            started = time.perf_counter()
            async with session.get(f"{base}/healthz") as response:
                await response.read()
            return (time.perf_counter() - started) * 1000

        await _at_rate(rate, 50, healthz)  # warm-up
        floor = await _at_rate(rate, events, healthz)
        rss_before = rss_mib(pid)
        streams = Streams()
        await streams.open(session, base, bridge["tokens"])
        await asyncio.sleep(1)
        rss_open = rss_mib(pid)
        answered: list[float] = []

        async def ring(i: int) -> float:
            user_id = random.randint(1, agents_count)
            call_id = f"bench-{i}"
            future = streams.waiting[call_id] = asyncio.get_running_loop().create_future()
            event = {
                "event": "call:ring",
                "data": {
                    "call_id": call_id,
                    "type": "outbound",
                    "dst_num": "2025550143",
                    "src_user_id": user_id,
                },
            }
            started = time.perf_counter()
            async with session.post(push, json=event) as response:
                assert response.status == 200, await response.text()
            answered.append((time.perf_counter() - started) * 1000)
            received = await asyncio.wait_for(future, 30)
            return (received - started) * 1000

        cpu_before = cpu_seconds(pid)
        latencies = await _at_rate(rate, events, ring)
        cpu_per_event = (cpu_seconds(pid) - cpu_before) / events * 1000
        rss_after = rss_mib(pid)
        await streams.close()
    return {
        "floor": floor,
        "push_answered": answered,
        "to_stream": latencies,
        "rss_before": rss_before,
        "rss_open": rss_open,
        "rss_after": rss_after,
        "cpu_ms_per_event": cpu_per_event,
        "load": os.getloadavg()[0],
        "agents": agents_count,
        "rate": rate,
    }


def report(result: dict[str, Any]) -> list[str]:
    from bench.stats import HEADER, Target, met, row

    agents_count, rate = result["agents"], result["rate"]
    return [
        "",
        f"Live events: {agents_count:,} agents' streams open, call:ring pushed at {rate:g}/s;"
        f" the bridge spent {result['cpu_ms_per_event']:.2f} ms of CPU per event; load"
        f" average {result['load']:.1f} on {os.cpu_count()} cores.",
        "",
        HEADER,
        row(f"GET /healthz at {rate:g}/s (baseline)", result["floor"], None),
        row("event push answered (the dialer's 2xx)", result["push_answered"], result["floor"]),
        row(
            f"dialer event → agent's stream, {agents_count:,} streams",
            result["to_stream"],
            result["floor"],
            Target(p99=100),
        ),
        "",
        "| bridge RSS | MiB | vs baseline | target | met |",
        "|---|---|---|---|---|",
        f"| no stream open (baseline) | {result['rss_before']:.0f} | 1.00x | - | - |",
        f"| {agents_count:,} streams open | {result['rss_open']:.0f} |"
        f" {result['rss_open'] / result['rss_before']:.2f}x | ≤ 150 MB |"
        f" {met(result['rss_open'] * MIB <= 150e6)} |",
        f"| {agents_count:,} streams open, after the events | {result['rss_after']:.0f} |"
        f" {result['rss_after'] / result['rss_before']:.2f}x | ≤ 150 MB |"
        f" {met(result['rss_after'] * MIB <= 150e6)} |",
    ]

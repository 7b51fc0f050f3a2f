"""What the live-event benchmarks share: agents seeded with sessions, `crm-bridge serve`
child processes, one WebSocket stream per agent, ``call:ring`` pushes at an open-loop
rate, and the children's CPU and memory.

Each pushed event is its own call (``call_id`` ``bench-N``) for one agent; a stream
records what it got, so a run can count events lost, duplicated and out of order as
well as time them (the bench process holds both ends: one clock).
"""

import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from bench.seeding import TENANT, seed_agents
from server.database import Database
from server.events.push_secrets import PushSecrets

MIB = 1024 * 1024
CONNECTING_AT_ONCE = 500  # streams opening at once: under stream_waiting_per_address
CONNECT_ATTEMPTS = 20
OPEN_SECONDS = 300  # for one stream to open, refusals and retries included
CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
database = "{database}"
stream_waiting_per_address = 1000  # the streams open at once, all from 127.0.0.1

[events]
max_per_second = 10000  # the bench measures delivery, not the tenant's push limit

[tenants.{tenant}]
allowed_origins = ["http://127.0.0.1:1"]

[tenants.{tenant}.dialers.rest]
base_url = "http://127.0.0.1:9"
api_key = "bench-rest-key"
"""
T = TypeVar("T")
TRACED = "CRM_BRIDGE_BENCH_TRACEMALLOC"  # the folder of bench.traced_serve's snapshots


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family_cpu_seconds(pid: int) -> float:
    """The CPU time so far of the process and its living children (PostgreSQL's
    postmaster and its backends)."""
    total = cpu_seconds(pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def seed(database_url: str, count: int) -> tuple[list[str], str]:
    """``count`` agents (user ids 1..count), a session each; their tokens and the Event
    Push secret of the tenant's REST dialer."""
    tokens = await seed_agents(database_url, count)
    database = await Database.open(database_url)
    try:
        return tokens, await PushSecrets(database).rotate(TENANT, "rest")
    finally:
        await database.close()


@dataclass(frozen=True, slots=True)
class Bridge:
    base: str
    pid: int


@contextlib.contextmanager
def bridge_processes(
    folder: Path, database_url: str, count: int, env: dict[str, str] | None = None
) -> Iterator[list[Bridge]]:
    """``count`` `crm-bridge serve` children on free ports, started at once (the output of
    child ``n`` in ``folder / f"bridge{n}.log"``), once each answers ``/healthz``;
    stopped with SIGTERM at the end. With ``CRM_BRIDGE_BENCH_TRACEMALLOC`` in ``env``,
    they run under `bench.traced_serve`."""
    module = "bench.traced_serve" if env and TRACED in env else "cli"
    processes: list[subprocess.Popen[bytes]] = []
    bridges: list[Bridge] = []
    try:
        for n in range(count):
            port = free_port()
            config = folder / f"bridge{n}.toml"
            config.write_text(CONFIG.format(port=port, database=database_url, tenant=TENANT))
            with (folder / f"bridge{n}.log").open("ab") as log:
                process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
                    [sys.executable, "-m", module, "serve", "--config", str(config)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, **(env or {})},
                )
            processes.append(process)
            bridges.append(Bridge(f"http://127.0.0.1:{port}", process.pid))
        for n, (bridge, process) in enumerate(zip(bridges, processes, strict=True)):
            _wait_until_it_answers(bridge.base, process, folder / f"bridge{n}.log")
        yield bridges
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_it_answers(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):  # noqa: S310
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(
                    f"the bridge did not start:\n{log.read_text()[-2000:]}"
                ) from None
            time.sleep(0.1)


@dataclass
class Stream:
    """One agent's stream: the welcome's cursor and each event's (id, name, call id)."""

    cursor: int | None = None  # the first welcome's
    received: list[tuple[int, str, str | None]] = field(default_factory=list)


class Streams:
    """One open stream per agent; each ``call_ringing`` resolves its call's future."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.streams: list[Stream] = []
        self.refused = 0  # hellos answered by a close, then tried again
        self.resumed = 0  # streams the bridge closed, opened again after the last event
        self._readers: list[asyncio.Task[None]] = []

    async def open(
        self, session: aiohttp.ClientSession, bases: Sequence[str], tokens: list[str]
    ) -> None:
        """Agent ``i``'s stream (``tokens[i]``) on ``bases[i % len(bases)]``."""
        self.streams = [Stream() for _ in tokens]
        gate = asyncio.Semaphore(CONNECTING_AT_ONCE)

        async def connect(i: int) -> aiohttp.ClientWebSocketResponse:
            async with gate, asyncio.timeout(OPEN_SECONDS):  # fail, never hang
                return await self._connect(session, bases[i % len(bases)], tokens[i], i)

        connections = await asyncio.gather(*(connect(i) for i in range(len(tokens))))
        self._readers = [
            asyncio.create_task(self._read(session, bases[i % len(bases)], tokens[i], i, ws))
            for i, ws in enumerate(connections)
        ]

    async def _connect(
        self, session: aiohttp.ClientSession, base: str, token: str, i: int
    ) -> aiohttp.ClientWebSocketResponse:
        """Open, say hello (after the last event seen, if any), take the welcome; as a
        widget does, try again a moment later when the bridge closes it first (1013: its
        database pool was busy too long)."""
        stream = self.streams[i]
        after = stream.received[-1][0] if stream.received else stream.cursor
        for _attempt in range(CONNECT_ATTEMPTS):
            ws = await session.ws_connect(f"{base}/api/v1/stream", heartbeat=None)
            await ws.send_json({"type": "hello", "token": token, "after": after})
            welcome = await ws.receive(timeout=120)
            if welcome.type == aiohttp.WSMsgType.TEXT:
                message = welcome.json()
                assert message["type"] == "welcome", message
                if after is None:
                    stream.cursor = message["cursor"]
                return ws
            self.refused += 1
            await ws.close()
            await asyncio.sleep(random.uniform(0.5, 1.5))
        raise RuntimeError(f"stream {i} refused {CONNECT_ATTEMPTS} times")

    async def _read(
        self,
        session: aiohttp.ClientSession,
        base: str,
        token: str,
        i: int,
        ws: aiohttp.ClientWebSocketResponse,
    ) -> None:
        """Read the stream; when the bridge closes it, resume it as a widget does."""
        while True:
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await self._read_on(ws, self.streams[i])
            self.resumed += 1
            ws = await self._connect(session, base, token, i)

    async def _read_on(self, ws: aiohttp.ClientWebSocketResponse, stream: Stream) -> None:
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            event = message.json()
            if event.get("type") != "event":
                continue
            call_id = event["data"].get("call_id")
            stream.received.append((event["id"], event["name"], call_id))
            future = self.waiting.get(call_id)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

    async def close(self) -> None:
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)


async def at_rate(
    rate: float, count: int, job: Callable[[int], Coroutine[Any, Any, T]], first: int = 0
) -> list[T]:
    """Start ``job(first)``, ``job(first + 1)`` ... ``count`` times, ``rate`` a second
    (open loop); their results."""
    started = time.perf_counter()
    tasks: list[asyncio.Task[T]] = []
    for i in range(count):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(job(first + i)))
    return list(await asyncio.gather(*tasks))


async def healthz_floor(
    session: aiohttp.ClientSession,
    bases: list[str],
    rate: float,
    count: int,
    *,
    warm_up: int = 50,
) -> list[float]:
    """The baseline: ``count`` ``GET /healthz`` round trips (ms) at ``rate`` a second,
    round-robin over ``bases``, after ``warm_up`` more."""

    async def healthz(i: int) -> float:
        started = time.perf_counter()
        async with session.get(f"{bases[i % len(bases)]}/healthz") as response:
            await response.read()
        return (time.perf_counter() - started) * 1000

    await at_rate(rate, warm_up, healthz)
    return await at_rate(rate, count, healthz)


def ring(call_id: str, user_id: int) -> dict[str, Any]:
    """The REST dialer's ``call:ring`` of an outbound call by user ``user_id``."""
    return {
        "event": "call:ring",
        "data": {
            "call_id": call_id,
            "type": "outbound",
            "dst_num": "2025550143",
            "src_user_id": user_id,
        },
    }


class Pusher:
    """``pusher(i)`` pushes event ``i`` (a new call for a random agent) to the next of
    ``pushes`` (round-robin) and waits for it on that agent's stream: the milliseconds
    from before the POST to its arrival, None if it never came (lost)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        pushes: Sequence[str],
        streams: Streams,
        wait_seconds: float = 300,
    ) -> None:
        self.session, self.pushes, self.streams = session, pushes, streams
        self.wait_seconds = wait_seconds
        self.pushed: dict[str, int] = {}  # call id → the agent's index
        self.answered: list[float] = []  # ms to the dialer's 2xx
        self.resent = 0  # pushes answered 503 or 429 and sent again

    async def __call__(self, i: int) -> float | None:
        agent = random.randrange(len(self.streams.streams))
        call_id = f"bench-{i}"
        self.pushed[call_id] = agent
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.streams.waiting[call_id] = future
        started = time.perf_counter()
        push = self.pushes[i % len(self.pushes)]
        while True:  # as a dialer does: on 503 or 429, again after Retry-After
            async with self.session.post(push, json=ring(call_id, agent + 1)) as response:
                if response.status not in (429, 503):
                    assert response.status == 200, await response.text()
                    break
                self.resent += 1
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        self.answered.append((time.perf_counter() - started) * 1000)
        try:
            received = await asyncio.wait_for(future, self.wait_seconds)
        except TimeoutError:
            return None
        finally:
            del self.streams.waiting[call_id]
        return (received - started) * 1000


@dataclass
class Delivery:
    """What the streams got of the events pushed: lost, doubled, out of order."""

    pushed: int
    lost: int
    duplicated: int
    out_of_order: int


def delivery(streams: Streams, pushed: dict[str, int]) -> Delivery:
    """Check every stream against ``pushed`` (call id → the agent index it was for):
    each call once on its agent's stream, the ids numbered on from the welcome's cursor
    without a gap or a step back."""
    seen: dict[str, int] = {}
    out_of_order = 0
    for stream in streams.streams:
        expected = (stream.cursor or 0) + 1
        for event_id, name, call_id in stream.received:
            if event_id != expected:
                out_of_order += 1
            expected = event_id + 1
            if name == "call_ringing" and call_id in pushed:
                seen[call_id] = seen.get(call_id, 0) + 1
    lost = sum(1 for call_id in pushed if call_id not in seen)
    duplicated = sum(count - 1 for count in seen.values())
    return Delivery(len(pushed), lost, duplicated, out_of_order)


class MemorySamples:
    """Each process's RSS once a second (from a task), with the time taken."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.pids = list(pids)
        self.times: list[float] = []
        self.rss: dict[int, list[float]] = {pid: [] for pid in pids}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            self.times.append(time.monotonic())
            for pid in self.pids:
                self.rss[pid].append(rss_mib(pid))
            await asyncio.sleep(1)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def slope(self, pid: int, after_seconds: float) -> tuple[float, float, float]:
        """The least-squares growth of ``pid``'s RSS in MiB/min over the samples taken
        ``after_seconds`` from the first (warm-up excluded); with that span in minutes
        and the RSS at its start."""
        start = self.times[0] + after_seconds
        pairs = [(t, r) for t, r in zip(self.times, self.rss[pid], strict=False) if t >= start]
        if len(pairs) < 2:
            raise RuntimeError("too few memory samples after the warm-up")
        minutes = [(t - pairs[0][0]) / 60 for t, _ in pairs]
        fit = statistics.linear_regression(minutes, [r for _, r in pairs])
        return fit.slope, minutes[-1], pairs[0][1]

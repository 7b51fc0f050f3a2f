"""Live events on several `crm-bridge serve` instances sharing one PostgreSQL server.

A throw-away PostgreSQL server of its own (`tests.postgres_server`, the binaries that
`scripts/with-throwaway-postgres` installs), agents seeded into it, then ``instances``
bridges on it. Agent ``i``'s stream is opened on instance ``i % instances``; ``call:ring``
events (each a new call for a random agent) are pushed at ``rate`` a second, open loop,
to the instances in turn (round-robin, as a load balancer spreads a dialer's pushes), for
``seconds``. Each event is timed from before its POST to its arrival on its agent's
stream; every stream's events are then checked: each pushed call once, ids numbered on
from the welcome's cursor with no gap or step back. Each instance's RSS is sampled once
a second throughout. The baseline: ``GET /healthz`` round trips at the same rate, spread
the same way.
"""

import asyncio
import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.event_load import (
    TRACED,
    Bridge,
    Delivery,
    MemorySamples,
    Pusher,
    Streams,
    at_rate,
    bridge_processes,
    cpu_seconds,
    delivery,
    family_cpu_seconds,
    healthz_floor,
    rss_mib,
    seed,
)
from bench.seeding import TENANT
from tests.postgres_server import PostgresServer

QUIET_SECONDS = 1  # after a round's last arrival, before its RSS is taken
FLOOR_SECONDS = 10  # of /healthz round trips for the baseline
SETTLE_SECONDS = 2  # after the last arrival, for late duplicates to show


@dataclass(frozen=True, slots=True)
class Idle:
    """After a round, all its events arrived: the events so far, and of each instance
    its RSS and its open files (sockets mostly)."""

    events: int
    rss: list[float]
    open_files: list[int]


@dataclass
class Result:
    agents: int
    instances: int
    rate: float
    seconds: float
    floor: list[float]
    answered: list[float]
    to_stream: list[float]
    delivery: Delivery
    refused: int  # hellos closed by a bridge (its pool busy), tried again
    resumed: int  # streams a bridge closed, resumed after their last event
    resent: int  # pushes answered 503 or 429, sent again after Retry-After
    memory: MemorySamples
    idle: list[Idle]  # after each round
    cpu_ms_per_event: float  # all instances together
    postgres_cpu_ms_per_event: float
    load: float


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        raise RuntimeError(
            "PostgreSQL is not installed: ./dev bench installs it (scripts/with-throwaway-postgres)"
        )
    server = PostgresServer()
    try:
        server.create()
        yield server
    finally:
        server.remove()


async def measure(
    agents: int,
    instances: int,
    seconds: float,
    rate: float = 100,
    rounds: int = 1,
    env: dict[str, str] | None = None,
) -> Result:
    """The events are pushed in ``rounds``; after each, once all have arrived and a
    second passed, each instance's RSS is taken (and with ``CRM_BRIDGE_BENCH_TRACEMALLOC``
    in ``env``, a tracemalloc snapshot: `bench.traced_serve`)."""
    with (
        tempfile.TemporaryDirectory(prefix="crm-bridge-bench-cluster-") as folder,
        postgres_server() as postgres,
    ):
        tokens, secret = await seed(postgres.url, agents)
        with bridge_processes(Path(folder), postgres.url, instances, env) as bridges:
            traced = Path(env[TRACED]) if env and TRACED in env else None
            load = Load(bridges, postgres_pid(postgres), seconds, rate, rounds, traced)
            return await _measure(load, tokens, secret)


def postgres_pid(postgres: PostgresServer) -> int:
    return int((postgres.folder / "data" / "postmaster.pid").read_text().split()[0])


@dataclass(frozen=True, slots=True)
class Load:
    bridges: list[Bridge]
    postgres: int  # the postmaster's pid
    seconds: float
    rate: float
    rounds: int
    traced: Path | None  # the folder of tracemalloc snapshots


async def _snapshots(pids: list[int], number: int, folder: Path) -> None:
    """Have each instance dump tracemalloc snapshot ``number``; wait for the files."""
    for pid in pids:
        os.kill(pid, signal.SIGUSR2)
    for _ in range(1500):  # 300 s: a traced instance under load is slow
        if all((folder / f"{pid}-{number}.snapshot").exists() for pid in pids):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"no tracemalloc snapshot {number} in {folder}")


async def _measure(load: Load, tokens: list[str], secret: str) -> Result:
    bridges, rate, seconds = load.bridges, load.rate, load.seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        bases = [bridge.base for bridge in bridges]

        floor = await healthz_floor(session, bases, rate, round(rate * min(FLOOR_SECONDS, seconds)))
        streams = Streams()
        await streams.open(session, bases, tokens)
        pushes = [f"{base}/api/v1/events/{TENANT}/rest?secret={secret}" for base in bases]
        push = Pusher(session, pushes, streams)
        pids = [bridge.pid for bridge in bridges]
        memory = MemorySamples(pids)
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        postgres_before = family_cpu_seconds(load.postgres)
        memory.start()
        per_round = round(rate * seconds / load.rounds)
        arrived: list[float | None] = []
        idle: list[Idle] = []
        try:
            for _ in range(load.rounds):
                arrived += await at_rate(rate, per_round, push, first=len(arrived))
                await asyncio.sleep(QUIET_SECONDS)
                files = [len(os.listdir(f"/proc/{pid}/fd")) for pid in pids]
                idle.append(Idle(len(arrived), [rss_mib(pid) for pid in pids], files))
                if load.traced:
                    await _snapshots(pids, len(idle) - 1, load.traced)
        finally:
            await memory.stop()
        count = len(arrived)
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        postgres_cpu = family_cpu_seconds(load.postgres) - postgres_before
        await asyncio.sleep(SETTLE_SECONDS)
        await streams.close()
    return Result(
        len(tokens),
        len(bridges),
        rate,
        seconds,
        floor,
        push.answered,
        [latency for latency in arrived if latency is not None],
        delivery(streams, push.pushed),
        streams.refused,
        streams.resumed,
        push.resent,
        memory,
        idle,
        cpu / count * 1000,
        postgres_cpu / count * 1000,
        os.getloadavg()[0],
    )


def report(result: Result, warmup_seconds: float) -> list[str]:
    from bench.stats import HEADER, Target, met, row

    n, lost = result.delivery, result.delivery.lost
    where = f"{result.agents:,} streams on {result.instances} instances"
    lines = [
        f"{result.instances} `crm-bridge serve` instances on one PostgreSQL, {result.agents:,}"
        f" agents' streams spread over them ({result.refused} hellos closed with 1013 and tried"
        f" again, as a widget does; {result.resumed} streams closed by a bridge and resumed),"
        f" call:ring pushed round-robin to the instances at"
        f" {result.rate:g}/s for {result.seconds:g} s ({result.resent} answered 503 or 429 and"
        f" sent again after Retry-After, as a dialer does); the instances spent"
        f" {result.cpu_ms_per_event:.2f} ms of CPU per event (all together), PostgreSQL"
        f" {result.postgres_cpu_ms_per_event:.2f} ms; load average"
        f" {result.load:.1f} on {os.cpu_count()} cores at the end.",
        "",
        HEADER,
        row(f"GET /healthz at {result.rate:g}/s, round-robin (baseline)", result.floor, None),
        row("event push answered (the dialer's 2xx)", result.answered, result.floor),
        row(
            f"dialer event → agent's stream, {where}",
            result.to_stream,
            result.floor,
            Target(p99=150),
        ),
        "",
        "| events | count | target | met |",
        "|---|---|---|---|",
        f"| pushed | {n.pushed:,} | - | - |",
        f"| lost (never on their agent's stream) | {lost} | 0 | {met(lost == 0)} |",
        f"| duplicated | {n.duplicated} | 0 | {met(n.duplicated == 0)} |",
        f"| out of order (an id not the last one + 1) | {n.out_of_order} | 0 |"
        f" {met(n.out_of_order == 0)} |",
        "",
        *memory_rows(result.memory, warmup_seconds),
    ]
    return lines


def memory_rows(memory: MemorySamples, warmup_seconds: float) -> list[str]:
    """Each instance's RSS growth after the warm-up: the slope of a least-squares line
    through its samples, and that slope over 10 minutes against the target (< 1 MiB)."""
    from bench.stats import met

    lines = [
        f"| instance RSS, samples each second after {warmup_seconds:g} s of warm-up | MiB at"
        " start | minutes | MiB/min (fit) | over 10 min | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, pid in enumerate(memory.pids):
        slope, minutes, start = memory.slope(pid, warmup_seconds)
        lines.append(
            f"| instance {n} | {start:.0f} | {minutes:.1f} | {slope:+.3f} | {slope * 10:+.2f} MiB"
            f" | < 1 MiB | {met(slope * 10 < 1)} |"
        )
    return lines

"""One `crm-bridge serve` instance (SQLite) holding 10,000 agents' streams at 100 events/s.

The same bridge, seeding, streams and pushes as `bench.live_events`, with more agents;
it also measures what may limit an instance: the bridge's CPU with the streams idle and
under the events (as a share of one core: one event loop), the bench client's own CPU
(it holds every stream's other end in one process on the same 2 cores), the bridge's
open files and its RSS. Baselines: ``GET /healthz`` round trips at the same rate before
any stream is open, and with all of them open.
"""

import asyncio
import os
import resource
import time
from dataclasses import dataclass

import aiohttp

from bench.event_load import MIB, Pusher, Streams, at_rate, cpu_seconds, healthz_floor, rss_mib
from bench.live_events import running_bridge
from bench.seeding import TENANT

FLOOR_REQUESTS = 500


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@dataclass
class Result:
    agents: int
    rate: float
    floor: list[float]
    floor_open: list[float]
    answered: list[float]
    to_stream: list[float]
    lost: int
    open_seconds: float
    refused: int  # hellos closed by the bridge (its pool busy), tried again
    resumed: int  # streams the bridge closed, resumed after their last event
    resent: int  # pushes answered 503 or 429, sent again after Retry-After
    rss_before: float
    rss_open: float
    rss_after: float
    open_files: int
    bridge_idle_cores: float  # share of one core, streams open, no events
    bridge_busy_cores: float  # under the events
    client_busy_cores: float  # the bench process itself, under the events
    load: float


async def _cores_over(seconds: float, pid: int) -> float:
    before = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


async def measure(agents: int, events: int, rate: float = 100, idle_seconds: float = 5) -> Result:
    async with (
        running_bridge(agents) as bridge,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session,
    ):
        base, pid = bridge["base"], bridge["pid"]

        floor = await healthz_floor(session, [base], rate, FLOOR_REQUESTS)
        rss_before = rss_mib(pid)
        streams = Streams()
        started = time.perf_counter()
        await streams.open(session, [base], bridge["tokens"])
        open_seconds = time.perf_counter() - started
        idle = await _cores_over(idle_seconds, pid)
        rss_open, open_files = rss_mib(pid), _open_files(pid)
        floor_open = await healthz_floor(session, [base], rate, FLOOR_REQUESTS, warm_up=0)
        push = Pusher(
            session, [f"{base}/api/v1/events/{TENANT}/rest?secret={bridge['secret']}"], streams
        )
        cpu, own, wall = cpu_seconds(pid), _own_cpu_seconds(), time.perf_counter()
        arrived = await at_rate(rate, events, push)
        wall = time.perf_counter() - wall
        busy, client = (cpu_seconds(pid) - cpu) / wall, (_own_cpu_seconds() - own) / wall
        rss_after = rss_mib(pid)
        await streams.close()
    latencies = [latency for latency in arrived if latency is not None]
    return Result(
        agents,
        rate,
        floor,
        floor_open,
        push.answered,
        latencies,
        events - len(latencies),
        open_seconds,
        streams.refused,
        streams.resumed,
        push.resent,
        rss_before,
        rss_open,
        rss_after,
        open_files,
        idle,
        busy,
        client,
        os.getloadavg()[0],
    )


def report(result: Result) -> list[str]:
    from bench.stats import HEADER, Target, met, row

    n = f"{result.agents:,}"
    return [
        f"One instance (SQLite), {n} agents' streams opened in {result.open_seconds:.0f} s"
        f" (500 at a time; {result.refused} hellos closed with 1013 and tried again, as a"
        f" widget does; {result.resumed} closed later and resumed), call:ring pushed at"
        f" {result.rate:g}/s ({result.resent} pushes sent again after a 503 or 429);"
        f" {result.lost} events"
        f" lost; load average {result.load:.1f} on {os.cpu_count()} cores at the end.",
        "",
        HEADER,
        row(f"GET /healthz at {result.rate:g}/s, no stream open (baseline)", result.floor, None),
        row(
            f"GET /healthz at {result.rate:g}/s, {n} streams open", result.floor_open, result.floor
        ),
        row("event push answered (the dialer's 2xx)", result.answered, result.floor),
        row(
            f"dialer event → agent's stream, {n} streams",
            result.to_stream,
            result.floor,
            Target(p99=250),
        ),
        "",
        "| what may limit it | measured | target | met |",
        "|---|---|---|---|",
        f"| bridge RSS, no stream open | {result.rss_before:.0f} MiB | - | - |",
        f"| bridge RSS, {n} streams open | {result.rss_open:.0f} MiB | ≤ 500 MB |"
        f" {met(result.rss_open * MIB <= 500e6)} |",
        f"| bridge RSS, after the events | {result.rss_after:.0f} MiB | ≤ 500 MB |"
        f" {met(result.rss_after * MIB <= 500e6)} |",
        f"| bridge's open files ({n} streams) | {result.open_files:,} | - | - |",
        f"| bridge CPU, streams open, idle | {result.bridge_idle_cores:.0%} of a core | - | - |",
        f"| bridge CPU, under the events | {result.bridge_busy_cores:.0%} of a core | - | - |",
        f"| bench client CPU (pushes + {n} streams' other ends), under the events |"
        f" {result.client_busy_cores:.0%} of a core | - | - |",
    ]

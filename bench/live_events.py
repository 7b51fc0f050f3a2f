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
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from bench.event_load import (
    MIB,
    Pusher,
    Streams,
    at_rate,
    bridge_processes,
    cpu_seconds,
    healthz_floor,
    rss_mib,
    seed,
)
from bench.seeding import TENANT


@contextlib.asynccontextmanager
async def running_bridge(agents_count: int) -> AsyncIterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="crm-bridge-bench-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        tokens, secret = await seed(database_url, agents_count)
        with bridge_processes(Path(folder), database_url, 1) as (bridge,):
            yield {"base": bridge.base, "pid": bridge.pid, "tokens": tokens, "secret": secret}


async def measure(
    agents_count: int = 1000, events: int = 1000, rate: float = 100
) -> dict[str, Any]:
    async with (
        running_bridge(agents_count) as bridge,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session,
    ):
        base, pid = bridge["base"], bridge["pid"]
        push = f"{base}/api/v1/events/{TENANT}/rest?secret={bridge['secret']}"

        floor = await healthz_floor(session, [base], rate, events)
        rss_before = rss_mib(pid)
        streams = Streams()
        await streams.open(session, [base], bridge["tokens"])
        await asyncio.sleep(1)
        rss_open = rss_mib(pid)
        ring = Pusher(session, [push], streams)
        cpu_before = cpu_seconds(pid)
        arrived = await at_rate(rate, events, ring)
        latencies = [latency for latency in arrived if latency is not None]
        assert len(latencies) == events, f"{events - len(latencies)} events never reached a stream"
        cpu_per_event = (cpu_seconds(pid) - cpu_before) / events * 1000
        rss_after = rss_mib(pid)
        await streams.close()
    return {
        "floor": floor,
        "push_answered": ring.answered,
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

"""Whether a bridge's memory stays flat under steady events.

Two instances on one PostgreSQL (the setting where growth was first seen, issue 17),
with the cluster benchmark's streams and round-robin pushes at 100 events/s for
``seconds``; each instance's RSS is sampled once a second, and the samples after the
warm-up are fitted with a least-squares line: its slope is the growth, in MiB a minute.
"""

import os

from bench import cluster_events

INSTANCES = 2


async def rows(agents: int, seconds: float, warmup: float) -> list[str]:
    warmup = min(warmup, seconds / 3)
    result = await cluster_events.measure(agents, INSTANCES, seconds)
    n = result.delivery
    return [
        f"{INSTANCES} instances on one PostgreSQL, {agents:,} streams, call:ring pushed"
        f" round-robin at {result.rate:g}/s for {seconds:g} s ({n.pushed:,} events, {n.lost}"
        f" lost); RSS sampled each second, the first {warmup:g} s left out as warm-up; load"
        f" average {result.load:.1f} on {os.cpu_count()} cores at the end.",
        "",
        *cluster_events.memory_rows(result.memory, warmup),
    ]

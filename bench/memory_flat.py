"""Whether a bridge's memory stays flat under steady events.

Two instances on one PostgreSQL (the setting where growth was first seen, issue 17),
with the cluster benchmark's streams and round-robin pushes at 100 events/s, in rounds.
Two fits of each instance's RSS, after the warm-up (the first rounds): of the samples
taken once a second (MiB a minute), and of the RSS taken after each round once all its
events arrived (MiB per 10,000 events): the second does not count requests still in
flight, which a loaded machine piles up.

With ``CRM_BRIDGE_BENCH_TRACEMALLOC=FOLDER`` in the bench's environment, the instances
run with tracemalloc (`bench.traced_serve`), a snapshot is taken after each round, and
the report lists what grew most between the end of the warm-up and the end.
"""

import os
import statistics
import tracemalloc
from pathlib import Path

from bench import cluster_events
from bench.event_load import TRACED

INSTANCES = 2
TEN_MINUTES = 60_000  # events at 100/s
TOP = 12


async def rows(agents: int, seconds: float, warmup: float, rounds: int) -> list[str]:
    warm_rounds = max(1, round(rounds * warmup / seconds))
    folder = os.environ.get(TRACED)
    env = {TRACED: folder} if folder else None
    result = await cluster_events.measure(agents, INSTANCES, seconds, rounds=rounds, env=env)
    n = result.delivery
    lines = [
        f"{INSTANCES} instances on one PostgreSQL, {agents:,} streams, call:ring pushed"
        f" round-robin at {result.rate:g}/s for {seconds:g} s in {rounds} rounds"
        f" ({n.pushed:,} events, {n.lost} lost); RSS sampled each second; the first"
        f" {warm_rounds} rounds ({warmup:g} s) are the warm-up; load average"
        f" {result.load:.1f} on {os.cpu_count()} cores at the end.",
        "",
        *cluster_events.memory_rows(result.memory, warmup),
        "",
        *_idle_rows(result.idle[warm_rounds - 1 :]),
    ]
    if folder:
        pids = result.memory.pids
        lines += ["", *_growth(Path(folder), pids, warm_rounds - 1, len(result.idle) - 1)]
    return lines


def _idle_rows(idle: list[cluster_events.Idle]) -> list[str]:
    lines = [
        "| instance after each round, all its events arrived | RSS MiB after the warm-up |"
        " at the end | MiB per 10,000 events (fit) | over 60,000 events (10 min at 100/s)"
        " | open files after the warm-up → at the end | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    events = [point.events for point in idle]
    for n in range(len(idle[0].rss)):
        rss = [point.rss[n] for point in idle]
        slope = statistics.linear_regression(events, rss).slope if len(idle) > 1 else 0.0
        ok = slope * TEN_MINUTES < 1
        files = f"{idle[0].open_files[n]} → {idle[-1].open_files[n]}"
        lines.append(
            f"| instance {n} | {rss[0]:.1f} | {rss[-1]:.1f} | {slope * 10_000:+.3f} |"
            f" {slope * TEN_MINUTES:+.2f} MiB | {files} | < 1 MiB |"
            f" {'met' if ok else '**not met**'} |"
        )
    return lines


def _growth(folder: Path, pids: list[int], first: int, last: int) -> list[str]:
    """What tracemalloc saw grow most in each instance between two snapshots."""
    lines = [f"Grown most between snapshots {first} and {last} (tracemalloc, by line):", ""]
    for pid in pids:
        before = tracemalloc.Snapshot.load(str(folder / f"{pid}-{first}.snapshot"))
        after = tracemalloc.Snapshot.load(str(folder / f"{pid}-{last}.snapshot"))
        lines += [f"- instance pid {pid}:", ""]
        grown = [stat for stat in after.compare_to(before, "lineno") if stat.size_diff > 0]
        for stat in sorted(grown, key=lambda stat: -stat.size_diff)[:TOP]:
            lines.append(f"      {stat}")
        lines.append("")
    return lines

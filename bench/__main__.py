"""Runs the benchmarks; prints each table as soon as it is measured and appends it to a
results file, so a part that fails later loses nothing measured before it.

python -m bench [--quick] [--only PART ...] [--results FILE]

``--quick`` is a smoke run of every part with few samples (`./dev test` runs it, so a
broken benchmark fails there); its figures mean nothing. The exit status is 1 if any
part failed; the other parts still run.
"""

import argparse
import asyncio
import contextlib
import dataclasses
import sys
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, async_playwright

from bench import (
    bridge_overhead,
    click_steps,
    click_to_call,
    cluster_events,
    concurrent_clicks,
    jobs,
    lead_export,
    live_events,
    many_streams,
    memory_flat,
    user_sync,
    widget_ready,
)
from bench.browser import launch
from bench.demo_process import Demo, running_demo
from bench.report import Report, load_average
from bench.stats import HEADER, Target, met, row

RUNTIMES = ("micropython", "pyodide")
RESULTS = Path("var/bench/results.md")


@dataclass(frozen=True, slots=True)
class Sizes:
    cold: int
    warm: int
    clicks: int
    concurrent: int
    overhead: int
    steps: int
    leads: int
    events: int
    agents: int
    job_leads: tuple[int, int]
    synced_agents: int
    cluster: tuple[int, int]  # streams, instances
    many_streams: tuple[int, int]  # streams, events
    seconds: float  # of steady events, for the cluster and memory parts
    warmup: float  # seconds left out of the memory fit


FULL = Sizes(
    8, 20, 200, 200, 1000, 1000, 10_000, 1000, 1000, (100_000, 20_000), 200,
    (1000, 3), (10_000, 3000), 180, 60,
)  # fmt: skip
QUICK = Sizes(1, 1, 10, 20, 50, 50, 600, 50, 50, (1000, 200), 5, (50, 2), (50, 100), 3, 1)


@dataclass
class Run:
    """What the parts share: the sizes, and a demo and a browser started when first asked."""

    sizes: Sizes
    stack: contextlib.AsyncExitStack
    quick: bool
    _demo: Demo | None = None
    _calling_demo: Demo | None = None
    _browser: Browser | None = None
    failed: list[str] = field(default_factory=list)

    def demo(self) -> Demo:
        if self._demo is None:
            self._demo = self.stack.enter_context(running_demo())
        return self._demo

    def calling_demo(self) -> Demo:
        """A demo whose calls end at once and are told to the widget: one call at a time."""
        if self._calling_demo is None:
            self._calling_demo = self.stack.enter_context(running_demo(call_events=True))
        return self._calling_demo

    async def browser(self) -> Browser:
        if self._browser is None:
            playwright = await self.stack.enter_async_context(async_playwright())
            self._browser = await launch(playwright)
            self.stack.push_async_callback(self._browser.close)
        return self._browser


async def ready(run: Run) -> list[str]:
    demo, browser, n = run.demo(), await run.browser(), run.sizes
    baseline = await widget_ready.plain_iframe(browser, demo, n.warm)
    lines = [HEADER, row("plain iframe of the bridge (baseline)", baseline, None)]
    cold = await widget_ready.cold(browser, demo, "micropython", n.cold)
    lines.append(row("widget ready, micropython, cold", cold, baseline, Target(p50=300)))
    warm = await widget_ready.warm(browser, demo, "micropython", n.warm)
    lines.append(row("widget ready, micropython, warm", warm, baseline, Target(p50=250)))
    plain_cold = await widget_ready.cold(browser, demo, "pyodide", n.cold, snapshot=False)
    lines.append(row("widget ready, pyodide, cold, plain start", plain_cold, baseline))
    cold = await widget_ready.cold(browser, demo, "pyodide", n.cold)
    lines.append(
        row("widget ready, pyodide, cold, from the snapshot", cold, plain_cold, Target(p50=2000))
    )
    plain_warm = baseline  # a smoke run spares the slowest row: the cold one ran the fallback
    if not run.quick:
        plain_warm = await widget_ready.warm(browser, demo, "pyodide", n.warm, snapshot=False)
        lines.append(row("widget ready, pyodide, warm, plain start", plain_warm, baseline))
    warm = await widget_ready.warm(browser, demo, "pyodide", n.warm)
    lines.append(
        row("widget ready, pyodide, warm, from the snapshot", warm, plain_warm, Target(p50=800))
    )
    return lines


async def clicks(run: Run) -> list[str]:
    demo, browser = run.calling_demo(), await run.browser()
    lines = [HEADER]
    for runtime in RUNTIMES:
        result = await click_to_call.measure(browser, demo, runtime, run.sizes.clicks)
        echo = result["echo"]
        lines += [
            row(f"widget answers itself, {runtime} (baseline)", echo, None),
            row(
                f"click_to_call → dialer, {runtime}",
                result["to_dialer"],
                echo,
                Target(p50=10, p99=50),
            ),
            row(f"click_to_call round trip, {runtime}", result["round_trip"], echo),
        ]
    return lines


async def overhead(run: Run) -> list[str]:
    result = await bridge_overhead.measure(run.demo(), run.sizes.overhead)
    direct = result["direct"]
    lines = [
        HEADER,
        row("originate straight to simulator (baseline)", direct, None),
        row("originate through the bridge", result["bridged"], direct, Target(over_baseline=1)),
        "",
        "Where the bridged originate's time goes (its `Server-Timing`; \"outside the"
        ' handler" is HTTP in and out of the bridge and waiting for the event loop):',
        "",
        HEADER,
    ]
    steps = [name for name in result if name.startswith("step ") or name.startswith("outside")]
    lines += [row(name, result[name], direct) for name in steps]
    return lines


async def steps(run: Run) -> list[str]:
    result = await click_steps.measure(run.sizes.steps)
    now_read = result["session + agent read straight from SQLite (now)"]
    now_click = result["click queued for the writer (now)"]
    baselines = {
        "session + agent read through aiosqlite (before)": now_read,
        "click written, its commit awaited (before)": now_click,
    }
    return [HEADER, *(row(name, times, baselines.get(name)) for name, times in result.items())]


async def concurrent(run: Run) -> list[str]:
    n = run.sizes.concurrent
    result = await concurrent_clicks.measure(n)
    return [
        HEADER,
        row(f"{n} originates at once straight to the simulator (baseline)", result["direct"], None),
        row(
            f"{n} click-to-calls at once through the bridge, {n} agents",
            result["bridged"],
            result["direct"],
            Target(p99=100),
        ),
    ]


async def lead_exports(run: Run) -> list[str]:
    demo, count = run.demo(), run.sizes.leads
    baseline = await lead_export.direct(demo, count)
    lines = [
        "| lead export | leads | leads/s | vs baseline | demo RSS MiB before → after | target"
        " | met |",
        "|---|---|---|---|---|---|---|",
        f"| REST adapter straight to simulator (baseline) | {count} | {baseline:,.0f} | 1.00x"
        " | - | - | - |",
    ]
    for leads, area in ((count, "313"), (count * 4, "314")):
        rate, before, after = await lead_export.bridged(demo, leads, area)
        lines.append(
            f"| through the bridge, one request | {leads} | {rate:,.0f} | {rate / baseline:.2f}x"
            f" | {before:.0f} → {after:.0f} | ≥ 5,000 leads/s | {met(rate >= 5000)} |"
        )
    return lines


async def events(run: Run) -> list[str]:
    n = run.sizes
    return live_events.report(await live_events.measure(agents_count=n.agents, events=n.events))


async def lead_jobs(run: Run) -> list[str]:
    return await jobs.rows(*run.sizes.job_leads)


async def agent_syncs(run: Run) -> list[str]:
    return await user_sync.rows(run.sizes.synced_agents)


async def cluster(run: Run) -> list[str]:
    n = run.sizes
    result = await cluster_events.measure(*n.cluster, n.seconds)
    return cluster_events.report(result, min(n.warmup, n.seconds / 3))


async def streams(run: Run) -> list[str]:
    result = await many_streams.measure(*run.sizes.many_streams, idle_seconds=1 if run.quick else 5)
    return many_streams.report(result)


async def memory(run: Run) -> list[str]:
    n = run.sizes
    rounds = max(3, round(n.seconds / 30))  # RSS taken between rounds of 30 s of events
    return await memory_flat.rows(n.cluster[0], n.seconds, min(n.warmup, n.seconds / 3), rounds)


PARTS: dict[str, tuple[str, Callable[[Run], Awaitable[list[str]]]]] = {
    "ready": ("Widget time to ready", ready),
    "clicks": ("Click-to-call from the widget", clicks),
    "overhead": ("Bridge overhead on originate", overhead),
    "steps": ("The click's steps one by one, in process", steps),
    "concurrent": ("Click-to-calls at once", concurrent),
    "lead_export": ("Lead export through the demo", lead_exports),
    "live_events": ("Live events", events),
    "jobs": ("Lead exports as jobs", lead_jobs),
    "user_sync": ("Bulk user sync of 200 agents", agent_syncs),
    "cluster": ("Live events on a cluster", cluster),
    "many_streams": ("One instance, many streams", streams),
    "memory": ("Memory under steady events", memory),
}


async def run_parts(
    names: list[str], quick: bool, report: Report, seconds: float | None = None
) -> list[str]:
    """Run the parts named, in order; the names of those that failed."""
    sizes = QUICK if quick else FULL
    if seconds is not None:
        sizes = dataclasses.replace(sizes, seconds=seconds)
    async with contextlib.AsyncExitStack() as stack:
        run = Run(sizes, stack, quick)
        for name in names:
            title, part = PARTS[name]
            report.write("", f"### {title} (`--only {name}`)", "", f"Before it: {load_average()}.")
            try:
                lines = await part(run)
            except Exception:
                run.failed.append(name)
                report.write("", f"**{name} failed:**", "", "```", traceback.format_exc(), "```")
                continue
            report.write("", *lines)
    return run.failed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples: a smoke run")
    parser.add_argument("--only", action="append", choices=PARTS, help="run this part only")
    parser.add_argument(
        "--seconds",
        type=float,
        help=f"of steady events in the cluster and memory parts (default {FULL.seconds:g})",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"default {RESULTS}")
    args = parser.parse_args()
    report = Report(args.results, sys.stdout)
    command = " ".join(["./dev bench", *sys.argv[1:]])
    report.start(command)
    try:
        failed = asyncio.run(run_parts(args.only or list(PARTS), args.quick, report, args.seconds))
    finally:
        report.close()
    if failed:
        sys.exit(f"benchmark parts failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()

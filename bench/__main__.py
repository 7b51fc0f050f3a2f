"""Runs every benchmark against a demo started for the purpose; prints a markdown report.

python -m bench [--quick]
"""

import argparse
import asyncio
import platform

from playwright.async_api import async_playwright

from bench import bridge_overhead, click_to_call, jobs, lead_export, live_events, widget_ready
from bench.browser import launch
from bench.demo_process import Demo, running_demo
from bench.stats import HEADER, row

RUNTIMES = ("micropython", "pyodide")


async def run(quick: bool) -> str:
    cold_n, warm_n, calls, overhead_n, leads_n = (
        (3, 5, 50, 200, 2000) if quick else (8, 20, 200, 1000, 10_000)
    )
    lines = [
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, demo on loopback, Debian Chromium headless.",
        "",
        HEADER,
    ]
    with running_demo() as demo:
        async with async_playwright() as playwright:
            browser = await launch(playwright)
            baseline = await widget_ready.plain_iframe(browser, demo, warm_n)
            lines.append(row("plain iframe of the bridge (baseline)", baseline, None, "-"))
            for runtime in RUNTIMES:
                cold = await widget_ready.cold(browser, demo, runtime, cold_n)
                warm = await widget_ready.warm(browser, demo, runtime, warm_n)
                lines.append(row(f"widget ready, {runtime}, cold", cold, baseline, "≤ 800 ms"))
                lines.append(row(f"widget ready, {runtime}, warm", warm, baseline, "≤ 250 ms"))
            for runtime in RUNTIMES:
                result = await click_to_call.measure(browser, demo, runtime, calls)
                echo = result["echo"]
                lines.append(row(f"widget answers itself, {runtime} (baseline)", echo, None, "-"))
                lines.append(
                    row(
                        f"click_to_call → dialer, {runtime}",
                        result["to_dialer"],
                        echo,
                        "p50 ≤ 15, p99 ≤ 50",
                    )
                )
                lines.append(
                    row(f"click_to_call round trip, {runtime}", result["round_trip"], echo, "-")
                )
            await browser.close()
        overhead = await bridge_overhead.measure(demo, overhead_n)
        lines.append(
            row("originate straight to simulator (baseline)", overhead["direct"], None, "-")
        )
        lines.append(
            row("originate through the bridge", overhead["bridged"], overhead["direct"], "-")
        )
        lines += await lead_export_rows(demo, leads_n)
    lines += live_events.report(await live_events.measure(events=200 if quick else 1000))
    lines += ["", *await jobs.rows(*((10_000, 2_000) if quick else (100_000, 20_000)))]
    return "\n".join(lines)


async def lead_export_rows(demo: Demo, count: int) -> list[str]:
    baseline = await lead_export.direct(demo, count)
    lines = [
        "",
        "| lead export | leads | leads/s | vs baseline | demo RSS MiB before → after | target |",
        "|---|---|---|---|---|---|",
        f"| REST adapter straight to simulator (baseline) | {count} | {baseline:,.0f} | 1.00x"
        " | - | - |",
    ]
    for leads, area in ((count, "313"), (count * 4, "314")):
        rate, before, after = await lead_export.bridged(demo, leads, area)
        lines.append(
            f"| through the bridge, one request | {leads} | {rate:,.0f} | {rate / baseline:.2f}x"
            f" | {before:.0f} → {after:.0f} | ≥ 5,000 leads/s |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer samples, for a smoke run")
    print(asyncio.run(run(parser.parse_args().quick)))


if __name__ == "__main__":
    main()

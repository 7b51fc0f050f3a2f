"""Click-to-call latency: ``postMessage`` in the CRM page → originate at the simulator.

Sequential calls from a logged-in widget, each placed once the last one has ended (one
call at a time; the demo runs with ``--quick-calls``, so calls end at once and the wait
is not measured). "to dialer" compares the page's wall clock at
sending with the simulator's at arrival (one machine, one clock); "round trip" is until
the ``call_originated`` event is back in the page. Baseline: a request the widget
answers itself (an invalid ``click_to_call``), the floor of postMessage + Python.
"""

import json
import urllib.request

from playwright.async_api import Browser

from bench.demo_process import Demo

CALLS = """async ({ numbers }) => {
  const widget = window.crmWidget;
  await widget.login({ username: "agent1", password: "Agent1-demo-pass", extension: "1001" });
  const sent = [], roundTrips = [];
  let ended = () => {};
  widget.on("call_ended", () => ended());
  for (const number of numbers) {
    const over = new Promise((resolve) => { ended = resolve; });
    const started = performance.now();
    sent.push(performance.timeOrigin + started);
    await widget.clickToCall("1", number);
    roundTrips.push(performance.now() - started);
    await over;
  }
  return { sent, roundTrips };
}"""

ECHO = """async ({ samples }) => {
  const widget = window.crmWidget;
  const times = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await widget.send({ action: "click_to_call" }).catch(() => null);
    times.push(performance.now() - started);
  }
  return times;
}"""


def _arrivals(demo: Demo) -> dict[str, float]:
    url = f"{demo.simulator}/_sim/requests?path=/api/cc_agent/originate"
    with urllib.request.urlopen(url) as response:  # noqa: S310 - loopback simulator
        return {r["query"]["destination"]: r["at"] for r in json.load(response)}


async def measure(browser: Browser, demo: Demo, runtime: str, calls: int) -> dict[str, list[float]]:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{demo.crm}/?runtime={runtime}")
    await page.wait_for_function("window.crmWidget.ready", timeout=60_000)
    prefix = "2025556" if runtime == "pyodide" else "2025557"
    numbers = [f"{prefix}{i:03d}" for i in range(calls)]
    result = await page.evaluate(CALLS, {"numbers": numbers})
    echo = await page.evaluate(ECHO, {"samples": calls})
    await context.close()
    arrivals = _arrivals(demo)
    to_dialer = [
        arrivals[f"1{number}"] * 1000 - sent
        for number, sent in zip(numbers, result["sent"], strict=True)
    ]
    return {"to_dialer": to_dialer, "round_trip": result["roundTrips"], "echo": echo}

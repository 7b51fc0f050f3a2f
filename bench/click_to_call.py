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
  // Each call's own end (a call of an earlier page may still be told once to this one).
  const ended = new Set();
  let waiting = null;
  widget.on("call_ended", (event) => {
    ended.add(event.uuid);
    if (waiting && waiting.uuid === event.uuid) waiting.resolve();
  });
  // The call's other leg may end a moment after the agent's call_ended: a click refused
  // with call_in_progress (before the dialer) is made again, timed from its last try.
  const place = async (number) => {
    for (let tries = 1; ; tries++) {
      const started = performance.now();
      try {
        return { started, originated: await widget.clickToCall("1", number) };
      } catch (error) {
        if (error.code !== "call_in_progress" || tries >= 200) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  };
  for (const number of numbers) {
    const { started, originated } = await place(number);
    sent.push(performance.timeOrigin + started);
    roundTrips.push(performance.now() - started);
    if (!ended.has(originated.uuid)) {
      await new Promise((resolve) => { waiting = { uuid: originated.uuid, resolve }; });
    }
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

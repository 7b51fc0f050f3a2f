"""Widget time to ready: ``CrmBridge.mount`` in a CRM page → the ``ready`` event there.

Cold: a fresh browser context each time (empty cache). Warm: mounting again in a
context that has loaded the widget once. Baseline: an iframe of a trivial page of the
same bridge (the floor any iframe pays), measured in the same run. Pyodide is measured
from its memory snapshot and without it (the snapshot's request refused, so the start
module falls back to a plain start), in the same run.
"""

from playwright.async_api import Browser, Page

from bench.demo_process import Demo

MOUNT_UNTIL_READY = """async ({ server, runtime }) => new Promise((resolve) => {
  const container = document.createElement("div");
  document.body.append(container);
  const started = performance.now();
  const widget = CrmBridge.mount({ server, tenant: "demo", container, runtime });
  widget.on("ready", () => {
    resolve(performance.now() - started);
    widget.destroy();
    container.remove();
  });
})"""

PLAIN_IFRAME = """async ({ url }) => new Promise((resolve) => {
  const frame = document.createElement("iframe");
  const started = performance.now();
  frame.addEventListener("load", () => { resolve(performance.now() - started); frame.remove(); });
  frame.src = url;
  document.body.append(frame);
})"""


async def _blank_page(browser: Browser, demo: Demo, snapshot: bool = True) -> Page:
    context = await browser.new_context()
    if not snapshot:
        await context.route("**/*.snapshot", lambda route: route.abort())
    page = await context.new_page()
    await page.goto(f"{demo.crm}/blank")
    return page


async def _mount(page: Page, demo: Demo, runtime: str) -> float:
    return await page.evaluate(MOUNT_UNTIL_READY, {"server": demo.bridge, "runtime": runtime})


async def cold(
    browser: Browser, demo: Demo, runtime: str, samples: int, snapshot: bool = True
) -> list[float]:
    times = []
    for _ in range(samples):
        page = await _blank_page(browser, demo, snapshot)
        times.append(await _mount(page, demo, runtime))
        await page.context.close()
    return times


async def warm(
    browser: Browser, demo: Demo, runtime: str, samples: int, snapshot: bool = True
) -> list[float]:
    page = await _blank_page(browser, demo, snapshot)
    await _mount(page, demo, runtime)
    times = [await _mount(page, demo, runtime) for _ in range(samples)]
    await page.context.close()
    return times


async def plain_iframe(browser: Browser, demo: Demo, samples: int) -> list[float]:
    page = await _blank_page(browser, demo)
    times = [
        await page.evaluate(PLAIN_IFRAME, {"url": f"{demo.bridge}/healthz?i={i}"})
        for i in range(samples)
    ]
    await page.context.close()
    return times

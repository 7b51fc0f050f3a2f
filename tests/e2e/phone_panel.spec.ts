import type { Page, WebSocketRoute } from "@playwright/test";
import {
  availableLiveAgent,
  crmEvents,
  expect,
  loginPanel,
  mountPanel,
  ringLiveAgent,
  test,
  uniqueNumber,
  widgetFrame,
  E2E,
  type CrmEvent,
} from "./fixtures";

// The widget's phone panel in a small frame: the queue picker by keyboard, what the
// stream's Integration Centre events show, and that the fullest panel fits 320 × 480 and
// 280 px wide with nothing cut off and nothing scrolling sideways.

type LiveEvent = CrmEvent & Record<string, unknown>;

// All act as the demo's live-call agent: one at a time.
test.describe.configure({ mode: "serial" });
test.slow();

/**
 * Nothing scrolls sideways, numbers stay whole, and every visible control lies inside the
 * frame once scrolled to (the call card and its actions without scrolling).
 */
async function expectFitsTheFrame(page: Page, width: number, height: number) {
  const frame = widgetFrame(page);
  const box = (await page.getByTestId("crm-bridge-iframe").boundingBox())!;
  expect([box.width, box.height]).toEqual([width, height]);
  for (const selector of ["html", "[data-testid=panel-body]"]) {
    const [scroll, client] = await frame
      .locator(selector)
      .evaluate((node) => [node.scrollWidth, node.clientWidth]);
    expect(scroll, selector).toBeLessThanOrEqual(client);
  }
  const inside = async (locator: ReturnType<typeof frame.locator>) => {
    const at = (await locator.boundingBox())!;
    expect(at.x).toBeGreaterThanOrEqual(box.x);
    expect(at.x + at.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
    expect(at.y).toBeGreaterThanOrEqual(box.y);
    expect(at.y + at.height).toBeLessThanOrEqual(box.y + box.height + 0.5);
  };
  await inside(frame.getByTestId("call-card")); // always in view
  const numbers = frame.locator(".num, .whole");
  for (const number of await numbers.all()) {
    if (!(await number.isVisible())) continue;
    // One line each: a number is never broken.
    const lines = await number.evaluate((node) => node.getClientRects().length);
    expect(lines).toBeLessThanOrEqual(1);
  }
  const controls = frame.locator("button, select, input, textarea, a[href], table, summary");
  let seen = 0;
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    seen += 1;
    await control.scrollIntoViewIfNeeded();
    await inside(control);
  }
  expect(seen).toBeGreaterThan(8);
}

/** The fullest panel: checked in, in a queue, a call just ended with its wrap-up form,
 * the demo's screen pop and lookup, and the recent calls. */
async function fullestPanel(page: Page, request: any, runtime: string, index: number) {
  const frame = widgetFrame(page);
  await availableLiveAgent(page);
  const caller = `+1${uniqueNumber(index, runtime)}`;
  await ringLiveAgent(request, caller, { ring_seconds: 0.2, talk_seconds: 0.2 });
  await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "ended");
  await expect(frame.getByTestId("wrapup")).toBeVisible();
  // The demo's Integration Centre pops the caller up and looks them up (not a contact).
  await expect(frame.getByTestId("screen-pop")).toBeVisible();
  await expect(frame.getByTestId("lookup-error").first()).toHaveText("No records found");
  await expect(frame.getByTestId("recent-call").first()).toBeVisible();
}

test("the queue picker applies each tick at once, by keyboard", async ({
  demoAgent,
  page,
  request,
  runtime,
}) => {
  await mountPanel(page, runtime, { width: "320px", height: "480px", autoResize: false });
  await loginPanel(page);
  const frame = widgetFrame(page);
  const state = await (await request.get(`${E2E.simulator}/_sim/state`)).json();
  const queueId = (name: string) => String(state.queues.find((q: any) => q.name === name).id);
  const [sales, support] = [queueId("Sales"), queueId("Support")];
  // A known start, whatever an earlier test left: in Support only.
  await page.evaluate((id) => (window as any).crmWidget.setQueues([id]), support);
  await expect(frame.getByLabel("Support")).toBeChecked();
  await expect(frame.getByLabel("Sales")).not.toBeChecked();

  await expect(frame.getByRole("group", { name: "Queues" })).toBeVisible();
  await frame.getByLabel("Sales").focus();
  await page.keyboard.press(" "); // tick Sales: applied, no "Set queues" button to forget
  await expect
    .poll(async () =>
      ((await crmEvents(page)) as LiveEvent[]).some(
        (e) =>
          e.event === "agent_state" &&
          [...(e.queues as string[])].sort().join() === [support, sales].sort().join(),
      ),
    )
    .toBe(true);
  await page.keyboard.press("Tab");
  await expect(frame.getByLabel("Support")).toBeFocused();
  await page.keyboard.press(" "); // untick Support
  await expect
    .poll(async () =>
      ((await crmEvents(page)) as LiveEvent[]).some(
        (e) => e.event === "agent_state" && String(e.queues) === sales,
      ),
    )
    .toBe(true);
  await expect(frame.getByLabel("Support")).not.toBeChecked();
  await expect(frame.getByLabel("Sales")).toBeChecked();
});

for (const width of [320, 280]) {
  test(`the fullest panel fits a ${width} × 480 frame`, async ({ demoAgent, page, request, runtime }) => {
    await mountPanel(page, runtime, { width: `${width}px`, height: "480px", autoResize: false });
    await loginPanel(page);
    await fullestPanel(page, request, runtime, width === 320 ? 55 : 56);
    await expectFitsTheFrame(page, width, 480);
    await widgetFrame(page).getByTestId("wrapup-skip").click();
    await expect(widgetFrame(page).getByTestId("wrapup")).toBeHidden();
    await page.evaluate(() => (window as any).crmWidget.checkOut());
  });
}

test("the frame follows the panel's height between minHeight and maxHeight", async ({
  demoAgent,
  page,
  request,
  runtime,
}) => {
  await mountPanel(page, runtime, { width: "320px" });
  const iframe = page.getByTestId("crm-bridge-iframe");
  // Before sign-in the panel is short: the frame shrinks to the default minHeight, 320.
  await expect.poll(async () => (await iframe.boundingBox())!.height).toBe(320);
  await loginPanel(page);
  await fullestPanel(page, request, runtime, 57);
  // Full: it grows to what the panel needs, at most the default maxHeight, 720.
  await expect.poll(async () => (await iframe.boundingBox())!.height).toBeGreaterThan(480);
  const [needed, height] = await Promise.all([
    widgetFrame(page).locator("body").evaluate(() => {
      const parts = [".panel__header", ".card", ".panel__content", ".panel__footer"];
      return parts.reduce((sum, s) => sum + (document.querySelector(s) as HTMLElement).offsetHeight, 8);
    }),
    iframe.evaluate((node) => node.getBoundingClientRect().height),
  ]);
  expect(height).toBe(Math.min(720, Math.max(320, needed)));
  const resizes = (await crmEvents(page)).filter((e) => e.event === "resize");
  expect(resizes.length).toBeGreaterThan(1);
  await widgetFrame(page).getByTestId("wrapup-skip").click();
  await page.evaluate(() => (window as any).crmWidget.checkOut());
});

test("screen pops and lookups show as a safe link and text tables; every lookup is kept", async ({
  page,
  runtime,
}) => {
  // The test adds Integration Centre events to the widget's real stream, with ids above
  // any the bridge has given.
  const streams: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/api\/v1\/stream$/, (ws) => {
    ws.connectToServer();
    streams.push(ws);
  });
  await mountPanel(page, runtime, { width: "320px", height: "480px", autoResize: false });
  await loginPanel(page, E2E.agent);
  const frame = widgetFrame(page);
  const push = (id: number, name: string, data: object) =>
    streams.at(-1)!.send(JSON.stringify({ type: "event", id, name, data }));
  const base = 10 ** 12;
  push(base + 1, "screen_pop", { url: "javascript:alert(1)", webhook: "Bad", call_id: null });
  push(base + 2, "lookup_result", {
    webhook: "Find contact",
    call_id: null,
    columns: ["name", "account_note"],
    labels: { name: "Full name" },
    records: [{ name: "<img src=x onerror=alert(1)>Ada", account_note: "VIP" }],
    error: null,
  });
  push(base + 3, "screen_pop", { url: "https://crm.example/c/42", webhook: "Open the contact", call_id: null });
  push(base + 4, "lookup_result", {
    webhook: "Find orders",
    call_id: null,
    columns: ["order"],
    records: [],
    error: "the CRM answered HTTP 500",
  });

  const link = frame.getByTestId("screen-pop");
  await expect(link).toHaveAttribute("href", "https://crm.example/c/42");
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", /noopener/);
  await expect(link).toHaveText("Open the contact"); // the webhook's name, as it is
  const table = frame.getByRole("table", { name: "Find contact" });
  // The admin's label where there is one, else the key made readable.
  await expect(table.getByRole("columnheader")).toHaveText(["Full name", "Account note"]);
  await expect(table.getByRole("cell")).toHaveText(["<img src=x onerror=alert(1)>Ada", "VIP"]);
  expect(await frame.locator("[data-testid=lookup] img").count()).toBe(0);
  // The failed second lookup says so in words, and the first one's records stay.
  const failed = frame.getByTestId("lookup").filter({ hasText: "Find orders" });
  await expect(failed.getByTestId("lookup-error")).toHaveText("The lookup did not work; try again later");
  await expect(table.getByRole("cell")).toHaveCount(2);

  await expect
    .poll(async () => ((await crmEvents(page)) as LiveEvent[]).filter((e) => e.event === "lookup_result").length)
    .toBe(2);
  const forwarded = ((await crmEvents(page)) as LiveEvent[]).filter((e) =>
    ["screen_pop", "lookup_result"].includes(e.event),
  );
  expect(forwarded.map((e) => e.event)).toEqual(["screen_pop", "lookup_result", "screen_pop", "lookup_result"]);
  expect(forwarded[0]).toEqual({
    channel: "crm-bridge",
    protocol: 1,
    event: "screen_pop",
    url: "javascript:alert(1)",
    webhook: "Bad",
    call_id: null,
  });
  expect(forwarded[1]).toMatchObject({ columns: ["name", "account_note"], labels: { name: "Full name" }, error: null });
});

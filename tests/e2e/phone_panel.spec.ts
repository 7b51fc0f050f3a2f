import type { Page, WebSocketRoute } from "@playwright/test";
import { E2E, crmEvents, expect, test, uniqueNumber, widgetFrame, type CrmEvent } from "./fixtures";

// The widget's phone panel in a 320 × 480 frame: the queue picker by keyboard, what the
// stream's Integration Centre events show, and that nothing needs sideways scrolling.

type LiveEvent = CrmEvent & Record<string, unknown>;

// Both act as the demo's live-call agent: one at a time.
test.describe.configure({ mode: "serial" });
test.slow();

/** The demo's empty CRM page with the widget mounted in a 320 × 480 frame, logged in. */
async function panelIn320x480(page: Page, runtime: string) {
  await page.goto(`${E2E.crm}/blank`);
  await page.evaluate(
    ({ server, runtime }) => {
      const w = window as any;
      w.crmEvents = [];
      w.crmWidget = w.CrmBridge.mount({
        server,
        tenant: "demo",
        runtime,
        container: document.body,
        width: "320px",
        height: "480px",
        readyTimeout: 90000,
      });
      w.crmWidget.on("*", (event: unknown) => w.crmEvents.push(event));
    },
    { server: E2E.bridge, runtime },
  );
  await expect(widgetFrame(page).locator("body[data-ready=true]")).toBeAttached({ timeout: 90_000 });
  await page.evaluate(() =>
    (window as any).crmWidget.login({ username: "agent2", password: "Agent2-demo-pass" }),
  );
  await expect(widgetFrame(page).getByTestId("live")).toBeVisible();
}

/** Every visible control of the panel lies inside the frame's box; nothing scrolls sideways. */
async function expectFitsTheFrame(page: Page) {
  const frame = widgetFrame(page);
  const box = (await page.getByTestId("crm-bridge-iframe").boundingBox())!;
  expect([box.width, box.height]).toEqual([320, 480]);
  const scroll = await frame
    .locator("html")
    .evaluate((html) => [html.scrollWidth, html.clientWidth]);
  expect(scroll[0]).toBeLessThanOrEqual(scroll[1]);
  const controls = frame.locator("button, select, input, textarea, a[href], table");
  let seen = 0;
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    seen += 1;
    const at = (await control.boundingBox())!;
    expect(at.x).toBeGreaterThanOrEqual(box.x);
    expect(at.x + at.width).toBeLessThanOrEqual(box.x + box.width);
    expect(at.y).toBeGreaterThanOrEqual(box.y);
    expect(at.y + at.height).toBeLessThanOrEqual(box.y + box.height);
  }
  expect(seen).toBeGreaterThan(3);
}

test("the queue picker sets the agent's queues by keyboard, in a 320 × 480 frame", async ({
  demoAgent,
  page,
  request,
  runtime,
}) => {
  await panelIn320x480(page, runtime);
  const frame = widgetFrame(page);
  const state = await (await request.get(`${E2E.simulator}/_sim/state`)).json();
  const queueId = (name: string) => String(state.queues.find((q: any) => q.name === name).id);
  const [sales, support] = [queueId("Sales"), queueId("Support")];
  // A known start, whatever an earlier test left: in Support only.
  await page.evaluate((id) => (window as any).crmWidget.setQueues([id]), support);
  await expect(frame.getByTestId("agent-state")).toContainText("queues Support");

  await expect(frame.getByTestId("queue-controls")).toBeVisible();
  await expect(frame.getByRole("group", { name: "Queues" })).toBeVisible();
  await expect(frame.getByLabel("Support")).toBeChecked();
  await frame.getByLabel("Support").uncheck();
  await frame.getByLabel("Sales").focus();
  await page.keyboard.press(" "); // tick Sales
  await expect(frame.getByLabel("Sales")).toBeChecked();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(frame.getByTestId("set-queues")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(frame.getByTestId("agent-state")).toContainText("queues Sales");
  await expect
    .poll(async () =>
      ((await crmEvents(page)) as LiveEvent[]).some(
        (e) => e.event === "agent_state" && String(e.queues) === sales,
      ),
    )
    .toBe(true);

  await page.evaluate(() => (window as any).crmWidget.checkIn());
  await expect(frame.getByTestId("pause-controls")).toBeVisible();
  await expectFitsTheFrame(page);
  // The fullest panel: a call just ended, its wrap-up form open, a screen pop and a lookup.
  const user = state.users.find((u: any) => u.username === E2E.liveAgent.username).id;
  const caller = `+1${uniqueNumber(55, runtime)}`;
  const inbound = { user_id: user, caller, ring_seconds: 0.2, talk_seconds: 0.2 };
  expect((await request.post(`${E2E.simulator}/_sim/inbound`, { data: inbound })).status()).toBe(202);
  await expect(frame.getByTestId("live-call")).toContainText(`Ended from ${caller}`);
  await expect(frame.getByTestId("wrapup")).toBeVisible();
  // The demo's Integration Centre pops the caller up and looks them up (not a contact).
  await expect(frame.getByTestId("screen-pop")).toBeVisible();
  await expect(frame.getByTestId("lookup-error")).toHaveText("Lookup Find the caller: No records found");
  await expectFitsTheFrame(page);
  await frame.getByTestId("wrapup-save").click();
  await expect(frame.getByTestId("wrapup")).toBeHidden();
  await page.evaluate(() => (window as any).crmWidget.checkOut());
});

test("screen pops and lookup results from the stream show as a safe link and a text table", async ({
  page,
  runtime,
}) => {
  // The bridge's Integration Centre is built separately: the test adds its two events to
  // the widget's real stream, with ids above any the bridge has given.
  const streams: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/api\/v1\/stream$/, (ws) => {
    ws.connectToServer();
    streams.push(ws);
  });
  await panelIn320x480(page, runtime);
  const frame = widgetFrame(page);
  const push = (id: number, name: string, data: object) =>
    streams.at(-1)!.send(JSON.stringify({ type: "event", id, name, data }));
  const base = 10 ** 12;
  push(base + 1, "screen_pop", { url: "javascript:alert(1)", webhook: "Bad", call_id: null });
  push(base + 2, "lookup_result", {
    webhook: "Find contact",
    call_id: null,
    columns: ["name", "note"],
    records: [{ name: "<img src=x onerror=alert(1)>Ada", note: "VIP" }],
    error: null,
  });
  push(base + 3, "screen_pop", { url: "https://crm.example/c/42", webhook: "Pop", call_id: null });

  const link = frame.getByTestId("screen-pop");
  await expect(link).toHaveAttribute("href", "https://crm.example/c/42");
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", /noopener/);
  await expect(link).toHaveText("Open Pop");
  const table = frame.getByRole("table", { name: "Lookup Find contact" });
  await expect(table.getByRole("columnheader")).toHaveText(["name", "note"]);
  await expect(table.getByRole("cell")).toHaveText(["<img src=x onerror=alert(1)>Ada", "VIP"]);
  expect(await frame.locator("[data-testid=lookup] img").count()).toBe(0);

  await expect
    .poll(async () => ((await crmEvents(page)) as LiveEvent[]).map((e) => e.event))
    .toEqual(expect.arrayContaining(["screen_pop", "lookup_result"]));
  const forwarded = ((await crmEvents(page)) as LiveEvent[]).filter((e) =>
    ["screen_pop", "lookup_result"].includes(e.event),
  );
  expect(forwarded.map((e) => e.event)).toEqual(["screen_pop", "lookup_result", "screen_pop"]);
  expect(forwarded[0]).toEqual({
    channel: "crm-bridge",
    protocol: 1,
    event: "screen_pop",
    url: "javascript:alert(1)",
    webhook: "Bad",
    call_id: null,
  });
  expect(forwarded[1]).toMatchObject({ columns: ["name", "note"], error: null });
  await expectFitsTheFrame(page);
});

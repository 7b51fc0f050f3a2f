import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Page, WebSocketRoute } from "@playwright/test";
import {
  E2E,
  availableLiveAgent,
  crmEvents,
  displayed,
  expect,
  injectFault,
  loginPanel,
  mountPanel,
  originatesTo,
  ringLiveAgent,
  test,
  uniqueNumber,
  waitForEvent,
  widgetFrame,
  type CrmEvent,
} from "./fixtures";

// The phone panel as an agent uses it: the call card's states, one call at a time, the
// snapshot a reloaded CRM page gets, the wrap-up that waits in every tab, recent calls,
// languages, themes, and axe-core's accessibility rules on every state.

type LiveEvent = CrmEvent & Record<string, any>;

test.describe.configure({ mode: "serial" });
test.slow();

/** Whether the simulator's event push delivered (the bridge stored) the call's `name`. */
async function delivered(request: APIRequestContext, callId: string, name: string): Promise<boolean> {
  const { sent } = await (await request.get(`${E2E.simulator}/_sim/events`)).json();
  return sent.some((e: any) => e.event === name && e.data.call_id === callId);
}

async function events(page: Page, name: string): Promise<LiveEvent[]> {
  return ((await crmEvents(page)) as LiveEvent[]).filter((e) => e.event === name);
}

test("calling: the agent is asked to pick up, may stop waiting, and a second call is refused", async ({
  demoAgent,
  page,
  request,
  runtime,
}) => {
  await mountPanel(page, runtime, { width: "280px" }); // the narrowest frame we promise
  await loginPanel(page);
  const frame = widgetFrame(page);
  const number = uniqueNumber(60, runtime);
  const dialled = `+1 ${number.slice(0, 3)}-${number.slice(3, 6)}-${number.slice(6)}`;
  // The REST dialer rings the agent's phone first; it answers once the agent picks up.
  await injectFault(request, { kind: "latency", ms: 3000, match: { destination: `1${number}` } });
  // Keyboard only: to the number field, type, Enter.
  await frame.getByTestId("panel-title").focus();
  await page.keyboard.press("Tab");
  await expect(frame.getByTestId("dial-number")).toBeFocused();
  await page.keyboard.type(`+1${number}`);
  await page.keyboard.press("Enter");

  const card = frame.getByTestId("call-card");
  await expect(card).toHaveAttribute("data-state", "calling");
  const headline = frame.getByTestId("call-headline");
  await expect(headline).toHaveText(
    `Pick up your phone (ext. ${E2E.liveAgent.extension}) to call ${dialled}`,
  );
  // The headline wraps, but never inside the number.
  await expect(headline.locator(".whole")).toHaveText(dialled);
  expect(await headline.locator(".whole").evaluate((node) => node.getClientRects().length)).toBe(1);
  await expect(frame.getByTestId("dial-call")).toBeDisabled();
  const second = uniqueNumber(61, runtime);
  const refused = await page.evaluate(
    (n) => (window as any).crmWidget.clickToCall("1", n).catch((error: any) => error.event),
    second,
  );
  expect(refused).toMatchObject({ event: "error", code: "call_in_progress", action: "click_to_call" });
  await frame.getByTestId("stop-waiting").click();
  await expect(card).toHaveAttribute("data-state", "idle");
  await expect(frame.getByTestId("dial-number")).toBeFocused();

  // The dialer answers later after all: the call is real, and the CRM page is told it
  // came from the panel.
  const [originated] = await waitForEvent(page, "call_originated");
  expect(originated).toMatchObject({ source: "widget", destination: `+1${number}`, display: displayed(number) });
  await expect(card).toHaveAttribute("data-state", /calling|ringing|connected|ended/);
  expect(await originatesTo(request, `1${second}`)).toEqual([]);
  await expect(card).toHaveAttribute("data-state", "ended");
});

test("a reloaded CRM page gets a call_state snapshot; a call that ended meanwhile comes once", async ({
  demoAgent,
  page,
  request,
  runtime,
}) => {
  await mountPanel(page, runtime);
  await loginPanel(page);
  await availableLiveAgent(page);
  const caller = `+1${uniqueNumber(62, runtime)}`;
  // Long enough to outlast a reload, whatever the runtime's start takes.
  const callId = await ringLiveAgent(request, caller, { ring_seconds: 0.5, talk_seconds: 25 });
  await expect(widgetFrame(page).getByTestId("call-card")).toHaveAttribute("data-state", "connected");

  await page.reload();
  await mountPanel(page, runtime);
  await loginPanel(page);
  const [snapshot] = (await waitForEvent(page, "call_state")) as LiveEvent[];
  expect(snapshot.call).toMatchObject({
    call_id: callId,
    direction: "inbound",
    number: caller,
    display: displayed(caller.slice(2)),
    answered: true,
  });
  expect(snapshot.agent_state).toMatchObject({ state: "in_call" });
  await expect(widgetFrame(page).getByTestId("call-card")).toHaveAttribute("data-state", "connected");

  // Away while the call ends: the next page hears of it once.
  await page.goto(`${E2E.crm}/blank`);
  await expect.poll(() => delivered(request, callId, "call:end"), { timeout: 60_000 }).toBe(true);
  await mountPanel(page, runtime);
  await loginPanel(page);
  await expect.poll(async () => (await events(page, "call_ended")).filter((e) => e.call_id === callId).length).toBe(1);
  const [after] = await events(page, "call_state");
  expect(after.call).toBeNull();
  expect(after.wrapup).toMatchObject({ call_id: callId });
  await widgetFrame(page).getByTestId("wrapup-skip").click();
  await page.evaluate(() => (window as any).crmWidget.checkOut());
});

test("the wrap-up waits in every tab and after a reload, and is done by keyboard", async ({
  demoAgent,
  context,
  page,
  request,
  runtime,
}) => {
  await mountPanel(page, runtime);
  await loginPanel(page);
  await availableLiveAgent(page);
  const caller = `+1${uniqueNumber(63, runtime)}`;
  const callId = await ringLiveAgent(request, caller, { ring_seconds: 0.2, talk_seconds: 0.3 });
  const title = `Wrap-up: ${displayed(caller.slice(2))}`;
  await expect(widgetFrame(page).getByTestId("wrapup-title")).toHaveText(title);

  const other = await context.newPage();
  await mountPanel(other, runtime);
  await loginPanel(other);
  await expect(widgetFrame(other).getByTestId("wrapup-title")).toHaveText(title);
  const [snapshot] = (await waitForEvent(other, "call_state")) as LiveEvent[];
  expect(snapshot.wrapup).toMatchObject({ call_id: callId, number: caller });

  await page.reload();
  await mountPanel(page, runtime);
  await loginPanel(page);
  const frame = widgetFrame(page);
  await expect(frame.getByTestId("wrapup-title")).toHaveText(title);
  await expect(frame.getByTestId("agent-state")).toHaveAttribute("data-state", "wrap_up");
  // Keyboard only: disposition, outcome, notes, Save.
  await frame.getByTestId("wrapup-disposition").focus();
  await page.keyboard.press("ArrowDown"); // Unsure
  await page.keyboard.press("Tab");
  await page.keyboard.type("Voicemail");
  await page.keyboard.press("Tab");
  await page.keyboard.type("call again");
  await page.keyboard.press("Tab");
  await expect(frame.getByTestId("wrapup-save")).toBeFocused();
  await page.keyboard.press("Enter");
  const [saved] = await waitForEvent(page, "wrapped_up");
  expect(saved).toMatchObject({ call_id: callId, disposition: "Unsure", outcome: "Voicemail", skipped: false });
  await expect(frame.getByTestId("wrapup")).toBeHidden();
  await expect(frame.getByTestId("notice")).toHaveText("Wrap-up saved");
  await expect(frame.getByTestId("panel-title")).toBeFocused();
  // ... and the other tab's form goes too.
  await expect(widgetFrame(other).getByTestId("wrapup")).toBeHidden();
  await page.evaluate(() => (window as any).crmWidget.checkOut());
  await other.close();
});

test("recent calls list the agent's calls; Call back dials from the panel and tells the CRM", async ({
  demoAgent,
  page,
  request,
  runtime,
}) => {
  await mountPanel(page, runtime);
  await loginPanel(page);
  await availableLiveAgent(page);
  const digits = uniqueNumber(64, runtime);
  await ringLiveAgent(request, `+1${digits}`, { ring_seconds: 0.2, talk_seconds: 0.3 });
  const frame = widgetFrame(page);
  const latest = frame.getByTestId("recent-call").first();
  await expect(latest.getByTestId("recent-number")).toHaveText(displayed(digits));
  await expect(latest).toHaveAttribute("data-direction", "inbound");
  await expect(latest.getByTestId("recent-name")).toHaveText("Jane Roe");
  await expect(latest.getByTestId("recent-outcome")).toHaveText("Answered");
  await expect(latest.getByTestId("recent-duration")).toHaveText(/^0:0\d$/);
  await frame.getByTestId("wrapup-skip").click();

  const plan = { number: `1${digits}`, outcome: "busy", ring_seconds: 0.3 };
  expect((await request.put(`${E2E.simulator}/_sim/call_plan`, { data: plan })).ok()).toBe(true);
  await latest.getByTestId("call-back").click();
  const [originated] = await waitForEvent(page, "call_originated");
  expect(originated).toMatchObject({ source: "widget", destination: `+1${digits}` });
  expect(await originatesTo(request, `1${digits}`)).toHaveLength(1);
  await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "ended");
  await expect(frame.getByTestId("call-headline")).toHaveText("Busy");
  await expect(frame.getByTestId("recent-call").first().getByTestId("recent-outcome")).toHaveText("Busy");
  await expect(frame.getByTestId("recent-call").first()).toHaveAttribute("data-direction", "outbound");
  const skip = frame.getByTestId("wrapup-skip");
  if (await skip.isVisible()) await skip.click();
  await page.evaluate(() => (window as any).crmWidget.checkOut());
});

/** Adds a made-up call to the widget's real stream (ids above any the bridge gave). */
function pusher(streams: WebSocketRoute[]) {
  let id = 10 ** 12;
  return (name: string, data: object) =>
    streams.at(-1)!.send(JSON.stringify({ type: "event", id: ++id, name, data }));
}

const FAKE_CALL = {
  call_id: "fake-1",
  direction: "inbound",
  number: "+442079460018",
  display: "+44 20 7946 0018",
  caller_name: "Ada Lovelace",
  queue: "2",
  queue_name: "Support",
  lead_id: null,
};
const ENDED = { ...FAKE_CALL, duration_ms: 65000, bill_ms: 64000, hangup_cause: "USER_BUSY" };
const WRAPUP = { call_id: "fake-1", display: "+44 20 7946 0018", number: "+442079460018", direction: "inbound" };

async function withStream(page: Page): Promise<WebSocketRoute[]> {
  const streams: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/api\/v1\/stream$/, (ws) => {
    ws.connectToServer();
    streams.push(ws);
  });
  return streams;
}

// Words an English panel shows that must not show in another language (the tenant's
// queue names and the callers' data are not the panel's words).
const ENGLISH = [
  "Phone", "Ready", "Type a number", "Checked out", "Check in", "Check out", "Resume",
  "Queues", "Recent calls", "Call back", "Incoming", "Outgoing", "Wrap-up", "Disposition",
  "Outcome", "Notes", "Save", "Skip", "Call ended", "Busy", "Answered", "Ringing",
  "Connected", "Waiting", "Success", "Available", "Hung up", "On the call",
];

for (const [locale, expected] of [
  ["es", { waiting: "Esperando a que su CRM inicie la sesión", ended: "Ocupado" }],
  ["de", { waiting: "Warten auf die Anmeldung durch Ihr CRM", ended: "Besetzt" }],
] as const) {
  test(`locale "${locale}": no English is left in the panel`, async ({ page, runtime }) => {
    const streams = await withStream(page);
    await mountPanel(page, runtime, { locale });
    const frame = widgetFrame(page);
    await expect(frame.locator("html")).toHaveAttribute("lang", locale);
    await expect(frame.getByTestId("call-headline")).toHaveText(expected.waiting);
    await loginPanel(page, E2E.agent);
    const push = pusher(streams);
    push("call_ringing", FAKE_CALL);
    push("call_answered", FAKE_CALL);
    push("call_ended", ENDED);
    push("agent_state", { state: "wrap_up", pause_reason: null, queues: [], since: null, wrapup: WRAPUP });
    await expect(frame.getByTestId("call-headline")).toHaveText(expected.ended);
    await expect(frame.getByTestId("wrapup")).toBeVisible();
    const shown = await frame.locator("main").evaluate((main) => {
      const texts = [(main as HTMLElement).innerText];
      main.querySelectorAll("option, [aria-label]").forEach((node) => {
        texts.push(node.textContent ?? "", node.getAttribute("aria-label") ?? "");
      });
      return texts.join("\n");
    });
    const left = ENGLISH.filter((word) => new RegExp(`\\b${word}\\b`).test(shown));
    expect(left).toEqual([]);
  });
}

test('theme "dark" inside a light page; "light" whatever the system says', async ({ page, runtime }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await mountPanel(page, runtime, { theme: "dark" });
  const background = (locator: ReturnType<Page["locator"]>) =>
    locator.evaluate((node) => getComputedStyle(node).backgroundColor);
  await expect.poll(() => background(widgetFrame(page).locator("body"))).toBe("rgb(18, 22, 29)");
  expect(await background(page.locator("html"))).not.toBe("rgb(18, 22, 29)");
  await page.goto(`${E2E.crm}/blank`);
  await mountPanel(page, runtime, { theme: "light" });
  await expect.poll(() => background(widgetFrame(page).locator("body"))).toBe("rgb(255, 255, 255)");
});

// As the demo's live agent (its lock held): its slow call must not keep another test's
// calls waiting (one call at a time per agent).
test("axe-core finds nothing serious on any state of the panel, light or dark", async ({
  page,
  request,
  runtime,
  demoAgent,
}) => {
  const serious = async (state: string) => {
    // Until the rules ran inside the widget's frame (its nodes are named frame first):
    // a frame that is being resized may be passed over.
    let results: Awaited<ReturnType<AxeBuilder["analyze"]>> | undefined;
    await expect
      .poll(async () => {
        results = await new AxeBuilder({ page }).include('[data-testid="crm-bridge-iframe"]').analyze();
        return results.passes.some((rule) => rule.nodes.some((node) => node.target.length > 1));
      })
      .toBe(true);
    const found = results!.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${state}: ${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    expect(found).toEqual([]);
  };
  for (const theme of ["light", "dark"]) {
    await page.goto(`${E2E.crm}/blank`);
    const streams = await withStream(page);
    await mountPanel(page, runtime, { theme });
    const frame = widgetFrame(page);
    await serious(`${theme} signed out`);
    await loginPanel(page, E2E.liveAgent);
    await serious(`${theme} idle`);
    const number = uniqueNumber(theme === "light" ? 65 : 66, runtime);
    // The dialer takes the call but answers too late (the bridge waits 5 s): "calling",
    // then "the call may have been placed"; the call is busy at once, so it ends soon.
    await injectFault(request, { kind: "latency", ms: 6000, match: { destination: `1${number}` } });
    const plan = { number: `1${number}`, outcome: "busy", ring_seconds: 0.2 };
    expect((await request.put(`${E2E.simulator}/_sim/call_plan`, { data: plan })).ok()).toBe(true);
    await page.evaluate((n) => {
      (window as any).crmWidget.clickToCall("1", n).catch(() => null); // not awaited
    }, number);
    await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "calling");
    await serious(`${theme} calling`);
    await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "unknown");
    await serious(`${theme} unknown with details`);
    const push = pusher(streams);
    push("call_ringing", { ...FAKE_CALL, call_id: `axe-${theme}` });
    await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "ringing");
    await serious(`${theme} ringing`);
    push("call_answered", { ...FAKE_CALL, call_id: `axe-${theme}` });
    await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "connected");
    await serious(`${theme} connected`);
    push("call_ended", { ...ENDED, call_id: `axe-${theme}` });
    push("agent_state", {
      state: "wrap_up",
      pause_reason: null,
      queues: [],
      since: null,
      wrapup: { ...WRAPUP, call_id: `axe-${theme}` },
    });
    push("screen_pop", { url: "https://crm.example/c/1", webhook: "Open the contact", call_id: `axe-${theme}` });
    push("lookup_result", {
      webhook: "Find contact",
      call_id: `axe-${theme}`,
      columns: ["name"],
      records: [{ name: "Ada" }],
      error: null,
    });
    await expect(frame.getByTestId("wrapup")).toBeVisible();
    await frame.getByTestId("error-details").locator("summary").click();
    await serious(`${theme} ended with wrap-up, pop, lookup and details`);
    // The timed-out call ends before the next round places another (the dialer's end is
    // watched: the made-up events' ids are above the bridge's, so the widget skips its).
    await expect
      .poll(async () => {
        const { sent } = await (await request.get(`${E2E.simulator}/_sim/events`)).json();
        return sent.some((e: any) => e.event === "call:end" && JSON.stringify(e.data).includes(number));
      })
      .toBe(true);
  }
});

import type { APIRequestContext, Page, WebSocketRoute } from "@playwright/test";
import { E2E, crmEvents, displayed, expect, test, uniqueNumber, waitForEvent, widgetFrame, type CrmEvent } from "./fixtures";

// Inbound calls over the bridge's live stream: the demo's REST simulator rings the demo
// agent (POST /_sim/inbound), pushes the call's events to the bridge, which streams them
// to every widget of that agent, which shows them and tells its CRM page.

type LiveEvent = CrmEvent & Record<string, unknown>;
const CALL_EVENTS = ["call_ringing", "call_answered", "call_ended"];

// All act as the demo's live-call agent: one at a time.
test.describe.configure({ mode: "serial" });
test.slow();

async function login(crm: Page) {
  // Pyodide may take long to start on a loaded machine.
  await expect(widgetFrame(crm).locator("body[data-ready=true]")).toBeAttached({ timeout: 90_000 });
  await waitForEvent(crm, "ready");
  await crm.evaluate(() =>
    (window as any).crmWidget.login({ username: "agent2", password: "Agent2-demo-pass" }),
  );
  // The live section shows once the stream has welcomed the widget.
  await expect(widgetFrame(crm).getByTestId("live")).toBeVisible();
}

/** The demo agent's user id on the REST simulator. */
async function agentUserId(request: APIRequestContext): Promise<number> {
  const state = await (await request.get(`${E2E.simulator}/_sim/state`)).json();
  return state.users.find((user: any) => user.username === E2E.liveAgent.username).id;
}

/** Rings the demo agent with a call from ``caller``; the dialer's call id. */
async function ringAgent(request: APIRequestContext, caller: string, plan: object): Promise<string> {
  const response = await request.post(`${E2E.simulator}/_sim/inbound`, {
    data: { user_id: await agentUserId(request), caller, caller_name: "Jane Roe", ...plan },
  });
  expect(response.status()).toBe(202);
  return (await response.json()).call_id;
}

async function eventsOfCall(crm: Page, callId: string): Promise<LiveEvent[]> {
  return ((await crmEvents(crm)) as LiveEvent[]).filter(
    (e) => e.call_id === callId && CALL_EVENTS.includes(e.event),
  );
}

/** Whether the simulator's event push delivered (the bridge stored) the call's ``name``. */
async function delivered(request: APIRequestContext, callId: string, name: string): Promise<boolean> {
  const { sent } = await (await request.get(`${E2E.simulator}/_sim/events`)).json();
  return sent.some((e: any) => e.event === name && e.data.call_id === callId);
}

test("an inbound call shows in the widget and the CRM page gets its events", async ({
  demoAgent,
  crm,
  request,
  runtime,
}) => {
  await login(crm);
  const caller = `+1${uniqueNumber(52, runtime)}`;
  const callId = await ringAgent(request, caller, { ring_seconds: 2, talk_seconds: 2 });
  const frame = widgetFrame(crm);
  const card = frame.getByTestId("call-card");
  await expect(card).toHaveAttribute("data-state", "ringing");
  await expect(frame.getByTestId("call-headline")).toHaveText("Incoming call");
  await expect(frame.getByTestId("call-number")).toHaveText(displayed(caller.slice(2)));
  await expect(frame.getByTestId("call-name")).toHaveText("Jane Roe");
  await expect(card).toHaveAttribute("data-state", "connected");
  await expect(frame.getByTestId("call-timer")).toHaveText(/^0:0\d$/);
  await expect(card).toHaveAttribute("data-state", "ended");
  await expect(frame.getByTestId("call-headline")).toHaveText("Hung up");
  await expect(frame.getByTestId("call-timer")).toHaveText(/^0:0\d$/);
  await expect
    .poll(async () => (await eventsOfCall(crm, callId)).map((e) => e.event))
    .toEqual(CALL_EVENTS);
  for (const event of await eventsOfCall(crm, callId)) {
    expect(event).toMatchObject({
      channel: "crm-bridge",
      direction: "inbound",
      number: caller,
      caller_name: "Jane Roe",
    });
    expect(event).not.toHaveProperty("uuid"); // no click_to_call of this CRM made it
  }
  const ended = (await eventsOfCall(crm, callId))[2];
  expect(ended.duration_ms).toBeGreaterThan(0);
  expect(ended).toHaveProperty("hangup_cause");
});

test("a stream cut mid-call still brings the missed events, in order, once", async ({
  demoAgent,
  page: crm,
  request,
  runtime,
}) => {
  // The widget's WebSocket goes through Playwright to the real bridge, so the test can
  // cut it at both ends and refuse reconnections until the missed events are stored.
  let cut = false;
  const open: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
  await crm.routeWebSocket(/\/api\/v1\/stream$/, (ws) => {
    if (cut) {
      void ws.close({ code: 4000, reason: "offline" });
      return;
    }
    open.push({ page: ws, server: ws.connectToServer() });
  });
  await crm.goto(`${E2E.crm}/?runtime=${runtime}`);
  await login(crm);
  const caller = `+1${uniqueNumber(53, runtime)}`;
  const callId = await ringAgent(request, caller, { ring_seconds: 2, talk_seconds: 1 });
  await expect.poll(async () => (await eventsOfCall(crm, callId)).length).toBeGreaterThan(0);

  cut = true;
  for (const { page, server } of open.splice(0)) {
    await server.close();
    await page.close({ code: 4000, reason: "offline" });
  }
  await expect.poll(() => delivered(request, callId, "call:end")).toBe(true);
  const whileCut = (await eventsOfCall(crm, callId)).map((e) => e.event);
  expect(whileCut).toEqual(["call_ringing"]); // the rest happened while cut
  cut = false;

  await expect
    .poll(async () => (await eventsOfCall(crm, callId)).map((e) => e.event))
    .toEqual(CALL_EVENTS);
  // Nothing comes twice afterwards either: every forwarded live event has its own place.
  const all = (await crmEvents(crm)) as LiveEvent[];
  const calls = all.filter((e) => CALL_EVENTS.includes(e.event)).map((e) => `${e.call_id} ${e.event}`);
  expect(new Set(calls).size).toBe(calls.length);
});

test("ten tabs of one agent each get the call's events", async ({
  demoAgent,
  context,
  request,
  runtime,
}) => {
  const tabs: Page[] = [];
  // One after the other: ten Pyodide starts at once would starve this 2-core machine.
  for (let opened = 0; opened < 10; opened++) {
    const tab = await context.newPage();
    await tab.goto(`${E2E.crm}/?runtime=${runtime}`);
    await login(tab);
    tabs.push(tab);
  }
  const caller = `+1${uniqueNumber(54, runtime)}`;
  const callId = await ringAgent(request, caller, { ring_seconds: 0.5, talk_seconds: 0.5 });
  for (const tab of tabs) {
    await expect
      .poll(async () => (await eventsOfCall(tab, callId)).map((e) => `${e.event} ${e.direction}`))
      .toEqual(CALL_EVENTS.map((name) => `${name} inbound`));
  }
  await Promise.all(tabs.map((tab) => tab.close()));
});

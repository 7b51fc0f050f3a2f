import { E2E, displayed, expect, test, uniqueNumber, waitForEvent, widgetFrame, type CrmEvent } from "./fixtures";

// Live calls over the bridge's stream: the demo's REST simulator pushes its call events
// to the bridge, which streams them to the widget, which shows them and tells the CRM.

type LiveEvent = CrmEvent & Record<string, unknown>;

// Both tests act as the demo's live-call agent: one at a time.
test.describe.configure({ mode: "serial" });
test.slow();

async function loginAndWaitForStream(crm: import("@playwright/test").Page) {
  // Pyodide may take long to start on a loaded machine.
  await expect(widgetFrame(crm).locator("body[data-ready=true]")).toBeAttached({ timeout: 90_000 });
  await waitForEvent(crm, "ready");
  await crm.evaluate(() =>
    (window as any).crmWidget.login({ username: "agent2", password: "Agent2-demo-pass" }),
  );
  // The live section shows once the stream has welcomed the widget.
  await expect(widgetFrame(crm).getByTestId("live")).toBeVisible();
}

async function eventsOfCall(crm: import("@playwright/test").Page, uuid: string) {
  const events = (await crm.evaluate(() => (window as any).crmEvents)) as LiveEvent[];
  const live = ["call_ringing", "call_answered", "call_ended"];
  return events.filter((e) => e.uuid === uuid && live.includes(e.event));
}

test("a click-to-call rings, connects and ends in the widget and on the CRM page", async ({
  demoAgent,
  crm,
  request,
  runtime,
}) => {
  const number = uniqueNumber(50, runtime);
  const plan = { number: `1${number}`, outcome: "answer", ring_seconds: 2, talk_seconds: 3 };
  expect((await request.put(`${E2E.simulator}/_sim/call_plan`, { data: plan })).ok()).toBe(true);
  await loginAndWaitForStream(crm);
  const originated = await crm.evaluate(
    (n) => (window as any).crmWidget.clickToCall("1", n),
    number,
  );
  const frame = widgetFrame(crm);
  const card = frame.getByTestId("call-card");
  await expect(card).toHaveAttribute("data-state", "ringing");
  await expect(frame.getByTestId("call-headline")).toHaveText("Waiting for an answer");
  await expect(frame.getByTestId("call-number")).toHaveText(displayed(number));
  await expect(card).toHaveAttribute("data-state", "connected");
  await expect(frame.getByTestId("call-timer")).toHaveText(/^0:0\d$/);
  await expect(card).toHaveAttribute("data-state", "ended");
  await expect(frame.getByTestId("call-headline")).toHaveText("Hung up");
  await expect
    .poll(async () => (await eventsOfCall(crm, originated.uuid)).map((e) => e.event))
    .toEqual(["call_ringing", "call_answered", "call_ended"]);
  const [ringing, , ended] = await eventsOfCall(crm, originated.uuid);
  expect(ringing).toMatchObject({ channel: "crm-bridge", direction: "outbound" });
  expect(String(ringing.number)).toContain(number);
  expect(typeof ringing.call_id).toBe("string");
  expect(ended).toMatchObject({ call_id: ringing.call_id, uuid: originated.uuid });
  expect(ended.duration_ms).toBeGreaterThan(0);
  expect(ended).toHaveProperty("hangup_cause");
});

test("pause and resume from the CRM give agent_state events; the wrap-up is stored", async ({
  demoAgent,
  crm,
  request,
  runtime,
}) => {
  await loginAndWaitForStream(crm);
  const frame = widgetFrame(crm);
  let checkedIn = await crm.evaluate(() => (window as any).crmWidget.checkIn());
  if (checkedIn.state === "wrap_up") {
    // A known start, whatever an earlier test's call left: its wrap-up done.
    await frame.getByTestId("wrapup-save").click();
    await expect(frame.getByTestId("wrapup")).toBeHidden();
    checkedIn = await crm.evaluate(() => (window as any).crmWidget.checkIn());
  }
  expect(checkedIn).toMatchObject({ event: "agent_state", state: "available" });
  const paused = await crm.evaluate(() => (window as any).crmWidget.pause("Lunch"));
  expect(paused).toMatchObject({ event: "agent_state", state: "paused", pause_reason: "Lunch" });
  await expect(frame.getByTestId("resume")).toBeVisible();
  const resumed = await crm.evaluate(() => (window as any).crmWidget.resume());
  expect(resumed).toMatchObject({ event: "agent_state", pause_reason: null });
  // The stream tells the CRM page too, without a request_id.
  await expect
    .poll(async () =>
      ((await crm.evaluate(() => (window as any).crmEvents)) as LiveEvent[]).some(
        (e) => e.event === "agent_state" && e.request_id === undefined && e.state === "paused",
      ),
    )
    .toBe(true);

  const number = uniqueNumber(51, runtime);
  const plan = { number: `1${number}`, outcome: "answer", ring_seconds: 0.2, talk_seconds: 0.5 };
  expect((await request.put(`${E2E.simulator}/_sim/call_plan`, { data: plan })).ok()).toBe(true);
  const originated = await crm.evaluate(
    (n) => (window as any).crmWidget.clickToCall("1", n),
    number,
  );
  await expect.poll(async () => (await eventsOfCall(crm, originated.uuid)).length).toBe(3);
  const [ringing] = await eventsOfCall(crm, originated.uuid);

  // The panel's wrap-up form, by keyboard-reachable controls with labels.
  await expect(frame.getByTestId("wrapup")).toBeVisible();
  await frame.getByLabel("Disposition").selectOption("Failed Contact");
  await frame.getByLabel("Outcome").fill("Voicemail");
  await frame.getByLabel("Notes").fill("call again");
  await frame.getByTestId("wrapup-save").focus();
  await crm.keyboard.press("Enter");
  await expect(frame.getByTestId("wrapup")).toBeHidden();
  // Saved: the status line says so and the focus moves to the panel's heading.
  await expect(frame.getByTestId("notice")).toHaveText("Wrap-up saved");
  await expect(frame.getByTestId("panel-title")).toBeFocused();

  const admin = { Authorization: `Basic ${btoa(`admin:${E2E.adminPassword}`)}` };
  const key = await request.post(`${E2E.bridge}/admin/api/keys`, {
    headers: admin,
    data: { tenant: "demo", name: "e2e live calls" },
  });
  expect(key.status()).toBe(201);
  const headers = { "X-Api-Key": (await key.json()).key };
  const calls = await request.get(`${E2E.bridge}/api/v1/crm/calls?per_page=1000`, { headers });
  const call = (await calls.json()).calls.find((c: any) => c.call_id === ringing.call_id);
  expect(call).toMatchObject({
    uuid: originated.uuid,
    disposition: "Failed Contact",
    outcome: "Voicemail",
    notes: "call again",
  });
  await crm.evaluate(() => (window as any).crmWidget.checkOut());
});

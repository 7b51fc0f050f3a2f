import {
  E2E,
  LIVE_EVENTS,
  answerEvents,
  crmEvents,
  displayed,
  expect,
  injectFault,
  originatesTo,
  test,
  uniqueNumber,
  waitForEvent,
  widgetFrame,
} from "./fixtures";

async function dial(page: import("@playwright/test").Page, number: string) {
  await page.getByTestId("dial-number").fill(number);
  await page.getByTestId("crm-dial").click();
}

test("the widget announces itself with its runtime and protocol", async ({ crm, runtime }) => {
  const [ready] = await waitForEvent(crm, "ready");
  expect(ready).toMatchObject({ channel: "crm-bridge", protocol: 1, runtime });
  const frame = widgetFrame(crm);
  await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "signed_out");
  await expect(frame.getByTestId("call-headline")).toHaveText("Waiting for your CRM to sign you in");
  await expect(frame.getByTestId("debug")).toBeHidden(); // no debug footer unless asked for
});

test("login then click-to-call reaches the dialer with the right parameters and key", async ({
  page,
  request,
  runtime,
}) => {
  const bodies: Promise<string>[] = [];
  page.on("response", (response) => {
    if (/json|html|javascript|python|text/.test(response.headers()["content-type"] ?? "")) {
      bodies.push(response.text().catch(() => ""));
    }
  });
  await page.goto(`${E2E.crm}/?runtime=${runtime}`);
  const number = uniqueNumber(1, runtime);
  await page.getByTestId("crm-login").click();
  const [loggedIn] = await waitForEvent(page, "logged_in");
  expect(loggedIn).toMatchObject({ username: "agent1", extension: "1001" });
  await dial(page, number);
  const [originated] = await waitForEvent(page, "call_originated");
  expect(originated.destination).toBe(`+1${number}`);
  expect(originated.uuid).toMatch(/^[0-9a-f-]{36}$/);

  const [received] = await originatesTo(request, `1${number}`);
  expect(received.query).toEqual({
    destination: `1${number}`,
    extension: "1001",
    api_key: E2E.restApiKey,
  });
  const frame = widgetFrame(page);
  await expect(frame.getByTestId("session-status")).toHaveText("agent1 · ext. 1001");
  await expect(frame.getByTestId("call-number")).toHaveText(displayed(number));
  // Pages, scripts, the widget's Python modules and API answers: none holds the key.
  const texts = await Promise.all(bodies);
  expect(texts.length).toBeGreaterThan(8);
  for (const text of texts) expect(text).not.toContain(E2E.restApiKey);
});

test("every request gets an outcome carrying its request_id", async ({ crm, runtime }) => {
  await waitForEvent(crm, "ready");
  const outcomes = await crm.evaluate(async (number) => {
    const widget = (window as any).crmWidget;
    const login = await widget.send({ action: "login", username: "agent1", password: "Agent1-demo-pass", request_id: "L1" });
    const call = await widget.send({ action: "click_to_call", phone_code: "1", phone_number: number, request_id: "C1" });
    const bad = await widget.send({ action: "click_to_call", request_id: "B1" }).catch((e: any) => e.event);
    const logout = await widget.send({ action: "logout", request_id: "O1" });
    return [login, call, bad, logout].map((e) => [e.event, e.request_id, e.code ?? null]);
  }, uniqueNumber(2, runtime));
  expect(outcomes).toEqual([
    ["logged_in", "L1", null],
    ["call_originated", "C1", null],
    ["error", "B1", "invalid_message"],
    ["logged_out", "O1", null],
  ]);
});

test("a message from an origin that is not allowed is ignored and counted", async ({
  crm,
  request,
  runtime,
}) => {
  const number = uniqueNumber(3, runtime);
  await crm.getByTestId("crm-login").click();
  await waitForEvent(crm, "logged_in");
  // An iframe from another origin posts click_to_call straight to the widget frame.
  await crm.evaluate(
    ({ url }) => {
      const frame = document.createElement("iframe");
      frame.src = url;
      document.body.append(frame);
    },
    { url: `${E2E.untrusted}/untrusted?number=${number}` },
  );
  await expect(widgetFrame(crm).getByTestId("ignored-count")).toHaveText("1");
  // Prove the widget is still listening, then that nothing was dialled for the intruder.
  await dial(crm, uniqueNumber(4, runtime));
  await waitForEvent(crm, "call_originated");
  expect(await originatesTo(request, `1${number}`)).toEqual([]);
  expect((await crmEvents(crm)).filter((e) => e.event === "error")).toEqual([]);
});

test("messages sent before the runtime is ready are handled, in order", async ({
  page,
  request,
  runtime,
}) => {
  // Hold the interpreter back so the CRM's messages surely arrive before Python runs.
  await page.route(/\/runtime\/(micropython|pyodide)@[^/]+\/(micropython|pyodide)\.mjs$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const number = uniqueNumber(5, runtime);
  await page.goto(`${E2E.crm}/?runtime=${runtime}`);
  const sentBeforeReady = await page.evaluate((digits) => {
    const widget = (window as any).crmWidget;
    widget.login({ username: "agent1", password: "Agent1-demo-pass", extension: "1001" });
    widget.clickToCall("1", digits);
    return !widget.ready;
  }, number);
  expect(sentBeforeReady).toBe(true);
  await waitForEvent(page, "call_originated");
  const order = (await answerEvents(page)).map((e) => e.event);
  expect(order).toEqual(["ready", "logged_in", "call_originated"]);
  expect(await originatesTo(request, `1${number}`)).toHaveLength(1);
});

test("a wrong password gives an error event and the widget says so", async ({ crm }) => {
  await crm.getByLabel("Password").fill("not-the-password");
  await crm.getByTestId("crm-login").click();
  const [error] = await waitForEvent(crm, "error");
  expect(error).toMatchObject({ code: "invalid_credentials", message: "wrong username or password" });
  const frame = widgetFrame(crm);
  await expect(frame.getByTestId("error")).toHaveText("Wrong username or password");
  await expect(frame.getByTestId("error-code")).toHaveText(/^invalid_credentials: /);
  await expect(frame.getByTestId("error-details")).not.toHaveAttribute("open");
  await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "signed_out");
});

test("after logout, click-to-call is refused and nothing is dialled", async ({ crm, request, runtime }) => {
  const number = uniqueNumber(6, runtime);
  await crm.getByTestId("crm-login").click();
  await waitForEvent(crm, "logged_in");
  await crm.getByTestId("crm-logout").click();
  await waitForEvent(crm, "logged_out");
  await dial(crm, number);
  const [error] = await waitForEvent(crm, "error");
  expect(error.code).toBe("not_logged_in");
  await expect(widgetFrame(crm).getByTestId("call-card")).toHaveAttribute("data-state", "signed_out");
  expect(await originatesTo(request, `1${number}`)).toEqual([]);
});

test("a dialer that refuses or is down gives an error event", async ({ crm, request, runtime }) => {
  const refused = uniqueNumber(7, runtime);
  const down = uniqueNumber(8, runtime);
  await injectFault(request, {
    kind: "body",
    match: { destination: `1${refused}` },
    body: '{"success": false, "msg": "No free channels"}',
    content_type: "application/json",
  });
  await injectFault(request, { kind: "drop", match: { destination: `1${down}` } });
  await crm.getByTestId("crm-login").click();
  await waitForEvent(crm, "logged_in");

  await dial(crm, refused);
  const [rejected] = await waitForEvent(crm, "error");
  expect(rejected).toMatchObject({ code: "dialer_rejected", message: "rest refused: No free channels" });
  const frame = widgetFrame(crm);
  await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "failed");
  await expect(frame.getByTestId("call-headline")).toHaveText("Call not placed");
  // Words for people in view; the dialer's own text only behind "Details".
  await expect(frame.getByTestId("error")).toHaveText("The phone system refused the call");
  await expect(frame.getByTestId("error-code")).toHaveText("dialer_rejected: rest refused: No free channels");

  await dial(crm, down);
  const [, unavailable] = await waitForEvent(crm, "error", 2);
  expect(unavailable.code).toBe("dialer_unavailable");
  expect(unavailable.message).toContain("unreachable");
  await expect(frame.getByTestId("error")).toHaveText(
    "The phone system cannot be reached; try again in a minute",
  );
  await expect(frame.getByTestId("session-status")).toHaveText("agent1 · ext. 1001");
});

test("a CRM running in a frame drives the widget of its parent page", async ({ page, request, runtime }) => {
  await page.goto(`${E2E.bridge}/console/demo?runtime=${runtime}&crm=${E2E.crm}/framed`);
  const crm = page.frameLocator("#crm-frame");
  const crmFrame = () => page.frames().find((frame) => frame.url().startsWith(E2E.crm))!;
  await expect.poll(async () => (await crmFrame().evaluate(() => (window as any).crmEvents.length))).toBeGreaterThan(0);
  await crm.getByTestId("crm-login").click();
  await expect(page.getByTestId("session-status")).toHaveText("agent1 · ext. 1001");
  await crm.getByTestId("call-1").click();
  await expect(page.getByTestId("call-number")).toHaveText("+1 202-555-0143");
  const events = await crmFrame().evaluate(() => (window as any).crmEvents.map((e: any) => e.event));
  expect(events.filter((name: string) => !LIVE_EVENTS.includes(name))).toEqual([
    "ready",
    "logged_in",
    "call_originated",
  ]);
  expect((await originatesTo(request, "12025550143")).length).toBeGreaterThan(0);
});

test("the widget plays a call's recording", async ({ crm }) => {
  await crm.getByTestId("crm-login").click();
  await waitForEvent(crm, "logged_in");
  await crm.getByTestId("play-recording").click();
  const [ready] = await waitForEvent(crm, "recording_ready");
  expect(ready.filename).toBe("pbx4-1603469421.1196632-demo.WAV");
  expect(ready.bytes).toBeGreaterThan(30_000); // 2 s of 16-bit PCM at 8 kHz, plus header
  const player = widgetFrame(crm).getByTestId("recording");
  await expect(player).toBeVisible();
  // Chromium decodes it: the player knows the recording lasts two seconds.
  await expect
    .poll(() => player.evaluate((audio: HTMLAudioElement) => audio.duration))
    .toBeCloseTo(2, 1);
});

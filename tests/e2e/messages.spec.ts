import {
  E2E,
  crmEvents,
  expect,
  injectFault,
  loginPanel,
  originatesTo,
  test,
  uniqueNumber,
  waitForEvent,
  widgetFrame,
} from "./fixtures";

test("a request that names its action in 'type' is told to use 'action'; other messages are ignored", async ({
  crm,
}) => {
  await waitForEvent(crm, "ready");
  const refused = await crm.evaluate(() =>
    (window as any).crmWidget
      .send({ type: "login", username: "agent1", password: "Agent1-demo-pass", request_id: "typed" })
      .catch((error: any) => error.event),
  );
  expect(refused).toMatchObject({ event: "error", code: "invalid_message", request_id: "typed", action: "login" });
  expect(refused.message).toContain("use 'action'");

  // Not requests: the CRM's own messages, text that is not JSON, arrays. No answer.
  await crm.evaluate((bridge) => {
    const frame = document.querySelector<HTMLIFrameElement>('[data-testid="crm-bridge-iframe"]')!;
    for (const message of [{ type: "crm-internal", request_id: "own" }, "not json", [1, 2], { request_id: "bare" }]) {
      frame.contentWindow!.postMessage(message, bridge);
    }
    frame.contentWindow!.postMessage({ action: "logout", request_id: "last" }, bridge);
  }, E2E.bridge);
  // Requests are answered in the order they arrive: once "last" is, nothing else came.
  await expect.poll(async () => (await crmEvents(crm)).at(-1)?.request_id).toBe("last");
  const answered = (await crmEvents(crm)).map((e) => e.request_id).filter(Boolean);
  expect(answered).toEqual(["typed", "last"]);
  await expect(widgetFrame(crm).getByTestId("ignored-count")).toHaveText("0");
});

// As the demo's live agent (its lock held): its slow call must not keep another test's
// calls waiting (one call at a time per agent).
test("a call the dialer got but did not answer in time may have been placed, the agent is told", async ({
  page: crm,
  request,
  runtime,
  demoAgent,
}) => {
  // The live stream's call events would soon show the call itself: held back here, so
  // the card shows what the agent knows from the timed-out request alone.
  await crm.routeWebSocket(/\/api\/v1\/stream$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (!String(message).includes('"name": "call_') && !String(message).includes('"name":"call_')) {
        ws.send(message);
      }
    });
  });
  await crm.goto(`${E2E.crm}/?runtime=${runtime}`);
  const number = uniqueNumber(41, runtime);
  // The dialer takes the originate (and places the call) but answers after the bridge's 5 s.
  await injectFault(request, { kind: "latency", ms: 6000, match: { destination: `1${number}` } });
  await loginPanel(crm, E2E.liveAgent);
  await crm.getByTestId("dial-number").fill(number);
  await crm.getByTestId("crm-dial").click();
  const [timeout] = await waitForEvent(crm, "error");
  expect(timeout).toMatchObject({ code: "dialer_outcome_unknown", action: "click_to_call" });
  const frame = widgetFrame(crm);
  // Said once, in the status line; the code only behind "Details".
  await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "unknown");
  await expect(frame.getByTestId("call-headline")).toHaveText(
    "The call may have been placed: check before calling again",
  );
  await expect(frame.getByTestId("error")).toHaveText("");
  await expect(frame.getByTestId("error-code")).toContainText("dialer_outcome_unknown");
  await expect.poll(async () => (await originatesTo(request, `1${number}`)).length).toBe(1);
  // The call ends while this page's stream is open: its events are the bridge's to have
  // sent here, not to replay to the live agent's next page.
  await expect
    .poll(async () => {
      const { sent } = await (await request.get(`${E2E.simulator}/_sim/events`)).json();
      return sent.some((e: any) => e.event === "call:end" && JSON.stringify(e.data).includes(number));
    })
    .toBe(true);
});

import type { Page } from "@playwright/test";
import { E2E, answerEvents, crmEvents, expect, originatesTo, test, uniqueNumber, waitForEvent, widgetFrame } from "./fixtures";

const INTERPRETER = /\/runtime\/(micropython|pyodide)@[^/]+\/(micropython|pyodide)\.mjs$/;

/** Posts straight to the widget's frame, as a CRM without embed.js does. */
async function postToWidget(page: Page, messages: object[]): Promise<void> {
  await page.evaluate(
    ({ messages, bridge }) => {
      const frame = document.querySelector<HTMLIFrameElement>('[data-testid="crm-bridge-iframe"]')!;
      for (const message of messages) frame.contentWindow!.postMessage(message, bridge);
    },
    { messages, bridge: E2E.bridge },
  );
}

/** The CRM page once the widget's page is parsed: its start-up script listens then. */
async function crmWithWidgetPage(page: Page, runtime: string): Promise<void> {
  await page.goto(`${E2E.crm}/?runtime=${runtime}`);
  const isWidget = (url: string) => url.startsWith(`${E2E.bridge}/widget/`);
  await expect.poll(() => page.frames().some((frame) => isWidget(frame.url()))).toBe(true);
  await page.frames().find((frame) => isWidget(frame.url()))!.waitForLoadState("domcontentloaded");
}

test("messages posted straight to the widget before its runtime starts are handled, in order", async ({
  page,
  request,
  runtime,
}) => {
  // Hold the interpreter back so the messages surely arrive before Python runs.
  await page.route(INTERPRETER, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const number = uniqueNumber(40, runtime);
  await crmWithWidgetPage(page, runtime);
  await postToWidget(page, [
    { action: "login", ...E2E.agent, request_id: "early-login" },
    { action: "click_to_call", phone_code: "1", phone_number: number, request_id: "early-call" },
  ]);
  expect(await page.evaluate(() => (window as any).crmWidget.ready)).toBe(false);
  await waitForEvent(page, "call_originated");
  const events = (await answerEvents(page)).map((e) => [e.event, e.request_id ?? null]);
  expect(events).toEqual([
    ["ready", null],
    ["logged_in", "early-login"],
    ["call_originated", "early-call"],
  ]);
  expect(await originatesTo(request, `1${number}`)).toHaveLength(1);
});

test("a widget whose runtime cannot load says widget_failed, to the CRM and to every request", async ({
  page,
  runtime,
}) => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(INTERPRETER, async (route) => {
    await held; // so the requests below are surely kept before the start-up fails
    await route.abort("connectionrefused");
  });
  await crmWithWidgetPage(page, runtime);
  await postToWidget(page, [{ action: "login", ...E2E.agent, request_id: "kept" }]);
  const viaEmbed = page.evaluate(() =>
    (window as any).crmWidget
      .clickToCall("1", "2025550100")
      .then(() => "resolved", (error: any) => [error.code, error.message]),
  );
  release();

  const [failed] = await waitForEvent(page, "error", 2);
  expect(failed).toMatchObject({ channel: "crm-bridge", code: "widget_failed" });
  expect(failed.request_id).toBeUndefined();
  // Pyodide's own module is imported by the start module that loads its snapshot.
  expect(failed.message).toMatch(
    /^the widget could not start: .*(micropython|pyodide|crm-bridge-start-[0-9a-f]+)\.mjs/,
  );
  const errors = (await crmEvents(page)).filter((e) => e.event === "error");
  expect(errors.map((e) => [e.code, e.request_id ?? null])).toEqual([
    ["widget_failed", null],
    ["widget_failed", "kept"],
  ]);
  expect(await viaEmbed).toEqual(["widget_failed", failed.message]);
  // A request that arrives after the failure is answered at once.
  await postToWidget(page, [{ action: "logout", request_id: "late" }]);
  await expect.poll(async () => (await crmEvents(page)).at(-1)?.request_id).toBe("late");
  const frame = widgetFrame(page);
  await expect(frame.getByTestId("call-card")).toHaveAttribute("data-state", "failed");
  await expect(frame.getByTestId("call-headline")).toHaveText("The phone panel could not start");
  await expect(frame.getByTestId("error-code")).toHaveText(`widget_failed: ${failed.message}`);
});

test("a widget whose PyScript cannot load says widget_failed with the file", async ({ page, runtime }) => {
  await page.route(/\/runtime\/pyscript@[^/]+\/core\.js$/, (route) => route.abort("connectionrefused"));
  await page.goto(`${E2E.crm}/?runtime=${runtime}`);
  const [failed] = await waitForEvent(page, "error");
  expect(failed.code).toBe("widget_failed");
  expect(failed.message).toMatch(/^the widget could not start: .*\/pyscript@[^/]+\/core\.js$/);
});

test("in the framed topology, a widget that cannot start tells the framed CRM", async ({ page, runtime }) => {
  await page.route(INTERPRETER, (route) => route.abort("connectionrefused"));
  await page.goto(`${E2E.bridge}/console/demo?runtime=${runtime}&crm=${E2E.crm}/framed`);
  const crm = () => page.frames().find((frame) => frame.url().startsWith(E2E.crm));
  await expect
    .poll(() => crm()?.evaluate(() => (window as any).crmEvents.map((e: any) => [e.event, e.code])))
    .toEqual([["error", "widget_failed"]]);
  await crm()!.evaluate((bridge) => parent.postMessage({ action: "logout", request_id: "after" }, bridge), E2E.bridge);
  await expect.poll(() => crm()!.evaluate(() => (window as any).crmEvents.at(-1).request_id)).toBe("after");
  await expect(page.getByTestId("call-headline")).toHaveText("The phone panel could not start");
});

test("a Python error at start-up is reported as widget_failed with the error", async ({ page, runtime }) => {
  await page.route(/\/widget\/py\/main\.py/, (route) =>
    route.fulfill({ contentType: "text/x-python", body: 'raise RuntimeError("no dialer today")\n' }),
  );
  await page.goto(`${E2E.crm}/?runtime=${runtime}`);
  const failure = await page.evaluate(() =>
    (window as any).crmWidget.login({ username: "agent1", password: "x" }).catch((error: any) => error.code),
  );
  expect(failure).toBe("widget_failed");
  const [failed] = await waitForEvent(page, "error");
  expect(failed.message).toBe("the widget could not start: RuntimeError: no dialer today");
});

test("embed.js rejects what it queued when no ready comes in time, then carries on once it does", async ({
  page,
  runtime,
}) => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(INTERPRETER, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${E2E.crm}/blank`);
  const early = await page.evaluate(
    ({ bridge, runtime }) => {
      const errors: unknown[] = [];
      const widget = (window as any).CrmBridge.mount({
        server: bridge,
        tenant: "demo",
        runtime,
        container: document.body,
        readyTimeout: 1000,
      });
      (window as any).crmWidget = widget;
      (window as any).widgetErrors = errors;
      widget.on("error", (event: unknown) => errors.push(event));
      return widget
        .login({ username: "agent1", password: "Agent1-demo-pass" })
        .then(() => "resolved", (error: any) => [error.code, error.request_id != null]);
    },
    { bridge: E2E.bridge, runtime },
  );
  expect(early).toEqual(["widget_not_ready", true]);
  const errors = await page.evaluate(() => (window as any).widgetErrors);
  expect(errors).toEqual([expect.objectContaining({ code: "widget_not_ready", message: expect.stringContaining("1 s") })]);
  // Until a `ready` arrives, requests fail at once instead of waiting.
  expect(
    await page.evaluate(() => (window as any).crmWidget.logout().catch((error: any) => error.code)),
  ).toBe("widget_not_ready");

  release();
  await expect.poll(() => page.evaluate(() => (window as any).crmWidget.ready)).toBe(true);
  const loggedIn = await page.evaluate(() =>
    (window as any).crmWidget.login({ username: "agent1", password: "Agent1-demo-pass" }),
  );
  expect(loggedIn.event).toBe("logged_in");
  // The rejected login was never handed to the widget: it logged in once, just now.
  await expect(widgetFrame(page).getByTestId("session-status")).toHaveText("agent1 · ext. 1001");
});

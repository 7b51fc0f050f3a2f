// What docs/protocol.md tells a CRM developer, checked against the running bridge.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { E2E, expect, originatesTo, test, waitForEvent, widgetFrame } from "./fixtures";

const PROTOCOL_DOC = readFileSync(join(__dirname, "..", "..", "docs", "protocol.md"), "utf8");

/** The documented example page, pointed at the test bridge and its tenant. */
function completeExample(): string {
  const [, html] = PROTOCOL_DOC.match(/### A complete example[\s\S]*?```html\n([\s\S]*?)```/) ?? [];
  expect(html).toBeTruthy();
  return html.replaceAll("https://bridge.example.com", E2E.bridge).replace('tenant: "acme"', 'tenant: "demo"');
}

test("the complete example of docs/protocol.md works as written", async ({ page, request }) => {
  // The page, exactly as the document writes it, in a document of the CRM's (allowed)
  // origin. (A page that Playwright serves itself would not count as loopback, and
  // Chromium keeps public pages from loading scripts from loopback addresses.)
  await page.goto(`${E2E.crm}/blank`);
  await page.evaluate((html) => {
    document.open();
    document.write(html);
    document.close();
  }, completeExample());
  const status = page.getByRole("status");
  await expect(status).toHaveText("Dialer ready (micropython)");
  await page.getByPlaceholder("Username").fill(E2E.agent.username);
  await page.getByPlaceholder("Password").fill(E2E.agent.password);
  await page.getByPlaceholder("Extension").fill(E2E.agent.extension);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(status).toHaveText("Logged in as agent1");

  const before = (await originatesTo(request, "12025550143")).length;
  await page.getByRole("button", { name: "Call Ada" }).click();
  await expect(status).toHaveText(/^Calling \+12025550143 \(call [0-9a-f-]{36}\)$/);
  // One call at a time: the number's link dials once the first call has ended.
  const uuid = (await status.textContent())!.match(/call ([0-9a-f-]{36})/)![1];
  await expect
    .poll(async () => {
      const { sent } = await (await request.get(`${E2E.simulator}/_sim/events`)).json();
      return sent.some((e: any) => e.event === "call:end" && e.data.call_id === uuid);
    })
    .toBe(true);
  // The number in the text is a link that dials too.
  await page.locator("#ada a[data-crm-bridge-phone]").click();
  await expect.poll(async () => (await originatesTo(request, "12025550143")).length).toBe(before + 2);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(status).toHaveText("Logged out");
});

test("the bridge refuses an origin that is not allowed with a 403 that says what to add", async ({ page, request }) => {
  const widget = await request.get(`${E2E.bridge}/widget/demo?parent_origin=${E2E.untrusted}`);
  expect(widget.status()).toBe(403);
  expect(await widget.text()).toBe(
    `${E2E.untrusted} is not an allowed origin of tenant demo; add it to tenants.demo.allowed_origins`,
  );
  const consolePage = await request.get(`${E2E.bridge}/console/demo?crm=${E2E.untrusted}/framed`);
  expect(consolePage.status()).toBe(403);
  // A CRM page on that origin sees the reason in the iframe.
  await page.goto(`${E2E.untrusted}/blank`);
  await page.evaluate((bridge) => {
    CrmBridge.mount({ server: bridge, tenant: "demo", container: document.body, readyTimeout: 0 });
  }, E2E.bridge);
  await expect(widgetFrame(page).locator("body")).toHaveText(/is not an allowed origin of tenant demo/);
});

test("the widget and console pages send the documented Content-Security-Policy", async ({ request }) => {
  const widget = await request.get(`${E2E.bridge}/widget/demo?parent_origin=${E2E.crm}`);
  const ownFilesOnly =
    /^default-src 'self'; script-src 'self' 'nonce-[^']+' 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; /;
  const widgetPolicy = widget.headers()["content-security-policy"];
  expect(widgetPolicy).toMatch(ownFilesOnly);
  expect(widgetPolicy.endsWith(`; frame-ancestors ${E2E.crm} ${E2E.crossSiteCrm}`)).toBe(true);
  const consolePage = await request.get(`${E2E.bridge}/console/demo?crm=${E2E.crm}/framed`);
  const consolePolicy = consolePage.headers()["content-security-policy"];
  expect(consolePolicy).toMatch(ownFilesOnly);
  expect(consolePolicy.endsWith(`; frame-ancestors 'self'; frame-src ${E2E.crm}`)).toBe(true);
});

test("in the framed topology, the spec's postMessage to '*' is answered too", async ({ page, runtime }) => {
  await page.goto(`${E2E.bridge}/console/demo?runtime=${runtime}&crm=${E2E.crm}/framed`);
  const crm = () => page.frames().find((frame) => frame.url().startsWith(E2E.crm))!;
  await expect.poll(() => crm()?.evaluate(() => (window as any).crmEvents.length)).toBeGreaterThan(0);
  await crm().evaluate((agent) => parent.postMessage({ action: "login", ...agent, request_id: "star" }, "*"), E2E.agent);
  await expect(page.getByTestId("session-status")).toHaveText("agent1 · ext. 1001");
  await expect
    .poll(() => crm().evaluate(() => (window as any).crmEvents.map((e: { request_id?: string }) => e.request_id)))
    .toContain("star");
});

test("embed.d.ts is served beside embed.js", async ({ request }) => {
  const types = await request.get(`${E2E.bridge}/static/embed.d.ts`);
  expect(types.status()).toBe(200);
  expect(types.headers()["content-type"]).toBe("application/typescript; charset=utf-8");
  expect(types.headers()["access-control-allow-origin"]).toBe("*");
  expect(await types.text()).toContain("declare namespace CrmBridge");
});

test("the embed.js API as typed in embed.d.ts: results, rejections, listeners, your own request ids", async ({
  page,
  runtime,
}) => {
  await page.goto(`${E2E.crm}/blank`);
  const seen = await page.evaluate(
    async ({ bridge, runtime, agent }) => {
      const widget: CrmBridge.Widget = CrmBridge.mount({ server: bridge, tenant: "demo", runtime, container: document.body });
      const events: string[] = [];
      // The widget's own snapshot and size events come as they come, and calls other
      // tests ring for the agent meanwhile: left out here.
      const asTheyCome = ["resize", "call_state", "call_ringing", "call_answered", "call_ended"];
      const everything = (event: CrmBridge.WidgetEvent) =>
        asTheyCome.includes(event.event) || events.push(event.event);
      widget.on("*", everything);
      const ready = await new Promise<CrmBridge.ReadyEvent>((resolve) => widget.on("ready", resolve));
      const loggedIn: CrmBridge.LoggedInEvent = await widget.login(agent);
      const refused = await widget.clickToCall("1", "12").catch((error: CrmBridge.RequestError) => error);
      const mine = await widget.send({ action: "logout", request_id: 42 });
      widget.off("*", everything);
      const afterOff = await widget.logout();
      widget.destroy();
      return {
        ready: [ready.runtime, widget.ready],
        loggedIn: [loggedIn.event, loggedIn.username, typeof loggedIn.request_id],
        refused: refused instanceof Error ? [refused.code, refused.event.action, refused.request_id === refused.event.request_id] : null,
        mine: [mine.event, mine.request_id],
        afterOff: afterOff.event,
        events,
        iframes: document.querySelectorAll("iframe").length,
      };
    },
    { bridge: E2E.bridge, runtime, agent: E2E.agent },
  );
  expect(seen).toEqual({
    ready: [runtime, true],
    loggedIn: ["logged_in", "agent1", "string"],
    refused: ["invalid_number", "click_to_call", true],
    mine: ["logged_out", 42],
    afterOff: "logged_out",
    events: ["ready", "logged_in", "error", "logged_out"],
    iframes: 0,
  });
});

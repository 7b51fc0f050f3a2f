import type { APIRequestContext, Page } from "@playwright/test";
import { E2E, crmEvents, expect, test, waitForEvent, widgetFrame, type CrmEvent } from "./fixtures";

// The Integration Centre with the demo CRM as the target system. The demo declares a
// group "Demo CRM" (its X-Api-Key), "Log the call" (AJAX POST on every ended call),
// "Find the caller" (a look-up on inbound ringing) and "Open the contact" (a Browser
// Window screen pop on inbound ringing); see demo/crm_webhooks.py. Here the admin adds a
// look-up of their own with Test and Configure and ticks two columns.

type LiveEvent = CrmEvent & Record<string, any>;

// It rings the demo's live-call agent: one such test at a time.
test.describe.configure({ mode: "serial" });
test.slow();
test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

// A contact of the demo CRM per runtime, so each project's call is its own.
const CALLERS = {
  micropython: { number: "+12025550143", name: "Ada Lovelace" },
  pyodide: { number: "+13125550178", name: "Grace Hopper" },
};

async function loginWidget(crm: Page) {
  await expect(widgetFrame(crm).locator("body[data-ready=true]")).toBeAttached({ timeout: 90_000 });
  await waitForEvent(crm, "ready");
  await crm.evaluate(() =>
    (window as any).crmWidget.login({ username: "agent2", password: "Agent2-demo-pass" }),
  );
  await expect(widgetFrame(crm).getByTestId("live")).toBeVisible();
}

async function ringAgent(request: APIRequestContext, caller: { number: string; name: string }) {
  const state = await (await request.get(`${E2E.simulator}/_sim/state`)).json();
  const user = state.users.find((u: any) => u.username === E2E.liveAgent.username);
  const response = await request.post(`${E2E.simulator}/_sim/inbound`, {
    data: { user_id: user.id, caller: caller.number, caller_name: caller.name,
            ring_seconds: 2, talk_seconds: 4 },
  });
  expect(response.status()).toBe(202);
  return (await response.json()).call_id as string;
}

/** The admin makes a look-up webhook on answered inbound calls, tests it, ticks two columns. */
async function configureLookup(admin: Page, name: string, testNumber: string) {
  await admin.goto(`${E2E.bridge}/admin/integrations/webhooks/new`);
  const form = admin.getByTestId("webhook-form");
  await form.locator("input[name=name]").fill(name);
  await form.locator("input[name=url]").fill(`${E2E.crm}/api/contacts`);
  await form.locator("select[name=type]").selectOption("ajax_get");
  await form.locator("select[name=response_type]").selectOption("records");
  await form.locator("select[name=group]").selectOption("Demo CRM");
  await form.locator("select[name=trigger]").selectOption("call_answered");
  await form.getByLabel("inbound").check();
  await form.getByTestId("parameters").fill("number={CALL_NUMBER}");
  await form.getByTestId("test-values").fill(`CALL_NUMBER=${testNumber}`);
  await form.getByTestId("save-webhook").click();
  await expect(admin).toHaveURL(/\/admin\/integrations\/webhooks\/\d+$/);

  await admin.getByTestId("test-webhook").click();
  await expect(admin.getByTestId("test-status")).toHaveText("200 OK");
  await expect(admin.getByTestId("test-answer")).toContainText("Customer");
  await admin.getByTestId("column-status").check();
  await admin.getByTestId("column-owner").check();
  await admin.getByTestId("save-columns").click();
  // The Agent View: exactly what the widget will show.
  const view = admin.getByTestId("agent-view");
  await expect(view.locator("th")).toHaveText(["status", "owner"]);
  await expect(view.locator("td")).toHaveText(["Customer", "Mary"]);
}

/** Removes the webhook ``name`` if it is there: first its trigger (a webhook a trigger
 * uses cannot be deleted), then the webhook. */
async function removeWebhook(admin: Page, name: string) {
  await admin.goto(`${E2E.bridge}/admin/integrations`);
  const row = admin.getByTestId(`webhook-${name}`);
  if ((await row.count()) === 0) return;
  await row.getByRole("link", { name }).click();
  await admin.getByTestId("webhook-form").locator("select[name=trigger]").selectOption("manual");
  await admin.getByTestId("save-webhook").click();
  await admin.goto(`${E2E.bridge}/admin/integrations`);
  await row.getByRole("button", { name: "Delete" }).click();
  await admin.getByTestId("confirm-button").click(); // it asks first
  await expect(row).toHaveCount(0);
}

test("a look-up made with Test and Configure shows its two columns in the widget; the screen pop reaches the CRM page; the ended call is logged in the CRM", async ({
  demoAgent,
  crm,
  page,
  context,
  request,
  runtime,
}) => {
  const caller = CALLERS[runtime];
  const name = `Caller status ${runtime}`;
  const admin = await context.newPage();
  await removeWebhook(admin, name); // left by an earlier run that stopped midway
  await configureLookup(admin, name, caller.number);
  await page.bringToFront();
  await loginWidget(crm);
  const callId = await ringAgent(request, caller);

  await test.step("the agent sees the two columns the admin ticked", async () => {
    // Every lookup of the call is kept: this one is the table captioned with its name.
    const lookup = widgetFrame(crm).getByTestId("lookup").filter({ hasText: name });
    await expect(lookup.getByTestId("lookup-caption")).toHaveText(name);
    await expect(lookup.getByTestId("lookup-columns").locator("th")).toHaveText(["Status", "Owner"]);
    await expect(lookup.getByTestId("lookup-rows")).toContainText("Customer");
    await expect(lookup.getByTestId("lookup-rows")).not.toContainText(caller.name);
    const [result] = ((await waitForEvent(crm, "lookup_result")) as LiveEvent[]).filter(
      (e) => e.webhook === name,
    );
    expect(result).toMatchObject({
      call_id: callId,
      columns: ["status", "owner"],
      records: [{ status: "Customer", owner: "Mary" }],
      error: null,
    });
  });

  await test.step("the Browser Window webhook is a screen_pop in the CRM page", async () => {
    await expect
      .poll(async () =>
        ((await crmEvents(crm)) as LiveEvent[]).filter(
          (e) => e.event === "screen_pop" && e.call_id === callId,
        ),
      )
      .toEqual([
        expect.objectContaining({
          url: `${E2E.crm}/?contact=${encodeURIComponent(caller.number)}`,
          webhook: "Open the contact",
        }),
      ]);
  });

  await test.step("the call-end AJAX POST logs the call into the demo CRM", async () => {
    await expect(async () => {
      await admin.goto(`${E2E.crm}/call-log`);
      const entry = admin.getByTestId("call-log-entry").filter({ hasText: callId });
      await expect(entry).toHaveCount(1, { timeout: 500 });
      await expect(entry.locator('[data-field="direction"]')).toHaveText("incoming");
      await expect(entry.locator('[data-field="number"]')).toHaveText(caller.number);
      await expect(entry.locator('[data-field="name"]')).toHaveText(caller.name);
      await expect(entry.locator('[data-field="agent"]')).toHaveText("1002-Demo CRM");
    }).toPass({ timeout: 30_000 });
  });

  await test.step("every delivery shows in the admin's monitoring", async () => {
    await admin.goto(`${E2E.bridge}/admin/deliveries?webhook=${encodeURIComponent(name)}`);
    await expect(admin.getByTestId("delivery").first()).toHaveAttribute("data-state", "delivered");
  });
  await removeWebhook(admin, name);
});

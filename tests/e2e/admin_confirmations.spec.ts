import type { Page } from "@playwright/test";
import { E2E, expect, test } from "./fixtures";

// Dangerous actions ask first, saying what will stop; after a new Event Push URL, the
// Event push page counts the pushes still sent with the old one.

test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

/** New URL for the demo's REST dialer, confirmed; the simulator is pointed at it at once
 * (live calls of other tests go on: the simulator retries a refused push). */
async function newPushUrl(page: Page): Promise<string> {
  await page.goto(`${E2E.bridge}/admin/events`);
  await page.getByTestId("push-table").getByRole("button", { name: "New URL" }).click();
  await expect(page.getByTestId("consequences")).toContainText("The current URL stops working at once");
  await page.getByTestId("confirm-button").click();
  const url = (await page.getByTestId("new-push-url").locator(".secret").textContent()) ?? "";
  const pointed = await page.request.put(`${E2E.simulator}/_sim/event_url`, { data: { url } });
  expect(pointed.status()).toBe(200);
  return url;
}

test("New URL asks first; pushes with the old URL are refused and counted on the page", async ({ page }) => {
  await page.goto(`${E2E.bridge}/admin/events`);
  await page.getByTestId("push-table").getByRole("button", { name: "New URL" }).click();
  await page.getByTestId("confirm-cancel").click();
  await expect(page).toHaveURL(`${E2E.bridge}/admin/events`);
  await expect(page.getByTestId("new-push-url")).toHaveCount(0);

  const old = await newPushUrl(page);
  await newPushUrl(page);
  for (let n = 0; n < 2; n++) {
    const refused = await page.request.post(old, { data: { event: "agent:checkout", data: { user_id: 999999 } } });
    expect(refused.status()).toBe(401);
  }
  await page.goto(`${E2E.bridge}/admin/events`);
  await expect(page.getByTestId("old-url-refused")).toContainText("Events stopped arriving from demo / rest");
  await expect(page.getByTestId("old-url-refused")).toContainText(/\d+ pushes with the replaced URL\s+were refused/);
  const count = Number((await page.getByTestId("refused-count").textContent())?.split(" ")[0]);
  expect(count).toBeGreaterThanOrEqual(2);
});

test("revoking a key and deleting a webhook say what stops before doing it", async ({ page }) => {
  const name = `e2e confirm ${Date.now()}`;
  await page.goto(`${E2E.bridge}/admin/keys`);
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Add API key" }).click();
  const row = page.getByTestId("keys-table").locator("tr", { hasText: name });
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Revoke the API key '${name}' of demo?`);
  await expect(page.getByTestId("consequences")).toContainText("gets 401 invalid_api_key");
  await page.getByTestId("confirm-button").click();
  await expect(row).toContainText("revoked");

  const hook = await page.request.post(`${E2E.bridge}/admin/api/webhooks`, {
    data: { tenant: "demo", name, url: `${E2E.crm}/api/contacts` },
  });
  expect(hook.status()).toBe(201);
  await page.goto(`${E2E.bridge}/admin/integrations`);
  await page.getByTestId(`webhook-${name}`).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("consequences")).toContainText(`nothing more is sent to ${E2E.crm}/api/contacts`);
  await page.getByTestId("confirm-button").click();
  await expect(page).toHaveURL(`${E2E.bridge}/admin/integrations`);
  await expect(page.getByTestId(`webhook-${name}`)).toHaveCount(0);
});

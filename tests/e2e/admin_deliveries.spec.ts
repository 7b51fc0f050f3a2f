import type { APIRequestContext } from "@playwright/test";
import { E2E, expect, test } from "./fixtures";

// Webhook deliveries as the admin reads them: one line each, details behind a
// disclosure, and Retry that says what happened.

test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

async function agentToken(request: APIRequestContext): Promise<string> {
  const response = await request.post(`${E2E.bridge}/api/v1/tenants/demo/sessions`, {
    data: { username: E2E.agent.username, password: E2E.agent.password, extension: E2E.agent.extension },
  });
  expect(response.status()).toBe(200);
  return (await response.json()).token;
}

test("a failed delivery is one line with its details behind a disclosure; Retry tells how it went", async ({
  page,
}) => {
  const name = `e2e look-up ${Date.now()}`;
  // No group: the demo CRM answers 401 (its X-Api-Key is missing), a failure at once.
  const webhook = {
    tenant: "demo",
    name,
    url: `${E2E.crm}/api/contacts`,
    type: "ajax_get",
    parameters: [{ name: "number", value: "+12025550143" }],
  };
  const created = await page.request.post(`${E2E.bridge}/admin/api/webhooks`, { data: webhook });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;
  const run = await page.request.post(`${E2E.bridge}/api/v1/webhooks/run`, {
    data: { webhook: name },
    headers: { Authorization: `Bearer ${await agentToken(page.request)}` },
  });
  expect(run.status()).toBe(202);

  const url = `${E2E.bridge}/admin/deliveries?webhook=${encodeURIComponent(name)}`;
  const delivery = page.getByTestId("delivery");
  await expect(async () => {
    await page.goto(url);
    await expect(delivery).toHaveAttribute("data-state", "failed", { timeout: 500 });
  }).toPass();
  await expect(page.getByTestId("delivery-count")).toHaveText("1 delivery.");
  await expect(delivery.getByTestId("delivery-outcome")).toContainText("failed · 401");
  await expect(delivery.getByTestId("delivery-tries")).toHaveText("1");
  const details = delivery.getByTestId("delivery-details");
  await expect(details.locator("pre").first()).toBeHidden();
  await details.locator("summary").click();
  await expect(details.locator("pre").first()).toContainText(`GET ${E2E.crm}/api/contacts?number=`);
  await expect(details.locator("pre").nth(1)).toContainText("401");

  // The admin fixes the webhook (the CRM's key) and retries: the page says it worked.
  const fixed = await page.request.put(`${E2E.bridge}/admin/api/webhooks/${id}`, {
    data: { ...webhook, tenant: undefined, group: "Demo CRM" },
  });
  expect(fixed.status()).toBe(200);
  await delivery.getByTestId("retry-delivery").click();
  await expect(page.getByTestId("flash")).toContainText(`Sent ${name} again: delivered (200)`);
  await expect(delivery).toHaveAttribute("data-state", "delivered");
  await expect(delivery.getByTestId("delivery-tries")).toHaveText("1");
  await expect(delivery.getByTestId("retry-delivery")).toHaveCount(0);
});

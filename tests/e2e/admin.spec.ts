import { E2E, expect, test, uniqueNumber, waitForEvent } from "./fixtures";

test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

test("the admin sees each call to a dialer in the audit log, without secrets", async ({
  crm,
  page,
  runtime,
}) => {
  await crm.getByTestId("crm-login").click();
  await waitForEvent(crm, "logged_in");
  await crm.getByTestId("dial-number").fill(uniqueNumber(20, runtime));
  await crm.getByTestId("crm-dial").click();
  await waitForEvent(crm, "call_originated");

  const table = page.getByTestId("audit-table");
  // The audit log is written in the background: reload until the call is there.
  await expect(async () => {
    await page.goto(`${E2E.bridge}/admin/audit?action=originate`);
    await expect(table.locator("tr", { hasText: "agent1" }).first()).toContainText("ok", { timeout: 500 });
  }).toPass();
  expect(await page.content()).not.toContain(E2E.restApiKey);
});

test("the admin creates an API key, shown once, and revokes it", async ({ page }) => {
  await page.goto(`${E2E.bridge}/admin/keys`);
  await page.getByLabel("Name").fill(`e2e key ${test.info().project.name}`);
  await page.getByRole("button", { name: "Add API key" }).click();
  const secret = (await page.getByTestId("new-key").locator(".secret").textContent()) ?? "";
  expect(secret).toMatch(/^cbk_/);

  const api = await page.request.get(`${E2E.bridge}/api/v1/recordings/pbx4-1603469421.1196632-demo.WAV`, {
    headers: { "X-Api-Key": secret },
  });
  expect(api.status()).toBe(200);
  expect(api.headers()["content-type"]).toBe("audio/wav");

  await page.goto(`${E2E.bridge}/admin/keys`);
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  const row = page.getByTestId("keys-table").locator("tr", { hasText: `e2e key ${test.info().project.name}` });
  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByTestId("confirm-button").click(); // it asks first
  await expect(row).toContainText("revoked");
  const refused = await page.request.get(`${E2E.bridge}/api/v1/recordings/pbx4-1603469421.1196632-demo.WAV`, {
    headers: { "X-Api-Key": secret },
  });
  expect(refused.status()).toBe(401);
});

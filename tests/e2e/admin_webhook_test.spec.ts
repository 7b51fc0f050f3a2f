import type { Page } from "@playwright/test";
import { E2E, expect, test } from "./fixtures";

// Test and Configure: the request laid out line by line, and why a CRM is unreachable.

test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

async function newWebhook(page: Page, name: string, url: string) {
  await page.goto(`${E2E.bridge}/admin/integrations/webhooks/new`);
  const form = page.getByTestId("webhook-form");
  await form.locator("input[name=name]").fill(name);
  await form.locator("input[name=url]").fill(url);
  await form.locator("select[name=type]").selectOption("ajax_get");
  await form.locator("select[name=group]").selectOption("Demo CRM");
  await form.getByTestId("parameters").fill("number={CALL_NUMBER}");
  await form.getByTestId("test-values").fill("CALL_NUMBER=+12025550143");
  await form.getByTestId("save-webhook").click();
  await expect(page).toHaveURL(/\/admin\/integrations\/webhooks\/\d+$/);
}

test("Test and Configure lays the request out line by line", async ({ page }) => {
  await newWebhook(page, `e2e layout ${Date.now()}`, `${E2E.crm}/api/contacts`);
  await page.getByTestId("test-webhook").click();
  await expect(page.getByTestId("test-status")).toHaveText("200 OK");
  const lines = ((await page.getByTestId("test-request").textContent()) ?? "").split("\n");
  expect(lines[0]).toBe(`GET ${E2E.crm}/api/contacts?number=%2B12025550143`);
  expect(lines).toContain("X-Api-Key: [redacted]");
});

test("an unreachable CRM is explained: which address and why", async ({ page }) => {
  // A port of the loopback where nothing listens (the demo uses six from E2E.port).
  const closed = E2E.port + 50;
  await newWebhook(page, `e2e unreachable ${Date.now()}`, `http://127.0.0.1:${closed}/api/contacts`);
  await page.getByTestId("test-webhook").click();
  await expect(page.getByTestId("page-error")).toHaveText(
    `The CRM cannot be reached: 127.0.0.1, port ${closed} refused the connection (connection refused: nothing listens there, or a firewall says no).`,
  );
});

test("a URL typo is said plainly", async ({ page }) => {
  await page.goto(`${E2E.bridge}/admin/integrations/webhooks/new`);
  const form = page.getByTestId("webhook-form");
  await form.locator("input[name=name]").fill(`e2e typo ${Date.now()}`);
  await form.locator("input[name=url]").fill(`${E2E.crm}/api/contacts?number={CALL_NUMBR}`);
  await form.getByTestId("save-webhook").click();
  await expect(page.getByTestId("page-error")).toContainText("Unknown variable {CALL_NUMBR}: use one of");
  await expect(page.getByTestId("page-error")).not.toContainText("(body)");
});

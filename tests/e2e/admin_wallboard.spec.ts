import AxeBuilder from "@axe-core/playwright";
import { E2E, expect, ringLiveAgent, test } from "./fixtures";

// The admin page "Wallboard" in Chromium: live from the bridge's server-sent events, it
// shows a queue call waiting while it rings and counts it abandoned once it ends, without
// a reload; it is accessible (axe) in its dark and light themes.

test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

const QUEUE = 7717; // a queue no other test uses

// It rings the live agent: under its lock (`demoAgent`), so no other test's panel gets the call.
test("the wallboard changes when a queue call rings and ends", async ({ demoAgent, page }) => {
  await page.goto(`${E2E.bridge}/admin/wallboard?tenant=demo`);
  const nav = page.getByRole("navigation", { name: "Admin pages" });
  await expect(nav.locator('[aria-current="page"]')).toHaveText("Wallboard");
  await expect(page.getByTestId("wallboard-status")).toHaveText("Live");
  const abandoned = page.getByTestId("wb-abandon-rate").locator("dt small");
  const before = Number((await abandoned.textContent())!.split(" ")[0]);
  const loads: string[] = [];
  page.on("load", () => loads.push(page.url()));

  await ringLiveAgent(page.request, "3125550179", {
    queue_id: QUEUE,
    outcome: "no_answer",
    ring_seconds: 4,
  });
  const queueRow = page.getByTestId("wb-queues").locator("tr", { hasText: `Queue ${QUEUE}` });
  await expect(queueRow.locator("td").first()).toHaveText("1");
  await expect(queueRow.locator("td").nth(1)).toHaveText(/^\d+:\d\d$/); // the longest wait
  await expect(page.getByTestId("wb-waiting").locator("dd")).not.toHaveText("0");

  await expect(queueRow).toHaveCount(0); // a queue without a name shows only while calls wait
  await expect(page.getByTestId("wb-waiting").locator("dd")).toHaveText("0");
  await expect(abandoned).toHaveText(new RegExp(`^${before + 1} of \\d+ calls$`));
  expect(loads).toEqual([]); // all of it live, no reload
});

test("the wallboard is accessible, dark by default and light on request", async ({ page }) => {
  await page.goto(`${E2E.bridge}/admin/wallboard?tenant=demo`);
  await expect(page.getByTestId("wallboard-status")).toHaveText("Live");
  const background = () =>
    page.getByTestId("wallboard").evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(await background()).toBe("rgb(15, 20, 25)");
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  await page.getByRole("link", { name: "Light theme" }).click();
  await expect(page.getByTestId("wallboard-status")).toHaveText("Live");
  expect(await background()).toBe("rgb(244, 246, 249)");
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await expect(page.getByRole("link", { name: "Dark theme" })).toBeVisible();
});

test("without JavaScript the wallboard is a table snapshot", async ({ browser }) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    httpCredentials: { username: "admin", password: E2E.adminPassword },
  });
  const page = await context.newPage();
  await page.goto(`${E2E.bridge}/admin/wallboard?tenant=demo`);
  await expect(page.getByRole("heading", { name: "Today so far" })).toBeVisible();
  await expect(page.getByTestId("wb-service-level")).toContainText("Service level");
  await expect(page.getByTestId("wallboard-status")).toContainText("reload for newer figures");
  await context.close();
});

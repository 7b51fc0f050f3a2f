import { E2E, expect, ringLiveAgent, test } from "./fixtures";

// The admin page "Reports" in Chromium: a call abandoned in a queue of its own shows in
// the page's tables with the numbers the CRM API gives, and the CSV links download them.

test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

const QUEUE = 7707; // a queue no other test uses

test("the Reports page shows the API's numbers for an abandoned queue call", async ({ page }) => {
  const created = await page.request.post(`${E2E.bridge}/admin/api/keys`, {
    data: { tenant: "demo", name: `e2e reports ${Date.now()}` },
  });
  expect(created.status()).toBe(201);
  const headers = { "X-Api-Key": (await created.json()).key };
  await ringLiveAgent(page.request, "3125550177", {
    queue_id: QUEUE,
    outcome: "no_answer",
    ring_seconds: 1,
  });
  const report = `${E2E.bridge}/api/v1/crm/reports/queues?interval=total&queue=${QUEUE}`;
  let row: Record<string, unknown> = {};
  await expect
    .poll(async () => {
      [row] = (await (await page.request.get(report, { headers })).json()).rows;
      return row.abandoned;
    })
    .toBeGreaterThanOrEqual(1);
  expect(row).toMatchObject({ queue: String(QUEUE), abandon_rate: 100, answered: 0 });

  await page.goto(`${E2E.bridge}/admin/reports?queue=${QUEUE}`);
  const nav = page.getByRole("navigation", { name: "Admin pages" });
  await expect(nav.locator('[aria-current="page"]')).toHaveText("Reports");
  const summary = page.getByTestId("report-summary").locator("tr").nth(1).locator("td");
  await expect(summary.nth(0)).toHaveText(String(row.offered));
  await expect(summary.nth(2)).toHaveText(String(row.abandoned));
  await expect(summary.nth(4)).toHaveText(`${Number(row.abandon_rate).toFixed(1)} %`);
  const queueRow = page.getByTestId("report-queues").locator("tr", { hasText: String(QUEUE) });
  await expect(queueRow.locator("td").nth(3)).toHaveText(String(row.abandoned));

  const download = page.waitForEvent("download");
  await page.getByTestId("csv-queues").click();
  const file = await (await download).path();
  const { readFile } = await import("node:fs/promises");
  const lines = (await readFile(file, "utf-8")).trim().split(/\r\n/);
  expect(lines[0]).toContain("abandon_rate");
  expect(lines[1]).toContain(`,${QUEUE},`);
});

test("the page fits a 1,280 px window without scrolling sideways", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${E2E.bridge}/admin/reports`);
  await expect(page.getByTestId("report-summary")).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});

test("the charts are drawn from the page's numbers, with uPlot served by the bridge", async ({ page }) => {
  await ringLiveAgent(page.request, "3125550178", { queue_id: QUEUE + 1, outcome: "no_answer", ring_seconds: 1 });
  const fetched: string[] = [];
  page.on("request", (request) => fetched.push(request.url()));
  const abandoned = page.getByTestId("report-summary").locator("tr").nth(1).locator("td").nth(2);
  await expect(async () => {
    await page.goto(`${E2E.bridge}/admin/reports?interval=hour&queue=${QUEUE + 1}`);
    await expect(abandoned).toHaveText("1", { timeout: 1000 });
  }).toPass();
  await expect(page.getByTestId("report-charts")).toHaveAttribute("data-drawn", "true");
  for (const chart of ["chart-calls", "chart-service"]) {
    await expect(page.getByTestId(chart).locator("canvas")).toHaveCount(1);
  }
  // The abandoned call's bar is there, in the abandoned colour (#d9534f).
  const red = await page.getByTestId("chart-calls").locator("canvas").evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === 217 && data[i + 1] === 83 && data[i + 2] === 79) count++;
    }
    return count;
  });
  expect(red).toBeGreaterThan(0);
  expect(fetched.every((url) => url.startsWith(E2E.bridge))).toBe(true);
  expect(fetched.some((url) => url.includes("/runtime/uplot@"))).toBe(true);
});

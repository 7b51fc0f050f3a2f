import { E2E, expect, injectFault, test } from "./fixtures";

test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

test("the admin imports a CSV file and watches its job finish without reloading", async ({
  page,
  request,
  runtime,
}) => {
  const area = runtime === "pyodide" ? "314" : "313";
  const lines = ["Name;Phone", "Broken;12"];
  for (let n = 0; n < 3000; n++) lines.push(`Lead ${n};${area}555${String(n).padStart(4, "0")}`);
  // Slow batches, so that the page shows the job running before it is done.
  await injectFault(request, {
    kind: "latency",
    ms: 700,
    path: "/api/phone_list/",
    body_contains: `"1${area}555`,
    times: 6,
  });

  await page.goto(`${E2E.bridge}/admin/imports`);
  await page.getByLabel("CSV file").setInputFiles({
    name: "leads.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(lines.join("\n")),
  });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByTestId("preview")).toContainText(`+1${area}5550000`);
  await expect(page.getByTestId("bad-rows")).toContainText("'12' has the wrong length");
  await page.getByLabel("List name").fill(`e2e import ${runtime}`);
  await page.getByLabel("Create the list first").check();
  await page.getByTestId("start").click();

  await expect(page).toHaveURL(/\/admin\/jobs#job-\d+$/);
  const row = page.locator(`#job-${page.url().split("#job-")[1]}`);
  await expect(row.locator('[data-field="state"]')).toHaveText(/^(queued|running)/);
  await page.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });
  // One row could not be sent ("Broken;12", as the preview said): done, with failures.
  await expect(row.locator('[data-field="state"]')).toHaveText("done with failures", {
    timeout: 40_000,
  });
  await expect(row.getByTestId("job-reasons")).toHaveText(
    "'…' has the wrong length for a number with code +1 (1 row)",
  );
  await expect(row.locator('[data-field="progress"]')).toHaveText("3,001 / 3,001");
  await expect(row.locator("progress")).toHaveAttribute("value", "3001");
  await expect(row.locator('[data-field="added"]')).toHaveText("3,000");
  await expect(row.locator('[data-field="not_sent"]')).toHaveText("1");
  await expect(row.locator('[data-field="failed"]')).toHaveText("0");
  expect(
    await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
  ).toBe(true);
  // The row not sent holds no lead (its number cannot be dialled): nothing to retry.
  await expect(row.getByRole("button", { name: "Retry failed" })).toBeHidden();
  await expect(row.getByRole("button", { name: "Cancel" })).toBeHidden();
});

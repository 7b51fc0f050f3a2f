import { E2E, expect, test } from "./fixtures";

// Import leads: what the dialer would refuse is said before a job is stored; the lists
// offered are the dialer's own; rows are numbered from 1.

test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

async function uploadCsv(page: import("@playwright/test").Page, body: string) {
  await page.goto(`${E2E.bridge}/admin/imports`);
  await page.getByLabel("CSV file").setInputFiles({
    name: "checks.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(body),
  });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByTestId("preview")).toBeVisible();
}

test("the import offers the dialer's lists and refuses what the dialer would refuse, before storing a job", async ({
  page,
}) => {
  await uploadCsv(page, "Name,Phone\nAda,3125550101\nBob,12\n");
  await expect(page.getByTestId("preview").locator("tr").nth(1).locator("td").first()).toHaveText("1");
  await expect(page.getByTestId("bad-rows")).toContainText("2");

  // Elision: the demo's list 1101 is offered, and is the placeholder.
  await page.getByLabel("Dialer").selectOption("elision");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("dialer-lists")).toContainText("1101 (Demo leads)");
  await expect(page.getByLabel("List id")).toHaveAttribute("placeholder", "1101");

  const jobsBefore = await (await page.request.get(`${E2E.bridge}/admin/api/jobs`)).json();
  // A new Elision list needs a 6-30 character name and a campaign.
  await page.getByLabel("List id").fill("2201");
  await page.getByLabel("List name").fill("Nov");
  await page.getByLabel("Campaign").fill("DEMO");
  await page.getByLabel("Create the list first").check();
  await page.getByTestId("start").click();
  await expect(page.getByTestId("problem")).toContainText("list_name must be 6-30 bytes (UTF-8)");
  // A list the dialer does not have.
  await page.getByLabel("Create the list first").uncheck();
  await page.getByLabel("List id").fill("9999");
  await page.getByTestId("start").click();
  await expect(page.getByTestId("problem")).toHaveText(
    "elision has no active list 9999 (its active lists: 1101 (Demo leads))",
  );
  // Euphoria names its lists, in a campaign.
  await page.getByLabel("Dialer").selectOption("euphoria");
  await page.getByLabel("List id").fill("Demo leads");
  await page.getByLabel("Campaign").fill("");
  await page.getByTestId("start").click();
  await expect(page.getByTestId("problem")).toHaveText("euphoria: a campaign name is required");
  const jobsAfter = await (await page.request.get(`${E2E.bridge}/admin/api/jobs`)).json();
  expect(jobsAfter.length).toBe(jobsBefore.length);

  // The demo's list: the job is stored and runs.
  await page.getByLabel("Dialer").selectOption("elision");
  await page.getByLabel("List id").fill("1101");
  await page.getByTestId("start").click();
  await expect(page).toHaveURL(/\/admin\/jobs#job-\d+$/);
  const row = page.locator(`#job-${page.url().split("#job-")[1]}`);
  await expect(row.locator('[data-field="state"]')).toHaveText("done with failures");
  await expect(row.locator('[data-field="added"]')).toHaveText("1");
  await expect(row.locator('[data-field="not_sent"]')).toHaveText("1");
});

import { E2E, expect, test } from "./fixtures";

// The admin pages' shell: pages for people when something goes wrong, the nav, sign-out,
// and one layout that fits a 13" laptop without scrolling sideways.

const PAGES = ["audit", "keys", "events", "jobs", "imports", "integrations", "deliveries",
  "integrations/webhooks/new"];

test.describe("signed in", () => {
  test.use({ httpCredentials: { username: "admin", password: E2E.adminPassword } });

  test("the nav marks the current page and shows the tenant and a sign-out", async ({ page }) => {
    await page.goto(`${E2E.bridge}/admin/jobs`);
    const nav = page.getByRole("navigation", { name: "Admin pages" });
    await expect(nav.locator('[aria-current="page"]')).toHaveText("Jobs");
    await expect(page.getByTestId("shell-tenants")).toHaveText("Tenant: demo");
    await expect(page.getByTestId("sign-out")).toBeVisible();
    await nav.getByRole("link", { name: "Integrations" }).click();
    await expect(nav.locator('[aria-current="page"]')).toHaveText("Integrations");
  });

  test("Back after starting an import is a page that says why, with a way back", async ({ page }) => {
    await page.goto(`${E2E.bridge}/admin/imports`);
    await page.getByLabel("CSV file").setInputFiles({
      name: "shell.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("Phone\n3125550100\n"),
    });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByLabel("List name").fill("e2e shell");
    await page.getByLabel("Create the list first").check();
    await page.getByTestId("start").click();
    await expect(page).toHaveURL(/\/admin\/jobs/);
    await page.goBack();
    await expect(page.getByTestId("error-page")).toContainText("Not found");
    await expect(page.getByTestId("error-message")).toHaveText(
      "No such upload: it was imported or is over a day old.",
    );
    expect(await page.content()).not.toContain("unknown_upload");
    await page.getByTestId("way-back").click();
    await expect(page).toHaveURL(`${E2E.bridge}/admin/imports`);
  });

  test("an unknown admin page is a 404 page in the admin layout", async ({ page }) => {
    const response = await page.goto(`${E2E.bridge}/admin/no-such-page`);
    expect(response?.status()).toBe(404);
    await expect(page.getByTestId("error-page")).toContainText("Not found");
    await expect(page.getByRole("navigation", { name: "Admin pages" })).toBeVisible();
    await expect(page.getByTestId("way-back")).toHaveText("Back to the admin pages");
  });

  test("an object of the JSON API that is gone is a 404 page for a person", async ({ page }) => {
    const response = await page.goto(`${E2E.bridge}/admin/api/webhooks/999999`);
    expect(response?.status()).toBe(404);
    await expect(page.getByTestId("error-message")).toHaveText("No webhook 999999.");
    expect(await page.content()).not.toContain("unknown_webhook");
    await expect(page.getByTestId("way-back")).toHaveText("Back to the admin pages");
  });

  test("sign-out makes the browser forget the password", async ({ page }) => {
    await page.goto(`${E2E.bridge}/admin/keys`);
    await page.getByTestId("sign-out").click();
    await expect(page.getByTestId("signed-out")).toContainText("Signed out");
    await expect(page.getByTestId("sign-out")).toHaveCount(0);
  });

  for (const width of [1280, 1366, 1440]) {
    test(`every admin page fits ${width} px without scrolling sideways`, async ({ page }) => {
      await page.setViewportSize({ width, height: width === 1366 ? 768 : 900 });
      for (const path of PAGES) {
        await page.goto(`${E2E.bridge}/admin/${path}`);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `/admin/${path} is wider than ${width} px`).toBeLessThanOrEqual(0);
      }
    });
  }
});

test.describe("not signed in", () => {
  // A wrong password: Chromium then shows the answer, as a browser does after Cancel.
  test.use({ httpCredentials: { username: "admin", password: "not-the-password" } });

  test("a person sees a sign-in page, the API answers JSON", async ({ page }) => {
    const response = await page.goto(`${E2E.bridge}/admin/jobs`);
    expect(response?.status()).toBe(401);
    await expect(page.getByTestId("error-page")).toContainText("Sign-in required");
    await expect(page.getByTestId("sign-in")).toBeVisible();
    expect(await page.content()).not.toContain("admin_login_required");
    const api = await page.request.get(`${E2E.bridge}/admin/api/jobs`);
    expect(api.status()).toBe(401);
    expect((await api.json()).error.code).toBe("admin_login_required");
  });

  test("a person who opens an address of the JSON API sees a sign-in page too", async ({ page }) => {
    const response = await page.goto(`${E2E.bridge}/admin/api/jobs`);
    expect(response?.status()).toBe(401);
    await expect(page.getByTestId("error-page")).toContainText("Sign-in required");
    expect(await page.content()).not.toContain("admin_login_required");
  });
});

import { defineConfig } from "@playwright/test";
import { E2E, type RuntimeOptions } from "./tests/e2e/fixtures";

// Browser end-to-end tests: Debian's Chromium (no Playwright browser download) drives
// the demo CRM pages against the real bridge server and REST simulator, started below.

// What does not depend on the widget's runtime runs once, with the tenant's default
// (MicroPython): embed.js, the documents' claims, the simulators' test endpoints, the
// admin pages (server-rendered: they never load the widget; the audit test's call goes
// through the default runtime's widget, which the runtime projects cover).
const ANY_RUNTIME =
  /(docs|phone_links|simulators|admin(_(shell|deliveries|confirmations|import_checks|webhook_test|reports|jobs|wallboard))?)\.spec\.ts$/;
export default defineConfig<RuntimeOptions>({
  testDir: "tests/e2e",
  // Generous waits, not timing checks: Pyodide's first start on a busy 2-core machine can
  // take 20 s. How fast things are is measured in bench/, never here.
  timeout: 120_000,
  expect: { timeout: 45_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "micropython", use: { runtime: "micropython" }, testIgnore: ANY_RUNTIME },
    { name: "pyodide", use: { runtime: "pyodide" }, testIgnore: ANY_RUNTIME },
    { name: "any-runtime", testMatch: ANY_RUNTIME },
  ],
  webServer: {
    // Calls answered and ended at once (a watchable demo's last up to 18 s, and one call
    // at a time would refuse the next test's call meanwhile); tests give their own plans.
    command: `.venv/bin/crm-bridge demo --port ${E2E.port} --quick-calls`,
    url: `${E2E.bridge}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      DEMO_REST_API_KEY: E2E.restApiKey,
      DEMO_ADMIN_PASSWORD: E2E.adminPassword,
      CRM_BRIDGE_LOG_LEVEL: "WARNING",
    },
  },
});

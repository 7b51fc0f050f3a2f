import { defineConfig } from "@playwright/test";
import { E2E, type RuntimeOptions } from "./tests/e2e/fixtures";

// Browser end-to-end tests: Debian's Chromium (no Playwright browser download) drives
// the demo CRM pages against the real bridge server and REST simulator, started below.

const WITHOUT_WIDGET = /simulators\.spec\.ts$/;
export default defineConfig<RuntimeOptions>({
  testDir: "tests/e2e",
  timeout: 60_000,
  expect: { timeout: 20_000 },
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
  // One project per widget runtime; the simulators' test endpoints need no widget, and
  // run once (their log and faults are shared, so two runs at once would clear each other's).
  projects: [
    { name: "micropython", use: { runtime: "micropython" }, testIgnore: WITHOUT_WIDGET },
    { name: "pyodide", use: { runtime: "pyodide" }, testIgnore: WITHOUT_WIDGET },
    { name: "simulators", testMatch: WITHOUT_WIDGET },
  ],
  webServer: {
    command: `.venv/bin/crm-bridge demo --port ${E2E.port}`,
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

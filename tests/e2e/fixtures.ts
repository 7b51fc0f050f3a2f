import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 18880);

/** Where the demo started by playwright.config.ts listens (see demo/runner.py). */
export const E2E = {
  port,
  bridge: `http://127.0.0.1:${port}`,
  crm: `http://127.0.0.1:${port + 1}`,
  untrusted: `http://127.0.0.1:${port + 2}`,
  simulator: `http://127.0.0.1:${port + 3}`,
  restApiKey: process.env.DEMO_REST_API_KEY ?? "e2e-rest-key-5f0c2a9d",
  adminPassword: process.env.DEMO_ADMIN_PASSWORD ?? "e2e-admin-pass-1b7d",
  agent: { username: "agent1", password: "Agent1-demo-pass", extension: "1001" },
};

export type RuntimeOptions = { runtime: "micropython" | "pyodide" };

export type CrmEvent = {
  channel: string;
  event: string;
  request_id?: string;
  code?: string;
  message?: string;
  uuid?: string;
  filename?: string;
  bytes?: number;
  destination?: string;
  runtime?: string;
};

export type SimulatorRequest = { path: string; query: Record<string, string> };

export const test = base.extend<RuntimeOptions & { crm: Page }>({
  runtime: ["micropython", { option: true }],
  /** The demo CRM page with the widget iframe, for this project's runtime. */
  crm: async ({ page, runtime }, use) => {
    await page.goto(`${E2E.crm}/?runtime=${runtime}`);
    await use(page);
  },
});
export { expect };

/** A US number no other test uses, so parallel tests never see each other's calls. */
export function uniqueNumber(testIndex: number, runtime: string): string {
  const project = runtime === "pyodide" ? 5 : 1;
  return `20255${project}${String(1000 + testIndex).slice(-4)}`;
}

export async function originatesTo(
  request: APIRequestContext,
  digits: string,
): Promise<SimulatorRequest[]> {
  const response = await request.get(`${E2E.simulator}/_sim/requests?path=/api/cc_agent/originate`);
  const all = (await response.json()) as SimulatorRequest[];
  return all.filter((r) => r.query.destination === digits);
}

export async function injectFault(request: APIRequestContext, fault: object): Promise<void> {
  const response = await request.post(`${E2E.simulator}/_sim/faults`, { data: fault });
  expect(response.status()).toBe(201);
}

export async function crmEvents(page: Page): Promise<CrmEvent[]> {
  return page.evaluate(() => (window as unknown as { crmEvents: CrmEvent[] }).crmEvents);
}

export async function waitForEvent(page: Page, name: string, count = 1): Promise<CrmEvent[]> {
  await expect
    .poll(async () => (await crmEvents(page)).filter((e) => e.event === name).length)
    .toBeGreaterThanOrEqual(count);
  return (await crmEvents(page)).filter((e) => e.event === name);
}

export function widgetFrame(page: Page) {
  return page.frameLocator('[data-testid="crm-bridge-iframe"]');
}

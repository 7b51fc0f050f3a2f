import { test as base, expect, type APIRequestContext, type Frame, type Page } from "@playwright/test";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const port = Number(process.env.E2E_PORT ?? 18880);

/** Where the demo started by playwright.config.ts listens (see demo/runner.py). */
export const E2E = {
  port,
  bridge: `http://127.0.0.1:${port}`,
  crm: `http://127.0.0.1:${port + 1}`,
  /** The same CRM on another site than the bridge: the widget is a third-party frame there. */
  crossSiteCrm: `http://127.0.0.2:${port + 1}`,
  untrusted: `http://127.0.0.1:${port + 2}`,
  simulator: `http://127.0.0.1:${port + 3}`,
  elision: `http://127.0.0.1:${port + 4}`,
  euphoria: `http://127.0.0.1:${port + 5}`,
  restApiKey: process.env.DEMO_REST_API_KEY ?? "e2e-rest-key-5f0c2a9d",
  adminPassword: process.env.DEMO_ADMIN_PASSWORD ?? "e2e-admin-pass-1b7d",
  agent: { username: "agent1", password: "Agent1-demo-pass", extension: "1001" },
  /** The demo's second agent: the live-call tests' own (see `demoAgent`). */
  liveAgent: { username: "agent2", password: "Agent2-demo-pass", extension: "1002" },
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

/** Where the holder of the demo agent (see `demoAgent`) writes its process id. */
const AGENT_LOCK = join(tmpdir(), `crm-bridge-e2e-demo-agent-${port}`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the demo agent's lock: a directory, created by one process at a time. */
async function holdDemoAgent(): Promise<void> {
  for (;;) {
    try {
      await mkdir(AGENT_LOCK);
      await writeFile(join(AGENT_LOCK, "pid"), String(process.pid));
      return;
    } catch (error: any) {
      if (error.code !== "EEXIST") throw error;
    }
    const holder = Number(await readFile(join(AGENT_LOCK, "pid"), "utf8").catch(() => "0"));
    if (holder && !alive(holder)) await rm(AGENT_LOCK, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const test = base.extend<
  RuntimeOptions & { crm: Page; storageBlockedPage: Page; demoAgent: void }
>({
  runtime: ["micropython", { option: true }],
  /**
   * Held by the tests that act as `E2E.liveAgent` (calls and agent state every widget of
   * that agent sees): one such test at a time across workers and runtimes, so one test's
   * call never takes the panel another test is watching. Other tests act as `E2E.agent`.
   */
  demoAgent: async ({}, use) => {
    await holdDemoAgent();
    try {
      await use();
    } finally {
      await rm(AGENT_LOCK, { recursive: true, force: true });
    }
  },
  /** The demo CRM page with the widget iframe, for this project's runtime. */
  crm: async ({ page, runtime }, use) => {
    await page.goto(`${E2E.crm}/?runtime=${runtime}`);
    await use(page);
  },
  /**
   * A page in a browser profile that blocks third-party cookies and site data, as
   * incognito windows, Safari and strict privacy settings do: a frame from another site
   * than the page gets no localStorage, IndexedDB or Cache Storage.
   */
  storageBlockedPage: async ({ playwright, launchOptions }, use) => {
    const profile = await mkdtemp(join(tmpdir(), "crm-bridge-e2e-"));
    await mkdir(join(profile, "Default"));
    const preferences = { profile: { cookie_controls_mode: 1 } }; // "Block third-party cookies"
    await writeFile(join(profile, "Default", "Preferences"), JSON.stringify(preferences));
    const context = await playwright.chromium.launchPersistentContext(profile, launchOptions);
    await use(context.pages()[0] ?? (await context.newPage()));
    await context.close();
    await rm(profile, { recursive: true, force: true });
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

/**
 * Events the widget sends on its own (from the bridge's live stream, its snapshot after
 * each welcome, its content height), not answers to requests.
 */
export const LIVE_EVENTS = [
  "call_ringing",
  "call_answered",
  "call_ended",
  "agent_state",
  "screen_pop",
  "lookup_result",
  "call_state",
  "resize",
];

/** How the panel shows a US number of `uniqueNumber`: "+1 202-551-1001". */
export function displayed(digits: string): string {
  return `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}

/** The events that are not live ones (see LIVE_EVENTS), in order. */
export async function answerEvents(page: Page): Promise<CrmEvent[]> {
  return (await crmEvents(page)).filter((e) => !LIVE_EVENTS.includes(e.event));
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

/** The widget's frame itself, to run script in it. */
export function widgetWindow(page: Page): Frame {
  const frame = page.frames().find((f) => new URL(f.url()).pathname.startsWith("/widget/"));
  if (!frame) throw new Error("the page has no widget frame");
  return frame;
}

/** Mount options a test passes to `mountPanel` (see embed.d.ts's MountOptions). */
export type PanelOptions = {
  width?: string;
  height?: string;
  theme?: string;
  locale?: string;
  autoResize?: boolean;
  debug?: boolean;
};

/**
 * The demo's empty CRM page (light) with the widget mounted by embed.js, ready; the
 * page's `crmWidget` and `crmEvents` as on the demo CRM page.
 */
export async function mountPanel(page: Page, runtime: string, options: PanelOptions = {}) {
  if (!page.url().startsWith(`${E2E.crm}/blank`)) await page.goto(`${E2E.crm}/blank`);
  await page.evaluate(
    ({ server, runtime, options }) => {
      const w = window as any;
      w.crmEvents = [];
      w.crmWidget = w.CrmBridge.mount({
        server,
        tenant: "demo",
        runtime,
        container: document.body,
        readyTimeout: 90000,
        ...options,
      });
      w.crmWidget.on("*", (event: unknown) => w.crmEvents.push(event));
    },
    { server: E2E.bridge, runtime, options },
  );
  await expect(widgetFrame(page).locator("body[data-ready=true]")).toBeAttached({ timeout: 90_000 });
}

/** Logs the mounted widget in as `agent` and waits for the live stream's welcome. */
export async function loginPanel(page: Page, agent = E2E.liveAgent) {
  await page.evaluate(
    (agent) => (window as any).crmWidget.login({ username: agent.username, password: agent.password }),
    agent,
  );
  await expect(widgetFrame(page).getByTestId("live")).toBeVisible();
}

/** The demo live agent's user id on the REST simulator. */
export async function liveAgentUserId(request: APIRequestContext): Promise<number> {
  const state = await (await request.get(`${E2E.simulator}/_sim/state`)).json();
  return state.users.find((user: any) => user.username === E2E.liveAgent.username).id;
}

/** Rings the demo live agent with a call from `caller`; the dialer's call id. */
export async function ringLiveAgent(
  request: APIRequestContext,
  caller: string,
  plan: object,
): Promise<string> {
  const response = await request.post(`${E2E.simulator}/_sim/inbound`, {
    data: { user_id: await liveAgentUserId(request), caller, caller_name: "Jane Roe", ...plan },
  });
  expect(response.status()).toBe(202);
  return (await response.json()).call_id;
}

/**
 * The live agent checked in with no wrap-up left by an earlier test (skipped), so each
 * test starts from "available".
 */
export async function availableLiveAgent(page: Page) {
  let state = await page.evaluate(() => (window as any).crmWidget.checkIn());
  if (state.wrapup) {
    await page.evaluate((id) => (window as any).crmWidget.skipWrapup(id), state.wrapup.call_id);
    state = await page.evaluate(() => (window as any).crmWidget.checkIn());
  }
  return state;
}

// What docs/simulators.md tells an integrator, checked against the demo's simulators.
// Serial: the request log and the faults are the simulator's, shared by every test.
import type { APIRequestContext } from "@playwright/test";
import { E2E, expect, test } from "./fixtures";

test.describe.configure({ mode: "serial" });

const ELISION_API = `${E2E.elision}/dialer/elision_api.php`;

function elision(request: APIRequestContext, fields: Record<string, string>, timeout?: number) {
  return request.get(ELISION_API, {
    params: { source: "e2e", user: "api", pass: "not-the-password", ...fields },
    timeout,
  });
}

async function addFault(request: APIRequestContext, simulator: string, fault: object) {
  const response = await request.post(`${simulator}/_sim/faults`, { data: fault });
  expect(response.status()).toBe(201);
  return response.json();
}

test("the request log lists what arrived, newest last, by path, and can be cleared", async ({ request }) => {
  expect(await (await request.delete(`${E2E.elision}/_sim/requests`)).json()).toEqual({ cleared: true });
  await elision(request, { function: "add_user", agent_user: "log-1" });
  await request.get(`${E2E.elision}/elsewhere?x=1`);
  const all = await (await request.get(`${E2E.elision}/_sim/requests`)).json();
  expect(all).toEqual([
    {
      at: expect.any(Number),
      method: "GET",
      path: "/dialer/elision_api.php",
      query: { source: "e2e", user: "api", pass: "not-the-password", function: "add_user", agent_user: "log-1" },
      body: "",
    },
    { at: expect.any(Number), method: "GET", path: "/elsewhere", query: { x: "1" }, body: "" },
  ]);
  expect(all[0].at).toBeLessThanOrEqual(all[1].at);
  const filtered = await (await request.get(`${E2E.elision}/_sim/requests?path=/dialer/`)).json();
  expect(filtered).toEqual([all[0]]);
  await request.delete(`${E2E.elision}/_sim/requests`);
  expect(await (await request.get(`${E2E.elision}/_sim/requests`)).json()).toEqual([]);
});

test("faults: status, body, latency, drop and timeout, narrowed by match, path and times", async ({ request }) => {
  const normal = await (await elision(request, { function: "add_user" })).text();
  expect(normal).toMatch(/^ERROR: /);

  const stored = await addFault(request, E2E.elision, {
    kind: "status", status: 503, body: "down for maintenance", match: { function: "add_user" }, times: 1,
  });
  expect(stored).toEqual({
    kind: "status", path: "", match: { function: "add_user" }, body_contains: "", query_contains: "",
    times: 1, ms: 0,
    status: 503, body: "down for maintenance", content_type: "text/plain",
  });
  const other = await elision(request, { function: "update_user" }); // not matched
  expect(other.status()).toBe(200);
  const faulted = await elision(request, { function: "add_user" });
  expect([faulted.status(), await faulted.text()]).toEqual([503, "down for maintenance"]);
  expect(await (await elision(request, { function: "add_user" })).text()).toBe(normal); // times: 1 used up

  await addFault(request, E2E.elision, {
    kind: "body", body: '{"made": "up"}', content_type: "application/json", match: { function: "body-fault" },
  });
  const body = await elision(request, { function: "body-fault" });
  expect([body.status(), body.headers()["content-type"], await body.text()]).toEqual([
    200, "application/json; charset=utf-8", '{"made": "up"}',
  ]);

  await addFault(request, E2E.elision, { kind: "latency", ms: 300, match: { function: "late" } });
  const late = await elision(request, { function: "late" });
  expect(await late.text()).toMatch(/^ERROR: /); // the normal answer, carried out

  await addFault(request, E2E.elision, { kind: "drop", path: "/dialer/", match: { function: "dropped" } });
  await expect(elision(request, { function: "dropped" })).rejects.toThrow(/socket hang up|ECONNRESET/);

  await addFault(request, E2E.elision, { kind: "timeout", match: { function: "silent" } });
  await expect(elision(request, { function: "silent" }, 1000)).rejects.toThrow(/Timeout 1000ms exceeded/);

  // body_contains: for the XML and JSON bodies, here Euphoria's.
  await addFault(request, E2E.euphoria, {
    kind: "body", body_contains: "<Name>e2e-marker</Name>", times: 1, content_type: "text/xml",
    body: "<XML><Error>Concurrent API Calls Exceeded</Error></XML>",
  });
  const xml = "<XML><Tenant><Name>e2e-marker</Name><Auth>x</Auth></Tenant><ActionName>DialerTrickleFeed</ActionName></XML>";
  const euphoria = await request.post(`${E2E.euphoria}/api/`, { data: xml, headers: { "Content-Type": "text/xml" } });
  expect(await euphoria.text()).toBe("<XML><Error>Concurrent API Calls Exceeded</Error></XML>");

  expect(await (await request.delete(`${E2E.elision}/_sim/faults`)).json()).toEqual({ cleared: true });
  expect((await elision(request, { function: "dropped" })).status()).toBe(200);
  const wrong = await request.post(`${E2E.elision}/_sim/faults`, { data: { kind: "explode" } });
  expect([wrong.status(), await wrong.json()]).toEqual([
    400, { error: "fault kind must be one of latency, status, body, drop, timeout" },
  ]);
});

test("each simulator shows its state, the REST one its events", async ({ request }) => {
  const rest = await (await request.get(`${E2E.simulator}/_sim/state`)).json();
  expect(Object.keys(rest).sort()).toEqual(
    ["account_id", "agents", "calls", "extensions", "phone_lists", "queues", "session_user_id", "users"],
  );
  expect(rest.extensions).toHaveProperty("1001");
  const elisionState = await (await request.get(`${E2E.elision}/_sim/state`)).json();
  expect(Object.keys(elisionState).sort()).toEqual(["leads", "lists", "users"]);
  expect(JSON.stringify(elisionState)).not.toMatch(/"pass(word)?"/);
  const euphoria = await (await request.get(`${E2E.euphoria}/_sim/state`)).json();
  expect(Object.keys(euphoria).sort()).toEqual(["contacts", "peak_concurrency", "recordings"]);
  expect(euphoria.recordings["pbx4-1603469421.1196632-demo.WAV"]).toBeGreaterThan(0);

  // The demo points the REST simulator's Event Push at the bridge: what it sent is listed.
  const events = await (await request.get(`${E2E.simulator}/_sim/events`)).json();
  expect(Object.keys(events).sort()).toEqual(["given_up", "sent"]);
  expect(Array.isArray(events.sent) && Array.isArray(events.given_up)).toBe(true);
  const push = await request.post(`${E2E.simulator}/_sim/events`, {
    data: { event: "agent:status", data: { user_id: 999, activity_id: 1, pause_id: 0, in_calls: 0 } },
  });
  expect([push.status(), await push.json()]).toEqual([202, { queued: true }]);
});

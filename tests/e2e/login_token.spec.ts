import { E2E, expect, test, waitForEvent, widgetFrame } from "./fixtures";

// The recommended login: the CRM's back end gets a single-use token for the agent (API
// key), the page hands it to the widget; no password passes through the page.
test("a login token from the CRM back end logs the agent in, once", async ({ crm, request }) => {
  const admin = { Authorization: `Basic ${btoa(`admin:${E2E.adminPassword}`)}` };
  const key = await request.post(`${E2E.bridge}/admin/api/keys`, {
    headers: admin,
    data: { tenant: "demo", name: "e2e login tokens" },
  });
  expect(key.status()).toBe(201);
  const apiKey = (await key.json()).key;
  const issued = await request.post(`${E2E.bridge}/api/v1/crm/login-tokens`, {
    headers: { "X-Api-Key": apiKey },
    data: { username: E2E.agent.username },
  });
  expect(issued.status()).toBe(201);
  const { token } = await issued.json();

  await waitForEvent(crm, "ready");
  const first = await crm.evaluate((token) => (window as any).crmWidget.login({ token }), token);
  expect(first).toMatchObject({ event: "logged_in", username: E2E.agent.username });
  await expect(widgetFrame(crm).getByTestId("session-status")).toHaveText(
    `${E2E.agent.username} · ext. ${E2E.agent.extension}`,
  );
  const again = await crm.evaluate(
    (token) => (window as any).crmWidget.login({ token }).catch((error: any) => error.code),
    token,
  );
  expect(again).toBe("invalid_login_token");
});

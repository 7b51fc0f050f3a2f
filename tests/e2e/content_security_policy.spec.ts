import { expect, test, waitForEvent, widgetFrame } from "./fixtures";

// The widget runs under its strict Content-Security-Policy (docs/protocol.md) on both
// runtimes: logging in, dialling and playing a recording trigger no policy violation.
test("the widget works under its Content-Security-Policy without a single violation", async ({
  page,
  crm,
}) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  await crm.reload();
  await waitForEvent(crm, "ready");
  await crm.getByTestId("crm-login").click();
  await waitForEvent(crm, "logged_in");
  await crm.getByTestId("play-recording").click();
  await waitForEvent(crm, "recording_ready");
  await expect(widgetFrame(crm).getByTestId("recording")).toBeVisible();
  const widget = crm.frames().find((frame) => frame.url().includes("/widget/"))!;
  const policy = await widget.evaluate(async () => {
    const response = await fetch(location.href);
    return response.headers.get("content-security-policy");
  });
  expect(policy).toContain("script-src 'self' 'nonce-");
  expect(violations).toEqual([]);
});

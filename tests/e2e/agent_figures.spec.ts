import { availableLiveAgent, expect, loginPanel, mountPanel, ringLiveAgent, test, uniqueNumber, widgetFrame } from "./fixtures";

// The agent's own figures of the day in the panel (above the recent calls): a call
// answered and ended counts one more, with its talk time.

test("the panel counts the agent's answered call in today's figures", async ({ demoAgent, page, request, runtime }) => {
  await mountPanel(page, runtime);
  await loginPanel(page);
  await availableLiveAgent(page);
  const frame = widgetFrame(page);
  const figures = frame.getByTestId("today-figures");
  await expect(figures).toHaveText(/^Today: \d+ calls · talk \d+:\d\d(:\d\d)? · average (–|\d+:\d\d(:\d\d)?)$/);
  const before = Number((await figures.textContent())!.match(/^Today: (\d+)/)![1]);

  await ringLiveAgent(request, `+1${uniqueNumber(71, runtime)}`, { ring_seconds: 0.2, talk_seconds: 1 });
  await expect(figures).toHaveText(new RegExp(`^Today: ${before + 1} calls · `));
  const skip = frame.getByTestId("wrapup-skip");
  if (await skip.isVisible()) await skip.click();
  await page.evaluate(() => (window as any).crmWidget.checkOut());
});

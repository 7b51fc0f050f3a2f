import { E2E, expect, originatesTo, test, uniqueNumber, waitForEvent, widgetFrame, widgetWindow } from "./fixtures";

test("with third-party storage blocked, the widget starts and dials from a CRM on another site", async ({
  storageBlockedPage: page,
  request,
  runtime,
}) => {
  await page.goto(`${E2E.crossSiteCrm}/?runtime=${runtime}`);
  const [ready] = await waitForEvent(page, "ready");
  expect(ready.runtime).toBe(runtime);
  // The premise: the browser really denies storage to the widget's frame.
  const storage = await widgetWindow(page).evaluate(() => {
    try {
      return window.localStorage ? "localStorage allowed" : "no localStorage";
    } catch (error) {
      return (error as Error).name;
    }
  });
  expect(storage).toBe("SecurityError");
  // ... and the widget page gave PyScript an IndexedDB in memory.
  const inMemory = await widgetWindow(page).evaluate(() =>
    performance.getEntriesByType("resource").some((entry) => entry.name.includes("/runtime/fake-indexeddb@")),
  );
  expect(inMemory).toBe(true);

  const number = uniqueNumber(30, runtime);
  await page.getByTestId("crm-login").click();
  await waitForEvent(page, "logged_in");
  await page.getByTestId("dial-number").fill(number);
  await page.getByTestId("crm-dial").click();
  const [originated] = await waitForEvent(page, "call_originated");
  expect(originated.destination).toBe(`+1${number}`);
  await expect(widgetFrame(page).getByTestId("call-number")).toHaveText(/^\+1 \d{3}-\d{3}-\d{4}$/);
  expect(await originatesTo(request, `1${number}`)).toHaveLength(1);
});

import { E2E, expect, originatesTo, test, uniqueNumber, waitForEvent, widgetFrame } from "./fixtures";

test("phone numbers in the CRM page become click-to-call links, but not in fields or ignored parts", async ({
  crm,
  request,
  runtime,
}) => {
  await crm.evaluate(() => (window as any).crmPhoneLinks);
  const notes = crm.getByTestId("notes");
  // Numbers in text are links to their E.164 number; so is the page's own tel: link.
  await expect(notes.locator("a[data-crm-bridge-phone]")).toHaveText(["+1 202-555-0143", "(312) 555-0178", "London"]);
  expect(
    await notes.locator("a[data-crm-bridge-phone]").evaluateAll((links) => links.map((a) => a.dataset.crmBridgePhone)),
  ).toEqual(["+12025550143", "+13125550178", "+442079460018"]);
  // Untouched: the ignored note, the input, the editable text, the event list.
  await expect(crm.getByTestId("ignored-note")).toHaveText("Order 202 555 0199 (not a phone number).");
  await expect(crm.getByTestId("ignored-note").locator("a")).toHaveCount(0);
  await expect(crm.getByTestId("note-input")).toHaveValue("+1 202 555 0111");
  await expect(crm.getByTestId("editable-note").locator("a")).toHaveCount(0);

  await crm.getByTestId("crm-login").click();
  await waitForEvent(crm, "logged_in");
  // A clicked number is dialled through the widget: here the page's tel: link.
  // London is busy: the call ends at once, so the next may follow (one call at a time).
  const plan = { number: "442079460018", outcome: "busy", ring_seconds: 0.2 };
  expect((await request.put(`${E2E.simulator}/_sim/call_plan`, { data: plan })).ok()).toBe(true);
  await notes.getByText("London").click();
  const [originated] = await waitForEvent(crm, "call_originated");
  expect(originated.destination).toBe("+442079460018");
  await expect(widgetFrame(crm).getByTestId("call-number")).toHaveText("+44 20 7946 0018");
  await expect(widgetFrame(crm).getByTestId("call-card")).toHaveAttribute("data-state", "ended");

  // Content added later is linked too, and a click on it dials that number once.
  const number = uniqueNumber(42, runtime);
  await crm.evaluate((digits) => {
    const note = document.createElement("p");
    note.dataset.testid = "late-note";
    note.textContent = `New lead, call ${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6)} today`;
    document.querySelector('[data-testid="notes"]')!.append(note);
  }, number);
  const late = crm.getByTestId("late-note").locator("a[data-crm-bridge-phone]");
  await expect(late).toHaveAttribute("data-crm-bridge-phone", `+1${number}`);
  await late.click();
  await waitForEvent(crm, "call_originated", 2);
  expect(await originatesTo(request, `1${number}`)).toHaveLength(1);
});

test("linking can be switched off per element and stopped", async ({ crm }) => {
  const ignored = await crm.evaluate(async () => {
    const links = await (window as any).crmPhoneLinks;
    const note = document.createElement("p");
    note.dataset.crmBridgeIgnore = "";
    note.innerHTML = "Fax <span>+1 202 555 0188</span>, or <a href='tel:+12025550189'>this one</a>";
    document.querySelector("main")!.append(note);
    await new Promise((resolve) => setTimeout(resolve, 0)); // mutation observers have run
    const marked = note.querySelectorAll("[data-crm-bridge-phone]").length;
    links.stop();
    return { marked, left: document.querySelectorAll("[data-crm-bridge-phone]").length };
  });
  expect(ignored).toEqual({ marked: 0, left: 0 });
  // Stopping gives the page its text back.
  await expect(crm.getByTestId("notes").locator("a.crm-bridge-phone")).toHaveCount(0);
  await expect(crm.getByTestId("notes").locator("p").first()).toContainText("back on +1 202-555-0143 after 3 pm");
  await expect(crm.getByTestId("tel-link")).toHaveAttribute("href", "tel:+44-20-7946-0018");
});

test("linkPhoneNumbers says what is wrong with its options", async ({ page }) => {
  await page.goto(`${E2E.crm}/blank`);
  const errors = await page.evaluate(async (bridge) => {
    const CrmBridge = (window as any).CrmBridge;
    const noWidget = await CrmBridge.linkPhoneNumbers({}).catch((error: Error) => error.message);
    CrmBridge.mount({ server: bridge, tenant: "demo", container: document.body });
    const badCountry = await CrmBridge.linkPhoneNumbers({ defaultCountry: "USA" }).catch((e: Error) => e.message);
    return [noWidget, badCountry];
  }, E2E.bridge);
  expect(errors[0]).toContain("mount a widget first");
  expect(errors[1]).toContain('defaultCountry "USA" is not a two-letter country code');
});

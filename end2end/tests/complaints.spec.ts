// A demo patient asks about an unusual access in her log and turns the question into a
// complaint (Chinese, 360 px; with JavaScript on and off); a privacy officer, an
// investigator and an approver (English) work it through verification, investigation,
// plan, approval and measures; the patient says she is satisfied; the privacy officer
// closes it; the patient reads the outcome and the insights count the closed case.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { enrolledPage, fitsTheScreen, mainPortal, portalCli } from "./portal";

/** The patient's phone: with JavaScript, or without (the session moved over from the
 * passkey ceremony, which needs it). */
async function patientPhone(browser: Browser, link: string, javaScript: boolean): Promise<Page> {
  const page = await enrolledPage(browser, link);
  if (javaScript) {
    return page;
  }
  const state = await page.context().storageState();
  await page.context().close();
  const context = await browser.newContext({
    javaScriptEnabled: false,
    locale: "zh-CN",
    viewport: { width: 360, height: 740 },
    storageState: state,
  });
  return context.newPage();
}

/** A member of staff, in English, on a phone-sized screen. */
async function staffPage(browser: Browser, name: string, role: string): Promise<Page> {
  const link = portalCli(mainPortal(), [
    "invite-staff", "--name", name, "--email", `${role}-${Date.now()}@example.org`,
    "--role", role, "--locale", "en",
  ]);
  return enrolledPage(browser, link, "en-GB");
}

/** The hospital's month now, as the portal counts it. */
function thisMonth(): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" })
    .formatToParts(new Date());
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}`;
}

/** Closed this month, as the insights table says. */
async function closedThisMonth(page: Page): Promise<number> {
  await page.goto("/staff/complaints/insights");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("What complaints teach: lessons and figures");
  const overview = page.locator("section[aria-labelledby='overview-heading']");
  await expect(overview.locator("svg rect").first()).toBeAttached();
  const row = overview.locator("tbody tr", { has: page.locator(`th:text-is("${thisMonth()}")`) });
  return Number(await row.locator("td").nth(1).innerText());
}

/** The patient asks about the access by `staff`, then makes it a complaint; returns its
 * reference. */
async function patientComplains(page: Page, staff: string, question: string): Promise<string> {
  await page.goto("/access-log?unusual=1");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("谁看了我的病历");
  const entry = page.locator("li.access-entry", { hasText: staff }).first();
  await entry.locator("summary").first().click();
  await entry.locator("summary", { hasText: "我不认识这次访问" }).click();
  await entry.getByLabel("您希望隐私保护专员核实什么？").fill(question);
  await entry.getByRole("button", { name: "发送给隐私保护专员" }).click();
  const asked = page.locator("li.access-entry", { hasText: question });
  await expect(asked.getByText(question)).toBeVisible();
  await asked.getByRole("link", { name: "把它变成投诉" }).click();

  await expect(page).toHaveURL(/\/complaints\/new\?entry=\d+/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("提交隐私投诉");
  await expect(page.locator("#account")).toHaveValue(question);
  await expect(page.locator("input[type=checkbox][name^='complaint[entries]']:checked")).toHaveCount(1);
  await fitsTheScreen(page);
  await page.getByLabel("有人查看了我的病历").check();
  await page.getByRole("button", { name: "提交投诉" }).click();
  await expect(page).toHaveURL(/\/complaints\/CP-\d{4}-\d+\?filed=1/);
  await expect(page.getByRole("status")).toContainText("您的投诉已收到");
  await expect(page.getByText("已受理，等待初步核实").first()).toBeVisible();
  await expect(page.locator(".access-entries li.access-entry")).toHaveCount(1);
  await fitsTheScreen(page);
  return new URL(page.url()).pathname.split("/").pop() ?? "";
}

/** Verification, investigation, plan, approval and measures, each by its own person. */
async function staffWorkIt(officer: Page, investigator: Page, investigatorName: string, approver: Page, reference: string) {
  await officer.goto("/staff/complaints");
  await officer.getByRole("link", { name: reference }).click();
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText(`Complaint ${reference}`);
  await officer.getByRole("button", { name: "Take it and start verifying" }).click();
  await expect(officer.getByRole("status")).toContainText("preliminary verification has started");
  await officer.locator("#verify-scope").fill("Imaging results, one access");
  await officer.locator("#verify-spread").fill("Inside the hospital only");
  await officer.getByLabel("Open an investigation").check();
  await officer.locator("#verify-lead").selectOption({ label: investigatorName });
  await officer.getByLabel("Radiology").check();
  await officer.getByRole("button", { name: "Record the verification" }).click();
  await expect(officer.getByRole("status")).toContainText("The verification was recorded");
  // Under investigation the officer may name another lead; axe finds nothing on the page
  // with every folded form open.
  await officer.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  await expect(officer.locator("#change-lead")).toBeVisible();
  const axe = await new AxeBuilder({ page: officer })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"])
    .analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);

  const page = `/staff/complaints/${reference}`;
  await investigator.goto(page);
  await investigator.locator("summary", { hasText: "Record evidence" }).click();
  await investigator.locator("#evidence-kind").selectOption("log_extract");
  await investigator.locator("#evidence-title").fill("The patient's log, last year");
  const today = new Date().toISOString().slice(0, 10);
  await investigator.locator("#evidence-from").fill(`${Number(today.slice(0, 4)) - 1}${today.slice(4)}`);
  await investigator.locator("#evidence-to").fill(today);
  await investigator.getByRole("button", { name: "Record it" }).click();
  await expect(investigator.getByRole("status")).toContainText("The evidence was recorded");
  await expect(investigator.locator("pre.evidence__body")).toContainText("#");
  await investigator.locator("#findings").fill("The account was used after its owner left.");
  await investigator.getByRole("button", { name: "Record the findings" }).click();
  await expect(investigator.getByRole("status")).toContainText("The findings were recorded");
  await investigator.locator("#plan-patient").fill("A written apology and the result of the check.");
  await investigator.locator("#plan-accountability").fill("Accounts closed on the day staff leave.");
  await investigator.locator("#plan-improvement").fill("A weekly check of accounts against the directory.");
  await investigator.getByRole("button", { name: "Send the plan for approval" }).click();
  await expect(investigator.getByRole("status")).toContainText("The plan was sent for approval");

  await approver.goto(page);
  await approver.getByRole("button", { name: "Approve the plan" }).click();
  await expect(approver.getByRole("status")).toContainText("The decision was recorded");

  await investigator.goto(page);
  await investigator.locator("#measures").fill("The apology was sent; the account is closed.");
  await investigator.getByRole("button", { name: "Record the measures" }).click();
  await expect(investigator.getByRole("status")).toContainText("the patient was asked for feedback");
}

async function journey(browser: Browser, staff: string, question: string, javaScript: boolean) {
  const portal = mainPortal();
  const link = portalCli(portal, ["invite-patient", "--mrn", "P000002", "--name", "王秀英", "--locale", "zh-Hans"]);
  const patient = await patientPhone(browser, link, javaScript);
  const officer = await staffPage(browser, "Olivia Privacy", "privacy_officer");
  const before = await closedThisMonth(officer);
  const reference = await patientComplains(patient, staff, question);

  const investigatorName = `Ian Investigator ${Date.now()}`;
  const investigator = await staffPage(browser, investigatorName, "investigator");
  const approver = await staffPage(browser, "Amy Approver", "approver");
  await staffWorkIt(officer, investigator, investigatorName, approver, reference);

  // Follow-up: the patient says she is satisfied.
  await patient.goto(`/complaints/${reference}`);
  await expect(patient.getByText("回访：请告诉我们您是否满意").first()).toBeVisible();
  await expect(patient.getByText("A written apology and the result of the check.")).toBeVisible();
  await patient.getByLabel("满意", { exact: true }).check();
  await patient.getByRole("button", { name: "提交我的回答" }).click();
  await expect(patient.getByRole("status")).toContainText("您的回答已记录");
  await fitsTheScreen(patient);

  await officer.goto(`/staff/complaints/${reference}`);
  await officer.locator("#close-outcome").fill("Upheld: the account is closed and the patient was told.");
  await officer.locator("#close-cause").selectOption("process_gap");
  await officer.locator("#close-link").selectOption("use");
  await officer.getByRole("button", { name: "Close the case" }).click();
  await expect(officer.getByRole("status")).toContainText("The case was closed");
  expect(await closedThisMonth(officer)).toBe(before + 1);

  await patient.goto(`/complaints/${reference}`);
  await expect(patient.getByText("已结案").first()).toBeVisible();
  await expect(patient.getByText("Upheld: the account is closed and the patient was told.").first()).toBeVisible();
  await fitsTheScreen(patient);
  for (const page of [patient, officer, investigator, approver]) {
    await page.context().close();
  }
}

test.use({ locale: "zh-CN" });

test("a patient's question becomes a complaint; staff work it to closure; the insights count it", async ({ browser }) => {
  test.setTimeout(180_000);
  // The account of a radiographer who had left, used on her imaging.
  await journey(browser, "钱涛", "钱涛已经离职了，为什么还能看我的影像？", true);
});

test("the same, with JavaScript off on the patient's phone", async ({ browser }) => {
  test.setTimeout(180_000);
  // A radiographer registered at her address.
  await journey(browser, "陈伟", "这位放射技师和我住在同一个地址，我不认识他。", false);
});

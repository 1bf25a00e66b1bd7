import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { enrolledPage, fitsTheScreen, hydrated, mainPortal, portalCli } from "./portal";

test.use({ locale: "zh-CN" });

test("a patient grants research consent without genetic data, keeps the receipt, and withdraws", async ({ browser }) => {
  const portal = mainPortal();
  const link = portalCli(portal, [
    "invite-patient", "--mrn", "P000002", "--name", "王秀英", "--locale", "zh-Hans",
  ]);
  const page = await enrolledPage(browser, link);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));

  await page.getByRole("link", { name: "研究与教学同意" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("研究与教学同意");
  await hydrated(page);
  const research = page.getByRole("article", { name: "医学研究" });
  const teaching = page.getByRole("article", { name: "医学教学" });
  await expect(research.getByText("未同意", { exact: true })).toBeVisible();
  await expect(teaching.getByText("未同意", { exact: true })).toBeVisible();

  // The explanation, written for the patient.
  await research.getByText("阅读说明").click();
  await expect(research.getByText(/医学伦理委员会批准/).first()).toBeVisible();
  await fitsTheScreen(page);

  // A date that does not exist is refused in words, and what was typed stays.
  await research.getByLabel("基因信息").check();
  const lastDay = research.getByLabel("截止日期（可选）");
  await lastDay.fill("2027-02-30");
  await research.getByRole("button", { name: "我同意" }).click();
  await expect(research.getByRole("alert")).toContainText("请按 年-月-日 填写今天或以后的日期");
  await expect(lastDay).toHaveValue("2027-02-30");
  await expect(research.getByLabel("基因信息")).toBeChecked();

  // Grant until withdrawn, leaving genetic information out.
  await lastDay.fill("");
  await research.getByRole("button", { name: "我同意" }).click();
  await expect(research.getByRole("status")).toContainText("已记录。");
  await expect(research.getByText("已同意", { exact: true })).toBeVisible();
  await expect(research.locator("dl.facts")).toContainText("基因信息");
  await expect(teaching.getByText("未同意", { exact: true })).toBeVisible();

  // The receipt: a page to print, and the signed JSON to keep.
  await research.getByRole("link", { name: "查看回执" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("同意回执");
  await hydrated(page);
  await expect(page.locator("dl.receipt__facts")).toContainText("基因信息");
  await expect(page.getByRole("button", { name: "打印" })).toBeVisible();
  await fitsTheScreen(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "下载带签名的回执（JSON）" }).click(),
  ]);
  const file = JSON.parse(readFileSync((await download.path()) as string, "utf8"));
  expect(file.receipt.consentState).toBe("given");
  expect(file.receipt.excludedCategories).toEqual(["genetic"]);
  expect(file.receipt.services[0].purposes[0].purposeCategory).toEqual(["research"]);
  expect(file.receipt.piiPrincipalId).toBe("P000002");
  expect(file.signature.algorithm).toBe("Ed25519");
  expect(file.signature.value.length).toBeGreaterThan(40);
  await expect(page.locator(".receipt__id")).toHaveText(file.receipt.consentReceiptID);

  // Withdraw: at once, and the history shows both changes, newest first.
  await page.getByRole("link", { name: "返回研究与教学同意" }).click();
  await hydrated(page);
  await research.getByRole("button", { name: "撤回同意" }).click();
  await expect(research.getByText("已撤回", { exact: true })).toBeVisible();
  const history = page.locator("ol.consent-history > li");
  await expect(history).toHaveCount(2);
  await expect(history.nth(0)).toContainText("医学研究 · 撤回 · 第 1 版");
  await expect(history.nth(1)).toContainText("医学研究 · 同意 · 第 1 版 · 已排除: 基因信息");
  await fitsTheScreen(page);

  // A hospital system asking now is told no (and the check is in the patient's log).
  const token = portalCli(portal, ["add-source", "--name", `e2e-research-${Date.now()}`, "--scope", "consent-read"]);
  const answer = await page.request.get(
    `/fhir/r4/Consent/$decide?patient=P000002&purpose=HRESCH&category=lab`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  expect(answer.status()).toBe(200);
  const decision = (await answer.json()).parameter.find((p: { name: string }) => p.name === "decision");
  expect(decision.valueCode).toBe("deny");
  await page.goto("/access-log?category=consent");
  await hydrated(page);
  const check = page.locator("li.access-entry").first();
  await expect(check).toContainText("您的研究与教学同意");
  await check.locator("summary").first().click();
  await expect(check.getByText("答复：不允许（您已撤回同意）")).toBeVisible();
  expect(errors).toEqual([]);

  // The privacy officer, in English on a phone, sees counts only: this month, one patient
  // who withdrew research consent, and one grant and one withdrawal in the last 30 days.
  const officerLink = portalCli(portal, [
    "invite-staff", "--name", "Zhou Min", "--email", "s8101@example.org",
    "--role", "privacy_officer", "--staff-number", "S8101", "--locale", "en",
  ]);
  const officer = await enrolledPage(browser, officerLink, "en-GB");
  await officer.getByRole("link", { name: "Research and teaching consent: counts" }).click();
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText("Research and teaching consent: counts");
  const stats = officer.getByRole("region", { name: "Medical research" });
  await expect(stats.getByText("Last 30 days: 1 given, 1 withdrawn")).toBeVisible();
  const table = stats.getByRole("table");
  const withdrawnColumn = await table.locator("thead th").evaluateAll(
    (cells) => cells.findIndex((cell) => cell.textContent?.trim() === "Withdrawn"),
  );
  expect(withdrawnColumn).toBeGreaterThan(0);
  await expect(table.locator("tbody tr").last().locator("td, th").nth(withdrawnColumn)).toHaveText("1");
  await expect(officer.getByText("王秀英")).toHaveCount(0);
  await fitsTheScreen(officer);
});

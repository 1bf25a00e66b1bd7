// The patient's main paths with JavaScript turned off: every page is a plain page and
// every change a plain form. Only the passkey ceremonies need JavaScript, and say so.
import { readFileSync } from "node:fs";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { enrolledPage, fitsTheScreen, invitePatient, mainPortal, portalCli } from "./portal";

/** A 360 px phone with JavaScript off, signed in as the person `link` enrolls (the passkey
 * ceremony itself runs in a browser with JavaScript, then the session moves over). */
async function signedInWithoutJs(browser: Browser, link: string): Promise<Page> {
  const withJs = await enrolledPage(browser, link);
  const state = await withJs.context().storageState();
  await withJs.context().close();
  const context = await browser.newContext({
    javaScriptEnabled: false,
    locale: "zh-CN",
    viewport: { width: 360, height: 740 },
    acceptDownloads: true,
    storageState: state,
  });
  return context.newPage();
}

test.describe("without JavaScript", () => {
  test("the passkey pages say plainly that they need JavaScript, in both languages", async ({ browser }) => {
    for (const [locale, words] of [
      ["zh-CN", "通行密钥需要 JavaScript"],
      ["en-GB", "Passkeys need JavaScript"],
    ]) {
      const context = await browser.newContext({ javaScriptEnabled: false, locale });
      const page = await context.newPage();
      // In a <noscript>, which a browser with scripts turned off shows. (A browser driven
      // by DevTools with scripts off still parses it as if they ran, so read its text.)
      await page.goto("/sign-in");
      expect(await page.locator("noscript").textContent()).toContain(words);
      await page.goto(invitePatient(mainPortal(), "无脚本患者", {}, locale === "en-GB" ? "en" : "zh-Hans"));
      expect(await page.locator("noscript").textContent()).toContain(words);
      await context.close();
    }
  });

  test("a patient reads, filters, pages and questions the log, and changes alerts", async ({ browser }) => {
    const portal = mainPortal();
    // 李娜 (P000004) has a seeded history of more than one page.
    const link = portalCli(portal, ["invite-patient", "--mrn", "P000004", "--name", "李娜", "--locale", "zh-Hans"]);
    const page = await signedInWithoutJs(browser, link);

    await page.goto("/access-log");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("谁看了我的病历");
    const entries = page.locator("li.access-entry");
    await expect(entries).toHaveCount(20);
    await fitsTheScreen(page);

    // Paging: the next page, then back to the newest.
    await page.getByRole("link", { name: "更早的访问" }).click();
    await expect(page).toHaveURL(/after=/);
    expect(await entries.count()).toBeGreaterThan(0);
    await page.getByRole("link", { name: "回到最新" }).click();
    await expect(entries).toHaveCount(20);

    // Filter: only unusual accesses.
    await page.getByLabel("只看异常访问").check();
    await page.getByRole("button", { name: "显示", exact: true }).click();
    await expect(page).toHaveURL(/unusual=1/);
    await expect(page.getByLabel("只看异常访问")).toBeChecked();
    const unusual = await entries.count();
    expect(unusual).toBeGreaterThan(0);
    await expect(page.locator("li.access-entry--unusual")).toHaveCount(unusual);

    // "I don't recognise this": the question is sent and shows on its entry.
    const entry = entries.first();
    await entry.locator("summary").first().click();
    await entry.getByText("我不认识这次访问").click();
    await entry.getByLabel("您希望隐私保护专员核实什么？").fill("无脚本：这次访问我不认识。");
    await entry.getByRole("button", { name: "发送给隐私保护专员" }).click();
    await expect(page).toHaveURL(/unusual=1.*open=\d+/);
    const asked = page.locator("li.access-entry", { hasText: "无脚本：这次访问我不认识。" });
    await expect(asked.getByRole("status")).toContainText("您的问题已发送");
    await expect(asked.getByText("待隐私保护专员处理")).toBeVisible();

    // Alerts: weekly instead of at once; the choice is kept.
    await page.getByRole("link", { name: "提醒与关注名单" }).click();
    await page.getByLabel("每周发一封汇总邮件").check();
    await page.getByRole("button", { name: "保存", exact: true }).click();
    await expect(page.getByRole("status")).toContainText("已保存。");
    await expect(page.getByLabel("每周发一封汇总邮件")).toBeChecked();
    // The watch list refuses an empty entry in words, then takes a name.
    await page.getByRole("button", { name: "加入关注名单" }).click();
    await expect(page.getByRole("alert")).toContainText("请填写姓名（最多 100 字）或选择科室。");
    await page.getByLabel("姓名").fill("赵磊");
    await page.getByRole("button", { name: "加入关注名单" }).click();
    await expect(page.locator("li.watch-list__item")).toHaveText(/赵磊/);
    await page.getByRole("button", { name: "移除 赵磊" }).click();
    await expect(page.locator("li.watch-list__item")).toHaveCount(0);
    await fitsTheScreen(page);
  });

  test("a patient grants consent without genetic data, downloads the receipt, withdraws, switches language and signs out", async ({ browser }) => {
    const page = await signedInWithoutJs(browser, invitePatient(mainPortal(), "无脚本同意"));
    await page.goto("/consent");
    const research = page.getByRole("article", { name: "医学研究" });
    await expect(research.getByText("未同意", { exact: true })).toBeVisible();

    // A refused date keeps what was typed and ticked.
    await research.getByLabel("基因信息").check();
    await research.getByLabel("截止日期（可选）").fill("2027-02-30");
    await research.getByRole("button", { name: "我同意" }).click();
    const again = page.getByRole("article", { name: "医学研究" });
    // The page comes back from its top: a link there leads to what to correct.
    const summary = page.getByRole("link", { name: "未保存。请查看需要更正的内容。" });
    await expect(summary).toHaveAttribute("href", "#refused");
    await expect(page.locator("#refused")).toContainText("请按 年-月-日 填写今天或以后的日期");
    await expect(again.getByRole("alert")).toContainText("请按 年-月-日 填写今天或以后的日期");
    await expect(again.getByLabel("截止日期（可选）")).toHaveValue("2027-02-30");
    await expect(again.getByLabel("基因信息")).toBeChecked();

    // Granted, leaving genetic information out.
    await again.getByLabel("截止日期（可选）").fill("");
    await again.getByRole("button", { name: "我同意" }).click();
    await expect(research.getByRole("status")).toContainText("已记录。");
    await expect(research.getByText("已同意", { exact: true })).toBeVisible();
    await expect(research.locator("dl.facts")).toContainText("基因信息");

    // The receipt and its signed download.
    await research.getByRole("link", { name: "查看回执" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("同意回执");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "下载带签名的回执（JSON）" }).click(),
    ]);
    const file = JSON.parse(readFileSync((await download.path()) as string, "utf8"));
    expect(file.receipt.excludedCategories).toEqual(["genetic"]);
    expect(file.signature.algorithm).toBe("Ed25519");
    // Printing is the browser's own menu: no dead button without JavaScript.
    await expect(page.getByRole("button", { name: "打印" })).toHaveCount(0);

    // Withdrawn at once.
    await page.getByRole("link", { name: "返回研究与教学同意" }).click();
    await research.getByRole("button", { name: "撤回同意" }).click();
    await expect(research.getByText("已撤回", { exact: true })).toBeVisible();
    await expect(page.locator("ol.consent-history > li")).toHaveCount(2);

    // Language, then sign out.
    await page.getByRole("button", { name: /English/ }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Research and teaching consent");
    await expect(page).toHaveURL(/\/consent/);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
    await page.goto("/consent");
    await expect(page).toHaveURL(/\/sign-in$/);
  });
  test("staff decide a review and issue a recovery link with plain forms", async ({ browser }) => {
    const portal = mainPortal();
    const page = await signedInWithoutJs(
      browser,
      portalCli(portal, [
        "invite-staff", "--name", "无脚本管理员", "--email", `nojs-staff-${Date.now()}@example.org`,
        "--role", "privacy_officer", "--role", "admin",
      ]),
    );

    // The review queue: a blank note is refused in words, then a decision is recorded.
    await page.goto("/staff/access-reviews");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("访问审核");
    const first = page.locator("ol.reviews > li").first();
    await first.getByLabel("处理说明").fill("   ");
    await first.getByRole("button", { name: "标为已说明" }).click();
    await expect(page.getByRole("alert")).toContainText("请填写处理说明（最多 2000 字）。");
    await page
      .locator("ol.reviews > li")
      .first()
      .getByLabel("处理说明")
      .fill("无脚本：已核实，为会诊访问。");
    await page.locator("ol.reviews > li").first().getByRole("button", { name: "标为已说明" }).click();
    await expect(page.getByText("已记录。")).toBeVisible();
    await fitsTheScreen(page);

    // A recovery link: whose account it is first, then the link, each a plain form.
    await page.goto("/staff/recovery");
    await page.getByLabel("号码或电子邮箱").fill("P000004");
    await page.getByLabel("原因及身份核实方式").fill("无脚本：手机丢失，已在窗口核对身份证");
    await page.getByRole("button", { name: "签发链接" }).click();
    await expect(page.getByText("李娜")).toBeVisible();
    await expect(page.locator("code.link-out")).toHaveCount(0);
    await page.getByRole("button", { name: "是，为此人签发链接" }).click();
    await expect(page.locator("code.link-out")).toContainText("/enroll/");
    await fitsTheScreen(page);
  });
});

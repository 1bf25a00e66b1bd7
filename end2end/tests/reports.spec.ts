// Anonymous reporting. A visitor with no account reports papers left on a nurses' station
// from a 360 px phone in Chinese, with JavaScript off (Tor Browser's safest mode) and on
// (the page does its proof of work; a passkey of no account then stands in for the
// code); no cookie is set before the receipt. A privacy officer, in English,
// acknowledges, asks a question, gives feedback and closes; the reporter, back with the
// code, reads the question, answers it and reads the outcome. axe finds nothing on the
// pages on the way.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { enrolledPage, fitsTheScreen, hydrated, mainPortal, portalCli } from "./portal";

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

async function noViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  expect(result.violations.map((v) => `${page.url()}: ${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** A reporter's phone: no account, Chinese, 360 px, scripts on or off. */
async function reporterPhone(browser: Browser, javaScript: boolean): Promise<Page> {
  const context = await browser.newContext({
    javaScriptEnabled: javaScript,
    locale: "zh-CN",
    viewport: { width: 360, height: 740 },
    acceptDownloads: true,
  });
  return context.newPage();
}

/** A JPEG whose EXIF names where it was taken. */
function photoWithGps(): Buffer {
  const exif = Buffer.from("Exif\0\0MM\0*GPSLatitude 31.2304 GPSLongitude 121.4737", "latin1");
  const length = Buffer.alloc(2);
  length.writeUInt16BE(exif.length + 2);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x07, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xe1]),
    length,
    exif,
    Buffer.from([0xff, 0xda, 0x00, 0x03, 0x01, 0x12, 0x34, 0xff, 0xd9]),
  ]);
}

/** Files the report; its receipt code. */
async function fileReport(page: Page, what: string, javaScript: boolean): Promise<string> {
  // Everything the page loads comes from the portal itself.
  const origins = new Set<string>();
  page.on("request", (request) => origins.add(new URL(request.url()).origin));
  await page.goto("/report");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("匿名举报隐私违规");
  await expect(page.getByText("不保存：您的 IP 地址")).toBeVisible();
  expect(await page.context().cookies()).toEqual([]);
  await fitsTheScreen(page);
  if (javaScript) {
    // (axe runs in the page: only where scripts do; the a11y suite covers the rest.)
    await noViolations(page);
  }
  await page.getByLabel("纸质材料或屏幕无人看管").check();
  await page.locator("#what").fill(what);
  await page.locator("#place").fill("心内科护士站");
  await page.locator("#report-files").setInputFiles({
    name: "IMG_0001.jpg",
    mimeType: "image/jpeg",
    buffer: photoWithGps(),
  });
  // What the form sends in its `work` field, read as the page's script sends it (the
  // browser does not show a post with files to the test).
  let work = "";
  if (javaScript) {
    await page.exposeFunction("recordWork", (value: string) => {
      work = value;
    });
    await page.evaluate(() => {
      const send = HTMLFormElement.prototype.submit;
      HTMLFormElement.prototype.submit = function () {
        const field = this.querySelector<HTMLInputElement>("input[name=work]");
        (window as unknown as { recordWork: (v: string) => void }).recordWork(field?.value ?? "");
        send.call(this);
      };
    });
  }
  if (javaScript) {
    await hydrated(page);
  }
  // The form's token must be a few seconds old: nobody fills it in faster.
  await page.waitForTimeout(3500);
  await page.getByRole("button", { name: "提交举报" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("举报已提交：请记下您的凭证码");
  expect(work).toMatch(javaScript ? /^\d+$/ : /^$/);
  const code = (await page.locator("#receipt-code").innerText()).trim();
  expect(code).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
  await expect(page.locator("dd", { hasText: /^1$/ })).toBeVisible();
  expect([...origins]).toEqual([new URL(page.url()).origin]);
  expect(await page.context().cookies()).toEqual([]);
  await fitsTheScreen(page);
  if (javaScript) {
    await noViolations(page);
  }
  return code;
}

/** Opens the follow-up with the code. */
async function followUp(page: Page, code: string) {
  await page.goto("/report/follow-up");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("查看我的匿名举报");
  await page.getByLabel("凭证码（16 位数字）").fill(code);
  await page.getByRole("button", { name: "查看", exact: true }).click();
  await expect(page.getByRole("heading", { name: "您的举报" })).toBeVisible();
}

/** A privacy officer in English. */
async function officerPage(browser: Browser): Promise<Page> {
  const link = portalCli(mainPortal(), [
    "invite-staff", "--name", "Olivia Reports", "--email", `reports-${Date.now()}@example.org`,
    "--role", "privacy_officer", "--locale", "en",
  ]);
  return enrolledPage(browser, link, "en-GB");
}

/** Opens the report that says `what` from the queue (newest first); its path. */
async function openReport(officer: Page, what: string): Promise<string> {
  await officer.goto("/staff/reports");
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText("Anonymous reports");
  const links = await officer.locator("ul.cards a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  for (const href of links.reverse()) {
    await officer.goto(href);
    if ((await officer.getByText(what).count()) > 0) {
      return href;
    }
  }
  throw new Error(`no report says ${what}`);
}

function stepForm(officer: Page, step: string) {
  return officer.locator("section.card", { has: officer.locator(`#step-${step}`) });
}

async function journey(browser: Browser, javaScript: boolean) {
  const what = `护士站的病历夹整天摊在台面上 ${Date.now()}`;
  const reporter = await reporterPhone(browser, javaScript);
  const code = await fileReport(reporter, what, javaScript);
  await followUp(reporter, code);
  await expect(reporter.getByText(what)).toBeVisible();
  await expect(reporter.getByText("已收到，等待确认")).toBeVisible();
  await expect(reporter.locator("a", { hasText: "IMG_0001.jpg" })).toBeVisible();
  await fitsTheScreen(reporter);

  const officer = await officerPage(browser);
  const path = await openReport(officer, what);
  await noViolations(officer);
  await stepForm(officer, "acknowledge").locator("textarea").fill("Thank you; we are looking into it.");
  await stepForm(officer, "acknowledge").getByRole("button").click();
  await expect(officer.getByRole("status")).toContainText("Done.");
  await stepForm(officer, "investigate").getByRole("button").click();
  // The acknowledgement's "Done." is still on the page until this answer replaces it: wait
  // for the step itself, so the next form is filled on the new page.
  await expect(officer.getByText("Investigation started")).toBeVisible();
  await stepForm(officer, "write").getByLabel("Question").check();
  await stepForm(officer, "write").locator("textarea").fill("Which station, and at what times?");
  await stepForm(officer, "write").getByRole("button").click();
  await expect(officer.getByText("Which station, and at what times?")).toBeVisible();
  // The photo comes without its location.
  const download = officer.waitForEvent("download");
  await officer.locator("a", { hasText: "IMG_0001.jpg" }).click();
  const photo = await (await download).createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of photo) {
    chunks.push(chunk as Buffer);
  }
  expect(Buffer.concat(chunks).includes("GPS")).toBe(false);

  // The reporter reads the question and answers.
  await reporter.goto("/report/follow-up");
  await expect(reporter.getByText("Which station, and at what times?")).toBeVisible();
  await expect(reporter.getByText("Thank you; we are looking into it.")).toBeVisible();
  await reporter.getByLabel("回答问题或补充信息").fill("心内科二病区，夜班交接时。");
  await reporter.getByRole("button", { name: "发送", exact: true }).click();
  await expect(reporter.getByRole("status")).toContainText("已发送给医院隐私办公室");
  await expect(reporter.getByText("心内科二病区，夜班交接时。")).toBeVisible();
  await fitsTheScreen(reporter);
  if (javaScript) {
    await noViolations(reporter);
  }

  await officer.goto(path);
  await expect(officer.getByText("心内科二病区，夜班交接时。")).toBeVisible();
  await stepForm(officer, "feedback").locator("textarea").fill("Folders are now kept in a locked drawer.");
  await stepForm(officer, "feedback").getByRole("button").click();
  await expect(officer.getByRole("status")).toContainText("Done.");
  await stepForm(officer, "close").locator("textarea").fill("Measures in place; closed.");
  await stepForm(officer, "close").getByRole("button").click();
  await expect(officer.getByText("Closed").first()).toBeVisible();

  await reporter.goto("/report/follow-up");
  await expect(reporter.getByText("已结案").first()).toBeVisible();
  await expect(reporter.getByText("Folders are now kept in a locked drawer.")).toBeVisible();
  await expect(reporter.getByText("此举报已结案，不能再添加内容。")).toBeVisible();
  await reporter.getByRole("button", { name: "退出" }).click();
  await expect(reporter.getByText("您已退出")).toBeVisible();
  await reporter.context().close();
  await officer.context().close();
}

test.use({ locale: "zh-CN" });

test("a report with JavaScript off: filed with a photo, followed up with the code, answered", async ({ browser }) => {
  test.setTimeout(120_000);
  await journey(browser, false);
});

test("the same with JavaScript on: the page does its proof of work", async ({ browser }) => {
  test.setTimeout(120_000);
  await journey(browser, true);
});

test("a passkey of no account opens the report in place of the code", async ({ browser }) => {
  test.setTimeout(60_000);
  const reporter = await reporterPhone(browser, true);
  const cdp = await reporter.context().newCDPSession(reporter);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      hasPrf: true,
    },
  });
  const what = `有人把病人的照片发到群里 ${Date.now()}`;
  const code = await fileReport(reporter, what, true);
  await followUp(reporter, code);
  await hydrated(reporter);
  await reporter.getByRole("button", { name: "创建通行密钥" }).click();
  await expect(reporter.getByText("已创建：此举报也可用您的通行密钥打开。")).toBeVisible();
  await reporter.getByRole("button", { name: "退出" }).click();
  await expect(reporter.getByText("您已退出")).toBeVisible();
  await hydrated(reporter);
  await reporter.getByRole("button", { name: "用通行密钥打开" }).click();
  await expect(reporter.getByText(what)).toBeVisible();
  await expect(reporter.getByText("此举报已有通行密钥。")).toBeVisible();
  // The code still works.
  await reporter.getByRole("button", { name: "退出" }).click();
  await followUp(reporter, code);
  await expect(reporter.getByText(what)).toBeVisible();
  await reporter.context().close();
});

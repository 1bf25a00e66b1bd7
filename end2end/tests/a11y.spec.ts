// Accessibility by measurement: axe-core (WCAG 2.2 A and AA rules) on every route, for
// each kind of person, in both languages, on a 360 px phone and a desktop; and every page's
// actions reached with the keyboard alone, each visibly focused.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { enrolledPage, hydrated, invitePatient, mainPortal, portalCli } from "./portal";

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 900 },
];
const LANGUAGES = ["zh-Hans", "en"];

/** A signed-in person's session, to open pages as them in new contexts. */
type Session = Awaited<ReturnType<BrowserContext["storageState"]>>;

async function sessionOf(browser: Browser, link: string): Promise<Session> {
  const page = await enrolledPage(browser, link);
  const state = await page.context().storageState();
  await page.context().close();
  return state;
}

/** The violations axe finds on the page as it is (every folded part opened first). */
async function violations(page: Page, label: string): Promise<string[]> {
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return result.violations.map(
    (v) => `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

test("axe finds nothing on any route, in either language, on a phone or a desktop", async ({ browser }) => {
  test.setTimeout(300_000);
  const portal = mainPortal();
  // A patient with a seeded history and one consent receipt; staff with every staff page.
  const patient = await sessionOf(
    browser,
    portalCli(portal, ["invite-patient", "--mrn", "P000003", "--name", "Emily Carter", "--locale", "en"]),
  );
  const staff = await sessionOf(
    browser,
    portalCli(portal, [
      "invite-staff", "--name", "无障碍审核", "--email", `a11y-${Date.now()}@example.org`,
      "--role", "privacy_officer", "--role", "admin", "--role", "records_officer",
    ]),
  );
  const receipt = await (async () => {
    const context = await browser.newContext({ storageState: patient });
    const page = await context.newPage();
    await page.goto("/consent");
    const teaching = page.locator("article", { has: page.locator("#consent-teaching") });
    await teaching.locator("button[type=submit]").first().click();
    await expect(teaching.locator(".notice--success a")).toBeVisible();
    const href = (await teaching.locator(".notice--success a").getAttribute("href")) ?? "";
    await context.close();
    return href;
  })();
  expect(receipt).toMatch(/^\/consent\/receipts\//);
  // A correction request of hers, with a message, for its page.
  const correction = await (async () => {
    const context = await browser.newContext({ storageState: patient });
    const page = await context.newPage();
    await page.goto("/record/requests/new?section=conditions");
    await page.locator("#proposed").fill("Hay fever since childhood");
    await page.locator("#reason").fill("It is not in my record");
    await page.locator("form:has(#proposed) button[type=submit]").click();
    await expect(page).toHaveURL(/\/record\/requests\/CR-/);
    await page.locator("#message-body").fill("I can bring my old records");
    await page.locator("#messages button[type=submit]").click();
    await expect(page.locator("#messages .notice--success")).toBeVisible();
    const path = new URL(page.url()).pathname;
    await context.close();
    return path;
  })();
  // A complaint of hers, for its page and the staff's.
  const complaint = await (async () => {
    const context = await browser.newContext({ storageState: patient });
    const page = await context.newPage();
    await page.goto("/complaints/new");
    await page.locator("#kind-shared").check();
    await page.locator("#account").fill("My scan results were sent to my employer.");
    await page.locator("form:has(#account) button[type=submit]").click();
    await expect(page).toHaveURL(/\/complaints\/CP-/);
    const path = new URL(page.url()).pathname;
    await context.close();
    return path;
  })();
  const enrollLink = new URL(invitePatient(portal, "无障碍患者")).pathname;
  // An anonymous report, for the privacy officer's page of it.
  const report = await (async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/report");
    await page.locator("#kind-device").check();
    await page.locator("#what").fill("A laptop with patient lists was left in the canteen.");
    await page.waitForTimeout(3500);
    await page.locator("form.report-form button[type=submit]").click();
    await expect(page.locator("#receipt-code")).toBeVisible();
    await context.close();
    const staffContext = await browser.newContext({ storageState: staff });
    const staffPage = await staffContext.newPage();
    await staffPage.goto("/staff/reports");
    const href = (await staffPage.locator("ul.cards a").last().getAttribute("href")) ?? "";
    await staffContext.close();
    return href;
  })();
  expect(report).toMatch(/^\/staff\/reports\/R-\d+$/);

  const routes: [Session | undefined, string[]][] = [
    [
      undefined,
      ["/", "/sign-in", "/sign-in?reason=idle", enrollLink, "/enroll/not-a-link", "/no/such/page",
        "/consent/policies/research/1", "/report", "/report/follow-up", "/report/follow-up?left=1"],
    ],
    [
      patient,
      ["/home", "/account/passkeys", "/access-log", "/access-log?unusual=1", "/access-log/settings",
        "/consent", receipt, "/staff/recovery", "/record", "/record/requests",
        "/record/requests/new?section=allergies", correction,
        `${correction}?file_error=not_allowed`, "/complaints", "/complaints/new", complaint,
        `${complaint}?filed=1`],
    ],
    [
      staff,
      ["/home", "/staff/access-reviews", "/staff/consent", "/staff/recovery", "/account/passkeys",
        "/staff/corrections", "/staff/corrections?state=all&assignee=none",
        correction.replace("/record/requests/", "/staff/corrections/"), "/staff/complaints",
        "/staff/complaints?state=all&kind=shared", `/staff${complaint}`, "/staff/complaints/insights",
        "/staff/reports", "/staff/reports?closed=1", report],
    ],
  ];

  const found: string[] = [];
  for (const viewport of VIEWPORTS) {
    for (const language of LANGUAGES) {
      for (const [session, paths] of routes) {
        const context = await browser.newContext({ viewport, bypassCSP: true, storageState: session });
        await context.addCookies([
          { name: "portal_lang", value: language, domain: "localhost", path: "/" },
        ]);
        const page = await context.newPage();
        for (const path of paths) {
          await page.goto(path);
          await expect(page.locator("html")).toHaveAttribute("lang", language);
          found.push(...(await violations(page, `${path} ${language} ${viewport.width}px`)));
        }
        await context.close();
      }
    }
  }
  // A refused form, as the person sees it: the message and the marked field.
  for (const language of LANGUAGES) {
    const context = await browser.newContext({ bypassCSP: true, storageState: patient });
    await context.addCookies([{ name: "portal_lang", value: language, domain: "localhost", path: "/" }]);
    const page = await context.newPage();
    await page.goto("/consent");
    const research = page.locator("article", { has: page.locator("#consent-research") });
    await research.locator("details.consent-form").evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await research.locator("input[name='grant[expires_on]']").fill("2027-02-30");
    await research.locator("form button[type=submit]").first().click();
    await expect(page.getByRole("alert")).toBeVisible();
    found.push(...(await violations(page, `/consent refused ${language}`)));
    await context.close();
  }
  // A refused complaint: what happened left blank.
  for (const language of LANGUAGES) {
    const context = await browser.newContext({ bypassCSP: true, storageState: patient });
    await context.addCookies([{ name: "portal_lang", value: language, domain: "localhost", path: "/" }]);
    const page = await context.newPage();
    await page.goto("/complaints/new");
    await page.locator("#kind-other").check();
    await page.locator("#account").evaluate((e) => e.removeAttribute("required"));
    await page.locator("form:has(#account) button[type=submit]").click();
    await expect(page.getByRole("alert")).toBeVisible();
    found.push(...(await violations(page, `/complaints/new refused ${language}`)));
    await context.close();
  }
  // A refused report: sent at once (its token too fresh), what was typed kept.
  for (const language of LANGUAGES) {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`/report?lang=${language}`);
    await page.locator("#kind-other").check();
    await page.locator("#what").fill("kept words");
    await page.locator("form.report-form button[type=submit]").click();
    await expect(page.getByRole("alert")).toBeVisible();
    await expect(page.locator("#what")).toHaveValue("kept words");
    await expect(page.locator("html")).toHaveAttribute("lang", language);
    found.push(...(await violations(page, `/report refused ${language}`)));
    await context.close();
  }
  // A recovery link's two answers, as an administrator sees them: whose account it is,
  // then the issued link.
  for (const language of LANGUAGES) {
    const context = await browser.newContext({ bypassCSP: true, storageState: staff });
    await context.addCookies([{ name: "portal_lang", value: language, domain: "localhost", path: "/" }]);
    const page = await context.newPage();
    await page.goto("/staff/recovery");
    await page.locator("input[name=person]").fill("P000003");
    await page.locator("[name=reason]").fill("lost phone; identity checked at the desk");
    await page.locator("section.page form button[type=submit]").click();
    await expect(page.locator("input[name=confirmed]")).toHaveCount(1);
    found.push(...(await violations(page, `/staff/recovery confirm ${language}`)));
    await page.locator("section.page form button[type=submit]").click();
    await expect(page.locator("code.link-out")).toContainText("/enroll/");
    found.push(...(await violations(page, `/staff/recovery issued ${language}`)));
    await context.close();
  }
  expect(found).toEqual([]);
});

/** Visible elements a person can act on, as CSS selectors: what the keyboard must reach. */
const ACTIONABLE =
  "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, summary, [tabindex='0']";

test("every action of every page is reached with the keyboard, and visibly focused", async ({ browser }) => {
  test.setTimeout(180_000);
  const portal = mainPortal();
  const patientPage = await enrolledPage(
    browser,
    portalCli(portal, ["invite-patient", "--mrn", "P000005", "--name", "刘建国", "--locale", "zh-Hans"]),
  );
  const staffPage = await enrolledPage(
    browser,
    portalCli(portal, [
      "invite-staff", "--name", "键盘审核", "--email", `keys-${Date.now()}@example.org`,
      "--role", "privacy_officer", "--role", "admin", "--role", "records_officer",
    ]),
  );
  const pages: [Page, string[]][] = [
    [patientPage, ["/", "/home", "/access-log", "/access-log/settings", "/consent", "/account/passkeys",
      "/report", "/report/follow-up"]],
    [staffPage, ["/staff/access-reviews", "/staff/consent", "/staff/recovery", "/staff/reports"]],
  ];
  const problems: string[] = [];
  for (const [page, paths] of pages) {
    for (const path of paths) {
      await page.goto(path);
      await hydrated(page);
      const wanted = await page.evaluate((selector) => {
        // Shown on screen now (not inside a folded <details>, not hidden).
        const list = [...document.querySelectorAll(selector)].filter((e) =>
          e.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true }),
        );
        // A group of radio buttons is one stop: Tab reaches one of them, the arrow keys
        // move within it.
        const keys = new Set<string>();
        list.forEach((e, i) => {
          const input = e as HTMLInputElement;
          const key = input.type === "radio" ? `radio:${input.name}` : String(i);
          e.setAttribute("data-key-target", key);
          keys.add(key);
        });
        return [...keys];
      }, ACTIONABLE);
      const reached = new Set<string>();
      await page.locator("body").focus();
      for (let press = 0; press < 400 && reached.size < wanted.length; press += 1) {
        await page.keyboard.press("Tab");
        const focus = await page.evaluate(() => {
          const e = document.activeElement as HTMLElement | null;
          if (!e || e === document.body) return null;
          const style = getComputedStyle(e);
          const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
          const shadowed = style.boxShadow !== "none";
          return {
            key: e.getAttribute("data-key-target"),
            visible: outlined || shadowed,
            what: `${e.tagName.toLowerCase()}${e.getAttribute("type") ? `[type=${e.getAttribute("type")}]` : ""}${e.getAttribute("name") ? `[name=${e.getAttribute("name")}]` : ""} "${(e.textContent ?? "").trim().slice(0, 30)}"`,
          };
        });
        if (!focus) continue;
        if (!focus.visible) problems.push(`${path}: no visible focus on ${focus.what}`);
        if (focus.key !== null) reached.add(focus.key);
      }
      const missed = wanted.filter((key) => !reached.has(key));
      for (const key of missed) {
        const what = await page
          .locator(`[data-key-target="${key}"]`)
          .first()
          .evaluate((e) => `${e.tagName.toLowerCase()} "${(e.textContent ?? "").trim().slice(0, 30)}"`);
        problems.push(`${path}: not reached by Tab: ${what}`);
      }
    }
  }
  expect([...new Set(problems)]).toEqual([]);
});

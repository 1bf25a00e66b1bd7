import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import {
  addAuthenticator,
  fitsTheScreen,
  hydrated,
  idlePortal,
  invitePatient,
  mainPortal,
  portalCli,
} from "./portal";

test.use({ locale: "zh-CN" });

test("enroll from a link, sign out, sign in with nothing typed, swap authenticators", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const link = invitePatient(mainPortal(), "测试患者甲");

  // Enroll: the link says who it is for, and the first passkey signs the person in.
  const first = await addAuthenticator(page);
  await page.goto(link);
  await expect(page.getByText("测试患者甲")).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "创建我的通行密钥" }).click();
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("测试患者甲");

  // Sign out, then sign in through autofill (conditional UI): nothing typed, nothing
  // clicked — the browser offers the passkey and the virtual authenticator accepts.
  await page.getByRole("button", { name: "退出登录", exact: true }).click();
  await expect(page.getByRole("link", { name: "登录" })).toBeVisible();
  await page.goto("/sign-in");
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("测试患者甲");

  // Add a second authenticator; the first stops answering so the second one registers.
  await page.goto("/account/passkeys");
  await hydrated(page);
  await expect(page.locator("li.passkey")).toHaveCount(1);
  await page.waitForLoadState("networkidle");
  const second = await addAuthenticator(page, "usb");
  await first.cdp.send("WebAuthn.setAutomaticPresenceSimulation", {
    authenticatorId: first.id,
    enabled: false,
  });
  await page.getByRole("button", { name: "在此设备上添加通行密钥" }).click();
  await expect(page.getByText("已添加通行密钥。")).toBeVisible();
  await expect(page.locator("li.passkey")).toHaveCount(2);

  // Remove the first passkey (the list is oldest first).
  await page.locator("li.passkey").first().getByRole("button", { name: "删除" }).click();
  await expect(page.locator("li.passkey")).toHaveCount(1);
  // The last one cannot be removed.
  await expect(page.locator("li.passkey").getByRole("button", { name: "删除" })).toBeDisabled();

  // Sign out and back in with the button, as in a browser without passkey autofill:
  // only the second authenticator can do it now.
  await first.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: first.id });
  await page.getByRole("button", { name: "退出登录", exact: true }).click();
  await expect(page.getByRole("link", { name: "登录" })).toBeVisible();
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByRole("button", { name: "使用通行密钥登录" }).click();
  await expect(page).toHaveURL(/\/home$/);
  expect(second.id).toBeTruthy();

  // The link worked once: opening it again is refused with a clear message.
  const again = await page.goto(link);
  expect(again?.status()).toBe(410);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("此链接无法使用");
  await expect(page.getByText("链接只能使用一次")).toBeVisible();

  expect(errors).toEqual([]);
});

test("an expired link is refused with a clear message", async ({ page }) => {
  const link = invitePatient(mainPortal(), "测试患者乙", { PORTAL_ENROLLMENT_LINK_TTL: "1s" });
  await page.waitForTimeout(1500);
  const response = await page.goto(link);
  expect(response?.status()).toBe(410);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("此链接无法使用");
  await expect(page.getByRole("button", { name: "创建我的通行密钥" })).toHaveCount(0);
});

test("pages for signed-in people and staff are refused on the server", async ({ page }) => {
  // Not signed in: sent to sign in.
  const anonymous = await page.goto("/home");
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(anonymous?.request().redirectedFrom()?.url()).toMatch(/\/home$/);

  // A patient cannot open a staff page: 403, and nothing of the page's form.
  await addAuthenticator(page);
  await page.goto(invitePatient(mainPortal(), "测试患者丙"));
  await hydrated(page);
  await page.getByRole("button", { name: "创建我的通行密钥" }).click();
  await expect(page).toHaveURL(/\/home$/);
  const response = await page.goto("/staff/recovery");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("无权访问");
  await expect(page.getByRole("button", { name: "签发链接" })).toHaveCount(0);
});

test("after the idle timeout the page signs out by itself", async ({ page }) => {
  const portal = idlePortal();
  const authenticator = await addAuthenticator(page);
  await page.goto(invitePatient(portal, "测试患者丁"));
  await hydrated(page);
  await page.getByRole("button", { name: "创建我的通行密钥" }).click();
  await expect(page).toHaveURL(/\/home$/);
  // From now on the passkey waits for the person, so autofill cannot sign back in.
  await authenticator.cdp.send("WebAuthn.setAutomaticPresenceSimulation", {
    authenticatorId: authenticator.id,
    enabled: false,
  });
  // The idle portal ends sessions after 6 s without a request.
  await expect(page).toHaveURL(/\/sign-in\?reason=idle$/, { timeout: 15_000 });
  await expect(page.getByText("由于一段时间内没有操作，您已被自动退出登录")).toBeVisible();
  // The server agrees: the session is gone.
  await page.goto(`http://localhost:${portal.port}/home`);
  await expect(page).toHaveURL(/\/sign-in$/);
});

test.describe("on a 360 px phone in English", () => {
  test.use({ viewport: { width: 360, height: 740 }, locale: "en-GB" });

  test("enroll with the keyboard only; identity pages fit the screen", async ({ page }) => {
    // The sign-in page first: once this browser holds a passkey, autofill signs in there.
    await page.goto("/sign-in");
    await fitsTheScreen(page);
    await addAuthenticator(page);
    await page.goto(invitePatient(mainPortal(), "Emily Carter", {}, "en"));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Set up your passkey");
    await hydrated(page);
    const create = page.getByRole("button", { name: "Create my passkey" });
    await create.focus();
    await expect(create).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/home$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welcome, Emily Carter");
    for (const path of ["/home", "/account/passkeys"]) {
      await page.goto(path);
      await fitsTheScreen(page);
    }
    await page.goto("/account/passkeys");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your passkeys");
    await expect(page.getByLabel("Name")).toBeVisible();
  });
});

test("an administrator sees their roles and issues a recovery link", async ({ page, browser }) => {
  const portal = mainPortal();
  const mrn = `E2E-R-${Date.now()}`;
  // The patient had a passkey on a phone they have since lost.
  const invite = portalCli(portal, ["invite-patient", "--mrn", mrn, "--name", "测试患者戊"]);
  const lostPhone = await browser.newContext({ locale: "zh-CN" });
  const lost = await lostPhone.newPage();
  await addAuthenticator(lost);
  await lost.goto(invite);
  await hydrated(lost);
  await lost.getByRole("button", { name: "创建我的通行密钥" }).click();
  await expect(lost).toHaveURL(/\/home$/);
  await lostPhone.close();
  const link = portalCli(portal, [
    "invite-staff",
    "--name",
    "测试管理员",
    "--email",
    `admin-${Date.now()}@example.org`,
    "--role",
    "admin",
    "--role",
    "privacy_officer",
  ]);
  await addAuthenticator(page);
  await page.goto(link);
  await hydrated(page);
  await page.getByRole("button", { name: "创建我的通行密钥" }).click();
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByText("系统管理员")).toBeVisible();
  await expect(page.getByText("隐私保护专员")).toBeVisible();

  await page.getByRole("link", { name: "签发恢复链接" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("签发恢复链接");
  await hydrated(page);
  await expect(page.getByLabel("病案号（患者）")).toBeChecked();
  await page.getByLabel("号码或电子邮箱").fill("no-such-person");
  await page.getByLabel("原因及身份核实方式").fill("手机丢失，已在窗口核对身份证");
  await page.getByRole("button", { name: "签发链接" }).click();
  await expect(page.getByText("没有与此号码或邮箱匹配的账户。")).toBeVisible();
  // What was typed is still there; correct it and try again.
  await expect(page.getByLabel("原因及身份核实方式")).toHaveValue("手机丢失，已在窗口核对身份证");
  await page.getByLabel("号码或电子邮箱").fill(mrn);
  await page.getByRole("button", { name: "签发链接" }).click();
  // First whose account it is; only a second, explicit yes issues the link.
  await expect(page.getByText("测试患者戊")).toBeVisible();
  await expect(page.locator("code.link-out")).toHaveCount(0);
  await page.getByRole("button", { name: "是，为此人签发链接" }).click();
  await expect(page.locator("code.link-out")).toContainText("/enroll/");

  // The patient uses it on a new device and lands where the new passkey may replace the
  // lost ones.
  const recoveryLink = ((await page.locator("code.link-out").textContent()) ?? "").trim();
  const device = await browser.newContext({ locale: "zh-CN" });
  const patient = await device.newPage();
  await addAuthenticator(patient);
  await patient.goto(recoveryLink);
  await hydrated(patient);
  await patient.getByRole("button", { name: "创建我的通行密钥" }).click();
  await expect(patient).toHaveURL(/\/account\/passkeys\?recovered=1$/);
  await expect(patient.locator("li.passkey")).toHaveCount(2);
  await expect(patient.getByText("您已用恢复链接设置了新的通行密钥")).toBeVisible();
  const axe = await new AxeBuilder({ page: patient })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"])
    .analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  // The new passkey replaces the lost one.
  await patient.getByRole("button", { name: "只保留新的通行密钥" }).click();
  await expect(patient).toHaveURL(/done=removed/);
  await expect(patient.locator("li.passkey")).toHaveCount(1);
  await device.close();
});

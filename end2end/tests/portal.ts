// Helpers shared by the browser tests: the portal's command line and a virtual passkey.
import { execFileSync } from "node:child_process";
import { expect, type Browser, type CDPSession, type Page } from "@playwright/test";

export interface Portal {
  port: number;
  dataDir: string;
  env?: Record<string, string>;
}

export const mainPortal = (): Portal => ({
  port: Number(process.env.E2E_PORT),
  dataDir: process.env.E2E_DATA_DIR ?? "",
});

export const idlePortal = (): Portal => ({
  port: Number(process.env.E2E_IDLE_PORT),
  dataDir: process.env.E2E_IDLE_DATA_DIR ?? "",
});

/** Runs `portal ARGS` against a test portal's database; returns the last output line. */
export function portalCli(portal: Portal, args: string[], env: Record<string, string> = {}): string {
  const output = execFileSync(process.env.PORTAL_BIN ?? "portal", args, {
    env: {
      ...process.env,
      PORTAL_ADDR: `127.0.0.1:${portal.port}`,
      PORTAL_DATA_DIR: portal.dataDir,
      RUST_LOG: "warn",
      ...env,
    },
    encoding: "utf8",
  });
  const lines = output.trim().split("\n");
  return lines[lines.length - 1].trim();
}

let counter = 0;

/** Invites a new patient and returns their one-time enrollment link. */
export function invitePatient(
  portal: Portal,
  name: string,
  env: Record<string, string> = {},
  locale = "zh-Hans",
): string {
  counter += 1;
  const mrn = `E2E-${Date.now()}-${counter}`;
  const args = ["invite-patient", "--mrn", mrn, "--name", name, "--locale", locale];
  const link = portalCli(portal, args, env);
  expect(link).toMatch(/^http:\/\/localhost:\d+\/enroll\//);
  return link;
}

/**
 * A DevTools virtual authenticator with resident keys and user verification: the phone's
 * own ("internal", one per browser) or a security key ("usb").
 */
export async function addAuthenticator(
  page: Page,
  transport: "internal" | "usb" = "internal",
): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport,
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

/** Waits until the WebAssembly has woken up the islands of the page on screen. */
export async function hydrated(page: Page) {
  await expect(page.locator("main#main")).toHaveAttribute("data-hydrated", "true");
}

/** Opens `link` in a new phone-sized browser, enrolls a passkey and lands on /home. */
export async function enrolledPage(browser: Browser, link: string, locale = "zh-CN"): Promise<Page> {
  const context = await browser.newContext({
    locale,
    viewport: { width: 360, height: 740 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  await addAuthenticator(page);
  await page.goto(link);
  await hydrated(page);
  await page.getByRole("button", { name: locale === "zh-CN" ? "创建我的通行密钥" : "Create my passkey" }).click();
  await expect(page).toHaveURL(/\/home$/);
  return page;
}

/** Nothing on the page is wider than the phone's screen. */
export async function fitsTheScreen(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

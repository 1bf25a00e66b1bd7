// `make audit`: Lighthouse (mobile) on the release site, as a patient meets it: /sign-in,
// then — signed in as the demo patient with the longest history — /access-log and /consent.
// Prints the scores and the main figures. A measurement, not a test: it fails only when it
// cannot measure.
//
// Goals: Performance >= 95, Accessibility 100, Best practices >= 95.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const portal = process.env.PORTAL_BIN;
if (!portal) throw new Error("PORTAL_BIN must point to the built portal binary (make audit sets it)");
const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const GOALS = { performance: 95, accessibility: 100, "best-practices": 95 };

const port = 41000 + Math.floor(Math.random() * 2000);
const origin = `http://localhost:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), "portal-audit-"));
const env = {
  ...process.env,
  PORTAL_ADDR: `127.0.0.1:${port}`,
  PORTAL_DATA_DIR: dataDir,
  LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "../target/site",
  RUST_LOG: "warn",
};
const cli = (args) => execFileSync(portal, args, { env, encoding: "utf8" }).trim().split("\n").pop();

cli(["seed-demo"]);
const server = spawn(portal, ["serve"], { env, stdio: "inherit" });
try {
  for (let tries = 0; ; tries += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {
      if (tries > 100) throw new Error("the portal did not start");
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // The demo patient 张伟 enrolls a passkey in a browser; the audit uses the session.
  const link = cli(["invite-patient", "--mrn", "P000001", "--name", "张伟", "--locale", "zh-Hans"]);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  await page.goto(link);
  await page.locator("main#main[data-hydrated]").waitFor();
  await page.locator("leptos-island button").first().click();
  await page.waitForURL(/\/home$/);
  const cookie = (await page.context().cookies())
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
  await browser.close();

  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: FLAGS });
  const results = [];
  try {
    for (const [path, signedIn] of [["/sign-in", false], ["/access-log", true], ["/consent", true]]) {
      const { lhr } = await lighthouse(`${origin}${path}`, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: Object.keys(GOALS),
        extraHeaders: signedIn ? { Cookie: cookie } : undefined,
      });
      const audit = (id) => lhr.audits[id]?.displayValue ?? "-";
      const scores = Object.fromEntries(
        Object.keys(GOALS).map((key) => [key, Math.round((lhr.categories[key]?.score ?? 0) * 100)]),
      );
      results.push({ path, scores });
      console.log(
        `${path}: Performance ${scores.performance}, Accessibility ${scores.accessibility}, ` +
          `Best practices ${scores["best-practices"]} | FCP ${audit("first-contentful-paint")}, ` +
          `LCP ${audit("largest-contentful-paint")}, TBT ${audit("total-blocking-time")}, ` +
          `CLS ${audit("cumulative-layout-shift")}, ${audit("total-byte-weight")}`,
      );
      for (const [id, item] of Object.entries(lhr.audits)) {
        if (item.score !== null && item.score < 1 && item.scoreDisplayMode !== "informative" &&
            item.scoreDisplayMode !== "notApplicable" && item.scoreDisplayMode !== "manual") {
          const cat = Object.entries(lhr.categories).find(([, c]) => c.auditRefs.some((r) => r.id === id && r.weight > 0));
          if (cat) console.log(`    ${cat[0]}: ${id} (${item.score}) ${item.displayValue ?? ""}`);
        }
      }
    }
  } finally {
    await chrome.kill();
  }
  const missed = results.flatMap(({ path, scores }) =>
    Object.entries(GOALS)
      .filter(([key, goal]) => scores[key] < goal)
      .map(([key, goal]) => `${path} ${key} ${scores[key]} < ${goal}`),
  );
  console.log(missed.length ? `goals NOT met: ${missed.join("; ")}` : "all Lighthouse goals met");
} finally {
  server.kill();
  rmSync(dataDir, { recursive: true, force: true });
}

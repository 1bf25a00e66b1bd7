// The WebAssembly budget: what a patient's phone downloads on a first visit — /sign-in,
// then /home, /access-log and /consent, the browser's cache warm between pages — must stay
// within 150 KB of JavaScript and WebAssembly, brotli. Later features must fit in it too.
import { statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { enrolledPage, portalCli, mainPortal } from "./portal";

const BUDGET_BYTES = 150 * 1024;

test("a patient's first visit downloads at most 150 KB of JavaScript and WebAssembly (brotli)", async ({ browser }) => {
  const siteRoot = process.env.LEPTOS_SITE_ROOT ?? "../target/site";
  // A patient with a long history, signed in (the ceremony itself ran in another browser).
  const enrolled = await enrolledPage(
    browser,
    portalCli(mainPortal(), ["invite-patient", "--mrn", "P000001", "--name", "张伟", "--locale", "zh-Hans"]),
  );
  const session = await enrolled.context().storageState();
  await enrolled.context().close();

  // A fresh browser: empty cache, the session's cookie only.
  const context = await browser.newContext({
    storageState: { cookies: session.cookies, origins: [] },
    viewport: { width: 360, height: 740 },
    locale: "zh-CN",
  });
  const page = await context.newPage();
  // Every script and WebAssembly download that reached the network (a file the browser
  // took from its cache does not count; one downloaded twice counts twice).
  const fetched: { path: string; status: number; encoding: string; cache: string; sent: number }[] = [];
  const responses = new Map<string, (typeof fetched)[number]>();
  const fromCache = new Set<string>();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  cdp.on("Network.requestServedFromCache", ({ requestId }) => fromCache.add(requestId));
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    const path = new URL(response.url).pathname;
    if (!/\.(js|wasm)$/.test(path) || response.fromDiskCache || response.fromPrefetchCache) {
      return;
    }
    const header = (name: string) =>
      Object.entries(response.headers).find(([key]) => key.toLowerCase() === name)?.[1] ?? "";
    responses.set(requestId, {
      path,
      status: response.status,
      encoding: header("content-encoding") || "none",
      cache: header("cache-control"),
      sent: 0,
    });
  });
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    const response = responses.get(requestId);
    if (response && !fromCache.has(requestId)) {
      fetched.push({ ...response, sent: encodedDataLength });
    }
  });
  for (const path of ["/sign-in", "/home", "/access-log", "/consent"]) {
    await page.goto(path);
    await expect(page.locator("main#main")).toHaveAttribute("data-hydrated", "true");
  }

  // Each file once, compressed, and kept by the browser for good.
  let brotli = 0;
  const lines: string[] = [];
  for (const { path, ...response } of fetched) {
    expect(response.status, path).toBe(200);
    expect(["br", "gzip"], path).toContain(response.encoding);
    expect(response.cache, path).toBe("public, max-age=31536000, immutable");
    const file = join(siteRoot, path);
    const raw = statSync(file).size;
    const compressed = statSync(`${file}.br`).size;
    brotli += compressed;
    lines.push(
      `${path}: ${raw} B raw, ${compressed} B brotli (sent as ${response.encoding}, ${response.sent} B on the wire)`,
    );
  }
  console.log(
    [
      "First visit of a patient (/sign-in, /home, /access-log, /consent):",
      ...lines.map((line) => `  ${line}`),
      `  total: ${brotli} B brotli of ${BUDGET_BYTES} B allowed`,
    ].join("\n"),
  );
  expect(fetched.length).toBeGreaterThan(0);
  expect(brotli).toBeLessThanOrEqual(BUDGET_BYTES);
  await context.close();
});

import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The portal under test runs on its own port with its own fresh data directory. Both are
// chosen once, in the main process; test workers load this file again and inherit them
// through the environment.
process.env.E2E_PORT ??= String(20000 + Math.floor(Math.random() * 20000));
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "portal-e2e-"));
// A second portal with a short idle timeout, for the automatic sign-out test.
process.env.E2E_IDLE_PORT ??= String(Number(process.env.E2E_PORT) + 1);
process.env.E2E_IDLE_DATA_DIR ??= mkdtempSync(join(tmpdir(), "portal-e2e-idle-"));
const port = Number(process.env.E2E_PORT);
const dataDir = process.env.E2E_DATA_DIR;
const idlePort = Number(process.env.E2E_IDLE_PORT);
// Browsers open `localhost` (the origin passkeys are bound to); the readiness probe uses
// the IPv4 address the server binds to.
const baseURL = `http://localhost:${port}`;
const portal = process.env.PORTAL_BIN;
if (!portal) {
  throw new Error("PORTAL_BIN must point to the built portal binary (make test sets it)");
}

export default defineConfig({
  testDir: "./tests",
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [["list"]],
  use: {
    baseURL,
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: [
    {
      command: `"${portal}" seed-demo > /dev/null && exec "${portal}" serve`,
      url: `http://127.0.0.1:${port}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PORTAL_ADDR: `127.0.0.1:${port}`,
        PORTAL_DATA_DIR: dataDir,
        // The whole suite is one client (127.0.0.1) enrolling and signing in a dozen people
        // within minutes; the rate limits have their own integration tests.
        PORTAL_SIGN_IN_ATTEMPTS: "1000",
        LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "../target/site",
        RUST_LOG: process.env.PORTAL_LOG ?? "warn",
      },
    },
    {
      command: `exec "${portal}" serve`,
      url: `http://127.0.0.1:${idlePort}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PORTAL_ADDR: `127.0.0.1:${idlePort}`,
        PORTAL_DATA_DIR: process.env.E2E_IDLE_DATA_DIR,
        PORTAL_PATIENT_IDLE_TIMEOUT: "6s",
        LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "../target/site",
        RUST_LOG: process.env.PORTAL_LOG ?? "warn",
      },
    },
  ],
});

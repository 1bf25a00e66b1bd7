import { expect, test, type Page } from "@playwright/test";
import { hydrated } from "./portal";

const ZH_TITLE = "查看谁打开了您的病历，以及原因";
const EN_TITLE = "See who opened your medical record, and why";

/** Collects console errors and uncaught exceptions of a page. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

test.describe("with JavaScript", () => {
  test.use({ locale: "zh-CN" });

  test("landing page hydrates and switches language in place", async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-Hans");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(ZH_TITLE);
    await expect(page.getByText("示范医院")).toBeVisible();
    await hydrated(page);

    // A marker on window survives only if the switch happens without a page load,
    // i.e. the hydrated app handled it.
    await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 42));
    await page.getByRole("button", { name: /English/ }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(EN_TITLE);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByText("Demo Hospital")).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker)).toBe(42);

    // The choice is remembered.
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(EN_TITLE);
    await hydrated(page);

    // And back.
    await page.getByRole("button", { name: /简体中文/ }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(ZH_TITLE);

    expect(errors).toEqual([]);
  });

  test("unknown address shows a localised 404 page", async ({ page }) => {
    const errors = collectErrors(page);
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("找不到该页面");
    await hydrated(page);
    // The browser reports the page's own 404 status as a console error; nothing else may fail.
    expect(errors.filter((error) => !error.includes("status of 404"))).toEqual([]);
  });

  test("keyboard: the skip link comes first and leads to the main content", async ({ page }) => {
    await page.goto("/");
    await hydrated(page);
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "跳到主要内容" });
    await expect(skip).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/#main$/);
  });
});

test.describe("on a 360 px wide phone", () => {
  test.use({ viewport: { width: 360, height: 740 }, locale: "en-GB" });

  test("nothing overflows sideways and the switcher is reachable", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(EN_TITLE);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const switcher = page.getByRole("button", { name: /简体中文/ });
    await expect(switcher).toBeInViewport();
    const box = await switcher.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false, locale: "zh-CN" });

  test("the language switch still works as a plain form", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(ZH_TITLE);
    await page.getByRole("button", { name: /English/ }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(EN_TITLE);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
  });
});

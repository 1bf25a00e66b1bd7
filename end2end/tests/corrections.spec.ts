// A demo patient finds a wrong allergy and asks for a correction with a photo; a records
// officer (in English) extends the time once, then accepts it; the patient sees the
// amendment, and the "applied" mark once the hospital's record system completes the Task.
// The patient's part runs on a 360 px phone in Chinese, with JavaScript on and off.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { enrolledPage, fitsTheScreen, mainPortal, portalCli } from "./portal";

/** A JPEG drawn by the browser, with an EXIF block naming a GPS position put in front. */
async function photoWithGps(browser: Browser): Promise<Buffer> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 48;
    const draw = canvas.getContext("2d");
    if (draw) {
      draw.fillStyle = "#c33";
      draw.fillRect(0, 0, 64, 48);
    }
    return canvas.toDataURL("image/jpeg", 0.9);
  });
  await context.close();
  const jpeg = Buffer.from(dataUrl.split(",")[1], "base64");
  // TIFF header, IFD0 pointing at a GPS IFD, GPSLatitudeRef "N" and GPSLatitude 31/1 13/1 4567/100.
  const tiff = Buffer.from([
    0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8,
    0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0,
    0, 2, 0, 1, 0, 2, 0, 0, 0, 2, 0x4e, 0, 0, 0, 0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 56, 0, 0, 0, 0,
    0, 0, 0, 31, 0, 0, 0, 1, 0, 0, 0, 13, 0, 0, 0, 1, 0, 0, 0x11, 0xd7, 0, 0, 0, 100,
  ]);
  const app1Body = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(app1Body.length + 2);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), length, app1Body, jpeg.subarray(2)]);
}

/** The patient's phone: with JavaScript, or without (the session moved over from the
 * passkey ceremony, which needs it). */
async function patientPhone(browser: Browser, link: string, javaScript: boolean): Promise<Page> {
  const page = await enrolledPage(browser, link);
  if (javaScript) {
    return page;
  }
  const state = await page.context().storageState();
  await page.context().close();
  const context = await browser.newContext({
    javaScriptEnabled: false,
    locale: "zh-CN",
    viewport: { width: 360, height: 740 },
    storageState: state,
  });
  return context.newPage();
}

/** The patient asks for the correction with the photo; returns the request's reference. */
async function patientAsks(page: Page, photo: Buffer, substance: string): Promise<string> {
  await page.goto("/record");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("我的病历");
  await fitsTheScreen(page);
  const allergy = page.locator("li.record-entry", { hasText: substance });
  await expect(allergy).toBeVisible();
  await allergy.getByRole("link", { name: /^申请更正\s*:\s*过敏原$/ }).click();
  await expect(page).toHaveURL(/\/record\/requests\/new\?entry=\d+&field=substance/);
  await expect(page.getByLabel(new RegExp(`^过敏原\\s*:\\s*${substance}$`))).toBeChecked();
  await fitsTheScreen(page);
  // Nothing typed as the reason: refused in words, and the proposal stays.
  await page.locator("#proposed").fill("头孢类抗生素");
  await page.locator("#reason").fill(" ");
  await page.locator("form:has(#proposed) button[type=submit]").click();
  await expect(page.getByRole("alert")).toContainText("请写下理由");
  await expect(page.locator("#proposed")).toHaveValue("头孢类抗生素");
  await page.locator("#reason").fill("2024年5月皮试阳性的是头孢，不是青霉素");
  await page.locator("form:has(#proposed) button[type=submit]").click();
  await expect(page).toHaveURL(/\/record\/requests\/CR-\d{4}-\d+\?filed=1/);
  await expect(page.getByRole("status")).toContainText("您的申请已收到");
  const reference = new URL(page.url()).pathname.split("/").pop() ?? "";

  // The photo: type checked by content; its EXIF location removed before it is stored.
  await page.locator("#evidence").setInputFiles({ name: "皮试.jpg", mimeType: "image/jpeg", buffer: photo });
  await page.locator("form:has(#evidence) button[type=submit]").click();
  await expect(page).toHaveURL(/added=1/);
  const file = page.locator("#files a[download]");
  await expect(file).toHaveText("皮试.jpg");
  const stored = await (await page.request.get((await file.getAttribute("href")) ?? "")).body();
  expect(stored.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  expect(stored.includes(Buffer.from("Exif", "latin1"))).toBe(false);
  expect(photo.includes(Buffer.from("Exif", "latin1"))).toBe(true);
  await fitsTheScreen(page);
  return reference;
}

/** A records officer, in English, extends the request once and then accepts it. */
async function officerAnswers(browser: Browser, reference: string) {
  const link = portalCli(mainPortal(), [
    "invite-staff", "--name", "Records Officer", "--email", `records-${Date.now()}@example.org`,
    "--role", "records_officer", "--locale", "en",
  ]);
  const page = await enrolledPage(browser, link, "en-GB");
  await page.goto("/staff/corrections");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Correction requests");
  await page.getByRole("link", { name: reference }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Reference ${reference}`);
  await expect(page.getByText("头孢类抗生素").first()).toBeVisible();
  await page.locator("#extend-days").fill("14");
  await page.locator("#extend-reason").fill("We must check with the department that recorded it.");
  await page.getByRole("button", { name: "Extend" }).click();
  await expect(page.getByRole("status")).toContainText("Extended: the patient sees the new date");
  await expect(page.locator("#extend-days")).toHaveCount(0);
  await page.getByLabel("Accepted", { exact: true }).check();
  await expect(page.locator("#decide-amended")).toHaveValue("头孢类抗生素");
  await page.getByRole("button", { name: "Record the decision" }).click();
  await expect(page.getByRole("status")).toContainText("Decision recorded");
  await expect(page.getByRole("button", { name: "Record the decision" })).toHaveCount(0);
  await page.context().close();
}

async function journey(browser: Browser, mrn: string, name: string, substance: string, javaScript: boolean) {
  const portal = mainPortal();
  const photo = await photoWithGps(browser);
  const link = portalCli(portal, ["invite-patient", "--mrn", mrn, "--name", name, "--locale", "zh-Hans"]);
  const page = await patientPhone(browser, link, javaScript);
  const reference = await patientAsks(page, photo, substance);

  await officerAnswers(browser, reference);

  // The patient sees the extension's reason, the decision and the amendment.
  await page.goto(`/record/requests/${reference}`);
  await expect(page.getByText("We must check with the department that recorded it.")).toBeVisible();
  await expect(page.getByText("已接受").first()).toBeVisible();
  await page.goto("/record");
  const allergy = page.locator("li.record-entry", { hasText: substance });
  await expect(allergy.locator(".record-note")).toContainText("已更正为: 头孢类抗生素");
  await expect(allergy.locator(".record-note .badge")).toHaveCount(0);

  // The hospital's record system reads the Task and marks it completed.
  const token = portalCli(portal, ["add-source", "--name", `e2e-emr-${Date.now()}`, "--scope", "record"]);
  const auth = { authorization: `Bearer ${token}` };
  const open = await (await page.request.get("/fhir/r4/Task?status=requested", { headers: auth })).json();
  const task = open.entry.find((e: { resource: { id: string } }) => e.resource.id === reference).resource;
  expect(task.focus.reference).toMatch(/^AllergyIntolerance\//);
  const done = await page.request.fetch(`/fhir/r4/Task/${reference}`, {
    method: "PATCH",
    headers: { ...auth, "content-type": "application/json-patch+json" },
    data: JSON.stringify([{ op: "replace", path: "/status", value: "completed" }]),
  });
  expect(done.status()).toBe(200);
  await page.reload();
  await expect(allergy.locator(".record-note .badge")).toContainText("已写入医院病历系统");
  await fitsTheScreen(page);
  await page.context().close();
}

test.use({ locale: "zh-CN" });

test("a patient corrects a wrong allergy with a photo; the officer extends and accepts; the hospital applies it", async ({ browser }) => {
  test.setTimeout(120_000);
  // 张伟's record says penicillin; his allergy is to cephalosporins.
  await journey(browser, "P000001", "张伟", "青霉素", true);
});

test("the same, with JavaScript off on the patient's phone", async ({ browser }) => {
  test.setTimeout(120_000);
  await journey(browser, "P000005", "刘建国", "碘造影剂", false);
});

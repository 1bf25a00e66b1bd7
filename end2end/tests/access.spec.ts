import { expect, test } from "@playwright/test";
import { enrolledPage, fitsTheScreen, hydrated, invitePatient, mainPortal, portalCli } from "./portal";

test.use({ locale: "zh-CN" });

test("a patient questions an unusual access and the privacy officer answers", async ({ browser }) => {
  const portal = mainPortal();
  // The demo patient 张伟 (seeded with months of history) gets a fresh link.
  const patientLink = portalCli(portal, [
    "invite-patient", "--mrn", "P000001", "--name", "张伟", "--locale", "zh-Hans",
  ]);
  const patient = await enrolledPage(browser, patientLink);
  const errors: string[] = [];
  patient.on("pageerror", (error) => errors.push(error.message));

  await patient.getByRole("link", { name: "谁看了我的病历" }).click();
  await expect(patient.getByRole("heading", { level: 1 })).toHaveText("谁看了我的病历");
  await hydrated(patient);
  const entries = patient.locator("li.access-entry");
  await expect(entries.first()).toBeVisible();
  const all = await entries.count();
  expect(all).toBeGreaterThan(10);
  // The charts: drawn bars, and the same numbers as tables for screen readers.
  const months = patient.getByRole("figure", { name: "每月访问次数" });
  await expect(months).toBeVisible();
  expect(await months.locator("rect").count()).toBeGreaterThan(3);
  await expect(patient.getByRole("table", { name: "各科室访问次数" })).toBeAttached();
  await fitsTheScreen(patient);

  // An ordinary access says why it was normal: the doctor was named in that visit.
  const doctor = entries.filter({ hasText: "李明" }).first();
  await doctor.locator("summary").first().click();
  await expect(doctor.getByRole("heading", { name: "为什么这是正常的" })).toBeVisible();
  await expect(doctor.getByText(/^李明是您\d{4}-\d\d-\d\d在心血管内科的就诊中登记的医务人员。$/)).toBeVisible();

  // Filter: only unusual accesses. Every entry left carries the mark.
  await patient.getByLabel("只看异常访问").check();
  await patient.getByRole("button", { name: "显示", exact: true }).click();
  await expect(patient).toHaveURL(/unusual=1/);
  await hydrated(patient);
  await expect(patient.getByLabel("只看异常访问")).toBeChecked();
  const unusual = await entries.count();
  expect(unusual).toBeGreaterThan(0);
  expect(unusual).toBeLessThan(all);
  await expect(patient.locator("li.access-entry--unusual")).toHaveCount(unusual);

  // Open the access by a nurse who shares his surname and read why it is marked.
  const entry = entries.filter({ hasText: "张敏" });
  await expect(entry).toHaveCount(1);
  await entry.locator("summary").first().click();
  await expect(entry.getByText("这位工作人员与您同姓，可能是您的亲属。")).toBeVisible();
  await expect(entry.getByText("为您诊疗")).toBeVisible();
  // Flagged, and normal all the same: his cardiology visit covered her department.
  await expect(entry.getByRole("heading", { name: "为什么这是正常的" })).toBeVisible();
  await expect(entry.getByText(/^心血管内科当时在诊治您：\d{4}-\d\d-\d\d开始的就诊。$/)).toBeVisible();
  await fitsTheScreen(patient);

  // "I don't recognise this", in the patient's own words.
  await entry.getByText("我不认识这次访问").click();
  const question = entry.getByLabel("您希望隐私保护专员核实什么？");
  await question.fill("我不认识这位护士，那天我没有去医院。");
  await entry.getByRole("button", { name: "发送给隐私保护专员" }).click();
  await expect(entry.getByText("您的问题", { exact: true })).toBeVisible();
  await expect(entry.getByText("我不认识这位护士，那天我没有去医院。")).toBeVisible();
  await expect(entry.getByText("待隐私保护专员处理")).toBeVisible();

  // The privacy officer finds it at the top of the queue.
  const officerLink = portalCli(portal, [
    "invite-staff", "--name", "吴刚", "--email", "s8001@example.org",
    "--role", "privacy_officer", "--staff-number", "S8001",
  ]);
  const officer = await enrolledPage(browser, officerLink);
  await officer.getByRole("link", { name: "访问审核" }).click();
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText("访问审核");
  await hydrated(officer);
  const first = officer.locator("ol.reviews > li").first();
  await expect(first).toContainText("张伟");
  await expect(first).toContainText("我不认识这位护士，那天我没有去医院。");
  await expect(first).toContainText("需要现在审阅");
  await fitsTheScreen(officer);

  // The queue is of cases: one person's accesses to one patient on one day, with why the
  // case ranks where it does. The oncologist's three looks that morning are one case.
  await expect(officer.getByRole("navigation", { name: "审核队列分页" }).first())
    .toContainText(/\d+ 个待处理案例，其中 \d+ 个需要现在审阅/);
  const grouped = officer.locator("ol.reviews > li").filter({ hasText: "陈静" }).filter({ hasText: "张伟" });
  await expect(grouped).toHaveCount(1);
  await expect(grouped.locator("li.access-entry")).toHaveCount(3);
  await expect(grouped).toContainText("需要现在审阅");
  await expect(grouped).toContainText("在患者的诊疗记录中找不到原因的访问：3 次。");
  await expect(grouped).toContainText("访问前后一天内，患者不在任何科室的诊疗中。");

  // A decision needs a note; with one it is recorded.
  await first.getByLabel("处理说明").fill("张敏当天在心内科值班，为预约核对信息，已向患者说明。");
  await first.getByRole("button", { name: "标为已说明" }).click();
  await expect(officer.getByText("已记录。")).toBeVisible();

  // The patient sees where their question stands.
  await patient.goto("/access-log?unusual=1");
  const answered = patient.locator("li.access-entry").filter({ hasText: "张敏" });
  await answered.locator("summary").first().click();
  await expect(answered.getByText("已核实并说明")).toBeVisible();

  // Alerts and watch list. The email on file survived the new link (no "no email" notice).
  await patient.getByRole("link", { name: "提醒与关注名单" }).click();
  await expect(patient.getByRole("heading", { level: 1 })).toHaveText("提醒与关注名单");
  await hydrated(patient);
  await expect(patient.getByText("医院没有登记您的电子邮箱")).toHaveCount(0);
  await expect(patient.getByLabel("有异常访问时立即发邮件")).toBeChecked();
  await patient.getByLabel("每周发一封汇总邮件").check();
  await patient.getByRole("button", { name: "保存", exact: true }).click();
  await expect(patient.getByText("已保存。")).toBeVisible();
  await patient.getByLabel("姓名").fill("刘洋");
  await patient.getByRole("button", { name: "加入关注名单" }).click();
  await expect(patient.locator("li.watch-list__item")).toHaveText(/刘洋/);
  await patient.reload();
  await expect(patient.getByLabel("每周发一封汇总邮件")).toBeChecked();
  await fitsTheScreen(patient);
  expect(errors).toEqual([]);
});

test("a hospital system gone silent is shown on patients' logs and to the privacy officer", async ({ browser }) => {
  const portal = mainPortal();
  // The demo's laboratory system reported every five minutes, then stopped two hours ago.
  const patient = await enrolledPage(browser, invitePatient(portal, "Emily Carter", {}, "en"), "en-GB");
  await patient.goto("/access-log");
  await hydrated(patient);
  const notice = patient.getByRole("region", { name: "This log may be incomplete" });
  await expect(notice).toContainText(/System demo-lis has not reported since \d{4}-\d\d-\d\d \d\d:\d\d/);
  await expect(notice).toContainText("accesses since then may be missing here until it does");
  await fitsTheScreen(patient);

  const officerLink = portalCli(portal, [
    "invite-staff", "--name", "周敏", "--email", "s8003@example.org",
    "--role", "privacy_officer", "--staff-number", "S8003",
  ]);
  const officer = await enrolledPage(browser, officerLink);
  await officer.goto("/staff/access-reviews");
  await hydrated(officer);
  const feeds = officer.getByRole("region", { name: "报送异常的医院系统" });
  await expect(feeds).toContainText(/系统 demo-lis 自 \d{4}-\d\d-\d\d \d\d:\d\d 起未再报送访问记录，间隔远长于平常。/);
  await fitsTheScreen(officer);
});

//! Complaints over real HTTP: a patient's "I don't recognise this" becomes a complaint
//! that links its entry; the case goes through every stage, each step refused (403) to the
//! wrong role and taken by the right one, with a send-back by the approver; rejection,
//! withdrawal and resolution on the spot; notes the patient sees and internal ones they
//! never see; another patient gets 404 everywhere; every staff view is in the patient's
//! log; a late step escalates once with two workers.

use app::complaints::server::worker::send_due;
use app::identity::types::Role;
use app::ssr::clock::Clock;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, enroll_staff, invite};
use crate::on_both_backends;
use crate::tables;

/// A patient with one access in their log (from the paediatrics department), the staff
/// who handle complaints, and a second investigator who does not lead the case (to whom
/// it is "not found").
pub(crate) struct Case {
    patient: String,
    mrn: String,
    event: i64,
    department: i64,
    pub(crate) officer: String,
    investigator: String,
    investigator_id: i64,
    other_investigator: String,
    pub(crate) approver: String,
}

pub(crate) async fn case(app: &TestApp) -> Case {
    let department = app::hospital::server::service::upsert_department(
        &app.state.db,
        &app::hospital::server::service::NewDepartment {
            code: "PED".into(),
            name_zh_hans: "儿科".into(),
            name_en: "Paediatrics".into(),
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    let token = app.add_source("his").await;
    let (id, invitation) = invite(app, "投诉患者").await;
    let (_, patient) = enroll(app, &invitation).await;
    let mrn = app.mrn_of(id).await;
    let access = json!({
        "resourceType": "AuditEvent", "id": "look-1",
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110"},
        "action": "R", "recorded": "2026-11-17T22:40:00+08:00",
        "agent": [{"who": {"identifier": {"value": "S9"}, "display": "医生S9"}, "requestor": true,
                   "location": {"identifier": {"value": "PED"}}}],
        "source": {"observer": {"display": "HIS"}},
        "entity": [{"what": {"identifier": {"value": mrn}}, "role": {"code": "1"}}]
    });
    let body = Some((access.to_string(), "application/fhir+json"));
    let (status, _) = app
        .fhir(reqwest::Method::POST, "/AuditEvent", &token, body)
        .await;
    assert_eq!(status, 201);
    let page = call(
        app,
        "access/page",
        &[("filter[unusual_only]", "false")],
        Some(&patient),
    )
    .await;
    let event = page.body["entries"][0]["id"].as_i64().expect("an entry");
    let officer = enroll_staff(app, "privacy@example.org", Role::PrivacyOfficer).await;
    let investigator = enroll_staff(app, "lead@example.org", Role::Investigator).await;
    let other_investigator = enroll_staff(app, "other@example.org", Role::Investigator).await;
    let approver = enroll_staff(app, "approver@example.org", Role::Approver).await;
    let investigator_id = app::accounts::server::query::by_email(&app.state.db, "lead@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    Case {
        patient,
        mrn,
        event,
        department,
        officer,
        investigator,
        investigator_id,
        other_investigator,
        approver,
    }
}

impl Case {
    /// Files a complaint about the patient's access; returns its reference.
    pub(crate) async fn file(&self, app: &TestApp) -> String {
        let entry = format!("complaint[entries][e{}]", self.event);
        let department = self.department.to_string();
        let filed = call(
            app,
            "complaints/file",
            &[
                ("complaint[kind]", "looked"),
                (
                    "complaint[account]",
                    "儿科的医生深夜查看了我的病历，我不认识他",
                ),
                ("complaint[happened_on]", "2026-11-17"),
                ("complaint[department]", &department),
                ("complaint[place]", ""),
                (&entry, "on"),
            ],
            Some(&self.patient),
        )
        .await;
        assert_eq!(filed.status, 200, "{:?}", filed.body);
        filed.body.as_str().unwrap().to_owned()
    }

    async fn as_patient(&self, app: &TestApp, reference: &str) -> Value {
        let seen = call(
            app,
            "complaints/one",
            &[("reference", reference)],
            Some(&self.patient),
        )
        .await;
        assert_eq!(seen.status, 200, "{:?}", seen.body);
        seen.body
    }
}

async fn emails(app: &TestApp, template: &str) -> Vec<app::ssr::outbox::Model> {
    app::ssr::outbox::Entity::find()
        .filter(app::ssr::outbox::Column::Template.eq(template))
        .order_by_asc(app::ssr::outbox::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
}

/// Entries of category `complaint` with `action` in the patient's log.
async fn logged(app: &TestApp, mrn: &str, action: &str) -> usize {
    tables::events(
        &app.state.db,
        &[
            ("patient_mrn", mrn),
            ("category", "complaint"),
            ("action", action),
        ],
    )
    .await
    .len()
}

/// Posts a step; asserts its status.
async fn step(
    app: &TestApp,
    endpoint: &str,
    fields: &[(&str, &str)],
    who: &str,
    status: u16,
) -> Value {
    let answer = call(app, endpoint, fields, Some(who)).await;
    assert_eq!(answer.status, status, "{endpoint}: {:?}", answer.body);
    answer.body
}

async fn a_question_becomes_a_complaint_that_goes_through_every_stage(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    let event = c.event.to_string();
    step(
        &app,
        "access/ask",
        &[("event_id", &event), ("question", "我不认识这位医生")],
        &c.patient,
        200,
    )
    .await;
    // The form starts from the question, with the entry.
    let form = step(
        &app,
        "complaints/form",
        &[("entry", &event)],
        &c.patient,
        200,
    )
    .await;
    assert_eq!(form["question"], "我不认识这位医生");
    assert_eq!(form["from_entry"], c.event);

    // Refusals name their field.
    for (field, value, named) in [
        ("complaint[kind]", "gossip", "kind"),
        ("complaint[account]", "  ", "account"),
        ("complaint[happened_on]", "2027-01-01", "happened_on"),
        ("complaint[department]", "99999", "department"),
    ] {
        let mut fields = vec![
            ("complaint[kind]", "looked"),
            ("complaint[account]", "经过"),
        ];
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        let refused = step(&app, "complaints/file", &fields, &c.patient, 400).await;
        assert_eq!(refused["field"], named);
    }

    let r = c.file(&app).await;
    assert_eq!(r, "CP-2026-00001");
    let seen = c.as_patient(&app, &r).await;
    assert_eq!(seen["state"], "acknowledged");
    assert_eq!(
        seen["next_due"], "2026-11-25",
        "5 working days from Wednesday"
    );
    assert_eq!(seen["entries"][0]["id"], c.event);
    assert_eq!(
        seen["entries"][0]["question"]["text"], "我不认识这位医生",
        "the question stays"
    );
    let steps: Vec<&str> = seen["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["received", "acknowledged"]);
    let acknowledged = emails(&app, "complaint_acknowledged").await;
    assert_eq!(acknowledged.len(), 1);
    assert!(acknowledged[0].body_text.contains(&r));
    assert!(
        !acknowledged[0].body_text.contains("儿科的医生"),
        "no content in email"
    );

    the_staff_work_the_case(&app, &c, &r).await;
    the_patient_and_the_log_see_the_end(&app, &c, &r).await;
}
on_both_backends!(a_question_becomes_a_complaint_that_goes_through_every_stage);

/// Verification, investigation, the plan sent back and approved, notes, measures,
/// an improvement action, feedback and closure: each step refused to the wrong role.
async fn the_staff_work_the_case(app: &TestApp, c: &Case, r: &str) {
    verified_and_investigated(app, c, r).await;
    evidence_and_findings(app, c, r).await;
    plan_sent_back_then_approved(app, c, r).await;
    notes_for_the_patient_and_internal_ones(app, c, r).await;
    measures_feedback_and_closure(app, c, r).await;
}

/// A privacy officer verifies; the lead investigator records evidence and findings.
async fn verified_and_investigated(app: &TestApp, c: &Case, r: &str) {
    let r = r.to_owned();
    let reference = [("reference", r.as_str())];
    // Only a privacy officer starts the verification.
    for who in [&c.patient, &c.investigator, &c.approver] {
        step(app, "complaints/begin-verification", &reference, who, 403).await;
    }
    step(
        app,
        "complaints/begin-verification",
        &reference,
        &c.officer,
        200,
    )
    .await;
    step(
        app,
        "complaints/begin-verification",
        &reference,
        &c.officer,
        400,
    )
    .await;

    // The verification opens an investigation with a lead and a team.
    let lead = c.investigator_id.to_string();
    let team = format!("verify[team][d{}]", c.department);
    let verify = |lead: &str| {
        vec![
            ("verify[reference]".to_owned(), r.clone()),
            ("verify[scope]".to_owned(), "门诊病历、检验结果".to_owned()),
            ("verify[spread]".to_owned(), "仅本院儿科".to_owned()),
            ("verify[outcome]".to_owned(), "investigate".to_owned()),
            ("verify[lead]".to_owned(), lead.to_owned()),
            (team.clone(), "on".to_owned()),
        ]
    };
    let fields = verify("");
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        step(app, "complaints/verify", &pairs, &c.officer, 400).await["field"],
        "lead"
    );
    let fields = verify(&lead);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    step(app, "complaints/verify", &pairs, &c.investigator, 403).await;
    step(app, "complaints/verify", &pairs, &c.officer, 200).await;
    assert_eq!(
        emails(app, "complaint_assigned").await[0].recipient,
        "lead@example.org"
    );
    assert_eq!(c.as_patient(app, &r).await["state"], "investigation");
}

/// The lead investigator records evidence (a log extract from the portal's own log, an
/// interview) and the findings; nobody else may.
async fn evidence_and_findings(app: &TestApp, c: &Case, r: &str) {
    let r = r.to_owned();
    let reference = [("reference", r.as_str())];
    // Evidence: a log extract pulled from the portal's own log, and an interview.
    let extract = [
        ("evidence[reference]", r.as_str()),
        ("evidence[kind]", "log_extract"),
        ("evidence[title]", "11月17日访问记录"),
        ("evidence[body]", ""),
        ("evidence[from]", "2026-11-17"),
        ("evidence[to]", "2026-11-17"),
    ];
    step(
        app,
        "complaints/evidence",
        &extract,
        &c.other_investigator,
        404,
    )
    .await;
    step(app, "complaints/evidence", &extract, &c.investigator, 200).await;
    let interview = [
        ("evidence[reference]", r.as_str()),
        ("evidence[kind]", "interview"),
        ("evidence[title]", "与S9谈话"),
        ("evidence[body]", "S9承认出于好奇查看"),
    ];
    step(app, "complaints/evidence", &interview, &c.investigator, 200).await;
    let staff_view = step(
        app,
        "complaints/staff-view",
        &reference,
        &c.investigator,
        200,
    )
    .await;
    let evidence = staff_view["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2);
    assert!(
        evidence[0]["body"]
            .as_str()
            .unwrap()
            .contains(&format!("#{}", c.event)),
        "{}",
        evidence[0]["body"]
    );

    // Findings: only the lead investigator.
    let findings = [
        ("reference", r.as_str()),
        ("findings", "S9无诊疗关系查看病历"),
    ];
    step(app, "complaints/conclude", &findings, &c.approver, 403).await;
    step(
        app,
        "complaints/conclude",
        &findings,
        &c.other_investigator,
        404,
    )
    .await;
    step(app, "complaints/conclude", &findings, &c.investigator, 200).await;
}

/// The plan, sent back once by the approver, then approved.
async fn plan_sent_back_then_approved(app: &TestApp, c: &Case, r: &str) {
    let r = r.to_owned();
    // The plan, sent back once by the approver, then approved.
    let plan = [
        ("plan[reference]", r.as_str()),
        ("plan[patient]", "书面道歉，告知处理结果"),
        ("plan[accountability]", "对S9通报批评"),
        ("plan[improvement]", "儿科隐私培训"),
    ];
    step(app, "complaints/plan", &plan, &c.investigator, 200).await;
    assert_eq!(
        emails(app, "complaint_plan_waiting").await[0].recipient,
        "approver@example.org"
    );
    let approve = [
        ("reference", r.as_str()),
        ("decision", "approve"),
        ("reason", ""),
    ];
    step(app, "complaints/decide-plan", &approve, &c.officer, 403).await;
    step(
        app,
        "complaints/decide-plan",
        &approve,
        &c.investigator,
        403,
    )
    .await;
    let bare = [
        ("reference", r.as_str()),
        ("decision", "send_back"),
        ("reason", " "),
    ];
    assert_eq!(
        step(app, "complaints/decide-plan", &bare, &c.approver, 400).await["field"],
        "reason"
    );
    let back = [
        ("reference", r.as_str()),
        ("decision", "send_back"),
        ("reason", "请补充对患者的赔偿说明"),
    ];
    step(app, "complaints/decide-plan", &back, &c.approver, 200).await;
    assert_eq!(
        emails(app, "complaint_sent_back").await[0].recipient,
        "lead@example.org"
    );
    assert_eq!(c.as_patient(app, &r).await["state"], "plan");
    step(app, "complaints/plan", &plan, &c.investigator, 200).await;
    step(app, "complaints/decide-plan", &approve, &c.approver, 200).await;
    let seen = c.as_patient(app, &r).await;
    assert_eq!(seen["state"], "measures");
    assert_eq!(seen["plan_patient"], "书面道歉，告知处理结果");
}

/// Notes: the patient reads the one meant for them, never the internal one.
async fn notes_for_the_patient_and_internal_ones(app: &TestApp, c: &Case, r: &str) {
    let r = r.to_owned();
    // Notes: the patient reads the one meant for them, never the internal one.
    let internal = [
        ("reference", r.as_str()),
        ("body", "S9此前有类似记录"),
        ("visibility", "internal"),
    ];
    let for_patient = [
        ("reference", r.as_str()),
        ("body", "我们已约谈相关人员"),
        ("visibility", "patient"),
    ];
    let unchosen = [
        ("reference", r.as_str()),
        ("body", "未选择"),
        ("visibility", ""),
    ];
    assert_eq!(
        step(app, "complaints/note", &unchosen, &c.investigator, 400).await["field"],
        "visibility"
    );
    step(app, "complaints/note", &internal, &c.investigator, 200).await;
    step(app, "complaints/note", &for_patient, &c.investigator, 200).await;
    step(app, "complaints/note", &internal, &c.patient, 403).await;
    step(
        app,
        "complaints/message",
        &[("reference", r.as_str()), ("body", "谢谢")],
        &c.patient,
        200,
    )
    .await;
    let seen = c.as_patient(app, &r).await;
    let bodies: Vec<&str> = seen["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["我们已约谈相关人员", "谢谢"]);
    let wrote = emails(app, "complaint_patient_wrote").await;
    assert_eq!(wrote.len(), 1);
    assert_eq!(
        wrote[0].recipient, "lead@example.org",
        "the lead hears the patient"
    );
    assert!(!wrote[0].body_text.contains("谢谢"), "not what they wrote");
    assert_eq!(emails(app, "complaint_note").await.len(), 1);
}

/// Measures, an improvement action, feedback, closure.
async fn measures_feedback_and_closure(app: &TestApp, c: &Case, r: &str) {
    let r = r.to_owned();
    let reference = [("reference", r.as_str())];
    let lead = c.investigator_id.to_string();
    // Measures, an improvement action, feedback, closure.
    let measures = [
        ("reference", r.as_str()),
        ("measures", "已书面道歉并通报处理结果"),
    ];
    step(app, "complaints/measures", &measures, &c.officer, 403).await;
    step(app, "complaints/measures", &measures, &c.investigator, 200).await;
    let action = [
        ("action[reference]", r.as_str()),
        ("action[description]", "儿科全员隐私培训"),
        ("action[owner]", lead.as_str()),
        ("action[due_on]", "2026-12-31"),
    ];
    step(app, "complaints/action", &action, &c.investigator, 403).await;
    step(app, "complaints/action", &action, &c.officer, 200).await;
    assert_eq!(
        emails(app, "complaint_action_assigned").await[0].recipient,
        "lead@example.org"
    );
    let action_id = step(app, "complaints/staff-view", &reference, &c.officer, 200).await
        ["actions"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let done = [
        ("action_id", action_id.as_str()),
        ("effect", "培训考核全部通过"),
    ];
    step(app, "complaints/action-done", &done, &c.officer, 200).await;
    step(app, "complaints/action-done", &done, &c.officer, 400).await;
    let feedback = [
        ("reference", r.as_str()),
        ("satisfied", "yes"),
        ("comment", ""),
    ];
    step(app, "complaints/feedback", &feedback, &c.patient, 200).await;
    let answered = emails(app, "complaint_feedback").await;
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0].recipient, "privacy@example.org");
    step(app, "complaints/feedback", &feedback, &c.patient, 400).await;
    let close = [
        ("close[reference]", r.as_str()),
        ("close[outcome]", "投诉属实，已处理"),
        ("close[root_cause]", "insider"),
        ("close[chain_link]", "use"),
    ];
    step(app, "complaints/close", &close, &c.approver, 403).await;
    step(app, "complaints/close", &close, &c.officer, 200).await;

    let seen = c.as_patient(app, &r).await;
    assert_eq!(seen["state"], "closed");
    assert_eq!(seen["outcome"], "投诉属实，已处理");
    assert_eq!(seen["feedback"]["satisfied"], true);
    assert!(seen["next_due"].is_null());
    let steps: Vec<&str> = seen["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "received",
            "acknowledged",
            "verification_started",
            "investigation_opened",
            "plan_submitted",
            "plan_submitted",
            "approved",
            "measures_done",
            "feedback",
            "closed"
        ],
        "the patient's timeline leaves out the staff's working steps"
    );
    assert!(
        !seen.to_string().contains("S9此前有类似记录"),
        "no internal note"
    );
    assert!(
        !seen.to_string().contains("请补充对患者的赔偿说明"),
        "no send-back reason"
    );
}

/// What the patient sees of the closed case, and what the log holds.
async fn the_patient_and_the_log_see_the_end(app: &TestApp, c: &Case, r: &str) {
    let r = r.to_owned();
    // Every stage the patient sees was emailed: verification, investigation, plan,
    // approval, plan again, approval again, measures, follow-up, closed.
    assert_eq!(emails(app, "complaint_stage").await.len(), 9);

    // Every staff view and step is in the patient's log, in the same transaction.
    assert_eq!(logged(app, &c.mrn, "view").await, 2, "two staff views");
    assert!(logged(app, &c.mrn, "update").await >= 12);
    let staff_page = app
        .client
        .get(app.url(&format!("/staff/complaints/{r}")))
        .header("cookie", format!("__Host-portal_session={}", c.officer))
        .send()
        .await
        .unwrap();
    assert_eq!(staff_page.status().as_u16(), 200);
    assert!(staff_page
        .text()
        .await
        .unwrap()
        .contains("S9此前有类似记录"));
    assert_eq!(logged(app, &c.mrn, "view").await, 3, "the page view too");
    let patient_page = app
        .client
        .get(app.url(&format!("/complaints/{r}")))
        .header("cookie", format!("__Host-portal_session={}", c.patient))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        patient_page.contains("投诉属实，已处理") && !patient_page.contains("S9此前有类似记录")
    );
}

async fn rejected_withdrawn_and_resolved_on_the_spot(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    // Rejected with a reason the patient reads.
    let first = c.file(&app).await;
    let reject = [
        ("reference", first.as_str()),
        ("reason", "不属于隐私投诉，请联系医务处"),
    ];
    step(&app, "complaints/reject", &reject, &c.approver, 403).await;
    step(&app, "complaints/reject", &reject, &c.officer, 200).await;
    let seen = c.as_patient(&app, &first).await;
    assert_eq!(seen["state"], "rejected");
    assert_eq!(seen["rejection_reason"], "不属于隐私投诉，请联系医务处");
    assert_eq!(seen["may_withdraw"], false);
    let late = [("reference", first.as_str()), ("reason", "")];
    assert_eq!(
        step(&app, "complaints/withdraw", &late, &c.patient, 400).await["field"],
        "stage"
    );

    // Withdrawn by the patient while it is investigated.
    let second = c.file(&app).await;
    step(
        &app,
        "complaints/begin-verification",
        &[("reference", second.as_str())],
        &c.officer,
        200,
    )
    .await;
    let withdraw = [
        ("reference", second.as_str()),
        ("reason", "已与医生沟通解决"),
    ];
    step(&app, "complaints/withdraw", &withdraw, &c.patient, 200).await;
    let seen = c.as_patient(&app, &second).await;
    assert_eq!(seen["state"], "withdrawn");
    assert_eq!(
        seen["timeline"].as_array().unwrap().last().unwrap()["note"],
        "已与医生沟通解决"
    );
    let verify_late = [
        ("verify[reference]", second.as_str()),
        ("verify[scope]", "x"),
        ("verify[spread]", "x"),
        ("verify[outcome]", "resolve"),
        ("verify[resolution]", "x"),
    ];
    assert_eq!(
        step(&app, "complaints/verify", &verify_late, &c.officer, 400).await["field"],
        "stage"
    );

    // Resolved on the spot at the preliminary verification, saying why; then follow-up.
    let third = c.file(&app).await;
    step(
        &app,
        "complaints/begin-verification",
        &[("reference", third.as_str())],
        &c.officer,
        200,
    )
    .await;
    let resolve = [
        ("verify[reference]", third.as_str()),
        ("verify[scope]", "门诊病历"),
        ("verify[spread]", "未扩散"),
        ("verify[outcome]", "resolve"),
        ("verify[resolution]", ""),
    ];
    assert_eq!(
        step(&app, "complaints/verify", &resolve, &c.officer, 400).await["field"],
        "resolution"
    );
    let resolve = [
        ("verify[reference]", third.as_str()),
        ("verify[scope]", "门诊病历"),
        ("verify[spread]", "未扩散"),
        ("verify[outcome]", "resolve"),
        (
            "verify[resolution]",
            "访问者为患者预约的接诊医生，已向患者说明",
        ),
    ];
    step(&app, "complaints/verify", &resolve, &c.officer, 200).await;
    let seen = c.as_patient(&app, &third).await;
    assert_eq!(
        (seen["state"].as_str(), seen["resolved_on_spot"].as_bool()),
        (Some("follow_up"), Some(true))
    );
    assert_eq!(seen["may_give_feedback"], true);
    assert!(seen["next_due"].is_null(), "no clock runs at follow-up");

    the_queue_lists_what_each_may_see(&app, &c, &first, &third).await;
}
on_both_backends!(rejected_withdrawn_and_resolved_on_the_spot);

/// The queue lists the open cases; the filters narrow it; an investigator sees only the
/// cases they lead.
async fn the_queue_lists_what_each_may_see(app: &TestApp, c: &Case, first: &str, third: &str) {
    // The queue: the open ones by due date; the filters narrow it.
    let queue = step(app, "complaints/queue", &[], &c.officer, 200).await;
    let listed: Vec<&str> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [third]);
    let all = step(
        app,
        "complaints/queue",
        &[("state", "all")],
        &c.officer,
        200,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let rejected = step(
        app,
        "complaints/queue",
        &[("state", "rejected")],
        &c.officer,
        200,
    )
    .await;
    assert_eq!(rejected["items"][0]["reference"], first);
    // An investigator sees only the cases they lead; none here.
    let theirs = step(
        app,
        "complaints/queue",
        &[("state", "all")],
        &c.investigator,
        200,
    )
    .await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
    step(
        app,
        "complaints/staff-view",
        &[("reference", first)],
        &c.investigator,
        404,
    )
    .await;
}

async fn another_patient_finds_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    let r = c.file(&app).await;
    let (_, invitation) = invite(&app, "别的患者").await;
    let (_, other) = enroll(&app, &invitation).await;
    let reference = [("reference", r.as_str())];
    for (endpoint, extra) in [
        ("complaints/one", vec![]),
        ("complaints/message", vec![("body", "x")]),
        ("complaints/withdraw", vec![("reason", "")]),
        ("complaints/feedback", vec![("satisfied", "yes")]),
    ] {
        let mut fields = reference.to_vec();
        fields.extend(extra);
        step(&app, endpoint, &fields, &other, 404).await;
    }
    // Linking someone else's access is refused by name, not by revealing it.
    let entry = format!("complaint[entries][e{}]", c.event);
    let refused = step(
        &app,
        "complaints/file",
        &[
            ("complaint[kind]", "other"),
            ("complaint[account]", "x"),
            (&entry, "on"),
        ],
        &other,
        400,
    )
    .await;
    assert_eq!(refused["field"], "entries");
    let form = step(
        &app,
        "complaints/form",
        &[("entry", &c.event.to_string())],
        &other,
        200,
    )
    .await;
    assert!(form["from_entry"].is_null() && form["question"].is_null());
    let cookie = format!("__Host-portal_session={other}");
    for path in [
        format!("/complaints/{r}"),
        format!("/complaints/{r}/files/1"),
    ] {
        let status = app
            .client
            .get(app.url(&path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, 404, "{path}");
    }
    let pdf = reqwest::multipart::Part::bytes(b"%PDF-1.7\n%%EOF\n".to_vec()).file_name("a.pdf");
    let upload = app
        .client
        .post(app.url(&format!("/complaints/{r}/files")))
        .header("origin", app.origin())
        .header("cookie", &cookie)
        .multipart(reqwest::multipart::Form::new().part("file", pdf))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status().as_u16(), 404);
    // The patient's own upload works, and a staff download is logged.
    let pdf = reqwest::multipart::Part::bytes(b"%PDF-1.7\n%%EOF\n".to_vec()).file_name("a.pdf");
    let upload = app
        .client
        .post(app.url(&format!("/complaints/{r}/files")))
        .header("origin", app.origin())
        .header("cookie", format!("__Host-portal_session={}", c.patient))
        .multipart(reqwest::multipart::Form::new().part("file", pdf))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status().as_u16(), 303);
    let file = c.as_patient(&app, &r).await["files"][0]["id"].clone();
    let before = logged(&app, &c.mrn, "view").await;
    let download = app
        .client
        .get(app.url(&format!("/staff/complaints/{r}/files/{file}")))
        .header("cookie", format!("__Host-portal_session={}", c.officer))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(logged(&app, &c.mrn, "view").await, before + 1);
}
on_both_backends!(another_patient_finds_nothing);

async fn a_late_verification_reminds_and_escalates_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    let r = c.file(&app).await;
    let run_two = || async {
        let (a, b) = tokio::join!(send_due(&app.state), send_due(&app.state));
        let (a, b) = (a.unwrap(), b.unwrap());
        (a.reminders + b.reminders, a.escalations + b.escalations)
    };
    assert_eq!(run_two().await, (0, 0));
    // Tuesday 24 November: within 2 days of the verification's due date (25th).
    app.clock.advance(time::Duration::days(6));
    assert_eq!(run_two().await, (1, 0));
    assert_eq!(run_two().await, (0, 0));
    let reminders = emails(&app, "complaint_reminder").await;
    assert_eq!(reminders.len(), 1);
    assert_eq!(
        reminders[0].recipient, "privacy@example.org",
        "nobody took it yet"
    );
    assert!(reminders[0].body_text.contains(&r));
    // Past the due date: one escalation to the privacy officers.
    app.clock.advance(time::Duration::days(2));
    assert_eq!(run_two().await, (0, 1));
    assert_eq!(run_two().await, (0, 0));
    assert_eq!(emails(&app, "complaint_overdue").await.len(), 1);
}
on_both_backends!(a_late_verification_reminds_and_escalates_once);

/// Files a complaint of `kind` for the case's patient (with the department, or without).
async fn file_kind(app: &TestApp, c: &Case, kind: &str, department: bool) -> String {
    let department = if department {
        c.department.to_string()
    } else {
        String::new()
    };
    let fields = [
        ("complaint[kind]", kind),
        ("complaint[account]", "经过"),
        ("complaint[department]", department.as_str()),
    ];
    step(app, "complaints/file", &fields, &c.patient, 200)
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

/// Resolves a complaint on the spot at once, for closing later.
async fn resolve(app: &TestApp, c: &Case, r: &str) {
    step(
        app,
        "complaints/begin-verification",
        &[("reference", r)],
        &c.officer,
        200,
    )
    .await;
    let fields = [
        ("verify[reference]", r),
        ("verify[scope]", "门诊病历"),
        ("verify[spread]", "未扩散"),
        ("verify[outcome]", "resolve"),
        ("verify[resolution]", "已说明"),
    ];
    step(app, "complaints/verify", &fields, &c.officer, 200).await;
}

/// Five complaints filed on 18 November: three resolved and closed after 2, 4 and 16 days
/// with their causes, one rejected, one left waiting. Returns a privacy officer's session.
async fn five_cases(app: &TestApp, c: &Case) -> String {
    let closing = [
        ("looked", true, 2, "insider", "use"),
        ("looked", false, 2, "insider", "use"),
        ("leak", true, 12, "process_gap", "storage"),
    ];
    let mut closed = Vec::new();
    for (kind, department, _, _, _) in closing {
        let r = file_kind(app, c, kind, department).await;
        resolve(app, c, &r).await;
        closed.push(r);
    }
    let rejected = file_kind(app, c, "images", false).await;
    step(
        app,
        "complaints/reject",
        &[
            ("reference", rejected.as_str()),
            ("reason", "不属于隐私投诉"),
        ],
        &c.officer,
        200,
    )
    .await;
    file_kind(app, c, "other", true).await;
    let mut officer = c.officer.clone();
    for (i, (r, (_, _, after, cause, link))) in closed.iter().zip(closing).enumerate() {
        app.clock.advance(time::Duration::days(after));
        // Sessions idle out over days: a privacy officer signing in afresh.
        officer = enroll_staff(
            app,
            &format!("officer{i}@example.org"),
            Role::PrivacyOfficer,
        )
        .await;
        let fields = [
            ("close[reference]", r.as_str()),
            ("close[outcome]", "已处理"),
            ("close[root_cause]", cause),
            ("close[chain_link]", link),
        ];
        step(app, "complaints/close", &fields, &officer, 200).await;
    }
    officer
}

async fn the_insights_count_what_the_cases_were(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    let officer = five_cases(&app, &c).await;
    let approver = enroll_staff(&app, "approver2@example.org", Role::Approver).await;
    // Now 4 December: the closures fell on 20 November, 22 November and 4 December.
    let view = step(&app, "complaints/insights", &[], &officer, 200).await;
    step(&app, "complaints/insights", &[], &approver, 403).await;
    let months: Vec<&str> = view["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!((months[0], months[11]), ("2026-01", "2026-12"));
    let at = |month: &str| months.iter().position(|m| *m == month).unwrap();
    let (november, december) = (at("2026-11"), at("2026-12"));
    let counts = |value: &Value| -> Vec<u64> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect()
    };
    let only = |month: usize, count: u64| {
        let mut all = vec![0u64; 12];
        all[month] = count;
        all
    };
    assert_eq!(counts(&view["filed"]), only(november, 5));
    let mut closed_per_month = only(november, 2);
    closed_per_month[december] = 1;
    assert_eq!(counts(&view["closed"]), closed_per_month);
    let series = |name: &str, code: &str| {
        view[name]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .map(|s| counts(&s["counts"]))
    };
    assert_eq!(series("by_kind", "looked"), Some(only(november, 2)));
    assert_eq!(series("by_kind", "images"), Some(only(november, 1)));
    assert_eq!(
        series("by_kind", "conduct"),
        None,
        "kinds nobody filed are left out"
    );
    let department = c.department.to_string();
    assert_eq!(
        series("by_department", &department),
        Some(only(november, 3))
    );
    assert_eq!(series("by_department", "none"), Some(only(november, 2)));
    assert_eq!(series("by_cause", "insider"), Some(only(november, 2)));
    assert_eq!(series("by_cause", "process_gap"), Some(only(december, 1)));
    assert_eq!(series("by_link", "storage"), Some(only(december, 1)));
    // Days to close: 2, 4 and 16; nearest rank: the median is the 2nd, the 90th the 3rd.
    assert_eq!(
        (
            view["closed_count"].as_u64(),
            view["median_days"].as_u64(),
            view["p90_days"].as_u64()
        ),
        (Some(3), Some(4), Some(16))
    );
    // Only the waiting one ran past its verification date (25 November).
    assert_eq!(
        view["missed"][0],
        json!({"stage": "verification", "missed": 1, "of": 5})
    );
    assert_eq!(
        view["missed"][1],
        json!({"stage": "decision", "missed": 0, "of": 5})
    );

    the_page_and_the_csv_say_it(&app, &officer, november).await;
}
on_both_backends!(the_insights_count_what_the_cases_were);

/// The page draws the figures, the CSV says the same; neither names the patient.
async fn the_page_and_the_csv_say_it(app: &TestApp, officer: &str, november: usize) {
    let only = |month: usize, count: u64| {
        let mut all = vec![0u64; 12];
        all[month] = count;
        all
    };
    // The page draws it; the CSV says the same; neither names the patient.
    let cookie = format!("__Host-portal_session={officer}");
    let page = app
        .client
        .get(app.url("/staff/complaints/insights"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<svg") && page.contains("<table"));
    assert!(!page.contains("投诉患者"), "no patient's name");
    let csv = app
        .client
        .get(app.url("/staff/complaints/insights.csv"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let looked: Vec<String> = only(november, 2).iter().map(ToString::to_string).collect();
    assert!(
        csv.contains(&format!("kind,looked,{}", looked.join(","))),
        "{csv}"
    );
    assert!(csv.contains("3,4,16"), "{csv}");
    assert!(!csv.contains("投诉患者"));
}

async fn another_lead_takes_over(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    let r = c.file(&app).await;
    let reference = [("reference", r.as_str())];
    step(
        &app,
        "complaints/begin-verification",
        &reference,
        &c.officer,
        200,
    )
    .await;
    let lead = c.investigator_id.to_string();
    let team = format!("verify[team][d{}]", c.department);
    let verify = [
        ("verify[reference]", r.as_str()),
        ("verify[scope]", "门诊病历"),
        ("verify[spread]", "本院"),
        ("verify[outcome]", "investigate"),
        ("verify[lead]", lead.as_str()),
        (team.as_str(), "on"),
    ];
    step(&app, "complaints/verify", &verify, &c.officer, 200).await;
    let other = app::accounts::server::query::by_email(&app.state.db, "other@example.org")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let change = [("reference", r.as_str()), ("lead", other.as_str())];
    step(
        &app,
        "complaints/change-lead",
        &change,
        &c.investigator,
        403,
    )
    .await;
    let nobody = [("reference", r.as_str()), ("lead", "999999")];
    assert_eq!(
        step(&app, "complaints/change-lead", &nobody, &c.officer, 400).await["field"],
        "lead"
    );
    step(&app, "complaints/change-lead", &change, &c.officer, 200).await;
    let mut assigned: Vec<String> = emails(&app, "complaint_assigned")
        .await
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    assigned.sort();
    assert_eq!(assigned, ["lead@example.org", "other@example.org"]);
    // The new lead takes the steps; the one before no longer sees the case.
    let findings = [("reference", r.as_str()), ("findings", "结论")];
    step(&app, "complaints/conclude", &findings, &c.investigator, 404).await;
    step(
        &app,
        "complaints/staff-view",
        &reference,
        &c.investigator,
        404,
    )
    .await;
    step(
        &app,
        "complaints/conclude",
        &findings,
        &c.other_investigator,
        200,
    )
    .await;
    assert_eq!(c.as_patient(&app, &r).await["state"], "plan");
}
on_both_backends!(another_lead_takes_over);

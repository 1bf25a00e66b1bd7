//! Records officers answer correction requests over real HTTP: received → extended →
//! accepted, the amendment shown on the entry with the original, the `Task` read and
//! completed by the record system (and refused without the `record` scope); a denial →
//! statement of disagreement → rebuttal on the entry; every staff view in the patient's
//! log; only records officers decide; the clock escalates once with two workers.

use app::corrections::server::worker::send_due;
use app::identity::types::Role;
use app::ssr::clock::Clock;
use app::ssr::sources::Scope;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::fhir_spec::Spec;
use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, enroll_staff, invite};
use crate::on_both_backends;
use crate::tables;

/// A patient with an allergy, their request on it, and a records officer.
struct Case {
    patient: String,
    mrn: String,
    officer: String,
    record_token: String,
    reference: String,
}

async fn case(app: &TestApp) -> Case {
    let record_token = app.add_source_with("emr", &[Scope::Record]).await;
    let (id, invitation) = invite(app, "答复患者").await;
    let (_, patient) = enroll(app, &invitation).await;
    let mrn = app.mrn_of(id).await;
    let allergy = json!({
        "resourceType": "AllergyIntolerance", "id": "allergy-7",
        "patient": {"reference": format!("Patient/{mrn}")},
        "code": {"text": "青霉素"}, "criticality": "high"
    });
    let body = Some((allergy.to_string(), "application/fhir+json"));
    assert_eq!(
        app.fhir(Method::POST, "/AllergyIntolerance", &record_token, body)
            .await
            .0,
        201
    );
    let entries = call(app, "record/mine", &[], Some(&patient)).await.body;
    let entry = entries["entries"][0]["id"].as_i64().unwrap().to_string();
    let filed = call(
        app,
        "corrections/file",
        &[
            ("ask[entry]", &entry),
            ("ask[field]", "substance"),
            ("ask[proposed]", "头孢类抗生素"),
            ("ask[reason]", "皮试阳性的是头孢"),
        ],
        Some(&patient),
    )
    .await;
    assert_eq!(filed.status, 200, "{:?}", filed.body);
    let officer = enroll_staff(app, "records@example.org", Role::RecordsOfficer).await;
    Case {
        patient,
        mrn,
        officer,
        record_token,
        reference: filed.body.as_str().unwrap().to_owned(),
    }
}

impl Case {
    /// The request as its patient reads it.
    async fn as_patient(&self, app: &TestApp) -> Value {
        call(
            app,
            "corrections/one",
            &[("reference", &self.reference)],
            Some(&self.patient),
        )
        .await
        .body
    }

    /// The patient's first record entry.
    async fn entry(&self, app: &TestApp) -> Value {
        call(app, "record/mine", &[], Some(&self.patient))
            .await
            .body["entries"][0]
            .clone()
    }
}

/// Events of category `correction_request` in the patient's log.
async fn logged(app: &TestApp, mrn: &str) -> usize {
    tables::events(
        &app.state.db,
        &[("patient_mrn", mrn), ("category", "correction_request")],
    )
    .await
    .len()
}

async fn emails(app: &TestApp, template: &str) -> Vec<app::ssr::outbox::Model> {
    app::ssr::outbox::Entity::find()
        .filter(app::ssr::outbox::Column::Template.eq(template))
        .all(&app.state.db)
        .await
        .unwrap()
}

fn checked(resource: &Value) -> &Value {
    let problems = Spec::get().problems(resource);
    assert!(problems.is_empty(), "{problems:?}");
    resource
}

async fn extended_then_accepted_then_applied(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    let r = c.reference.as_str();

    // The queue lists it; opening it is logged in the patient's log.
    let queue = call(&app, "corrections/queue", &[], Some(&c.officer)).await;
    assert_eq!(queue.body["items"][0]["reference"], r, "{:?}", queue.body);
    let before = logged(&app, &c.mrn).await;
    let view = call(
        &app,
        "corrections/staff-view",
        &[("reference", r)],
        Some(&c.officer),
    )
    .await;
    assert_eq!(view.body["request"]["proposed"], "头孢类抗生素");
    assert_eq!(
        logged(&app, &c.mrn).await,
        before + 1,
        "the opening is in the patient's log"
    );

    // One extension, with its reason told to the patient.
    let extend = |days: &'static str| {
        [
            ("extend[reference]", r.to_owned()),
            ("extend[days]", days.to_owned()),
            ("extend[reason]", "需要向皮肤科核实".to_owned()),
        ]
    };
    let too_long = extend("31");
    let fields: Vec<(&str, &str)> = too_long.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = call(&app, "corrections/extend", &fields, Some(&c.officer)).await;
    assert_eq!(refused.body["field"], "days");
    let ok = extend("14");
    let fields: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        call(&app, "corrections/extend", &fields, Some(&c.officer))
            .await
            .status,
        200
    );
    let again = call(&app, "corrections/extend", &fields, Some(&c.officer)).await;
    assert_eq!(again.body["field"], "extended");
    let seen = c.as_patient(&app).await;
    assert_eq!(seen["state"], "extended");
    assert_eq!(seen["extension"]["days"], 14);
    assert_eq!(seen["extension"]["reason"], "需要向皮肤科核实");
    assert_eq!(emails(&app, "correction_extended").await.len(), 1);

    // Accepted: the entry shows the amendment beside the original.
    let decide = [
        ("decide[reference]", r),
        ("decide[decision]", "accept"),
        ("decide[amended]", "头孢类抗生素"),
        ("decide[note]", ""),
    ];
    assert_eq!(
        call(&app, "corrections/decide", &decide, Some(&c.officer))
            .await
            .status,
        200
    );
    let entry = &c.entry(&app).await;
    assert_eq!(entry["fields"][0]["value"], "青霉素", "the original stays");
    assert_eq!(entry["notes"][0]["kind"], "amendment");
    assert_eq!(entry["notes"][0]["body"], "头孢类抗生素");
    assert_eq!(entry["notes"][0]["original"], "青霉素");
    assert_eq!(entry["notes"][0]["author"], "吴刚");
    assert_eq!(emails(&app, "correction_decided").await.len(), 1);

    the_task_reaches_the_record_system(&app, &c).await;
}
on_both_backends!(extended_then_accepted_then_applied);

async fn the_task_reaches_the_record_system(app: &TestApp, c: &Case) {
    let r = c.reference.as_str();
    let events_only = app.add_source_with("his", &[Scope::Events]).await;
    let (status, _) = app
        .fhir(Method::GET, "/Task?status=requested", &events_only, None)
        .await;
    assert_eq!(status, 403, "a token without the record scope is refused");
    let (status, bundle) = app
        .fhir(Method::GET, "/Task?status=requested", &c.record_token, None)
        .await;
    assert_eq!(status, 200);
    checked(&bundle);
    let task = checked(&bundle["entry"][0]["resource"]).clone();
    assert_eq!(task["id"], r);
    assert_eq!(task["focus"]["reference"], "AllergyIntolerance/allergy-7");
    assert_eq!(task["for"]["reference"], format!("Patient/{}", c.mrn));
    assert!(task["input"].to_string().contains("头孢类抗生素"));
    let patch = json!([{"op": "replace", "path": "/status", "value": "completed"}]);
    let body = Some((patch.to_string(), "application/json-patch+json"));
    let (status, done) = app
        .fhir(Method::PATCH, &format!("/Task/{r}"), &c.record_token, body)
        .await;
    assert_eq!(
        (status, done["status"].as_str()),
        (200, Some("completed")),
        "{done}"
    );
    checked(&done);
    let (_, open) = app
        .fhir(Method::GET, "/Task?status=requested", &c.record_token, None)
        .await;
    assert_eq!(open["total"], 0);
    // The patient sees it applied, on the request and on the entry.
    let seen = c.as_patient(app).await;
    assert!(seen["applied"].is_string(), "{seen}");
    let entry = &c.entry(app).await;
    assert!(entry["notes"][0]["applied"].is_string());
    assert_eq!(emails(app, "correction_applied").await.len(), 1);
    // Reads by the system are in the patient's log too.
    let by_system = tables::events(
        &app.state.db,
        &[
            ("patient_mrn", c.mrn.as_str()),
            ("agent_kind", "system"),
            ("category", "correction_request"),
        ],
    )
    .await;
    assert!(by_system.len() >= 2, "{}", by_system.len());
    // The record system's next push of the resource carries the new value.
    let corrected = json!({
        "resourceType": "AllergyIntolerance", "id": "allergy-7",
        "patient": {"reference": format!("Patient/{}", c.mrn)},
        "code": {"text": "头孢类抗生素"}, "criticality": "high"
    });
    let body = Some((corrected.to_string(), "application/fhir+json"));
    let (status, _) = app
        .fhir(
            Method::PUT,
            "/AllergyIntolerance/allergy-7",
            &c.record_token,
            body,
        )
        .await;
    assert_eq!(status, 200);
    let entry = c.entry(app).await;
    assert_eq!(entry["fields"][0]["value"], "头孢类抗生素");
    assert_eq!(entry["version"], 2);
    assert_eq!(
        entry["notes"][0]["original"], "青霉素",
        "the amendment's history stays"
    );
}

async fn denied_then_disagreement_then_rebuttal(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    let r = c.reference.as_str();
    // A denial needs its written reason.
    let bare = [
        ("decide[reference]", r),
        ("decide[decision]", "deny"),
        ("decide[amended]", ""),
        ("decide[note]", " "),
    ];
    assert_eq!(
        call(&app, "corrections/decide", &bare, Some(&c.officer))
            .await
            .body["field"],
        "note"
    );
    let deny = [
        ("decide[reference]", r),
        ("decide[decision]", "deny"),
        ("decide[amended]", ""),
        ("decide[note]", "皮试记录显示为青霉素"),
    ];
    assert_eq!(
        call(&app, "corrections/decide", &deny, Some(&c.officer))
            .await
            .status,
        200
    );
    let seen = c.as_patient(&app).await;
    assert_eq!(
        (seen["state"].as_str(), seen["may_disagree"].as_bool()),
        (Some("denied"), Some(true))
    );
    assert_eq!(seen["decision_note"], "皮试记录显示为青霉素");

    let statement = [("reference", r), ("statement", "我坚持认为是头孢过敏")];
    assert_eq!(
        call(&app, "corrections/disagree", &statement, Some(&c.patient))
            .await
            .status,
        200
    );
    assert_eq!(emails(&app, "correction_disagreement").await.len(), 1);
    let view = call(
        &app,
        "corrections/staff-view",
        &[("reference", r)],
        Some(&c.officer),
    )
    .await
    .body;
    assert_eq!(view["request"]["disagreement"], "我坚持认为是头孢过敏");
    let rebut = [("reference", r), ("text", "我们已与皮肤科核实")];
    assert_eq!(
        call(&app, "corrections/rebut", &rebut, Some(&c.officer))
            .await
            .status,
        200
    );
    assert_eq!(emails(&app, "correction_rebuttal").await.len(), 1);

    let entry = &c.entry(&app).await;
    let kinds: Vec<&str> = entry["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["disagreement", "rebuttal"]);
    let page = app
        .client
        .get(app.url("/record"))
        .header("cookie", format!("__Host-portal_session={}", c.patient))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("我坚持认为是头孢过敏") && page.contains("我们已与皮肤科核实"));
    // No Task for a denial; after the rebuttal the request is closed to messages.
    let (_, bundle) = app.fhir(Method::GET, "/Task", &c.record_token, None).await;
    assert_eq!(bundle["total"], 0);
    let late = call(
        &app,
        "corrections/message",
        &[("reference", r), ("body", "还有")],
        Some(&c.patient),
    )
    .await;
    assert_eq!(late.body["field"], "closed");
}
on_both_backends!(denied_then_disagreement_then_rebuttal);

async fn only_records_officers_decide_and_staff_views_are_logged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    let r = c.reference.as_str();
    let officer_of_privacy = enroll_staff(&app, "privacy@example.org", Role::PrivacyOfficer).await;
    let decide = [
        ("decide[reference]", r),
        ("decide[decision]", "accept"),
        ("decide[amended]", "x"),
        ("decide[note]", ""),
    ];
    for session in [&c.patient, &officer_of_privacy] {
        let answer = call(&app, "corrections/decide", &decide, Some(session)).await;
        assert_eq!(answer.status, 403, "{:?}", answer.body);
        assert_eq!(
            call(
                &app,
                "corrections/staff-view",
                &[("reference", r)],
                Some(session)
            )
            .await
            .status,
            403
        );
    }
    let seen = c.as_patient(&app).await;
    assert_eq!(seen["state"], "received", "nothing was decided");
    // Each staff view of the request, and of its file, is in the patient's log.
    let before = logged(&app, &c.mrn).await;
    for _ in 0..2 {
        call(
            &app,
            "corrections/staff-view",
            &[("reference", r)],
            Some(&c.officer),
        )
        .await;
    }
    let pdf = reqwest::multipart::Part::bytes(b"%PDF-1.7\n%%EOF\n".to_vec()).file_name("a.pdf");
    let response = app
        .client
        .post(app.url(&format!("/record/requests/{r}/files")))
        .header("origin", app.origin())
        .header("cookie", format!("__Host-portal_session={}", c.patient))
        .multipart(reqwest::multipart::Form::new().part("file", pdf))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let file_id = c.as_patient(&app).await["files"][0]["id"].clone();
    let download = app
        .client
        .get(app.url(&format!("/staff/corrections/{r}/files/{file_id}")))
        .header("cookie", format!("__Host-portal_session={}", c.officer))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(logged(&app, &c.mrn).await, before + 3);
    let entries = tables::events(
        &app.state.db,
        &[
            ("patient_mrn", c.mrn.as_str()),
            ("category", "correction_request"),
        ],
    )
    .await;
    assert!(entries
        .iter()
        .all(|e| e.agent_name == "吴刚" && e.agent_kind == "staff"));
    // The patient cannot fetch it through the staff address.
    let as_patient = app
        .client
        .get(app.url(&format!("/staff/corrections/{r}/files/{file_id}")))
        .header("cookie", format!("__Host-portal_session={}", c.patient))
        .send()
        .await
        .unwrap();
    assert_eq!(as_patient.status().as_u16(), 403);
}
on_both_backends!(only_records_officers_decide_and_staff_views_are_logged);

async fn the_clock_reminds_and_escalates_once_with_two_workers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    enroll_staff(&app, "privacy@example.org", Role::PrivacyOfficer).await;
    let run_two = || async {
        let (a, b) = tokio::join!(send_due(&app.state), send_due(&app.state));
        let (a, b) = (a.unwrap(), b.unwrap());
        (a.reminders + b.reminders, a.escalations + b.escalations)
    };
    assert_eq!(run_two().await, (0, 0), "nothing is due on the first day");
    // Three days before the due date: one reminder, to the records officer.
    app.clock.advance(time::Duration::days(28));
    assert_eq!(run_two().await, (1, 0));
    assert_eq!(run_two().await, (0, 0));
    let reminders = emails(&app, "correction_reminder").await;
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].recipient, "records@example.org");
    assert!(reminders[0].body_text.contains(&c.reference));
    // Past the due date: one escalation to the privacy officer, however often they run.
    app.clock.advance(time::Duration::days(3));
    assert_eq!(run_two().await, (0, 1));
    assert_eq!(run_two().await, (0, 0));
    let escalations = emails(&app, "correction_overdue").await;
    assert_eq!(escalations.len(), 1);
    assert_eq!(escalations[0].recipient, "privacy@example.org");
    assert!(
        !escalations[0].body_text.contains("青霉素") && !escalations[0].body_text.contains("头孢")
    );
    let queue = call(&app, "corrections/queue", &[], Some(&c.officer)).await;
    assert_eq!(
        queue.status, 401,
        "the officer's session idled out meanwhile"
    );
}
on_both_backends!(the_clock_reminds_and_escalates_once_with_two_workers);

async fn a_reminder_for_an_officer_who_left_goes_to_the_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = case(&app).await;
    enroll_staff(&app, "leaving@example.org", Role::RecordsOfficer).await;
    let leaving = app::accounts::server::query::by_email(&app.state.db, "leaving@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let leaving_id = leaving.to_string();
    let assigned = call(
        &app,
        "corrections/assign",
        &[("reference", &c.reference), ("officer", &leaving_id)],
        Some(&c.officer),
    )
    .await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    app::identity::server::activation::deactivate(
        &app.state.db,
        leaving,
        app::accounts::types::Deactivator::Portal,
        app.clock.now(),
    )
    .await
    .unwrap();
    app.clock.advance(time::Duration::days(28));
    assert_eq!(send_due(&app.state).await.unwrap().reminders, 1);
    let reminders = emails(&app, "correction_reminder").await;
    let recipients: Vec<&str> = reminders.iter().map(|m| m.recipient.as_str()).collect();
    assert_eq!(recipients, ["records@example.org"]);
}
on_both_backends!(a_reminder_for_an_officer_who_left_goes_to_the_others);

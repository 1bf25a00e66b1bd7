//! Why an access was normal: each reason explains its case from care the hospital's
//! systems pushed over FHIR (visits, care teams, referrals, orders, results, billing, the
//! patient's own request), the counter-case stays unexplained and flagged, and care that
//! arrives after the access explains it then; a batch reads the care around its accesses.

use serde_json::{json, Value};

use app::access_log::server::ingest::{ingest_with_reads, NewAccess};
use app::ssr::sources;
use time::macros::datetime;

use crate::access::{access_by, audit_event, directory_bundle, post_json};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::tables;

/// The care and departments of the cases: a laboratory, a finance office and its clerk,
/// a visit naming S3, a care team with S1, a referral and a result.
pub(crate) fn care_bundle() -> Value {
    let entry = |resource: Value| json!({"resource": resource, "request": {"method": "POST"}});
    let patient = |mrn: &str| json!({"identifier": {"value": mrn}});
    let staff = |number: &str| json!({"reference": format!("Practitioner/{number}")});
    let department = |code: &str| json!({"type": "Organization", "identifier": {"value": code}});
    json!({"resourceType": "Bundle", "type": "batch", "entry": [
        entry(json!({"resourceType": "Location", "identifier": [{"value": "LAB"}], "name": "检验科", "alias": ["Laboratory"]})),
        entry(json!({"resourceType": "Location", "identifier": [{"value": "FIN"}], "name": "财务科", "alias": ["Finance"]})),
        entry(json!({"resourceType": "Practitioner", "identifier": [{"value": "S4"}], "name": [{"family": "钱", "given": ["多"]}]})),
        entry(json!({"resourceType": "PractitionerRole", "practitioner": {"identifier": {"value": "S4"}},
            "location": [{"identifier": {"value": "FIN"}}], "code": [{"text": "收费员"}]})),
        entry(json!({"resourceType": "Encounter", "id": "visit-p2", "status": "finished", "class": {"code": "AMB"},
            "subject": patient("P2"), "serviceProvider": {"identifier": {"value": "LAB"}},
            "participant": [{"individual": staff("S3")}],
            "period": {"start": "2026-11-17T08:00:00+08:00", "end": "2026-11-17T09:00:00+08:00"}})),
        entry(json!({"resourceType": "CareTeam", "id": "team-p3", "status": "active",
            "subject": patient("P3"), "managingOrganization": [department("CARD")],
            "participant": [{"member": staff("S1")}], "period": {"start": "2026-10-01T00:00:00+08:00"}})),
        entry(json!({"resourceType": "ServiceRequest", "id": "referral-p4", "status": "active", "intent": "order",
            "category": [{"coding": [{"system": "http://snomed.info/sct", "code": "3457005"}]}],
            "subject": patient("P4"), "requester": staff("S1"), "performer": [department("LAB")],
            "authoredOn": "2026-11-17T09:00:00+08:00"})),
        entry(json!({"resourceType": "DiagnosticReport", "id": "result-p5", "status": "final", "code": {"text": "血常规"},
            "subject": patient("P5"), "performer": [department("LAB")], "resultsInterpreter": [staff("S3")],
            "issued": "2026-11-17T09:30:00+08:00"})),
    ]})
}

pub(crate) async fn send(app: &TestApp, token: &str, bundle: &Value) {
    let (status, body) = post_json(app, "", token, bundle).await;
    assert_eq!(status, 200, "{body}");
    for entry in body["entry"].as_array().unwrap() {
        assert_eq!(entry["response"]["status"], "200 OK", "{body}");
    }
}

/// Sends an access and reads back (reason, kind of care, flags).
async fn judged(
    app: &TestApp,
    token: &str,
    event: Value,
) -> (Option<String>, Option<String>, String) {
    let stored = crate::access::pushed(app, token, event).await;
    (stored.explained_by, stored.explained_kind, stored.flags)
}

fn with_purpose(mut event: Value, code: &str) -> Value {
    event["purposeOfEvent"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": code}]}]);
    event
}

fn reason(found: &(Option<String>, Option<String>, String)) -> (Option<&str>, Option<&str>) {
    (found.0.as_deref(), found.1.as_deref())
}

async fn each_routine_reason_explains_its_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    send(&app, &token, &directory_bundle()).await;
    send(&app, &token, &care_bundle()).await;
    // 2026-11-17 is a Tuesday; the cardiology visit of P1 was the day before.
    let at = "2026-11-17T10:00";

    let department = judged(&app, &token, audit_event("dept", "P1", "S1", "CARD", at)).await;
    assert_eq!(
        reason(&department),
        (Some("care_by_department"), Some("encounter"))
    );
    assert_eq!(department.2, "");

    // S3 was named in P2's visit; their department does not matter.
    let person = judged(&app, &token, audit_event("person", "P2", "S3", "CARD", at)).await;
    assert_eq!(reason(&person), (Some("care_by_person"), Some("encounter")));

    let team = judged(&app, &token, audit_event("team", "P3", "S1", "LAB", at)).await;
    assert_eq!(reason(&team), (Some("care_team"), Some("care_team")));

    // The referring doctor, and the laboratory that received the referral.
    let referrer = judged(
        &app,
        &token,
        audit_event("referrer", "P4", "S1", "CARD", at),
    )
    .await;
    assert_eq!(
        reason(&referrer),
        (Some("care_by_person"), Some("referral"))
    );
    let received = judged(&app, &token, audit_event("received", "P4", "S3", "LAB", at)).await;
    assert_eq!(
        reason(&received),
        (Some("care_by_department"), Some("referral"))
    );

    let result = judged(&app, &token, audit_event("result", "P5", "S3", "CARD", at)).await;
    assert_eq!(reason(&result), (Some("care_by_person"), Some("result")));

    // The finance office billing P1's visit; the same clerk opening P1 for no stated
    // payment purpose is not explained.
    let billing = with_purpose(audit_event("billing", "P1", "S4", "FIN", at), "HPAYMT");
    let billing = judged(&app, &token, billing).await;
    assert_eq!(reason(&billing), (Some("billing"), Some("encounter")));
    assert_eq!(billing.2, "");
    let curious = judged(&app, &token, audit_event("curious", "P1", "S4", "FIN", at)).await;
    assert_eq!(reason(&curious), (None, None));
    assert_eq!(curious.2, "no_care_relationship");

    let asked = with_purpose(audit_event("asked", "P9", "S4", "FIN", at), "PATRQT");
    let asked = judged(&app, &token, asked).await;
    assert_eq!(reason(&asked), (Some("own_request"), None));

    // Rules still fire on an explained access: the team member is a relative.
    let relative = judged(
        &app,
        &token,
        audit_event("relative", "P-REL", "S1", "CARD", at),
    )
    .await;
    assert_eq!(
        reason(&relative),
        (Some("care_by_department"), Some("encounter"))
    );
    assert_eq!(relative.2, "same_surname,same_address");
}
on_both_backends!(each_routine_reason_explains_its_case);

async fn care_arriving_after_the_access_explains_it_then(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    send(&app, &token, &directory_bundle()).await;
    send(&app, &token, &care_bundle()).await;
    let early = judged(
        &app,
        &token,
        audit_event("early", "P6", "S3", "LAB", "2026-11-17T08:10"),
    )
    .await;
    assert_eq!(reason(&early), (None, None));
    assert_eq!(early.2, "no_care_relationship");
    // Another patient's care explains nothing of P6's.
    let other = json!({"resourceType": "Encounter", "id": "visit-p7", "status": "finished",
        "subject": {"identifier": {"value": "P7"}}, "serviceProvider": {"identifier": {"value": "LAB"}},
        "period": {"start": "2026-11-17T08:00:00+08:00"}});
    let (status, body) = post_json(&app, "/Encounter", &token, &other).await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let stored = tables::events(&app.state.db, &[("source_event_id", "early")]).await;
    assert_eq!(stored[0].explained_by, None);

    // The laboratory registers the visit at the end of the shift.
    let late = json!({"resourceType": "Encounter", "id": "visit-p6", "status": "finished",
        "subject": {"identifier": {"value": "P6"}}, "serviceProvider": {"identifier": {"value": "LAB"}},
        "period": {"start": "2026-11-17T08:00:00+08:00", "end": "2026-11-17T12:00:00+08:00"}});
    let (status, body) = post_json(&app, "/Encounter", &token, &late).await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let stored = tables::events(&app.state.db, &[("source_event_id", "early")]).await;
    assert_eq!(
        stored[0].explained_by.as_deref(),
        Some("care_by_department")
    );
    assert_eq!(stored[0].explained_kind.as_deref(), Some("encounter"));
    // What was recorded at the time stays, hashed: the chain still verifies.
    assert_eq!(stored[0].flags, "no_care_relationship");
    let report = app::access_log::server::chain::verify_database(
        &app.state.db,
        None,
        &app.state.access.ingest.time_zone,
    )
    .await
    .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
on_both_backends!(care_arriving_after_the_access_explains_it_then);

/// Ingests `batches` from a source sending past accesses (a back-fill), one batch at a
/// time, and reads back each access's identifier and reason.
async fn back_filled<'a>(
    app: &TestApp,
    batches: &[&'a [NewAccess]],
) -> Vec<(&'a str, Option<String>)> {
    let now = datetime!(2026-11-18 12:00 UTC);
    let source = sources::keyless_source(&app.state.db, "back-fill", now)
        .await
        .unwrap();
    let mut context = app.state.access.ingest.clone();
    context.mail = None;
    let (reads, db) = (&app.state.reads, &app.state.db);
    let mut found = Vec::new();
    for batch in batches {
        ingest_with_reads(reads, db, &source, batch, &context, now)
            .await
            .unwrap();
        for access in *batch {
            let id = access.source_event_id.as_str();
            let stored = tables::events(db, &[("source_event_id", id)]).await;
            found.push((id, stored[0].explained_by.clone()));
        }
    }
    found
}

/// A batch reads only the care around its accesses, not the patient's whole history; a
/// back-fill batch spanning months still finds the care near each of its accesses, and
/// care reaches exactly as far as the settings say (30 days after it ends).
async fn each_access_finds_the_care_around_it_in_a_batch_spanning_months(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    send(&app, &token, &directory_bundle()).await;
    let visit = |id: &str, staff: &str, start: &str, end: &str| {
        json!({"resource": {"resourceType": "Encounter", "id": id, "status": "finished",
            "subject": {"identifier": {"value": "P8"}},
            "serviceProvider": {"identifier": {"value": "CARD"}},
            "participant": [{"individual": {"reference": format!("Practitioner/{staff}")}}],
            "period": {"start": start, "end": end}}, "request": {"method": "POST"}})
    };
    send(
        &app,
        &token,
        &json!({"resourceType": "Bundle", "type": "batch", "entry": [
            visit("june", "S3", "2026-06-01T08:00:00+08:00", "2026-06-01T12:00:00+08:00"),
            visit("october", "S1", "2026-10-18T08:00:00+08:00", "2026-10-18T10:00:00+08:00"),
        ]}),
    )
    .await;

    let back_fill = [
        // 19 days after the June visit that named S3.
        access_by("june", "S3", "P8", datetime!(2026-06-20 02:00 UTC)),
        // 34 days after it: too long.
        access_by("july", "S3", "P8", datetime!(2026-07-05 02:00 UTC)),
        access_by("today", "S3", "P8", datetime!(2026-11-17 02:00 UTC)),
    ];
    // Alone in its batch: exactly 30 days after the October visit ended (02:00 UTC).
    let edge = [access_by(
        "edge",
        "S1",
        "P8",
        datetime!(2026-11-17 02:00 UTC),
    )];
    let found = back_filled(&app, &[&back_fill, &edge]).await;
    let by_person = Some("care_by_person".to_owned());
    assert_eq!(
        found,
        [
            ("june", by_person.clone()),
            ("july", None),
            ("today", None),
            ("edge", by_person),
        ]
    );
}
on_both_backends!(each_access_finds_the_care_around_it_in_a_batch_spanning_months);

/// An order without an end is placed at a moment and explains the month after it; a stay
/// without an end is still going on and explains as long as it lasts.
async fn an_order_explains_the_month_after_it_and_a_stay_as_long_as_it_lasts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    send(&app, &token, &directory_bundle()).await;
    let entry = |resource: Value| json!({"resource": resource, "request": {"method": "POST"}});
    let staff = |number: &str| json!({"reference": format!("Practitioner/{number}")});
    send(
        &app,
        &token,
        &json!({"resourceType": "Bundle", "type": "batch", "entry": [
            entry(json!({"resourceType": "ServiceRequest", "id": "order-p8", "status": "active",
                "intent": "order", "subject": {"identifier": {"value": "P8"}},
                "requester": staff("S3"), "performer": [{"identifier": {"value": "CARD"}}],
                "authoredOn": "2026-06-01T09:00:00+08:00"})),
            entry(json!({"resourceType": "Encounter", "id": "stay-p9", "status": "in-progress",
                "class": {"code": "IMP"}, "subject": {"identifier": {"value": "P9"}},
                "serviceProvider": {"identifier": {"value": "CARD"}},
                "participant": [{"individual": staff("S1")}],
                "period": {"start": "2026-05-01T09:00:00+08:00"}})),
            // Over, by their status, though sent without an end.
            entry(json!({"resourceType": "Encounter", "id": "visit-p7", "status": "finished",
                "class": {"code": "AMB"}, "subject": {"identifier": {"value": "P7"}},
                "serviceProvider": {"identifier": {"value": "CARD"}},
                "participant": [{"individual": staff("S1")}],
                "period": {"start": "2026-05-01T09:00:00+08:00"}})),
            entry(json!({"resourceType": "CareTeam", "id": "team-p6", "status": "inactive",
                "subject": {"identifier": {"value": "P6"}},
                "managingOrganization": [{"identifier": {"value": "CARD"}}],
                "participant": [{"member": staff("S3")}],
                "period": {"start": "2026-05-01T09:00:00+08:00"}})),
        ]}),
    )
    .await;

    let accesses = [
        // 19 days after the order.
        access_by("result-read", "S3", "P8", datetime!(2026-06-20 02:00 UTC)),
        // Three months after it: the order explains nothing any more.
        access_by("months-later", "S3", "P8", datetime!(2026-09-01 02:00 UTC)),
        // Six months into the stay.
        access_by("on-the-ward", "S1", "P9", datetime!(2026-11-17 02:00 UTC)),
        // A finished visit and an inactive team explain the month after they began.
        access_by("after-visit", "S1", "P7", datetime!(2026-05-20 02:00 UTC)),
        access_by("visit-over", "S1", "P7", datetime!(2026-11-17 02:00 UTC)),
        access_by("after-team", "S3", "P6", datetime!(2026-05-20 02:00 UTC)),
        access_by("team-over", "S3", "P6", datetime!(2026-11-17 02:00 UTC)),
    ];
    let found = back_filled(&app, &[&accesses]).await;
    let by_person = Some("care_by_person".to_owned());
    assert_eq!(
        found,
        [
            ("result-read", by_person.clone()),
            ("months-later", None),
            ("on-the-ward", by_person.clone()),
            ("after-visit", by_person),
            ("visit-over", None),
            ("after-team", Some("care_team".to_owned())),
            ("team-over", None),
        ]
    );
}
on_both_backends!(an_order_explains_the_month_after_it_and_a_stay_as_long_as_it_lasts);

/// A file the patient downloads from their log.
async fn download(app: &TestApp, session: &str, file: &str) -> String {
    let answer = app
        .client
        .get(app.url(&format!("/access-log/{file}")))
        .header("cookie", format!("__Host-portal_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

async fn the_patients_downloads_carry_the_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    send(&app, &token, &directory_bundle()).await;
    let (account_id, link) = crate::identity::invite(&app, "李雷").await;
    let mrn = app.mrn_of(account_id).await;
    let (_, session) = crate::identity::enroll(&app, &link).await;
    let visit = json!({"resourceType": "Encounter", "id": "visit-own", "status": "finished",
        "subject": {"identifier": {"value": mrn}}, "serviceProvider": {"identifier": {"value": "CARD"}},
        "period": {"start": "2026-11-16T09:00:00+08:00", "end": "2026-11-16T10:00:00+08:00"}});
    let (status, body) = post_json(&app, "/Encounter", &token, &visit).await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let normal = judged(
        &app,
        &token,
        audit_event("seen", &mrn, "S1", "CARD", "2026-11-17T10:00"),
    )
    .await;
    assert_eq!(
        reason(&normal),
        (Some("care_by_department"), Some("encounter"))
    );
    let not = judged(
        &app,
        &token,
        audit_event("unseen", &mrn, "S3", "LAB", "2026-11-17T11:00"),
    )
    .await;
    assert_eq!(reason(&not), (None, None));

    let csv = download(&app, &session, "download.csv").await;
    let explained: Vec<&str> = csv
        .lines()
        .filter(|line| line.contains("当时在诊治您"))
        .collect();
    assert_eq!(explained.len(), 1, "{csv}");
    assert!(
        explained[0].contains("心内科当时在诊治您：2026-11-16开始的就诊。"),
        "{csv}"
    );
    let bundle: Value =
        serde_json::from_str(&download(&app, &session, "download.json").await).unwrap();
    let reasons: Vec<Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|entry| entry["resource"]["extension"].as_array().unwrap().clone())
        .filter(|extension| extension["url"].as_str().unwrap().ends_with("/explanation"))
        .collect();
    assert_eq!(reasons.len(), 1, "{bundle}");
    assert_eq!(
        reasons[0]["extension"][0],
        json!({"url": "reason", "valueCode": "care_by_department"})
    );
    assert_eq!(
        reasons[0]["extension"][1],
        json!({"url": "care", "valueCode": "encounter"})
    );
}
on_both_backends!(the_patients_downloads_carry_the_reason);

//! The patient's record over real HTTP: hospital systems push FHIR resources with a
//! `record` token; each shows on its own patient's record and nowhere else; versions,
//! entered-in-error and deletes; tokens without the scope are refused.

use app::ssr::sources::Scope;
use reqwest::Method;
use serde_json::{json, Value};

use crate::fhir_spec::Spec;
use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, invite};
use crate::on_both_backends;
use crate::tables;

async fn push(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> (u16, Value) {
    let (status, answer) = app
        .fhir(
            method,
            path,
            token,
            Some((body.to_string(), "application/fhir+json")),
        )
        .await;
    let problems = Spec::get().problems(&answer);
    assert!(problems.is_empty(), "{path}: {problems:?}");
    (status, answer)
}

fn allergy(mrn: &str, substance: &str, reaction: &str) -> Value {
    json!({
        "resourceType": "AllergyIntolerance", "id": "allergy-1",
        "patient": {"reference": format!("Patient/{mrn}")},
        "code": {"text": substance},
        "criticality": "high",
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
        "reaction": [{"manifestation": [{"text": reaction}]}],
        "recordedDate": "2025-03-04"
    })
}

/// One of each other record type for `mrn`.
fn others(mrn: &str) -> Vec<(Method, String, Value)> {
    let subject = json!({"reference": format!("Patient/{mrn}")});
    vec![
        (
            Method::POST,
            "/Condition".into(),
            json!({
                "resourceType": "Condition", "id": "condition-1", "subject": subject,
                "code": {"text": "2型糖尿病"}, "onsetDateTime": "2019-06-01",
                "verificationStatus": {"coding": [{"code": "confirmed"}]}
            }),
        ),
        (
            Method::POST,
            "/MedicationStatement".into(),
            json!({
                "resourceType": "MedicationStatement", "id": "statement-1", "subject": subject,
                "status": "active", "medicationCodeableConcept": {"text": "二甲双胍 500 mg"},
                "dosage": [{"text": "每日两次，每次一片"}], "effectiveDateTime": "2024-01-10"
            }),
        ),
        (
            Method::POST,
            "/MedicationRequest".into(),
            json!({
                "resourceType": "MedicationRequest", "id": "request-1", "subject": subject,
                "status": "active", "intent": "order",
                "medicationCodeableConcept": {"text": "阿托伐他汀 20 mg"},
                "authoredOn": "2026-10-02", "requester": {"display": "王医生"}
            }),
        ),
        (
            Method::PUT,
            "/DocumentReference/letter-1".into(),
            json!({
                "resourceType": "DocumentReference", "id": "letter-1", "subject": subject,
                "status": "current", "description": "出院小结",
                "type": {"text": "出院记录"}, "date": "2026-09-30T10:00:00+08:00",
                "author": [{"display": "李医生"}], "custodian": {"display": "内分泌科"},
                "content": [{"attachment": {"contentType": "application/pdf"}}]
            }),
        ),
        (
            Method::POST,
            "/Patient".into(),
            json!({
                "resourceType": "Patient",
                "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": mrn}],
                "name": [{"text": "记录患者"}], "birthDate": "1970-05-06", "gender": "female",
                "telecom": [{"system": "phone", "value": "+86 10 5555 0101"}]
            }),
        ),
    ]
}

/// The caller's record through the page's server function.
async fn record_of(app: &TestApp, session: &str) -> Vec<Value> {
    let answer = call(app, "record/mine", &[], Some(session)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["entries"].as_array().unwrap().clone()
}

/// `/record` as the patient's browser gets it.
async fn record_page(app: &TestApp, session: &str) -> String {
    app.client
        .get(app.url("/record"))
        .header("cookie", format!("__Host-portal_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn value_of(entry: &Value, field: &str) -> String {
    entry["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == field)
        .map(|f| f["value"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn sections(entries: &[Value]) -> Vec<&str> {
    let mut list: Vec<&str> = entries
        .iter()
        .map(|e| e["section"].as_str().unwrap())
        .collect();
    list.sort_unstable();
    list
}

async fn pushes_show_on_their_patients_record_and_nowhere_else(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a_id, a_token) = invite(&app, "记录患者").await;
    let (_, a_session) = enroll(&app, &a_token).await;
    let (_, b_token) = invite(&app, "另一位患者").await;
    let (_, b_session) = enroll(&app, &b_token).await;
    let a_mrn = app.mrn_of(a_id).await;
    let token = app.add_source_with("emr", &[Scope::Record]).await;

    let (status, _) = push(
        &app,
        Method::POST,
        "/AllergyIntolerance",
        &token,
        &allergy(&a_mrn, "青霉素", "皮疹"),
    )
    .await;
    assert_eq!(status, 201);
    for (method, path, body) in others(&a_mrn) {
        let (status, answer) = push(&app, method, &path, &token, &body).await;
        assert!(status == 201, "{path}: {status} {answer}");
    }
    let entries = record_of(&app, &a_session).await;
    assert_eq!(
        sections(&entries),
        [
            "allergies",
            "conditions",
            "demographics",
            "documents",
            "medications",
            "medications"
        ]
    );
    let in_section = |name: &str| entries.iter().find(|e| e["section"] == name).unwrap();
    let allergy_entry = in_section("allergies");
    assert_eq!(value_of(allergy_entry, "substance"), "青霉素");
    assert_eq!(allergy_entry["source"], "emr");
    assert_eq!(allergy_entry["dated"], "2025-03-04");
    let document = in_section("documents");
    assert_eq!(value_of(document, "department"), "内分泌科");
    assert_eq!(document["dated"], "2026-09-30");
    let demographics = in_section("demographics");
    assert_eq!(value_of(demographics, "birth_date"), "1970-05-06");
    assert!(
        record_of(&app, &b_session).await.is_empty(),
        "another patient sees nothing"
    );

    // The page shows it, translated where the hospital sent a code.
    let page = record_page(&app, &a_session).await;
    for text in ["青霉素", "皮疹", "出院小结", "二甲双胍 500 mg", "emr", "女"] {
        assert!(page.contains(text), "the page shows {text}");
    }
    let other_page = record_page(&app, &b_session).await;
    assert!(!other_page.contains("青霉素"));
}
on_both_backends!(pushes_show_on_their_patients_record_and_nowhere_else);

/// A delete takes an entry out of the view; deleting what the source never sent is 404.
async fn deletes_leave_the_view(app: &TestApp, session: &str, mrn: &str, token: &str) {
    let (_, _, condition) = others(mrn).remove(0);
    assert_eq!(
        push(app, Method::POST, "/Condition", token, &condition)
            .await
            .0,
        201
    );
    assert_eq!(record_of(app, session).await.len(), 1);
    let (status, _) = app
        .fhir(Method::DELETE, "/Condition/condition-1", token, None)
        .await;
    assert_eq!(status, 200);
    assert!(record_of(app, session).await.is_empty());
    assert_eq!(
        tables::count(&app.state.db, "record_entry_version").await,
        5
    );
    let (status, answer) = app
        .fhir(Method::DELETE, "/Condition/never-sent", token, None)
        .await;
    assert_eq!(status, 404, "{answer}");
    // Another source cannot delete this source's entries.
    let other = app.add_source_with("lab", &[Scope::Record]).await;
    assert_eq!(
        app.fhir(
            Method::DELETE,
            "/AllergyIntolerance/allergy-1",
            &other,
            None
        )
        .await
        .0,
        404
    );
}

async fn versions_errors_and_deletes_leave_the_view_but_not_the_history(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a_id, a_token) = invite(&app, "版本患者").await;
    let (_, session) = enroll(&app, &a_token).await;
    let mrn = app.mrn_of(a_id).await;
    let token = app.add_source_with("emr", &[Scope::Record]).await;
    let first = allergy(&mrn, "青霉素", "皮疹");
    assert_eq!(
        push(&app, Method::POST, "/AllergyIntolerance", &token, &first)
            .await
            .0,
        201
    );
    // The same again changes nothing; a new reaction makes version 2.
    assert_eq!(
        push(&app, Method::POST, "/AllergyIntolerance", &token, &first)
            .await
            .0,
        200
    );
    let second = allergy(&mrn, "青霉素", "呼吸困难");
    assert_eq!(
        push(
            &app,
            Method::PUT,
            "/AllergyIntolerance/allergy-1",
            &token,
            &second
        )
        .await
        .0,
        200
    );
    let entries = record_of(&app, &session).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(value_of(&entries[0], "reaction"), "呼吸困难");
    assert_eq!(entries[0]["version"], 2);
    // An id in the address that is not the resource's is refused.
    let (status, answer) = push(
        &app,
        Method::PUT,
        "/AllergyIntolerance/other",
        &token,
        &second,
    )
    .await;
    assert_eq!(
        (status, answer["issue"][0]["expression"][0].as_str()),
        (400, Some("AllergyIntolerance.id"))
    );

    // Entered in error: gone from the view, three versions kept.
    let mut wrong = second.clone();
    wrong["verificationStatus"] = json!({"coding": [{"code": "entered-in-error"}]});
    assert_eq!(
        push(
            &app,
            Method::PUT,
            "/AllergyIntolerance/allergy-1",
            &token,
            &wrong
        )
        .await
        .0,
        200
    );
    assert!(record_of(&app, &session).await.is_empty());
    assert_eq!(
        tables::count(&app.state.db, "record_entry_version").await,
        3
    );

    deletes_leave_the_view(&app, &session, &mrn, &token).await;
}
on_both_backends!(versions_errors_and_deletes_leave_the_view_but_not_the_history);

async fn record_pushes_need_the_scope_and_a_known_patient(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a_id, a_token) = invite(&app, "范围患者").await;
    let (_, session) = enroll(&app, &a_token).await;
    let mrn = app.mrn_of(a_id).await;
    let events_only = app
        .add_source_with("his", &[Scope::Events, Scope::Directory])
        .await;
    let body = allergy(&mrn, "青霉素", "皮疹");
    let (status, answer) = push(
        &app,
        Method::POST,
        "/AllergyIntolerance",
        &events_only,
        &body,
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer.to_string().contains("record"),
        "the refusal names the scope: {answer}"
    );
    let (status, _) = app
        .fhir(
            Method::DELETE,
            "/AllergyIntolerance/allergy-1",
            &events_only,
            None,
        )
        .await;
    assert_eq!(status, 403);
    // A Patient through a directory-only token changes the directory, not the record.
    let (_, _, patient) = others(&mrn).pop().unwrap();
    assert_eq!(
        push(&app, Method::POST, "/Patient", &events_only, &patient)
            .await
            .0,
        200
    );
    assert!(record_of(&app, &session).await.is_empty());

    // With both scopes: the directory's answer, and the demographics in the record.
    let both = app.add_source("mpi").await;
    assert_eq!(
        push(&app, Method::POST, "/Patient", &both, &patient)
            .await
            .0,
        200
    );
    let entries = record_of(&app, &session).await;
    assert_eq!(sections(&entries), ["demographics"]);
    assert_eq!(value_of(&entries[0], "birth_date"), "1970-05-06");

    let token = app.add_source_with("emr", &[Scope::Record]).await;
    let (status, answer) = push(
        &app,
        Method::POST,
        "/AllergyIntolerance",
        &token,
        &allergy("NOBODY", "x", "y"),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    // A batch: each entry judged by its own scope and patient.
    let batch = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": body},
        {"resource": allergy("NOBODY", "x", "y")},
        {"resource": {"resourceType": "AuditEvent"}},
    ]});
    let (status, answer) = push(&app, Method::POST, "/", &token, &batch).await;
    assert_eq!(status, 200, "{answer}");
    let statuses: Vec<&str> = answer["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["response"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["201 Created", "422 Unprocessable Entity", "403 Forbidden"]
    );
    assert_eq!(record_of(&app, &session).await.len(), 2);
}
on_both_backends!(record_pushes_need_the_scope_and_a_known_patient);

async fn the_capability_statement_names_the_record_and_validates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let metadata: Value = app
        .client
        .get(app.url("/fhir/r4/metadata"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let problems = Spec::get().problems(&metadata);
    assert!(problems.is_empty(), "{problems:?}");
    let types: Vec<&str> = metadata["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    for wanted in [
        "AllergyIntolerance",
        "Condition",
        "MedicationStatement",
        "MedicationRequest",
        "DocumentReference",
        "Task",
    ] {
        assert!(types.contains(&wanted), "{wanted} in {types:?}");
    }
}
on_both_backends!(the_capability_statement_names_the_record_and_validates);

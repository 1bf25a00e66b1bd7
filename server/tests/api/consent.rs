//! Consent over real HTTP: patients grant, limit, let expire and withdraw consent; policy
//! versions keep or pause earlier grants; hospital systems read FHIR `Consent` resources
//! (checked against the R4 definitions) and ask `Consent/$decide`, each request landing
//! in the patient's access log; no patient reaches another's choices.

use crate::tables::{self, StoredEvent};
use app::consent::server::policies::{publish, PolicyError, PolicyFile, Published, BUILT_IN};
use app::consent::server::receipt::canonical;
use app::identity::types::Role;
use app::ssr::clock::Clock;
use app::ssr::signing::verify;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::fhir_spec::Spec;
use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, enroll_staff, invite};
use crate::on_both_backends;

/// A FHIR GET as a hospital system makes it.
async fn fhir_get(app: &TestApp, path_and_query: &str, token: &str) -> (u16, Value) {
    app.fhir(reqwest::Method::GET, path_and_query, token, None)
        .await
}

async fn fhir_post(app: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let body = Some((body.to_string(), "application/fhir+json"));
    app.fhir(reqwest::Method::POST, path, token, body).await
}

/// A `Parameters` answer's value of `name`.
fn parameter<'a>(answer: &'a Value, name: &str) -> &'a Value {
    answer["parameter"]
        .as_array()
        .and_then(|list| list.iter().find(|p| p["name"] == name))
        .map_or(&Value::Null, |p| {
            p.as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.starts_with("value")))
                .map_or(&Value::Null, |(_, v)| v)
        })
}

/// `Consent/$decide` by query; returns (decision, reason).
async fn decide(app: &TestApp, token: &str, query: &str) -> (String, String) {
    let (status, answer) = fhir_get(app, &format!("/Consent/$decide?{query}"), token).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        Spec::get().problems(&answer).is_empty(),
        "{:?}",
        Spec::get().problems(&answer)
    );
    (
        parameter(&answer, "decision").as_str().unwrap().to_owned(),
        parameter(&answer, "reason").as_str().unwrap().to_owned(),
    )
}

fn permit() -> (String, String) {
    ("permit".into(), "granted".into())
}

fn deny(reason: &str) -> (String, String) {
    ("deny".into(), reason.into())
}

/// The patient's grant through the page's server function; returns the answer.
async fn grant(
    app: &TestApp,
    session: &str,
    purpose: &str,
    version: &str,
    exclude: &[&str],
    expires_on: &str,
) -> crate::identity::Answer {
    let names: Vec<String> = exclude
        .iter()
        .map(|c| format!("grant[exclude_{c}]"))
        .collect();
    let mut fields = vec![
        ("grant[purpose]", purpose),
        ("grant[version]", version),
        ("grant[expires_on]", expires_on),
    ];
    for name in &names {
        fields.push((name.as_str(), "true"));
    }
    call(app, "consent/grant", &fields, Some(session)).await
}

async fn revoke(app: &TestApp, session: &str, purpose: &str) -> crate::identity::Answer {
    call(
        app,
        "consent/revoke",
        &[("purpose", purpose)],
        Some(session),
    )
    .await
}

/// What the portal recorded as the answer given (kept in the hashed record).
fn detail(entry: &StoredEvent) -> Option<String> {
    let record: app::access_log::server::record::EventRecord =
        serde_json::from_str(&entry.record).unwrap();
    record.detail
}

async fn consent_entries(app: &TestApp, mrn: &str) -> Vec<StoredEvent> {
    tables::events(
        &app.state.db,
        &[("patient_mrn", mrn), ("category", "consent")],
    )
    .await
}

async fn grant_and_revoke_decide_at_once_with_receipts_and_log_entries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("research-cdr").await;
    let (id, link) = invite(&app, "张伟").await;
    let mrn = app.mrn_of(id).await;
    let (_, session) = enroll(&app, &link).await;
    let who = format!("patient={mrn}");

    let overview = call(&app, "consent/overview", &[], Some(&session)).await;
    assert_eq!(overview.status, 200, "{:?}", overview.body);
    let first_states: Vec<&str> = overview.body["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        first_states,
        ["not_granted", "not_granted"],
        "opt-in: nothing granted by default"
    );
    assert_eq!(
        overview.body["cards"][0]["policy"]["purpose"]["code"],
        "research"
    );
    assert_eq!(
        overview.body["cards"][1]["policy"]["purpose"]["code"],
        "teaching"
    );
    assert_eq!(
        decide(&app, &token, &format!("{who}&purpose=HRESCH")).await,
        deny("not_granted")
    );

    let granted = grant(&app, &session, "research", "1", &["genetic"], "").await;
    assert_eq!(granted.status, 200, "{:?}", granted.body);
    let receipt_id = granted.body.as_str().unwrap().to_owned();

    assert_eq!(
        decide(&app, &token, &format!("{who}&purpose=HRESCH&category=lab")).await,
        permit()
    );
    assert_eq!(
        decide(
            &app,
            &token,
            &format!("{who}&purpose=HRESCH&category=genetic")
        )
        .await,
        deny("category_excluded"),
        "the excluded category is denied"
    );
    assert_eq!(
        decide(
            &app,
            &token,
            &format!("{who}&purpose=research&category=lab&category=genetic")
        )
        .await,
        deny("category_excluded")
    );
    assert_eq!(
        decide(&app, &token, &format!("{who}&purpose=TRAIN&category=lab")).await,
        deny("not_granted"),
        "teaching was not granted"
    );
    the_same_question_as_fhir_parameters(&app, &token, &mrn, &receipt_id).await;
    // Withdrawal denies at once: no clock moves between the two.
    let revoked = revoke(&app, &session, "research").await;
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    assert_eq!(
        decide(&app, &token, &format!("{who}&purpose=HRESCH&category=lab")).await,
        deny("revoked")
    );
    let again = revoke(&app, &session, "research").await;
    assert_eq!(again.body["field"], "revoke", "nothing left to withdraw");

    the_history_shows_both_changes(&app, &session).await;
    each_decision_request_is_logged(&app, &session, &mrn).await;
    the_receipt_is_signed_and_printable(&app, &session, &mrn, &receipt_id).await;
    // A confirmation email per change, without health data or the record number.
    let emails = app::ssr::outbox::Entity::find()
        .filter(app::ssr::outbox::Column::Template.eq("consent_recorded"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(emails.len(), 2);
    for email in &emails {
        assert!(email.body_text.contains("/consent"));
        for private in [mrn.as_str(), "基因", "genetic", "HRESCH", "医学研究"] {
            assert!(
                !email.body_text.contains(private),
                "{private} in {}",
                email.body_text
            );
            assert!(
                !email.body_html.contains(private),
                "{private} in the HTML email"
            );
        }
    }
}
on_both_backends!(grant_and_revoke_decide_at_once_with_receipts_and_log_entries);

async fn the_same_question_as_fhir_parameters(
    app: &TestApp,
    token: &str,
    mrn: &str,
    receipt_id: &str,
) {
    // The same question as FHIR Parameters.
    let (status, answer) = fhir_post(
        app,
        "/Consent/$decide",
        token,
        &json!({"resourceType": "Parameters", "parameter": [
            {"name": "patient", "valueReference": {"reference": format!("Patient/{mrn}")}},
            {"name": "purpose", "valueCoding": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HRESCH"}},
            {"name": "category", "valueCode": "imaging"},
            {"name": "category", "valueCode": "mental_health"}
        ]}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(parameter(&answer, "decision"), "permit");
    assert_eq!(parameter(&answer, "policyVersion"), 1);
    assert_eq!(
        parameter(&answer, "consent")["reference"],
        format!("Consent/{receipt_id}")
    );
}

async fn the_receipt_is_signed_and_printable(
    app: &TestApp,
    session: &str,
    mrn: &str,
    receipt_id: &str,
) {
    // The receipt: a Kantara/ISO 27560 record, signed with the portal's key.
    let response = app
        .client
        .get(app.url(&format!("/consent/receipt.json?id={receipt_id}")))
        .header("cookie", format!("__Host-portal_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let file: Value = response.json().await.unwrap();
    let receipt = &file["receipt"];
    for field in [
        "version",
        "jurisdiction",
        "consentTimestamp",
        "collectionMethod",
        "consentReceiptID",
        "publicKey",
        "language",
        "piiPrincipalId",
        "piiControllers",
        "policyUrl",
        "services",
        "sensitive",
        "spiCat",
    ] {
        assert!(
            !receipt[field].is_null(),
            "receipt lacks {field}: {receipt}"
        );
    }
    assert_eq!(receipt["consentReceiptID"], receipt_id);
    assert_eq!(receipt["jurisdiction"], "CN");
    assert_eq!(receipt["piiPrincipalId"], mrn);
    assert_eq!(receipt["consentState"], "given");
    assert_eq!(receipt["policyVersion"], 1);
    assert_eq!(receipt["excludedCategories"], json!(["genetic"]));
    assert_eq!(
        receipt["services"][0]["purposes"][0]["purposeCategory"],
        json!(["research"])
    );
    assert_eq!(
        receipt["services"][0]["purposes"][0]["consentType"],
        "EXPLICIT"
    );
    assert!(receipt["policyUrl"]
        .as_str()
        .unwrap()
        .ends_with("/consent/policies/research/1"));
    let public_key = app.state.access.signer.public_key();
    assert_eq!(file["signature"]["publicKey"], public_key.as_str());
    let signature = file["signature"]["value"].as_str().unwrap();
    assert!(
        verify(&public_key, &canonical(receipt), signature),
        "signature verifies"
    );
    let mut forged = receipt.clone();
    forged["excludedCategories"] = json!([]);
    assert!(
        !verify(&public_key, &canonical(&forged), signature),
        "a changed receipt does not"
    );
    // The printable page's data.
    let page = call(app, "consent/receipt", &[("id", receipt_id)], Some(session)).await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    assert_eq!(page.body["change"]["action"], "grant");
    assert_eq!(page.body["signature"], signature);
    let printable = app
        .client
        .get(app.url(&format!("/consent/receipts/{receipt_id}")))
        .header("cookie", format!("__Host-portal_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(printable.status(), 200);
    let html = printable.text().await.unwrap();
    assert!(
        html.contains(receipt_id) && html.contains(signature),
        "the page shows the receipt"
    );
}

async fn each_decision_request_is_logged(app: &TestApp, session: &str, mrn: &str) {
    // Every decision request is in the patient's log, under the asking system.
    let entries = consent_entries(app, mrn).await;
    assert_eq!(entries.len(), 7, "one entry per decision request");
    for entry in &entries {
        assert_eq!(entry.agent_name, "research-cdr");
        assert_eq!(entry.agent_kind, "system");
    }
    assert_eq!(entries[0].purpose, "research");
    assert_eq!(detail(&entries[0]).as_deref(), Some("deny: not_granted"));
    assert_eq!(detail(&entries[1]).as_deref(), Some("permit"));
    assert_eq!(entries[4].purpose, "teaching");
    let page = call(
        app,
        "access/page",
        &[("filter[category]", "consent")],
        Some(session),
    )
    .await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    let shown = page.body["entries"].as_array().unwrap();
    assert_eq!(shown.len(), 7);
    assert_eq!(shown[0]["agent_name"], "research-cdr");
    // Newest first: the patient sees what each check was told, oldest at the end.
    assert_eq!(shown[6]["consent_check"], json!({"denied": "not_granted"}));
    assert_eq!(shown[5]["consent_check"], json!("permitted"));
}

async fn the_history_shows_both_changes(app: &TestApp, session: &str) {
    // The history shows both changes, newest first.
    let overview = call(app, "consent/overview", &[], Some(session)).await;
    let history = overview.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["action"], "revoke");
    assert_eq!(history[1]["action"], "grant");
    assert_eq!(history[1]["excluded"], json!(["genetic"]));
    assert_eq!(history[1]["version"], 1);
    assert_eq!(overview.body["cards"][0]["state"], "revoked");
}

async fn an_expired_consent_is_denied_and_bad_dates_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("teaching-lms").await;
    let (id, link) = invite(&app, "王芳").await;
    let mrn = app.mrn_of(id).await;
    let (_, session) = enroll(&app, &link).await;

    for bad in ["2027-02-30", "next year", "2020-01-01"] {
        let refused = grant(&app, &session, "teaching", "1", &[], bad).await;
        assert_eq!(refused.status, 400, "{bad}: {:?}", refused.body);
        assert_eq!(refused.body["field"], "expires_on", "{bad}");
    }
    let unknown = grant(&app, &session, "astrology", "1", &[], "").await;
    assert_eq!(unknown.status, 404);

    let tomorrow = app::ssr::time::local_date(
        app.clock.now() + time::Duration::days(1),
        &app.config.time_zone,
    );
    let granted = grant(&app, &session, "teaching", "1", &["photographs"], &tomorrow).await;
    assert_eq!(granted.status, 200, "{:?}", granted.body);
    let who = format!("patient=Patient/{mrn}&purpose=TRAIN");
    assert_eq!(decide(&app, &token, &who).await, permit());
    // Asked about a time after the last day: expired; about now: still granted.
    let after = app.clock.now() + time::Duration::days(3);
    let after = after
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .replace('+', "%2B");
    assert_eq!(
        decide(&app, &token, &format!("{who}&time={after}")).await,
        deny("expired")
    );
    app.clock.advance(time::Duration::days(3));
    assert_eq!(decide(&app, &token, &who).await, deny("expired"));
    // The session ended during those days: a new enrollment link, as the desk would issue.
    let session = enroll_again(&app, &mrn).await;
    let overview = call(&app, "consent/overview", &[], Some(&session)).await;
    let teaching = &overview.body["cards"][1];
    assert_eq!(teaching["state"], "expired");
    assert_eq!(teaching["expires_on"], tomorrow.as_str());
}
on_both_backends!(an_expired_consent_is_denied_and_bad_dates_are_refused);

/// A fresh enrollment of the patient with `mrn` (their earlier session having ended).
async fn enroll_again(app: &TestApp, mrn: &str) -> String {
    use app::accounts::server::service::NewPatient;
    use app::accounts::types::{MedicalRecordNumber, PersonName};
    let again = NewPatient {
        mrn: MedicalRecordNumber::parse(mrn).unwrap(),
        name: PersonName::parse("王芳").unwrap(),
        email: None,
        locale: app::i18n::Locale::ZhHans,
    };
    let invitation = app::identity::server::invite::invite_patient(
        &app.state.db,
        &again,
        &crate::identity::settings(app),
    )
    .await
    .unwrap();
    enroll(app, &crate::identity::token_of(&invitation.link))
        .await
        .1
}

/// A built-in policy file turned into its next version with `rule` for earlier grants.
fn next_version(built_in: &str, version: i64, rule: &str) -> PolicyFile {
    let text = built_in
        .replace("version = 1", &format!("version = {version}"))
        .replace("earlier_grants = \"keep\"", &format!("earlier_grants = \"{rule}\""))
        .replace(
            "[policy]\n",
            "[policy]\nchanges_zh_hans = \"新增：与合作医院共享去标识化数据。\"\nchanges_en = \"New: de-identified data may be shared with partner hospitals.\"\n",
        );
    PolicyFile::parse(&text).unwrap()
}

async fn a_new_policy_version_keeps_or_pauses_earlier_grants_as_configured(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("cdr").await;
    let (id, link) = invite(&app, "李娜").await;
    let mrn = app.mrn_of(id).await;
    let (_, session) = enroll(&app, &link).await;
    assert_eq!(
        grant(&app, &session, "research", "1", &[], "").await.status,
        200
    );
    assert_eq!(
        grant(&app, &session, "teaching", "1", &[], "").await.status,
        200
    );
    app.clock.advance(time::Duration::minutes(1));

    let research_v2 = next_version(BUILT_IN[0], 2, "suspend");
    let teaching_v2 = next_version(BUILT_IN[1], 2, "keep");
    let now = app.clock.now();
    assert_eq!(
        publish(&app.state.db, &research_v2, now).await.unwrap(),
        Published::New {
            purpose: "research".into(),
            version: 2
        }
    );
    publish(&app.state.db, &teaching_v2, now).await.unwrap();
    // Publishing is idempotent for the same text, and versions go one at a time.
    assert_eq!(
        publish(&app.state.db, &research_v2, now).await.unwrap(),
        Published::Unchanged {
            purpose: "research".into(),
            version: 2
        }
    );
    assert!(matches!(
        publish(&app.state.db, &next_version(BUILT_IN[0], 4, "keep"), now).await,
        Err(PolicyError::VersionOutOfOrder { latest: 2, .. })
    ));
    let altered =
        PolicyFile::parse(&BUILT_IN[0].replace("medical research", "medical research and audits"))
            .unwrap();
    assert!(matches!(
        publish(&app.state.db, &altered, now).await,
        Err(PolicyError::AlreadyPublished { version: 1, .. })
    ));

    let who = format!("patient={mrn}");
    assert_eq!(
        decide(&app, &token, &format!("{who}&purpose=HRESCH")).await,
        deny("awaiting_confirmation"),
        "research v2 pauses earlier grants"
    );
    assert_eq!(
        decide(&app, &token, &format!("{who}&purpose=TRAIN")).await,
        permit(),
        "teaching v2 keeps them"
    );
    let overview = call(&app, "consent/overview", &[], Some(&session)).await;
    let cards = overview.body["cards"].as_array().unwrap();
    assert_eq!(cards[0]["state"], "suspended");
    assert_eq!(cards[0]["policy"]["version"], 2);
    assert_eq!(cards[0]["policy"]["earlier_grants"], "suspend");
    assert!(cards[0]["policy"]["changes_en"]
        .as_str()
        .unwrap()
        .contains("partner hospitals"));
    assert_eq!(cards[0]["granted_version"], 1);
    assert_eq!(cards[1]["state"], "awaiting_confirmation");

    // Agreeing to the version no longer shown is refused; confirming the new one works.
    let stale = grant(&app, &session, "research", "1", &[], "").await;
    assert_eq!(
        (stale.status, stale.body["field"].as_str()),
        (400, Some("version"))
    );
    assert_eq!(
        grant(&app, &session, "research", "2", &[], "").await.status,
        200
    );
    assert_eq!(
        decide(&app, &token, &format!("{who}&purpose=HRESCH")).await,
        permit()
    );
    // Before version 2 existed, the answer was "granted" then too.
    let earlier = (now - time::Duration::seconds(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .replace('+', "%2B");
    assert_eq!(
        decide(
            &app,
            &token,
            &format!("{who}&purpose=HRESCH&time={earlier}")
        )
        .await,
        permit()
    );
    each_version_keeps_its_own_address(&app).await;
}
on_both_backends!(a_new_policy_version_keeps_or_pauses_earlier_grants_as_configured);

async fn each_version_keeps_its_own_address(app: &TestApp) {
    // Each version stays readable at its own public address; others do not exist.
    for (path, status, text) in [
        ("/consent/policies/research/1", 200, "医学伦理委员会"),
        ("/consent/policies/research/2", 200, "合作医院"),
        ("/consent/policies/research/3", 404, ""),
        ("/consent/policies/astrology/1", 404, ""),
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        assert!(response.text().await.unwrap().contains(text), "{path}");
    }
}

async fn fhir_consent_resources_are_valid_r4_and_reads_are_logged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("research-cdr").await;
    let (id, link) = invite(&app, "赵磊").await;
    let mrn = app.mrn_of(id).await;
    let (_, session) = enroll(&app, &link).await;
    let in_a_year = app::ssr::time::local_date(
        app.clock.now() + time::Duration::days(365),
        &app.config.time_zone,
    );
    let research = grant(
        &app,
        &session,
        "research",
        "1",
        &["genetic", "photographs"],
        &in_a_year,
    )
    .await;
    let research_id = research.body.as_str().unwrap().to_owned();
    app.clock.advance(time::Duration::seconds(5));
    assert_eq!(
        grant(&app, &session, "teaching", "1", &[], "").await.status,
        200
    );
    app.clock.advance(time::Duration::seconds(5));
    assert_eq!(revoke(&app, &session, "teaching").await.status, 200);

    let spec = Spec::get();
    the_checker_itself_can_fail(spec);
    let (status, bundle) = fhir_get(&app, &format!("/Consent?patient=Patient/{mrn}"), &token).await;
    assert_eq!(status, 200, "{bundle}");
    assert_eq!(spec.problems(&bundle), Vec::<String>::new(), "{bundle:#}");
    assert_eq!(bundle["type"], "searchset");
    assert_eq!(bundle["total"], 3);
    let resources: Vec<&Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect();
    // Newest first: the teaching withdrawal (in force), the teaching grant, research.
    assert_eq!(resources[0]["status"], "active");
    assert_eq!(resources[0]["provision"]["type"], "deny");
    assert_eq!(resources[0]["provision"]["purpose"][0]["code"], "TRAIN");
    assert_eq!(resources[1]["status"], "inactive");
    let consent = resources[2];
    assert_eq!(consent["id"], research_id.as_str());
    assert_eq!(consent["status"], "active");
    assert_eq!(consent["scope"]["coding"][0]["code"], "research");
    assert_eq!(consent["patient"]["reference"], format!("Patient/{mrn}"));
    let provision = &consent["provision"];
    assert_eq!(provision["type"], "permit");
    assert_eq!(
        provision["purpose"][0]["system"],
        "http://terminology.hl7.org/CodeSystem/v3-ActReason"
    );
    assert_eq!(provision["purpose"][0]["code"], "HRESCH");
    assert!(
        provision["period"]["end"].is_string(),
        "the end date is the period's end"
    );
    let excluded: Vec<&str> = provision["provision"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["type"], "deny");
            p["code"][0]["coding"][0]["code"].as_str().unwrap()
        })
        .collect();
    assert_eq!(excluded, ["genetic", "photographs"]);
    assert_eq!(
        provision["provision"][0]["securityLabel"][0]["code"],
        "GDIS"
    );

    for (query, count) in [
        ("&purpose=HRESCH", 1),
        (
            "&purpose=http://terminology.hl7.org/CodeSystem/v3-ActReason%7CTRAIN",
            2,
        ),
        ("&status=active", 2),
        ("&status=inactive", 1),
    ] {
        let (status, bundle) =
            fhir_get(&app, &format!("/Consent?patient={mrn}{query}"), &token).await;
        assert_eq!(status, 200, "{query}: {bundle}");
        assert_eq!(bundle["total"], count, "{query}");
    }
    let (status, read) = fhir_get(&app, &format!("/Consent/{research_id}"), &token).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(spec.problems(&read), Vec::<String>::new(), "{read:#}");
    assert_eq!(&read, consent);

    consent_requests_are_refused_with_reasons(&app, &token, &mrn).await;
    searches_and_reads_are_logged(&app, &mrn).await;
}
on_both_backends!(fhir_consent_resources_are_valid_r4_and_reads_are_logged);

async fn searches_and_reads_are_logged(app: &TestApp, mrn: &str) {
    // 4 successful searches + 1 search + 1 read were logged (refusals were not answered).
    let entries = consent_entries(app, mrn).await;
    assert_eq!(entries.len(), 6);
    assert_eq!(
        detail(&entries[5]).as_deref(),
        Some("read a consent record")
    );
    assert_eq!(
        detail(&entries[0]).as_deref(),
        Some("searched consent records: 3 found")
    );
}

async fn consent_requests_are_refused_with_reasons(app: &TestApp, token: &str, mrn: &str) {
    // Refusals: no patient, unknown purpose, unknown id, wrong token.
    let (status, outcome) = fhir_get(app, "/Consent?purpose=HRESCH", token).await;
    assert_eq!(
        (status, outcome["issue"][0]["expression"][0].as_str()),
        (400, Some("patient"))
    );
    let (status, _) = fhir_get(app, &format!("/Consent?patient={mrn}&purpose=XYZ"), token).await;
    assert_eq!(status, 400);
    let (status, _) = fhir_get(
        app,
        &format!("/Consent/$decide?patient={mrn}&purpose=HRESCH&category=spleen"),
        token,
    )
    .await;
    assert_eq!(status, 400);
    let (status, outcome) = fhir_get(app, "/Consent/no-such-consent", token).await;
    assert_eq!(
        (status, outcome["resourceType"].as_str()),
        (404, Some("OperationOutcome"))
    );
    let (status, _) = fhir_get(app, &format!("/Consent?patient={mrn}"), "wrong-token").await;
    assert_eq!(status, 401);
}

fn the_checker_itself_can_fail(spec: &Spec) {
    // The checker itself can fail: a broken Consent is reported element by element.
    let broken = json!({
        "resourceType": "Consent", "status": "granted", "category": [],
        "dateTime": "yesterday", "colour": "blue",
        "provision": {"type": "allow", "provision": [{"period": {"start": "2027-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"}}]}
    });
    let problems = spec.problems(&broken);
    for expected in [
        "Consent.status",
        "Consent.scope: required",
        "Consent.category: empty array",
        "Consent.dateTime",
        "Consent.colour: not an element",
        "Consent.provision.type",
        "per-1",
        "ppc-1",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected} not reported in {problems:#?}"
        );
    }
}

async fn one_patient_never_reaches_anothers_consent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("cdr").await;
    let (a_id, a_link) = invite(&app, "张伟").await;
    let (_, b_link) = invite(&app, "王芳").await;
    let a_mrn = app.mrn_of(a_id).await;
    let (_, a) = enroll(&app, &a_link).await;
    let (_, b) = enroll(&app, &b_link).await;
    let a_receipt = grant(&app, &a, "research", "1", &[], "")
        .await
        .body
        .as_str()
        .unwrap()
        .to_owned();

    // B sees only B's own (empty) history and cannot open A's receipt, in either form.
    let b_view = call(&app, "consent/overview", &[], Some(&b)).await;
    assert_eq!(b_view.body["history"], json!([]));
    assert_eq!(b_view.body["cards"][0]["state"], "not_granted");
    let stolen = call(&app, "consent/receipt", &[("id", &a_receipt)], Some(&b)).await;
    assert_eq!(stolen.status, 404);
    let download = app
        .client
        .get(app.url(&format!("/consent/receipt.json?id={a_receipt}")))
        .header("cookie", format!("__Host-portal_session={b}"))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 404);
    // B's withdrawal touches only B's record; A's grant stands.
    assert_eq!(revoke(&app, &b, "research").await.body["field"], "revoke");
    assert_eq!(
        decide(&app, &token, &format!("patient={a_mrn}&purpose=HRESCH")).await,
        permit()
    );

    // Without a session, or as staff, nothing is read or changed.
    for endpoint in ["consent/overview", "consent/receipt", "consent/revoke"] {
        let anonymous = call(
            &app,
            endpoint,
            &[("id", &a_receipt), ("purpose", "research")],
            None,
        )
        .await;
        assert_eq!(anonymous.status, 401, "{endpoint}");
    }
    let officer = enroll_staff(&app, "officer@example.org", Role::PrivacyOfficer).await;
    assert_eq!(
        grant(&app, &officer, "research", "1", &[], "").await.status,
        403
    );
    assert_eq!(
        call(&app, "consent/overview", &[], Some(&officer))
            .await
            .status,
        403
    );
    assert_eq!(
        app.client
            .get(app.url(&format!("/consent/receipt.json?id={a_receipt}")))
            .header("cookie", format!("__Host-portal_session={officer}"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // The privacy officer gets counts, and only counts; a patient gets no counts.
    let stats = call(&app, "consent/stats", &[], Some(&officer)).await;
    assert_eq!(stats.status, 200, "{:?}", stats.body);
    let research = &stats.body[0];
    assert_eq!(research["purpose"]["code"], "research");
    let this_month = research["months"].as_array().unwrap().last().unwrap();
    assert_eq!(this_month["counts"][0], json!(["granted", 1]));
    assert_eq!(research["recent_grants"], 1);
    assert!(
        !stats.body.to_string().contains(&a_mrn),
        "no patient is named"
    );
    assert_eq!(call(&app, "consent/stats", &[], Some(&a)).await.status, 403);
}
on_both_backends!(one_patient_never_reaches_anothers_consent);

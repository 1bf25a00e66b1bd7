//! Edges that hold, over real HTTP: the FHIR API reads no body before the token is
//! checked, bounds batches and back-fills, honours each token's scopes, keeps portal
//! deactivations and protected staff out of the directory's reach, and accepts the URL
//! forms FHIR clients use; rate limits see through trusted proxies only; recovery links
//! are told and logged; delivered enrollment links do not stay readable.

use std::time::{Duration, Instant};

use crate::tables;
use app::accounts::server::service::NewStaff;
use app::accounts::types::Deactivator;
use app::accounts::types::{EmailAddress, PersonName, StaffNumber};
use app::audit::staff_action;
use app::i18n::Locale;
use app::identity::server::activation::deactivate;
use app::identity::server::invite::invite_staff;
use app::identity::types::Role;
use app::ssr::clock::Clock;
use app::ssr::outbox;
use app::ssr::sources::Scope;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, enroll_staff, invite, settings, token_of};
use crate::on_both_backends;
use crate::smtp::SmtpServer;

/// A minimal valid `AuditEvent` (the access of `staff` to `mrn`).
fn audit_event(id: &str, mrn: &str, staff: &str) -> Value {
    json!({
        "resourceType": "AuditEvent",
        "id": id,
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110"},
        "action": "R",
        "recorded": "2026-11-20T10:00:00+08:00",
        "agent": [{"who": {"identifier": {"value": staff}, "display": format!("医生{staff}")}, "requestor": true}],
        "source": {"observer": {"display": "HIS"}},
        "entity": [{"what": {"identifier": {"value": mrn}}, "role": {"code": "1"}}]
    })
}

fn practitioner(number: &str, active: bool) -> Value {
    json!({
        "resourceType": "Practitioner",
        "identifier": [{"value": number}],
        "name": [{"text": format!("员工{number}")}],
        "active": active
    })
}

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    app.fhir(
        reqwest::Method::POST,
        path,
        token,
        Some((body.to_string(), "application/fhir+json")),
    )
    .await
}

/// Sends request headers declaring `declared` bytes and only the first `sent` of them, then
/// reads the answer. The answer can only come before the rest of the body was sent if the
/// server answered without reading the body.
async fn answer_before_body(app: &TestApp, path: &str, declared: usize, sent: usize) -> String {
    let address = app.base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/fhir+ndjson\r\n\
         Content-Length: {declared}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![b'x'; sent]).await.unwrap();
    let mut answer = vec![0_u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("the server answered while the body was still unsent")
        .unwrap();
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

async fn unauthenticated_uploads_are_refused_before_the_body_is_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let hundred_mb = 100 * 1024 * 1024;
    let answer =
        answer_before_body(&app, "/fhir/r4/AuditEvent/$import", hundred_mb, 64 * 1024).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("OperationOutcome"), "{answer}");
    // The same for every route that takes a body.
    for path in ["/fhir/r4/", "/fhir/r4/AuditEvent", "/fhir/r4/Practitioner"] {
        let answer = answer_before_body(&app, path, hundred_mb, 1024).await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{path}: {answer}");
    }
    // With a valid token, a back-fill declared larger than the limit is refused at once too.
    let token = app.add_source("his").await;
    let address = app.base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /fhir/r4/AuditEvent/$import HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {}\r\n\r\n",
        server::fhir::NDJSON_LIMIT + 1
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0_u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("answered at once")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}
on_both_backends!(unauthenticated_uploads_are_refused_before_the_body_is_read);

async fn batches_are_bounded_and_problems_capped(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    let entry = json!({"resource": audit_event("e", "M1", "S1"), "request": {"method": "POST", "url": "AuditEvent"}});
    let bundle = json!({
        "resourceType": "Bundle", "type": "batch",
        "entry": vec![entry; 30_000],
    });
    let (status, outcome) = post(&app, "/", &token, &bundle).await;
    assert_eq!(status, 413, "{outcome}");
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["code"], "too-costly");
    let text = outcome["issue"][0]["diagnostics"].as_str().unwrap();
    assert!(text.contains("10000") && text.contains("30000"), "{text}");
    assert_eq!(
        tables::count(&app.state.db, "access_event").await,
        0,
        "nothing of a refused batch is stored"
    );

    // A back-fill with 250 bad lines lists 100 of them and counts the rest.
    let mut body = String::new();
    for n in 0..250 {
        body.push_str(&json!({"resourceType": "AuditEvent", "id": format!("bad-{n}")}).to_string());
        body.push('\n');
    }
    body.push_str(&audit_event("good-1", "M1", "S1").to_string());
    let (status, outcome) = app
        .fhir(
            reqwest::Method::POST,
            "/AuditEvent/$import",
            &token,
            Some((body, "application/fhir+ndjson")),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    let issues = outcome["issue"].as_array().unwrap();
    assert_eq!(
        issues.len(),
        1 + 100 + 1,
        "summary, 100 listed, one counting the rest"
    );
    assert!(issues[0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("1 stored, 0 already received, 250 rejected"));
    assert!(issues[101]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("150 more problems"));
}
on_both_backends!(batches_are_bounded_and_problems_capped);

async fn a_long_import_leaves_room_for_sign_ins_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    let (_, enrollment) = invite(&app, "张伟").await;
    let (mut passkey, session) = enroll(&app, &enrollment).await;
    let mut body = String::new();
    for n in 0..4_000 {
        body.push_str(
            &audit_event(&format!("bulk-{n}"), &format!("M{}", n % 400), "S1").to_string(),
        );
        body.push('\n');
    }
    let import = {
        let client = app.client.clone();
        let url = app.url("/fhir/r4/AuditEvent/$import");
        let token = token.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let response = client
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/fhir+ndjson")
                .timeout(Duration::from_mins(10))
                .body(body)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.text().await.unwrap(),
                started.elapsed(),
            )
        })
    };
    // While it runs: sign-ins and pages, one after another, each must succeed.
    let mut during = 0;
    let mut slowest = Duration::ZERO;
    while !import.is_finished() {
        let asked = Instant::now();
        let signed_in = crate::identity::sign_in(&app, &mut passkey, None).await;
        assert_eq!(
            signed_in.status, 200,
            "sign-in during an import: {:?}",
            signed_in.body
        );
        let page = app
            .client
            .get(app.url("/access-log"))
            .header("cookie", format!("__Host-portal_session={session}"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            200,
            "a page during an import, after {:?}",
            asked.elapsed()
        );
        slowest = slowest.max(asked.elapsed());
        during += 1;
        // A person signs in now and then, not thirty times a second (the rate limit).
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (status, outcome, took) = import.await.unwrap();
    assert_eq!(status, 200, "{outcome}");
    assert!(outcome.contains("4000 stored"), "{outcome}");
    assert!(
        during >= 1,
        "the import took {took:?}: too short to overlap anything"
    );
    eprintln!("{during} sign-ins and pages during a {took:?} import; slowest pair {slowest:?}");
}
on_both_backends!(a_long_import_leaves_room_for_sign_ins_and_pages);

async fn staff(app: &TestApp, number: &str, email: &str, roles: &[Role]) -> i64 {
    let new = NewStaff {
        staff_number: Some(StaffNumber::parse(number).unwrap()),
        name: PersonName::parse(&format!("员工{number}")).unwrap(),
        email: Some(EmailAddress::parse(email).unwrap()),
        locale: Locale::ZhHans,
        department_id: None,
        job_title: "staff".into(),
    };
    invite_staff(&app.state.db, &new, roles, &settings(app))
        .await
        .unwrap()
        .account_id
}

async fn active(app: &TestApp, id: i64) -> bool {
    app::accounts::server::query::by_id(&app.state.db, id)
        .await
        .unwrap()
        .unwrap()
        .active
}

async fn the_directory_cannot_undo_the_portal_nor_remove_its_officers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("hr").await;
    let admin = staff(&app, "A001", "admin@example.org", &[Role::Admin]).await;
    let officer = staff(&app, "P001", "officer@example.org", &[Role::PrivacyOfficer]).await;
    let clerk = staff(&app, "C001", "clerk@example.org", &[Role::RecordsOfficer]).await;

    // An operator deactivates the administrator; a push saying "active" changes nothing.
    deactivate(&app.state.db, admin, Deactivator::Portal, app.clock.now())
        .await
        .unwrap();
    let (status, outcome) = post(&app, "/Practitioner", &token, &practitioner("A001", true)).await;
    assert_eq!(status, 200, "{outcome}");
    assert!(
        !active(&app, admin).await,
        "the directory re-activated an account the portal deactivated"
    );

    // A push deactivating the privacy officer is refused, and recorded.
    let (status, outcome) = post(&app, "/Practitioner", &token, &practitioner("P001", false)).await;
    assert_eq!(status, 409, "{outcome}");
    assert_eq!(outcome["issue"][0]["code"], "business-rule");
    assert!(active(&app, officer).await);
    let refused = staff_action::Entity::find()
        .filter(staff_action::Column::Action.eq("directory_deactivation_refused"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].subject_account_id, Some(officer));

    // Other staff follow the directory both ways.
    let (status, _) = post(&app, "/Practitioner", &token, &practitioner("C001", false)).await;
    assert_eq!(status, 200);
    assert!(!active(&app, clerk).await);
    let (status, _) = post(&app, "/Practitioner", &token, &practitioner("C001", true)).await;
    assert_eq!(status, 200);
    assert!(
        active(&app, clerk).await,
        "the directory may undo its own deactivation"
    );

    // `portal reactivate` undoes the operator's.
    app::identity::server::activation::reactivate(
        &app.state.db,
        admin,
        Deactivator::Portal,
        app.clock.now(),
    )
    .await
    .unwrap();
    assert!(active(&app, admin).await);
}
on_both_backends!(the_directory_cannot_undo_the_portal_nor_remove_its_officers);

async fn tokens_do_only_what_their_scopes_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let events_only = app.add_source_with("lis", &[Scope::Events]).await;
    let directory_only = app.add_source_with("hr", &[Scope::Directory]).await;

    let (status, outcome) = post(
        &app,
        "/Practitioner",
        &events_only,
        &practitioner("S9", true),
    )
    .await;
    assert_eq!(status, 403, "{outcome}");
    assert_eq!(outcome["issue"][0]["code"], "forbidden");
    assert!(outcome["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("directory"));
    let (status, _) = post(
        &app,
        "/AuditEvent",
        &directory_only,
        &audit_event("x", "M1", "S9"),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .fhir(
            reqwest::Method::GET,
            "/Consent?patient=Patient/M1",
            &events_only,
            None,
        )
        .await;
    assert_eq!(status, 403, "reading consent needs consent-read");

    // In a batch, each entry is judged by its own scope.
    let bundle = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": practitioner("S9", true)},
        {"resource": audit_event("y", "M1", "S9")},
    ]});
    let (status, answer) = post(&app, "/", &events_only, &bundle).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["entry"][0]["response"]["status"], "403 Forbidden");
    assert_eq!(answer["entry"][1]["response"]["status"], "201 Created");
}
on_both_backends!(tokens_do_only_what_their_scopes_name);

async fn fhir_clients_work_unchanged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    // A batch posted to the base with a trailing slash, as client libraries do.
    let bundle = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": audit_event("slash-1", "M1", "S1")},
    ]});
    let response = app
        .client
        .post(app.url("/fhir/r4/"))
        .bearer_auth(&token)
        .header("content-type", "application/fhir+json")
        .body(bundle.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // A create answers 201 with where the new resource is.
    let response = app
        .client
        .post(app.url("/fhir/r4/AuditEvent/"))
        .bearer_auth(&token)
        .header("content-type", "application/fhir+json")
        .body(audit_event("slash-2", "M1", "S1").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let stored = tables::events(&app.state.db, &[]).await.pop().unwrap();
    assert_eq!(location, format!("AuditEvent/{}", stored.id));
    let metadata = app
        .client
        .get(app.url("/fhir/r4/metadata/"))
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), 200);
}
on_both_backends!(fhir_clients_work_unchanged);

/// Starts sign-ins (each a wrong passkey answer is not needed: starting costs nothing) —
/// here: finishes with a made-up answer, which spends the sign-in budget of the client.
async fn spend_sign_in(app: &TestApp, forwarded_for: Option<&str>) -> u16 {
    let mut request = app
        .client
        .post(app.url("/api/identity/sign-in/finish"))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .form(&[("ceremony_id", "x"), ("credential", "{}")]);
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn rate_limits_see_through_trusted_proxies_only(backend: Backend) {
    // Behind a trusted proxy (the test client is on 127.0.0.1), two clients have their own
    // budgets.
    let app = TestApp::spawn_with(
        backend,
        &[
            ("PORTAL_TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
            ("PORTAL_SIGN_IN_ATTEMPTS", "5"),
        ],
    )
    .await;
    for _ in 0..5 {
        assert_ne!(spend_sign_in(&app, Some("203.0.113.1")).await, 429);
    }
    assert_eq!(spend_sign_in(&app, Some("203.0.113.1")).await, 429);
    assert_ne!(
        spend_sign_in(&app, Some("203.0.113.2")).await,
        429,
        "another client behind the proxy has its own budget"
    );
    // IPv6 clients are counted by their /64.
    for _ in 0..5 {
        assert_ne!(spend_sign_in(&app, Some("2001:db8:1:2::1")).await, 429);
    }
    assert_eq!(spend_sign_in(&app, Some("2001:db8:1:2::ffff")).await, 429);
    // Opening the sign-in page (which starts a passkey ceremony) spends nothing of it.
    let fresh = "203.0.113.9";
    for _ in 0..10 {
        let page = app
            .client
            .get(app.url("/sign-in"))
            .header("x-forwarded-for", fresh)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let started = app
            .client
            .post(app.url("/api/identity/sign-in/start"))
            .header("origin", app.origin())
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .header("x-forwarded-for", fresh)
            .send()
            .await
            .unwrap();
        assert_eq!(started.status(), 200);
    }
    assert_ne!(spend_sign_in(&app, Some(fresh)).await, 429);

    // Without trusted proxies the header is the client's own say-so, and ignored.
    let app = TestApp::spawn_with(backend, &[("PORTAL_SIGN_IN_ATTEMPTS", "5")]).await;
    for n in 0..5 {
        assert_ne!(
            spend_sign_in(&app, Some(&format!("198.51.100.{n}"))).await,
            429
        );
    }
    assert_eq!(spend_sign_in(&app, Some("198.51.100.77")).await, 429);
}
on_both_backends!(rate_limits_see_through_trusted_proxies_only);

async fn failed_answers_are_limited_per_account(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTAL_ACCOUNT_FAILURES", "3")]).await;
    let (_, token) = invite(&app, "张伟").await;
    let (mut passkey, _) = enroll(&app, &token).await;
    // Three answers signed by a different key for this account's passkey.
    for _ in 0..3 {
        let refused = crate::identity::sign_in_with_wrong_key(&app, &passkey).await;
        assert_eq!(refused.status, 401, "{:?}", refused.body);
    }
    let locked = crate::identity::sign_in(&app, &mut passkey, None).await;
    assert_eq!(
        locked.status, 429,
        "the account is locked for the window: {:?}",
        locked.body
    );
    app.clock.advance(time::Duration::minutes(11));
    let again = crate::identity::sign_in(&app, &mut passkey, None).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
}
on_both_backends!(failed_answers_are_limited_per_account);

async fn recovery_links_are_confirmed_logged_and_told(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (patient_id, token) = invite(&app, "张伟").await;
    let (_, patient) = enroll(&app, &token).await;
    let mrn = app.mrn_of(patient_id).await;
    let admin = enroll_staff(&app, "admin@example.org", Role::Admin).await;
    let reason = "lost phone; identity card checked at the desk";

    // A record number typed as a staff number names nobody.
    let wrong_kind = call(
        &app,
        "staff/recovery-link",
        &[
            ("kind", "staff_number"),
            ("person", &mrn),
            ("reason", reason),
        ],
        Some(&admin),
    )
    .await;
    assert_eq!(wrong_kind.body["field"], "person", "{:?}", wrong_kind.body);

    // First step: whose account it is; nothing issued yet.
    let fields = [
        ("kind", "record_number"),
        ("person", mrn.as_str()),
        ("reason", reason),
    ];
    let confirm = call(&app, "staff/recovery-link", &fields, Some(&admin)).await;
    assert_eq!(confirm.status, 200, "{:?}", confirm.body);
    assert_eq!(confirm.body["step"], "confirm");
    assert_eq!(confirm.body["display_name"], "张伟");
    assert!(staff_action::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .is_empty());

    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "yes"));
    let issued = call(&app, "staff/recovery-link", &confirmed, Some(&admin)).await;
    assert_eq!(issued.status, 200, "{:?}", issued.body);
    assert_eq!(issued.body["step"], "issued");
    assert_eq!(issued.body["emailed"], true);
    let link = issued.body["link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/enroll/", app.origin())));

    // In the patient's own log, as an action on their account by the administrator.
    let log = call(
        &app,
        "access/page",
        &[("filter[unusual_only]", "false")],
        Some(&patient),
    )
    .await;
    let entries = log.body["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["category"] == "account" && e["action"] == "create"),
        "{entries:?}"
    );
    // And told by email, without the link.
    let mails = outbox::Entity::find()
        .filter(outbox::Column::Template.eq("recovery_issued"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].recipient.starts_with('t'));
    assert!(!mails[0].body_text.contains(&token_of(link)));
    let recorded = staff_action::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].action, "issue_recovery_link");
    assert_eq!(recorded[0].subject_account_id, Some(patient_id));
}
on_both_backends!(recovery_links_are_confirmed_logged_and_told);

async fn delivered_enrollment_links_are_not_kept(backend: Backend) {
    let app = TestApp::without_server(backend).await;
    let smtp = SmtpServer::start().await;
    let (_, token) = invite(&app, "张伟").await;
    let queued = outbox::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert!(queued[0].carries_secret);
    assert!(queued[0].body_text.contains(&token), "queued with the link");
    let mailer = server::mail::Mailer::new(
        Some(&smtp.url()),
        "Portal <no-reply@localhost>",
        std::path::Path::new("."),
    )
    .unwrap();
    server::mail::deliver_due(&app.state.db, &mailer, &app.clock.shared())
        .await
        .unwrap();
    assert_eq!(smtp.received().len(), 1, "the person got the message");
    let kept = outbox::Entity::find().all(&app.state.db).await.unwrap();
    assert!(kept[0].sent_at.is_some());
    for body in [&kept[0].body_text, &kept[0].body_html] {
        assert!(!body.contains(&token), "the link stayed readable: {body}");
        assert_eq!(body, server::mail::ERASED);
    }

    // Written as files instead: owner-only, in an owner-only directory.
    let (_, _) = invite(&app, "李娜").await;
    let files = server::mail::Mailer::new(None, "Portal <no-reply@localhost>", app.data_dir.path())
        .unwrap();
    server::mail::deliver_due(&app.state.db, &files, &app.clock.shared())
        .await
        .unwrap();
    let dir = app.data_dir.path().join("outbox");
    let mode = |p: &std::path::Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions())
            & 0o777
    };
    assert_eq!(mode(&dir), 0o700);
    let written: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1);
    assert_eq!(mode(&written[0]), 0o600);
    // The database file itself is the portal user's only.
    if backend == Backend::Sqlite {
        assert_eq!(mode(&app.data_dir.path().join("portal.db")), 0o600);
    }
}
on_both_backends!(delivered_enrollment_links_are_not_kept);

async fn a_changed_address_is_logged_and_the_old_one_told(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("mpi").await;
    let patient = |email: &str| {
        json!({
            "resourceType": "Patient",
            "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}, "value": "M77"}],
            "name": [{"text": "王芳"}],
            "telecom": [{"system": "email", "value": email}]
        })
    };
    let (status, outcome) = post(&app, "/Patient", &token, &patient("old@example.org")).await;
    assert_eq!(status, 200, "{outcome}");
    let (status, _) = post(&app, "/Patient", &token, &patient("old@example.org")).await;
    assert_eq!(status, 200);
    assert!(
        outbox::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .is_empty(),
        "nothing changed"
    );
    let (status, _) = post(&app, "/Patient", &token, &patient("new@example.org")).await;
    assert_eq!(status, 200);
    let told = outbox::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].recipient, "old@example.org");
    assert_eq!(told[0].template, "address_changed");
    let logged = staff_action::Entity::find()
        .filter(staff_action::Column::Action.eq("directory_email_change"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(logged.len(), 1);
    assert!(logged[0].reason.as_deref().unwrap().contains("mpi"));
}
on_both_backends!(a_changed_address_is_logged_and_the_old_one_told);

async fn review_decisions_keep_history_and_every_item_is_reachable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    let (asker_id, link) = invite(&app, "韩梅梅").await;
    let asker_mrn = app.mrn_of(asker_id).await;
    let (_, asker) = enroll(&app, &link).await;
    let (watcher_id, link) = invite(&app, "李华").await;
    let watcher_mrn = app.mrn_of(watcher_id).await;
    let (_, watcher) = enroll(&app, &link).await;
    let officer = enroll_staff(&app, "officer@example.org", Role::PrivacyOfficer).await;

    // One patient asks about 30 accesses by 30 people (30 cases); another has one flagged
    // access.
    let mut bulk = String::new();
    for n in 0..30 {
        let person = format!("Q{n}");
        bulk.push_str(&audit_event(&format!("q-{n}"), &asker_mrn, &person).to_string());
        bulk.push('\n');
    }
    let (status, outcome) = app
        .fhir(
            reqwest::Method::POST,
            "/AuditEvent/$import",
            &token,
            Some((bulk, "application/fhir+ndjson")),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    let questioned: Vec<i64> = tables::events(&app.state.db, &[("patient_mrn", &asker_mrn)])
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    for id in &questioned {
        let answer = call(
            &app,
            "access/ask",
            &[("event_id", &id.to_string()), ("question", "谁？")],
            Some(&asker),
        )
        .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    }
    let added = call(
        &app,
        "access/watch-add",
        &[("person_name", "医生S7")],
        Some(&watcher),
    )
    .await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    let (status, _) = post(
        &app,
        "/AuditEvent",
        &token,
        &audit_event("flag-1", &watcher_mrn, "S7"),
    )
    .await;
    assert_eq!(status, 201);

    let first = call(&app, "access/reviews", &[], Some(&officer)).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["open"], 31, "{}", first.body["open"]);
    assert_eq!(first.body["pages"], 2);
    assert_eq!(first.body["cases"].as_array().unwrap().len(), 25);
    let second = call(&app, "access/reviews", &[("page", "2")], Some(&officer)).await;
    let items = second.body["cases"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|item| item["patient_mrn"] == watcher_mrn.as_str()),
        "the other patient's flagged access is on the last page: {items:?}"
    );

    // Deciding twice keeps both decisions.
    let id = tables::case_of(&app.state.db, questioned[0])
        .await
        .to_string();
    for (decision, note) in [
        ("explained", "covering a colleague"),
        ("escalated", "no rota entry"),
    ] {
        let decided = call(
            &app,
            "access/review-decide",
            &[("case_id", &id), ("decision", decision), ("note", note)],
            Some(&officer),
        )
        .await;
        assert_eq!(decided.status, 200, "{:?}", decided.body);
    }
    let history = tables::review_decisions(&app.state.db, questioned[0]).await;
    let kept: Vec<(&str, &str)> = history
        .iter()
        .map(|d| (d.state.as_str(), d.note.as_str()))
        .collect();
    assert_eq!(
        kept,
        [
            ("explained", "covering a colleague"),
            ("escalated", "no rota entry")
        ]
    );

    the_watch_list_has_a_size_limit(&app, &watcher).await;
}
on_both_backends!(review_decisions_keep_history_and_every_item_is_reachable);

async fn the_watch_list_has_a_size_limit(app: &TestApp, watcher: &str) {
    // The watch list has a size limit.
    for n in 1..20 {
        let added = call(
            app,
            "access/watch-add",
            &[("person_name", &format!("医生W{n}"))],
            Some(watcher),
        )
        .await;
        assert_eq!(added.status, 200, "{:?}", added.body);
    }
    let full = call(
        app,
        "access/watch-add",
        &[("person_name", "医生W99")],
        Some(watcher),
    )
    .await;
    assert_eq!(full.status, 400);
    assert_eq!(full.body["field"], "watch_full");
}

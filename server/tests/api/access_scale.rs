//! The access log at scale: the page's counts come from per-patient summaries that stay
//! equal to a recount of the events, and pages and sign-ins go on while a large import
//! runs (on SQLite through their own read connections beside the one writer).

use app::access_log::server::{chain, summary};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::access::{audit_event, fhir};
use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, invite, sign_in};
use crate::on_both_backends;

/// NDJSON of `count` accesses to `mrn`, one every `hours`, from `start` (a local day):
/// every fifth by a department the directory does not know (no department), every
/// seventh to a sensitive category (flagged).
fn accesses(prefix: &str, mrn: &str, start: &str, count: usize, hours: i64) -> String {
    let start = time::PrimitiveDateTime::parse(
        &format!("{start}T08:00"),
        &time::format_description::well_known::Iso8601::DEFAULT,
    )
    .unwrap();
    let mut lines = Vec::with_capacity(count);
    for n in 0..count {
        let at = start + time::Duration::hours(hours * i64::try_from(n).unwrap());
        let at = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute()
        );
        let department = if n % 5 == 0 { "NOWHERE" } else { "CARD" };
        let mut event = audit_event(&format!("{prefix}{n}"), mrn, "S1", department, &at);
        if n % 7 == 0 {
            event["entity"][1]["securityLabel"] = json!([{"code": "PSY"}]);
        }
        lines.push(event.to_string());
    }
    lines.join("\n")
}

async fn import(app: &TestApp, token: &str, lines: String) {
    let (status, body) = fhir(
        app,
        "/AuditEvent/$import",
        token,
        lines,
        "application/fhir+ndjson",
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// The patient's stored summaries equal a recount of their events.
async fn summaries_match_a_recount(app: &TestApp, mrn: &str) {
    let zone = &app.state.access.ingest.time_zone;
    let (stored, recounted) = summary::stored_and_recounted(&app.state.db, zone, &[mrn.to_owned()])
        .await
        .unwrap();
    assert!(!recounted.is_empty());
    assert_eq!(stored, recounted);
}

async fn totals(app: &TestApp, session: &str, fields: &[(&str, &str)]) -> (u64, u64, usize) {
    let answer = call(app, "access/summary", fields, Some(session)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    (
        answer.body["total"].as_u64().unwrap(),
        answer.body["unusual"].as_u64().unwrap(),
        answer.body["by_month"].as_array().unwrap().len(),
    )
}

async fn the_page_counts_come_from_summaries_equal_to_a_recount(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    let (id, link) = invite(&app, "张伟").await;
    let mrn = app.mrn_of(id).await;
    let (_, session) = enroll(&app, &link).await;
    let all = [("filter[unusual_only]", "false")];

    // A back-fill: one import whose batches each span months (every 19 hours for 14
    // months), then the live feed's day.
    import(&app, &token, accesses("old", &mrn, "2025-09-01", 540, 19)).await;
    summaries_match_a_recount(&app, &mrn).await;
    import(&app, &token, accesses("new", &mrn, "2026-11-20", 60, 1)).await;
    summaries_match_a_recount(&app, &mrn).await;
    let flagged = (0..540).filter(|n| n % 7 == 0).count() + (0..60).filter(|n| n % 7 == 0).count();
    let (total, unusual, months) = totals(&app, &session, &all).await;
    assert_eq!((total, unusual), (600, flagged as u64));
    assert_eq!(months, 15, "September 2025 to November 2026");
    // Local days, both ends included: 2026-11-20 08:00 to 23:00 is 16 accesses.
    let one_day = [
        ("filter[from]", "2026-11-20"),
        ("filter[to]", "2026-11-20"),
        ("filter[unusual_only]", "false"),
    ];
    assert_eq!(totals(&app, &session, &one_day).await.0, 16);
    let page = call(&app, "access/page", &one_day, Some(&session)).await;
    assert_eq!(page.body["entries"].as_array().unwrap().len(), 16);
    let flagged_only = [("filter[unusual_only]", "true")];
    assert_eq!(
        totals(&app, &session, &flagged_only).await,
        (flagged as u64, flagged as u64, 15)
    );

    // The tampering check walks everything and finds the summaries right; they are
    // unchanged by it.
    let zone = &app.state.access.ingest.time_zone;
    let report = chain::verify_database(&app.state.db, None, zone)
        .await
        .unwrap();
    assert!(report.problems.is_empty(), "{report:?}");
    summaries_match_a_recount(&app, &mrn).await;

    // The page reads the summaries, not the events: a changed count shows on it, and the
    // tampering check names it; counting again puts it right.
    let changed = app
        .state
        .db
        .execute_unprepared(&format!(
            "UPDATE access_summary SET events = events + 1000 WHERE patient_mrn = '{mrn}' \
             AND day = '2026-11-20' AND unusual = false"
        ))
        .await
        .unwrap()
        .rows_affected();
    assert!(changed >= 1);
    assert_eq!(totals(&app, &session, &all).await.0, 600 + 1000 * changed);
    let report = chain::verify_database(&app.state.db, None, zone)
        .await
        .unwrap();
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(
        report.problems[0].starts_with("a patient's counts on their log page differ"),
        "{report:?}"
    );
    summary::recount(&app.state.db, zone).await.unwrap();
    assert_eq!(totals(&app, &session, &all).await.0, 600);
    summaries_match_a_recount(&app, &mrn).await;

    // Counted in another time zone (the setting changed): counted again at start.
    app.state
        .db
        .execute_unprepared("UPDATE access_summary_state SET time_zone = 'Europe/London'")
        .await
        .unwrap();
    assert!(summary::ensure(&app.state.db, zone).await.unwrap());
    assert!(!summary::ensure(&app.state.db, zone).await.unwrap());
    summaries_match_a_recount(&app, &mrn).await;
}
on_both_backends!(the_page_counts_come_from_summaries_equal_to_a_recount);

/// Accesses in the large import.
const LARGE: i64 = 10_000;

async fn a_sign_in_and_a_page_go_on_while_a_large_import_runs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    let (id, link) = invite(&app, "王芳").await;
    let mrn = app.mrn_of(id).await;
    let (mut passkey, _) = enroll(&app, &link).await;
    import(&app, &token, accesses("first", &mrn, "2026-10-01", 30, 1)).await;

    // Ten thousand accesses in one import, committed in batches.
    let lines = accesses("bulk", &mrn, "2025-01-01", 10_000, 1);
    let importing = {
        let client = app.client.clone();
        let url = app.url("/fhir/r4/AuditEvent/$import");
        let token = token.clone();
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/fhir+ndjson")
                .body(lines)
                .send()
                .await
                .map(|response| response.status().as_u16())
        })
    };
    let stored = || async {
        let row = app
            .state
            .reads
            .query_one(sea_orm::Statement::from_string(
                app.state.reads.get_database_backend(),
                "SELECT COUNT(*) AS n FROM access_event",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };
    while stored().await <= 30 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let signed_in = sign_in(&app, &mut passkey, None).await;
    assert_eq!(signed_in.status, 200, "{:?}", signed_in.body);
    let session = signed_in.session().expect("a session");
    let page = app
        .client
        .get(app.url("/access-log"))
        .header("cookie", format!("__Host-portal_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let text = page.text().await.unwrap();
    assert!(
        text.contains("id=\"entry-"),
        "the page lists entries: {text}"
    );
    let during = stored().await;
    assert!(
        during < LARGE + 30,
        "the import had finished ({during} events) before the sign-in and the page: this \
         test then proves nothing"
    );

    assert_eq!(importing.await.unwrap().unwrap(), 200);
    assert_eq!(stored().await, LARGE + 30);
    summaries_match_a_recount(&app, &mrn).await;
}
on_both_backends!(a_sign_in_and_a_page_go_on_while_a_large_import_runs);

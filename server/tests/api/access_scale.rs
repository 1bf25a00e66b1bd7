//! The access log at scale: the page's counts come from per-patient summaries that stay
//! equal to a recount of the events, and pages and sign-ins go on while a large import
//! runs (on SQLite through their own read connections beside the one writer); a source
//! system that goes silent or late is told to the privacy officers once and shown on
//! patients' logs until it reports again.

use app::access_log::server::{chain, feeds, summary};
use app::identity::types::Role;
use app::ssr::clock::Clock;
use app::ssr::sources;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::access::{access_by, audit_event, fhir};
use crate::helpers::{postgres_base_url, skip_postgres_or_fail, Backend, TestApp};
use crate::identity::{call, enroll, enroll_staff, invite, sign_in};
use crate::on_both_backends;
use crate::passkey::SoftPasskey;

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

/// How many count rows (days and months) the patient has.
async fn stored_counts(app: &TestApp, mrn: &str) -> i64 {
    let db = &app.state.db;
    let row = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT (SELECT COUNT(*) FROM access_summary WHERE patient_mrn = '{mrn}') + \
                 (SELECT COUNT(*) FROM access_summary_month WHERE patient_mrn = '{mrn}') AS n"
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
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

/// The first month of the logs of [`a_short_log_has_no_counts`].
const SEPTEMBER: [(&str, &str); 3] = [
    ("filter[from]", "2025-09-01"),
    ("filter[to]", "2025-09-30"),
    ("filter[unusual_only]", "false"),
];

/// Accesses of [`accesses`] flagged among `count`.
fn flagged_in(count: usize) -> u64 {
    (0..count).filter(|n| n % 7 == 0).count() as u64
}

/// The first 200 accesses of the log of `mrn`: too few for counts.
async fn a_short_log_has_no_counts(app: &TestApp, token: &str, mrn: &str, session: &str) {
    let all = [("filter[unusual_only]", "false")];
    let zone = &app.state.access.ingest.time_zone;
    // A short log has no counts: its page counts its events (every 19 hours from
    // 2025-09-01 08:00 to 2026-02-06: six months).
    import(app, token, accesses("early", mrn, "2025-09-01", 200, 19)).await;
    assert_eq!(stored_counts(app, mrn).await, 0);
    assert_eq!(totals(app, session, &all).await, (200, flagged_in(200), 6));
    // 08:00 on 1 September to 23:59 on the 30th: 38 steps of 19 hours, and the first.
    assert_eq!(totals(app, session, &SEPTEMBER).await.0, 38);
    // Counts stored for a short log are found by the tampering check.
    app.state
        .db
        .execute_unprepared(&format!(
            "INSERT INTO access_summary_month (patient_mrn, month, department_id, category, \
             unusual, events) VALUES ('{mrn}', '2025-09', 0, 'other', false, 5)"
        ))
        .await
        .unwrap();
    let report = chain::verify_database(&app.state.db, None, zone)
        .await
        .unwrap();
    assert_eq!(report.problems.len(), 1, "{report:?}");
    summary::recount(&app.state.db, zone).await.unwrap();
    assert_eq!(stored_counts(app, mrn).await, 0);
}

async fn the_page_counts_come_from_summaries_equal_to_a_recount(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    let (id, link) = invite(&app, "张伟").await;
    let mrn = app.mrn_of(id).await;
    let (_, session) = enroll(&app, &link).await;
    let all = [("filter[unusual_only]", "false")];
    let zone = &app.state.access.ingest.time_zone;
    a_short_log_has_no_counts(&app, &token, &mrn, &session).await;

    // A back-fill whose batches each span months (every 19 hours for 9 months) takes the
    // log over the threshold: from then on it is counted, its earlier events included;
    // then the live feed's day.
    import(&app, &token, accesses("old", &mrn, "2026-01-01", 340, 19)).await;
    assert!(stored_counts(&app, &mrn).await > 0);
    summaries_match_a_recount(&app, &mrn).await;
    import(&app, &token, accesses("new", &mrn, "2026-11-20", 60, 1)).await;
    summaries_match_a_recount(&app, &mrn).await;
    let flagged = flagged_in(200) + flagged_in(340) + flagged_in(60);
    let (total, unusual, months) = totals(&app, &session, &all).await;
    assert_eq!((total, unusual), (600, flagged));
    assert_eq!(
        months, 14,
        "September 2025 to September 2026, and November 2026"
    );
    assert_eq!(totals(&app, &session, &SEPTEMBER).await.0, 38);
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
        (flagged, flagged, 14)
    );

    // The tampering check walks everything and finds the summaries right; they are
    // unchanged by it.
    let report = chain::verify_database(&app.state.db, None, zone)
        .await
        .unwrap();
    assert!(report.problems.is_empty(), "{report:?}");
    summaries_match_a_recount(&app, &mrn).await;

    // The page reads the summaries, not the events — the whole log from the month counts,
    // a period from the day counts: a changed count shows on it, and the tampering check
    // names it; counting again puts it right.
    let bump = |table: &str, period: &str, value: &str| {
        format!(
            "UPDATE {table} SET events = events + 1000 WHERE patient_mrn = '{mrn}' AND \
             {period} = '{value}' AND unusual = false"
        )
    };
    let db = &app.state.db;
    let months = db
        .execute_unprepared(&bump("access_summary_month", "month", "2026-11"))
        .await
        .unwrap()
        .rows_affected();
    let days = db
        .execute_unprepared(&bump("access_summary", "day", "2026-11-20"))
        .await
        .unwrap()
        .rows_affected();
    assert!(months >= 1 && days >= 1);
    assert_eq!(totals(&app, &session, &all).await.0, 600 + 1000 * months);
    assert_eq!(totals(&app, &session, &one_day).await.0, 16 + 1000 * days);
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
    assert_eq!(totals(&app, &session, &one_day).await.0, 16);
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

/// On SQLite, what commits reaches the database file itself, not only its write-ahead log,
/// without the writer copying it: the server copies the log beside the writer. A copy of
/// the file alone (no log beside it) is read until it holds the imported events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_is_copied_into_the_database_beside_the_writer() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.add_source("his").await;
    let (id, _) = invite(&app, "王芳").await;
    let mrn = app.mrn_of(id).await;
    import(&app, &token, accesses("copied", &mrn, "2026-10-01", 40, 1)).await;

    let file = app.data_dir.path().join("portal.db");
    let copy = app.data_dir.path().join("file-alone.db");
    let in_file_alone = || async {
        // A copy taken during a copy of the log may be torn: read again.
        std::fs::copy(&file, &copy).ok()?;
        let url = format!("sqlite://{}?mode=rw", copy.display());
        let db = sea_orm::Database::connect(url).await.ok()?;
        let row = db
            .query_one(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM access_event",
            ))
            .await
            .ok()??;
        let events = row.try_get::<i64>("", "n").ok();
        db.close().await.ok();
        events
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut seen = None;
    while std::time::Instant::now() < deadline {
        seen = in_file_alone().await;
        if seen == Some(40) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        seen,
        Some(40),
        "the database file alone holds the imported events"
    );
}

/// On PostgreSQL, a batch's lookup of the identifiers its source sent before probes the
/// index once per identifier even when the table's statistics predate the source's events
/// (autovacuum had not analysed it since): it reads the batch's entries, not every event
/// of the source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_sources_events_sent_before_are_found_by_index_whatever_the_statistics() {
    use app::access_log::server::ingest::{already_received_query, store_plain};
    use sea_orm::{DatabaseBackend, Statement};

    if postgres_base_url().is_none() {
        skip_postgres_or_fail();
        return;
    }
    let app = TestApp::without_server(Backend::Postgres).await;
    let db = &app.state.db;
    let now = time::macros::datetime!(2026-11-18 12:00 UTC);
    let accesses = |prefix: &str| -> Vec<_> {
        (0..20_000)
            .map(|n| {
                let at = now - time::Duration::minutes(n);
                access_by(&format!("{prefix}-{n}"), "S1", &format!("M{}", n % 500), at)
            })
            .collect()
    };
    let older = sources::keyless_source(db, "older-feed", now)
        .await
        .unwrap();
    store_plain(db, &older, &accesses("older"), now)
        .await
        .unwrap();
    db.execute_unprepared("ANALYZE access_event").await.unwrap();
    let newer = sources::keyless_source(db, "newer-feed", now)
        .await
        .unwrap();
    let sent = accesses("newer");
    store_plain(db, &newer, &sent, now).await.unwrap();

    let ids: Vec<&str> = sent[..200]
        .iter()
        .map(|access| access.source_event_id.as_str())
        .collect();
    let query = already_received_query(newer.id, &ids);
    let found = db.query_all(query.clone()).await.unwrap();
    assert_eq!(found.len(), 200);
    let plan: Vec<String> = db
        .query_all(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            format!("EXPLAIN ANALYZE {}", query.sql),
            query.values.map(|values| values.0).unwrap_or_default(),
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("", "QUERY PLAN").unwrap())
        .collect();
    let probes_both = plan.iter().any(|line| {
        line.contains("Index Cond: ((source_id = ") && line.contains("source_event_id = ")
    });
    let filters = plan
        .iter()
        .any(|line| line.contains("Rows Removed by Filter"));
    assert!(probes_both && !filters, "{plan:#?}");
}

/// On SQLite, a short log's counts read the patient's index alone, whatever the filter: its
/// events' table rows lie about one to a page, so reading them cost a page read each.
#[tokio::test]
async fn a_short_logs_counts_read_the_patients_index_alone() {
    use app::access_log::server::query::parse_filter;
    use app::access_log::types::AccessFilter;
    use sea_orm::{DatabaseBackend, QueryTrait, Statement};

    let app = TestApp::spawn(Backend::Sqlite).await;
    let day = |day: &str| Some(day.to_owned());
    let filters = [
        AccessFilter::default(),
        AccessFilter {
            from: day("2026-01-01"),
            to: day("2026-03-31"),
            category: Some("mental_health".to_owned()),
            department: Some(3),
            unusual_only: true,
        },
    ];
    for filter in filters {
        let parsed = parse_filter(&filter, &app.state.settings.time_zone).unwrap();
        let query = summary::short_log_query("M-1", &parsed).build(DatabaseBackend::Sqlite);
        let plan = app
            .state
            .db
            .query_all(Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                format!("EXPLAIN QUERY PLAN {}", query.sql),
                query.values.map(|values| values.0).unwrap_or_default(),
            ))
            .await
            .unwrap();
        let steps: Vec<String> = plan
            .iter()
            .map(|row| row.try_get("", "detail").unwrap())
            .collect();
        assert!(
            steps.len() == 1
                && steps[0].starts_with(
                    "SEARCH access_event USING COVERING INDEX ix_access_event_patient"
                ),
            "{filter:?}: {steps:?}"
        );
    }
}

/// One access to `mrn` that happened `ago` before the clock's now, sent live.
async fn push(app: &TestApp, token: &str, id: &str, mrn: &str, ago: time::Duration) {
    let at = app::ssr::time::local_minute(app.clock.now() - ago, "Asia/Shanghai").replace(' ', "T");
    let (status, body) = fhir(
        app,
        "/AuditEvent",
        token,
        audit_event(id, mrn, "S1", "CARD", &at).to_string(),
        "application/fhir+json",
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

async fn feed_emails(app: &TestApp) -> u64 {
    app::ssr::outbox::Entity::find()
        .filter(app::ssr::outbox::Column::Template.eq("feed_alert"))
        .count(&app.state.db)
        .await
        .unwrap()
}

/// The patient's feed notices, signed in afresh (the clock moves past idle timeouts).
async fn patient_notices(app: &TestApp, passkey: &mut SoftPasskey) -> serde_json::Value {
    let session = sign_in(app, passkey, None).await.session().unwrap();
    let answer = call(
        app,
        "access/log",
        &[("filter[unusual_only]", "false")],
        Some(&session),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["feeds"].clone()
}

async fn a_silent_source_is_reported_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    let (id, link) = invite(&app, "李娜").await;
    let mrn = app.mrn_of(id).await;
    let (mut patient, _) = enroll(&app, &link).await;
    enroll_staff(&app, "officer@hospital.example", Role::PrivacyOfficer).await;

    // The system reports every five minutes, each access a minute after it happened.
    let minute = time::Duration::minutes(1);
    for n in 0..21 {
        push(&app, &token, &format!("live{n}"), &mrn, minute).await;
        app.clock.advance(time::Duration::minutes(5));
    }
    // A little later than usual is nothing.
    app.clock.advance(time::Duration::minutes(5));
    assert_eq!(feeds::check(&app.state).await.unwrap(), 0);
    assert_eq!(patient_notices(&app, &mut patient).await, json!([]));
    // Four usual gaps without a batch: silent, told once.
    app.clock.advance(time::Duration::minutes(11));
    assert_eq!(feeds::check(&app.state).await.unwrap(), 1);
    assert_eq!(feed_emails(&app).await, 1);
    app.clock.advance(time::Duration::minutes(30));
    assert_eq!(feeds::check(&app.state).await.unwrap(), 0);
    assert_eq!(feed_emails(&app).await, 1, "told once");
    let last = app::ssr::time::local_minute(
        app.clock.now() - time::Duration::minutes(51),
        "Asia/Shanghai",
    );
    let notices = patient_notices(&app, &mut patient).await;
    assert_eq!(
        notices,
        json!([{"system": "his", "problem": "silent", "since_local": last}])
    );
    // A second privacy officer (signed in now: the first one's session has idled out).
    let officer = enroll_staff(&app, "second@hospital.example", Role::PrivacyOfficer).await;
    let queue = call(&app, "access/reviews", &[], Some(&officer)).await;
    assert_eq!(queue.body["feeds"], notices);
    let session = sign_in(&app, &mut patient, None).await.session().unwrap();
    let page = app
        .client
        .get(app.url("/access-log"))
        .header("cookie", format!("__Host-portal_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("系统 his 自 {last} 起未再报送访问记录")),
        "{page}"
    );

    // It reports again: the notice goes. Then events three hours late: told once, shown,
    // and gone when they arrive on time again.
    push(&app, &token, "back", &mrn, minute).await;
    assert_eq!(patient_notices(&app, &mut patient).await, json!([]));
    app.clock.advance(time::Duration::minutes(5));
    push(&app, &token, "late1", &mrn, time::Duration::hours(3)).await;
    app.clock.advance(time::Duration::minutes(5));
    push(&app, &token, "late2", &mrn, time::Duration::hours(3)).await;
    assert_eq!(
        feed_emails(&app).await,
        1 + 2,
        "once to each of the two officers"
    );
    assert_eq!(
        patient_notices(&app, &mut patient).await[0]["problem"],
        json!("late")
    );
    app.clock.advance(time::Duration::minutes(5));
    push(&app, &token, "onTime", &mrn, minute).await;
    assert_eq!(patient_notices(&app, &mut patient).await, json!([]));
    assert_eq!(feeds::check(&app.state).await.unwrap(), 0);
}
on_both_backends!(a_silent_source_is_reported_once);

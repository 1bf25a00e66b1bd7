//! Review cases: accesses that need review (flagged by a rule, or by staff with nothing in
//! the patient's care to explain them) are grouped per person, patient and day, ranked,
//! and decided as one; care arriving late lowers a case; review items older than cases
//! are grouped at start-up.

use app::access_log::server::cases::REVIEW_LINE;
use app::access_log::server::review::file_older_items;
use app::identity::types::Role;
use app::ssr::clock::Clock;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::access::{audit_event, directory_bundle, post_json, pushed};
use crate::explanations::{care_bundle, send};
use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, enroll_staff, invite};
use crate::on_both_backends;
use crate::tables::{self, StoredCase};

async fn access(app: &TestApp, token: &str, event: Value) -> i64 {
    pushed(app, token, event).await.id
}

fn find<'a>(cases: &'a [StoredCase], agent: &str, mrn: &str, day: &str) -> &'a StoredCase {
    cases
        .iter()
        .find(|c| c.agent_key == agent && c.patient_mrn == mrn && c.day == day)
        .unwrap_or_else(|| panic!("no case of {agent} on {mrn} on {day}: {cases:?}"))
}

async fn accesses_needing_review_are_grouped_into_ranked_cases(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    send(&app, &token, &directory_bundle()).await;
    send(&app, &token, &care_bundle()).await;

    // A cardiologist asked about P2 on the morning of P2's laboratory visit: nothing
    // records why, but P2 was in the hospital's care that day.
    access(
        &app,
        &token,
        audit_event("corridor", "P2", "S1", "CARD", "2026-11-17T10:00"),
    )
    .await;
    // The same cardiologist opens P6, whom no department was caring for, twice that
    // morning and once the next day.
    let looked = [
        access(
            &app,
            &token,
            audit_event("look-1", "P6", "S1", "CARD", "2026-11-17T11:00"),
        )
        .await,
        access(
            &app,
            &token,
            audit_event("look-2", "P6", "S1", "CARD", "2026-11-17T11:05"),
        )
        .await,
    ];
    access(
        &app,
        &token,
        audit_event("look-3", "P6", "S1", "CARD", "2026-11-18T11:00"),
    )
    .await;
    // A deactivated account.
    access(
        &app,
        &token,
        audit_event("gone", "P1", "S2", "CARD", "2026-11-17T09:00"),
    )
    .await;
    // P1's own cardiologist after the clinic closed: explained, and flagged by the hours
    // rule; in the queue, below the line.
    access(
        &app,
        &token,
        audit_event("late", "P1", "S1", "CARD", "2026-11-17T19:00"),
    )
    .await;
    // The same in working hours: nothing to review.
    access(
        &app,
        &token,
        audit_event("normal", "P1", "S1", "CARD", "2026-11-17T10:30"),
    )
    .await;

    let cases = tables::cases(&app.state.db).await;
    assert_eq!(cases.len(), 5, "{cases:?}");
    let corridor = find(&cases, "S1", "P2", "2026-11-17");
    assert_eq!((corridor.events, corridor.unexplained), (1, 1));
    assert!(!corridor.out_of_care);
    assert!(corridor.score < REVIEW_LINE, "{corridor:?}");
    let snooping = find(&cases, "S1", "P6", "2026-11-17");
    assert_eq!((snooping.events, snooping.unexplained), (2, 2));
    assert!(snooping.out_of_care);
    assert!(snooping.score >= REVIEW_LINE, "{snooping:?}");
    let next_day = find(&cases, "S1", "P6", "2026-11-18");
    assert_eq!(next_day.events, 1);
    assert!(next_day.score >= REVIEW_LINE, "{next_day:?}");
    let gone = find(&cases, "S2", "P1", "2026-11-17");
    assert!(gone.rules.contains("deactivated_account"), "{gone:?}");
    assert!(gone.score > snooping.score, "{gone:?}");
    let late = find(&cases, "S1", "P1", "2026-11-17");
    assert_eq!((late.events, late.unexplained), (1, 0));
    assert_eq!(late.rules, "outside_working_hours");
    assert!(late.score < REVIEW_LINE && late.score > 0, "{late:?}");

    let officer = enroll_staff(&app, "officer@example.org", Role::PrivacyOfficer).await;
    the_queue_lists_cases_by_rank_and_decides_them(&app, &officer, (gone.id, snooping.id), looked)
        .await;
    a_later_access_reopens_and_late_care_lowers(&app, &token).await;
    night_looks_off_the_roster_make_a_case(&app, &token).await;
    a_vip_record_needs_care_naming_the_person(&app, &token).await;
    a_patients_question_opens_a_case_on_top(&app, &token, &officer).await;
    older_items_are_grouped_at_start_up(&app).await;
}
on_both_backends!(accesses_needing_review_are_grouped_into_ranked_cases);

/// The officer's queue: cases by rank, each with its accesses; one decision for a case.
async fn the_queue_lists_cases_by_rank_and_decides_them(
    app: &TestApp,
    officer: &str,
    (gone, snooping): (i64, i64),
    looked: [i64; 2],
) {
    // The officer's queue: cases by rank, each with its accesses.
    let queue = call(app, "access/reviews", &[], Some(officer)).await;
    assert_eq!(queue.status, 200, "{:?}", queue.body);
    assert_eq!(
        (queue.body["open"].as_u64(), queue.body["to_read"].as_u64()),
        (Some(5), Some(3))
    );
    let listed = queue.body["cases"].as_array().unwrap();
    let scores: Vec<i64> = listed
        .iter()
        .map(|c| c["score"].as_i64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|pair| pair[0] >= pair[1]),
        "{scores:?}"
    );
    assert_eq!(listed[0]["case_id"], gone);
    let shown = listed.iter().find(|c| c["case_id"] == snooping).unwrap();
    assert_eq!(shown["entries"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            shown["unexplained"].as_i64(),
            shown["out_of_care"].as_bool()
        ),
        (Some(2), Some(true))
    );
    assert_eq!(shown["to_read"], true);
    assert_eq!(shown["person"], "医生S1");
    assert_eq!(listed.last().unwrap()["to_read"], false);

    // One decision closes the case and is recorded on each of its accesses.
    let decided = call(
        app,
        "access/review-decide",
        &[
            ("case_id", &snooping.to_string()),
            ("decision", "escalated"),
            ("note", "无诊疗关系，已上报"),
        ],
        Some(officer),
    )
    .await;
    assert_eq!(decided.status, 200, "{:?}", decided.body);
    for event_id in looked {
        let history = tables::review_decisions(&app.state.db, event_id).await;
        assert_eq!(history.len(), 1, "{event_id}");
        assert_eq!(history[0].state, "escalated");
    }
    let missing = call(
        app,
        "access/review-decide",
        &[
            ("case_id", "999999"),
            ("decision", "explained"),
            ("note", "?"),
        ],
        Some(officer),
    )
    .await;
    assert_eq!(missing.status, 404, "{:?}", missing.body);
    let queue = call(app, "access/reviews", &[], Some(officer)).await;
    assert_eq!(queue.body["open"], 4);
}

/// New accesses to a decided case open it again; care registered late lowers cases.
async fn a_later_access_reopens_and_late_care_lowers(app: &TestApp, token: &str) {
    // New accesses to a decided case open it again: nobody has read them.
    access(
        app,
        token,
        audit_event("look-4", "P6", "S1", "CARD", "2026-11-17T15:00"),
    )
    .await;
    let cases = tables::cases(&app.state.db).await;
    let again = find(&cases, "S1", "P6", "2026-11-17");
    assert_eq!(
        (again.state.as_str(), again.events, again.unexplained),
        ("open", 3, 3)
    );

    // The cardiology visit of P6, registered late, explains the accesses: the cases sink.
    let visit = json!({"resourceType": "Encounter", "id": "visit-p6", "status": "finished",
        "subject": {"identifier": {"value": "P6"}}, "serviceProvider": {"identifier": {"value": "CARD"}},
        "period": {"start": "2026-11-17T08:00:00+08:00", "end": "2026-11-18T12:00:00+08:00"}});
    let (status, body) = post_json(app, "/Encounter", token, &visit).await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let cases = tables::cases(&app.state.db).await;
    for day in ["2026-11-17", "2026-11-18"] {
        let sunk = find(&cases, "S1", "P6", day);
        assert_eq!(sunk.unexplained, 0, "{sunk:?}");
        assert!(sunk.score < REVIEW_LINE, "{sunk:?}");
    }
}

/// P3's cardiology care team names S1. In the night, S3 of cardiology, who looked after
/// P3 on the day shift before, opens P3's record twice: explained by that shift, but not
/// on tonight's roster, so a case to read; S1 is on it, so only the hours rule speaks.
async fn night_looks_off_the_roster_make_a_case(app: &TestApp, token: &str) {
    let day_shift = json!({"resourceType": "CareTeam", "id": "shift-p3-s3", "status": "inactive",
        "subject": {"identifier": {"value": "P3"}},
        "managingOrganization": [{"type": "Organization", "identifier": {"value": "CARD"}}],
        "participant": [{"member": {"reference": "Practitioner/S3"}}],
        "period": {"start": "2026-11-17T07:00:00+08:00", "end": "2026-11-17T15:00:00+08:00"}});
    send(
        app,
        token,
        &json!({"resourceType": "Bundle", "type": "batch", "entry": [
            {"resource": day_shift, "request": {"method": "POST"}}]}),
    )
    .await;
    for (id, at) in [
        ("night-1", "2026-11-18T02:00"),
        ("night-2", "2026-11-18T02:04"),
    ] {
        access(app, token, audit_event(id, "P3", "S3", "CARD", at)).await;
    }
    access(
        app,
        token,
        audit_event("night-named", "P3", "S1", "CARD", "2026-11-18T02:10"),
    )
    .await;
    let cases = tables::cases(&app.state.db).await;
    let off_roster = find(&cases, "S3", "P3", "2026-11-18");
    assert_eq!(
        (off_roster.night_unnamed, off_roster.unexplained),
        (2, 0),
        "{off_roster:?}"
    );
    let looked = tables::events(&app.state.db, &[("source_event_id", "night-1")]).await;
    assert_eq!(looked[0].explained_by.as_deref(), Some("care_team"));
    assert!(off_roster.score >= REVIEW_LINE, "{off_roster:?}");
    let named = find(&cases, "S1", "P3", "2026-11-18");
    assert_eq!(
        (named.night_unnamed, named.rules.as_str()),
        (0, "outside_working_hours")
    );
    assert!(named.score < REVIEW_LINE, "{named:?}");
}

/// P-VIP stays in cardiology (a visit naming nobody). S1 of cardiology opens the record:
/// the department's care explains it to the patient, but a protected record needs care
/// naming the person, so the case is to be read. The care team naming S1, registered
/// late, explains it again and the case sinks.
async fn a_vip_record_needs_care_naming_the_person(app: &TestApp, token: &str) {
    let stored = pushed(
        app,
        token,
        audit_event("vip-ward", "P-VIP", "S1", "CARD", "2026-11-19T10:00"),
    )
    .await;
    assert_eq!(
        (stored.flags.as_str(), stored.explained_by.as_deref()),
        ("vip_record", Some("care_by_department"))
    );
    let cases = tables::cases(&app.state.db).await;
    let ward = find(&cases, "S1", "P-VIP", "2026-11-19");
    assert_eq!(
        (ward.vip_by_department, ward.unexplained),
        (1, 0),
        "{ward:?}"
    );
    assert!(ward.score >= REVIEW_LINE, "{ward:?}");

    let team = json!({"resourceType": "Bundle", "type": "batch", "entry": [{"request": {"method": "POST"},
        "resource": {"resourceType": "CareTeam", "id": "team-vip", "status": "active",
            "subject": {"identifier": {"value": "P-VIP"}},
            "managingOrganization": [{"type": "Organization", "identifier": {"value": "CARD"}}],
            "participant": [{"member": {"reference": "Practitioner/S1"}}],
            "period": {"start": "2026-11-19T08:00:00+08:00"}}}]});
    send(app, token, &team).await;
    let again = tables::events(&app.state.db, &[("source_event_id", "vip-ward")]).await;
    assert_eq!(again[0].explained_by.as_deref(), Some("care_team"));
    let cases = tables::cases(&app.state.db).await;
    let named = find(&cases, "S1", "P-VIP", "2026-11-19");
    assert_eq!(named.vip_by_department, 0, "{named:?}");
    assert!(named.score < REVIEW_LINE, "{named:?}");
}

/// An ordinary access the patient does not recognise becomes a case, first in the queue.
async fn a_patients_question_opens_a_case_on_top(app: &TestApp, token: &str, officer: &str) {
    let (account_id, link) = invite(app, "李雷").await;
    let mrn = app.mrn_of(account_id).await;
    let (_, session) = enroll(app, &link).await;
    let visit = json!({"resourceType": "Encounter", "id": "visit-asker", "status": "finished",
        "subject": {"identifier": {"value": mrn}}, "serviceProvider": {"identifier": {"value": "CARD"}},
        "period": {"start": "2026-11-17T09:00:00+08:00", "end": "2026-11-17T10:00:00+08:00"}});
    let (status, body) = post_json(app, "/Encounter", token, &visit).await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let event = access(
        app,
        token,
        audit_event("ordinary", &mrn, "S1", "CARD", "2026-11-17T09:30"),
    )
    .await;
    let before = tables::cases(&app.state.db).await.len();
    let asked = call(
        app,
        "access/ask",
        &[
            ("event_id", &event.to_string()),
            ("question", "这位医生是谁？"),
        ],
        Some(&session),
    )
    .await;
    assert_eq!(asked.status, 200, "{:?}", asked.body);
    let cases = tables::cases(&app.state.db).await;
    assert_eq!(cases.len(), before + 1);
    let queue = call(app, "access/reviews", &[], Some(officer)).await;
    let top = &queue.body["cases"][0];
    assert_eq!(top["patient_mrn"], mrn.as_str());
    assert_eq!(top["questions"][0]["text"], "这位医生是谁？");
    assert_eq!(
        (top["to_read"].as_bool(), top["unexplained"].as_i64()),
        (Some(true), Some(0))
    );
}

/// Items made before cases existed are grouped into cases once, keeping their state.
async fn older_items_are_grouped_at_start_up(app: &TestApp) {
    let db = &app.state.db;
    let before = tables::cases(db).await;
    let backend = db.get_database_backend();
    for sql in [
        "UPDATE access_review SET case_id = NULL",
        "DELETE FROM access_case",
    ] {
        db.execute(Statement::from_string(backend, sql))
            .await
            .unwrap();
    }
    let zone = &app.state.access.ingest.time_zone;
    let filed = file_older_items(db, zone, app.clock.now()).await.unwrap();
    assert!(filed >= 8, "{filed}");
    let after = tables::cases(db).await;
    let key = |c: &StoredCase| {
        (
            c.agent_key.clone(),
            c.patient_mrn.clone(),
            c.day.clone(),
            c.events,
            c.state.clone(),
        )
    };
    let mut wanted: Vec<_> = before.iter().map(key).collect();
    let mut found: Vec<_> = after.iter().map(key).collect();
    wanted.sort();
    found.sort();
    assert_eq!(found, wanted);
    assert_eq!(
        file_older_items(db, zone, app.clock.now()).await.unwrap(),
        0,
        "once"
    );
}

/// A slow serial snooper opens one record a day; some of those patients are in care
/// elsewhere, which alone reads like a corridor question. After out-of-care looks at two
/// other patients, the person's next unexplained look within a week is a case to read;
/// the same look by someone with none, or with one, stays below the line.
async fn a_look_after_a_series_of_out_of_care_ones_is_a_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source("his").await;
    send(&app, &token, &directory_bundle()).await;
    send(&app, &token, &care_bundle()).await;
    let looks = [
        // S1 of cardiology asks about P2, in the laboratory's care that day.
        ("corridor", "P2", "S1", "CARD", "2026-11-17T10:00"),
        // S3 of the laboratory opens P1 days before P1's cardiology visit, and later P3,
        // in cardiology's care: one out-of-care look before it.
        ("uncared-1", "P1", "S3", "LAB", "2026-11-12T10:00"),
        ("after-one", "P3", "S3", "LAB", "2026-11-16T15:00"),
        // Then P6, whom no department cares for, and P3 again in the afternoon.
        ("uncared-2", "P6", "S3", "LAB", "2026-11-17T10:00"),
        ("after", "P3", "S3", "LAB", "2026-11-17T15:00"),
    ];
    for (id, mrn, staff, department, at) in looks {
        access(&app, &token, audit_event(id, mrn, staff, department, at)).await;
    }

    let cases = tables::cases(&app.state.db).await;
    let corridor = find(&cases, "S1", "P2", "2026-11-17");
    assert!(!corridor.follows_out_of_care, "{corridor:?}");
    assert!(corridor.score < REVIEW_LINE, "{corridor:?}");
    for (mrn, day) in [("P1", "2026-11-12"), ("P6", "2026-11-17")] {
        let uncared = find(&cases, "S3", mrn, day);
        assert!(uncared.out_of_care, "{uncared:?}");
    }
    let after_one = find(&cases, "S3", "P3", "2026-11-16");
    assert!(!after_one.follows_out_of_care, "{after_one:?}");
    assert!(after_one.score < REVIEW_LINE, "{after_one:?}");
    let after = find(&cases, "S3", "P3", "2026-11-17");
    assert_eq!(
        (after.unexplained, after.out_of_care),
        (1, false),
        "{after:?}"
    );
    assert!(after.follows_out_of_care, "{after:?}");
    assert!(after.score >= REVIEW_LINE, "{after:?}");
}
on_both_backends!(a_look_after_a_series_of_out_of_care_ones_is_a_case);

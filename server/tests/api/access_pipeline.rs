//! Batches side by side. On PostgreSQL a batch writes its events while the batches before
//! it finish (the pipeline); yet the log stays one chain without gaps, an access sent
//! twice is stored once and the summaries equal a recount, also beside another process's
//! pipeline and the locked path; a batch whose place in the chain was taken goes
//! through the locked path instead; and batches give way to requests being answered.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::access_log::server::chain;
use app::access_log::server::ingest::{
    ingest, ingest_with_reads, IngestContext, NewAccess, Outcome,
};
use app::access_log::server::timing::{BatchTimes, STEPS};
use app::ssr::pages_first::PagesFirst;
use app::ssr::sources::{self, Source};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use time::macros::datetime;
use time::OffsetDateTime;

use crate::access::{access_by, wait_for_locks};
use crate::helpers::{postgres_base_url, skip_postgres_or_fail, Backend, TestApp};
use crate::on_both_backends;
use crate::tables;

const NOW: OffsetDateTime = datetime!(2026-11-18 12:00 UTC);

/// Round `round` of `task`: `count` accesses by the task's own person, every other one
/// to a patient with a long history, and (`shared`) one access every task of the source
/// sends in that round.
fn batch(task: usize, round: usize, count: usize, shared: bool) -> Vec<NewAccess> {
    let minute = |n: usize| {
        datetime!(2026-11-18 02:00 UTC) + time::Duration::minutes(i64::try_from(n).unwrap())
    };
    let mut events: Vec<NewAccess> = (0..count)
        .map(|n| {
            let mrn = if n % 2 == 0 {
                "LONG".to_owned()
            } else {
                format!("P{}", n % 5)
            };
            access_by(
                &format!("t{task}-r{round}-{n}"),
                &format!("S{task}"),
                &mrn,
                minute(round * 60 + n),
            )
        })
        .collect();
    if shared {
        events.push(access_by(
            &format!("shared-r{round}"),
            &format!("S{task}"),
            "LONG",
            minute(round * 60 + 59),
        ));
    }
    events
}

/// The stored events' ids by (source name, identifier), from their hashed records.
async fn stored_ids(db: &DatabaseConnection) -> HashMap<(String, String), Vec<i64>> {
    let mut ids: HashMap<(String, String), Vec<i64>> = HashMap::new();
    for event in tables::events(db, &[]).await {
        let record: serde_json::Value = serde_json::from_str(&event.record).unwrap();
        let key = (
            record["source"].as_str().unwrap().to_owned(),
            record["source_event_id"].as_str().unwrap().to_owned(),
        );
        ids.entry(key).or_default().push(event.id);
    }
    ids
}

/// Six tasks send six rounds each at once: three through the app's pipeline and two
/// through another one (another process: their batches take each other's places in the
/// chain), all from one source and each round with one access they all send; one more
/// through the locked path from another source. Half the accesses are to one patient,
/// whose history crosses the summaries' threshold during the run.
async fn batches_side_by_side_keep_one_chain(backend: Backend) {
    let app = TestApp::without_server(backend).await;
    let (db, reads) = (app.state.db.clone(), app.state.reads.clone());
    let ward = sources::keyless_source(&db, "ward-feeds", NOW)
        .await
        .unwrap();
    let lab = sources::keyless_source(&db, "lab", NOW).await.unwrap();
    let mut ours = app.state.access.ingest.clone();
    ours.mail = None;
    let theirs = IngestContext {
        pipeline: Arc::default(),
        ..ours.clone()
    };

    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..6 {
        let (db, reads) = (db.clone(), reads.clone());
        let (ward, lab) = (ward.clone(), lab.clone());
        let context = if (3..5).contains(&task) {
            theirs.clone()
        } else {
            ours.clone()
        };
        tasks.spawn(async move {
            let mut sent = Vec::new();
            for round in 0..6 {
                let events = batch(task, round, 20, true);
                let (source, stored) = if task == 5 {
                    // As the portal's own entries and the corrections' take it.
                    (&lab, ingest(&db, &lab, &events, &context, NOW).await)
                } else {
                    let stored = ingest_with_reads(&reads, &db, &ward, &events, &context, NOW);
                    (&ward, stored.await)
                };
                let outcomes = stored.unwrap_or_else(|e| panic!("task {task}: {e}"));
                sent.push((source.name.clone(), events, outcomes));
            }
            sent
        });
    }
    let mut answered: Vec<(String, Vec<NewAccess>, Vec<Outcome>)> = Vec::new();
    while let Some(finished) = tasks.join_next().await {
        answered.extend(finished.unwrap());
    }

    let stored = stored_ids(&db).await;
    // 5 tasks × 6 rounds × 20 of the ward, 6 shared; 6 × 21 of the lab.
    assert_eq!(stored.values().map(Vec::len).sum::<usize>(), 600 + 6 + 126);
    for ((source, identifier), ids) in &stored {
        assert_eq!(ids.len(), 1, "{source} {identifier} stored as {ids:?}");
    }
    for (source, events, outcomes) in &answered {
        assert_eq!(events.len(), outcomes.len());
        for (access, outcome) in events.iter().zip(outcomes) {
            let (Outcome::Created(id) | Outcome::AlreadyReceived(id)) = outcome;
            let key = (source.clone(), access.source_event_id.clone());
            assert_eq!(stored[&key], vec![*id], "{key:?} answered as {outcome:?}");
        }
    }
    let report = chain::verify_database(&db, None, &ours.time_zone)
        .await
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.events, 732);
}

on_both_backends!(batches_side_by_side_keep_one_chain);

/// A transaction holding the chain's head, so batches wait for it until it ends.
async fn hold_chain_head(db: &DatabaseConnection) -> sea_orm::DatabaseTransaction {
    let holder = db.begin().await.unwrap();
    holder
        .execute_unprepared("SELECT * FROM access_chain_head FOR UPDATE")
        .await
        .unwrap();
    holder
}

/// Ingests `events` through `context` in a task of its own.
fn spawn_batch(
    app: &TestApp,
    source: &Source,
    context: &IngestContext,
    events: Vec<NewAccess>,
) -> tokio::task::JoinHandle<Vec<Outcome>> {
    let (db, reads) = (app.state.db.clone(), app.state.reads.clone());
    let (source, context) = (source.clone(), context.clone());
    tokio::spawn(async move {
        ingest_with_reads(&reads, &db, &source, &events, &context, NOW)
            .await
            .unwrap()
    })
}

/// While the chain's head is held, a batch of the app's pipeline links to its end and
/// writes its events; another pipeline's batch links to the same end, so its rows wait
/// for the first one's; a third batch links after that one. Once the head is free, the
/// first commits, and the other two find their place taken (the second) or their
/// predecessor failed (the third): both go through the locked path, after the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_whose_place_was_taken_goes_through_the_locked_path() {
    if postgres_base_url().is_none() {
        skip_postgres_or_fail();
        return;
    }
    let app = TestApp::without_server(Backend::Postgres).await;
    let db = app.state.db.clone();
    let ward = sources::keyless_source(&db, "ward-feeds", NOW)
        .await
        .unwrap();
    let mut ours = app.state.access.ingest.clone();
    ours.mail = None;
    let theirs = IngestContext {
        pipeline: Arc::default(),
        ..ours.clone()
    };

    let before = i64::try_from(tables::events(&db, &[]).await.len()).unwrap();
    let holder = hold_chain_head(&db).await;
    let first = spawn_batch(&app, &ward, &ours, batch(1, 0, 3, false));
    wait_for_locks(&db, 1).await;
    let second = spawn_batch(&app, &ward, &theirs, batch(2, 0, 3, false));
    wait_for_locks(&db, 2).await;
    let third = spawn_batch(&app, &ward, &theirs, batch(3, 0, 3, false));
    // The third links in memory and waits there, which the server cannot show.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    holder.rollback().await.unwrap();

    let first = first.await.unwrap();
    let ids = |from: i64, to: i64| (from..=to).map(Outcome::Created).collect::<Vec<_>>();
    assert_eq!(first, ids(before + 1, before + 3));
    let mut later: Vec<Outcome> = second.await.unwrap();
    later.extend(third.await.unwrap());
    later.sort_by_key(|outcome| match outcome {
        Outcome::Created(id) | Outcome::AlreadyReceived(id) => *id,
    });
    assert_eq!(later, ids(before + 4, before + 9));
    assert_eq!(ours.pipeline.fallbacks(), 0);
    assert_eq!(theirs.pipeline.fallbacks(), 2);
    let report = chain::verify_database(&db, None, &ours.time_zone)
        .await
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.events, u64::try_from(before).unwrap() + 9);
}

/// Long enough that a test fails on its timeout, not on this limit, when a batch keeps
/// giving way.
const GIVE_WAY_FOR: std::time::Duration = std::time::Duration::from_hours(1);

/// Whether `task` is still running after a while.
async fn still_running<T>(task: &tokio::task::JoinHandle<T>) -> bool {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    !task.is_finished()
}

/// On PostgreSQL (`None` when the suite runs without it): an app, a feed's source, and
/// an ingestion context whose batches give way for as long as a request is answered.
async fn giving_way() -> Option<(TestApp, Source, IngestContext)> {
    if postgres_base_url().is_none() {
        skip_postgres_or_fail();
        return None;
    }
    let app = TestApp::without_server(Backend::Postgres).await;
    let ward = sources::keyless_source(&app.state.db, "ward-feeds", NOW)
        .await
        .unwrap();
    let mut context = app.state.access.ingest.clone();
    context.mail = None;
    context.pages_first = Arc::new(PagesFirst::new(GIVE_WAY_FOR));
    Some((app, ward, context))
}

/// While a request is being answered, a feed's batch on PostgreSQL waits before it does
/// anything in the database, and goes on when the request ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feeds_batch_waits_while_a_request_is_answered() {
    let Some((app, ward, context)) = giving_way().await else {
        return;
    };
    let db = app.state.db.clone();
    let before = tables::events(&db, &[]).await.len();

    let request = context.pages_first.answering();
    let feed = spawn_batch(&app, &ward, &context, batch(1, 0, 3, false));
    assert!(still_running(&feed).await, "the batch did not wait");
    assert_eq!(tables::events(&db, &[]).await.len(), before);
    drop(request);
    let outcomes = tokio::time::timeout(std::time::Duration::from_secs(30), feed)
        .await
        .expect("the batch went on when the request ended")
        .unwrap();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(tables::events(&db, &[]).await.len(), before + 3);
}

/// A batch that gives way inside its transaction holds the chain's turn; a request that
/// logs what it showed (the locked path) waits for that turn. The batch then stops giving
/// way, so neither waits for the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_waiting_for_the_chains_turn_is_not_held_by_a_batch_giving_way() {
    let Some((app, ward, context)) = giving_way().await else {
        return;
    };
    let db = app.state.db.clone();
    let portal = sources::keyless_source(&db, "portal-pages", NOW)
        .await
        .unwrap();
    // The same pipeline, from a feed that does not give way.
    let first_feed = IngestContext {
        pages_first: Arc::default(),
        ..context.clone()
    };

    // The first batch waits for the chain's head; the second joins the pipeline after it
    // (taking the chain's turn) and waits for it to commit.
    let holder = hold_chain_head(&db).await;
    let first = spawn_batch(&app, &ward, &first_feed, batch(1, 0, 3, false));
    wait_for_locks(&db, 1).await;
    let second = spawn_batch(&app, &ward, &context, batch(2, 0, 3, false));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // A request comes in; the first batch commits, the second gives way before the head.
    let request = context.pages_first.answering();
    holder.rollback().await.unwrap();
    first.await.unwrap();
    assert!(
        still_running(&second).await,
        "the second batch did not give way"
    );

    let logged = {
        let (db, context) = (db.clone(), context.clone());
        let events = vec![access_by("viewed-1", "S9", "P1", NOW)];
        tokio::spawn(async move { ingest(&db, &portal, &events, &context, NOW).await })
    };
    let within = std::time::Duration::from_secs(30);
    let logged = tokio::time::timeout(within, logged)
        .await
        .expect("the request's log entry waited for the batch giving way")
        .unwrap()
        .unwrap();
    assert!(matches!(logged[..], [Outcome::Created(_)]));
    let second = tokio::time::timeout(within, second)
        .await
        .expect("the second batch went on")
        .unwrap();
    assert_eq!(second.len(), 3);
    assert_eq!(context.pipeline.fallbacks(), 0);
    drop(request);
    let report = chain::verify_database(&db, None, &context.time_zone)
        .await
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// The benchmark's breakdown of a batch: a batch on the locked path (every batch on
/// SQLite) is timed step by step, the steps within the batch's own time; a pipelined one
/// on PostgreSQL is not.
async fn batches_on_the_locked_path_are_timed_step_by_step(backend: Backend) {
    let app = TestApp::without_server(backend).await;
    let (db, reads) = (&app.state.db, &app.state.reads);
    let source = sources::keyless_source(db, "timed", NOW).await.unwrap();
    let mut context = app.state.access.ingest.clone();
    context.mail = None;
    let times = Arc::new(BatchTimes::default());
    context.batch_times = Some(Arc::clone(&times));
    let begun = Instant::now();
    for round in 0..2 {
        let events = batch(0, round, 20, false);
        ingest(db, &source, &events, &context, NOW).await.unwrap();
    }
    let elapsed = begun.elapsed();
    let (batches, mean) = times.take();
    assert_eq!(batches, 2);
    for step in ["read", "write events", "commit"] {
        let index = STEPS.iter().position(|name| *name == step).unwrap();
        assert!(mean[index] > Duration::ZERO, "{step}: {mean:?}");
    }
    assert!(
        mean.iter().sum::<Duration>() * 2 <= elapsed,
        "{mean:?} {elapsed:?}"
    );

    let events = batch(0, 2, 20, false);
    ingest_with_reads(reads, db, &source, &events, &context, NOW)
        .await
        .unwrap();
    assert_eq!(times.take().0, u64::from(backend == Backend::Sqlite));
}
on_both_backends!(batches_on_the_locked_path_are_timed_step_by_step);

//! Ingestion: one transaction per batch. The directory, earlier copies of the events
//! (same source + the source's own identifier), the people's recent accesses and the
//! patients' chain heads are read first, without a lock, and each event's row, reason and
//! local time are worked out; then the chain head is locked, what committed meanwhile is
//! caught up on (from memory when this process committed it, else read), the rules run, each new event is linked into the whole chain and its patient's
//! chain, the flagged ones enter the review queue, and notification emails are queued. The
//! caller answers only after the commit. On PostgreSQL, [`ingest_with_reads`] links a
//! batch in memory after the batches still in flight and writes its events before it
//! takes the lock (`pipeline`).

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{ArrayType, Expr, OnConflict, Value};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set, Statement, TransactionTrait,
};
use time::OffsetDateTime;

use super::cases;
use super::entity::{chain_head, event, patient_head, review, watch};
use super::explain::{self, explain, ExplainFacts, Explanation};
use super::pipeline;
pub use super::pipeline::Pipeline;
use super::record::{link_hash, EventRecord, GENESIS};
use super::rules::{evaluate, AccessFacts, PatientFacts, RuleSettings, StaffFacts};
use super::summary::{self, Tally};
use super::timing::{BatchTimes, Marks};
use crate::access_log::types::{
    Action, AgentKind, Category, NotifyChoice, Purpose, Reason, ReviewState, Rule,
};
use crate::accounts::server::query as accounts;
use crate::directory::server::service::{care_periods, CarePeriod};
use crate::directory::types::WorkingHours;
use crate::hospital::server::service::departments;
use crate::i18n::Locale;
use crate::ssr::email::{render, EmailTemplate};
use crate::ssr::outbox;
use crate::ssr::pages_first::PagesFirst;
use crate::ssr::sources::Source;
use crate::ssr::unnest;

/// One access as a source reported it, already parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccess {
    pub source_event_id: String,
    pub patient_mrn: String,
    pub occurred_at: OffsetDateTime,
    pub category: Category,
    pub action: Action,
    pub purpose: Purpose,
    pub purpose_code: Option<String>,
    pub agent_kind: AgentKind,
    pub agent_ref: Option<String>,
    pub agent_name: String,
    pub agent_role: Option<String>,
    pub department_code: Option<String>,
    pub system: Option<String>,
    pub site: Option<String>,
    pub workstation: Option<String>,
    pub detail: Option<String>,
}

/// What happened to one event of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created(i64),
    /// Sent before (same source and identifier): nothing new was written.
    AlreadyReceived(i64),
}

pub use crate::ssr::email::MailContext;

/// Settings ingestion needs.
#[derive(Clone, Debug)]
pub struct IngestContext {
    pub rules: RuleSettings,
    pub time_zone: jiff::tz::TimeZone,
    pub mail: Option<MailContext>,
    /// This process's batches in flight on PostgreSQL. Contexts cloned from one another
    /// share it; batches of separate pipelines (or processes) stay correct, only slower.
    pub pipeline: std::sync::Arc<Pipeline>,
    /// The requests in flight, which pipelined batches give way to in the database.
    pub pages_first: std::sync::Arc<PagesFirst>,
    /// Where batches on the locked path spend their time, when the benchmark asks.
    pub batch_times: Option<std::sync::Arc<BatchTimes>>,
}

/// The shortest time between two unusual-access emails to one patient.
pub const UNUSUAL_EMAIL_GAP: time::Duration = time::Duration::hours(1);

/// A batch whose events span at most this long looks up everyone's recent accesses at
/// once (see `Directory::load`).
const NARROW_BATCH: time::Duration = time::Duration::hours(6);

/// Rows per INSERT statement: 20 000 values, under the bound-parameter limits of SQLite
/// (32 766) and PostgreSQL (65 535). Fewer statements per batch; see `portal bench`.
const INSERT_CHUNK: usize = 1_000;
/// Values per `IN (…)` list.
const LOOKUP_CHUNK: usize = 2_000;

/// Writes a batch of events from `source`. Returns one outcome per event, in order.
///
/// `db` may be the caller's transaction: the events then commit with the caller's change
/// (they are written in a nested transaction, a savepoint, of it).
pub async fn ingest<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    source: &Source,
    events: &[NewAccess],
    context: &IngestContext,
    now: OffsetDateTime,
) -> Result<Vec<Outcome>, DbErr> {
    ingest_locked(db, db, source, events, context, now).await
}

/// [`ingest`], reading what needs no lock through `reads`: the portal's read connections,
/// which on SQLite sit beside the one writer, so one batch's lookups run while another
/// batch writes. `db` must then be a connection, not a transaction (`reads` would not see
/// the transaction's changes). On PostgreSQL the batch goes through the context's
/// [`Pipeline`], which writes its events while the batches before it finish.
pub async fn ingest_with_reads<R, C>(
    reads: &R,
    db: &C,
    source: &Source,
    events: &[NewAccess],
    context: &IngestContext,
    now: OffsetDateTime,
) -> Result<Vec<Outcome>, DbErr>
where
    R: ConnectionTrait,
    C: ConnectionTrait + TransactionTrait,
{
    if !events.is_empty() && db.get_database_backend() == DatabaseBackend::Postgres {
        if let Some(outcomes) = pipeline::ingest(reads, db, source, events, context, now).await? {
            return Ok(outcomes);
        }
        context.pipeline.fell_back();
    }
    ingest_locked(reads, db, source, events, context, now).await
}

/// Ingestion that holds the chain from before its events are linked until it commits.
async fn ingest_locked<R, C>(
    reads: &R,
    db: &C,
    source: &Source,
    events: &[NewAccess],
    context: &IngestContext,
    now: OffsetDateTime,
) -> Result<Vec<Outcome>, DbErr>
where
    R: ConnectionTrait,
    C: ConnectionTrait + TransactionTrait,
{
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut marks = Marks::start();
    let (seen, mut known, mut directory) = read_unlocked(reads, source.id, events, context).await?;
    marks.step();
    let prepared = directory.prepare(source, events, (context, now));
    marks.step();
    let txn = db.begin().await?;
    // A request logging what it showed waits here for the pipeline: meanwhile the
    // pipeline's batches must not wait for requests to end.
    let waiting = context.pages_first.waiting_on_feeds();
    take_turn(&txn).await?;
    drop(waiting);
    let head = lock_chain_head(&txn).await?;
    let start = (head.last_event_id, head.hash);
    directory
        .catch_up(
            &txn,
            (&seen, &start),
            &context.pipeline,
            events,
            (source.id, &mut known),
        )
        .await?;
    marks.step();
    let mut linked = link(
        &mut directory,
        (source, events, prepared),
        &known,
        start.clone(),
        (context, now),
    );
    let effects = pipeline::effects(&linked, events, source.id, start);
    marks.step();
    insert_events(&txn, std::mem::take(&mut linked.rows)).await?;
    marks.step();
    let outcomes = finish(&txn, &directory, linked, (context, now)).await?;
    marks.step();
    txn.commit().await?;
    marks.step();
    marks.record(context.batch_times.as_deref());
    context.pipeline.remember(std::sync::Arc::new(effects));
    Ok(outcomes)
}

/// A batch linked into the chain, not yet written.
pub(super) struct Linked {
    /// The batch's first new event id (the one after the chain's end it was linked to).
    pub(super) first_id: i64,
    pub(super) outcomes: Vec<Outcome>,
    pub(super) rows: Vec<event::ActiveModel>,
    entering: Vec<cases::Entering>,
    counts: Tally,
    head_updates: Vec<patient_head::ActiveModel>,
    /// The chain heads (hash, events) of the batch's patients after it.
    pub(super) patient_heads: HashMap<String, (String, i64)>,
    /// The chain's new end (last id, hash), when events were added.
    pub(super) moved: Option<(i64, String)>,
    to_notify: HashSet<String>,
}

/// Judges the batch's new events and links them after `start` (the chain's end: last id
/// and hash), in order; `known`: the source's identifiers received before.
pub(super) fn link(
    directory: &mut Directory,
    (source, events, prepared): (&Source, &[NewAccess], Vec<Prepared>),
    known: &HashMap<String, i64>,
    start: (i64, String),
    (context, now): (&IngestContext, OffsetDateTime),
) -> Linked {
    let oversight = is_oversight(source);
    let mut outcomes = Vec::with_capacity(events.len());
    let mut seen_in_batch: HashMap<&str, i64> = HashMap::new();
    let mut rows = Vec::new();
    let mut entering = Vec::new();
    let (mut last_id, mut last_hash) = start;
    let first_id = last_id + 1;
    let mut patient_heads = std::mem::take(&mut directory.patient_heads);
    let mut recent = std::mem::take(&mut directory.recent_by_agent);
    // Each touched patient's newest event in this batch.
    let mut touched: HashMap<&str, i64> = HashMap::new();
    let mut to_notify: HashSet<String> = HashSet::new();
    let mut counts = Tally::new(&context.time_zone);

    for (access, prepared) in events.iter().zip(prepared) {
        let key = access.source_event_id.as_str();
        if let Some(id) = known.get(key).or_else(|| seen_in_batch.get(key)) {
            outcomes.push(Outcome::AlreadyReceived(*id));
            continue;
        }
        last_id += 1;
        let Prepared {
            department_id,
            explanation,
            clock,
            day,
            night_unnamed,
            mut row,
            mut record,
        } = prepared;
        // The portal's own entries record oversight done inside the portal (a privacy
        // officer reading the review queue). Judging them would flag the review itself and
        // feed it back into the queue it came from; they are shown, not judged.
        let rules = if oversight {
            Vec::new()
        } else {
            directory.rules_for(
                access,
                (department_id, clock),
                explanation.is_some(),
                &recent,
                context,
            )
        };
        if let Some(agent) = &access.agent_ref {
            recent
                .entry(agent.clone())
                .or_default()
                .push((access.occurred_at, access.patient_mrn.clone()));
        }
        if !rules.is_empty() {
            let department = directory.department_name(department_id);
            record = canonical(source, access, department, &rules, now);
        }
        let patient = patient_heads
            .entry(access.patient_mrn.clone())
            .or_insert_with(|| (GENESIS.to_owned(), 0));
        let hash = link_row(&mut row, last_id, &rules, record, (&last_hash, &patient.0));
        let unusual = !rules.is_empty();
        let unexplained =
            !oversight && explanation.is_none() && access.agent_kind == AgentKind::Staff;
        if unusual || unexplained || night_unnamed {
            let signals = (unexplained, night_unnamed, explanation);
            entering.push(directory.entering((last_id, day.clone()), access, rules, signals));
        }
        counts.count_on(
            &access.patient_mrn,
            day,
            department_id,
            access.category.code(),
            unusual,
        );
        rows.push(row);
        if unusual {
            to_notify.insert(access.patient_mrn.clone());
        }
        patient.0.clone_from(&hash);
        patient.1 += 1;
        last_hash = hash;
        seen_in_batch.insert(key, last_id);
        touched.insert(&access.patient_mrn, last_id);
        outcomes.push(Outcome::Created(last_id));
    }

    Linked {
        first_id,
        outcomes,
        head_updates: head_updates(&touched, &patient_heads),
        moved: (!rows.is_empty()).then_some((last_id, last_hash)),
        rows,
        entering,
        counts,
        patient_heads,
        to_notify,
    }
}

/// Writes what a linked batch changes besides its event rows (already written in `txn`):
/// the summaries, review cases and items, chain heads and emails. Runs under the chain's
/// lock. Returns the batch's outcomes.
pub(super) async fn finish<C: ConnectionTrait>(
    txn: &C,
    directory: &Directory,
    linked: Linked,
    (context, now): (&IngestContext, OffsetDateTime),
) -> Result<Vec<Outcome>, DbErr> {
    let Linked {
        first_id,
        outcomes,
        entering,
        mut counts,
        head_updates,
        patient_heads,
        moved,
        to_notify,
        ..
    } = linked;
    counts.add_summarised(txn, &patient_heads, first_id).await?;
    let reviews = file_for_review(txn, &entering, now).await?;
    store(txn, reviews, head_updates, moved).await?;
    if let Some(mail) = &context.mail {
        directory.notify(txn, &to_notify, mail, now).await?;
    }
    Ok(outcomes)
}

/// Whether `source` is the portal's own log of oversight.
fn is_oversight(source: &Source) -> bool {
    source.name == crate::ssr::sources::PORTAL_SOURCE
}

/// The local weekday (0 = Monday) and minute after midnight of `at` in `zone`.
fn local_clock(at: OffsetDateTime, zone: &jiff::tz::TimeZone) -> (u8, u16) {
    match jiff::Timestamp::from_second(at.unix_timestamp()) {
        Ok(instant) => {
            let zoned = instant.to_zoned(zone.clone());
            (
                u8::try_from(zoned.weekday().to_monday_zero_offset()).unwrap_or(0),
                u16::try_from(i32::from(zoned.hour()) * 60 + i32::from(zoned.minute()))
                    .unwrap_or(0),
            )
        }
        Err(_) => (0, 0),
    }
}

/// The new chain heads of the patients the batch touched (`touched`: each one's newest
/// event).
fn head_updates(
    touched: &HashMap<&str, i64>,
    patient_heads: &HashMap<String, (String, i64)>,
) -> Vec<patient_head::ActiveModel> {
    touched
        .iter()
        .filter_map(|(mrn, newest)| {
            patient_heads
                .get(*mrn)
                .map(|(hash, count)| patient_head::ActiveModel {
                    patient_mrn: Set((*mrn).to_owned()),
                    last_event_id: Set(*newest),
                    events: Set(*count),
                    hash: Set(hash.clone()),
                })
        })
        .collect()
}

/// Puts the accesses that need review into their cases; returns their queue items.
async fn file_for_review<C: ConnectionTrait>(
    txn: &C,
    entering: &[cases::Entering],
    now: OffsetDateTime,
) -> Result<Vec<review::ActiveModel>, DbErr> {
    let case_of = cases::file(txn, entering, now).await?;
    Ok(entering
        .iter()
        .map(|access| {
            let case_id = case_of.get(&access.event_id).copied();
            open_review(access.event_id, &access.patient_mrn, case_id, now)
        })
        .collect())
}

/// A new item of the review queue for an event that needs review.
fn open_review(
    event_id: i64,
    patient_mrn: &str,
    case_id: Option<i64>,
    now: OffsetDateTime,
) -> review::ActiveModel {
    review::ActiveModel {
        case_id: Set(case_id),
        event_id: Set(event_id),
        patient_mrn: Set(patient_mrn.to_owned()),
        state: Set(ReviewState::Open.code().to_owned()),
        patient_question: Set(None),
        question_at: Set(None),
        resolved_by: Set(None),
        resolution_note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// On PostgreSQL, waits until no batch of a [`Pipeline`] is in flight and keeps others
/// from starting until `txn` ends: a batch linked outside that order must not take event
/// ids a pipelined batch has written but not committed. (SQLite has one writer.)
async fn take_turn<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock({})",
            pipeline::CHAIN_TURN
        ))
        .await?;
    }
    Ok(())
}

/// The head of the chain, locked on PostgreSQL: ingestions are serialised, so every
/// event has exactly one predecessor. (SQLite serialises writers by itself.)
pub(super) async fn lock_chain_head<C: ConnectionTrait>(
    txn: &C,
) -> Result<chain_head::Model, DbErr> {
    let mut head_query = chain_head::Entity::find_by_id(1);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        head_query = head_query.lock_exclusive();
    }
    head_query
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("access chain head".into()))
}

/// What a batch reads before it waits for the chain: the chain's end committed (last event
/// id and hash), the events the source had sent before, and the directory. Through a pool
/// (on PostgreSQL the pool's other connections, on SQLite the read connections) one
/// batch's lookups run while another batch holds the chain and writes; what commits
/// meanwhile is caught up on under the lock (`Directory::catch_up`).
pub(super) async fn read_unlocked<C: ConnectionTrait>(
    db: &C,
    source_id: i64,
    events: &[NewAccess],
    context: &IngestContext,
) -> Result<((i64, String), HashMap<String, i64>, Directory), DbErr> {
    let seen = committed_until(db).await?;
    let known = already_received(db, source_id, events).await?;
    let directory = Directory::load(db, events, context).await?;
    Ok((seen, known, directory))
}

/// The chain's end (last event id and hash) committed when the batch starts reading:
/// every event up to it is visible to the reads that follow (the head moves in its
/// events' transaction).
async fn committed_until<C: ConnectionTrait>(conn: &C) -> Result<(i64, String), DbErr> {
    Ok(chain_head::Entity::find_by_id(1)
        .one(conn)
        .await?
        .map_or_else(
            || (0, GENESIS.to_owned()),
            |head| (head.last_event_id, head.hash),
        ))
}

/// The chain heads (hash, events) of the patients of `mrns` who have one.
async fn patient_heads<C: ConnectionTrait>(
    conn: &C,
    mrns: &[String],
) -> Result<HashMap<String, (String, i64)>, DbErr> {
    let mut heads = HashMap::new();
    for chunk in mrns.chunks(LOOKUP_CHUNK) {
        for row in patient_head::Entity::find()
            .filter(patient_head::Column::PatientMrn.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?
        {
            heads.insert(row.patient_mrn, (row.hash, row.events));
        }
    }
    Ok(heads)
}

/// Writes the rest of a batch after its events: their review items, the patients' chain
/// heads and the chain's head (`head`: the last event id and hash, when events were added).
async fn store<C: ConnectionTrait>(
    txn: &C,
    reviews: Vec<review::ActiveModel>,
    head_updates: Vec<patient_head::ActiveModel>,
    head: Option<(i64, String)>,
) -> Result<(), DbErr> {
    for chunk in unnest::owned_chunks(reviews, INSERT_CHUNK) {
        review::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        for chunk in unnest::owned_chunks(head_updates, UNNEST_CHUNK) {
            let upsert = "ON CONFLICT (patient_mrn) DO UPDATE SET last_event_id = \
                          excluded.last_event_id, events = excluded.events, hash = excluded.hash";
            txn.execute(unnest::insert(chunk, upsert)).await?;
        }
    } else {
        for chunk in unnest::owned_chunks(head_updates, INSERT_CHUNK) {
            patient_head::Entity::insert_many(chunk)
                .on_conflict(
                    OnConflict::column(patient_head::Column::PatientMrn)
                        .update_columns([
                            patient_head::Column::LastEventId,
                            patient_head::Column::Events,
                            patient_head::Column::Hash,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
        }
    }
    if let Some(head) = head {
        chain_head::Entity::update_many()
            .col_expr(chain_head::Column::LastEventId, Expr::value(head.0))
            .col_expr(chain_head::Column::Hash, Expr::value(head.1))
            .filter(chain_head::Column::Id.eq(1))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Writes event rows: on PostgreSQL each column as one array parameter (`UNNEST`), so a
/// chunk is one statement of 20-odd parameters that the server parses and plans once,
/// instead of 20 parameters per row; on SQLite, where parameters cost little, multi-row
/// INSERTs.
pub(super) async fn insert_events<C: ConnectionTrait>(
    txn: &C,
    rows: Vec<event::ActiveModel>,
) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        for chunk in unnest::owned_chunks(rows, UNNEST_CHUNK) {
            txn.execute(unnest::insert(chunk, "")).await?;
        }
        return Ok(());
    }
    for chunk in unnest::owned_chunks(rows, INSERT_CHUNK) {
        event::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Rows per `UNNEST` statement (no parameter limit applies; this bounds its memory).
const UNNEST_CHUNK: usize = 5_000;

/// Rows per multi-row INSERT of [`store_plain`] (within SQLite's bound-parameter limit).
pub const PLAIN_CHUNK: usize = 1_000;

/// Stores `accesses` as the rows ingestion would write, continuing the hash chain, but
/// without the rules, the review queue, the per-patient links or any email: one
/// transaction of plain multi-row INSERTs. Only the benchmark uses it, to fill a large log
/// quickly and to compare ingestion with the raw insert rate of the same rows; real events
/// always go through [`ingest`].
pub async fn store_plain<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    source: &Source,
    accesses: &[NewAccess],
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let txn = conn.begin().await?;
    let head = chain_head::Entity::find_by_id(1).one(&txn).await?;
    let mut next_id = head.as_ref().map_or(0, |head| head.last_event_id);
    let mut last_hash = head.map_or_else(|| GENESIS.to_owned(), |head| head.hash);
    for chunk in accesses.chunks(PLAIN_CHUNK) {
        let rows: Vec<event::ActiveModel> = chunk
            .iter()
            .map(|access| {
                next_id += 1;
                let (mut row, record) = event_row(source, access, None, None, now);
                last_hash = link_row(&mut row, next_id, &[], record, (&last_hash, GENESIS));
                row
            })
            .collect();
        insert_events(&txn, rows).await?;
    }
    // Ingestion continues the numbering and the chain after these rows.
    chain_head::Entity::update_many()
        .col_expr(chain_head::Column::LastEventId, Expr::value(next_id))
        .col_expr(chain_head::Column::Hash, Expr::value(last_hash))
        .filter(chain_head::Column::Id.eq(1))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// Sets each patient's chain head after [`store_plain`] (which writes none): their
/// newest event, its hash and how many events they have. Only the benchmark uses it, so
/// that ingestion after a raw fill knows how long each patient's log is.
pub async fn heads_after_plain<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    // `WHERE true`: SQLite otherwise reads `ON CONFLICT` as part of the join.
    conn.execute_unprepared(
        "INSERT INTO access_patient_head (patient_mrn, last_event_id, events, hash) \
         SELECT e.patient_mrn, e.id, c.events, e.hash FROM \
         (SELECT patient_mrn, MAX(id) AS last_id, COUNT(*) AS events FROM access_event \
         GROUP BY patient_mrn) AS c JOIN access_event AS e ON e.id = c.last_id WHERE true \
         ON CONFLICT (patient_mrn) DO UPDATE SET last_event_id = excluded.last_event_id, \
         events = excluded.events, hash = excluded.hash",
    )
    .await?;
    Ok(())
}

/// One event as ingestion stores it, before the rules and the chain: the row, its id,
/// rules and links still to be set by [`link`], and its canonical record as if no rule
/// fired (most events; built again by [`canonical`] when one does). Ingestion and
/// [`store_plain`] build rows here.
#[must_use]
fn event_row(
    source: &Source,
    access: &NewAccess,
    department: Option<(i64, Option<String>)>,
    explanation: Option<&Explanation>,
    now: OffsetDateTime,
) -> (event::ActiveModel, String) {
    let (department_id, department_name) = department.unzip();
    let explained = explain::columns(explanation);
    let record = canonical(source, access, department_name.flatten(), &[], now);
    let row = event::ActiveModel {
        source_id: Set(source.id),
        source_event_id: Set(access.source_event_id.clone()),
        patient_mrn: Set(access.patient_mrn.clone()),
        occurred_at: Set(access.occurred_at),
        received_at: Set(now),
        category: Set(access.category.code().to_owned()),
        action: Set(access.action.code().to_owned()),
        purpose: Set(access.purpose.code().to_owned()),
        agent_kind: Set(access.agent_kind.code().to_owned()),
        agent_ref: Set(access.agent_ref.clone()),
        agent_name: Set(access.agent_name.clone()),
        agent_role: Set(access.agent_role.clone()),
        department_id: Set(department_id),
        explained_by: Set(explained.by),
        explained_kind: Set(explained.kind),
        explained_department_id: Set(explained.department_id),
        explained_since: Set(explained.since),
        ..Default::default()
    };
    (row, record)
}

/// The canonical record of an event (`department`: the name of the department it is
/// attributed to; `rules`: the rules that fired).
fn canonical(
    source: &Source,
    access: &NewAccess,
    department: Option<String>,
    rules: &[Rule],
    now: OffsetDateTime,
) -> String {
    EventRecord {
        v: 1,
        source: source.name.clone(),
        source_event_id: access.source_event_id.clone(),
        patient_mrn: access.patient_mrn.clone(),
        occurred_at_ms: millis(access.occurred_at),
        received_at_ms: millis(now),
        category: access.category.code().to_owned(),
        action: access.action.code().to_owned(),
        purpose: access.purpose.code().to_owned(),
        purpose_code: access.purpose_code.clone(),
        agent_kind: access.agent_kind.code().to_owned(),
        agent_ref: access.agent_ref.clone(),
        agent_name: access.agent_name.clone(),
        agent_role: access.agent_role.clone(),
        department_code: access.department_code.clone(),
        department,
        system: access.system.clone(),
        site: access.site.clone(),
        workstation: access.workstation.clone(),
        detail: access.detail.clone(),
        rules: rules.iter().map(|rule| rule.code().to_owned()).collect(),
    }
    .to_canonical()
}

/// Completes a row of [`event_row`] as event `id` with the `rules` that fired and its
/// `record`, linked to the previous event (`links.0`) and to the same patient's previous
/// event (`links.1`); returns its hash.
fn link_row(
    row: &mut event::ActiveModel,
    id: i64,
    rules: &[Rule],
    record: String,
    links: (&str, &str),
) -> String {
    let hash = link_hash(links.0, links.1, &record);
    row.id = Set(id);
    row.flags = Set(rules.iter().map(|r| r.code()).collect::<Vec<_>>().join(","));
    row.unusual = Set(!rules.is_empty());
    row.record = Set(record);
    row.prev_hash = Set(links.0.to_owned());
    row.patient_prev_hash = Set(links.1.to_owned());
    row.hash = Set(hash.clone());
    hash
}

/// Unix milliseconds.
#[must_use]
pub fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Events of this batch the source had sent before: identifier → stored id.
async fn already_received<C: ConnectionTrait>(
    conn: &C,
    source_id: i64,
    events: &[NewAccess],
) -> Result<HashMap<String, i64>, DbErr> {
    let ids: Vec<&str> = events.iter().map(|e| e.source_event_id.as_str()).collect();
    let mut known = HashMap::new();
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        for row in conn
            .query_all(already_received_query(source_id, &ids))
            .await?
        {
            known.insert(row.try_get("", "source_event_id")?, row.try_get("", "id")?);
        }
        return Ok(known);
    }
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(String, i64)> = event::Entity::find()
            .select_only()
            .column(event::Column::SourceEventId)
            .column(event::Column::Id)
            .filter(event::Column::SourceId.eq(source_id))
            .filter(event::Column::SourceEventId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        known.extend(rows);
    }
    Ok(known)
}

/// On PostgreSQL, [`already_received`]'s lookup: one index probe on (source, identifier)
/// per identifier, whatever the table's statistics say (public for the test that reads its
/// plan). With `source_id = $1 AND source_event_id IN (…)`, statistics taken before a
/// source's first events (autovacuum had not analysed the table since) made the planner
/// probe the index by source alone and filter every event of that source: 1.9 s for 2 000
/// identifiers against 6.6 ms, 1.4 M events. The `LIMIT 1` keeps the per-identifier
/// subquery from being turned into a join, which the same statistics plan the same way.
#[must_use]
pub fn already_received_query(source_id: i64, ids: &[&str]) -> Statement {
    let ids = ids
        .iter()
        .map(|id| Value::String(Some(Box::new((*id).to_owned()))))
        .collect();
    Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT e.source_event_id, e.id FROM UNNEST($2::text[]) AS wanted(source_event_id) \
         CROSS JOIN LATERAL (SELECT id, source_event_id FROM access_event \
         WHERE source_id = $1 AND source_event_id = wanted.source_event_id LIMIT 1) AS e",
        [
            Value::BigInt(Some(source_id)),
            Value::Array(ArrayType::String, Some(Box::new(ids))),
        ],
    )
}

/// A patient as far as notifications need.
#[derive(Clone, Debug)]
struct Recipient {
    email: Option<String>,
    locale: Locale,
    notify: NotifyChoice,
}

/// The directory facts a batch needs, loaded once per batch.
pub(super) struct Directory {
    departments_by_code: HashMap<String, i64>,
    codes_by_id: HashMap<i64, String>,
    hours: HashMap<i64, WorkingHours>,
    staff: HashMap<String, StaffFacts>,
    patients: HashMap<String, PatientFacts>,
    recipients: HashMap<String, Recipient>,
    /// Each patient's care relationships.
    care: HashMap<String, Vec<CarePeriod>>,
    /// Each person's recent accesses (time, patient), for the many-records rule.
    recent_by_agent: HashMap<String, Vec<(OffsetDateTime, String)>>,
    /// The chain heads (hash, events) of the batch's patients who have one.
    patient_heads: HashMap<String, (String, i64)>,
}

/// An event as far as it is known before the chain is locked: all that does not depend on
/// the events committed meanwhile (duplicates, the many-records rule) or on the chain.
/// Worked out while another batch may hold the chain, so the part under the lock is short.
pub(super) struct Prepared {
    department_id: Option<i64>,
    explanation: Option<Explanation>,
    /// Local weekday and minute.
    clock: (u8, u16),
    /// Local `YYYY-MM-DD`.
    day: String,
    night_unnamed: bool,
    /// The row and its record as [`event_row`] builds them.
    row: event::ActiveModel,
    record: String,
}

impl Directory {
    async fn load<C: ConnectionTrait>(
        conn: &C,
        events: &[NewAccess],
        context: &IngestContext,
    ) -> Result<Directory, DbErr> {
        let (departments_by_code, codes_by_id, hours) = load_departments(conn).await?;
        let agents: Vec<String> = unique(events.iter().filter_map(|e| e.agent_ref.clone()));
        let mrns: Vec<String> = unique(events.iter().map(|e| e.patient_mrn.clone()));
        let times = events.iter().map(|e| e.occurred_at);
        let reach = explain::care_reach(
            &context.rules,
            (
                times.clone().min().unwrap_or(OffsetDateTime::UNIX_EPOCH),
                times.max().unwrap_or(OffsetDateTime::UNIX_EPOCH),
            ),
        );

        let staff = load_staff(conn, &agents).await?;

        let mut patients = HashMap::new();
        let mut recipients = HashMap::new();
        let mut account_to_mrn = HashMap::new();
        let mut care: HashMap<String, Vec<CarePeriod>> = HashMap::new();
        for chunk in mrns.chunks(LOOKUP_CHUNK) {
            for row in accounts::patients(conn, chunk).await? {
                let Some(mrn) = row.mrn.clone() else { continue };
                account_to_mrn.insert(row.id, mrn.clone());
                recipients.insert(
                    mrn.clone(),
                    Recipient {
                        email: row.email.filter(|_| row.active),
                        locale: row.locale,
                        notify: NotifyChoice::from_code(&row.notify)
                            .unwrap_or(NotifyChoice::Immediate),
                    },
                );
                patients.insert(
                    mrn,
                    PatientFacts {
                        family_name: row.family_name,
                        address_key: row.address_key,
                        vip: row.vip,
                        ..PatientFacts::default()
                    },
                );
            }
            for period in care_periods(conn, chunk, reach).await? {
                care.entry(period.patient_mrn.clone())
                    .or_default()
                    .push(period);
            }
        }
        let account_ids: Vec<i64> = account_to_mrn.keys().copied().collect();
        for chunk in account_ids.chunks(LOOKUP_CHUNK) {
            for row in watch::Entity::find()
                .filter(watch::Column::AccountId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
            {
                let Some(facts) = account_to_mrn
                    .get(&row.account_id)
                    .and_then(|mrn| patients.get_mut(mrn))
                else {
                    continue;
                };
                if let Some(name) = row.person_name {
                    facts.watched_names.push(name);
                }
                if let Some(id) = row.department_id {
                    facts.watched_departments.push(id);
                }
            }
        }

        let recent_by_agent = load_recent(conn, events, context.rules.many_records_window).await?;
        let patient_heads = patient_heads(conn, &mrns).await?;

        Ok(Directory {
            departments_by_code,
            codes_by_id,
            hours,
            staff,
            patients,
            recipients,
            care,
            recent_by_agent,
            patient_heads,
        })
    }

    /// What can be known of each of `events` before the chain is locked.
    pub(super) fn prepare(
        &self,
        source: &Source,
        events: &[NewAccess],
        (context, now): (&IngestContext, OffsetDateTime),
    ) -> Vec<Prepared> {
        let oversight = is_oversight(source);
        events
            .iter()
            .map(|access| self.prepare_one(source, access, oversight, (context, now)))
            .collect()
    }

    fn prepare_one(
        &self,
        source: &Source,
        access: &NewAccess,
        oversight: bool,
        (context, now): (&IngestContext, OffsetDateTime),
    ) -> Prepared {
        let department_id = self.department_of(access);
        let explanation = self.explain(access, department_id, oversight, &context.rules);
        let clock = local_clock(access.occurred_at, &context.time_zone);
        let night_unnamed =
            !oversight && self.unnamed_at_night(access, explanation.as_ref(), clock.1);
        let department = department_id.map(|id| (id, self.department_name(Some(id))));
        let (row, record) = event_row(source, access, department, explanation.as_ref(), now);
        Prepared {
            department_id,
            explanation,
            clock,
            day: summary::local_day(&context.time_zone, access.occurred_at),
            night_unnamed,
            row,
            record,
        }
    }

    /// The code of department `id`.
    fn department_name(&self, id: Option<i64>) -> Option<String> {
        id.and_then(|id| self.codes_by_id.get(&id).cloned())
    }

    /// Adds what the events committed after the chain's end `seen` up to `head` (by
    /// batches that went first while this one was read) change: the people's accesses for
    /// the many-records rule, `known`'s identifiers of `source` that arrived meanwhile, and
    /// the chain heads of their patients. From `pipeline`'s memory when this process
    /// committed all of those batches, else read again. Rows read twice do no harm: the
    /// rule counts distinct patients.
    pub(super) async fn catch_up<C: ConnectionTrait>(
        &mut self,
        txn: &C,
        (seen, head): (&(i64, String), &(i64, String)),
        pipeline: &Pipeline,
        events: &[NewAccess],
        (source_id, known): (i64, &mut HashMap<String, i64>),
    ) -> Result<(), DbErr> {
        if head.0 <= seen.0 {
            return Ok(());
        }
        if let Some(batches) = pipeline.committed_between(seen, head) {
            for earlier in &batches {
                self.absorb(earlier, (source_id, &mut *known));
            }
            return Ok(());
        }
        let (seen, upto) = (seen.0, head.0);
        let agents: HashSet<&str> = events
            .iter()
            .filter_map(|e| e.agent_ref.as_deref())
            .collect();
        let identifiers: HashSet<&str> =
            events.iter().map(|e| e.source_event_id.as_str()).collect();
        let patients: HashSet<&str> = events.iter().map(|e| e.patient_mrn.as_str()).collect();
        let mut moved: HashSet<String> = HashSet::new();
        let rows: Vec<(i64, i64, String, Option<String>, OffsetDateTime, String)> =
            event::Entity::find()
                .select_only()
                .column(event::Column::Id)
                .column(event::Column::SourceId)
                .column(event::Column::SourceEventId)
                .column(event::Column::AgentRef)
                .column(event::Column::OccurredAt)
                .column(event::Column::PatientMrn)
                .filter(event::Column::Id.gt(seen))
                .filter(event::Column::Id.lte(upto))
                .into_tuple()
                .all(txn)
                .await?;
        for (id, source, source_event_id, agent, at, mrn) in rows {
            if source == source_id && identifiers.contains(source_event_id.as_str()) {
                known.entry(source_event_id).or_insert(id);
            }
            if patients.contains(mrn.as_str()) {
                moved.insert(mrn.clone());
            }
            if let Some(agent) = agent.filter(|agent| agents.contains(agent.as_str())) {
                self.recent_by_agent
                    .entry(agent)
                    .or_default()
                    .push((at, mrn));
            }
        }
        let moved: Vec<String> = moved.into_iter().collect();
        self.patient_heads.extend(patient_heads(txn, &moved).await?);
        Ok(())
    }

    /// Adds what a batch linked before this one changes (as [`Directory::catch_up`] reads
    /// it for committed ones).
    /// `known`: the identifiers of `source` received before, to add to.
    pub(super) fn absorb(
        &mut self,
        earlier: &pipeline::Effects,
        (source_id, known): (i64, &mut HashMap<String, i64>),
    ) {
        for (agent, at, mrn) in &earlier.accesses {
            self.recent_by_agent
                .entry(agent.clone())
                .or_default()
                .push((*at, mrn.clone()));
        }
        for (mrn, head) in &earlier.heads {
            self.patient_heads.insert(mrn.clone(), head.clone());
        }
        if earlier.source_id == source_id {
            for (identifier, id) in &earlier.received {
                known.insert(identifier.clone(), *id);
            }
        }
    }

    /// The department an access is attributed to: the one the event names, else the
    /// person's department in the directory.
    fn department_of(&self, access: &NewAccess) -> Option<i64> {
        access
            .department_code
            .as_ref()
            .and_then(|code| self.departments_by_code.get(code).copied())
            .or_else(|| {
                access
                    .agent_ref
                    .as_ref()
                    .and_then(|agent| self.staff.get(agent))
                    .and_then(|staff| staff.department_id)
            })
    }

    /// The reason the access was normal, if the patient's care gives one.
    fn explain(
        &self,
        access: &NewAccess,
        department_id: Option<i64>,
        in_portal: bool,
        settings: &RuleSettings,
    ) -> Option<Explanation> {
        let facts = ExplainFacts {
            agent_kind: access.agent_kind,
            agent_ref: access.agent_ref.as_deref(),
            department_id,
            purpose: access.purpose,
            category: access.category,
            occurred_at: access.occurred_at,
            in_portal,
            care: self
                .care
                .get(&access.patient_mrn)
                .map_or(&[], Vec::as_slice),
        };
        explain(&facts, settings)
    }

    /// The access as it enters review: its case's key, and what it adds to the case
    /// (whether the patient was in anyone's care around it; whether only a department's
    /// care explained a VIP's record).
    fn entering(
        &self,
        (event_id, day): (i64, String),
        access: &NewAccess,
        rules: Vec<crate::access_log::types::Rule>,
        (unexplained, night_unnamed, explanation): (bool, bool, Option<Explanation>),
    ) -> cases::Entering {
        let care = self
            .care
            .get(&access.patient_mrn)
            .map_or(&[][..], Vec::as_slice);
        let reason = explanation.map(|found| found.reason);
        cases::Entering {
            event_id,
            agent_key: cases::agent_key(access.agent_ref.as_deref(), &access.agent_name),
            agent_name: access.agent_name.clone(),
            patient_mrn: access.patient_mrn.clone(),
            day,
            at: access.occurred_at,
            signals: cases::CaseSignals {
                vip_by_department: i64::from(cases::vip_by_department(rules.iter(), reason)),
                rules: rules.into_iter().collect(),
                unexplained: i64::from(unexplained),
                out_of_care: unexplained && !cases::in_care_near(care, access.occurred_at),
                night_unnamed: i64::from(night_unnamed),
                // Known once the batch's cases are filed.
                follows_out_of_care: false,
            },
        }
    }

    /// Whether the access came in the night from someone the department's roster for the
    /// patient did not name then, its only explanation being that department's care or a
    /// care team (an earlier shift: one going on then names the person).
    fn unnamed_at_night(
        &self,
        access: &NewAccess,
        explanation: Option<&Explanation>,
        minute: u16,
    ) -> bool {
        let Some(Explanation {
            reason: Reason::CareByDepartment | Reason::CareTeam,
            care: Some((_, department, _)),
        }) = explanation
        else {
            return false;
        };
        let care = self
            .care
            .get(&access.patient_mrn)
            .map_or(&[][..], Vec::as_slice);
        cases::unnamed_at_night(
            care,
            (access.agent_ref.as_deref(), *department),
            (access.occurred_at, minute),
        )
    }

    /// The rules that fire for the access (`clock`: its local weekday and minute);
    /// `explained` when a reason was found (then it has a care relationship, whatever the
    /// department).
    fn rules_for(
        &self,
        access: &NewAccess,
        (department_id, (weekday, minute)): (Option<i64>, (u8, u16)),
        explained: bool,
        recent: &HashMap<String, Vec<(OffsetDateTime, String)>>,
        context: &IngestContext,
    ) -> Vec<crate::access_log::types::Rule> {
        let staff = access
            .agent_ref
            .as_ref()
            .and_then(|agent| self.staff.get(agent));
        let at = access.occurred_at;
        let rules = &context.rules;
        let has_care = if explained {
            Some(true)
        } else {
            department_id.map(|_| false)
        };
        let distinct = access.agent_ref.as_ref().map_or(1, |agent| {
            let mut patients: HashSet<&str> = HashSet::new();
            patients.insert(&access.patient_mrn);
            if let Some(list) = recent.get(agent) {
                for (when, mrn) in list {
                    if *when <= at && *when >= at - rules.many_records_window {
                        patients.insert(mrn);
                    }
                }
            }
            patients.len()
        });
        let facts = AccessFacts {
            patient_mrn: &access.patient_mrn,
            category: access.category,
            agent_kind: access.agent_kind,
            agent_name: &access.agent_name,
            staff,
            patient: self.patients.get(&access.patient_mrn),
            department_id,
            department_hours: department_id.and_then(|id| self.hours.get(&id)),
            local_weekday: weekday,
            local_minute: minute,
            has_care,
            distinct_patients_in_window: distinct,
        };
        evaluate(&facts, rules)
    }

    /// Queues one email per patient who chose to hear at once about unusual accesses.
    pub(super) async fn notify<C: ConnectionTrait>(
        &self,
        conn: &C,
        patients: &HashSet<String>,
        mail: &MailContext,
        now: OffsetDateTime,
    ) -> Result<(), DbErr> {
        let mut hospital_names: HashMap<Locale, String> = HashMap::new();
        for mrn in patients {
            let Some(recipient) = self.recipients.get(mrn) else {
                continue;
            };
            let Some(email) = &recipient.email else {
                continue;
            };
            if recipient.notify != NotifyChoice::Immediate {
                continue;
            }
            // One such email an hour at most: a burst of flagged accesses (a bulk back-fill,
            // a busy ward) is one message, and the log shows every access.
            let told_lately = outbox::Entity::find()
                .filter(outbox::Column::Recipient.eq(email.as_str()))
                .filter(outbox::Column::Template.eq("unusual_access"))
                .filter(outbox::Column::CreatedAt.gt(now - UNUSUAL_EMAIL_GAP))
                .one(conn)
                .await?
                .is_some();
            if told_lately {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) =
                hospital_names.entry(recipient.locale)
            {
                slot.insert(crate::hospital::server::service::name(conn, recipient.locale).await?);
            }
            let hospital = hospital_names
                .get(&recipient.locale)
                .cloned()
                .unwrap_or_default();
            let link = format!("{}/access-log?unusual=true", mail.public_url);
            let rendered = render(
                &EmailTemplate::UnusualAccess { link },
                recipient.locale,
                &hospital,
                &mail.public_url,
            );
            outbox::enqueue(conn, email, rendered, now, &mail.mail_domain).await?;
        }
        Ok(())
    }
}

/// Departments by code and by id, and their opening hours.
async fn load_departments<C: ConnectionTrait>(
    conn: &C,
) -> Result<
    (
        HashMap<String, i64>,
        HashMap<i64, String>,
        HashMap<i64, WorkingHours>,
    ),
    DbErr,
> {
    let mut departments_by_code = HashMap::new();
    let mut codes_by_id = HashMap::new();
    let mut hours = HashMap::new();
    for row in departments(conn).await? {
        if let Some(parsed) = row
            .working_hours
            .as_deref()
            .and_then(|json| serde_json::from_str::<WorkingHours>(json).ok())
        {
            hours.insert(row.id, parsed);
        }
        codes_by_id.insert(row.id, row.code.clone());
        departments_by_code.insert(row.code, row.id);
    }
    Ok((departments_by_code, codes_by_id, hours))
}

/// What the rules compare about each member of staff in `agents`.
async fn load_staff<C: ConnectionTrait>(
    conn: &C,
    agents: &[String],
) -> Result<HashMap<String, StaffFacts>, DbErr> {
    let mut staff = HashMap::new();
    for chunk in agents.chunks(LOOKUP_CHUNK) {
        for row in accounts::staff(conn, chunk).await? {
            staff.insert(
                row.staff_number,
                StaffFacts {
                    active: row.active,
                    family_name: row.family_name,
                    address_key: row.address_key,
                    own_mrn: row.own_mrn,
                    department_id: row.department_id,
                },
            );
        }
    }
    Ok(staff)
}

/// Each person's accesses in the window before each of their events of the batch, for the
/// many-records rule.
async fn load_recent<C: ConnectionTrait>(
    conn: &C,
    events: &[NewAccess],
    window: time::Duration,
) -> Result<HashMap<String, Vec<(OffsetDateTime, String)>>, DbErr> {
    let mut recent_by_agent: HashMap<String, Vec<(OffsetDateTime, String)>> = HashMap::new();
    let mut times: HashMap<&str, Vec<OffsetDateTime>> = HashMap::new();
    for access in events {
        if let Some(agent) = access.agent_ref.as_deref() {
            times.entry(agent).or_default().push(access.occurred_at);
        }
    }
    let earliest = times.values().flatten().min().copied();
    let latest = times.values().flatten().max().copied();
    match (earliest, latest) {
        // A batch from a live feed or an ordered back-fill covers minutes: one query per
        // chunk of people over the whole batch's window, kept per person in memory.
        (Some(earliest), Some(latest)) if latest - earliest <= NARROW_BATCH => {
            let people: Vec<&str> = times.keys().copied().collect();
            for chunk in people.chunks(LOOKUP_CHUNK) {
                let rows: Vec<(String, OffsetDateTime, String)> = event::Entity::find()
                    .select_only()
                    .column(event::Column::AgentRef)
                    .column(event::Column::OccurredAt)
                    .column(event::Column::PatientMrn)
                    .filter(event::Column::AgentRef.is_in(chunk.iter().copied()))
                    .filter(event::Column::OccurredAt.between(earliest - window, latest))
                    .into_tuple()
                    .all(conn)
                    .await?;
                for (agent, at, mrn) in rows {
                    recent_by_agent.entry(agent).or_default().push((at, mrn));
                }
            }
        }
        // A batch spread over a long time (a back-fill): only the window before each of a
        // person's events (joined where they overlap), so the lookup does not read the
        // months between two of them; one query per chunk of windows, as a list of values.
        _ => {
            let spans = windows(times, window);
            for chunk in spans.chunks(SPAN_CHUNK) {
                for row in conn.query_all(spans_query(conn, chunk)).await? {
                    let agent: String = row.try_get("", "agent_ref")?;
                    let at: OffsetDateTime = row.try_get("", "occurred_at")?;
                    let mrn: String = row.try_get("", "patient_mrn")?;
                    recent_by_agent.entry(agent).or_default().push((at, mrn));
                }
            }
        }
    }
    Ok(recent_by_agent)
}

/// For each person, the spans `window` before each of their `times` up to it, overlapping
/// ones joined: (person, (first, last)).
fn windows(
    times: HashMap<&str, Vec<OffsetDateTime>>,
    window: time::Duration,
) -> Vec<(&str, (OffsetDateTime, OffsetDateTime))> {
    let mut spans = Vec::new();
    for (agent, mut times) in times {
        times.sort_unstable();
        let mut open: Option<(OffsetDateTime, OffsetDateTime)> = None;
        for at in times {
            open = match open {
                Some((first, last)) if at - window <= last => Some((first, at)),
                Some(closed) => {
                    spans.push((agent, closed));
                    Some((at - window, at))
                }
                None => Some((at - window, at)),
            };
        }
        spans.extend(open.map(|span| (agent, span)));
    }
    spans
}

/// Spans per query (three values each, within SQLite's bound-parameter limit).
const SPAN_CHUNK: usize = 1_000;

/// The accesses of each person in `spans` within their span (first to last, inclusive).
fn spans_query(
    conn: &impl ConnectionTrait,
    spans: &[(&str, (OffsetDateTime, OffsetDateTime))],
) -> sea_orm::Statement {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        return spans_query_postgres(spans);
    }
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(spans.len() * 3);
    let mut rows = Vec::with_capacity(spans.len());
    for (agent, (first, last)) in spans {
        values.extend([
            sea_orm::Value::from(*agent),
            (*first).into(),
            (*last).into(),
        ]);
        rows.push("(?, ?, ?)");
    }
    // SQLite joins by nested loops: each span is one range of the person's index.
    let sql = format!(
        "WITH span (agent, first_at, last_at) AS (VALUES {}) \
         SELECT e.agent_ref, e.occurred_at, e.patient_mrn FROM span \
         JOIN access_event e ON e.agent_ref = span.agent \
         AND e.occurred_at >= span.first_at AND e.occurred_at <= span.last_at",
        rows.join(", ")
    );
    sea_orm::Statement::from_sql_and_values(DatabaseBackend::Sqlite, sql, values)
}

/// [`spans_query`] on PostgreSQL: the spans as three arrays, each one looked up on its
/// own. Joined plainly, the planner cannot tell how narrow a span is and reads the whole
/// log into a hash table (300 ms a batch at 1 M events, instead of 15); `OFFSET 0` keeps
/// the lateral lookup from being flattened into that join.
fn spans_query_postgres(spans: &[(&str, (OffsetDateTime, OffsetDateTime))]) -> sea_orm::Statement {
    use sea_orm::sea_query::ArrayType;
    let agents = spans.iter().map(|(agent, _)| sea_orm::Value::from(*agent));
    let firsts = spans.iter().map(|(_, (first, _))| (*first).into());
    let lasts = spans.iter().map(|(_, (_, last))| (*last).into());
    let times = ArrayType::TimeDateTimeWithTimeZone;
    let values = vec![
        sea_orm::Value::Array(ArrayType::String, Some(Box::new(agents.collect()))),
        sea_orm::Value::Array(times.clone(), Some(Box::new(firsts.collect()))),
        sea_orm::Value::Array(times, Some(Box::new(lasts.collect()))),
    ];
    let sql = "SELECT e.agent_ref, e.occurred_at, e.patient_mrn \
               FROM UNNEST($1::text[], $2::timestamptz[], $3::timestamptz[]) \
               AS span (agent, first_at, last_at) \
               CROSS JOIN LATERAL (SELECT agent_ref, occurred_at, patient_mrn FROM access_event \
               WHERE agent_ref = span.agent AND occurred_at >= span.first_at \
               AND occurred_at <= span.last_at OFFSET 0) e";
    sea_orm::Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values)
}

fn unique(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    values.filter(|value| seen.insert(value.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_back_fill_reads_the_window_before_each_event_joined_where_they_overlap() {
        let hour = time::Duration::hours(1);
        let times = HashMap::from([
            (
                "S1",
                vec![
                    datetime!(2026-11-18 12:20 UTC),
                    datetime!(2026-11-17 12:20 UTC),
                    datetime!(2026-11-17 12:50 UTC),
                ],
            ),
            ("S2", vec![datetime!(2026-06-01 08:00 UTC)]),
        ]);
        let mut spans = windows(times, hour);
        spans.sort_unstable();
        assert_eq!(
            spans,
            vec![
                (
                    "S1",
                    (
                        datetime!(2026-11-17 11:20 UTC),
                        datetime!(2026-11-17 12:50 UTC)
                    )
                ),
                (
                    "S1",
                    (
                        datetime!(2026-11-18 11:20 UTC),
                        datetime!(2026-11-18 12:20 UTC)
                    )
                ),
                (
                    "S2",
                    (
                        datetime!(2026-06-01 07:00 UTC),
                        datetime!(2026-06-01 08:00 UTC)
                    )
                ),
            ]
        );
    }
}

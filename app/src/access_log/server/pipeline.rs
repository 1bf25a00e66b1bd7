//! Ingestion on PostgreSQL with batches side by side. Holding the chain's lock from the
//! link to the commit serialises everything a batch writes, and writing its event rows
//! (one index entry per event in each patient's part of the log, on pages seldom in
//! memory) is most of that time. So a batch of the pipeline is linked in memory after the
//! batches still in flight, writes its event rows while they finish, and takes the chain's
//! lock only for the rest: summaries, review cases, chain heads, emails and the commit.
//!
//! Each batch checks under the lock that the chain ends where it linked. When it does
//! not (a batch before it failed, or another pipeline or process wrote meanwhile) the
//! batch rolls back and goes through the locked path instead. That path takes the chain's
//! turn (an advisory lock the pipeline's batches hold shared) before its ids, so it never
//! waits on ids a pipelined batch wrote and that batch never waits on it; and each
//! pipelined transaction waits at most [`LOCK_TIMEOUT`] for any lock, so a wait between
//! two processes' pipelines, which PostgreSQL cannot see whole, ends in that fallback too.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, TransactionTrait};
use time::OffsetDateTime;
use tokio::sync::{watch, Mutex};

use super::entity::chain_head;
use super::ingest::{
    finish, insert_events, link, lock_chain_head, read_unlocked, Directory, IngestContext, Linked,
    NewAccess, Outcome, Prepared,
};
use crate::ssr::pages_first::GivingWay;
use crate::ssr::sources::Source;
use crate::ssr::unnest;

/// The advisory lock that orders the pipeline against the locked path: pipelined batches
/// hold it shared, the locked path exclusively.
pub(super) const CHAIN_TURN: i64 = 0x0061_6363_6573_7331;

/// The longest a pipelined batch waits for any lock before it falls back.
const LOCK_TIMEOUT: &str = "5s";

/// Event rows a pipelined batch writes between two points where it gives way to requests
/// (see `crate::ssr::pages_first`).
const GIVE_WAY_EVERY: usize = 500;

/// How many of its latest committed batches a process remembers (see
/// [`Pipeline::committed_between`]): more than commit while one batch reads.
const REMEMBERED: usize = 32;

/// The batches of this process linked into the chain and not committed yet, in chain order,
/// and the latest ones it committed.
#[derive(Default)]
pub struct Pipeline {
    in_flight: Mutex<Vec<Arc<InFlight>>>,
    /// Each batch of this process that committed events, oldest first. A batch that read
    /// the log before they committed catches up on them from here instead of reading their
    /// events again while it holds the chain (on SQLite, the one writer).
    committed: std::sync::Mutex<VecDeque<Arc<Effects>>>,
    fallbacks: AtomicU64,
}

impl Pipeline {
    /// How many batches went through the locked path after they had joined the pipeline.
    pub fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    pub(super) fn fell_back(&self) {
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
    }

    /// Remembers a batch that committed.
    pub(super) fn remember(&self, batch: Arc<Effects>) {
        if batch.end == batch.start {
            return;
        }
        // A poisoned lock only means a panic elsewhere: what it holds is still whole.
        let mut committed = self
            .committed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // One rolled back after it was remembered (a batch written in a caller's
        // transaction) would share its start with the one that took its place.
        committed.retain(|earlier| earlier.start != batch.start);
        committed.push_back(batch);
        while committed.len() > REMEMBERED {
            committed.pop_front();
        }
    }

    /// The batches, in chain order, that took the chain from `seen` to `head` (each its
    /// last event id and hash), when this process committed all of them and remembers
    /// them. The hashes tie each batch to the one before it, so a batch of another process,
    /// or one that was rolled back, never passes for one of them.
    pub(super) fn committed_between(
        &self,
        seen: &(i64, String),
        head: &(i64, String),
    ) -> Option<Vec<Arc<Effects>>> {
        let committed = self
            .committed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut batches = Vec::new();
        let mut at = seen;
        while at != head {
            let next = committed
                .iter()
                .find(|batch| &batch.start == at && batch.end.0 > at.0)?;
            batches.push(Arc::clone(next));
            at = &next.end;
        }
        Some(batches)
    }
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline").finish_non_exhaustive()
    }
}

/// What a batch in flight changes for the batches linked after it.
pub(super) struct Effects {
    /// The chain's end it was linked after (last id, hash).
    start: (i64, String),
    /// The chain's end after it.
    end: (i64, String),
    /// Its people's accesses: (person, time, patient).
    pub(super) accesses: Vec<(String, OffsetDateTime, String)>,
    /// Its patients' chain heads after it.
    pub(super) heads: HashMap<String, (String, i64)>,
    /// The identifiers it received from its source, and their event ids.
    pub(super) received: HashMap<String, i64>,
    pub(super) source_id: i64,
}

struct InFlight {
    effects: Arc<Effects>,
    state: watch::Sender<State>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Running,
    Committed,
    Failed,
}

impl InFlight {
    fn state(&self) -> State {
        *self.state.borrow()
    }

    /// Waits until the batch committed or failed.
    async fn settled(&self) -> State {
        let mut watching = self.state.subscribe();
        watching
            .wait_for(|state| *state != State::Running)
            .await
            .map_or(State::Failed, |state| *state)
    }
}

/// A batch's place in the pipeline: marked failed when dropped before it committed (an
/// error, or the caller gone), so the batches after it do not wait for it.
struct Ticket(Arc<InFlight>);

impl Ticket {
    fn settle(&self, state: State) {
        self.0.state.send_replace(state);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.state.send_if_modified(|state| {
            let running = *state == State::Running;
            if running {
                *state = State::Failed;
            }
            running
        });
    }
}

/// Ingests a batch through `context`'s pipeline; `None` when the chain moved elsewhere
/// and the batch must go through the locked path (nothing of it was kept).
pub(super) async fn ingest<R, C>(
    reads: &R,
    db: &C,
    source: &Source,
    events: &[NewAccess],
    context: &IngestContext,
    now: OffsetDateTime,
) -> Result<Option<Vec<Outcome>>, DbErr>
where
    R: ConnectionTrait,
    C: ConnectionTrait + TransactionTrait,
{
    let pages = &context.pages_first;
    let (seen, known, directory) =
        read_unlocked(&GivingWay::new(reads, pages), source.id, events, context).await?;
    let prepared = directory.prepare(source, events, (context, now));
    let txn = db.begin().await?;
    let batch = Batch {
        source,
        events,
        prepared,
        seen,
        known,
        directory,
    };
    // Rolled back at once on every way out: the transaction holds the chain's turn, which
    // the locked path waits for.
    let joined = match join(&txn, batch, (context, now)).await {
        Ok(Some(joined)) => joined,
        other => {
            txn.rollback().await?;
            return other.map(|_| None);
        }
    };
    let Joined {
        ticket,
        mut linked,
        directory,
        predecessor,
        start,
    } = joined;
    let rows = std::mem::take(&mut linked.rows);
    let written = async {
        // Every statement from here on first gives way to the requests in flight. The batch
        // then holds the chain's turn (shared; a request that takes it says so, and nothing
        // gives way meanwhile), its new rows, and after the chain's head the rows it adds to
        // (counts, heads, cases), which requests read without waiting. An officer changing
        // a case the batch adds to waits for it: at most a moment per statement left.
        let txn = GivingWay::new(&txn, pages);
        for rows in unnest::owned_chunks(rows, GIVE_WAY_EVERY) {
            insert_events(&txn, rows).await?;
        }
        if let Some(before) = predecessor {
            if before.settled().await != State::Committed {
                return Ok(None);
            }
        }
        let head = lock_chain_head(&txn).await?;
        if (head.last_event_id, head.hash) != start {
            return Ok(None);
        }
        finish(&txn, &directory, linked, (context, now))
            .await
            .map(Some)
    }
    .await;
    if let Ok(Some(outcomes)) = written {
        if txn.commit().await.is_ok() {
            ticket.settle(State::Committed);
            context.pipeline.remember(Arc::clone(&ticket.0.effects));
            return Ok(Some(outcomes));
        }
        return Ok(None);
    }
    // Whatever failed, the locked path either succeeds or reports it again.
    ticket.settle(State::Failed);
    txn.rollback().await?;
    Ok(None)
}

/// A batch read and prepared, before it joins the pipeline.
struct Batch<'a> {
    source: &'a Source,
    events: &'a [NewAccess],
    prepared: Vec<Prepared>,
    /// The chain's end (last id, hash) committed when its reads began.
    seen: (i64, String),
    known: HashMap<String, i64>,
    directory: Directory,
}

/// A batch linked into the pipeline.
struct Joined {
    ticket: Ticket,
    linked: Linked,
    directory: Directory,
    /// The batch linked just before it, if still in flight then.
    predecessor: Option<Arc<InFlight>>,
    /// The chain's end it was linked to (last id, hash).
    start: (i64, String),
}

/// Takes the chain's turn (shared) in `txn`, links `batch` after the batches in flight
/// and the events committed, and puts it at the end of the pipeline. `None` when a batch
/// in flight failed: those linked after it fail too, and this one takes the locked path.
async fn join<C: ConnectionTrait>(
    txn: &C,
    batch: Batch<'_>,
    (context, now): (&IngestContext, OffsetDateTime),
) -> Result<Option<Joined>, DbErr> {
    let Batch {
        source,
        events,
        prepared,
        seen,
        mut known,
        mut directory,
    } = batch;
    // Taken before the pipeline's own order: every batch in the pipeline holds it.
    txn.execute_unprepared(&format!(
        "SELECT pg_advisory_xact_lock_shared({CHAIN_TURN})"
    ))
    .await?;
    txn.execute_unprepared(&format!("SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        .await?;
    let mut in_flight = context.pipeline.in_flight.lock().await;
    let failed = in_flight.iter().any(|batch| batch.state() == State::Failed);
    in_flight.retain(|batch| batch.state() == State::Running);
    if failed {
        return Ok(None);
    }
    let head = chain_head::Entity::find_by_id(1)
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("access chain head".into()))?;
    let head = (head.last_event_id, head.hash);
    directory
        .catch_up(
            txn,
            (&seen, &head),
            &context.pipeline,
            events,
            (source.id, &mut known),
        )
        .await?;
    // Those that committed since are in what was just caught up on.
    for earlier in in_flight
        .iter()
        .filter(|batch| batch.effects.start.0 >= head.0)
    {
        directory.absorb(&earlier.effects, (source.id, &mut known));
    }
    let predecessor = in_flight.last().cloned();
    let start = predecessor
        .as_ref()
        .map_or(head, |batch| batch.effects.end.clone());
    let linked = link(
        &mut directory,
        (source, events, prepared),
        &known,
        start.clone(),
        (context, now),
    );
    let (state, _) = watch::channel(State::Running);
    let ticket = Ticket(Arc::new(InFlight {
        effects: Arc::new(effects(&linked, events, source.id, start.clone())),
        state,
    }));
    in_flight.push(Arc::clone(&ticket.0));
    Ok(Some(Joined {
        ticket,
        linked,
        directory,
        predecessor,
        start,
    }))
}

/// What `linked` (linked after `start`) changes for the batches linked after it.
pub(super) fn effects(
    linked: &Linked,
    events: &[NewAccess],
    source_id: i64,
    start: (i64, String),
) -> Effects {
    let mut accesses = Vec::new();
    let mut heads = HashMap::new();
    let mut received = HashMap::new();
    for (access, outcome) in events.iter().zip(&linked.outcomes) {
        let Outcome::Created(id) = outcome else {
            continue;
        };
        if let Some(agent) = &access.agent_ref {
            accesses.push((
                agent.clone(),
                access.occurred_at,
                access.patient_mrn.clone(),
            ));
        }
        if let Some(head) = linked.patient_heads.get(&access.patient_mrn) {
            heads.insert(access.patient_mrn.clone(), head.clone());
        }
        received.insert(access.source_event_id.clone(), *id);
    }
    Effects {
        end: linked.moved.clone().unwrap_or_else(|| start.clone()),
        start,
        accesses,
        heads,
        received,
        source_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch that took the chain from `start` to `end` (last id, hash).
    fn batch(start: (i64, &str), end: (i64, &str)) -> Arc<Effects> {
        Arc::new(Effects {
            start: (start.0, start.1.to_owned()),
            end: (end.0, end.1.to_owned()),
            accesses: Vec::new(),
            heads: HashMap::new(),
            received: HashMap::new(),
            source_id: 1,
        })
    }

    fn ends(batches: Option<Vec<Arc<Effects>>>) -> Option<Vec<i64>> {
        batches.map(|batches| batches.iter().map(|batch| batch.end.0).collect())
    }

    fn end(id: i64, hash: &str) -> (i64, String) {
        (id, hash.to_owned())
    }

    #[test]
    fn batches_committed_meanwhile_are_found_in_chain_order() {
        let pipeline = Pipeline::default();
        // Remembered out of order: two batches may finish their commits in either order.
        pipeline.remember(batch((200, "b"), (400, "c")));
        pipeline.remember(batch((0, "a"), (200, "b")));
        pipeline.remember(batch((400, "c"), (600, "d")));
        assert_eq!(
            ends(pipeline.committed_between(&end(0, "a"), &end(600, "d"))),
            Some(vec![200, 400, 600])
        );
        assert_eq!(
            ends(pipeline.committed_between(&end(200, "b"), &end(400, "c"))),
            Some(vec![400])
        );
        assert_eq!(
            ends(pipeline.committed_between(&end(400, "c"), &end(400, "c"))),
            Some(vec![])
        );
    }

    #[test]
    fn a_chain_this_process_did_not_write_whole_is_read_again() {
        let pipeline = Pipeline::default();
        pipeline.remember(batch((0, "a"), (200, "b")));
        // Another process wrote after it: the head's hash is not one of ours.
        assert_eq!(
            ends(pipeline.committed_between(&end(0, "a"), &end(400, "x"))),
            None
        );
        // The same ids with another hash: not the chain that was remembered.
        assert_eq!(
            ends(pipeline.committed_between(&end(0, "a"), &end(200, "other"))),
            None
        );
        // Started before what is remembered.
        assert_eq!(
            ends(pipeline.committed_between(&end(-100, "z"), &end(200, "b"))),
            None
        );
    }

    #[test]
    fn a_batch_rolled_back_after_it_was_remembered_gives_way_to_the_one_in_its_place() {
        let pipeline = Pipeline::default();
        pipeline.remember(batch((0, "a"), (200, "rolled back")));
        pipeline.remember(batch((0, "a"), (150, "b")));
        pipeline.remember(batch((150, "b"), (300, "c")));
        assert_eq!(
            ends(pipeline.committed_between(&end(0, "a"), &end(300, "c"))),
            Some(vec![150, 300])
        );
    }

    #[test]
    fn only_the_latest_batches_and_none_without_events_are_remembered() {
        let pipeline = Pipeline::default();
        pipeline.remember(batch((0, "a"), (0, "a")));
        for n in 0..40 {
            let (from, to) = (format!("h{n}"), format!("h{}", n + 1));
            pipeline.remember(batch((n, &from), (n + 1, &to)));
        }
        let committed = pipeline.committed.lock().unwrap();
        assert_eq!(committed.len(), REMEMBERED);
        assert_eq!(committed.front().map(|batch| batch.end.0), Some(9));
    }
}

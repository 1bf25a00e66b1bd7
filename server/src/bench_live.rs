//! The access-log benchmark's page figures: whole `/access-log` pages through the portal's
//! router over HTTP, with a signed-in patient's session, one request at a time on a
//! kept-alive connection — what a patient waits for — for the patient with the longest
//! history and for typical patients; first with nothing else running, then while
//! ingestion runs beside them at a set rate.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::access_log::server::ingest::{ingest_with_reads, IngestContext, NewAccess};
use app::accounts::server::query::by_mrn;
use app::identity::server::roles::grant;
use app::identity::server::session::{create, SESSION_COOKIE};
use app::identity::types::Role;
use app::ssr::sources::Source;
use app::state::AppState;
use time::OffsetDateTime;

use crate::bench_pages::{millis, one_at_a_time, Figures, Target};

/// Signs `mrn`'s patient in; the session cookie. The session starts now by the portal's
/// clock, not when the benchmark began: a 10 M run outlasts a session's lifetime.
async fn cookie(state: &AppState, mrn: &str) -> Result<String, String> {
    let account = by_mrn(&state.db, mrn)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no portal account for the benchmark patient {mrn}"))?;
    // Invited: a directory patient becomes a portal patient when invited.
    grant(&state.db, account.id, Role::Patient)
        .await
        .map_err(|e| e.to_string())?;
    let token = create(
        &state.db,
        &account,
        &state.identity.sessions,
        state.clock.now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(format!("{SESSION_COOKIE}={token}"))
}

/// Unmeasured requests before each measurement: they open the connection and fill what
/// every page shares (the router, the department names).
const WARM_UP: usize = 20;

/// Signed-in requests for the patient with the longest history and for typical patients,
/// one typical patient per request: a patient opens their log now and then, so a typical
/// page is one whose rows no cache has seen yet.
pub(crate) struct Pages {
    addr: std::net::SocketAddr,
    longest: [Target; 1],
    typical: Vec<Target>,
}

impl Pages {
    /// Signs in `longest` and each of `typical`.
    pub(crate) async fn sign_in(
        state: &AppState,
        addr: std::net::SocketAddr,
        longest: &str,
        typical: &[String],
    ) -> Result<Pages, String> {
        let host = addr.to_string();
        let page = |name, cookie: &str| Target::new(name, &host, "/access-log", Some(cookie));
        let longest = [page(
            "/access-log, longest history",
            &cookie(state, longest).await?,
        )];
        let mut pages = Vec::with_capacity(typical.len());
        for mrn in typical {
            pages.push(page(
                "/access-log, typical patient",
                &cookie(state, mrn).await?,
            ));
        }
        Ok(Pages {
            addr,
            longest,
            typical: pages,
        })
    }

    /// How many typical patients a measurement of `samples` pages asks for.
    pub(crate) fn typical_needed(samples: usize) -> usize {
        WARM_UP + samples
    }

    /// Measures both kinds of page, `samples` each, after a few unmeasured ones; typical
    /// patients are taken in turn (each once when there are enough of them).
    pub(crate) async fn measure(&self, samples: usize) -> Result<PageFigures, String> {
        let (warm, measured) = self
            .typical
            .split_at(WARM_UP.min(self.typical.len().saturating_sub(1)));
        one_at_a_time(self.addr, &self.longest, WARM_UP).await?;
        one_at_a_time(self.addr, warm, WARM_UP).await?;
        Ok(PageFigures {
            longest: one_at_a_time(self.addr, &self.longest, samples).await?,
            typical: one_at_a_time(self.addr, measured, samples).await?,
        })
    }
}

/// p50 and p99 of the longest history's page and of typical patients' pages.
pub(crate) struct PageFigures {
    pub(crate) longest: Figures,
    pub(crate) typical: Figures,
}

/// One line of figures.
#[must_use]
pub(crate) fn line(figures: &PageFigures) -> String {
    format!(
        "longest history p50 {}, p99 {}; typical patient p50 {}, p99 {}",
        millis(figures.longest.p50),
        millis(figures.longest.p99),
        millis(figures.typical.p50),
        millis(figures.typical.p99)
    )
}

/// Ingestion running in the background at `rate` events per second in all (or as fast as
/// it can, when that is slower), a number of batches in flight at once, until stopped.
pub(crate) struct Background<G> {
    stop: Arc<AtomicBool>,
    streams: Vec<tokio::task::JoinHandle<Result<(), String>>>,
    events: Arc<Mutex<G>>,
    done: Arc<AtomicU64>,
    started: Instant,
}

/// What makes the background's events.
pub(crate) trait Events: Send + 'static {
    fn batch(&mut self, size: usize) -> Vec<NewAccess>;
}

impl<G: Events> Background<G> {
    /// Starts ingesting batches of `batch` events from `events`, `streams` at once.
    pub(crate) fn start(
        state: &AppState,
        (source, context): (&Source, &IngestContext),
        events: G,
        (batch, rate, streams): (usize, f64, usize),
        now: OffsetDateTime,
    ) -> Background<G> {
        let stop = Arc::new(AtomicBool::new(false));
        let events = Arc::new(Mutex::new(events));
        let done = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let streams = (0..streams.max(1))
            .map(|_| {
                let (state, source, context) = (state.clone(), source.clone(), context.clone());
                let (stopping, events, done) = (stop.clone(), events.clone(), done.clone());
                // Where a hospital's feed would run (see `feed_lane`).
                crate::feed_lane::handle().spawn(async move {
                    while !stopping.load(Ordering::Relaxed) {
                        let accesses = events.lock().map_err(|e| e.to_string())?.batch(batch);
                        ingest_with_reads(
                            &state.reads,
                            &state.db,
                            &source,
                            &accesses,
                            &context,
                            now,
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                        let total = done.fetch_add(accesses.len() as u64, Ordering::Relaxed)
                            + accesses.len() as u64;
                        // Keep to the rate: wait until the events so far were due.
                        #[allow(clippy::cast_precision_loss)] // Event counts well below 2^52.
                        let due = Duration::from_secs_f64(total as f64 / rate);
                        if let Some(wait) = due.checked_sub(started.elapsed()) {
                            tokio::time::sleep(wait).await;
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        Background {
            stop,
            streams,
            events,
            done,
            started,
        }
    }

    /// Stops it; the event maker back, how many events it ingested and in how long.
    pub(crate) async fn stop(self) -> Result<(G, u64, Duration), String> {
        self.stop.store(true, Ordering::Relaxed);
        for stream in self.streams {
            stream
                .await
                .map_err(|e| format!("background ingestion stopped: {e}"))??;
        }
        let took = self.started.elapsed();
        let events = Arc::try_unwrap(self.events)
            .map_err(|_| "background ingestion still holds its events".to_owned())?
            .into_inner()
            .map_err(|e| e.to_string())?;
        Ok((events, self.done.load(Ordering::Relaxed), took))
    }
}

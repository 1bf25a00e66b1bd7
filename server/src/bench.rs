//! `portal bench`: how fast the access log takes events in, and how fast a patient's first
//! page comes back, as the log grows (by default to 1 M and 10 M events), on the configured
//! database (SQLite or PostgreSQL), beside the raw insert rate of the same rows without the
//! portal. It prints figures and judges nothing: goals are read against its output.
//!
//! Up to each size, the last `ingest_window` events go through the portal's ingestion
//! (rules, hash chain, review queue; one committed transaction per batch) and are timed;
//! the events before them are inserted raw (rows as the portal would store them, no rules,
//! no chain), which is the comparison figure and keeps a 10 M run within an hour. Out of
//! the raw part come the rows of a back-fill (a source sending late events from anywhere in
//! the past year, so each batch spans months): first raw, then the same rows (under other
//! identifiers) through ingestion, timed against each other.
//!
//! At each size it prints the list query's time alone, then whole `/access-log` pages
//! over HTTP through the portal's router with a signed-in patient (`bench_live`; each
//! typical patient's page asked for once, as a patient opens their log now and then), first
//! idle and then while ingestion runs beside them at the PostgreSQL goal rate (or as fast
//! as it goes, when that is slower).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::access_log::server::ingest::{
    heads_after_plain, ingest_with_reads, store_plain, IngestContext, NewAccess, PLAIN_CHUNK,
};
use app::access_log::server::query::{self, parse_filter};
use app::access_log::server::summary;
use app::access_log::server::timing::STEPS;
use app::access_log::types::{AccessFilter, Action, AgentKind, Category, Purpose};
use app::directory::server::service::{
    sync_care, sync_department, sync_patient, sync_staff, sync_staff_role, CareRelationship,
    DirectoryDepartment, DirectoryPatient, DirectoryStaff,
};
use app::directory::types::{CareKind, WorkingHours};
use app::i18n::Locale;
use app::ssr::sources::{keyless_source, Source};
use app::state::AppState;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use time::OffsetDateTime;

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Log sizes at which ingestion and page latency are measured, ascending.
    pub sizes: Vec<u64>,
    /// Events per ingestion call (one transaction each).
    pub batch: usize,
    /// Ingestion calls in flight at once.
    pub streams: usize,
    /// Events ingested through the portal (and timed) just before each size.
    pub ingest_window: u64,
    /// First-page queries per kind of patient at each size.
    pub samples: usize,
    /// The synthetic hospital whose routine work and injected snooping measure the
    /// explanations and rules (none: not measured).
    pub hospital: Option<crate::bench_hospital::HospitalOptions>,
}

/// Patients in the generated hospital, and how many of them use the portal.
const PATIENTS: u32 = 50_000;
const PATIENT_ACCOUNTS: u32 = 5_000;
const STAFF: u32 = 2_000;
const DEPARTMENTS: u32 = 20;
/// One patient with a very long history receives this share of all events (in 1/1000).
const HEAVY_SHARE: u32 = 10;
const HEAVY_MRN: &str = "B-HEAVY";

fn mrn(index: u32) -> String {
    format!("B{index:07}")
}

fn staff_number(index: u32) -> String {
    format!("BS{index:05}")
}

fn department_code(index: u32) -> String {
    format!("D{index:02}")
}

/// Makes events the way a busy hospital sends them: most accesses by staff of the
/// patient's own department (so most are ordinary), a few sensitive categories, one
/// patient with a very long history. Time advances evenly across one year; a back-fill's
/// events fall anywhere in it.
struct Generator {
    rng: StdRng,
    next: u64,
    start: OffsetDateTime,
    /// How far apart events are; none for a back-fill, whose times are drawn at random.
    step: Option<time::Duration>,
    /// What the source's event identifiers start with.
    prefix: &'static str,
}

/// The year the generated events fall in.
const YEAR: time::Duration = time::Duration::days(365);

impl Generator {
    fn new(total: u64, now: OffsetDateTime) -> Generator {
        let step_ns = YEAR.whole_nanoseconds() / i128::from(total.max(1));
        Generator {
            rng: StdRng::seed_from_u64(20_261_122),
            next: 0,
            start: now - YEAR,
            step: Some(time::Duration::nanoseconds(
                i64::try_from(step_ns).unwrap_or(1_000_000),
            )),
            prefix: "bench",
        }
    }

    /// Events a source sends late, from anywhere in the past year (identifiers
    /// `{prefix}-N`, apart from the live stream's).
    fn back_fill(now: OffsetDateTime, prefix: &'static str) -> Generator {
        Generator {
            rng: StdRng::seed_from_u64(20_261_206),
            next: 0,
            start: now - YEAR,
            step: None,
            prefix,
        }
    }

    fn access(&mut self) -> NewAccess {
        let index = self.next;
        self.next += 1;
        let patient = self.rng.gen_range(0..PATIENTS);
        let patient_mrn = if self.rng.gen_range(0..1000) < HEAVY_SHARE {
            HEAVY_MRN.to_owned()
        } else {
            mrn(patient)
        };
        let home = patient % DEPARTMENTS;
        let department = if self.rng.gen_range(0..100) < 95 {
            home
        } else {
            self.rng.gen_range(0..DEPARTMENTS)
        };
        // Staff are spread over departments by their number.
        let staff = self.rng.gen_range(0..STAFF / DEPARTMENTS) * DEPARTMENTS + department;
        let category = match self.rng.gen_range(0..100) {
            0 => Category::MentalHealth,
            1 => Category::Genetic,
            2..=30 => Category::ClinicalNotes,
            31..=55 => Category::Lab,
            56..=70 => Category::Imaging,
            71..=85 => Category::Prescriptions,
            86..=92 => Category::Demographics,
            _ => Category::Billing,
        };
        let at = match self.step {
            Some(step) => self.start + step * i32::try_from(index % (1 << 30)).unwrap_or(0),
            None => {
                self.start + time::Duration::seconds(self.rng.gen_range(0..YEAR.whole_seconds()))
            }
        };
        NewAccess {
            source_event_id: format!("{}-{index}", self.prefix),
            patient_mrn,
            occurred_at: at,
            category,
            action: if self.rng.gen_range(0..10) < 8 {
                Action::View
            } else {
                Action::Update
            },
            purpose: Purpose::Treatment,
            purpose_code: None,
            agent_kind: AgentKind::Staff,
            agent_ref: Some(staff_number(staff)),
            agent_name: format!("Staff {staff}"),
            agent_role: Some("physician".into()),
            department_code: Some(department_code(department)),
            system: Some("HIS".into()),
            site: None,
            workstation: Some(format!("WS-{}", staff % 97)),
            detail: None,
        }
    }

    fn batch(&mut self, size: usize) -> Vec<NewAccess> {
        (0..size).map(|_| self.access()).collect()
    }
}

/// Events of the back-fill measured at each size (raw, then as many through ingestion).
const BACK_FILL: u64 = 50_000;
/// The end of a raw fill timed apart (at most half of it).
const RAW_END: u64 = 100_000;

/// The rate of a raw fill (rows/s): over all of it, and over its end alone.
#[derive(Clone, Copy)]
struct RawRate {
    whole: f64,
    end: f64,
}
/// The rate of the ingestion that runs beside the page measurements: the PostgreSQL goal.
const BACKGROUND_RATE: f64 = 20_000.0;

/// `count` patients with portal accounts, spread over all of them; when there are fewer,
/// all of them.
fn typical_patients(count: usize) -> Vec<String> {
    let accounts = usize::try_from(PATIENT_ACCOUNTS).unwrap_or(usize::MAX);
    let count = count.min(accounts);
    (0..count)
        .map(|i| mrn(u32::try_from(i * accounts / count).unwrap_or(0)))
        .collect()
}

impl crate::bench_live::Events for Generator {
    fn batch(&mut self, size: usize) -> Vec<NewAccess> {
        Generator::batch(self, size)
    }
}

/// Runs the benchmark on `state`'s database (which must hold no access events yet), with
/// the portal answering on `addr`, printing as it goes.
pub async fn run(
    state: &AppState,
    options: &BenchOptions,
    addr: std::net::SocketAddr,
    now: OffsetDateTime,
    say: &dyn Fn(&str),
) -> Result<(), String> {
    let db = &state.db;
    let context = &state.access.ingest;
    let existing = query::total_events(db).await.map_err(|e| e.to_string())?;
    if existing > 0 {
        return Err(format!(
            "the database already holds {existing} access events; run the benchmark on a new \
             database (an empty PORTAL_DATA_DIR, or a new DATABASE_URL)"
        ));
    }
    let backend = format!("{:?}", db.get_database_backend());
    say(&format!(
        "backend {backend}; {} events per ingestion transaction, {} in flight at once; sizes \
         {:?}",
        options.batch, options.streams, options.sizes
    ));
    if let Some(settings) = postgres_settings(db).await.map_err(|e| e.to_string())? {
        say(&settings);
    }
    let started = Instant::now();
    setup(db, now).await.map_err(|e| e.to_string())?;
    let statistics = refresh_statistics(db).await.map_err(|e| e.to_string())?;
    if statistics {
        say(
            "PostgreSQL: table statistics are refreshed (ANALYZE) after each bulk step and every \
             100 000 ingested events, as autovacuum would; that time is not counted",
        );
    }
    say(&format!(
        "directory: {DEPARTMENTS} departments, {STAFF} staff, {PATIENTS} patients \
         ({PATIENT_ACCOUNTS} with portal accounts), one encounter each ({:.1} s)",
        started.elapsed().as_secs_f64()
    ));
    let source = keyless_source(db, "bench", now)
        .await
        .map_err(|e| e.to_string())?;
    // No emails from a benchmark.
    let quiet = IngestContext {
        mail: None,
        batch_times: Some(Arc::default()),
        ..context.clone()
    };
    let total = options.sizes.iter().copied().max().unwrap_or(0);
    let mut streams = Streams {
        live: Generator::new(total, now),
        // The same rows twice (but for their identifiers): raw, then through ingestion.
        late_raw: Generator::back_fill(now, "back-fill-raw"),
        late: Generator::back_fill(now, "back-fill"),
    };
    let mut stored: u64 = 0;
    let run = Run {
        state,
        source,
        quiet,
        options,
        addr,
        now,
        say,
    };
    for &size in &options.sizes {
        run.grow(&mut streams, stored, size).await?;
        stored = size;
        latency(
            &state.reads,
            options.samples,
            size,
            &state.settings.time_zone,
            say,
        )
        .await?;
        let (returned, ingested) = run.pages(streams.live, size).await?;
        streams.live = returned;
        stored += ingested;
    }
    if let Some(hospital) = options.hospital {
        let detection = crate::bench_hospital::run(&state.db, context, hospital, now, say).await?;
        for line in detection.lines() {
            say(&line);
        }
    }
    say(&format!("total {:.1} s", started.elapsed().as_secs_f64()));
    Ok(())
}

/// What each step of a run needs.
struct Run<'a> {
    state: &'a AppState,
    source: Source,
    /// Ingestion's settings without emails.
    quiet: IngestContext,
    options: &'a BenchOptions,
    addr: std::net::SocketAddr,
    now: OffsetDateTime,
    say: &'a dyn Fn(&str),
}

/// The generated events: the live stream, and a back-fill's twice (raw, then ingested).
struct Streams {
    live: Generator,
    late_raw: Generator,
    late: Generator,
}

impl Run<'_> {
    /// Stores events from `stored` up to `size`: the last `ingest_window` through the
    /// portal's ingestion, the rest raw, and out of the raw part a back-fill, raw and then
    /// the same rows through ingestion.
    async fn grow(&self, streams: &mut Streams, mut stored: u64, size: u64) -> Result<(), String> {
        let window = self.options.ingest_window.min(size - stored.min(size));
        let raw_until = size - window;
        let back_fill = if raw_until >= stored + 4 * BACK_FILL {
            BACK_FILL
        } else {
            0
        };
        let mut raw_rate = None;
        if raw_until > stored {
            let plain_until = raw_until - 2 * back_fill;
            raw_rate = Some(self.raw(&mut streams.live, stored, plain_until).await?);
            stored = plain_until;
            let late_raw_rate = if back_fill > 0 {
                stored += back_fill;
                Some(self.raw_back_fill(&mut streams.late_raw, back_fill).await?)
            } else {
                None
            };
            self.recount().await?;
            if let Some(late_raw_rate) = late_raw_rate {
                self.ingest_back_fill(&mut streams.late, back_fill, late_raw_rate)
                    .await?;
                stored += back_fill;
            }
        }
        if stored < size {
            self.ingest(&mut streams.live, stored, size, raw_rate)
                .await?;
        }
        Ok(())
    }

    /// `rows` events of `generator` stored as plain rows (what the portal would store,
    /// without its rules and per-patient links, continuing the chain), a batch at a time;
    /// the time spent storing.
    async fn raw_timed(&self, generator: &mut Generator, rows: u64) -> Result<Duration, String> {
        let batch = self.options.batch;
        let mut spent = Duration::ZERO;
        let mut left = rows;
        while left > 0 {
            let count = usize::try_from(left.min(batch as u64)).unwrap_or(batch);
            let accesses = generator.batch(count);
            let begun = Instant::now();
            store_plain(&self.state.db, &self.source, &accesses, self.now)
                .await
                .map_err(|e| e.to_string())?;
            spent += begun.elapsed();
            left -= count as u64;
        }
        Ok(spent)
    }

    /// Raw rows from `from` to `until`: their rate over the whole fill, and over its last
    /// rows alone, at about the log's size where ingestion is measured next (the whole
    /// fill began on an empty table: at 1 M events on SQLite here, 22 946 rows/s over the
    /// fill, 19 403 over its last 100 000 rows).
    async fn raw(
        &self,
        generator: &mut Generator,
        from: u64,
        until: u64,
    ) -> Result<RawRate, String> {
        let rows = until - from;
        let last_rows = RAW_END.min(rows / 2);
        let batch = self.options.batch;
        let before_end = self.raw_timed(generator, rows - last_rows).await?;
        let at_end = self.raw_timed(generator, last_rows).await?;
        let elapsed = before_end + at_end;
        let rates = RawRate {
            whole: rate(rows, elapsed),
            end: rate(last_rows, at_end),
        };
        (self.say)(&format!(
            "raw insert {from} → {until}: {rows} rows in {:.1} s = {:.0} rows/s, the last \
             {last_rows} of them {:.0} rows/s (same rows, plain multi-row INSERTs of up to \
             {PLAIN_CHUNK} — UNNEST arrays on PostgreSQL — committed per {batch} rows)",
            elapsed.as_secs_f64(),
            rates.whole,
            rates.end,
        ));
        Ok(rates)
    }

    /// `rows` raw rows of a back-fill (times anywhere in the past year); their rate.
    async fn raw_back_fill(&self, generator: &mut Generator, rows: u64) -> Result<f64, String> {
        let batch = self.options.batch;
        let elapsed = self.raw_timed(generator, rows).await?;
        (self.say)(&format!(
            "raw insert of a back-fill: {rows} rows from anywhere in the past year in {:.1} s = \
             {:.0} rows/s (committed per {batch} rows)",
            elapsed.as_secs_f64(),
            rate(rows, elapsed),
        ));
        Ok(rate(rows, elapsed))
    }

    /// The summaries counted again after raw rows (which do not add to them).
    async fn recount(&self) -> Result<(), String> {
        let db = &self.state.db;
        let counting = Instant::now();
        heads_after_plain(db).await.map_err(|e| e.to_string())?;
        summary::recount(db, &self.quiet.time_zone)
            .await
            .map_err(|e| e.to_string())?;
        refresh_statistics(db).await.map_err(|e| e.to_string())?;
        (self.say)(&format!(
            "  patients' chain heads set and their summaries counted again over all rows: \
             {:.1} s (in neither rate)",
            counting.elapsed().as_secs_f64()
        ));
        Ok(())
    }

    /// `count` events of `generator` through the portal's ingestion, `streams` batches in
    /// flight at once (as several feeds send them); the time spent in it. The events are
    /// made, and the table statistics refreshed, between rounds of `STATISTICS_EVERY`,
    /// outside the time.
    async fn ingest_timed(
        &self,
        generator: &mut Generator,
        count: u64,
    ) -> Result<Duration, String> {
        let batch = self.options.batch as u64;
        let mut spent = Duration::ZERO;
        let mut done: u64 = 0;
        // Times from here on only: not those of the ingestion beside the pages.
        self.batch_times();
        while done < count {
            let round = (count - done).min(STATISTICS_EVERY);
            let mut batches = VecDeque::new();
            let mut left = round;
            while left > 0 {
                let size = left.min(batch);
                batches.push_back(generator.batch(usize::try_from(size).unwrap_or(1)));
                left -= size;
            }
            let queue = Arc::new(Mutex::new(batches));
            let begun = Instant::now();
            let mut streams = tokio::task::JoinSet::new();
            let feeds = crate::feed_lane::handle();
            for _ in 0..self.options.streams {
                let (queue, state) = (queue.clone(), self.state.clone());
                let (source, context, now) = (self.source.clone(), self.quiet.clone(), self.now);
                streams.spawn_on(
                    async move {
                        loop {
                            let next = queue.lock().map_err(|e| e.to_string())?.pop_front();
                            let Some(events) = next else {
                                return Ok::<(), String>(());
                            };
                            ingest_with_reads(
                                &state.reads,
                                &state.db,
                                &source,
                                &events,
                                &context,
                                now,
                            )
                            .await
                            .map_err(|e| e.to_string())?;
                        }
                    },
                    &feeds,
                );
            }
            while let Some(finished) = streams.join_next().await {
                finished.map_err(|e| e.to_string())??;
            }
            spent += begun.elapsed();
            done += round;
            refresh_statistics(&self.state.db)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(spent)
    }

    /// Where the batches on the locked path spent their time since this was last asked:
    /// the mean of each step, for a line of its own.
    fn batch_times(&self) -> String {
        let Some(times) = &self.quiet.batch_times else {
            return String::new();
        };
        let (batches, mean) = times.take();
        if batches == 0 {
            return String::new();
        }
        let steps: Vec<String> = STEPS
            .iter()
            .zip(mean)
            .map(|(step, mean)| format!("{step} {:.2}", mean.as_secs_f64() * 1000.0))
            .collect();
        format!(
            "\n  per batch on the locked path, mean ms ({batches} batches): {}",
            steps.join(", ")
        )
    }

    /// On PostgreSQL, how many batches left the pipeline for the locked path since the
    /// count was `before` (none is expected: the benchmark is one process).
    fn locked_after(&self, before: u64) -> String {
        if self.state.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            let after = self.quiet.pipeline.fallbacks();
            format!(
                ", pipelined; {} batches through the locked path",
                after - before
            )
        } else {
            String::new()
        }
    }

    /// A back-fill of `count` events (times anywhere in the past year, so each batch spans
    /// months) through the portal's ingestion, beside `raw_rate` for the same rows.
    async fn ingest_back_fill(
        &self,
        generator: &mut Generator,
        count: u64,
        raw_rate: f64,
    ) -> Result<(), String> {
        let fell_back = self.quiet.pipeline.fallbacks();
        let spent = self.ingest_timed(generator, count).await?;
        (self.say)(&format!(
            "portal ingestion of the same back-fill: {count} events in {:.1} s = {:.0} events/s \
             ({:.0} % of its raw rate; {} batches in flight{}){}",
            spent.as_secs_f64(),
            rate(count, spent),
            100.0 * rate(count, spent) / raw_rate.max(1e-9),
            self.options.streams,
            self.locked_after(fell_back),
            self.batch_times()
        ));
        Ok(())
    }

    /// Events from `from` to `until` through the portal's ingestion, timed, beside
    /// `raw_rate` (when rows were inserted raw at this size).
    async fn ingest(
        &self,
        generator: &mut Generator,
        from: u64,
        until: u64,
        raw_rate: Option<RawRate>,
    ) -> Result<(), String> {
        let db = &self.state.db;
        let fell_back = self.quiet.pipeline.fallbacks();
        let spent = self.ingest_timed(generator, until - from).await?;
        let share = raw_rate.map_or_else(String::new, |raw| {
            let ingested = rate(until - from, spent);
            format!(
                ", {:.0} % of the raw rate of the whole fill, {:.0} % of that of its last rows",
                100.0 * ingested / raw.whole.max(1e-9),
                100.0 * ingested / raw.end.max(1e-9)
            )
        });
        (self.say)(&format!(
            "portal ingestion {from} → {until}: {} events in {:.1} s = {:.0} events/s (rules, \
             hash chain, review queue, summaries; committed per batch, {} batches in flight{}{share}){}",
            until - from,
            spent.as_secs_f64(),
            rate(until - from, spent),
            self.options.streams,
            self.locked_after(fell_back),
            self.batch_times()
        ));
        let (staff, explained, flagged) = shares(db, from).await.map_err(|e| e.to_string())?;
        // Counts far below 2^52: exact as floating point.
        #[allow(clippy::cast_precision_loss)]
        let percent = |part: i64| 100.0 * part as f64 / staff.max(1) as f64;
        (self.say)(&format!(
            "explanations of the {staff} staff accesses ingested: {:.1} % explained, {:.1} % \
             unexplained, {:.1} % flagged by a rule (this stream leaves about 5 % unexplained by \
             design: accesses from a department other than the patient's care, and to the \
             patient with the longest history, who has none; the goals are read on the \
             synthetic hospital's routine work)",
            percent(explained),
            percent(staff - explained),
            percent(flagged)
        ));
        Ok(())
    }

    /// Whole pages idle, then while ingestion runs beside them; the generator back and how
    /// many events that ingestion added.
    async fn pages(&self, generator: Generator, size: u64) -> Result<(Generator, u64), String> {
        use crate::bench_live::{line, Background, Pages};
        let (state, samples, now) = (self.state, self.options.samples, self.now);
        let needed = Pages::typical_needed(samples);
        let typical = typical_patients(2 * needed);
        let (idle_patients, busy_patients) = typical.split_at(needed.min(typical.len() / 2));
        let idle_pages = Pages::sign_in(state, self.addr, HEAVY_MRN, idle_patients).await?;
        let busy_pages = Pages::sign_in(state, self.addr, HEAVY_MRN, busy_patients).await?;
        let idle = idle_pages.measure(samples).await?;
        let each = if typical.len() < 2 * needed {
            format!(
                "typical patients taken in turn, {} in each phase",
                idle_patients.len()
            )
        } else {
            "each typical page a patient not asked for before".to_owned()
        };
        (self.say)(&format!(
            "whole /access-log pages over HTTP at {size} events, idle: {} ({samples} each; \
             {each})",
            line(&idle)
        ));
        let background = Background::start(
            state,
            (&self.source, &self.quiet),
            generator,
            (self.options.batch, BACKGROUND_RATE, self.options.streams),
            now,
        );
        let busy = busy_pages.measure(samples).await;
        let (generator, ingested, took) = background.stop().await?;
        (self.say)(&format!(
            "whole /access-log pages over HTTP while ingesting ({ingested} events at {:.0} \
             events/s beside them, aimed at {BACKGROUND_RATE:.0}, {} batches in flight): {}",
            rate(ingested, took),
            self.options.streams,
            line(&busy?)
        ));
        Ok((generator, ingested))
    }
}

/// How often (in ingested events) PostgreSQL's statistics are refreshed.
pub(crate) const STATISTICS_EVERY: u64 = 100_000;

/// Staff accesses after event `after`: how many, how many explained, how many flagged.
async fn shares(db: &DatabaseConnection, after: u64) -> Result<(i64, i64, i64), DbErr> {
    let statement = sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            "SELECT COUNT(*) AS staff, COUNT(explained_by) AS explained, \
             COALESCE(SUM(CASE WHEN unusual THEN 1 ELSE 0 END), 0) AS flagged \
             FROM access_event WHERE id > $1 AND agent_kind = 'staff'"
        } else {
            "SELECT COUNT(*) AS staff, COUNT(explained_by) AS explained, \
             COALESCE(SUM(CASE WHEN unusual THEN 1 ELSE 0 END), 0) AS flagged \
             FROM access_event WHERE id > ? AND agent_kind = 'staff'"
        },
        [i64::try_from(after).unwrap_or(i64::MAX).into()],
    );
    let row = db
        .query_one(statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("counts".into()))?;
    Ok((
        row.try_get("", "staff")?,
        row.try_get("", "explained")?,
        row.try_get("", "flagged")?,
    ))
}

/// On PostgreSQL, the server's settings the figures depend on most (its memory for pages,
/// how much write-ahead log it lets grow between checkpoints), to read them by.
async fn postgres_settings(db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    let backend = db.get_database_backend();
    if backend != sea_orm::DatabaseBackend::Postgres {
        return Ok(None);
    }
    let names = [
        "server_version",
        "shared_buffers",
        "max_wal_size",
        "synchronous_commit",
    ];
    let mut settings = Vec::new();
    for name in names {
        let statement = sea_orm::Statement::from_sql_and_values(
            backend,
            "SELECT current_setting($1) AS value",
            [name.into()],
        );
        if let Some(row) = db.query_one(statement).await? {
            let value: String = row.try_get("", "value")?;
            settings.push(format!("{name} {value}"));
        }
    }
    // TLS to a server on the same host costs both ends (about 14 % of ingestion's rate
    // here, 1 M events); `sslmode=disable` in the URL, or a Unix socket, avoids it.
    let tls = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    let statement = sea_orm::Statement::from_string(backend, tls);
    if let Some(row) = db.query_one(statement).await? {
        let on: bool = row.try_get("", "ssl")?;
        settings.push(format!("connection TLS {}", if on { "on" } else { "off" }));
    }
    Ok(Some(format!("PostgreSQL server: {}", settings.join(", "))))
}

/// On PostgreSQL, refreshes the planner's statistics, as autovacuum does on a server that
/// runs it (it is off on some, e.g. this project's test machines; without statistics the
/// planner keeps the plans it chose for an empty table). Returns whether it did.
pub(crate) async fn refresh_statistics(db: &DatabaseConnection) -> Result<bool, DbErr> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(false);
    }
    db.execute_unprepared("ANALYZE").await?;
    Ok(true)
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)] // Event counts well below 2^52.
    let count = count as f64;
    count / elapsed.as_secs_f64().max(1e-9)
}

/// The generated hospital's directory, written once.
async fn setup(db: &DatabaseConnection, now: OffsetDateTime) -> Result<(), DbErr> {
    let source = keyless_source(db, "bench-directory", now).await?;
    let txn = db.begin().await?;
    let map = |e: app::directory::server::service::DirectoryError| DbErr::Custom(e.to_string());
    for index in 0..DEPARTMENTS {
        let department = DirectoryDepartment {
            code: department_code(index),
            name_zh_hans: format!("科室{index}"),
            name_en: format!("Department {index}"),
            hours: Some(WorkingHours::always()),
        };
        sync_department(&txn, &department, now).await.map_err(map)?;
    }
    for index in 0..STAFF {
        let staff = DirectoryStaff {
            staff_number: staff_number(index),
            name: format!("Staff {index}"),
            family_name: Some(format!("F{}", index % 300)),
            email: None,
            address: None,
            active: true,
            own_mrn: None,
        };
        sync_staff(&txn, &staff, Locale::ZhHans, now)
            .await
            .map_err(map)?;
        let department = department_code(index % DEPARTMENTS);
        sync_staff_role(
            &txn,
            &staff.staff_number,
            Some(&department),
            Some("physician"),
            now,
        )
        .await
        .map_err(map)?;
    }
    let heavy = DirectoryPatient {
        mrn: HEAVY_MRN.to_owned(),
        name: "Patient H".to_owned(),
        family_name: Some("PH".to_owned()),
        email: None,
        address: None,
        vip: false,
    };
    sync_patient(&txn, &heavy, "bench", Locale::ZhHans, now)
        .await
        .map_err(map)?;
    for index in 0..PATIENTS {
        if index < PATIENT_ACCOUNTS {
            let patient = DirectoryPatient {
                mrn: mrn(index),
                name: format!("Patient {index}"),
                family_name: Some(format!("P{}", index % 500)),
                email: None,
                address: None,
                vip: false,
            };
            sync_patient(&txn, &patient, "bench", Locale::ZhHans, now)
                .await
                .map_err(map)?;
        }
        let care = CareRelationship {
            key: format!("bench-care-{index}"),
            kind: CareKind::Admission,
            patient_mrn: mrn(index),
            department_code: department_code(index % DEPARTMENTS),
            members: Vec::new(),
            starts_at: now - time::Duration::days(400),
            ends_at: None,
            status: "in-progress".into(),
        };
        sync_care(&txn, source.id, &care).await.map_err(map)?;
    }
    txn.commit().await?;
    Ok(())
}

/// First-page latency for typical patients, the patient with the longest history, and
/// that patient's unusual accesses only.
async fn latency(
    db: &DatabaseConnection,
    samples: usize,
    size: u64,
    zone: &str,
    say: &dyn Fn(&str),
) -> Result<(), String> {
    let all = parse_filter(&AccessFilter::default(), zone).map_err(|e| e.0.to_owned())?;
    let unusual = parse_filter(
        &AccessFilter {
            unusual_only: true,
            ..AccessFilter::default()
        },
        zone,
    )
    .map_err(|e| e.0.to_owned())?;
    let time_zone = jiff::tz::TimeZone::get(zone).map_err(|e| e.to_string())?;
    let heavy_events = query::log_size(db, HEAVY_MRN)
        .await
        .map_err(|e| e.to_string())?;
    let mut rng = StdRng::seed_from_u64(size);
    for (label, filter, heavy) in [
        ("typical patient", &all, false),
        ("longest history", &all, true),
        ("longest history, unusual only", &unusual, true),
    ] {
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let patient = if heavy {
                HEAVY_MRN.to_owned()
            } else {
                mrn(rng.gen_range(0..PATIENTS))
            };
            let begun = Instant::now();
            // The page's own queries: the departments it names, the entries, the counts.
            let departments = query::departments(db).await.map_err(|e| e.to_string())?;
            let page = query::page_rows(db, &patient, filter, None)
                .await
                .map_err(|e| e.to_string())?
                .view(&departments, zone);
            let counts = summary::counts(db, &patient, filter, &time_zone)
                .await
                .map_err(|e| e.to_string())?
                .view(&departments);
            std::hint::black_box((page, counts));
            times.push(begun.elapsed());
        }
        times.sort();
        let at = |share: f64| {
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let index = ((times.len() as f64 - 1.0) * share).round() as usize;
            times.get(index).copied().unwrap_or_default().as_secs_f64() * 1000.0
        };
        let typical = if heavy {
            format!(" ({heavy_events} events)")
        } else {
            #[allow(clippy::cast_precision_loss)] // Display only.
            let each = size as f64 / f64::from(PATIENTS);
            format!(" (~{each:.1} events each)")
        };
        say(&format!(
            "queries of a first page (list and counts) at {size} events, {label}{typical}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({samples} samples)",
            at(0.5),
            at(0.99),
            at(1.0)
        ));
    }
    Ok(())
}

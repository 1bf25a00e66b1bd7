//! The per-patient counts behind the log page's totals and charts: events per local month
//! (the whole log) and per local day (a chosen period), department, category and unusual
//! flag. Ingestion adds its batch's counts in the events' own transaction, so the page
//! reads a few thousand counts at most however long the history (twelve months of twenty
//! departments and a dozen categories); `recount` rebuilds them from the events (at start
//! when the time zone changed or the table is new, after the benchmark's raw inserts), and
//! `check` compares them with the events for `portal verify`.
//!
//! Only patients with at least [`SUMMARISED_FROM`] events have counts. A shorter log is
//! counted from its events when the page asks ([`short_log_query`]: on SQLite from the
//! patient's index alone), a few hundred index entries read as fast as the counts, while
//! keeping counts for it would cost ingestion two new count rows for nearly every event (a
//! typical patient has a few dozen events a year, each on a new day). The batch that takes
//! a patient over the threshold counts their earlier events too.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::tz::TimeZone;
use sea_orm::sea_query::{Condition, Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::{event, patient_head, summary, summary_month, summary_state};
use super::query::ParsedFilter;
use crate::access_log::types::{AccessSummaryView, DepartmentView};
use crate::ssr::unnest;

/// The fewest events a patient's log holds for it to have counts (their chain head's
/// `events`).
pub const SUMMARISED_FROM: i64 = 256;

/// The department key of accesses without a department.
const NO_DEPARTMENT: i64 = 0;
/// Counts per upsert statement (6 values each, within SQLite's bound-parameter limit).
const UPSERT_CHUNK: usize = 2_000;
/// Events read per query while counting again.
const READ_PAGE: u64 = 50_000;
/// Counts held in memory before they are written while counting again.
const FLUSH_AT: usize = 200_000;
/// Patients compared per query by `check`.
const CHECK_CHUNK: usize = 500;

/// What counting reads of an event: patient, time, department, category, unusual.
type CountedColumns = (String, OffsetDateTime, Option<i64>, String, bool);

/// Events' [`CountedColumns`].
fn counted_columns() -> sea_orm::Select<event::Entity> {
    event::Entity::find()
        .select_only()
        .column(event::Column::PatientMrn)
        .column(event::Column::OccurredAt)
        .column(event::Column::DepartmentId)
        .column(event::Column::Category)
        .column(event::Column::Unusual)
}

/// One count's key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountKey {
    pub patient_mrn: String,
    /// `YYYY-MM-DD`, local.
    pub day: String,
    pub department_id: i64,
    pub category: String,
    pub unusual: bool,
}

/// Counts gathered in memory, to be added to the table.
pub struct Tally {
    zone: TimeZone,
    counts: HashMap<CountKey, i64>,
}

impl Tally {
    #[must_use]
    pub fn new(zone: &TimeZone) -> Tally {
        Tally {
            zone: zone.clone(),
            counts: HashMap::new(),
        }
    }

    /// Counts one event.
    pub fn count(
        &mut self,
        patient_mrn: &str,
        occurred_at: OffsetDateTime,
        department_id: Option<i64>,
        category: &str,
        unusual: bool,
    ) {
        let day = local_day(&self.zone, occurred_at);
        self.count_on(patient_mrn, day, department_id, category, unusual);
    }

    /// Counts one event of local `day` (`YYYY-MM-DD` in the tally's zone).
    pub fn count_on(
        &mut self,
        patient_mrn: &str,
        day: String,
        department_id: Option<i64>,
        category: &str,
        unusual: bool,
    ) {
        let key = CountKey {
            patient_mrn: patient_mrn.to_owned(),
            day,
            department_id: department_id.unwrap_or(NO_DEPARTMENT),
            category: category.to_owned(),
            unusual,
        };
        *self.counts.entry(key).or_default() += 1;
    }

    /// Adds the counts to the day and month tables (in key order: neighbouring rows, and
    /// the same lock order for every writer) and empties the tally.
    pub async fn add_to<C: ConnectionTrait>(&mut self, conn: &C) -> Result<(), DbErr> {
        let mut days: Vec<(CountKey, i64)> = self.counts.drain().collect();
        days.sort_unstable();
        let mut months: BTreeMap<CountKey, i64> = BTreeMap::new();
        for (key, events) in &days {
            *months.entry(key.month()).or_default() += events;
        }
        for chunk in days.chunks(UPSERT_CHUNK) {
            let rows = chunk.iter().map(|(key, events)| summary::ActiveModel {
                patient_mrn: Set(key.patient_mrn.clone()),
                day: Set(key.day.clone()),
                department_id: Set(key.department_id),
                category: Set(key.category.clone()),
                unusual: Set(key.unusual),
                events: Set(*events),
            });
            add_counts(conn, rows.collect(), "day").await?;
        }
        let months: Vec<(CountKey, i64)> = months.into_iter().collect();
        for chunk in months.chunks(UPSERT_CHUNK) {
            let rows = chunk
                .iter()
                .map(|(key, events)| summary_month::ActiveModel {
                    patient_mrn: Set(key.patient_mrn.clone()),
                    month: Set(key.day.clone()),
                    department_id: Set(key.department_id),
                    category: Set(key.category.clone()),
                    unusual: Set(key.unusual),
                    events: Set(*events),
                });
            add_counts(conn, rows.collect(), "month").await?;
        }
        Ok(())
    }

    /// Adds a batch's counts of the patients who have summaries once the batch is in
    /// (`heads`: each patient's chain head after the batch, as (hash, events)), with the
    /// earlier events of those the batch takes over the threshold, and empties the tally.
    /// Runs under the chain's lock, so what is stored below `first_id` (the batch's first
    /// event; its own events may be written already) is exactly what came before the batch.
    pub async fn add_summarised<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        heads: &HashMap<String, (String, i64)>,
        first_id: i64,
    ) -> Result<(), DbErr> {
        let events_after = |mrn: &str| heads.get(mrn).map_or(0, |head| head.1);
        let mut in_batch: HashMap<&str, i64> = HashMap::new();
        for (key, events) in &self.counts {
            *in_batch.entry(key.patient_mrn.as_str()).or_default() += events;
        }
        let crossing: Vec<String> = in_batch
            .into_iter()
            .filter(|(mrn, added)| {
                let after = events_after(mrn);
                after >= SUMMARISED_FROM && after - added > 0 && after - added < SUMMARISED_FROM
            })
            .map(|(mrn, _)| mrn.to_owned())
            .collect();
        self.counts
            .retain(|key, _| events_after(&key.patient_mrn) >= SUMMARISED_FROM);
        self.count_stored(conn, &crossing, Some(first_id)).await?;
        self.add_to(conn).await
    }

    /// Counts the stored events of the patients `mrns` (those before event `before` only,
    /// when given).
    async fn count_stored<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        mrns: &[String],
        before: Option<i64>,
    ) -> Result<(), DbErr> {
        for chunk in mrns.chunks(CHECK_CHUNK) {
            let rows: Vec<CountedColumns> = counted_columns()
                .filter(event::Column::PatientMrn.is_in(chunk.iter().cloned()))
                .apply_if(before, |query, before| {
                    query.filter(event::Column::Id.lt(before))
                })
                .into_tuple()
                .all(conn)
                .await?;
            for (mrn, at, department, category, unusual) in &rows {
                self.count(mrn, *at, *department, category, *unusual);
            }
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.counts.len()
    }

    /// The day counts and the month counts (keys whose `day` is `YYYY-MM`).
    fn into_sorted(self) -> BTreeMap<CountKey, i64> {
        let mut sorted: BTreeMap<CountKey, i64> = BTreeMap::new();
        for (key, events) in self.counts {
            *sorted.entry(key.month()).or_default() += events;
            sorted.insert(key, events);
        }
        sorted
    }
}

impl CountKey {
    /// The same key for the day's month.
    fn month(&self) -> CountKey {
        CountKey {
            day: self.day.chars().take(7).collect(),
            ..self.clone()
        }
    }
}

/// Adds `rows` (day or month counts, their period column named `period`) to their table:
/// a count already there grows by the new one.
async fn add_counts<C, A>(conn: &C, rows: Vec<A>, period: &str) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    use sea_orm::sea_query::Alias;
    use sea_orm::EntityName;
    if rows.is_empty() {
        return Ok(());
    }
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let grow = format!("\"{table}\".\"events\" + \"excluded\".\"events\"");
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        let upsert = format!(
            "ON CONFLICT (patient_mrn, {period}, department_id, category, unusual) DO UPDATE \
             SET events = {grow}"
        );
        conn.execute(unnest::insert(rows, &upsert)).await?;
        return Ok(());
    }
    let key = [
        "patient_mrn",
        period,
        "department_id",
        "category",
        "unusual",
    ]
    .map(Alias::new);
    <A::Entity as EntityTrait>::insert_many(rows)
        .on_conflict(
            OnConflict::columns(key)
                .value(Alias::new("events"), Expr::cust(grow))
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// `YYYY-MM-DD` of `at` in `zone`.
pub(super) fn local_day(zone: &TimeZone, at: OffsetDateTime) -> String {
    jiff::Timestamp::from_second(at.unix_timestamp())
        .map(|instant| zone.to_datetime(instant).date().to_string())
        .unwrap_or_default()
}

/// How the summaries name `zone`.
fn zone_name(zone: &TimeZone) -> String {
    zone.iana_name()
        .map_or_else(|| format!("{zone:?}"), str::to_owned)
}

/// Counts every event again when the summaries were counted in another time zone, or
/// never (a database from before them). Returns whether it did.
pub async fn ensure<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    zone: &TimeZone,
) -> Result<bool, DbErr> {
    let state = summary_state::Entity::find_by_id(1).one(conn).await?;
    if state.is_some_and(|state| state.time_zone == zone_name(zone)) {
        return Ok(false);
    }
    recount(conn, zone).await?;
    Ok(true)
}

/// The patients whose logs have counts (`among`: only of those).
async fn summarised<C: ConnectionTrait>(
    conn: &C,
    among: Option<&[String]>,
) -> Result<Vec<String>, DbErr> {
    let mut query = patient_head::Entity::find()
        .select_only()
        .column(patient_head::Column::PatientMrn)
        .filter(patient_head::Column::Events.gte(SUMMARISED_FROM));
    if let Some(mrns) = among {
        query = query.filter(patient_head::Column::PatientMrn.is_in(mrns.iter().cloned()));
    }
    query.into_tuple().all(conn).await
}

/// Replaces the summaries with counts of the stored events of the patients who have them,
/// in one transaction.
pub async fn recount<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    zone: &TimeZone,
) -> Result<(), DbErr> {
    let txn = conn.begin().await?;
    summary::Entity::delete_many().exec(&txn).await?;
    summary_month::Entity::delete_many().exec(&txn).await?;
    let long: HashSet<String> = summarised(&txn, None).await?.into_iter().collect();
    let mut tally = Tally::new(zone);
    let mut after = 0_i64;
    loop {
        let rows: Vec<(String, OffsetDateTime, Option<i64>, String, bool, i64)> = counted_columns()
            .column(event::Column::Id)
            .filter(event::Column::Id.gt(after))
            .order_by_asc(event::Column::Id)
            .limit(READ_PAGE)
            .into_tuple()
            .all(&txn)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.5;
        for (mrn, at, department, category, unusual, _) in &rows {
            if long.contains(mrn) {
                tally.count(mrn, *at, *department, category, *unusual);
            }
        }
        if tally.len() >= FLUSH_AT {
            tally.add_to(&txn).await?;
        }
    }
    tally.add_to(&txn).await?;
    summary_state::Entity::delete_many().exec(&txn).await?;
    summary_state::Entity::insert(summary_state::ActiveModel {
        id: Set(1),
        time_zone: Set(zone_name(zone)),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await
}

/// The patient's counts over the filtered log, for the page's totals and charts, before
/// the departments are named ([`Counts::view`]). From the summaries when the patient has
/// them, else from their few events.
pub async fn counts<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    filter: &ParsedFilter,
    zone: &TimeZone,
) -> Result<Counts, DbErr> {
    let head = patient_head::Entity::find_by_id(mrn).one(conn).await?;
    let rows = if head.is_some_and(|head| head.events >= SUMMARISED_FROM) {
        stored_counts(conn, mrn, filter).await?
    } else {
        counted_from_events(conn, mrn, filter, zone).await?
    };
    Ok(Counts(rows))
}

/// A patient's counts as read: (month, department, unusual, events).
pub struct Counts(Vec<(String, i64, bool, i64)>);

impl Counts {
    /// The counts for the page; `departments` as `query::departments` gives them.
    #[must_use]
    pub fn view(&self, departments: &[DepartmentView]) -> AccessSummaryView {
        view(&self.0, departments)
    }
}

/// What a short log's counts read of each of its events under `filter`: on SQLite, only
/// columns of the patient's index (`ix_access_event_patient`), so no table row is read (a
/// typical patient's rows lie on as many table pages as they are events).
pub fn short_log_query(mrn: &str, filter: &ParsedFilter) -> sea_orm::Select<event::Entity> {
    event::Entity::find()
        .select_only()
        .column(event::Column::OccurredAt)
        .column(event::Column::DepartmentId)
        .column(event::Column::Unusual)
        .filter(super::query::conditions(mrn, filter))
}

/// The log's events grouped as the summaries group them: (month, department, unusual,
/// events).
async fn counted_from_events<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    filter: &ParsedFilter,
    zone: &TimeZone,
) -> Result<Vec<(String, i64, bool, i64)>, DbErr> {
    let events: Vec<(OffsetDateTime, Option<i64>, bool)> =
        short_log_query(mrn, filter).into_tuple().all(conn).await?;
    let mut grouped: BTreeMap<(String, i64, bool), i64> = BTreeMap::new();
    for (at, department, unusual) in events {
        let mut month = local_day(zone, at);
        month.truncate(7);
        let department = department.unwrap_or(NO_DEPARTMENT);
        *grouped.entry((month, department, unusual)).or_default() += 1;
    }
    Ok(grouped
        .into_iter()
        .map(|((month, department, unusual), events)| (month, department, unusual, events))
        .collect())
}

/// The patient's stored counts grouped as (month, department, unusual, events).
async fn stored_counts<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    filter: &ParsedFilter,
) -> Result<Vec<(String, i64, bool, i64)>, DbErr> {
    // PostgreSQL sums bigints as numeric.
    const SUM: &str = "CAST(SUM(events) AS BIGINT)";
    let rows: Vec<(String, i64, bool, i64)> =
        if filter.from_day.is_none() && filter.to_day.is_none() {
            use summary_month::Column;
            summary_month::Entity::find()
                .select_only()
                .column(Column::Month)
                .column(Column::DepartmentId)
                .column(Column::Unusual)
                .column_as(Expr::cust(SUM), "events")
                .filter(same_filters(mrn, filter))
                .group_by(Column::Month)
                .group_by(Column::DepartmentId)
                .group_by(Column::Unusual)
                .into_tuple()
                .all(conn)
                .await?
        } else {
            use summary::Column;
            const MONTH: &str = "substr(day, 1, 7)";
            let mut period = Condition::all();
            if let Some(day) = &filter.from_day {
                period = period.add(Column::Day.gte(day.as_str()));
            }
            if let Some(day) = &filter.to_day {
                period = period.add(Column::Day.lte(day.as_str()));
            }
            summary::Entity::find()
                .select_only()
                .column_as(Expr::cust(MONTH), "month")
                .column(Column::DepartmentId)
                .column(Column::Unusual)
                .column_as(Expr::cust(SUM), "events")
                .filter(same_filters(mrn, filter))
                .filter(period)
                .group_by(Expr::cust(MONTH))
                .group_by(Column::DepartmentId)
                .group_by(Column::Unusual)
                .into_tuple()
                .all(conn)
                .await?
        };
    Ok(rows)
}

/// The filter's conditions both tables share (their columns have the same names).
fn same_filters(mrn: &str, filter: &ParsedFilter) -> Condition {
    let column = |name: &str| Expr::col(sea_orm::sea_query::Alias::new(name));
    let mut condition = Condition::all().add(column("patient_mrn").eq(mrn));
    if let Some(category) = filter.category {
        condition = condition.add(column("category").eq(category.code()));
    }
    if let Some(department) = filter.department {
        condition = condition.add(column("department_id").eq(department));
    }
    if filter.unusual_only {
        condition = condition.add(column("unusual").eq(true));
    }
    condition
}

/// The page's view of grouped counts: (month, department, unusual, events).
fn view(rows: &[(String, i64, bool, i64)], departments: &[DepartmentView]) -> AccessSummaryView {
    let by_id: HashMap<i64, &DepartmentView> = departments.iter().map(|d| (d.id, d)).collect();
    let mut months: BTreeMap<&str, u64> = BTreeMap::new();
    let mut per_department: HashMap<i64, u64> = HashMap::new();
    let (mut total, mut unusual) = (0, 0);
    for (month, department, flagged, events) in rows {
        let events = u64::try_from(*events).unwrap_or(0);
        *months.entry(month).or_default() += events;
        *per_department.entry(*department).or_default() += events;
        total += events;
        if *flagged {
            unusual += events;
        }
    }
    let mut by_department: Vec<(Option<DepartmentView>, u64)> = per_department
        .into_iter()
        .map(|(id, count)| (by_id.get(&id).map(|d| (*d).clone()), count))
        .collect();
    by_department.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.0.as_ref().map(|d| d.id).cmp(&b.0.as_ref().map(|d| d.id)))
    });
    AccessSummaryView {
        total,
        unusual,
        by_month: months
            .into_iter()
            .map(|(month, count)| (month.to_owned(), count))
            .collect(),
        by_department,
    }
}

/// The stored counts and a recount from the events, for the patients `mrns`: day counts,
/// and month counts as keys whose `day` is the month. Patients below the threshold
/// recount to nothing.
pub async fn stored_and_recounted<C: ConnectionTrait>(
    conn: &C,
    zone: &TimeZone,
    mrns: &[String],
) -> Result<(BTreeMap<CountKey, i64>, BTreeMap<CountKey, i64>), DbErr> {
    let stored = summary::Entity::find()
        .filter(summary::Column::PatientMrn.is_in(mrns.iter().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let key = CountKey {
                patient_mrn: row.patient_mrn,
                day: row.day,
                department_id: row.department_id,
                category: row.category,
                unusual: row.unusual,
            };
            (key, row.events)
        })
        .chain(
            summary_month::Entity::find()
                .filter(summary_month::Column::PatientMrn.is_in(mrns.iter().cloned()))
                .all(conn)
                .await?
                .into_iter()
                .map(|row| {
                    let key = CountKey {
                        patient_mrn: row.patient_mrn,
                        day: row.month,
                        department_id: row.department_id,
                        category: row.category,
                        unusual: row.unusual,
                    };
                    (key, row.events)
                }),
        )
        .collect();
    let long = summarised(conn, Some(mrns)).await?;
    let mut tally = Tally::new(zone);
    tally.count_stored(conn, &long, None).await?;
    Ok((stored, tally.into_sorted()))
}

/// Compares the summaries of every patient who has them, or should, with a recount of
/// their events; one line per patient whose counts differ (naming their latest event, not
/// the patient).
pub async fn check<C: ConnectionTrait>(conn: &C, zone: &TimeZone) -> Result<Vec<String>, DbErr> {
    let mut latest: BTreeMap<String, i64> = patient_head::Entity::find()
        .select_only()
        .column(patient_head::Column::PatientMrn)
        .column(patient_head::Column::LastEventId)
        .filter(patient_head::Column::Events.gte(SUMMARISED_FROM))
        .into_tuple::<(String, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let counted_days: Vec<String> = summary::Entity::find()
        .select_only()
        .column(summary::Column::PatientMrn)
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    let counted_months: Vec<String> = summary_month::Entity::find()
        .select_only()
        .column(summary_month::Column::PatientMrn)
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    for mrn in counted_days.into_iter().chain(counted_months) {
        latest.entry(mrn).or_insert(0);
    }
    let mrns: Vec<String> = latest.keys().cloned().collect();
    let mut problems = Vec::new();
    for chunk in mrns.chunks(CHECK_CHUNK) {
        let (stored, recounted) = stored_and_recounted(conn, zone, chunk).await?;
        let (stored, recounted) = (per_patient(stored), per_patient(recounted));
        for mrn in chunk {
            if stored.get(mrn) != recounted.get(mrn) {
                problems.push(format!(
                    "a patient's counts on their log page differ from their events (their \
                     latest event {})",
                    latest.get(mrn).copied().unwrap_or(0)
                ));
            }
        }
    }
    Ok(problems)
}

/// Counts grouped by patient.
fn per_patient(counts: BTreeMap<CountKey, i64>) -> HashMap<String, Vec<(CountKey, i64)>> {
    let mut grouped: HashMap<String, Vec<(CountKey, i64)>> = HashMap::new();
    for (key, events) in counts {
        grouped
            .entry(key.patient_mrn.clone())
            .or_default()
            .push((key, events));
    }
    grouped
}

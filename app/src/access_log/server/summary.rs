//! The per-patient counts behind the log page's totals and charts: events per local day,
//! department, category and unusual flag. Ingestion adds its batch's counts in the
//! events' own transaction, so the page reads at most a few thousand counts however long
//! the history; `recount` rebuilds them from the events (at start when the time zone
//! changed or the table is new, after the benchmark's raw inserts), and `check` compares
//! them with the events for `portal verify`.

use std::collections::{BTreeMap, HashMap};

use jiff::tz::TimeZone;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::{event, patient_head, summary, summary_state};
use super::query::ParsedFilter;
use crate::access_log::types::{AccessSummaryView, DepartmentView};
use crate::ssr::unnest;

/// The department key of accesses without a department.
const NO_DEPARTMENT: i64 = 0;
/// Counts per upsert statement (6 values each, within SQLite's bound-parameter limit).
const UPSERT_CHUNK: usize = 2_000;
/// On PostgreSQL: a count already there grows by the new one.
const ADD_ON_CONFLICT: &str = "ON CONFLICT (patient_mrn, day, department_id, category, unusual) \
                               DO UPDATE SET events = access_summary.events + excluded.events";
/// Events read per query while counting again.
const READ_PAGE: u64 = 50_000;
/// Counts held in memory before they are written while counting again.
const FLUSH_AT: usize = 200_000;
/// Patients compared per query by `check`.
const CHECK_CHUNK: usize = 500;

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
        let key = CountKey {
            patient_mrn: patient_mrn.to_owned(),
            day: local_day(&self.zone, occurred_at),
            department_id: department_id.unwrap_or(NO_DEPARTMENT),
            category: category.to_owned(),
            unusual,
        };
        *self.counts.entry(key).or_default() += 1;
    }

    /// Adds the counts to the table (in key order: neighbouring rows, and the same lock
    /// order for every writer) and empties the tally.
    pub async fn add_to<C: ConnectionTrait>(&mut self, conn: &C) -> Result<(), DbErr> {
        let mut counts: Vec<(CountKey, i64)> = self.counts.drain().collect();
        counts.sort_unstable();
        let postgres = conn.get_database_backend() == DatabaseBackend::Postgres;
        for chunk in counts.chunks(UPSERT_CHUNK) {
            let rows = chunk.iter().map(|(key, events)| summary::ActiveModel {
                patient_mrn: Set(key.patient_mrn.clone()),
                day: Set(key.day.clone()),
                department_id: Set(key.department_id),
                category: Set(key.category.clone()),
                unusual: Set(key.unusual),
                events: Set(*events),
            });
            if postgres {
                let rows: Vec<summary::ActiveModel> = rows.collect();
                conn.execute(unnest::insert(&rows, ADD_ON_CONFLICT)).await?;
                continue;
            }
            summary::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        summary::Column::PatientMrn,
                        summary::Column::Day,
                        summary::Column::DepartmentId,
                        summary::Column::Category,
                        summary::Column::Unusual,
                    ])
                    .value(
                        summary::Column::Events,
                        Expr::cust(r#""access_summary"."events" + "excluded"."events""#),
                    )
                    .to_owned(),
                )
                .exec_without_returning(conn)
                .await?;
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.counts.len()
    }

    fn into_sorted(self) -> BTreeMap<CountKey, i64> {
        self.counts.into_iter().collect()
    }
}

/// `YYYY-MM-DD` of `at` in `zone`.
fn local_day(zone: &TimeZone, at: OffsetDateTime) -> String {
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

/// Replaces the summaries with counts of every stored event, in one transaction.
pub async fn recount<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    zone: &TimeZone,
) -> Result<(), DbErr> {
    let txn = conn.begin().await?;
    summary::Entity::delete_many().exec(&txn).await?;
    let mut tally = Tally::new(zone);
    let mut after = 0_i64;
    loop {
        let rows: Vec<(i64, String, OffsetDateTime, Option<i64>, String, bool)> =
            event::Entity::find()
                .select_only()
                .column(event::Column::Id)
                .column(event::Column::PatientMrn)
                .column(event::Column::OccurredAt)
                .column(event::Column::DepartmentId)
                .column(event::Column::Category)
                .column(event::Column::Unusual)
                .filter(event::Column::Id.gt(after))
                .order_by_asc(event::Column::Id)
                .limit(READ_PAGE)
                .into_tuple()
                .all(&txn)
                .await?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        for (_, mrn, at, department, category, unusual) in &rows {
            tally.count(mrn, *at, *department, category, *unusual);
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

/// The patient's counts over the filtered log, for the page's totals and charts;
/// `departments` as `query::departments` gives them.
pub async fn counts<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    filter: &ParsedFilter,
    departments: &[DepartmentView],
) -> Result<AccessSummaryView, DbErr> {
    const MONTH: &str = "substr(day, 1, 7)";
    let mut query = summary::Entity::find()
        .select_only()
        .column_as(Expr::cust(MONTH), "month")
        .column(summary::Column::DepartmentId)
        .column(summary::Column::Unusual)
        // PostgreSQL sums bigints as numeric.
        .column_as(Expr::cust("CAST(SUM(events) AS BIGINT)"), "events")
        .filter(summary::Column::PatientMrn.eq(mrn));
    if let Some(day) = &filter.from_day {
        query = query.filter(summary::Column::Day.gte(day.as_str()));
    }
    if let Some(day) = &filter.to_day {
        query = query.filter(summary::Column::Day.lte(day.as_str()));
    }
    if let Some(category) = filter.category {
        query = query.filter(summary::Column::Category.eq(category.code()));
    }
    if let Some(department) = filter.department {
        query = query.filter(summary::Column::DepartmentId.eq(department));
    }
    if filter.unusual_only {
        query = query.filter(summary::Column::Unusual.eq(true));
    }
    let rows: Vec<(String, i64, bool, i64)> = query
        .group_by(Expr::cust(MONTH))
        .group_by(summary::Column::DepartmentId)
        .group_by(summary::Column::Unusual)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(view(&rows, departments))
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

/// The stored counts and a recount from the events, for the patients `mrns`.
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
        .collect();
    let rows: Vec<(String, OffsetDateTime, Option<i64>, String, bool)> = event::Entity::find()
        .select_only()
        .column(event::Column::PatientMrn)
        .column(event::Column::OccurredAt)
        .column(event::Column::DepartmentId)
        .column(event::Column::Category)
        .column(event::Column::Unusual)
        .filter(event::Column::PatientMrn.is_in(mrns.iter().cloned()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut tally = Tally::new(zone);
    for (mrn, at, department, category, unusual) in &rows {
        tally.count(mrn, *at, *department, category, *unusual);
    }
    Ok((stored, tally.into_sorted()))
}

/// Compares every patient's summaries with a recount of their events; one line per patient
/// whose counts differ (naming their latest event, not the patient).
pub async fn check<C: ConnectionTrait>(conn: &C, zone: &TimeZone) -> Result<Vec<String>, DbErr> {
    let mut latest: BTreeMap<String, i64> = patient_head::Entity::find()
        .select_only()
        .column(patient_head::Column::PatientMrn)
        .column(patient_head::Column::LastEventId)
        .into_tuple::<(String, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let counted: Vec<String> = summary::Entity::find()
        .select_only()
        .column(summary::Column::PatientMrn)
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    for mrn in counted {
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

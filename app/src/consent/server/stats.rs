//! The privacy officer's view: how many patients stand where, per purpose, month by month.
//! Counts only — no patient is named, so looking at it reveals no one's choice.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use time::OffsetDateTime;

use super::entity::change;
use super::rows::ConsentChange;
use super::service::purpose_view;
use super::standing::{standing, Catalogue};
use crate::consent::types::{ChangeAction, ConsentState, MonthCounts, PurposeStatsView};

/// Months shown, the current one included.
pub const MONTHS: usize = 12;

/// How many patients stand in each state, per purpose id.
type StateCounts = HashMap<(i64, ConsentState), u64>;

type Row = (
    i64,
    String,
    i64,
    i64,
    String,
    Option<OffsetDateTime>,
    OffsetDateTime,
);

/// The start of each of the last `MONTHS` local months and the month after, oldest first.
fn month_starts(now: OffsetDateTime, time_zone: &str) -> Vec<(String, OffsetDateTime)> {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(instant) = jiff::Timestamp::from_second(now.unix_timestamp()) else {
        return Vec::new();
    };
    let first = instant.to_zoned(zone.clone()).date().first_of_month();
    let mut starts = Vec::new();
    for back in (0..MONTHS).rev() {
        let Ok(back) = i32::try_from(back) else {
            continue;
        };
        let Ok(month) = first.checked_sub(jiff::Span::new().months(back)) else {
            continue;
        };
        let Ok(zoned) = month.to_zoned(zone.clone()) else {
            continue;
        };
        if let Ok(at) = OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()) {
            starts.push((month.strftime("%Y-%m").to_string(), at));
        }
    }
    starts
}

/// Every change up to `now`, oldest first, with the columns the counts need.
async fn changes_until<C: ConnectionTrait>(
    conn: &C,
    now: OffsetDateTime,
) -> Result<Vec<ConsentChange>, DbErr> {
    let rows: Vec<Row> = change::Entity::find()
        .select_only()
        .columns([
            change::Column::Id,
            change::Column::PatientMrn,
            change::Column::PurposeId,
            change::Column::PolicyId,
            change::Column::Action,
            change::Column::ExpiresAt,
            change::Column::ChangedAt,
        ])
        .filter(change::Column::ChangedAt.lte(now))
        .order_by_asc(change::Column::ChangedAt)
        .order_by_asc(change::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, patient_mrn, purpose_id, policy_id, action, expires_at, changed_at)| {
                ConsentChange {
                    id,
                    receipt_id: String::new(),
                    patient_mrn,
                    purpose_id,
                    policy_id,
                    action,
                    excluded: String::new(),
                    expires_at,
                    changed_at,
                    changed_by_account_id: None,
                    receipt: String::new(),
                    signature: String::new(),
                }
            },
        )
        .collect())
}

/// Counts per purpose and state at the end of each of the last twelve months (for the
/// current month: now), and the changes of the last 30 days.
pub async fn consent_stats<C: ConnectionTrait>(
    conn: &C,
    _cap: crate::identity::server::access::PrivacyOfficerCap,
    time_zone: &str,
    now: OffsetDateTime,
) -> Result<Vec<PurposeStatsView>, DbErr> {
    let catalogue = Catalogue::load(conn).await?;
    let changes = changes_until(conn, now).await?;

    let starts = month_starts(now, time_zone);
    // Each month is counted at the start of the next (the current one: now).
    let ends: Vec<(String, OffsetDateTime)> = starts
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let end = starts.get(i + 1).map_or(now, |(_, next)| *next).min(now);
            (label.clone(), end)
        })
        .collect();

    let mut latest: HashMap<(&str, i64), &ConsentChange> = HashMap::new();
    let mut next = 0;
    let mut per_month: Vec<(String, StateCounts)> = Vec::new();
    for (label, end) in &ends {
        while let Some(row) = changes.get(next).filter(|c| c.changed_at <= *end) {
            latest.insert((row.patient_mrn.as_str(), row.purpose_id), row);
            next += 1;
        }
        let mut counts = StateCounts::new();
        for ((_, purpose_id), row) in &latest {
            let state = standing(&catalogue, Some(row), *end).state;
            *counts.entry((*purpose_id, state)).or_default() += 1;
        }
        per_month.push((label.clone(), counts));
    }

    let since = now - time::Duration::days(30);
    Ok(catalogue
        .purposes
        .iter()
        .map(|purpose| {
            let recent = |action: ChangeAction| {
                changes
                    .iter()
                    .filter(|c| {
                        c.purpose_id == purpose.id
                            && c.changed_at > since
                            && c.action == action.code()
                    })
                    .count() as u64
            };
            PurposeStatsView {
                purpose: purpose_view(purpose),
                current_version: catalogue
                    .current_policy(purpose.id, now)
                    .map_or(0, |p| p.version),
                months: per_month
                    .iter()
                    .map(|(label, counts)| MonthCounts {
                        month: label.clone(),
                        counts: ConsentState::ALL
                            .iter()
                            .filter(|s| **s != ConsentState::NotGranted)
                            .map(|s| (*s, counts.get(&(purpose.id, *s)).copied().unwrap_or(0)))
                            .collect(),
                    })
                    .collect(),
                recent_grants: recent(ChangeAction::Grant),
                recent_revocations: recent(ChangeAction::Revoke),
            }
        })
        .collect())
}

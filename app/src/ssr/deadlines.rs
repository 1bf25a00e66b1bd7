//! Clocks for the cases the hospital must answer on time (correction requests, complaints,
//! anonymous reports). A clock has a due date in the hospital's time zone, at most one
//! extension with a reason, one reminder to the assigned staff before the due date, and one
//! escalation when the date passes.
//!
//! A feature opens a clock with its case and runs reminders and escalations from its own
//! worker: it lists the clocks that are due ([`reminders_due`], [`overdue`]) and, in the
//! transaction that queues the message, claims each ([`claim_reminder`],
//! [`claim_escalation`]). A claim succeeds once, so several server instances never send
//! one message twice. Everything reads the portal's clock (`now`), so tests move time.

use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use time::{Duration, OffsetDateTime};

mod table {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_clock")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_kind: String,
        pub case_id: i64,
        pub opened_at: OffsetDateTime,
        pub due_at: OffsetDateTime,
        pub extended_at: Option<OffsetDateTime>,
        pub extension_days: Option<i32>,
        pub extension_reason: Option<String>,
        pub due_before_extension: Option<OffsetDateTime>,
        pub reminded_at: Option<OffsetDateTime>,
        pub escalated_at: Option<OffsetDateTime>,
        pub stopped_at: Option<OffsetDateTime>,
    }

    crate::ssr::no_relations!();
}

use table::{Column, Entity};

/// Which kind of case a clock times; each feature names its own (`correction`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseKind(pub &'static str);

/// How a kind of case is timed (from the portal's settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Days to answer, counted from the day the case arrived.
    pub answer_days: u16,
    /// Whether `answer_days` counts working days (Monday to Friday) rather than calendar
    /// days. Public holidays are not known to the portal and count as working days.
    pub working_days: bool,
    /// The longest single extension, in calendar days.
    pub extension_max_days: u16,
    /// How long before the due date the assigned staff are reminded.
    pub remind_before: Duration,
}

/// A case's one extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub at: OffsetDateTime,
    pub days: u16,
    /// Told to the patient.
    pub reason: String,
    pub due_before: OffsetDateTime,
}

/// A case's clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseClock {
    pub case_id: i64,
    pub opened_at: OffsetDateTime,
    /// The end of the last day to answer, in the hospital's time zone.
    pub due_at: OffsetDateTime,
    pub extension: Option<Extension>,
    pub reminded_at: Option<OffsetDateTime>,
    pub escalated_at: Option<OffsetDateTime>,
    /// When the case was closed; a stopped clock sends nothing more.
    pub stopped_at: Option<OffsetDateTime>,
}

impl CaseClock {
    /// Whether the due date has passed at `now` while the case is still open.
    #[must_use]
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.stopped_at.is_none() && self.due_at <= now
    }
}

impl From<table::Model> for CaseClock {
    fn from(row: table::Model) -> Self {
        let extension = match (
            row.extended_at,
            row.extension_days,
            row.extension_reason,
            row.due_before_extension,
        ) {
            (Some(at), Some(days), Some(reason), Some(due_before)) => Some(Extension {
                at,
                days: u16::try_from(days).unwrap_or_default(),
                reason,
                due_before,
            }),
            _ => None,
        };
        CaseClock {
            case_id: row.case_id,
            opened_at: row.opened_at,
            due_at: row.due_at,
            extension,
            reminded_at: row.reminded_at,
            escalated_at: row.escalated_at,
            stopped_at: row.stopped_at,
        }
    }
}

/// Why an extension was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExtendError {
    #[error("no such case")]
    NoCase,
    #[error("the case was already extended once")]
    AlreadyExtended,
    #[error("the case is closed")]
    Closed,
    #[error("an extension is 1 to {0} days")]
    BadLength(u16),
    #[error("an extension needs a reason")]
    NoReason,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The end of the local day `days` calendar days after the local day of `from`, in
/// `time_zone` (that is, the start of the day after): a case that arrives at any hour of
/// 1 March with 30 days is due by the end of 31 March. Daylight-saving changes move the
/// instant, not the day.
#[must_use]
pub fn end_of_day_after(from: OffsetDateTime, days: u16, time_zone: &str) -> OffsetDateTime {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let fallback = from + Duration::days(i64::from(days) + 1);
    let Ok(instant) = jiff::Timestamp::from_second(from.unix_timestamp()) else {
        return fallback;
    };
    let day = instant.to_zoned(zone.clone()).date();
    let end = day
        .checked_add(jiff::Span::new().days(i64::from(days) + 1))
        .ok()
        .and_then(|next| next.to_zoned(zone).ok());
    end.and_then(|end| OffsetDateTime::from_unix_timestamp(end.timestamp().as_second()).ok())
        .unwrap_or(fallback)
}

/// The end of the local day `months` calendar months after the local day of `from` (the
/// last day of a shorter month when the day does not exist there: 30 November + 3 months
/// is 28 February).
#[must_use]
pub fn end_of_months_after(from: OffsetDateTime, months: u8, time_zone: &str) -> OffsetDateTime {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let days = jiff::Timestamp::from_second(from.unix_timestamp())
        .ok()
        .map(|instant| instant.to_zoned(zone).date())
        .and_then(|day| {
            let later = day
                .checked_add(jiff::Span::new().months(i64::from(months)))
                .ok()?;
            u16::try_from((later - day).get_days()).ok()
        })
        .unwrap_or(u16::from(months) * 28);
    end_of_day_after(from, days, time_zone)
}

/// The end of the local day `days` working days (Monday to Friday) after the local day of
/// `from`: a case that arrives on a Friday with 5 working days is due by the end of the
/// next Friday; one that arrives on a Saturday, by the end of the Friday after.
#[must_use]
pub fn end_of_working_days_after(
    from: OffsetDateTime,
    days: u16,
    time_zone: &str,
) -> OffsetDateTime {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(instant) = jiff::Timestamp::from_second(from.unix_timestamp()) else {
        return end_of_day_after(from, days, time_zone);
    };
    let mut day = instant.to_zoned(zone).date();
    let (mut left, mut calendar_days) = (days, 0u16);
    while left > 0 {
        let Ok(next) = day.tomorrow() else { break };
        day = next;
        calendar_days = calendar_days.saturating_add(1);
        if !matches!(
            day.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            left -= 1;
        }
    }
    end_of_day_after(from, calendar_days, time_zone)
}

/// The last day to answer, as people read it: the local date of the day `due_at` ends.
#[must_use]
pub fn last_day(due_at: OffsetDateTime, time_zone: &str) -> String {
    crate::ssr::time::local_date(due_at - Duration::seconds(1), time_zone)
}

/// Starts the clock of a new case at `now`; on `conn`, the transaction that creates the
/// case.
pub async fn open<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    timing: &Timing,
    time_zone: &str,
    now: OffsetDateTime,
) -> Result<CaseClock, DbErr> {
    let due_at = if timing.working_days {
        end_of_working_days_after(now, timing.answer_days, time_zone)
    } else {
        end_of_day_after(now, timing.answer_days, time_zone)
    };
    open_until(conn, kind, case_id, due_at, now).await
}

/// Starts the clock of a new case at `now`, due at `due_at` (for deadlines not counted in
/// days, such as months).
pub async fn open_until<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    due_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<CaseClock, DbErr> {
    let row = table::ActiveModel {
        id: NotSet,
        case_kind: Set(kind.0.to_owned()),
        case_id: Set(case_id),
        opened_at: Set(now),
        due_at: Set(due_at),
        extended_at: Set(None),
        extension_days: Set(None),
        extension_reason: Set(None),
        due_before_extension: Set(None),
        reminded_at: Set(None),
        escalated_at: Set(None),
        stopped_at: Set(None),
    };
    Entity::insert(row).exec_without_returning(conn).await?;
    Ok(CaseClock {
        case_id,
        opened_at: now,
        due_at,
        extension: None,
        reminded_at: None,
        escalated_at: None,
        stopped_at: None,
    })
}

/// The clock of a case, if it has one.
pub async fn clock_of<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
) -> Result<Option<CaseClock>, DbErr> {
    Ok(Entity::find()
        .filter(Column::CaseKind.eq(kind.0))
        .filter(Column::CaseId.eq(case_id))
        .one(conn)
        .await?
        .map(CaseClock::from))
}

/// Extends a case once, by 1 to `timing.extension_max_days` calendar days, with a reason
/// the patient is told. A new reminder is due before the new date.
#[allow(clippy::too_many_arguments)] // Each is one fact of the extension.
pub async fn extend<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    days: u16,
    reason: &str,
    timing: &Timing,
    time_zone: &str,
    now: OffsetDateTime,
) -> Result<CaseClock, ExtendError> {
    if days == 0 || days > timing.extension_max_days {
        return Err(ExtendError::BadLength(timing.extension_max_days));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ExtendError::NoReason);
    }
    let clock = clock_of(conn, kind, case_id)
        .await?
        .ok_or(ExtendError::NoCase)?;
    if clock.stopped_at.is_some() {
        return Err(ExtendError::Closed);
    }
    // The last day to answer moves by `days`: from the end of that day, count on.
    let last_day = clock.due_at - Duration::seconds(1);
    let due_at = end_of_day_after(last_day, days, time_zone);
    // Only the first of two concurrent extensions changes the row.
    let changed = Entity::update_many()
        .col_expr(Column::DueAt, Expr::value(due_at))
        .col_expr(Column::DueBeforeExtension, Expr::value(clock.due_at))
        .col_expr(Column::ExtendedAt, Expr::value(now))
        .col_expr(Column::ExtensionDays, Expr::value(i32::from(days)))
        .col_expr(Column::ExtensionReason, Expr::value(reason))
        .col_expr(
            Column::RemindedAt,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .filter(Column::CaseKind.eq(kind.0))
        .filter(Column::CaseId.eq(case_id))
        .filter(Column::ExtendedAt.is_null())
        .filter(Column::StoppedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(ExtendError::AlreadyExtended);
    }
    Ok(CaseClock {
        due_at,
        extension: Some(Extension {
            at: now,
            days,
            reason: reason.to_owned(),
            due_before: clock.due_at,
        }),
        reminded_at: None,
        ..clock
    })
}

/// Brings a running clock's due date forward to `due_at` when that is earlier (a later
/// event that shortens the time left, such as an acknowledgement).
pub async fn due_no_later_than<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    due_at: OffsetDateTime,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::DueAt, Expr::value(due_at))
        .filter(Column::CaseKind.eq(kind.0))
        .filter(Column::CaseId.eq(case_id))
        .filter(Column::StoppedAt.is_null())
        .filter(Column::DueAt.gt(due_at))
        .exec(conn)
        .await?;
    Ok(())
}

/// Forgets the clocks of a destroyed case.
pub async fn forget<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_ids: &[i64],
) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::CaseKind.eq(kind.0))
        .filter(Column::CaseId.is_in(case_ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Stops the clock when the case is closed; nothing more is sent for it.
pub async fn stop<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::StoppedAt, Expr::value(now))
        .filter(Column::CaseKind.eq(kind.0))
        .filter(Column::CaseId.eq(case_id))
        .filter(Column::StoppedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Open cases of `kind` that also meet `due`, soonest due first.
async fn open_clocks<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    due: Condition,
) -> Result<Vec<CaseClock>, DbErr> {
    Ok(Entity::find()
        .filter(Column::CaseKind.eq(kind.0))
        .filter(Column::StoppedAt.is_null())
        .filter(due)
        .order_by_asc(Column::DueAt)
        .all(conn)
        .await?
        .into_iter()
        .map(CaseClock::from)
        .collect())
}

/// Open cases of `kind` whose reminder is due at `now` (within `timing.remind_before` of
/// the due date, not yet reminded), soonest first.
pub async fn reminders_due<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    timing: &Timing,
    now: OffsetDateTime,
) -> Result<Vec<CaseClock>, DbErr> {
    let due = Condition::all()
        .add(Column::RemindedAt.is_null())
        .add(Column::DueAt.gt(now))
        .add(Column::DueAt.lte(now + timing.remind_before));
    open_clocks(conn, kind, due).await
}

/// Open cases of `kind` past their due date and not yet escalated, longest overdue first.
pub async fn overdue<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    now: OffsetDateTime,
) -> Result<Vec<CaseClock>, DbErr> {
    let due = Condition::all()
        .add(Column::EscalatedAt.is_null())
        .add(Column::DueAt.lte(now));
    open_clocks(conn, kind, due).await
}

/// What is due on a clock: the reminder before its date, or the escalation after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nudge {
    Reminder,
    Escalation,
}

/// What one pass of a feature's worker sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub reminders: usize,
    pub escalations: usize,
}

impl Sent {
    /// Counts one message sent.
    pub fn count(&mut self, nudge: Nudge) {
        match nudge {
            Nudge::Reminder => self.reminders += 1,
            Nudge::Escalation => self.escalations += 1,
        }
    }
}

impl std::ops::AddAssign for Sent {
    fn add_assign(&mut self, other: Sent) {
        self.reminders += other.reminders;
        self.escalations += other.escalations;
    }
}

/// Everything due on clocks of `kind` at `now`: reminders, then escalations. A worker
/// takes each in a transaction of its own: it [`claim`]s it, queues its messages, commits.
pub async fn due_now<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    timing: &Timing,
    now: OffsetDateTime,
) -> Result<Vec<(CaseClock, Nudge)>, DbErr> {
    let mut due: Vec<(CaseClock, Nudge)> = reminders_due(conn, kind, timing, now)
        .await?
        .into_iter()
        .map(|clock| (clock, Nudge::Reminder))
        .collect();
    due.extend(
        overdue(conn, kind, now)
            .await?
            .into_iter()
            .map(|clock| (clock, Nudge::Escalation)),
    );
    Ok(due)
}

/// Claims what is due on a case's clock; `true` for exactly one caller, which queues its
/// messages in the same transaction.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    nudge: Nudge,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let column = match nudge {
        Nudge::Reminder => Column::RemindedAt,
        Nudge::Escalation => Column::EscalatedAt,
    };
    mark(conn, kind, case_id, column, now).await
}

/// Claims the reminder of a case; `true` for exactly one caller, which queues the
/// reminder in the same transaction.
pub async fn claim_reminder<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    mark(conn, kind, case_id, Column::RemindedAt, now).await
}

/// Claims the escalation of an overdue case; `true` for exactly one caller, which tells
/// the privacy officer in the same transaction.
pub async fn claim_escalation<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    mark(conn, kind, case_id, Column::EscalatedAt, now).await
}

async fn mark<C: ConnectionTrait>(
    conn: &C,
    kind: CaseKind,
    case_id: i64,
    column: Column,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    // A conditional update: the database lets one writer change the row; a second, even
    // on another server, finds the mark set and changes nothing.
    let changed = Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(Column::CaseKind.eq(kind.0))
        .filter(Column::CaseId.eq(case_id))
        .filter(column.is_null())
        .filter(Column::StoppedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> OffsetDateTime {
        OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn a_case_is_due_at_the_end_of_its_last_local_day() {
        // 1 March 23:30 in Shanghai is still 1 March there: 30 days → end of 31 March.
        let due = end_of_day_after(at("2026-03-01T15:30:00Z"), 30, "Asia/Shanghai");
        assert_eq!(due, at("2026-03-31T16:00:00Z"));
        // 00:30 on 2 March in Shanghai is 1 March in UTC: the local day counts.
        let due = end_of_day_after(at("2026-03-01T16:30:00Z"), 30, "Asia/Shanghai");
        assert_eq!(due, at("2026-04-01T16:00:00Z"));
    }

    #[test]
    fn daylight_saving_moves_the_instant_not_the_day() {
        // Berlin moves to summer time on 29 March 2026.
        let due = end_of_day_after(at("2026-03-20T10:00:00Z"), 10, "Europe/Berlin");
        assert_eq!(due, at("2026-03-30T22:00:00Z"), "midnight CEST");
        let due = end_of_day_after(at("2026-03-20T10:00:00Z"), 5, "Europe/Berlin");
        assert_eq!(due, at("2026-03-25T23:00:00Z"), "midnight CET");
    }

    #[test]
    fn months_end_on_the_same_day_or_the_months_last() {
        // 1 February 2027 in Shanghai + 3 months → end of 1 May (89 days, not 90).
        let due = end_of_months_after(at("2027-02-01T02:00:00Z"), 3, "Asia/Shanghai");
        assert_eq!(due, at("2027-05-01T16:00:00Z"));
        // 30 November + 3 months → end of 28 February.
        let due = end_of_months_after(at("2026-11-30T02:00:00Z"), 3, "Asia/Shanghai");
        assert_eq!(due, at("2027-02-28T16:00:00Z"));
    }

    #[test]
    fn working_days_skip_the_weekend() {
        // Friday 4 December 2026, 10:00 in Shanghai: 5 working days → end of Friday 11th.
        let due = end_of_working_days_after(at("2026-12-04T02:00:00Z"), 5, "Asia/Shanghai");
        assert_eq!(due, at("2026-12-11T16:00:00Z"));
        // Saturday 5 December: Monday is the first working day → end of Friday 11th.
        let due = end_of_working_days_after(at("2026-12-05T02:00:00Z"), 5, "Asia/Shanghai");
        assert_eq!(due, at("2026-12-11T16:00:00Z"));
        // Monday 7 December: → end of Monday 14th.
        let due = end_of_working_days_after(at("2026-12-07T02:00:00Z"), 5, "Asia/Shanghai");
        assert_eq!(due, at("2026-12-14T16:00:00Z"));
    }
}

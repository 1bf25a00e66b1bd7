//! Gaps in the feeds. For each source system the portal learns its usual flow of access
//! events — how long between two batches, how late after the access events arrive, how
//! many arrive in each hour of the day — and opens an alert when the flow leaves it: a
//! silence much longer than usual, live events arriving much later than usual, an hour far
//! quieter than that hour usually is. Each alert is told once to every privacy officer
//! and ends when the flow returns; while a source is silent or late, patients see on
//! their log that its accesses since then may be missing.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::entity::{feed, feed_alert};
use super::ingest::NewAccess;
use crate::access_log::types::{FeedNoticeView, FeedProblem};
use crate::hospital::server::mail::tell_account;
use crate::i18n::Locale;
use crate::identity::server::roles::holders;
use crate::identity::types::Role;
use crate::ssr::sources::{list_sources, Source, PORTAL_SOURCE};
use crate::ssr::time::local_minute;
use crate::state::AppState;

/// Batches before a source's rhythm counts as learned; nothing is judged before.
const LEARNED_AFTER: i64 = 20;
/// Weight of the newest batch (or hour) in the learned figures.
const SMOOTHING: f64 = 0.1;
/// A silence is reported once it lasts this many usual gaps, and at least `SILENCE_FLOOR`.
const SILENCE_FACTOR: f64 = 4.0;
const SILENCE_FLOOR: Duration = Duration::minutes(15);
/// A live batch is late when its events are this many times later than usual, and at
/// least `LATE_FLOOR` late.
const LATE_FACTOR: f64 = 4.0;
const LATE_FLOOR: Duration = Duration::minutes(30);
/// An hour is quiet below this share of its usual events, where that hour usually has at
/// least `QUIET_USUAL_AT_LEAST` and was seen on `QUIET_LEARNED_DAYS` days.
const QUIET_SHARE: f64 = 0.25;
const QUIET_USUAL_AT_LEAST: f64 = 20.0;
const QUIET_LEARNED_DAYS: i64 = 7;

/// What arrived from a source in one request (after its commit).
#[derive(Clone, Copy, Debug)]
pub enum Arrival<'a> {
    /// Events from the live feed: their lateness is judged.
    Live(&'a [NewAccess]),
    /// A back-fill (`$import`) of this many events, late on purpose.
    BackFill { events: usize },
}

impl Arrival<'_> {
    fn events(&self) -> usize {
        match self {
            Arrival::Live(accesses) => accesses.len(),
            Arrival::BackFill { events } => *events,
        }
    }
}

/// Events per local hour of the day, as learned.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Hours {
    usual: Vec<f64>,
    seen: Vec<i64>,
}

impl Hours {
    fn parse(text: &str) -> Hours {
        let mut hours: Hours = serde_json::from_str(text).unwrap_or_default();
        hours.usual.resize(24, 0.0);
        hours.seen.resize(24, 0);
        hours
    }

    /// Learns one finished hour; whether it was far quieter than usual.
    fn learn(&mut self, hour: usize, events: i64) -> bool {
        #[allow(clippy::cast_precision_loss)] // Events per hour, far below 2^52.
        let events = events as f64;
        let (usual, seen) = (self.usual[hour], self.seen[hour]);
        let quiet = seen >= QUIET_LEARNED_DAYS
            && usual >= QUIET_USUAL_AT_LEAST
            && events < usual * QUIET_SHARE;
        self.usual[hour] = if seen == 0 {
            events
        } else {
            usual + (events - usual) * SMOOTHING
        };
        self.seen[hour] = seen + 1;
        quiet
    }
}

/// An alert just opened, to be told.
struct Opened {
    source: String,
    problem: FeedProblem,
    since: OffsetDateTime,
}

fn seconds(duration: Duration) -> f64 {
    duration.as_seconds_f64().max(0.0)
}

fn hour_start(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_minute(0)
        .and_then(|at| at.replace_second(0))
        .and_then(|at| at.replace_nanosecond(0))
        .unwrap_or(at)
}

fn local_hour(at: OffsetDateTime, zone: &jiff::tz::TimeZone) -> usize {
    jiff::Timestamp::from_second(at.unix_timestamp())
        .map_or(0, |instant| {
            usize::try_from(zone.to_datetime(instant).hour()).unwrap_or(0)
        })
        .min(23)
}

/// Notes what arrived from `source`: it ends a silence, teaches the usual rhythm, and (a
/// live batch) opens or ends a lateness alert. Opened alerts are told to every privacy
/// officer in the same transaction.
pub async fn observe(state: &AppState, source: &Source, arrival: Arrival<'_>) -> Result<(), DbErr> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let zone = &state.access.ingest.time_zone;
    let opened = observe_at(&txn, source, arrival, now, zone).await?;
    tell(&txn, state, &opened, now).await?;
    txn.commit().await
}

/// Notes a batch that arrived at `at` without telling anyone: for replaying a system's
/// past flow (the demo hospital's). Returns how many alerts it opened.
pub async fn replay<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    source: &Source,
    arrival: Arrival<'_>,
    at: OffsetDateTime,
    zone: &jiff::tz::TimeZone,
) -> Result<usize, DbErr> {
    let txn = conn.begin().await?;
    let opened = observe_at(&txn, source, arrival, at, zone).await?;
    txn.commit().await?;
    Ok(opened.len())
}

async fn observe_at<C: ConnectionTrait>(
    conn: &C,
    source: &Source,
    arrival: Arrival<'_>,
    now: OffsetDateTime,
    zone: &jiff::tz::TimeZone,
) -> Result<Vec<Opened>, DbErr> {
    if source.name == PORTAL_SOURCE || arrival.events() == 0 {
        return Ok(Vec::new());
    }
    let found = feed::Entity::find_by_id(source.id).one(conn).await?;
    let mut row = if let Some(row) = found {
        row
    } else {
        let first = feed::ActiveModel {
            source_id: Set(source.id),
            batches: Set(0),
            last_received_at: Set(now),
            gap_seconds: Set(0.0),
            delay_seconds: Set(0.0),
            live_batches: Set(0),
            hour_start: Set(hour_start(now)),
            hour_events: Set(0),
            hours: Set(serde_json::to_string(&Hours::default()).unwrap_or_default()),
        };
        first.insert(conn).await?
    };
    let mut opened = Vec::new();
    end(conn, source.id, FeedProblem::Silent, now).await?;
    if row.batches > 0 {
        let gap = seconds(now - row.last_received_at);
        row.gap_seconds = if row.batches == 1 {
            gap
        } else {
            row.gap_seconds + (gap - row.gap_seconds) * SMOOTHING
        };
    }
    if let Arrival::Live(accesses) = arrival {
        let mut delays: Vec<f64> = accesses
            .iter()
            .map(|access| seconds(now - access.occurred_at))
            .collect();
        delays.sort_by(f64::total_cmp);
        let delay = delays.get(delays.len() / 2).copied().unwrap_or(0.0);
        let late = row.live_batches >= LEARNED_AFTER
            && delay > (row.delay_seconds * LATE_FACTOR).max(seconds(LATE_FLOOR));
        if late {
            let since = now - Duration::seconds_f64(delay);
            if open(conn, source.id, FeedProblem::Late, since, now).await? {
                opened.push(Opened {
                    source: source.name.clone(),
                    problem: FeedProblem::Late,
                    since,
                });
            }
        } else {
            end(conn, source.id, FeedProblem::Late, now).await?;
            row.delay_seconds = if row.live_batches == 0 {
                delay
            } else {
                row.delay_seconds + (delay - row.delay_seconds) * SMOOTHING
            };
            row.live_batches += 1;
        }
    }
    let mut hours = Hours::parse(&row.hours);
    if let Some(quiet) = count_hours(&mut row, &mut hours, now, zone) {
        opened.extend(quiet_alert(conn, source, quiet, now).await?);
    }
    row.hour_events += i64::try_from(arrival.events()).unwrap_or(i64::MAX);
    row.batches += 1;
    row.last_received_at = now;
    save(conn, row, &hours).await?;
    Ok(opened)
}

/// Folds the hours finished since the row's counting hour into the learned ones (empty
/// hours count as none); the start of the first of them that was quiet, if any.
fn count_hours(
    row: &mut feed::Model,
    hours: &mut Hours,
    now: OffsetDateTime,
    zone: &jiff::tz::TimeZone,
) -> Option<OffsetDateTime> {
    let current = hour_start(now);
    let mut quiet = None;
    // A day at most: a source silent for longer is reported as silent already.
    let mut folded = 0;
    while row.hour_start < current && folded < 24 {
        if hours.learn(local_hour(row.hour_start, zone), row.hour_events) {
            quiet.get_or_insert(row.hour_start);
        }
        row.hour_start += Duration::HOUR;
        row.hour_events = 0;
        folded += 1;
    }
    row.hour_start = row.hour_start.max(current);
    quiet
}

async fn quiet_alert<C: ConnectionTrait>(
    conn: &C,
    source: &Source,
    since: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<Opened>, DbErr> {
    Ok(open(conn, source.id, FeedProblem::Quiet, since, now)
        .await?
        .then(|| Opened {
            source: source.name.clone(),
            problem: FeedProblem::Quiet,
            since,
        }))
}

async fn save<C: ConnectionTrait>(conn: &C, row: feed::Model, hours: &Hours) -> Result<(), DbErr> {
    let mut active: feed::ActiveModel = row.into();
    active.hours = Set(serde_json::to_string(hours).unwrap_or_default());
    for column in [
        feed::Column::Batches,
        feed::Column::LastReceivedAt,
        feed::Column::GapSeconds,
        feed::Column::DelaySeconds,
        feed::Column::LiveBatches,
        feed::Column::HourStart,
        feed::Column::HourEvents,
    ] {
        active.reset(column);
    }
    active.update(conn).await?;
    Ok(())
}

/// Opens an alert of `problem` for the source unless one is open; whether it did.
async fn open<C: ConnectionTrait>(
    conn: &C,
    source_id: i64,
    problem: FeedProblem,
    since: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let already = feed_alert::Entity::find()
        .filter(feed_alert::Column::SourceId.eq(source_id))
        .filter(feed_alert::Column::Kind.eq(problem.code()))
        .filter(feed_alert::Column::EndedAt.is_null())
        .one(conn)
        .await?;
    if already.is_some() {
        return Ok(false);
    }
    feed_alert::ActiveModel {
        id: NotSet,
        source_id: Set(source_id),
        kind: Set(problem.code().to_owned()),
        since: Set(since),
        detected_at: Set(now),
        ended_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(true)
}

/// Ends the source's open alert of `problem`, if any.
async fn end<C: ConnectionTrait>(
    conn: &C,
    source_id: i64,
    problem: FeedProblem,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    feed_alert::Entity::update_many()
        .col_expr(
            feed_alert::Column::EndedAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(feed_alert::Column::SourceId.eq(source_id))
        .filter(feed_alert::Column::Kind.eq(problem.code()))
        .filter(feed_alert::Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Looks at every active source's flow now: silences and quiet hours (which show only
/// in the absence of batches). Returns how many alerts it opened.
pub async fn check(state: &AppState) -> Result<usize, DbErr> {
    let now = state.clock.now();
    let zone = &state.access.ingest.time_zone;
    let mut count = 0;
    for (source, active) in list_sources(&state.db).await? {
        if !active || source.name == PORTAL_SOURCE {
            continue;
        }
        let txn = state.db.begin().await?;
        let Some(mut row) = feed::Entity::find_by_id(source.id).one(&txn).await? else {
            continue;
        };
        let mut opened = Vec::new();
        let mut hours = Hours::parse(&row.hours);
        let quiet = count_hours(&mut row, &mut hours, now, zone);
        let allowed = (row.gap_seconds * SILENCE_FACTOR).max(seconds(SILENCE_FLOOR));
        let silent = row.batches >= LEARNED_AFTER && seconds(now - row.last_received_at) > allowed;
        let since = row.last_received_at;
        save(&txn, row, &hours).await?;
        if silent && open(&txn, source.id, FeedProblem::Silent, since, now).await? {
            opened.push(Opened {
                source: source.name.clone(),
                problem: FeedProblem::Silent,
                since,
            });
        }
        // A silent source's empty hours are the silence, told already.
        if let Some(quiet) = quiet.filter(|_| !silent) {
            opened.extend(quiet_alert(&txn, &source, quiet, now).await?);
        }
        tell(&txn, state, &opened, now).await?;
        txn.commit().await?;
        count += opened.len();
    }
    Ok(count)
}

/// The open problems, newest first; `problems` limits them to those kinds.
pub async fn open_notices<C: ConnectionTrait>(
    conn: &C,
    problems: &[FeedProblem],
    time_zone: &str,
) -> Result<Vec<FeedNoticeView>, DbErr> {
    let alerts = feed_alert::Entity::find()
        .filter(feed_alert::Column::EndedAt.is_null())
        .filter(feed_alert::Column::Kind.is_in(problems.iter().map(|p| p.code())))
        .order_by_desc(feed_alert::Column::Id)
        .all(conn)
        .await?;
    if alerts.is_empty() {
        return Ok(Vec::new());
    }
    let names: HashMap<i64, String> = list_sources(conn)
        .await?
        .into_iter()
        .map(|(source, _)| (source.id, source.name))
        .collect();
    Ok(alerts
        .into_iter()
        .filter_map(|alert| {
            Some(FeedNoticeView {
                system: names.get(&alert.source_id)?.clone(),
                problem: FeedProblem::from_code(&alert.kind)?,
                since_local: local_minute(alert.since, time_zone),
            })
        })
        .collect())
}

/// Emails every privacy officer about each opened alert.
async fn tell<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    opened: &[Opened],
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    if opened.is_empty() {
        return Ok(());
    }
    let mail = state.access.ingest.mail.as_ref();
    let time_zone = state.settings.time_zone.as_str();
    for officer in holders(conn, Role::PrivacyOfficer).await? {
        for alert in opened {
            let since = local_minute(alert.since, time_zone);
            let words = |locale| words(locale, alert, &since);
            tell_account(
                conn,
                mail,
                officer,
                true,
                "feed_alert",
                words,
                "/staff/access-reviews",
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// Subject and body of an alert's email.
fn words(locale: Locale, alert: &Opened, since: &str) -> (String, String) {
    let name = &alert.source;
    match (locale, alert.problem) {
        (Locale::ZhHans, FeedProblem::Silent) => (
            format!("系统 {name} 已停止报送访问记录"),
            format!("系统 {name} 自 {since} 起未再报送访问记录，间隔远长于平常。在恢复之前，患者的访问记录可能缺少此后的访问。"),
        ),
        (Locale::ZhHans, FeedProblem::Late) => (
            format!("系统 {name} 报送访问记录明显延迟"),
            format!("系统 {name} 报送的访问记录比平常晚得多（自 {since} 起的访问）。"),
        ),
        (Locale::ZhHans, FeedProblem::Quiet) => (
            format!("系统 {name} 报送量骤减"),
            format!("系统 {name} 在 {since} 开始的一小时内报送的访问记录远少于平常该时段。"),
        ),
        (Locale::En, FeedProblem::Silent) => (
            format!("System {name} has stopped reporting accesses"),
            format!("System {name} has sent no access events since {since}, far longer than its usual gap. Until it resumes, patients' logs may be missing accesses since then."),
        ),
        (Locale::En, FeedProblem::Late) => (
            format!("System {name} reports accesses late"),
            format!("System {name} is sending access events much later after the access than usual (accesses since {since})."),
        ),
        (Locale::En, FeedProblem::Quiet) => (
            format!("System {name} reported far fewer accesses"),
            format!("System {name} sent far fewer access events in the hour from {since} than it usually does in that hour."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_far_quieter_than_usual_is_quiet_once_learned() {
        let mut hours = Hours::parse("");
        for _ in 0..QUIET_LEARNED_DAYS {
            assert!(!hours.learn(9, 100), "not judged while learning");
        }
        assert!(!hours.learn(9, 60), "fewer, but not far fewer");
        assert!(hours.learn(9, 10));
        // An hour that is usually nearly empty is never quiet.
        for _ in 0..10 {
            hours.learn(3, 2);
        }
        assert!(!hours.learn(3, 0));
    }
}

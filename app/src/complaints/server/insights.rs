//! What the cases of the last twelve months teach, for the privacy office: counts per
//! month by kind, department, root cause and link in the chain, time to close, deadlines
//! missed, and the improvement actions still open. Counts only: nothing here names a
//! patient. The same figures as CSV.

use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use super::entity::complaint;
use super::service::{department_views, ComplaintError};
use super::staff::actions_of;
use super::{DECISION, MEASURES, VERIFICATION};
use crate::complaints::texts::{cause_label, kind_label, link_label};
use crate::complaints::types::{
    percentile, ChainLink, ComplaintKind, ComplaintState, InsightsView, MissedView, RootCause,
    SeriesView,
};
use crate::i18n::Locale;
use crate::identity::server::access::PrivacyOfficerCap;
use crate::ssr::deadlines;
use crate::ssr::time::local_date;
use crate::state::AppState;

/// How many months the page covers, the current one last.
const MONTHS: i32 = 12;

/// The last [`MONTHS`] months as `YYYY-MM`, oldest first, and the instant the first began.
fn months(now: OffsetDateTime, time_zone: &str) -> (Vec<String>, OffsetDateTime) {
    let today = local_date(now, time_zone);
    let (year, month) = (
        today
            .get(0..4)
            .and_then(|y| y.parse::<i32>().ok())
            .unwrap_or(1970),
        today
            .get(5..7)
            .and_then(|m| m.parse::<i32>().ok())
            .unwrap_or(1),
    );
    let index = year * 12 + (month - 1);
    let list: Vec<String> = (index - MONTHS + 1..=index)
        .map(|i| format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1))
        .collect();
    let start = list
        .first()
        .and_then(|first| crate::ssr::time::day_start(&format!("{first}-01"), time_zone, false))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    (list, start)
}

/// The month of `at` among `months`, if the page covers it.
fn month_of(at: OffsetDateTime, months: &[String], time_zone: &str) -> Option<usize> {
    let day = local_date(at, time_zone);
    months.iter().position(|m| day.starts_with(m.as_str()))
}

/// A value of a dimension: its code and its names.
struct Value {
    code: String,
    zh_hans: String,
    en: String,
}

impl Value {
    fn of(code: &str, name: impl Fn(Locale) -> String) -> Value {
        Value {
            code: code.to_owned(),
            zh_hans: name(Locale::ZhHans),
            en: name(Locale::En),
        }
    }
}

/// One series per value, each counting the rows whose month and value it is; values
/// without any count are left out.
fn series<T>(
    values: &[Value],
    rows: &[(usize, T)],
    code_of: impl Fn(&T) -> String,
    months: usize,
) -> Vec<SeriesView> {
    values
        .iter()
        .filter_map(|value| {
            let mut counts = vec![0u64; months];
            for (month, row) in rows {
                if code_of(row) == value.code {
                    counts[*month] += 1;
                }
            }
            counts.iter().any(|c| *c > 0).then(|| SeriesView {
                code: value.code.clone(),
                label_zh_hans: value.zh_hans.clone(),
                label_en: value.en.clone(),
                counts,
            })
        })
        .collect()
}

/// The figures of the last twelve months.
pub async fn insights(
    state: &AppState,
    _cap: &PrivacyOfficerCap,
) -> Result<InsightsView, ComplaintError> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let (months, start) = months(now, tz);
    let n = months.len();
    let rows = complaint::Entity::find()
        .filter(complaint::Column::FiledAt.gte(start))
        .all(&state.db)
        .await?;
    let filed: Vec<(usize, &complaint::Model)> = rows
        .iter()
        .filter_map(|r| Some((month_of(r.filed_at, &months, tz)?, r)))
        .collect();
    // Cases closed within the period, whenever they were filed.
    let closed_rows = complaint::Entity::find()
        .filter(complaint::Column::State.eq(ComplaintState::Closed.code()))
        .filter(complaint::Column::EndedAt.gte(start))
        .all(&state.db)
        .await?;
    let closed: Vec<(usize, &complaint::Model)> = closed_rows
        .iter()
        .filter_map(|r| Some((month_of(r.ended_at?, &months, tz)?, r)))
        .collect();
    let count = |list: &[(usize, &complaint::Model)]| {
        let mut counts = vec![0u64; n];
        for (month, _) in list {
            counts[*month] += 1;
        }
        counts
    };
    let kinds: Vec<Value> = ComplaintKind::ALL
        .iter()
        .map(|k| Value::of(k.code(), |l| kind_label(l, *k).to_owned()))
        .collect();
    let causes: Vec<Value> = RootCause::ALL
        .iter()
        .map(|c| Value::of(c.code(), |l| cause_label(l, *c).to_owned()))
        .collect();
    let links: Vec<Value> = ChainLink::ALL
        .iter()
        .map(|c| Value::of(c.code(), |l| link_label(l, *c).to_owned()))
        .collect();
    let mut departments: Vec<Value> = department_views(&state.db)
        .await?
        .into_iter()
        .map(|d| Value {
            code: d.id.to_string(),
            zh_hans: d.name_zh_hans,
            en: d.name_en,
        })
        .collect();
    departments.push(Value::of("none", |l| {
        crate::complaints::texts::ComplaintTexts::of(l)
            .unknown
            .to_owned()
    }));
    let department_of = |r: &&complaint::Model| {
        r.department_id
            .map_or("none".to_owned(), |id| id.to_string())
    };
    let mut days: Vec<u64> = closed
        .iter()
        .filter_map(|(_, r)| {
            let took = r.ended_at? - r.filed_at;
            u64::try_from(took.whole_days()).ok()
        })
        .collect();
    Ok(InsightsView {
        filed: count(&filed),
        closed: count(&closed),
        by_kind: series(&kinds, &filed, |r| r.kind.clone(), n),
        by_department: series(&departments, &filed, department_of, n),
        by_cause: series(
            &causes,
            &closed,
            |r| r.root_cause.clone().unwrap_or_default(),
            n,
        ),
        by_link: series(
            &links,
            &closed,
            |r| r.chain_link.clone().unwrap_or_default(),
            n,
        ),
        closed_count: u64::try_from(days.len()).unwrap_or(u64::MAX),
        median_days: percentile(&mut days, 50),
        p90_days: percentile(&mut days, 90),
        missed: missed(state, &rows, now).await?,
        open_actions: actions_of(state, None)
            .await?
            .into_iter()
            .filter(|a| a.done.is_none())
            .collect(),
        months,
    })
}

/// Per stage, how many clocks of the period's cases ran past their date (still running
/// past it, or stopped after it), of how many.
async fn missed(
    state: &AppState,
    rows: &[complaint::Model],
    now: OffsetDateTime,
) -> Result<Vec<MissedView>, DbErr> {
    let mut list = Vec::new();
    for (stage, kind) in [
        ("verification", VERIFICATION),
        ("decision", DECISION),
        ("measures", MEASURES),
    ] {
        let (mut missed, mut of) = (0, 0);
        for row in rows {
            if let Some(clock) = deadlines::clock_of(&state.db, kind, row.id).await? {
                of += 1;
                if clock.stopped_at.unwrap_or(now) > clock.due_at {
                    missed += 1;
                }
            }
        }
        list.push(MissedView {
            stage: stage.to_owned(),
            missed,
            of,
        });
    }
    Ok(list)
}

/// The figures as CSV: one line per dimension and value, a column per month; then time to
/// close and deadlines missed. Codes, not names, so a spreadsheet can group them.
#[must_use]
pub fn to_csv(view: &InsightsView) -> String {
    let row = |dimension: &str, value: &str, counts: &[u64]| {
        let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
        format!("{dimension},{value},{}", counts.join(","))
    };
    let mut lines = vec![
        format!("dimension,value,{}", view.months.join(",")),
        row("filed", "all", &view.filed),
        row("closed", "all", &view.closed),
    ];
    for (dimension, list) in [
        ("kind", &view.by_kind),
        ("department", &view.by_department),
        ("root_cause", &view.by_cause),
        ("chain_link", &view.by_link),
    ] {
        lines.extend(list.iter().map(|s| row(dimension, &s.code, &s.counts)));
    }
    let figure = |value: Option<u64>| value.map(|v| v.to_string()).unwrap_or_default();
    lines.push(String::new());
    lines.push("closed,median_days,p90_days".to_owned());
    lines.push(format!(
        "{},{},{}",
        view.closed_count,
        figure(view.median_days),
        figure(view.p90_days)
    ));
    lines.push(String::new());
    lines.push("stage,missed,of".to_owned());
    lines.extend(
        view.missed
            .iter()
            .map(|m| format!("{},{},{}", m.stage, m.missed, m.of)),
    );
    lines.push(String::new());
    lines.join("\n")
}

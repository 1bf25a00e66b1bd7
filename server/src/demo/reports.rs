//! The demo hospital's anonymous reports, brought over from its reporting telephone so
//! the privacy officers' queue has work in it: one that came in yesterday, and one left
//! unacknowledged for nine days (past its 7 days). Their receipt codes are printed, to try
//! the reporter's follow-up page. Written once: when any report exists, nothing.

use app::reports::server::service::{bring_over, ReportError};
use app::reports::types::{ReportAccount, ReportKind};
use app::state::AppState;
use sea_orm::{ConnectionTrait, Statement};
use time::{Duration, OffsetDateTime};

const REPORTS: [(ReportKind, &str, &str, i64); 2] = [
    (
        ReportKind::LeftVisible,
        "门诊三楼护士站的电脑午休时一直停在病人列表页面，排队的人都能看到姓名和诊断。",
        "门诊三楼护士站",
        1,
    ),
    (
        ReportKind::Images,
        "有同事把急诊抢救室里病人的照片发到了科室以外的微信群。",
        "急诊科",
        9,
    ),
];

/// Brings the demo reports over; their receipt codes (none when reports already exist).
pub async fn seed(state: &AppState, now: OffsetDateTime) -> Result<Vec<String>, ReportError> {
    let backend = state.db.get_database_backend();
    let existing = state
        .db
        .query_one(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM report",
        ))
        .await?
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .unwrap_or_default();
    if existing > 0 {
        return Ok(Vec::new());
    }
    let mut codes = Vec::new();
    for (kind, what, place, days_ago) in REPORTS {
        let account = ReportAccount {
            what: what.to_owned(),
            place: place.to_owned(),
            when: String::new(),
            who: String::new(),
        };
        codes.push(bring_over(state, kind, &account, now - Duration::days(days_ago)).await?);
    }
    Ok(codes)
}

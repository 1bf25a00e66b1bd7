//! Reminders and escalations of reports' clocks (to every privacy officer: a report has
//! no one else), and the retention job that destroys closed reports. Each reminder or
//! escalation is claimed in the transaction that queues its email, so of several server
//! instances exactly one sends it. Emails carry the reference and a date, nothing else.

use sea_orm::{ColumnTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};

use super::entity::{destruction, file, message, report, step};
use super::{reference_of, ACKNOWLEDGEMENT, FEEDBACK};
use crate::hospital::server::mail::tell_account;
use crate::i18n::Locale;
use crate::identity::server::roles::holders;
use crate::identity::types::Role;
use crate::reports::types::{DestructionView, ReportState};
use crate::ssr::deadlines::{self, last_day, CaseKind, Nudge};
use crate::state::AppState;

pub use crate::ssr::deadlines::Sent;

/// What one pass of the retention job destroyed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Destroyed {
    pub reports: u64,
    pub files: u64,
    pub messages: u64,
}

/// Sends the reminders and escalations due now, to every privacy officer.
pub async fn send_due(state: &AppState) -> Result<Sent, DbErr> {
    let config = &state.reports;
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let mut sent = Sent::default();
    for (kind, timing) in [
        (ACKNOWLEDGEMENT, config.acknowledgement_timing()),
        (FEEDBACK, config.feedback_timing()),
    ] {
        for (clock, nudge) in deadlines::due_now(&state.db, kind, &timing, now).await? {
            let txn = state.db.begin().await?;
            if !deadlines::claim(&txn, kind, clock.case_id, nudge, now).await? {
                continue;
            }
            let news = News {
                kind,
                overdue: nudge == Nudge::Escalation,
                due_on: last_day(clock.due_at, tz),
            };
            tell_officers(&txn, state, clock.case_id, &news, now).await?;
            txn.commit().await?;
            sent.count(nudge);
        }
    }
    Ok(sent)
}

/// A reminder or an escalation.
struct News {
    kind: CaseKind,
    overdue: bool,
    due_on: String,
}

impl News {
    fn template(&self) -> &'static str {
        match (self.kind == ACKNOWLEDGEMENT, self.overdue) {
            (true, false) => "report_acknowledge_reminder",
            (true, true) => "report_acknowledge_overdue",
            (false, false) => "report_feedback_reminder",
            (false, true) => "report_feedback_overdue",
        }
    }

    fn words(&self, locale: Locale, reference: &str) -> (String, String) {
        let acknowledgement = self.kind == ACKNOWLEDGEMENT;
        let due = &self.due_on;
        match (matches!(locale, Locale::ZhHans), acknowledgement, self.overdue) {
            (true, true, false) => ("匿名举报待确认收到".to_owned(), format!("匿名举报 {reference} 须在 {due} 前确认收到。")),
            (true, true, true) => ("匿名举报确认已逾期".to_owned(), format!("匿名举报 {reference} 应在 {due} 前确认收到，现已逾期。")),
            (true, false, false) => ("匿名举报待反馈".to_owned(), format!("须在 {due} 前就匿名举报 {reference} 向举报人反馈处理情况。")),
            (true, false, true) => ("匿名举报反馈已逾期".to_owned(), format!("匿名举报 {reference} 的反馈应在 {due} 前给出，现已逾期。")),
            (false, true, false) => ("An anonymous report awaits acknowledgement".to_owned(), format!("Anonymous report {reference} must be acknowledged by {due}.")),
            (false, true, true) => ("An anonymous report's acknowledgement is overdue".to_owned(), format!("Anonymous report {reference} was to be acknowledged by {due}; that day has passed.")),
            (false, false, false) => ("An anonymous report awaits feedback".to_owned(), format!("The reporter of anonymous report {reference} must be told what was done by {due}.")),
            (false, false, true) => ("An anonymous report's feedback is overdue".to_owned(), format!("The reporter of anonymous report {reference} was to be told what was done by {due}; that day has passed.")),
        }
    }
}

async fn tell_officers<C: sea_orm::ConnectionTrait>(
    conn: &C,
    state: &AppState,
    report_id: i64,
    news: &News,
    now: time::OffsetDateTime,
) -> Result<(), DbErr> {
    let reference = reference_of(report_id);
    let path = format!("/staff/reports/{reference}");
    let mail = state.access.ingest.mail.as_ref();
    for officer in holders(conn, Role::PrivacyOfficer).await? {
        let words = |locale| news.words(locale, &reference);
        tell_account(
            conn,
            mail,
            officer,
            true,
            news.template(),
            words,
            &path,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Destroys the reports closed longer ago than the retention period, with their
/// messages, files, steps and clocks, and writes one destruction record saying how many,
/// by which rule and when. Nothing else about them is kept.
pub async fn destroy_expired(state: &AppState) -> Result<Destroyed, DbErr> {
    let now = state.clock.now();
    let retention = state.reports.retention;
    let txn = state.db.begin().await?;
    let ids: Vec<i64> = report::Entity::find()
        .filter(report::Column::State.eq(ReportState::Closed.code()))
        .filter(report::Column::ClosedAt.lte(now - retention))
        .all(&txn)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    if ids.is_empty() {
        return Ok(Destroyed::default());
    }
    let files = file::Entity::find()
        .filter(file::Column::ReportId.is_in(ids.clone()))
        .count(&txn)
        .await?;
    let messages = message::Entity::find()
        .filter(message::Column::ReportId.is_in(ids.clone()))
        .count(&txn)
        .await?;
    file::Entity::delete_many()
        .filter(file::Column::ReportId.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    message::Entity::delete_many()
        .filter(message::Column::ReportId.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    step::Entity::delete_many()
        .filter(step::Column::ReportId.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    report::Entity::delete_many()
        .filter(report::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    deadlines::forget(&txn, ACKNOWLEDGEMENT, &ids).await?;
    deadlines::forget(&txn, FEEDBACK, &ids).await?;
    let reports = ids.len() as u64;
    destruction::Entity::insert(destruction::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        at: sea_orm::Set(now),
        rule: sea_orm::Set(format!(
            "closed + {} days (PORTAL_REPORT_RETENTION)",
            retention.whole_days()
        )),
        reports: sea_orm::Set(i64::try_from(reports).unwrap_or(i64::MAX)),
        files: sea_orm::Set(i64::try_from(files).unwrap_or(i64::MAX)),
        messages: sea_orm::Set(i64::try_from(messages).unwrap_or(i64::MAX)),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    state.reports.guard.forget_reports(&ids);
    Ok(Destroyed {
        reports,
        files,
        messages,
    })
}

/// The destruction records, newest first: when, by which rule, how many.
pub async fn destructions(state: &AppState) -> Result<Vec<DestructionView>, DbErr> {
    use sea_orm::QueryOrder;
    let tz = &state.settings.time_zone;
    Ok(destruction::Entity::find()
        .order_by_desc(destruction::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|row| DestructionView {
            at: crate::ssr::time::local_minute(row.at, tz),
            rule: row.rule,
            reports: row.reports,
            files: row.files,
            messages: row.messages,
        })
        .collect())
}

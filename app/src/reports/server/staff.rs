//! The privacy officers' side: the queue by due date, a report opened (each opening kept
//! as a staff action), and the steps: acknowledge (stops the 7-day clock and starts the
//! 3 months from that day), investigate, ask and reply, internal notes, feedback (stops the
//! 3-month clock), link to a complaint investigation, close. Each step is one transaction
//! with its kept step; what reaches the reporter waits on the follow-up page (the portal
//! has no way to tell them, by design).

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, TransactionTrait,
};

use super::entity::{message, report, step};
use super::service::{
    account_of, add_message, due_on, files, load, messages, opened, record_step, report_file,
    ReportError, REPORTER, STAFF,
};
use super::{id_of, ACKNOWLEDGEMENT, FEEDBACK};
use crate::audit::staff_action::{self, StaffAction};
use crate::identity::server::access::{PrivacyOfficerRole, SignedIn, StaffCap};
use crate::reports::types::{
    MessageKind, QueueRow, ReportState, ReportStep, StaffReportView, StepView, TEXT_LIMIT,
};
use crate::ssr::deadlines::{self, end_of_months_after};
use crate::ssr::time::{local_date, local_minute};
use crate::state::AppState;

/// A privacy officer's capability: every step here takes one.
pub type OfficerCap = StaffCap<PrivacyOfficerRole>;

/// Staff names, each looked up once while a view is built (one officer usually took
/// most of a report's steps and wrote most of its messages).
#[derive(Default)]
pub(super) struct Names(std::collections::HashMap<i64, Option<String>>);

impl Names {
    pub(super) async fn of<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        id: i64,
    ) -> Result<Option<String>, DbErr> {
        if let Some(name) = self.0.get(&id) {
            return Ok(name.clone());
        }
        let name = crate::accounts::server::query::by_id(conn, id)
            .await?
            .map(|account| account.display_name);
        self.0.insert(id, name.clone());
        Ok(name)
    }
}

async fn find<C: ConnectionTrait>(conn: &C, reference: &str) -> Result<report::Model, ReportError> {
    load(conn, id_of(reference).ok_or(ReportError::NotFound)?).await
}

/// Open reports (or, with `closed`, the closed ones awaiting destruction): overdue first,
/// then by the last day of the step they wait on.
pub async fn queue(
    state: &AppState,
    _cap: &OfficerCap,
    closed: bool,
) -> Result<Vec<QueueRow>, ReportError> {
    let tz = &state.settings.time_zone;
    let closed_code = ReportState::Closed.code();
    let rows = report::Entity::find()
        .filter(if closed {
            report::Column::State.eq(closed_code)
        } else {
            report::Column::State.ne(closed_code)
        })
        .all(&state.db)
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let due = match due_on(state, &state.db, ACKNOWLEDGEMENT, row.id).await? {
            Some(due) => Some(due),
            None => due_on(state, &state.db, FEEDBACK, row.id).await?,
        };
        let (due_on, overdue) = due.map_or((None, false), |(day, overdue)| (Some(day), overdue));
        let reporter_waiting = !closed && last_word_is_the_reporters(&state.db, row.id).await?;
        lines.push(QueueRow {
            reference: row.reference(),
            kind: row.kind(),
            state: row.stage(),
            received_on: local_date(row.received_on, tz),
            due_on,
            overdue,
            reporter_waiting,
        });
    }
    lines.sort_by(|a, b| {
        (!a.overdue, a.due_on.is_none(), &a.due_on, &a.reference).cmp(&(
            !b.overdue,
            b.due_on.is_none(),
            &b.due_on,
            &b.reference,
        ))
    });
    Ok(lines)
}

/// Whether the last message of the conversation (staff notes aside) is the reporter's.
async fn last_word_is_the_reporters<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
) -> Result<bool, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let last: Option<String> = message::Entity::find()
        .select_only()
        .column(message::Column::Author)
        .filter(message::Column::ReportId.eq(report_id))
        .filter(message::Column::Kind.ne(MessageKind::Note.code()))
        .order_by_desc(message::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(last.as_deref() == Some(REPORTER))
}

/// Opens a report: the view, with the opening kept as a step and a staff action.
pub async fn open(
    state: &AppState,
    who: &SignedIn,
    _cap: &OfficerCap,
    reference: &str,
) -> Result<StaffReportView, ReportError> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    let (row, key) = opened(state, &txn, row.id).await?;
    record_step(
        &txn,
        row.id,
        ReportStep::Opened,
        Some(who.account_id),
        None,
        now,
    )
    .await?;
    let reference = row.reference();
    staff_action::record(
        &txn,
        Some(who.account_id),
        StaffAction::OpenReport,
        None,
        Some(&reference),
        now,
    )
    .await?;
    let steps = step::Entity::find()
        .filter(step::Column::ReportId.eq(row.id))
        .all(&txn)
        .await?;
    let mut names = Names::default();
    let mut step_views = Vec::with_capacity(steps.len());
    for s in steps {
        let Some(what) = ReportStep::from_code(&s.step) else {
            continue;
        };
        let by = match s.actor_id {
            Some(id) => names.of(&txn, id).await?,
            None => None,
        };
        // What the reporter did is dated by the day only.
        let at = if s.actor_id.is_some() {
            local_minute(s.at, tz)
        } else {
            local_date(s.at, tz)
        };
        step_views.push(StepView {
            step: what,
            by,
            at,
            detail: s.detail,
        });
    }
    let acknowledge = due_on(state, &txn, ACKNOWLEDGEMENT, row.id).await?;
    let feedback = due_on(state, &txn, FEEDBACK, row.id).await?;
    let overdue =
        acknowledge.as_ref().is_some_and(|due| due.1) || feedback.as_ref().is_some_and(|due| due.1);
    let handler = match row.handler_id {
        Some(id) => names.of(&txn, id).await?,
        None => None,
    };
    let complaint = match row.complaint_id {
        Some(id) => crate::complaints::server::staff::complaint_reference(&txn, id).await?,
        None => None,
    };
    let view = StaffReportView {
        reference,
        kind: row.kind(),
        state: row.stage(),
        received_on: local_date(row.received_on, tz),
        account: account_of(&row, &key)?,
        messages: messages(state, &txn, &row, &key, Some(&mut names)).await?,
        files: files(state, &txn, &row, &key).await?,
        steps: step_views,
        acknowledge_by: acknowledge.map(|due| due.0),
        feedback_by: feedback.map(|due| due.0),
        overdue,
        handler,
        complaint,
    };
    txn.commit().await?;
    Ok(view)
}

/// A file of a report, for a privacy officer (kept as a staff action).
pub async fn open_file(
    state: &AppState,
    who: &SignedIn,
    _cap: &OfficerCap,
    reference: &str,
    file_id: i64,
) -> Result<(String, String, Vec<u8>), ReportError> {
    let row = find(&state.db, reference).await?;
    let found = report_file(state, row.id, file_id).await?;
    staff_action::record(
        &state.db,
        Some(who.account_id),
        StaffAction::OpenReportFile,
        None,
        Some(&row.reference()),
        state.clock.now(),
    )
    .await?;
    Ok(found)
}

/// A step that moves a report on: it must stand in one of `from`; it goes to `to`.
struct Move<'a> {
    from: &'a [ReportState],
    to: ReportState,
    step: ReportStep,
    /// What the reporter is told, of what kind.
    message: Option<(MessageKind, &'a str)>,
}

async fn advance(
    state: &AppState,
    who: &SignedIn,
    reference: &str,
    change: Move<'_>,
) -> Result<(), ReportError> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    let (row, key) = opened(state, &txn, row.id).await?;
    if !change.from.contains(&row.stage()) {
        return Err(ReportError::WrongStage);
    }
    // Conditional on the state read: of two officers taking a step at once, one wins.
    let mut update = report::Entity::update_many()
        .col_expr(
            report::Column::State,
            sea_orm::sea_query::Expr::value(change.to.code()),
        )
        .filter(report::Column::Id.eq(row.id))
        .filter(report::Column::State.eq(row.state.clone()));
    if row.handler_id.is_none() {
        update = update.col_expr(
            report::Column::HandlerId,
            sea_orm::sea_query::Expr::value(who.account_id),
        );
    }
    if change.to == ReportState::Closed {
        update = update.col_expr(
            report::Column::ClosedAt,
            sea_orm::sea_query::Expr::value(now),
        );
    }
    if update.exec(&txn).await?.rows_affected != 1 {
        return Err(ReportError::WrongStage);
    }
    if let Some((kind, text)) = change.message {
        add_message(
            &txn,
            &row,
            &key,
            STAFF,
            Some(who.account_id),
            kind,
            text,
            now,
        )
        .await?;
    }
    record_step(&txn, row.id, change.step, Some(who.account_id), None, now).await?;
    match change.to {
        ReportState::Acknowledged => {
            deadlines::stop(&txn, ACKNOWLEDGEMENT, row.id, now).await?;
            let due = end_of_months_after(now, state.reports.feedback_months, tz);
            deadlines::due_no_later_than(&txn, FEEDBACK, row.id, due).await?;
        }
        ReportState::FeedbackGiven => deadlines::stop(&txn, FEEDBACK, row.id, now).await?,
        ReportState::Closed => {
            deadlines::stop(&txn, ACKNOWLEDGEMENT, row.id, now).await?;
            deadlines::stop(&txn, FEEDBACK, row.id, now).await?;
        }
        ReportState::Received | ReportState::Investigating => {}
    }
    txn.commit().await?;
    Ok(())
}

fn text(text: &str, field: &'static str, required: bool) -> Result<Option<String>, ReportError> {
    let text = text.trim();
    if text.chars().count() > TEXT_LIMIT || (required && text.is_empty()) {
        return Err(ReportError::Invalid(field));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// Acknowledges receipt, with an optional message to the reporter.
pub async fn acknowledge(
    state: &AppState,
    who: &SignedIn,
    _cap: &OfficerCap,
    reference: &str,
    message: &str,
) -> Result<(), ReportError> {
    let message = text(message, "message", false)?;
    let change = Move {
        from: &[ReportState::Received],
        to: ReportState::Acknowledged,
        step: ReportStep::Acknowledged,
        message: message
            .as_deref()
            .map(|m| (MessageKind::Acknowledgement, m)),
    };
    advance(state, who, reference, change).await
}

/// Starts the investigation.
pub async fn investigate(
    state: &AppState,
    who: &SignedIn,
    _cap: &OfficerCap,
    reference: &str,
) -> Result<(), ReportError> {
    let change = Move {
        from: &[ReportState::Acknowledged],
        to: ReportState::Investigating,
        step: ReportStep::Investigating,
        message: None,
    };
    advance(state, who, reference, change).await
}

/// Tells the reporter what was done or found (the feedback the 3 months are for).
pub async fn give_feedback(
    state: &AppState,
    who: &SignedIn,
    _cap: &OfficerCap,
    reference: &str,
    feedback: &str,
) -> Result<(), ReportError> {
    let feedback = text(feedback, "feedback", true)?.unwrap_or_default();
    let change = Move {
        from: &[ReportState::Acknowledged, ReportState::Investigating],
        to: ReportState::FeedbackGiven,
        step: ReportStep::FeedbackGiven,
        message: Some((MessageKind::Feedback, &feedback)),
    };
    advance(state, who, reference, change).await
}

/// Closes the report, telling the reporter why; the retention period starts.
pub async fn close(
    state: &AppState,
    who: &SignedIn,
    _cap: &OfficerCap,
    reference: &str,
    reason: &str,
) -> Result<(), ReportError> {
    let reason = text(reason, "reason", true)?.unwrap_or_default();
    let change = Move {
        from: &[
            ReportState::Acknowledged,
            ReportState::Investigating,
            ReportState::FeedbackGiven,
        ],
        to: ReportState::Closed,
        step: ReportStep::Closed,
        message: Some((MessageKind::Closing, &reason)),
    };
    advance(state, who, reference, change).await
}

/// A message to the reporter (`question` or `message`), or a note among staff (`note`).
pub async fn write(
    state: &AppState,
    who: &SignedIn,
    _cap: &OfficerCap,
    reference: &str,
    kind: &str,
    body: &str,
) -> Result<(), ReportError> {
    let (kind, step) = match kind.trim() {
        "question" => (MessageKind::Question, ReportStep::Asked),
        "message" => (MessageKind::Message, ReportStep::Replied),
        "note" => (MessageKind::Note, ReportStep::Noted),
        _ => return Err(ReportError::Invalid("kind")),
    };
    let body = text(body, "text", true)?.unwrap_or_default();
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    let (row, key) = opened(state, &txn, row.id).await?;
    // The reporter is written to once the report is acknowledged, and never after it
    // closed; staff notes may be added at any time before it is destroyed.
    let reporter_may_read = !matches!(row.stage(), ReportState::Received | ReportState::Closed);
    if kind != MessageKind::Note && !reporter_may_read {
        return Err(ReportError::WrongStage);
    }
    add_message(
        &txn,
        &row,
        &key,
        STAFF,
        Some(who.account_id),
        kind,
        &body,
        now,
    )
    .await?;
    record_step(&txn, row.id, step, Some(who.account_id), None, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Links the report to the complaint investigation `complaint` (its reference). Nothing
/// about the reporter goes to the complaint: the link is kept on the report.
pub async fn link(
    state: &AppState,
    who: &SignedIn,
    _cap: &OfficerCap,
    reference: &str,
    complaint: &str,
) -> Result<(), ReportError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    if row.stage() == ReportState::Closed {
        return Err(ReportError::WrongStage);
    }
    let (complaint_id, complaint_reference) =
        crate::complaints::server::staff::complaint_id(&txn, complaint)
            .await?
            .ok_or(ReportError::Invalid("complaint"))?;
    let mut active: report::ActiveModel = row.clone().into();
    active.complaint_id = Set(Some(complaint_id));
    report::Entity::update(active).exec(&txn).await?;
    record_step(
        &txn,
        row.id,
        ReportStep::Linked,
        Some(who.account_id),
        Some(complaint_reference),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

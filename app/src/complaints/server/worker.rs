//! Reminders and escalations of complaints' clocks, driven by the portal's clock. Each is
//! claimed with a conditional update in the transaction that queues its email, so of
//! several server instances exactly one sends it.

use sea_orm::{DbErr, EntityTrait, TransactionTrait};

use super::entity::complaint;
use super::mail::{tell_staff, News};
use super::{DECISION, MEASURES, VERIFICATION};
use crate::accounts::server::query;
use crate::complaints::types::ComplaintState;
use crate::identity::server::roles::holders;
use crate::identity::types::Role;
use crate::ssr::deadlines::{self, last_day, CaseKind, Timing};
use crate::state::AppState;

/// What one pass sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub reminders: usize,
    pub escalations: usize,
}

/// Who is reminded of the step a complaint waits on: the privacy officer handling it (all
/// of them while nobody is), the lead investigator, or the approvers.
async fn who_acts<C: sea_orm::ConnectionTrait>(
    conn: &C,
    row: &complaint::Model,
) -> Result<Vec<i64>, DbErr> {
    let named = match (row.stage(), row.handler_id, row.lead_id) {
        (ComplaintState::Approval, _, _) => holders(conn, Role::Approver).await?,
        (
            ComplaintState::Investigation | ComplaintState::Plan | ComplaintState::Measures,
            _,
            Some(lead),
        ) => vec![lead],
        (ComplaintState::Verification, Some(handler), _) => vec![handler],
        _ => Vec::new(),
    };
    let mut active = Vec::with_capacity(named.len());
    for id in named {
        if query::active_by_id(conn, id).await?.is_some() {
            active.push(id);
        }
    }
    // Nobody named, or those named have left: every privacy officer.
    if active.is_empty() {
        return holders(conn, Role::PrivacyOfficer).await;
    }
    Ok(active)
}

/// Sends the reminders and escalations due now, for each of the complaints' clocks.
pub async fn send_due(state: &AppState) -> Result<Sent, DbErr> {
    let timings = &state.complaints;
    let mut sent = Sent::default();
    for (kind, timing) in [
        (VERIFICATION, &timings.verification),
        (DECISION, &timings.decision),
        (MEASURES, &timings.measures),
    ] {
        let one = send_due_of(state, kind, timing).await?;
        sent.reminders += one.reminders;
        sent.escalations += one.escalations;
    }
    Ok(sent)
}

async fn send_due_of(state: &AppState, kind: CaseKind, timing: &Timing) -> Result<Sent, DbErr> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let mut sent = Sent::default();
    for clock in deadlines::reminders_due(&state.db, kind, timing, now).await? {
        let txn = state.db.begin().await?;
        if !deadlines::claim_reminder(&txn, kind, clock.case_id, now).await? {
            continue;
        }
        let Some(row) = complaint::Entity::find_by_id(clock.case_id)
            .one(&txn)
            .await?
        else {
            continue;
        };
        let to = who_acts(&txn, &row).await?;
        let news = News::Reminder {
            due_on: last_day(clock.due_at, tz),
        };
        tell_staff(&txn, state, row.reference(), &to, &news, now).await?;
        txn.commit().await?;
        sent.reminders += 1;
    }
    for clock in deadlines::overdue(&state.db, kind, now).await? {
        let txn = state.db.begin().await?;
        if !deadlines::claim_escalation(&txn, kind, clock.case_id, now).await? {
            continue;
        }
        let Some(row) = complaint::Entity::find_by_id(clock.case_id)
            .one(&txn)
            .await?
        else {
            continue;
        };
        let to = holders(&txn, Role::PrivacyOfficer).await?;
        tell_staff(&txn, state, row.reference(), &to, &News::Overdue, now).await?;
        txn.commit().await?;
        sent.escalations += 1;
    }
    Ok(sent)
}

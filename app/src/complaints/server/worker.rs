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
use crate::ssr::deadlines::{self, last_day, Nudge};
use crate::state::AppState;

pub use crate::ssr::deadlines::Sent;

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

/// Sends the reminders and escalations due now, for each of the complaints' clocks:
/// reminders to the people of the step, escalations to the privacy officers.
pub async fn send_due(state: &AppState) -> Result<Sent, DbErr> {
    let timings = &state.complaints;
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let mut sent = Sent::default();
    for (kind, timing) in [
        (VERIFICATION, &timings.verification),
        (DECISION, &timings.decision),
        (MEASURES, &timings.measures),
    ] {
        for (clock, nudge) in deadlines::due_now(&state.db, kind, timing, now).await? {
            let txn = state.db.begin().await?;
            if !deadlines::claim(&txn, kind, clock.case_id, nudge, now).await? {
                continue;
            }
            let Some(row) = complaint::Entity::find_by_id(clock.case_id)
                .one(&txn)
                .await?
            else {
                continue;
            };
            let (to, news) = match nudge {
                Nudge::Reminder => {
                    let due_on = last_day(clock.due_at, tz);
                    (who_acts(&txn, &row).await?, News::Reminder { due_on })
                }
                Nudge::Escalation => (holders(&txn, Role::PrivacyOfficer).await?, News::Overdue),
            };
            tell_staff(&txn, state, row.reference(), &to, &news, now).await?;
            txn.commit().await?;
            sent.count(nudge);
        }
    }
    Ok(sent)
}

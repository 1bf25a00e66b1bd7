//! Reminders and escalations of correction requests, driven by the portal's clock. Each
//! one is claimed with a conditional update in the transaction that queues its email, so
//! of several server instances exactly one sends it.

use sea_orm::{DbErr, EntityTrait, TransactionTrait};

use super::entity::request;
use super::mail::{tell_staff, News};
use super::CORRECTION;
use crate::accounts::server::query;
use crate::identity::server::roles::holders;
use crate::identity::types::Role;
use crate::ssr::deadlines::{self, last_day};
use crate::state::AppState;

/// What one pass sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub reminders: usize,
    pub escalations: usize,
}

/// Sends the reminders and escalations due now.
pub async fn send_due(state: &AppState) -> Result<Sent, DbErr> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let mut sent = Sent::default();
    let timing = &state.corrections.timing;
    for clock in deadlines::reminders_due(&state.db, CORRECTION, timing, now).await? {
        let txn = state.db.begin().await?;
        if !deadlines::claim_reminder(&txn, CORRECTION, clock.case_id, now).await? {
            continue;
        }
        let Some(row) = request::Entity::find_by_id(clock.case_id).one(&txn).await? else {
            continue;
        };
        // The assigned officer; while nobody is (or the one assigned has left), every
        // records officer.
        let assignee = match row.assignee_id {
            Some(id) => query::active_by_id(&txn, id).await?.map(|a| a.id),
            None => None,
        };
        let to = match assignee {
            Some(id) => vec![id],
            None => holders(&txn, Role::RecordsOfficer).await?,
        };
        let news = News::Reminder {
            due_on: last_day(clock.due_at, tz),
        };
        tell_staff(&txn, state, &row, &to, &news, now).await?;
        txn.commit().await?;
        sent.reminders += 1;
    }
    for clock in deadlines::overdue(&state.db, CORRECTION, now).await? {
        let txn = state.db.begin().await?;
        if !deadlines::claim_escalation(&txn, CORRECTION, clock.case_id, now).await? {
            continue;
        }
        let Some(row) = request::Entity::find_by_id(clock.case_id).one(&txn).await? else {
            continue;
        };
        let to = holders(&txn, Role::PrivacyOfficer).await?;
        tell_staff(&txn, state, &row, &to, &News::Overdue, now).await?;
        txn.commit().await?;
        sent.escalations += 1;
    }
    Ok(sent)
}

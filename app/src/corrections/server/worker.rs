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
use crate::ssr::deadlines::{self, last_day, Nudge};
use crate::state::AppState;

pub use crate::ssr::deadlines::Sent;

/// Sends the reminders and escalations due now: reminders to the assigned records officer
/// (every records officer while nobody is, or the one assigned has left), escalations to
/// the privacy officers.
pub async fn send_due(state: &AppState) -> Result<Sent, DbErr> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let mut sent = Sent::default();
    let timing = &state.corrections.timing;
    for (clock, nudge) in deadlines::due_now(&state.db, CORRECTION, timing, now).await? {
        let txn = state.db.begin().await?;
        if !deadlines::claim(&txn, CORRECTION, clock.case_id, nudge, now).await? {
            continue;
        }
        let Some(row) = request::Entity::find_by_id(clock.case_id).one(&txn).await? else {
            continue;
        };
        let (to, news) = match nudge {
            Nudge::Reminder => {
                let assignee = match row.assignee_id {
                    Some(id) => query::active_by_id(&txn, id).await?.map(|a| a.id),
                    None => None,
                };
                let to = match assignee {
                    Some(id) => vec![id],
                    None => holders(&txn, Role::RecordsOfficer).await?,
                };
                let due_on = last_day(clock.due_at, tz);
                (to, News::Reminder { due_on })
            }
            Nudge::Escalation => (holders(&txn, Role::PrivacyOfficer).await?, News::Overdue),
        };
        tell_staff(&txn, state, &row, &to, &news, now).await?;
        txn.commit().await?;
        sent.count(nudge);
    }
    Ok(sent)
}

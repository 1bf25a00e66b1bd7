//! The portal logs itself: when staff see a patient's data inside the portal, that
//! access goes into the patient's log like any other.

use sea_orm::{DbErr, EntityTrait};
use time::OffsetDateTime;

use super::ingest::{ingest, NewAccess};
use super::sources::portal_source;
use crate::access_log::types::{Action, AgentKind, Category, Purpose};
use crate::accounts::server::entity as account;
use crate::hospital::server::entity::department;
use crate::identity::server::access::SignedIn;
use crate::ssr::state::AppState;

/// Name of the portal as the source system of its own events.
pub const PORTAL_SYSTEM: &str = "Patient Privacy Portal";

/// Records that `staff` saw `what` of each patient in `patient_mrns`.
pub async fn staff_viewed(
    state: &AppState,
    staff: &SignedIn,
    patient_mrns: &[String],
    what: Category,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    if patient_mrns.is_empty() {
        return Ok(());
    }
    let me = account::Entity::find_by_id(staff.account_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("signed-in staff account".into()))?;
    let department_code = match me.department_id {
        Some(id) => department::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .map(|d| d.code),
        None => None,
    };
    let role = staff
        .roles
        .iter()
        .find(|role| role.is_staff())
        .map(|role| role.as_str().to_owned());
    let events: Vec<NewAccess> = patient_mrns
        .iter()
        .map(|mrn| NewAccess {
            source_event_id: uuid::Uuid::new_v4().to_string(),
            patient_mrn: mrn.clone(),
            occurred_at: now,
            category: what,
            action: Action::View,
            purpose: Purpose::Operations,
            purpose_code: None,
            agent_kind: AgentKind::Staff,
            agent_ref: me.staff_number.clone(),
            agent_name: me.display_name.clone(),
            agent_role: me.job_title.clone().or_else(|| role.clone()),
            department_code: department_code.clone(),
            system: Some(PORTAL_SYSTEM.to_owned()),
            site: None,
            workstation: None,
            detail: None,
        })
        .collect();
    let source = portal_source(&state.db, now).await?;
    ingest(&state.db, &source, &events, &state.access.ingest, now).await?;
    Ok(())
}

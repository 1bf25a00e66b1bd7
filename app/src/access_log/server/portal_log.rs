//! The portal logs itself: when staff see a patient's data inside the portal, or act on a
//! patient's account, that access goes into the patient's log like any other. Every
//! writer here takes the caller's connection or transaction, so a feature's change and
//! its log entries commit together.

use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};
use time::OffsetDateTime;

use super::ingest::{ingest, IngestContext, NewAccess};
use crate::access_log::types::{Action, AgentKind, Category, Purpose};
use crate::accounts::server::query;
use crate::hospital::server::service::department_code;
use crate::identity::server::access::SignedIn;
use crate::ssr::sources::portal_source;

/// Name of the portal as the source system of its own events.
pub const PORTAL_SYSTEM: &str = "Patient Privacy Portal";

/// Records that `staff` saw `what` of each patient in `patient_mrns`, on `conn`.
pub async fn staff_viewed<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    context: &IngestContext,
    staff: &SignedIn,
    patient_mrns: &[String],
    what: Category,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    staff_did(
        conn,
        context,
        staff,
        patient_mrns,
        what,
        Action::View,
        None,
        now,
    )
    .await
}

/// Records that `staff` did `action` on `what` of each patient in `patient_mrns`, with an
/// optional detail the patient reads, on `conn`.
#[allow(clippy::too_many_arguments)] // Each is one fact of the entry; a struct would only rename them.
pub async fn staff_did<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    context: &IngestContext,
    staff: &SignedIn,
    patient_mrns: &[String],
    what: Category,
    action: Action,
    detail: Option<String>,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    if patient_mrns.is_empty() {
        return Ok(());
    }
    let me = query::by_id(conn, staff.account_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("signed-in staff account".into()))?;
    let department_code = match me.department_id {
        Some(id) => department_code(conn, id).await?,
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
            action,
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
            detail: detail.clone(),
        })
        .collect();
    let source = portal_source(conn, now).await?;
    ingest(conn, &source, &events, context, now).await?;
    Ok(())
}

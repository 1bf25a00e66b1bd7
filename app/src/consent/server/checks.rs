//! Hospital systems asking about consent leave a trace in the patient's access log: each
//! decision request and each read of their `Consent` resources is an access to the
//! patient's consent choices, recorded under the asking system's name.

use sea_orm::DbErr;
use time::OffsetDateTime;

use super::rows::ConsentPurpose;
use crate::access_log::server::ingest::{ingest, NewAccess};
use crate::access_log::types::{Action, AgentKind, Category, Purpose};
use crate::consent::types::ConsentCheckOutcome;
use crate::ssr::sources::Source;
use crate::state::AppState;

/// What a system did with a patient's consent.
#[derive(Clone, Debug)]
pub struct ConsentCheck<'a> {
    pub patient_mrn: &'a str,
    /// The purpose asked about; `None` when a search covered every purpose.
    pub purpose: Option<&'a ConsentPurpose>,
    /// What the system did and was told, recorded with the entry.
    pub outcome: ConsentCheckOutcome,
}

/// Writes the check into the patient's access log, as `source`.
pub async fn record_check(
    state: &AppState,
    source: &Source,
    check: &ConsentCheck<'_>,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let access = NewAccess {
        source_event_id: uuid::Uuid::new_v4().to_string(),
        patient_mrn: check.patient_mrn.to_owned(),
        occurred_at: now,
        category: Category::Consent,
        action: Action::View,
        purpose: check
            .purpose
            .and_then(|p| Purpose::from_code(&p.access_purpose))
            .unwrap_or(Purpose::Other),
        purpose_code: check.purpose.map(|p| p.purpose_code.clone()),
        agent_kind: AgentKind::System,
        agent_ref: None,
        agent_name: source.name.clone(),
        agent_role: None,
        department_code: None,
        system: Some(source.name.clone()),
        site: None,
        workstation: None,
        detail: Some(check.outcome.detail()),
    };
    ingest(&state.db, source, &[access], &state.access.ingest, now).await?;
    Ok(())
}

//! Server functions of correction requests. A patient files and reads only their own
//! requests; any other reference is "not found".

use leptos::prelude::*;

use super::types::{
    AskCorrection, CorrectionFormView, CorrectionSummaryView, CorrectionView, DecisionForm,
    ExtensionForm, QueueView, StaffCorrectionView,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod edge {
    //! Turning the service's refusals into what the person is told.
    use crate::corrections::server::service::CorrectionError;
    use crate::error::AppError;
    use crate::ssr::request::internal_error;

    pub fn refusal(error: CorrectionError) -> AppError {
        match error {
            CorrectionError::NotFound => AppError::NotFound,
            CorrectionError::BadField => AppError::invalid("field"),
            CorrectionError::BadProposed => AppError::invalid("proposed"),
            CorrectionError::BadReason => AppError::invalid("reason"),
            CorrectionError::BadMessage => AppError::invalid("body"),
            CorrectionError::Closed => AppError::invalid("closed"),
            CorrectionError::TooManyFiles | CorrectionError::File(_) => AppError::invalid("file"),
            CorrectionError::BadOfficer => AppError::invalid("officer"),
            CorrectionError::BadDays => AppError::invalid("days"),
            CorrectionError::AlreadyExtended => AppError::invalid("extended"),
            CorrectionError::BadDecision => AppError::invalid("decision"),
            CorrectionError::BadAmended => AppError::invalid("amended"),
            CorrectionError::BadNote => AppError::invalid("note"),
            CorrectionError::BadStatement => AppError::invalid("statement"),
            CorrectionError::Database(cause) => internal_error(&cause),
        }
    }

    /// After a staff change from the page, back to the request, which says it was done.
    pub fn land_on_staff_page(reference: &str, done: &str) {
        crate::ssr::forms::land_on(&format!("/staff/corrections/{reference}?done={done}"));
    }
}

/// What the new-request form shows: the entry and its fields, or the section.
#[server(endpoint = "corrections/form")]
pub async fn correction_form(
    entry: Option<i64>,
    section: Option<String>,
    field: Option<String>,
) -> Result<CorrectionFormView, AppError> {
    use crate::corrections::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::form(&state, &cap, entry, section.as_deref(), field.as_deref())
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// Files a request; returns its reference. From the page, lands on the request.
#[server(endpoint = "corrections/file")]
pub async fn file_correction(ask: AskCorrection) -> Result<String, AppError> {
    use crate::corrections::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            let reference = service::ask(&state, &cap, &ask)
                .await
                .map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&format!("{}?filed=1", service::request_path(&reference)));
            Ok(reference)
        }
        .await,
    )
}

/// The caller's requests, newest first.
#[server(endpoint = "corrections/mine")]
pub async fn my_corrections() -> Result<Vec<CorrectionSummaryView>, AppError> {
    use crate::corrections::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::mine(&state, &cap).await.map_err(edge::refusal)
        }
        .await,
    )
}

/// One of the caller's requests with its messages and files.
#[server(endpoint = "corrections/one")]
pub async fn my_correction(reference: String) -> Result<CorrectionView, AppError> {
    use crate::corrections::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::one(&state, &cap, &reference)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// A message from the caller on their request. From the page, lands back on it.
#[server(endpoint = "corrections/message")]
pub async fn send_correction_message(reference: String, body: String) -> Result<(), AppError> {
    use crate::corrections::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::patient_message(&state, &cap, &reference, &body)
                .await
                .map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&format!(
                "{}?sent=1#messages",
                service::request_path(&reference)
            ));
            Ok(())
        }
        .await,
    )
}

/// After a denial, the caller's statement of disagreement. From the page, lands back on
/// the request.
#[server(endpoint = "corrections/disagree")]
pub async fn disagree_correction(reference: String, statement: String) -> Result<(), AppError> {
    use crate::corrections::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::disagree(&state, &cap, &reference, &statement)
                .await
                .map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&format!(
                "{}?disagreed=1",
                service::request_path(&reference)
            ));
            Ok(())
        }
        .await,
    )
}

/// The records officers' queue.
#[server(endpoint = "corrections/queue")]
pub async fn correction_queue(
    state: Option<String>,
    department: Option<String>,
    assignee: Option<String>,
) -> Result<QueueView, AppError> {
    use crate::corrections::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::staff::<access::RecordsOfficerRole>().await?;
            let filter = crate::corrections::types::QueueFilter {
                state,
                department,
                assignee,
            };
            let state = AppState::current()?;
            staff::queue(&state, &cap, &filter)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// One request for a records officer; the opening is written into the patient's log.
#[server(endpoint = "corrections/staff-view")]
pub async fn staff_correction(reference: String) -> Result<StaffCorrectionView, AppError> {
    use crate::corrections::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::RecordsOfficerRole>().await?;
            let state = AppState::current()?;
            staff::open(&state, &who, &cap, &reference)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// Assigns a request to a records officer (`officer` empty: to nobody).
#[server(endpoint = "corrections/assign")]
pub async fn assign_correction(reference: String, officer: String) -> Result<(), AppError> {
    use crate::corrections::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::staff::<access::RecordsOfficerRole>().await?;
            let state = AppState::current()?;
            let officer = match officer.trim() {
                "" => None,
                id => Some(
                    id.parse::<i64>()
                        .map_err(|_| AppError::invalid("officer"))?,
                ),
            };
            staff::assign(&state, &cap, &reference, officer)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_staff_page(&reference, "assigned");
            Ok(())
        }
        .await,
    )
}

/// The one extension of a request, with the reason the patient is told.
#[server(endpoint = "corrections/extend")]
pub async fn extend_correction(extend: ExtensionForm) -> Result<(), AppError> {
    use crate::corrections::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::RecordsOfficerRole>().await?;
            let state = AppState::current()?;
            staff::extend(&state, &who, &cap, &extend)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_staff_page(&extend.reference, "extended");
            Ok(())
        }
        .await,
    )
}

/// A records officer's decision.
#[server(endpoint = "corrections/decide")]
pub async fn decide_correction(decide: DecisionForm) -> Result<(), AppError> {
    use crate::corrections::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::RecordsOfficerRole>().await?;
            let state = AppState::current()?;
            staff::decide(&state, &who, &cap, &decide)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_staff_page(&decide.reference, "decided");
            Ok(())
        }
        .await,
    )
}

/// A message from a records officer to the patient.
#[server(endpoint = "corrections/staff-message")]
pub async fn message_patient(reference: String, body: String) -> Result<(), AppError> {
    use crate::corrections::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::RecordsOfficerRole>().await?;
            let state = AppState::current()?;
            staff::message_patient(&state, &who, &cap, &reference, &body)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_staff_page(&reference, "sent");
            Ok(())
        }
        .await,
    )
}

/// The hospital's rebuttal of a patient's statement of disagreement.
#[server(endpoint = "corrections/rebut")]
pub async fn rebut_correction(reference: String, text: String) -> Result<(), AppError> {
    use crate::corrections::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::RecordsOfficerRole>().await?;
            let state = AppState::current()?;
            staff::rebut(&state, &who, &cap, &reference, &text)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_staff_page(&reference, "rebutted");
            Ok(())
        }
        .await,
    )
}

//! Server functions of correction requests. A patient files and reads only their own
//! requests; any other reference is "not found".

use leptos::prelude::*;

use super::types::{AskCorrection, CorrectionFormView, CorrectionSummaryView, CorrectionView};
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
            CorrectionError::Database(cause) => internal_error(&cause),
        }
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

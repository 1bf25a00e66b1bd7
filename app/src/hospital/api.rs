//! Server functions about the hospital.

use leptos::prelude::*;

use super::types::HospitalView;
use crate::error::AppError;

/// The hospital's public profile in the caller's language.
///
/// Public on purpose: the landing page shows which hospital runs the portal before anyone
/// signs in, and the name is no secret.
#[server(endpoint = "hospital/profile")]
pub async fn hospital_profile() -> Result<HospitalView, AppError> {
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    request::respond(
        async {
            let state = AppState::current()?;
            super::server::service::profile(&state.db, request::current_locale())
                .await
                .or_internal()
        }
        .await,
    )
}

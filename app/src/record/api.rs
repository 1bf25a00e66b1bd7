//! Server functions of the record. A patient reads only the entries filed under their own
//! account.

use leptos::prelude::*;

use super::types::RecordView;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod edge {
    //! Turning the service's refusals into what the person is told.
    use crate::error::AppError;
    use crate::record::server::service::RecordError;
    use crate::ssr::request::internal_error;

    pub fn refusal(error: RecordError) -> AppError {
        match error {
            RecordError::NotFound | RecordError::UnknownPatient(_) => AppError::NotFound,
            RecordError::Database(cause) => internal_error(&cause),
        }
    }
}

/// The caller's record: every live entry the hospital shares.
#[server(endpoint = "record/mine")]
pub async fn my_record() -> Result<RecordView, AppError> {
    use crate::identity::server::access;
    use crate::record::server::service;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::record_of(&state, &cap)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

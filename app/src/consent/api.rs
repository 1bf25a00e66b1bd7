//! Server functions of consent. A patient only ever reads and changes the choices filed
//! under their own record number; policy texts are public; the privacy officer gets counts.

use leptos::prelude::*;

use super::types::{ConsentOverviewView, GrantConsent, PolicyView, PurposeStatsView, ReceiptView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod edge {
    //! Turning the service's refusals into what the person is told.
    use crate::consent::server::service::ConsentError;
    use crate::error::AppError;
    use crate::ssr::request::internal_error;

    pub fn refusal(error: ConsentError) -> AppError {
        match error {
            ConsentError::UnknownPurpose(_) | ConsentError::NoRecord => AppError::NotFound,
            ConsentError::StaleVersion => AppError::invalid("version"),
            ConsentError::BadDate | ConsentError::PastDate => AppError::invalid("expires_on"),
            ConsentError::NothingToRevoke => AppError::invalid("revoke"),
            ConsentError::Database(cause) => internal_error(&cause),
        }
    }

    /// After a change from the page, back to the purpose's card, which says it was
    /// recorded and links the receipt. (`purpose` was accepted, so it is a plain code.)
    pub fn land_on_card(purpose: &str, receipt: &str) {
        crate::ssr::forms::land_on(&format!("/consent?recorded={receipt}#consent-{purpose}"));
    }
}

/// The caller's choices for every purpose, with the current policies and their history.
#[server(endpoint = "consent/overview")]
pub async fn consent_overview() -> Result<ConsentOverviewView, AppError> {
    use crate::consent::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::overview(&state, cap).await.map_err(edge::refusal)
        }
        .await,
    )
}

/// Grants (or confirms under a new policy version) one purpose; returns the receipt id.
#[server(endpoint = "consent/grant")]
pub async fn record_grant(grant: GrantConsent) -> Result<String, AppError> {
    use crate::consent::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            let receipt = service::grant(&state, cap, &grant)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_card(&grant.purpose, &receipt);
            Ok(receipt)
        }
        .await,
    )
}

/// Withdraws the caller's consent for one purpose, at once; returns the receipt id.
#[server(endpoint = "consent/revoke")]
pub async fn revoke_consent(purpose: String) -> Result<String, AppError> {
    use crate::consent::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            let receipt = service::revoke(&state, cap, &purpose)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_card(&purpose, &receipt);
            Ok(receipt)
        }
        .await,
    )
}

/// One of the caller's own receipts, for the printable page.
#[server(endpoint = "consent/receipt")]
pub async fn consent_receipt(id: String) -> Result<ReceiptView, AppError> {
    use crate::consent::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::own_receipt(&state, cap, &id)
                .await
                .map_err(edge::refusal)?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// A published policy version: public, like any privacy notice.
#[server(endpoint = "consent/policy")]
pub async fn consent_policy(purpose: String, version: i64) -> Result<PolicyView, AppError> {
    use crate::consent::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::{respond, OrInternal};
    use crate::state::AppState;
    respond(
        async {
            access::public();
            let state = AppState::current()?;
            service::published_policy(&state, &purpose, version)
                .await
                .or_internal()?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Counts per purpose and state over the last twelve months, for the privacy officer.
#[server(endpoint = "consent/stats")]
pub async fn consent_stats() -> Result<Vec<PurposeStatsView>, AppError> {
    use crate::consent::server::stats;
    use crate::identity::server::access;
    use crate::ssr::request::{respond, OrInternal};
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            stats::consent_stats(&state.db, cap, &state.settings.time_zone, state.clock.now())
                .await
                .or_internal()
        }
        .await,
    )
}

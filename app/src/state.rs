//! Application state available to every server function and handler: the database, the
//! portal's settings, the clock, and each feature's configuration. It composes the
//! features, so it sits beside them (the shared `ssr` core knows none of them).

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::ssr::clock::SharedClock;
use crate::ssr::state::PortalSettings;

/// Everything a request needs: the database, settings and the clock.
#[derive(Clone)]
pub struct AppState {
    /// For changes, and reads that lead to one (on SQLite the one writer connection).
    pub db: DatabaseConnection,
    /// For reads that change nothing: pages, counts, who is signed in. On SQLite its own
    /// connections beside the writer (WAL), so they never wait behind ingestion; on
    /// PostgreSQL the same pool as `db`. It sees every committed change.
    pub reads: DatabaseConnection,
    pub settings: Arc<PortalSettings>,
    pub clock: SharedClock,
    pub identity: Arc<crate::identity::server::IdentityConfig>,
    pub access: Arc<crate::access_log::server::AccessConfig>,
    pub consent: Arc<crate::consent::server::ConsentConfig>,
    pub corrections: Arc<crate::corrections::server::CorrectionsConfig>,
    pub complaints: Arc<crate::complaints::server::ComplaintsConfig>,
    pub reports: Arc<crate::reports::server::ReportsConfig>,
}

impl AppState {
    /// The state of the current request, inside a server function or a rendered page.
    pub fn current() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            crate::ssr::request::internal_error(&"application state missing from context")
        })
    }
}

//! Application state available to every server function and handler.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::clock::SharedClock;
use crate::error::AppError;
use crate::i18n::Locale;

/// Settings the app needs at request time (a subset of the server's configuration).
#[derive(Clone, Debug)]
pub struct PortalSettings {
    /// The origin people use to reach the portal, e.g. `https://privacy.example-hospital.cn`.
    pub public_url: String,
    /// Language used when neither the account, a cookie nor the browser names one we speak.
    pub default_locale: Locale,
    /// IANA time zone in which times are shown.
    pub time_zone: String,
}

impl PortalSettings {
    /// Whether cookies must carry the `Secure` attribute (always, except plain-http development).
    #[must_use]
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Everything a request needs: the database, settings and the clock.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<PortalSettings>,
    pub clock: SharedClock,
    pub identity: Arc<crate::identity::server::IdentityConfig>,
    pub access: Arc<crate::access_log::server::AccessConfig>,
    pub consent: Arc<crate::consent::server::ConsentConfig>,
}

impl AppState {
    /// The state of the current request, inside a server function or a rendered page.
    pub fn current() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            super::request::internal_error(&"application state missing from context")
        })
    }
}

//! The portal's settings every request may need (public origin, default language, time
//! zone), provided to pages and server functions as `Arc<PortalSettings>`.

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

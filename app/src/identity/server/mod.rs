//! Server side of identity.

pub mod access;
pub mod activation;
pub mod ceremony;
pub mod enrollment;
mod entity;
pub mod invite;
pub mod notify;
pub mod passkeys;
pub mod rate_limit;
pub mod roles;
pub mod service;
pub mod session;
pub mod sign_in;

use std::sync::Arc;

use webauthn_rs::Webauthn;

/// Identity settings and shared services, part of the application state.
pub struct IdentityConfig {
    /// The relying party: the portal's public origin and host.
    pub webauthn: Arc<Webauthn>,
    pub sessions: session::SessionPolicy,
    /// How long an enrollment link works.
    pub link_ttl: time::Duration,
    pub limiter: rate_limit::RateLimiter,
}

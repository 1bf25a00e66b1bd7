//! Identity pages: sign in, enrollment, the signed-in home, passkeys, recovery links;
//! and the shared pieces: the session context, the page guard, automatic sign-out.

pub mod enroll;
pub mod guard;
pub mod home;
pub mod passkeys;
pub mod recovery;
pub mod sign_in;
pub mod webauthn;

use leptos::prelude::*;

use super::api::me;
use super::types::{Role, SessionView};
use crate::error::AppError;
use crate::i18n::Texts;

/// The signed-in person of this page, loaded once and refreshed after sign-in or out.
#[derive(Clone, Copy)]
pub struct SessionContext {
    pub current: Resource<Result<Option<SessionView>, AppError>>,
}

impl SessionContext {
    /// Loads the session again (after signing in or out).
    pub fn refresh(&self) {
        self.current.refetch();
    }
}

/// Creates the session context of the page.
pub fn provide_session() -> SessionContext {
    let context = SessionContext {
        // Guarded pages render in `SsrMode::Async`, so their status code is set after this
        // has loaded; other pages need not wait for it.
        current: Resource::new(|| (), |()| me()),
    };
    provide_context(context);
    context
}

/// The page's session context.
#[must_use]
pub fn use_session() -> SessionContext {
    use_context::<SessionContext>().unwrap_or_else(provide_session)
}

/// A role's name in the page's language.
#[must_use]
pub fn role_label(role: Role, t: &'static Texts) -> &'static str {
    match role {
        Role::Patient => t.role_patient,
        Role::RecordsOfficer => t.role_records_officer,
        Role::Investigator => t.role_investigator,
        Role::Approver => t.role_approver,
        Role::PrivacyOfficer => t.role_privacy_officer,
        Role::Admin => t.role_admin,
    }
}

/// Where the browser goes after an idle sign-out.
pub const IDLE_SIGN_OUT_PATH: &str = "/sign-in?reason=idle";

/// Signs the page out after the session's idle time without a request to the server:
/// the server ends the session at the same moment, and the screen stops showing personal
/// data to whoever picks up the device.
#[component]
pub fn IdleSignOut(seconds: u32) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let handle = leptos::prelude::set_timeout_with_handle(
            || {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().assign(IDLE_SIGN_OUT_PATH);
                }
            },
            std::time::Duration::from_secs(u64::from(seconds)),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = seconds;
}

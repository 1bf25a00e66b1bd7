//! Identity pages: sign in, enrollment, passkeys;
//! and the shared pieces: who is signed in on this request, and the page guard.

pub mod enroll;
pub mod guard;
pub mod passkeys;
pub mod sign_in;

use super::types::{CeremonyTexts, Role};
use crate::i18n::Texts;

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

/// The words a passkey ceremony island shows, in the page's language (islands get their
/// words from the server, so the browser downloads no dictionary).
#[must_use]
pub fn ceremony_texts(t: &'static Texts, button: &'static str) -> CeremonyTexts {
    CeremonyTexts {
        button: button.to_owned(),
        working: t.sign_in_working.to_owned(),
        unsupported: t.webauthn_unsupported.to_owned(),
        cancelled: t.webauthn_cancelled.to_owned(),
        already_registered: t.webauthn_already_registered.to_owned(),
        refused: t.sign_in_failed.to_owned(),
        link_unusable: t.enroll_invalid_body.to_owned(),
        error: t.error_internal.to_owned(),
        error_reference: t.error_reference.to_owned(),
        rate_limited: t.error_rate_limited.to_owned(),
        connection: t.error_connection.to_owned(),
    }
}

//! What crosses the wire about identity.

use serde::{Deserialize, Serialize};

use crate::accounts::types::AccountKind;
use crate::i18n::Locale;

/// What a person may do in the portal. A member of staff may hold several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    RecordsOfficer,
    Investigator,
    Approver,
    PrivacyOfficer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Patient,
        Role::RecordsOfficer,
        Role::Investigator,
        Role::Approver,
        Role::PrivacyOfficer,
        Role::Admin,
    ];

    /// The value stored in the database and used on the command line.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::RecordsOfficer => "records_officer",
            Role::Investigator => "investigator",
            Role::Approver => "approver",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Admin => "admin",
        }
    }

    #[must_use]
    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == value.trim())
    }

    /// Whether the role belongs to staff (every role but `patient`).
    #[must_use]
    pub const fn is_staff(self) -> bool {
        !matches!(self, Role::Patient)
    }
}

/// The signed-in person, as their own pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub display_name: String,
    pub kind: AccountKind,
    pub roles: Vec<Role>,
    pub locale: Locale,
    /// Seconds without activity after which the session ends (the page signs out then).
    pub idle_timeout_seconds: u32,
}

/// What an enrollment link shows before a passkey is registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentView {
    pub display_name: String,
    pub hospital_name: String,
    /// True when the link re-enrolls someone who lost their devices.
    pub recovery: bool,
}

/// A WebAuthn ceremony begun on the server: the options for the browser (JSON as the
/// WebAuthn "JSON" serialisation expects) and the id under which the server keeps its half.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeremonyStart {
    pub ceremony_id: String,
    pub options_json: String,
}

/// The words of a passkey ceremony island, in the page's language. Sent from the server
/// with the island, so the WebAssembly carries no dictionary of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeremonyTexts {
    /// The button that starts the ceremony.
    pub button: String,
    pub working: String,
    pub unsupported: String,
    pub cancelled: String,
    pub already_registered: String,
    /// The server did not accept the passkey (sign-in).
    pub refused: String,
    /// The enrollment link is used, expired or broken.
    pub link_unusable: String,
    pub error: String,
    pub error_reference: String,
    pub rate_limited: String,
    pub connection: String,
}

/// One of the signed-in person's passkeys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: i64,
    pub name: String,
    /// Date and time in the hospital's time zone, e.g. `2026-11-22 19:40`.
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// Longest passkey name accepted.
pub const PASSKEY_NAME_MAX: usize = 60;

/// Checks a passkey name typed by a person; returns it trimmed.
pub fn parse_passkey_name(raw: &str) -> Result<String, crate::error::AppError> {
    let name = raw.trim();
    if name.is_empty()
        || name.chars().count() > PASSKEY_NAME_MAX
        || name.chars().any(char::is_control)
    {
        return Err(crate::error::AppError::invalid("name"));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
        assert!(!Role::Patient.is_staff());
        assert!(Role::Admin.is_staff());
    }

    #[test]
    fn passkey_names() {
        assert_eq!(parse_passkey_name("  My phone "), Ok("My phone".to_owned()));
        assert!(parse_passkey_name("").is_err());
        assert!(parse_passkey_name(&"x".repeat(61)).is_err());
    }
}

//! Account kinds and the validated values an account is made of.
//!
//! Values are parsed at the edge (command line, forms, directory sync) into these types, so
//! code further in never sees an empty name or a malformed medical record number.

use serde::{Deserialize, Serialize};

/// Whether an account belongs to a patient or to a member of staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Patient,
    Staff,
}

impl AccountKind {
    /// The value stored in the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountKind::Patient => "patient",
            AccountKind::Staff => "staff",
        }
    }
}

/// Who turned an account off. The hospital directory may undo only its own deactivations:
/// an account the portal's operators turned off stays off whatever a feed says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivator {
    /// An operator, with `portal deactivate`.
    Portal,
    /// The hospital directory (a `Practitioner` with `active: false`).
    Directory,
}

impl Deactivator {
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Deactivator::Portal => "portal",
            Deactivator::Directory => "directory",
        }
    }
}

/// Why a value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("must not be empty")]
    Empty,
    #[error("is too long")]
    TooLong,
    #[error("contains characters that are not allowed")]
    BadCharacters,
    #[error("is not an email address")]
    NotAnEmail,
}

/// A patient's medical record number (病案号): 1–32 letters, digits or hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MedicalRecordNumber(String);

impl MedicalRecordNumber {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        identifier(raw, 32).map(MedicalRecordNumber)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A staff member's number in the hospital's directory: 1–32 letters, digits or hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StaffNumber(String);

impl StaffNumber {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        identifier(raw, 32).map(StaffNumber)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn identifier(raw: &str, max: usize) -> Result<String, ValueError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(ValueError::Empty);
    }
    if value.chars().count() > max {
        return Err(ValueError::TooLong);
    }
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ValueError::BadCharacters);
    }
    Ok(value.to_owned())
}

/// A person's name as shown in the portal: 1–100 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(ValueError::Empty);
        }
        if value.chars().count() > 100 {
            return Err(ValueError::TooLong);
        }
        if value.chars().any(char::is_control) {
            return Err(ValueError::BadCharacters);
        }
        Ok(PersonName(value.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, checked for shape only (delivery proves the rest).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(ValueError::Empty);
        }
        if value.len() > 254 {
            return Err(ValueError::TooLong);
        }
        let (local, domain) = value.rsplit_once('@').ok_or(ValueError::NotAnEmail)?;
        let shape_ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c));
        if shape_ok {
            Ok(EmailAddress(value.to_owned()))
        } else {
            Err(ValueError::NotAnEmail)
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medical_record_numbers() {
        assert_eq!(
            MedicalRecordNumber::parse(" MRN-0001 ").map(|m| m.as_str().to_owned()),
            Ok("MRN-0001".to_owned())
        );
        assert_eq!(MedicalRecordNumber::parse(""), Err(ValueError::Empty));
        assert_eq!(
            MedicalRecordNumber::parse("a b"),
            Err(ValueError::BadCharacters)
        );
        assert_eq!(
            MedicalRecordNumber::parse(&"1".repeat(33)),
            Err(ValueError::TooLong)
        );
    }

    #[test]
    fn names_accept_chinese_and_refuse_control_characters() {
        assert!(PersonName::parse("张伟").is_ok());
        assert_eq!(PersonName::parse("  "), Err(ValueError::Empty));
        assert_eq!(PersonName::parse("a\u{0}b"), Err(ValueError::BadCharacters));
    }

    #[test]
    fn email_shapes() {
        assert!(EmailAddress::parse("zhang.wei@example.org").is_ok());
        assert_eq!(
            EmailAddress::parse("no-at-sign"),
            Err(ValueError::NotAnEmail)
        );
        assert_eq!(EmailAddress::parse("a@b"), Err(ValueError::NotAnEmail));
        assert_eq!(
            EmailAddress::parse("a b@c.org"),
            Err(ValueError::NotAnEmail)
        );
    }
}

//! What crosses the wire for the staff console.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::vocabulary;

vocabulary! {
    /// Which kind of reference staff typed to name a person: a patient's medical record
    /// number, a member of staff's number, or an email address. Told apart on purpose: a
    /// record number and a staff number can look alike.
    ReferenceKind {
        RecordNumber = "record_number",
        StaffNumber = "staff_number",
        Email = "email",
    }
}

/// Shortest and longest reason for a recovery link.
pub const REASON_CHARS: std::ops::RangeInclusive<usize> = 5..=500;

/// A recovery-link request as typed, parsed at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryRequest {
    pub kind: ReferenceKind,
    pub reference: String,
    pub reason: String,
    /// The person confirmed whose account it is; without it nothing is issued.
    pub confirmed: bool,
}

impl RecoveryRequest {
    /// Parses the form's fields; a bad one is named.
    pub fn parse(
        kind: &str,
        reference: &str,
        reason: &str,
        confirmed: Option<&str>,
    ) -> Result<RecoveryRequest, AppError> {
        let kind =
            ReferenceKind::from_code(kind.trim()).ok_or_else(|| AppError::invalid("kind"))?;
        let reference = reference.trim();
        if reference.is_empty() || reference.chars().count() > 200 {
            return Err(AppError::invalid("person"));
        }
        let reason = reason.trim();
        if !REASON_CHARS.contains(&reason.chars().count()) {
            return Err(AppError::invalid("reason"));
        }
        Ok(RecoveryRequest {
            kind,
            reference: reference.to_owned(),
            reason: reason.to_owned(),
            confirmed: confirmed == Some("yes"),
        })
    }
}

/// The answer to a recovery-link request: first whose account it is, to confirm; then,
/// once confirmed, the link (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum RecoveryAnswer {
    /// Nothing was issued yet: the person this would be for.
    Confirm {
        display_name: String,
        kind: ReferenceKind,
        reference: String,
    },
    /// The link was issued, recorded in the person's log, and they were told by email
    /// when they have an address.
    Issued {
        display_name: String,
        link: String,
        emailed: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_parsed_and_bad_fields_named() {
        let ok = RecoveryRequest::parse("record_number", " P000001 ", "lost phone, ID seen", None)
            .unwrap();
        assert_eq!(ok.kind, ReferenceKind::RecordNumber);
        assert_eq!(ok.reference, "P000001");
        assert!(!ok.confirmed);
        assert!(
            RecoveryRequest::parse("email", "a@b.c", "lost phone", Some("yes"))
                .unwrap()
                .confirmed
        );
        let field = |r: Result<RecoveryRequest, AppError>| match r {
            Err(AppError::InvalidInput { field }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(RecoveryRequest::parse("name", "x", "lost phone", None)),
            "kind"
        );
        assert_eq!(
            field(RecoveryRequest::parse("email", " ", "lost phone", None)),
            "person"
        );
        assert_eq!(
            field(RecoveryRequest::parse("email", "a@b.c", "x", None)),
            "reason"
        );
    }
}

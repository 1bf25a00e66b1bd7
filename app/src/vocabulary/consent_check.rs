//! What a hospital system was told when it checked a patient's consent: written as the
//! detail of the access-log entry by the consent feature, read back and shown by the
//! access log.

use serde::{Deserialize, Serialize};

use super::vocabulary;

vocabulary! {
    /// Why a decision came out as it did.
    DecisionReason {
        /// Permitted: the patient granted this purpose and excluded none of the categories.
        Granted = "granted",
        NotGranted = "not_granted",
        Revoked = "revoked",
        Expired = "expired",
        /// A newer policy version paused the grant until the patient confirms it.
        AwaitingConfirmation = "awaiting_confirmation",
        /// The patient excluded one of the requested categories.
        CategoryExcluded = "category_excluded",
    }
}

/// What a hospital system did with a patient's consent and what it was told. Kept as the
/// access-log entry's detail text, and shown to the patient with that entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentCheckOutcome {
    /// A decision request, answered "permit".
    Permitted,
    /// A decision request, answered "deny", and why.
    Denied(DecisionReason),
    /// A search of the patient's consent records; how many it returned.
    Searched(u64),
    /// A read of one consent record.
    Read,
}

impl ConsentCheckOutcome {
    const DENY: &'static str = "deny: ";
    const SEARCHED: (&'static str, &'static str) = ("searched consent records: ", " found");
    const READ: &'static str = "read a consent record";

    /// The detail text stored with the access-log entry (and covered by its hash).
    #[must_use]
    pub fn detail(self) -> String {
        match self {
            ConsentCheckOutcome::Permitted => "permit".to_owned(),
            ConsentCheckOutcome::Denied(reason) => format!("{}{}", Self::DENY, reason.code()),
            ConsentCheckOutcome::Searched(found) => {
                format!("{}{found}{}", Self::SEARCHED.0, Self::SEARCHED.1)
            }
            ConsentCheckOutcome::Read => Self::READ.to_owned(),
        }
    }

    /// Reads a stored detail text back; `None` for anything else.
    #[must_use]
    pub fn from_detail(text: &str) -> Option<ConsentCheckOutcome> {
        if text == "permit" {
            return Some(ConsentCheckOutcome::Permitted);
        }
        if text == Self::READ {
            return Some(ConsentCheckOutcome::Read);
        }
        if let Some(code) = text.strip_prefix(Self::DENY) {
            return DecisionReason::from_code(code).map(ConsentCheckOutcome::Denied);
        }
        text.strip_prefix(Self::SEARCHED.0)
            .and_then(|rest| rest.strip_suffix(Self::SEARCHED.1))
            .and_then(|count| count.parse().ok())
            .map(ConsentCheckOutcome::Searched)
    }
}

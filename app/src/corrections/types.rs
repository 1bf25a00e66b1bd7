//! What crosses the wire for correction requests: the patient's request, what they follow,
//! and the checks the browser and the server share.

use serde::{Deserialize, Serialize};

use crate::record::types::{Field, FieldView, Section};

/// The field code of a request that says something is missing from a section.
pub const MISSING: &str = "missing";
/// Longest proposed value, reason or message, in characters.
pub const TEXT_LIMIT: usize = 2_000;

/// A patient's request, as the form sends it. `entry` and `field` name what is wrong;
/// `section` with `field` = [`MISSING`] says something is missing from that section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskCorrection {
    #[serde(default)]
    pub entry: Option<i64>,
    #[serde(default)]
    pub section: Option<String>,
    pub field: String,
    pub proposed: String,
    pub reason: String,
}

/// Whether a proposed value, reason or message is one the portal takes: not blank, at
/// most [`TEXT_LIMIT`] characters.
#[must_use]
pub fn check_text(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && text.chars().count() <= TEXT_LIMIT
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionState {
    /// Filed; the hospital's clock runs.
    Received,
    /// The hospital took its one extension.
    Extended,
    Accepted,
    PartlyAccepted,
    Denied,
}

impl CorrectionState {
    pub const ALL: [CorrectionState; 5] = [
        CorrectionState::Received,
        CorrectionState::Extended,
        CorrectionState::Accepted,
        CorrectionState::PartlyAccepted,
        CorrectionState::Denied,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            CorrectionState::Received => "received",
            CorrectionState::Extended => "extended",
            CorrectionState::Accepted => "accepted",
            CorrectionState::PartlyAccepted => "partly_accepted",
            CorrectionState::Denied => "denied",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<CorrectionState> {
        CorrectionState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the hospital has decided.
    #[must_use]
    pub const fn is_decided(self) -> bool {
        matches!(
            self,
            CorrectionState::Accepted | CorrectionState::PartlyAccepted | CorrectionState::Denied
        )
    }
}

/// What the new-request form shows: the entry (if any) and the value being corrected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionFormView {
    pub entry: Option<i64>,
    pub section: Section,
    /// The entry's fields, to choose from; empty for "something is missing".
    pub fields: Vec<FieldView>,
    /// The field asked about (`None`: something is missing).
    pub field: Option<Field>,
}

/// One line of the patient's list of requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionSummaryView {
    pub reference: String,
    pub section: Section,
    pub field: Option<Field>,
    pub state: CorrectionState,
    pub filed: String,
    /// The last day to answer, in the hospital's time zone.
    pub due_on: String,
}

/// A message on a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub from_staff: bool,
    pub author: String,
    pub body: String,
    pub sent: String,
}

/// An evidence file on a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// The hospital's extension, told to the patient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionView {
    pub days: u16,
    pub reason: String,
}

/// A request with everything the patient may see of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionView {
    pub reference: String,
    pub entry: Option<i64>,
    pub section: Section,
    pub field: Option<Field>,
    pub current: Option<String>,
    pub proposed: String,
    pub reason: String,
    pub state: CorrectionState,
    pub filed: String,
    pub due_on: String,
    pub extension: Option<ExtensionView>,
    pub decision_note: Option<String>,
    pub amended: Option<String>,
    pub decided: Option<String>,
    pub applied: Option<String>,
    pub messages: Vec<MessageView>,
    pub files: Vec<FileView>,
    /// How many more files may be added.
    pub files_left: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_and_texts_are_bounded() {
        for state in CorrectionState::ALL {
            assert_eq!(CorrectionState::parse(state.code()), Some(state));
        }
        assert!(check_text("青霉素不对，应为头孢"));
        assert!(!check_text("   "));
        assert!(!check_text(&"字".repeat(TEXT_LIMIT + 1)));
    }
}

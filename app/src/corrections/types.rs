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
    /// The patient's statement of disagreement after a denial.
    pub disagreement: Option<String>,
    /// The hospital's answer to it.
    pub rebuttal: Option<String>,
    /// Whether the patient may still file a statement of disagreement.
    pub may_disagree: bool,
    /// Whether messages can still be sent.
    pub open: bool,
}

/// A records officer's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accept,
    PartlyAccept,
    Deny,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Accept, Decision::PartlyAccept, Decision::Deny];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::PartlyAccept => "partly_accept",
            Decision::Deny => "deny",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.code() == code)
    }

    /// The state a request takes with this decision.
    #[must_use]
    pub const fn state(self) -> CorrectionState {
        match self {
            Decision::Accept => CorrectionState::Accepted,
            Decision::PartlyAccept => CorrectionState::PartlyAccepted,
            Decision::Deny => CorrectionState::Denied,
        }
    }
}

/// A records officer's decision, as the form sends it: the amended value for an
/// acceptance, the written reason for a denial (and for a partial acceptance).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionForm {
    pub reference: String,
    pub decision: String,
    #[serde(default)]
    pub amended: String,
    #[serde(default)]
    pub note: String,
}

/// The one extension, as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionForm {
    pub reference: String,
    pub days: String,
    pub reason: String,
}

/// A member of staff who can be assigned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerView {
    pub id: i64,
    pub name: String,
}

/// Which requests the queue lists (from the page's address).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// A state code, `open` (the default) or `all`.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    /// `me`, `none`, or an officer's account id.
    #[serde(default)]
    pub assignee: Option<String>,
}

/// One line of the records officers' queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItemView {
    pub reference: String,
    pub patient: String,
    pub section: Section,
    pub field: Option<Field>,
    pub state: CorrectionState,
    pub department: Option<String>,
    pub assignee: Option<String>,
    pub filed: String,
    pub due_on: String,
    pub overdue: bool,
}

/// The queue with what its filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub items: Vec<QueueItemView>,
    pub departments: Vec<String>,
    pub officers: Vec<OfficerView>,
}

/// One step in a request's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: String,
    pub what: HistoryStep,
    pub by: Option<String>,
}

/// What happened to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryStep {
    Filed,
    Extended,
    Decided,
    Disagreement,
    Rebuttal,
    Applied,
}

/// A request as a records officer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCorrectionView {
    pub request: CorrectionView,
    pub patient: String,
    pub mrn: String,
    pub department: Option<String>,
    pub assignee: Option<OfficerView>,
    pub officers: Vec<OfficerView>,
    pub history: Vec<HistoryLine>,
    pub overdue: bool,
    /// The longest extension the hospital allows (0 when it was used).
    pub extension_days_left: u16,
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

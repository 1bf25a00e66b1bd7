//! The canonical form of an access event and the hash chain over it.
//!
//! Each event's hash covers the previous event's hash (the whole log), the previous hash
//! of the same patient's events (that patient's log) and the canonical JSON of the event.
//! Changing, removing or reordering a stored event breaks a link; a patient can check
//! their own chain without seeing anyone else's events.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ssr::tokens::hex;

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Everything kept about one access, in a fixed field order. Stored verbatim as JSON and
/// never re-serialised for hashing: the stored text is what the hash covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Version of this layout.
    pub v: u32,
    pub source: String,
    pub source_event_id: String,
    pub patient_mrn: String,
    /// Unix time in milliseconds.
    pub occurred_at_ms: i64,
    pub received_at_ms: i64,
    pub category: String,
    pub action: String,
    pub purpose: String,
    /// The purpose code as the source sent it (e.g. `TREAT`), when there was one.
    pub purpose_code: Option<String>,
    pub agent_kind: String,
    pub agent_ref: Option<String>,
    pub agent_name: String,
    pub agent_role: Option<String>,
    /// The department code as the source sent it.
    pub department_code: Option<String>,
    /// The department the access is attributed to (the code above if the directory knows
    /// it, else the person's department in the directory).
    pub department: Option<String>,
    pub system: Option<String>,
    pub site: Option<String>,
    pub workstation: Option<String>,
    /// What exactly was opened, as the source described it (e.g. `DiagnosticReport/77`).
    pub detail: Option<String>,
    /// Unusual-access rule codes that fired at ingestion.
    pub rules: Vec<String>,
}

impl EventRecord {
    /// The canonical text.
    #[must_use]
    pub fn to_canonical(&self) -> String {
        // Serialising plain strings, numbers and vectors cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The hash of an event given its predecessors, lower-case hex.
#[must_use]
pub fn link_hash(prev_hash: &str, patient_prev_hash: &str, record: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(patient_prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(record.as_bytes());
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> EventRecord {
        EventRecord {
            v: 1,
            source: "his".into(),
            source_event_id: "e1".into(),
            patient_mrn: "M1".into(),
            occurred_at_ms: 1,
            received_at_ms: 2,
            category: "lab".into(),
            action: "view".into(),
            purpose: "treatment".into(),
            purpose_code: Some("TREAT".into()),
            agent_kind: "staff".into(),
            agent_ref: Some("S1".into()),
            agent_name: "王医生".into(),
            agent_role: None,
            department_code: Some("CARD".into()),
            department: Some("CARD".into()),
            system: None,
            site: None,
            workstation: None,
            detail: None,
            rules: vec![],
        }
    }

    #[test]
    fn any_change_changes_the_hash() {
        let text = record().to_canonical();
        let base = link_hash(GENESIS, GENESIS, &text);
        assert_eq!(base.len(), 64);
        assert_eq!(base, link_hash(GENESIS, GENESIS, &text));
        let mut changed = record();
        changed.category = "genetic".into();
        assert_ne!(base, link_hash(GENESIS, GENESIS, &changed.to_canonical()));
        assert_ne!(base, link_hash(&base, GENESIS, &text));
        assert_ne!(base, link_hash(GENESIS, &base, &text));
        let back: EventRecord = serde_json::from_str(&text).unwrap();
        assert_eq!(back, record());
    }
}

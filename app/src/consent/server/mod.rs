//! Server side of consent: purposes and policy versions, the patient's changes with their
//! signed receipts, the standing and decision every reader shares, consent checks in the
//! access log, and the privacy officer's counts.

pub mod checks;
mod entity;
pub mod policies;
pub mod receipt;
pub mod rows;
pub mod service;
pub mod standing;
pub mod stats;

/// Consent settings held in the application state.
#[derive(Clone, Debug)]
pub struct ConsentConfig {
    /// How patients reach the hospital's privacy office (on receipts).
    pub contact: String,
    /// Where the consent is given, as an ISO 3166 code (on receipts).
    pub jurisdiction: String,
}

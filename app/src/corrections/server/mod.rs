//! Server side of correction requests: filing, the patient's view, evidence files and
//! messages, each change one transaction with its clock and its email.

mod entity;
pub mod files;
pub mod mail;
pub mod service;
pub mod staff;
pub mod tasks;
pub mod worker;

use crate::ssr::deadlines::{CaseKind, Timing};

/// The clock kind of a correction request.
pub const CORRECTION: CaseKind = CaseKind("correction");

/// Correction settings held in the application state.
#[derive(Clone, Debug)]
pub struct CorrectionsConfig {
    /// Days to answer, the longest extension, and the reminder's lead.
    pub timing: Timing,
}

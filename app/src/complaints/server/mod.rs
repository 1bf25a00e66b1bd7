//! Server side of complaints: filing and the patient's side, the staff's steps through
//! the procedure (each role-checked, one transaction with its step, its log entry and its
//! email), the clocks of each stage, files, and the lessons the closed cases teach.

mod entity;
pub mod files;
pub mod insights;
pub mod mail;
pub mod register;
pub mod service;
pub mod staff;
pub mod worker;

use crate::identity::types::Role;
use crate::ssr::deadlines::{CaseKind, Timing};

/// The clock of the preliminary verification (working days from filing).
pub const VERIFICATION: CaseKind = CaseKind("complaint_verification");
/// The clock of the decision: the approved plan, a rejection or a resolution on the spot.
pub const DECISION: CaseKind = CaseKind("complaint_decision");
/// The clock of carrying out the approved measures.
pub const MEASURES: CaseKind = CaseKind("complaint_measures");

/// The roles that work on complaints; each sees the case page and writes notes.
pub const CASE_ROLES: [Role; 3] = [Role::PrivacyOfficer, Role::Investigator, Role::Approver];

/// Complaint settings held in the application state.
#[derive(Clone, Debug)]
pub struct ComplaintsConfig {
    pub verification: Timing,
    pub decision: Timing,
    pub measures: Timing,
}

//! Server side of anonymous reports: filing (sealed, with a receipt code shown once), the
//! reporter's follow-up behind that code (or a passkey of no account), the privacy
//! officers' handling on the 7-day and 3-month clocks, and the retention job that destroys
//! closed reports. Nothing here learns or keeps who the reporter is.

mod entity;
pub mod guard;
pub mod service;
pub mod staff;
pub mod worker;

use time::Duration;

use crate::ssr::deadlines::{CaseKind, Timing};
use crate::ssr::sealing::ReportKeys;

/// The clock of the acknowledgement (7 days from the day the report came in).
pub const ACKNOWLEDGEMENT: CaseKind = CaseKind("report_acknowledgement");
/// The clock of the feedback (3 months from the acknowledgement, or from the end of the
/// 7 days when none was sent).
pub const FEEDBACK: CaseKind = CaseKind("report_feedback");

/// Report settings and the in-memory guard, held in the application state.
pub struct ReportsConfig {
    pub keys: ReportKeys,
    pub guard: guard::Guard,
    /// Days to acknowledge; the privacy officers hear of a new report the day after it
    /// came in (never at the hour it came in).
    pub acknowledge_days: u16,
    pub feedback_months: u8,
    /// How long before the feedback's last day the privacy officers are reminded.
    pub feedback_reminder: Duration,
    /// How long a closed report is kept before it is destroyed.
    pub retention: Duration,
}

impl ReportsConfig {
    /// The acknowledgement's timing: the privacy officers are reminded at the start of the
    /// day after arrival (its clock starts at the start of the day it came in).
    #[must_use]
    pub fn acknowledgement_timing(&self) -> Timing {
        Timing {
            answer_days: self.acknowledge_days,
            working_days: false,
            extension_max_days: 0,
            remind_before: Duration::days(i64::from(self.acknowledge_days)),
        }
    }

    #[must_use]
    pub fn feedback_timing(&self) -> Timing {
        Timing {
            answer_days: u16::from(self.feedback_months) * 30,
            working_days: false,
            extension_max_days: 0,
            remind_before: self.feedback_reminder,
        }
    }
}

/// A report's reference, as the staff quote it.
#[must_use]
pub fn reference_of(id: i64) -> String {
    format!("R-{id:05}")
}

/// The id in a reference, if it is one.
#[must_use]
pub fn id_of(reference: &str) -> Option<i64> {
    reference.trim().strip_prefix("R-")?.parse().ok()
}

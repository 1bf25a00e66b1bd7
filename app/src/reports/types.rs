//! What anonymous reports are made of, shared by the server and the pages.

use serde::{Deserialize, Serialize};

/// The most characters of the account of what happened, and of a message.
pub const TEXT_LIMIT: usize = 8000;
/// The most characters of the short fields (where, when, who).
pub const SHORT_LIMIT: usize = 300;

/// What a report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportKind {
    /// A record looked at without a reason.
    Looked,
    /// Data shared or sold.
    Shared,
    /// Photographs or images of patients.
    Images,
    /// Papers or screens left where others can read them.
    LeftVisible,
    /// A lost or stolen device or storage.
    LostDevice,
    Other,
}

impl ReportKind {
    pub const ALL: [ReportKind; 6] = [
        ReportKind::Looked,
        ReportKind::Shared,
        ReportKind::Images,
        ReportKind::LeftVisible,
        ReportKind::LostDevice,
        ReportKind::Other,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            ReportKind::Looked => "looked",
            ReportKind::Shared => "shared",
            ReportKind::Images => "images",
            ReportKind::LeftVisible => "visible",
            ReportKind::LostDevice => "device",
            ReportKind::Other => "other",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// Where a report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportState {
    /// Came in; nobody has acknowledged it yet (within 7 days).
    Received,
    Acknowledged,
    Investigating,
    /// The reporter was told what was done (within 3 months).
    FeedbackGiven,
    Closed,
}

impl ReportState {
    pub const ALL: [ReportState; 5] = [
        ReportState::Received,
        ReportState::Acknowledged,
        ReportState::Investigating,
        ReportState::FeedbackGiven,
        ReportState::Closed,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            ReportState::Received => "received",
            ReportState::Acknowledged => "acknowledged",
            ReportState::Investigating => "investigating",
            ReportState::FeedbackGiven => "feedback_given",
            ReportState::Closed => "closed",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<ReportState> {
        ReportState::ALL
            .into_iter()
            .find(|state| state.code() == code)
    }
}

/// What a message in a report's conversation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageKind {
    /// From the reporter, or a reply of the staff.
    Message,
    /// The staff ask the reporter something.
    Question,
    /// The staff tell the reporter what was done (the 3-month feedback).
    Feedback,
    /// The staff's acknowledgement of receipt.
    Acknowledgement,
    /// Why the report was closed, to the reporter.
    Closing,
    /// Among staff only; the reporter never sees it.
    Note,
}

impl MessageKind {
    pub const ALL: [MessageKind; 6] = [
        MessageKind::Message,
        MessageKind::Question,
        MessageKind::Feedback,
        MessageKind::Acknowledgement,
        MessageKind::Closing,
        MessageKind::Note,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            MessageKind::Message => "message",
            MessageKind::Question => "question",
            MessageKind::Feedback => "feedback",
            MessageKind::Acknowledgement => "acknowledgement",
            MessageKind::Closing => "closing",
            MessageKind::Note => "note",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<MessageKind> {
        MessageKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }
}

/// A step the staff took (every one is kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportStep {
    Received,
    Opened,
    Acknowledged,
    Investigating,
    Asked,
    Replied,
    Noted,
    FeedbackGiven,
    Linked,
    Closed,
    ReporterWrote,
    ReporterAddedFile,
    StaffAddedFile,
    PasskeyAdded,
}

impl ReportStep {
    pub const ALL: [ReportStep; 14] = [
        ReportStep::Received,
        ReportStep::Opened,
        ReportStep::Acknowledged,
        ReportStep::Investigating,
        ReportStep::Asked,
        ReportStep::Replied,
        ReportStep::Noted,
        ReportStep::FeedbackGiven,
        ReportStep::Linked,
        ReportStep::Closed,
        ReportStep::ReporterWrote,
        ReportStep::ReporterAddedFile,
        ReportStep::StaffAddedFile,
        ReportStep::PasskeyAdded,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            ReportStep::Received => "received",
            ReportStep::Opened => "opened",
            ReportStep::Acknowledged => "acknowledged",
            ReportStep::Investigating => "investigating",
            ReportStep::Asked => "asked",
            ReportStep::Replied => "replied",
            ReportStep::Noted => "noted",
            ReportStep::FeedbackGiven => "feedback_given",
            ReportStep::Linked => "linked",
            ReportStep::Closed => "closed",
            ReportStep::ReporterWrote => "reporter_wrote",
            ReportStep::ReporterAddedFile => "reporter_added_file",
            ReportStep::StaffAddedFile => "staff_added_file",
            ReportStep::PasskeyAdded => "passkey_added",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<ReportStep> {
        ReportStep::ALL.into_iter().find(|step| step.code() == code)
    }
}

/// What the report form sends (besides its files).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReport {
    pub kind: String,
    pub what: String,
    pub place: String,
    pub when: String,
    pub who: String,
    /// The form's token (issued with the page, a few seconds old at least).
    pub token: String,
    /// The proof of work the page found, when JavaScript ran.
    pub work: String,
}

/// What the report form needs from the server: its token and the work to do for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormTicket {
    pub token: String,
    /// Leading zero bits the SHA-256 of `token:nonce` must have.
    pub difficulty: u32,
    /// Days a closed report is kept before it is destroyed.
    pub retention_days: i64,
}

/// Shown once, right after filing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// 16 digits in four groups of four.
    pub code: String,
    pub files: usize,
}

/// What the reporter wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAccount {
    pub what: String,
    pub place: String,
    pub when: String,
    pub who: String,
}

/// One message of the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub from_staff: bool,
    pub kind: MessageKind,
    pub text: String,
    /// The day (a reporter's) or the minute (the staff's).
    pub at: String,
    /// The staff member who wrote it (staff pages only).
    pub by: Option<String>,
}

/// A file on a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    /// Bytes.
    pub size: i64,
    pub from_staff: bool,
    pub at: String,
}

/// The reporter's follow-up page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpView {
    pub kind: ReportKind,
    pub state: ReportState,
    pub received_on: String,
    pub account: ReportAccount,
    pub messages: Vec<MessageView>,
    pub files: Vec<FileView>,
    /// The last day for the acknowledgement, while it is awaited.
    pub acknowledge_by: Option<String>,
    /// The last day for the feedback, while it is awaited.
    pub feedback_by: Option<String>,
    /// Whether a passkey also opens it.
    pub has_passkey: bool,
}

/// One line of the staff's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub reference: String,
    pub kind: ReportKind,
    pub state: ReportState,
    pub received_on: String,
    /// The last day of the step it waits on, if it waits on the hospital.
    pub due_on: Option<String>,
    pub overdue: bool,
    /// The reporter wrote last: a message waits for an answer.
    pub reporter_waiting: bool,
}

/// One step of a report, for the staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub step: ReportStep,
    pub by: Option<String>,
    pub at: String,
    pub detail: Option<String>,
}

/// One pass of the retention job that destroyed something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestructionView {
    pub at: String,
    pub rule: String,
    pub reports: i64,
    pub files: i64,
    pub messages: i64,
}

/// A report as the privacy officers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffReportView {
    pub reference: String,
    pub kind: ReportKind,
    pub state: ReportState,
    pub received_on: String,
    pub account: ReportAccount,
    pub messages: Vec<MessageView>,
    pub files: Vec<FileView>,
    pub steps: Vec<StepView>,
    pub acknowledge_by: Option<String>,
    pub feedback_by: Option<String>,
    pub overdue: bool,
    pub handler: Option<String>,
    /// The complaint investigation it is linked to.
    pub complaint: Option<String>,
}

/// Reads a receipt code as people type it: spaces, dashes and full-width digits allowed.
/// `None` unless it is exactly 16 digits.
#[must_use]
pub fn receipt_digits(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '－' | '—'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')).unwrap_or(c),
            _ => c,
        })
        .collect();
    (digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// 16 digits in four groups of four, for reading aloud and copying down.
#[must_use]
pub fn grouped(digits: &str) -> String {
    digits
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(
            receipt_digits(" 1234 5678-9012 3456 ").as_deref(),
            Some("1234567890123456")
        );
        assert_eq!(
            receipt_digits("１２３４５６７８９０１２３４５６").as_deref(),
            Some("1234567890123456")
        );
        assert_eq!(receipt_digits("1234 5678 9012 345"), None);
        assert_eq!(receipt_digits("1234 5678 9012 345a"), None);
        assert_eq!(grouped("1234567890123456"), "1234 5678 9012 3456");
    }
}

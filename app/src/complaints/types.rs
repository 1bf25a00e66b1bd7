//! What crosses the wire for complaints: the vocabulary of the procedure (kinds, states,
//! steps, causes, links in the chain), the patient's complaint and what they follow, and
//! what the staff who handle it see.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::access_log::types::{AccessEntryView, DepartmentView};
use crate::vocabulary::vocabulary;

/// Longest text the portal takes in one field, in characters.
pub const TEXT_LIMIT: usize = 4_000;

/// Whether a text is one the portal takes: not blank, at most [`TEXT_LIMIT`] characters.
#[must_use]
pub fn check_text(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && text.chars().count() <= TEXT_LIMIT
}

/// Whether an optional text is acceptable: blank, or one [`check_text`] takes.
#[must_use]
pub fn check_optional(text: &str) -> bool {
    text.trim().is_empty() || check_text(text)
}

vocabulary! {
    /// What the complaint is about.
    ComplaintKind {
        /// My data leaked.
        Leak = "leak",
        /// Someone looked at my record.
        Looked = "looked",
        /// My data was shared.
        Shared = "shared",
        /// Photographs or images of me.
        Images = "images",
        /// A staff member's conduct.
        Conduct = "conduct",
        Other = "other",
    }
}

vocabulary! {
    /// Where a complaint stands in the procedure.
    ComplaintState {
        Received = "received",
        /// The portal acknowledged it and gave the reference (at once, on filing).
        Acknowledged = "acknowledged",
        /// A privacy officer checks the facts: which part of the record, how far it spread.
        Verification = "verification",
        /// An investigator leads a team from the departments concerned.
        Investigation = "investigation",
        /// The handling plan is drafted (again, after a send-back).
        Plan = "plan",
        /// An approver decides on the plan.
        Approval = "approval",
        /// The approved measures are carried out.
        Measures = "measures",
        /// The patient is asked whether they are satisfied.
        FollowUp = "follow_up",
        Closed = "closed",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}

impl ComplaintState {
    /// Whether the case has ended (closed, rejected or withdrawn).
    #[must_use]
    pub const fn is_ended(self) -> bool {
        matches!(
            self,
            ComplaintState::Closed | ComplaintState::Rejected | ComplaintState::Withdrawn
        )
    }
}

vocabulary! {
    /// One step in a complaint's timeline.
    Step {
        Received = "received",
        Acknowledged = "acknowledged",
        VerificationStarted = "verification_started",
        InvestigationOpened = "investigation_opened",
        ResolvedOnSpot = "resolved_on_spot",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        EvidenceAdded = "evidence_added",
        Concluded = "concluded",
        PlanSubmitted = "plan_submitted",
        SentBack = "sent_back",
        Approved = "approved",
        MeasuresDone = "measures_done",
        Feedback = "feedback",
        Closed = "closed",
        ActionAdded = "action_added",
        ActionDone = "action_done",
        LeadChanged = "lead_changed",
    }
}

impl Step {
    /// Whether the patient sees this step on their timeline: the steps that move their
    /// complaint along, not the work in between.
    #[must_use]
    pub const fn patient_sees(self) -> bool {
        !matches!(
            self,
            Step::EvidenceAdded
                | Step::Concluded
                | Step::SentBack
                | Step::ActionAdded
                | Step::ActionDone
                | Step::LeadChanged
        )
    }
}

vocabulary! {
    /// The root cause a closed case records.
    RootCause {
        CyberAttack = "cyber_attack",
        Insider = "insider",
        ThirdParty = "third_party",
        ProcessGap = "process_gap",
        TechnicalWeakness = "technical_weakness",
        StaffAwareness = "staff_awareness",
        Other = "other",
    }
}

vocabulary! {
    /// The link in the information's chain where the leak happened.
    ChainLink {
        Collection = "collection",
        Storage = "storage",
        Use = "use",
        Transmission = "transmission",
        Sharing = "sharing",
        Disclosure = "disclosure",
        Disposal = "disposal",
        /// No leak was found.
        None = "none",
    }
}

vocabulary! {
    /// What a piece of the investigation's evidence is.
    EvidenceKind {
        Document = "document",
        /// Entries pulled from the portal's own access log.
        LogExtract = "log_extract",
        Interview = "interview",
    }
}

vocabulary! {
    /// Who reads a note: the staff only, or the patient too.
    Visibility {
        Internal = "internal",
        Patient = "patient",
    }
}

/// A patient's complaint, as the form sends it. `entries` holds the chosen access-log
/// entries as `e<id>` keys (checkboxes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComplaint {
    pub kind: String,
    pub account: String,
    #[serde(default)]
    pub happened_on: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub entries: BTreeMap<String, String>,
}

impl NewComplaint {
    /// The form field of the checkbox for entry `id`.
    #[must_use]
    pub fn entry_key(id: i64) -> String {
        format!("e{id}")
    }

    /// The access-log entries the patient ticked.
    #[must_use]
    pub fn chosen_entries(&self) -> Vec<i64> {
        self.entries
            .keys()
            .filter_map(|key| key.strip_prefix('e')?.parse().ok())
            .collect()
    }
}

/// What the new-complaint form offers: departments, the patient's recent accesses to
/// link, and the entry (and question) it was started from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintFormView {
    pub departments: Vec<DepartmentView>,
    /// Unusual and questioned accesses first, then the newest.
    pub entries: Vec<AccessEntryView>,
    pub from_entry: Option<i64>,
    /// The patient's "I don't recognise this" about that entry, to start from.
    pub question: Option<String>,
}

/// One line of the patient's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintSummaryView {
    pub reference: String,
    pub kind: ComplaintKind,
    pub state: ComplaintState,
    pub filed: String,
    /// The last day of the next step, in the hospital's time zone.
    pub next_due: Option<String>,
}

/// A step of the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineLine {
    pub at: String,
    pub step: Step,
    /// Who took it (staff see names; the patient sees none).
    pub by: Option<String>,
    /// The reason or text that goes with it (rejection, send-back, …).
    pub note: Option<String>,
}

/// A note or message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub from_staff: bool,
    pub author: String,
    pub visibility: Visibility,
    pub body: String,
    pub sent: String,
}

/// A file the patient added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    pub size: i64,
}

/// The patient's answer at follow-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackView {
    pub satisfied: bool,
    pub comment: Option<String>,
}

/// A complaint with everything the patient may see of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintView {
    pub reference: String,
    pub kind: ComplaintKind,
    pub account: String,
    pub happened_on: Option<String>,
    pub department: Option<DepartmentView>,
    pub place: Option<String>,
    pub state: ComplaintState,
    pub filed: String,
    pub next_due: Option<String>,
    pub timeline: Vec<TimelineLine>,
    pub entries: Vec<AccessEntryView>,
    /// The patient's messages and the staff's patient-visible notes.
    pub messages: Vec<NoteView>,
    pub files: Vec<FileView>,
    pub files_left: usize,
    /// The approved measures for the patient (once approved).
    pub plan_patient: Option<String>,
    /// What was done (once carried out).
    pub measures_taken: Option<String>,
    pub outcome: Option<String>,
    pub rejection_reason: Option<String>,
    pub resolved_on_spot: bool,
    pub feedback: Option<FeedbackView>,
    pub may_give_feedback: bool,
    pub may_withdraw: bool,
}

/// A member of staff, to choose or to name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
}

/// A piece of the investigation's evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub kind: EvidenceKind,
    pub title: String,
    pub body: String,
    pub by: String,
    pub at: String,
}

/// An improvement action and how far it got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    pub id: i64,
    pub reference: String,
    pub description: String,
    pub owner: String,
    pub due_on: String,
    pub done: Option<String>,
    pub effect: Option<String>,
    pub overdue: bool,
}

vocabulary! {
    /// A step a member of staff may take on a case, by their roles and where it stands.
    StaffStep {
        BeginVerification = "begin_verification",
        /// Open the investigation, or resolve on the spot.
        Verify = "verify",
        Reject = "reject",
        AddEvidence = "add_evidence",
        Conclude = "conclude",
        SubmitPlan = "submit_plan",
        Approve = "approve",
        RecordMeasures = "record_measures",
        Close = "close",
        ManageActions = "manage_actions",
        /// Name another lead investigator (the one named left, or cannot go on).
        ChangeLead = "change_lead",
    }
}

/// A complaint as the staff who handle it see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffComplaintView {
    pub complaint: ComplaintView,
    pub patient: String,
    pub mrn: String,
    pub handler: Option<String>,
    pub lead: Option<PersonView>,
    pub team: Vec<DepartmentView>,
    pub scope: Option<String>,
    pub spread: Option<String>,
    pub findings: Option<String>,
    pub plan_accountability: Option<String>,
    pub plan_improvement: Option<String>,
    /// Every note, internal ones included.
    pub notes: Vec<NoteView>,
    /// Every step, with who took it and its text.
    pub history: Vec<TimelineLine>,
    pub evidence: Vec<EvidenceView>,
    pub actions: Vec<ActionView>,
    pub root_cause: Option<RootCause>,
    pub chain_link: Option<ChainLink>,
    pub overdue: bool,
    /// The steps the caller may take now.
    pub allowed: Vec<StaffStep>,
    pub investigators: Vec<PersonView>,
    /// Active staff, to own improvement actions.
    pub staff: Vec<PersonView>,
    pub departments: Vec<DepartmentView>,
}

impl StaffComplaintView {
    /// Whether the caller may take `step` now.
    #[must_use]
    pub fn may(&self, step: StaffStep) -> bool {
        self.allowed.contains(&step)
    }
}

/// Which complaints the queue lists (from the page's address).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// A state code, `open` (the default) or `all`.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    /// A department id.
    #[serde(default)]
    pub department: Option<String>,
    /// `me`, `none`, or a staff account id (handler or lead).
    #[serde(default)]
    pub assignee: Option<String>,
}

/// One line of the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItemView {
    pub reference: String,
    pub kind: ComplaintKind,
    pub state: ComplaintState,
    pub department: Option<DepartmentView>,
    pub handler: Option<String>,
    pub lead: Option<String>,
    pub filed: String,
    pub due_on: Option<String>,
    pub overdue: bool,
}

/// The queue with what its filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub items: Vec<QueueItemView>,
    pub departments: Vec<DepartmentView>,
    pub people: Vec<PersonView>,
}

/// A privacy officer's preliminary verification, as the form sends it. `outcome` is
/// `investigate` (with the lead and team) or `resolve` (on the spot, with why and what
/// was done).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyForm {
    pub reference: String,
    pub scope: String,
    pub spread: String,
    pub outcome: String,
    #[serde(default)]
    pub lead: String,
    /// Department ids as `d<id>` keys (checkboxes).
    #[serde(default)]
    pub team: BTreeMap<String, String>,
    #[serde(default)]
    pub resolution: String,
}

impl VerifyForm {
    /// The form field of the checkbox for department `id`.
    #[must_use]
    pub fn team_key(id: i64) -> String {
        format!("d{id}")
    }

    /// The departments ticked for the team.
    #[must_use]
    pub fn team_departments(&self) -> Vec<i64> {
        self.team
            .keys()
            .filter_map(|key| key.strip_prefix('d')?.parse().ok())
            .collect()
    }
}

/// A piece of evidence, as the form sends it; a log extract gives the days to pull.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceForm {
    pub reference: String,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The handling plan, as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanForm {
    pub reference: String,
    pub patient: String,
    pub accountability: String,
    pub improvement: String,
}

/// Closing a case, as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseForm {
    pub reference: String,
    pub outcome: String,
    pub root_cause: String,
    pub chain_link: String,
}

/// A new improvement action, as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionForm {
    pub reference: String,
    pub description: String,
    pub owner: String,
    pub due_on: String,
}

/// Counts per month of one value of a dimension (a kind, a cause, a department).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesView {
    /// The value's code (`looked`, `insider`, a department's id; `none` for no department).
    pub code: String,
    /// Its name in each language.
    pub label_zh_hans: String,
    pub label_en: String,
    /// One count per month of [`InsightsView::months`].
    pub counts: Vec<u64>,
}

/// A clock that ran past its date, counted per stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedView {
    /// `verification`, `decision` or `measures`.
    pub stage: String,
    pub missed: u64,
    /// Clocks of that stage in the period.
    pub of: u64,
}

/// What the closed and open cases of the last twelve months teach: counts only, no names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightsView {
    /// `YYYY-MM`, oldest first, in the hospital's time zone.
    pub months: Vec<String>,
    /// Complaints filed per month, and closed per month.
    pub filed: Vec<u64>,
    pub closed: Vec<u64>,
    /// Filed per month, by kind and by department.
    pub by_kind: Vec<SeriesView>,
    pub by_department: Vec<SeriesView>,
    /// Closed per month, by root cause and by the link in the chain.
    pub by_cause: Vec<SeriesView>,
    pub by_link: Vec<SeriesView>,
    /// Days from filing to closing: how many closed, the median and the 90th percentile
    /// (nearest rank).
    pub closed_count: u64,
    pub median_days: Option<u64>,
    pub p90_days: Option<u64>,
    pub missed: Vec<MissedView>,
    /// Improvement actions not done yet, of every case, soonest due first.
    pub open_actions: Vec<ActionView>,
}

/// The nearest-rank `percent` percentile of `values` (sorted here), if there are any.
#[must_use]
pub fn percentile(values: &mut [u64], percent: u64) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = u64::try_from(values.len()).unwrap_or(u64::MAX);
    let rank = (percent * n).div_ceil(100).max(1);
    values
        .get(usize::try_from(rank - 1).unwrap_or(usize::MAX))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_boxes_read_back_as_ids() {
        let mut form = NewComplaint::default();
        form.entries
            .insert(NewComplaint::entry_key(12), "on".into());
        form.entries.insert("x".into(), "on".into());
        assert_eq!(form.chosen_entries(), vec![12]);
        let mut verify = VerifyForm::default();
        verify.team.insert(VerifyForm::team_key(3), "on".into());
        assert_eq!(verify.team_departments(), vec![3]);
        assert!(check_optional("  "));
        assert!(!check_text(" "));
        assert!(!check_text(&"字".repeat(TEXT_LIMIT + 1)));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&mut [], 50), None);
        assert_eq!(percentile(&mut [7], 90), Some(7));
        let mut days = [10, 1, 4, 3, 2, 9, 8, 7, 6, 5];
        assert_eq!(percentile(&mut days, 50), Some(5));
        assert_eq!(percentile(&mut days, 90), Some(9));
    }
}

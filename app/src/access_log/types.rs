//! What crosses the wire for the access log: the vocabulary of an access (category,
//! action, purpose, unusual-access rules) and the views patients and privacy officers get.

use serde::{Deserialize, Serialize};

use crate::vocabulary;

pub use crate::vocabulary::access::{Action, AgentKind, Category, Purpose};

vocabulary! {
    /// A reason an access is flagged as unusual. Each has a plain explanation.
    Rule {
        OutsideWorkingHours = "outside_working_hours",
        NoCareRelationship = "no_care_relationship",
        SameSurname = "same_surname",
        SameAddress = "same_address",
        OwnRecord = "own_record",
        ManyRecords = "many_records",
        SensitiveCategory = "sensitive_category",
        DeactivatedAccount = "deactivated_account",
        VipRecord = "vip_record",
        WatchList = "watch_list",
    }
}

vocabulary! {
    /// Why an access was normal: the most specific reason found, in this order.
    Reason {
        /// The patient asked for it (a copy of the record, an answer to their request or
        /// complaint).
        OwnRequest = "own_request",
        /// The person was named in the patient's care (their doctor, the nurse of the
        /// visit, who placed or received the order).
        CareByPerson = "care_by_person",
        /// The person is on the patient's care team.
        CareTeam = "care_team",
        /// The person's department was caring for the patient.
        CareByDepartment = "care_by_department",
        /// Billing for a visit of the patient.
        Billing = "billing",
    }
}

/// Why an access was normal, as the patient reads it on the entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplanationView {
    pub reason: Reason,
    /// The care it rests on (none for the patient's own request).
    pub kind: Option<crate::directory::types::CareKind>,
    pub department: Option<DepartmentView>,
    /// `YYYY-MM-DD` in the hospital's time zone: when that care began.
    pub since_local: Option<String>,
}

vocabulary! {
    /// How a patient wants to hear about their log.
    NotifyChoice {
        /// An email as soon as an unusual access arrives.
        Immediate = "immediate",
        /// One email a week when there was any access.
        Weekly = "weekly",
        None = "none",
    }
}

vocabulary! {
    /// Where a flagged or questioned access stands with the privacy officer.
    ReviewState {
        Open = "open",
        Explained = "explained",
        Escalated = "escalated",
    }
}

/// Rules as stored on an event: comma-separated codes, in rule order.
#[must_use]
pub fn rules_from_codes(codes: &str) -> Vec<Rule> {
    codes
        .split(',')
        .filter_map(|code| Rule::from_code(code.trim()))
        .collect()
}

/// A department as shown in filters and entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentView {
    pub id: i64,
    pub name_zh_hans: String,
    pub name_en: String,
}

/// One access, as the patient sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntryView {
    pub id: i64,
    /// `YYYY-MM-DD HH:MM` in the hospital's time zone.
    pub when_local: String,
    pub agent_kind: AgentKind,
    pub agent_name: String,
    pub agent_role: Option<String>,
    pub department: Option<DepartmentView>,
    pub category: Category,
    pub action: Action,
    pub purpose: Purpose,
    pub system: Option<String>,
    pub workstation: Option<String>,
    pub rules: Vec<Rule>,
    /// Why the access was normal, when a reason was found.
    pub explanation: Option<ExplanationView>,
    /// The patient's question about this access, if they asked one.
    pub question: Option<QuestionView>,
    /// For a hospital system's check of the patient's consent: what it was told.
    pub consent_check: Option<crate::vocabulary::consent_check::ConsentCheckOutcome>,
}

/// A patient's "I don't recognise this", and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub text: String,
    pub asked_local: String,
    pub state: ReviewState,
}

/// Filters of the patient's log (all optional). Dates are `YYYY-MM-DD` in the hospital's
/// time zone, both ends included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessFilter {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub department: Option<i64>,
    #[serde(default)]
    pub unusual_only: bool,
}

/// One page of the log, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPageView {
    pub entries: Vec<AccessEntryView>,
    /// Pass back as `after` for the next (older) page; `None` on the last page.
    pub next: Option<String>,
}

/// Counts for the charts: per month and per department, over the filtered log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessSummaryView {
    pub total: u64,
    pub unusual: u64,
    /// (`YYYY-MM`, count), oldest first.
    pub by_month: Vec<(String, u64)>,
    /// (department, count), largest first; `None` for accesses without a department.
    pub by_department: Vec<(Option<DepartmentView>, u64)>,
}

/// The patient's log page: one page of entries, the counts for the charts, and the
/// departments for the filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogView {
    pub page: AccessPageView,
    pub summary: AccessSummaryView,
    pub departments: Vec<DepartmentView>,
    /// Source systems whose events are not arriving as usual: the log may be missing
    /// their accesses since then.
    pub feeds: Vec<FeedNoticeView>,
}

vocabulary! {
    /// What is wrong with a source system's flow of access events.
    FeedProblem {
        /// No batch for much longer than usual.
        Silent = "silent",
        /// Events arrive much later after the access than usual.
        Late = "late",
        /// An hour with far fewer events than that hour usually has.
        Quiet = "quiet",
    }
}

/// An open problem in a source system's flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedNoticeView {
    /// The source system's name.
    pub system: String,
    pub problem: FeedProblem,
    /// Local `YYYY-MM-DD HH:MM`: the last batch (silent), or when it began.
    pub since_local: String,
}

/// A watch-list entry: a person or department the patient wants flagged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchView {
    pub id: i64,
    pub person_name: Option<String>,
    pub department: Option<DepartmentView>,
}

/// The patient's log settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSettingsView {
    pub notify: NotifyChoice,
    pub has_email: bool,
    pub watch: Vec<WatchView>,
    pub departments: Vec<DepartmentView>,
}

/// A patient's question about an entry of a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskedView {
    pub text: String,
    pub asked_local: String,
}

/// A case of the privacy officer's review queue: one person's accesses to one patient's
/// record on one day that need review, with what ranks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCaseView {
    pub case_id: i64,
    /// Who opened the record.
    pub person: String,
    pub patient_name: String,
    pub patient_mrn: String,
    /// `YYYY-MM-DD` in the hospital's time zone.
    pub day: String,
    pub score: i64,
    /// At or above the review line, or asked about by the patient: to be read now.
    pub to_read: bool,
    /// Rules its accesses hit, in the order of [`Rule::ALL`].
    pub rules: Vec<Rule>,
    /// Accesses by staff nothing in the patient's care explains.
    pub unexplained: i64,
    /// An unexplained access came when the patient was in no department's care.
    pub out_of_care: bool,
    /// Accesses in the night by someone the department's roster for the patient did not
    /// name.
    pub night_unnamed: i64,
    /// Accesses of a VIP's record that only a department's care explained, not care
    /// naming the person.
    pub vip_by_department: i64,
    /// An unexplained access came within a week after the person had opened, with nothing
    /// to explain them, the records of two or more other patients in no one's care.
    pub follows_out_of_care: bool,
    pub state: ReviewState,
    pub questions: Vec<AskedView>,
    /// Its accesses, oldest first.
    pub entries: Vec<AccessEntryView>,
    pub resolution_note: Option<String>,
}

/// One page of the privacy officer's review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueueView {
    /// Source systems whose flow has an open problem.
    pub feeds: Vec<FeedNoticeView>,
    /// Patients' questions first, then by rank.
    pub cases: Vec<ReviewCaseView>,
    /// This page, from 1.
    pub page: u64,
    /// How many pages the open cases fill (at least 1).
    pub pages: u64,
    /// Open cases in all.
    pub open: u64,
    /// Open cases to read now (at or above the line, or asked about).
    pub to_read: u64,
}

/// Cases on one page of the review queue.
pub const REVIEWS_PER_PAGE: u64 = 25;

/// Longest watched name.
pub const WATCH_NAME_MAX: usize = 100;

/// A watch-list entry as the patient typed it: a name, a department, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWatch {
    pub person_name: Option<String>,
    pub department_id: Option<i64>,
}

impl NewWatch {
    /// Parses the form's fields (an empty department is "none"); a bad one is named.
    pub fn parse(
        person_name: &str,
        department: Option<&str>,
    ) -> Result<NewWatch, crate::error::AppError> {
        let department_id = match department.map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(
                id.parse::<i64>()
                    .map_err(|_| crate::error::AppError::invalid("department"))?,
            ),
        };
        let name = person_name.trim();
        if name.chars().count() > WATCH_NAME_MAX || (name.is_empty() && department_id.is_none()) {
            return Err(crate::error::AppError::invalid("person_name"));
        }
        Ok(NewWatch {
            person_name: (!name.is_empty()).then(|| name.to_owned()),
            department_id,
        })
    }
}

/// Longest question a patient may write about one access.
pub const QUESTION_MAX_CHARS: usize = 2000;

/// A patient's words about an access: trimmed, not empty, bounded.
///
/// `None` when empty or longer than [`QUESTION_MAX_CHARS`].
#[must_use]
pub fn parse_question(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > QUESTION_MAX_CHARS {
        return None;
    }
    Some(text.to_owned())
}

/// A patient's question about one of their own entries, checked at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub event_id: i64,
    pub text: String,
}

impl Question {
    /// Parses the form's fields; an empty or over-long question is named.
    pub fn parse(event_id: i64, text: &str) -> Result<Question, crate::error::AppError> {
        let text =
            parse_question(text).ok_or_else(|| crate::error::AppError::invalid("question"))?;
        Ok(Question { event_id, text })
    }
}

/// A privacy officer's decision on a review case, checked at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewDecision {
    pub case_id: i64,
    /// `Explained` or `Escalated`: an item is opened only by a patient's question or a rule.
    pub state: ReviewState,
    pub note: String,
}

impl ReviewDecision {
    /// Parses the form's fields; a bad decision or note is named.
    pub fn parse(
        case_id: i64,
        decision: &str,
        note: &str,
    ) -> Result<ReviewDecision, crate::error::AppError> {
        use crate::error::AppError;
        let Some(state @ (ReviewState::Explained | ReviewState::Escalated)) =
            ReviewState::from_code(decision)
        else {
            return Err(AppError::invalid("decision"));
        };
        let note = parse_question(note).ok_or_else(|| AppError::invalid("note"))?;
        Ok(ReviewDecision {
            case_id,
            state,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_code(rule.code()), Some(*rule));
        }
        for category in Category::ALL {
            assert_eq!(Category::from_code(category.code()), Some(*category));
        }
        assert_eq!(Category::from_code("nonsense"), None);
        assert_eq!(
            rules_from_codes("same_surname,watch_list"),
            vec![Rule::SameSurname, Rule::WatchList]
        );
        assert!(rules_from_codes("").is_empty());
    }

    #[test]
    fn questions_are_bounded() {
        assert_eq!(
            parse_question("  who is this?  "),
            Some("who is this?".into())
        );
        assert!(parse_question("   ").is_none());
        assert!(parse_question(&"字".repeat(QUESTION_MAX_CHARS + 1)).is_none());
    }
}

#[cfg(test)]
mod watch_tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn watch_entries_are_parsed_and_bad_fields_named() {
        assert_eq!(
            NewWatch::parse(" 王芳 ", Some("")),
            Ok(NewWatch {
                person_name: Some("王芳".into()),
                department_id: None
            })
        );
        assert_eq!(
            NewWatch::parse("", Some("7")).map(|w| w.department_id),
            Ok(Some(7))
        );
        assert_eq!(
            NewWatch::parse("", None),
            Err(AppError::invalid("person_name"))
        );
        assert_eq!(
            NewWatch::parse("x", Some("cardio")),
            Err(AppError::invalid("department"))
        );
        let long = "名".repeat(WATCH_NAME_MAX + 1);
        assert_eq!(
            NewWatch::parse(&long, None),
            Err(AppError::invalid("person_name"))
        );
    }
}

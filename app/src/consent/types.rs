//! What crosses the wire for consent: where a patient's choice stands, the policy texts,
//! the history of changes, receipts, the patient's grant form and the privacy officer's
//! counts. Shared by the server and the browser.

use serde::{Deserialize, Serialize};

use crate::access_log::types::Category;
use crate::vocabulary;

vocabulary! {
    /// What a change did.
    ChangeAction {
        Grant = "grant",
        Revoke = "revoke",
    }
}

vocabulary! {
    /// What a new policy version does to grants of earlier versions until the patient
    /// confirms it.
    EarlierGrants {
        /// The earlier grant stays in force.
        Keep = "keep",
        /// The earlier grant is paused: decisions deny until the patient confirms.
        Suspend = "suspend",
    }
}

vocabulary! {
    /// Where a patient's choice for one purpose stands at a moment.
    ConsentState {
        /// Never granted (the default).
        NotGranted = "not_granted",
        Granted = "granted",
        /// Granted under an earlier policy version that stays in force until confirmed.
        AwaitingConfirmation = "awaiting_confirmation",
        /// Granted under an earlier policy version that is paused until confirmed.
        Suspended = "suspended",
        /// The grant's end date has passed.
        Expired = "expired",
        Revoked = "revoked",
    }
}

impl ConsentState {
    /// Whether data may be used for the purpose in this state (before exclusions).
    #[must_use]
    pub const fn permits(self) -> bool {
        matches!(
            self,
            ConsentState::Granted | ConsentState::AwaitingConfirmation
        )
    }
}

pub use crate::vocabulary::consent_check::{ConsentCheckOutcome, DecisionReason};

/// Sensitive categories a patient may exclude from a grant.
pub const EXCLUDABLE: [Category; 4] = [
    Category::Genetic,
    Category::MentalHealth,
    Category::SexualHealth,
    Category::Photographs,
];

/// Categories as stored: comma-separated codes (unknown codes are skipped).
#[must_use]
pub fn categories_from_codes(codes: &str) -> Vec<Category> {
    codes
        .split(',')
        .filter_map(|code| Category::from_code(code.trim()))
        .collect()
}

/// Categories as stored.
#[must_use]
pub fn categories_to_codes(categories: &[Category]) -> String {
    categories
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// A purpose as patients see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeView {
    pub code: String,
    pub name_zh_hans: String,
    pub name_en: String,
}

/// One version of a purpose's policy text. Texts are plain paragraphs separated by blank
/// lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub purpose: PurposeView,
    pub version: i64,
    pub summary_zh_hans: String,
    pub summary_en: String,
    pub text_zh_hans: String,
    pub text_en: String,
    pub changes_zh_hans: Option<String>,
    pub changes_en: Option<String>,
    pub earlier_grants: EarlierGrants,
    /// `YYYY-MM-DD` in the hospital's time zone.
    pub published_on: String,
}

/// A patient's standing for one purpose, with the current policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentCardView {
    pub policy: PolicyView,
    pub state: ConsentState,
    /// The version the patient's grant was given under, when there is a grant.
    pub granted_version: Option<i64>,
    pub excluded: Vec<Category>,
    /// Last day the grant covers (`YYYY-MM-DD`, hospital time zone).
    pub expires_on: Option<String>,
    /// When the current state began (`YYYY-MM-DD HH:MM`).
    pub since_local: Option<String>,
}

/// One change of the patient's history (every change is the patient's own: the portal
/// records choices only from the patient, signed in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub receipt_id: String,
    pub purpose: PurposeView,
    pub action: ChangeAction,
    pub version: i64,
    pub excluded: Vec<Category>,
    pub expires_on: Option<String>,
    pub when_local: String,
}

/// The patient's consent page: one card per purpose and the whole history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentOverviewView {
    pub cards: Vec<ConsentCardView>,
    pub history: Vec<ChangeView>,
}

/// A receipt as the printable page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub change: ChangeView,
    pub controller: String,
    pub controller_contact: String,
    pub jurisdiction: String,
    pub collection_method: String,
    pub policy_url: String,
    pub signature: String,
}

/// The patient's grant (or confirmation of a new version) for one purpose, as the form
/// sends it. Checkboxes send `true`; an empty end date means "until I revoke".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::struct_excessive_bools)] // One per checkbox, as the form sends them.
pub struct GrantConsent {
    pub purpose: String,
    /// The policy version the patient was shown.
    pub version: i64,
    #[serde(default)]
    pub exclude_genetic: bool,
    #[serde(default)]
    pub exclude_mental_health: bool,
    #[serde(default)]
    pub exclude_sexual_health: bool,
    #[serde(default)]
    pub exclude_photographs: bool,
    /// `YYYY-MM-DD`, or empty.
    #[serde(default)]
    pub expires_on: String,
}

impl GrantConsent {
    /// The categories the patient ticked, in [`EXCLUDABLE`] order.
    #[must_use]
    pub fn excluded(&self) -> Vec<Category> {
        let ticked = [
            self.exclude_genetic,
            self.exclude_mental_health,
            self.exclude_sexual_health,
            self.exclude_photographs,
        ];
        EXCLUDABLE
            .iter()
            .zip(ticked)
            .filter(|(_, on)| *on)
            .map(|(category, _)| *category)
            .collect()
    }

    /// The form field of an excludable category.
    #[must_use]
    pub fn field_of(category: Category) -> &'static str {
        match category {
            Category::Genetic => "exclude_genetic",
            Category::MentalHealth => "exclude_mental_health",
            Category::SexualHealth => "exclude_sexual_health",
            _ => "exclude_photographs",
        }
    }
}

/// A `YYYY-MM-DD` date, checked: the shape and a real calendar day.
///
/// `None` when it is not one.
#[must_use]
pub fn parse_date(text: &str) -> Option<(i32, u8, u8)> {
    let text = text.trim();
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day): (i32, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (day >= 1 && day <= days).then_some((year, month, day))
}

/// Counts of patients per state for one purpose at the end of one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCounts {
    /// `YYYY-MM`.
    pub month: String,
    /// (state, patients), in [`ConsentState::ALL`] order, without `NotGranted`.
    pub counts: Vec<(ConsentState, u64)>,
}

/// The privacy officer's view of one purpose: counts per state, month by month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeStatsView {
    pub purpose: PurposeView,
    pub current_version: i64,
    pub months: Vec<MonthCounts>,
    /// Changes recorded in the last 30 days: grants, revocations.
    pub recent_grants: u64,
    pub recent_revocations: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_outcomes_read_back_from_their_detail_text() {
        let outcomes = DecisionReason::ALL
            .iter()
            .map(|reason| ConsentCheckOutcome::Denied(*reason))
            .chain([
                ConsentCheckOutcome::Permitted,
                ConsentCheckOutcome::Searched(0),
                ConsentCheckOutcome::Searched(12),
                ConsentCheckOutcome::Read,
            ]);
        for outcome in outcomes {
            assert_eq!(
                ConsentCheckOutcome::from_detail(&outcome.detail()),
                Some(outcome)
            );
        }
        assert_eq!(
            ConsentCheckOutcome::Denied(DecisionReason::Revoked).detail(),
            "deny: revoked"
        );
        for other in [
            "",
            "deny: maybe",
            "searched consent records: x found",
            "Observation/1",
        ] {
            assert_eq!(ConsentCheckOutcome::from_detail(other), None, "{other}");
        }
    }

    #[test]
    fn dates_are_real_calendar_days() {
        assert_eq!(parse_date("2027-02-28"), Some((2027, 2, 28)));
        assert_eq!(parse_date(" 2028-02-29 "), Some((2028, 2, 29)));
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(parse_date("2027-13-01"), None);
        assert_eq!(parse_date("27-01-01"), None);
        assert_eq!(parse_date("2027/01/01"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn ticked_boxes_become_categories_in_order() {
        let grant = GrantConsent {
            exclude_photographs: true,
            exclude_genetic: true,
            ..GrantConsent::default()
        };
        assert_eq!(
            grant.excluded(),
            vec![Category::Genetic, Category::Photographs]
        );
        for category in EXCLUDABLE {
            assert!(GrantConsent::field_of(category).ends_with(category.code()));
        }
    }

    #[test]
    fn only_a_standing_grant_permits() {
        let permitting: Vec<_> = ConsentState::ALL
            .iter()
            .filter(|state| state.permits())
            .collect();
        assert_eq!(
            permitting,
            [&ConsentState::Granted, &ConsentState::AwaitingConfirmation]
        );
    }
}

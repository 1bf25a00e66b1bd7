//! Where a patient's choice stands at a moment, and the decision a hospital system gets.
//! One function decides the state, used by the patient's page, the decision endpoint, the
//! FHIR `Consent` status and the privacy officer's counts, so they never disagree.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;

use super::entity::{change, policy, purpose};
use super::rows::{ConsentChange, ConsentPurpose, PolicyVersion};
use crate::access_log::types::Category;
use crate::consent::types::{
    categories_from_codes, ChangeAction, ConsentState, DecisionReason, EarlierGrants,
};

/// Every purpose and every published policy version (a handful of rows).
#[derive(Clone, Debug)]
pub struct Catalogue {
    pub purposes: Vec<ConsentPurpose>,
    /// Ordered by purpose, then version.
    pub policies: Vec<PolicyVersion>,
}

impl Catalogue {
    pub async fn load<C: ConnectionTrait>(conn: &C) -> Result<Catalogue, DbErr> {
        let purposes = purpose::Entity::find()
            .order_by_asc(purpose::Column::Position)
            .order_by_asc(purpose::Column::Id)
            .all(conn)
            .await?
            .into_iter()
            .map(ConsentPurpose::from)
            .collect();
        let policies = policy::Entity::find()
            .order_by_asc(policy::Column::PurposeId)
            .order_by_asc(policy::Column::Version)
            .all(conn)
            .await?
            .into_iter()
            .map(PolicyVersion::from)
            .collect();
        Ok(Catalogue { purposes, policies })
    }

    #[must_use]
    pub fn purpose(&self, code: &str) -> Option<&ConsentPurpose> {
        self.purposes.iter().find(|p| p.code == code)
    }

    #[must_use]
    pub fn purpose_by_id(&self, id: i64) -> Option<&ConsentPurpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    #[must_use]
    pub fn policy(&self, id: i64) -> Option<&PolicyVersion> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// A purpose's policy versions published by `at`, oldest first.
    pub fn versions(
        &self,
        purpose_id: i64,
        at: OffsetDateTime,
    ) -> impl Iterator<Item = &PolicyVersion> + '_ {
        self.policies
            .iter()
            .filter(move |p| p.purpose_id == purpose_id && p.published_at <= at)
    }

    /// The version patients are shown at `at`.
    #[must_use]
    pub fn current_policy(&self, purpose_id: i64, at: OffsetDateTime) -> Option<&PolicyVersion> {
        self.versions(purpose_id, at).last()
    }
}

/// A patient's standing for one purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing<'a> {
    pub state: ConsentState,
    /// The newest change, when there is one.
    pub latest: Option<&'a ConsentChange>,
    /// When the state began.
    pub since: Option<OffsetDateTime>,
}

/// The standing at `at`, given the newest change made by then (`latest`).
#[must_use]
pub fn standing<'a>(
    catalogue: &Catalogue,
    latest: Option<&'a ConsentChange>,
    at: OffsetDateTime,
) -> Standing<'a> {
    let Some(change) = latest else {
        return Standing {
            state: ConsentState::NotGranted,
            latest: None,
            since: None,
        };
    };
    let state_since = |state, since| Standing {
        state,
        latest: Some(change),
        since: Some(since),
    };
    if change.action != ChangeAction::Grant.code() {
        return state_since(ConsentState::Revoked, change.changed_at);
    }
    if let Some(end) = change.expires_at.filter(|end| *end <= at) {
        return state_since(ConsentState::Expired, end);
    }
    let granted_version = catalogue.policy(change.policy_id).map_or(0, |p| p.version);
    let mut newer = catalogue
        .versions(change.purpose_id, at)
        .filter(|p| p.version > granted_version)
        .peekable();
    if newer.peek().is_none() {
        return state_since(ConsentState::Granted, change.changed_at);
    }
    match newer.find(|p| p.earlier_grants == EarlierGrants::Suspend.code()) {
        Some(suspending) => state_since(ConsentState::Suspended, suspending.published_at),
        None => state_since(ConsentState::AwaitingConfirmation, change.changed_at),
    }
}

/// The newest change of `mrn` for `purpose_id` made by `at`.
pub async fn latest_change<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    purpose_id: i64,
    at: OffsetDateTime,
) -> Result<Option<ConsentChange>, DbErr> {
    Ok(change::Entity::find()
        .filter(change::Column::PatientMrn.eq(mrn))
        .filter(change::Column::PurposeId.eq(purpose_id))
        .filter(change::Column::ChangedAt.lte(at))
        .order_by_desc(change::Column::Id)
        .one(conn)
        .await?
        .map(ConsentChange::from))
}

/// Every change of `mrn` (for one purpose, or all), newest first.
pub async fn changes_of<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    purpose_id: Option<i64>,
) -> Result<Vec<ConsentChange>, DbErr> {
    let mut query = change::Entity::find().filter(change::Column::PatientMrn.eq(mrn));
    if let Some(id) = purpose_id {
        query = query.filter(change::Column::PurposeId.eq(id));
    }
    Ok(query
        .order_by_desc(change::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(ConsentChange::from)
        .collect())
}

/// The change a receipt (and FHIR `Consent` id) names.
pub async fn change_by_receipt<C: ConnectionTrait>(
    conn: &C,
    receipt_id: &str,
) -> Result<Option<ConsentChange>, DbErr> {
    Ok(change::Entity::find()
        .filter(change::Column::ReceiptId.eq(receipt_id))
        .one(conn)
        .await?
        .map(ConsentChange::from))
}

/// The categories a change excluded.
#[must_use]
pub fn excluded_of(change: &ConsentChange) -> Vec<Category> {
    categories_from_codes(&change.excluded)
}

/// The answer to "may `purpose` use these categories of this patient's data at this time?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub permit: bool,
    pub reason: DecisionReason,
    pub state: ConsentState,
    /// The requested categories the patient excluded (for `CategoryExcluded`).
    pub excluded: Vec<Category>,
    /// The policy version of the grant, when there is one.
    pub policy_version: Option<i64>,
    /// The receipt (and FHIR `Consent` id) of the change the answer rests on.
    pub consent_id: Option<String>,
}

/// Decides for the newest change made by `at`.
#[must_use]
pub fn decide(
    catalogue: &Catalogue,
    latest: Option<&ConsentChange>,
    categories: &[Category],
    at: OffsetDateTime,
) -> Decision {
    let standing = standing(catalogue, latest, at);
    let policy_version = latest
        .filter(|c| c.action == ChangeAction::Grant.code())
        .and_then(|c| catalogue.policy(c.policy_id))
        .map(|p| p.version);
    let consent_id = latest.map(|c| c.receipt_id.clone());
    let deny = |reason| Decision {
        permit: false,
        reason,
        state: standing.state,
        excluded: Vec::new(),
        policy_version,
        consent_id: consent_id.clone(),
    };
    match standing.state {
        ConsentState::NotGranted => return deny(DecisionReason::NotGranted),
        ConsentState::Revoked => return deny(DecisionReason::Revoked),
        ConsentState::Expired => return deny(DecisionReason::Expired),
        ConsentState::Suspended => return deny(DecisionReason::AwaitingConfirmation),
        ConsentState::Granted | ConsentState::AwaitingConfirmation => {}
    }
    let excluded_by_patient = latest.map(excluded_of).unwrap_or_default();
    let hit: Vec<Category> = categories
        .iter()
        .copied()
        .filter(|c| excluded_by_patient.contains(c))
        .collect();
    if hit.is_empty() {
        Decision {
            permit: true,
            reason: DecisionReason::Granted,
            state: standing.state,
            excluded: Vec::new(),
            policy_version,
            consent_id,
        }
    } else {
        Decision {
            excluded: hit,
            ..deny(DecisionReason::CategoryExcluded)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue(rules: &[(i64, &str, i64)]) -> Catalogue {
        let purpose = ConsentPurpose {
            id: 1,
            code: "research".into(),
            name_zh_hans: "研究".into(),
            name_en: "Research".into(),
            fhir_scope: "research".into(),
            purpose_system: "s".into(),
            purpose_code: "HRESCH".into(),
            purpose_display: "d".into(),
            access_purpose: "research".into(),
            position: 1,
            created_at: day(JAN),
        };
        let policies = rules
            .iter()
            .map(|(version, rule, at)| PolicyVersion {
                id: *version,
                purpose_id: 1,
                version: *version,
                summary_zh_hans: String::new(),
                summary_en: String::new(),
                text_zh_hans: String::new(),
                text_en: String::new(),
                changes_zh_hans: None,
                changes_en: None,
                earlier_grants: (*rule).into(),
                published_at: day(*at),
            })
            .collect();
        Catalogue {
            purposes: vec![purpose],
            policies,
        }
    }

    fn grant(policy_id: i64, excluded: &str, expires: Option<i64>) -> ConsentChange {
        ConsentChange {
            id: 1,
            receipt_id: "r1".into(),
            patient_mrn: "P1".into(),
            purpose_id: 1,
            policy_id,
            action: "grant".into(),
            excluded: excluded.into(),
            expires_at: expires.map(day),
            changed_at: day(FEB),
            changed_by_account_id: Some(1),
            receipt: String::new(),
            signature: String::new(),
        }
    }

    /// A day of 2026 (day 1 = 1 January), at midnight UTC.
    fn day(n: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap() + time::Duration::days(n - 1)
    }

    const JAN: i64 = 1;
    const FEB: i64 = 32;
    const MAR: i64 = 60;
    const APR: i64 = 91;
    const MAY: i64 = 121;

    #[test]
    fn grant_permits_and_exclusions_deny_only_their_category() {
        let c = catalogue(&[(1, "keep", JAN)]);
        let g = grant(1, "genetic", None);
        let lab = decide(&c, Some(&g), &[Category::Lab], day(MAR));
        assert!(lab.permit);
        assert_eq!(lab.reason, DecisionReason::Granted);
        assert_eq!(lab.policy_version, Some(1));
        let genetic = decide(&c, Some(&g), &[Category::Lab, Category::Genetic], day(MAR));
        assert!(!genetic.permit);
        assert_eq!(genetic.reason, DecisionReason::CategoryExcluded);
        assert_eq!(genetic.excluded, vec![Category::Genetic]);
        assert_eq!(
            decide(&c, None, &[], day(MAR)).reason,
            DecisionReason::NotGranted
        );
    }

    #[test]
    fn revoked_and_expired_deny() {
        let c = catalogue(&[(1, "keep", JAN)]);
        let mut revoked = grant(1, "", None);
        revoked.action = "revoke".into();
        assert_eq!(
            decide(&c, Some(&revoked), &[], day(MAR)).reason,
            DecisionReason::Revoked
        );
        let until_april = grant(1, "", Some(APR));
        assert!(decide(&c, Some(&until_april), &[], day(MAR)).permit);
        let later = decide(&c, Some(&until_april), &[], day(MAY));
        assert_eq!(later.reason, DecisionReason::Expired);
        assert_eq!(later.state, ConsentState::Expired);
    }

    #[test]
    fn a_new_version_keeps_or_suspends_as_it_says() {
        let g = grant(1, "", None);
        let keep = catalogue(&[(1, "keep", JAN), (2, "keep", MAR)]);
        let kept = decide(&keep, Some(&g), &[], day(MAY));
        assert!(kept.permit);
        assert_eq!(kept.state, ConsentState::AwaitingConfirmation);
        // Before version 2 was published, the grant was simply granted.
        assert_eq!(
            standing(&keep, Some(&g), day(FEB + 14)).state,
            ConsentState::Granted
        );
        let suspend = catalogue(&[(1, "keep", JAN), (2, "keep", MAR), (3, "suspend", MAY)]);
        let paused = decide(&suspend, Some(&g), &[], day(MAY));
        assert!(!paused.permit);
        assert_eq!(paused.reason, DecisionReason::AwaitingConfirmation);
        assert_eq!(
            standing(&suspend, Some(&g), day(MAY)).since,
            Some(day(MAY)),
            "paused since version 3 was published"
        );
        // Confirming the newest version lifts the pause.
        let confirmed = grant(3, "", None);
        assert_eq!(
            decide(&suspend, Some(&confirmed), &[], day(MAY)).state,
            ConsentState::Granted
        );
    }
}

//! What the consent tables hold, as other code reads it: copies of the rows. The tables
//! stay private to this slice, so purposes, policy versions and patients' changes are
//! written only by its services (a change is append-only and signed).

use time::OffsetDateTime;

use super::entity::{change, policy, purpose};

/// A purpose patients decide on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentPurpose {
    pub id: i64,
    pub code: String,
    pub name_zh_hans: String,
    pub name_en: String,
    pub fhir_scope: String,
    pub purpose_system: String,
    pub purpose_code: String,
    pub purpose_display: String,
    /// The access-log purpose a use under this consent is logged as.
    pub access_purpose: String,
    pub position: i64,
    pub created_at: OffsetDateTime,
}

/// One published version of a purpose's policy text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersion {
    pub id: i64,
    pub purpose_id: i64,
    pub version: i64,
    pub summary_zh_hans: String,
    pub summary_en: String,
    pub text_zh_hans: String,
    pub text_en: String,
    pub changes_zh_hans: Option<String>,
    pub changes_en: Option<String>,
    /// What this version means for grants of earlier versions (`EarlierGrants` code).
    pub earlier_grants: String,
    pub published_at: OffsetDateTime,
}

/// A patient's grant or withdrawal, with its signed receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentChange {
    pub id: i64,
    pub receipt_id: String,
    pub patient_mrn: String,
    pub purpose_id: i64,
    pub policy_id: i64,
    /// `ChangeAction` code.
    pub action: String,
    /// Excluded categories, as comma-separated codes.
    pub excluded: String,
    pub expires_at: Option<OffsetDateTime>,
    pub changed_at: OffsetDateTime,
    pub changed_by_account_id: Option<i64>,
    pub receipt: String,
    pub signature: String,
}

impl From<purpose::Model> for ConsentPurpose {
    fn from(row: purpose::Model) -> Self {
        ConsentPurpose {
            id: row.id,
            code: row.code,
            name_zh_hans: row.name_zh_hans,
            name_en: row.name_en,
            fhir_scope: row.fhir_scope,
            purpose_system: row.purpose_system,
            purpose_code: row.purpose_code,
            purpose_display: row.purpose_display,
            access_purpose: row.access_purpose,
            position: row.position,
            created_at: row.created_at,
        }
    }
}

impl From<policy::Model> for PolicyVersion {
    fn from(row: policy::Model) -> Self {
        PolicyVersion {
            id: row.id,
            purpose_id: row.purpose_id,
            version: row.version,
            summary_zh_hans: row.summary_zh_hans,
            summary_en: row.summary_en,
            text_zh_hans: row.text_zh_hans,
            text_en: row.text_en,
            changes_zh_hans: row.changes_zh_hans,
            changes_en: row.changes_en,
            earlier_grants: row.earlier_grants,
            published_at: row.published_at,
        }
    }
}

impl From<change::Model> for ConsentChange {
    fn from(row: change::Model) -> Self {
        ConsentChange {
            id: row.id,
            receipt_id: row.receipt_id,
            patient_mrn: row.patient_mrn,
            purpose_id: row.purpose_id,
            policy_id: row.policy_id,
            action: row.action,
            excluded: row.excluded,
            expires_at: row.expires_at,
            changed_at: row.changed_at,
            changed_by_account_id: row.changed_by_account_id,
            receipt: row.receipt,
            signature: row.signature,
        }
    }
}

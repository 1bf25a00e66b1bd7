//! Purposes and their policy texts, published from TOML files: the built-in `research` and
//! `teaching` on first start, any other purpose or a new version with
//! `portal publish-consent-policy`. A published version is never changed, so what a
//! patient was shown stays on record; a new text is a new version.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::entity::{policy, purpose};
use crate::access_log::types::Purpose as AccessPurpose;
use crate::consent::types::EarlierGrants;

/// The purposes every portal has, as shipped (version 1 of each).
pub const BUILT_IN: [&str; 2] = [
    include_str!("../policies/research.toml"),
    include_str!("../policies/teaching.toml"),
];

/// HL7 v3 `ActReason`, where `HRESCH` and `TRAIN` come from.
pub const V3_ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

/// Longest policy text, per language.
const TEXT_MAX_CHARS: usize = 20_000;

/// A policy file: the purpose and one version of its text.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    pub purpose: PurposeSpec,
    pub policy: PolicySpec,
}

/// The purpose part of a policy file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeSpec {
    pub code: String,
    pub name_zh_hans: String,
    pub name_en: String,
    /// `research` or `patient-privacy` (FHIR consentscope).
    pub fhir_scope: String,
    #[serde(default = "default_purpose_system")]
    pub purpose_system: String,
    pub purpose_code: String,
    pub purpose_display: String,
    /// A purpose of the access log (`research`, `teaching`, `other`, …).
    #[serde(default = "default_access_purpose")]
    pub access_purpose: String,
    /// Order on the patient's page; new purposes go last when unset.
    pub position: Option<i64>,
}

impl PurposeSpec {
    /// Puts the file's names and codes on a purpose row, new or existing.
    fn apply(&self, row: &mut purpose::ActiveModel) {
        row.name_zh_hans = Set(self.name_zh_hans.trim().to_owned());
        row.name_en = Set(self.name_en.trim().to_owned());
        row.fhir_scope = Set(self.fhir_scope.clone());
        row.purpose_system = Set(self.purpose_system.trim().to_owned());
        row.purpose_code = Set(self.purpose_code.trim().to_owned());
        row.purpose_display = Set(self.purpose_display.trim().to_owned());
        row.access_purpose = Set(self.access_purpose.clone());
    }
}

/// An optional text as stored: trimmed, `None` when empty.
fn optional_text(text: Option<&String>) -> Option<String> {
    text.map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn default_purpose_system() -> String {
    V3_ACT_REASON.to_owned()
}

fn default_access_purpose() -> String {
    AccessPurpose::Other.code().to_owned()
}

/// The policy part of a policy file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    pub version: i64,
    /// `keep` or `suspend`.
    pub earlier_grants: String,
    pub summary_zh_hans: String,
    pub summary_en: String,
    pub text_zh_hans: String,
    pub text_en: String,
    pub changes_zh_hans: Option<String>,
    pub changes_en: Option<String>,
}

/// Why a policy file was not published.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("not a policy file: {0}")]
    Syntax(String),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error("policy.version: {purpose} is at version {latest}; the next one is {}", latest + 1)]
    VersionOutOfOrder { purpose: String, latest: i64 },
    #[error("policy.version: version {version} of {purpose} was published with a different text; publish it as version {}", latest + 1)]
    AlreadyPublished {
        purpose: String,
        version: i64,
        latest: i64,
    },
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// What publishing did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Published {
    /// A new version (and, for version 1, a new purpose).
    New { purpose: String, version: i64 },
    /// The same version with the same text was already there.
    Unchanged { purpose: String, version: i64 },
}

fn invalid(field: &'static str, problem: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        field,
        problem: problem.into(),
    }
}

fn bounded(field: &'static str, text: &str, max: usize) -> Result<(), PolicyError> {
    let count = text.trim().chars().count();
    if count == 0 {
        return Err(invalid(field, "is empty"));
    }
    if count > max {
        return Err(invalid(field, format!("is longer than {max} characters")));
    }
    Ok(())
}

impl PolicyFile {
    /// Parses and checks a policy file.
    pub fn parse(text: &str) -> Result<PolicyFile, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        file.check()?;
        Ok(file)
    }

    fn check(&self) -> Result<(), PolicyError> {
        let p = &self.purpose;
        let code_ok = p.code.len() <= 40
            && p.code.starts_with(|c: char| c.is_ascii_lowercase())
            && p.code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            return Err(invalid(
                "purpose.code",
                "1 to 40 lower-case letters, digits or '_', starting with a letter",
            ));
        }
        bounded("purpose.name_zh_hans", &p.name_zh_hans, 100)?;
        bounded("purpose.name_en", &p.name_en, 100)?;
        if !matches!(p.fhir_scope.as_str(), "research" | "patient-privacy") {
            return Err(invalid(
                "purpose.fhir_scope",
                "must be research or patient-privacy",
            ));
        }
        bounded("purpose.purpose_system", &p.purpose_system, 200)?;
        bounded("purpose.purpose_code", &p.purpose_code, 64)?;
        bounded("purpose.purpose_display", &p.purpose_display, 200)?;
        if AccessPurpose::from_code(&p.access_purpose).is_none() {
            let known: Vec<&str> = AccessPurpose::ALL.iter().map(|p| p.code()).collect();
            return Err(invalid(
                "purpose.access_purpose",
                format!("must be one of {}", known.join(", ")),
            ));
        }
        let v = &self.policy;
        if v.version < 1 {
            return Err(invalid("policy.version", "starts at 1"));
        }
        if EarlierGrants::from_code(&v.earlier_grants).is_none() {
            return Err(invalid("policy.earlier_grants", "must be keep or suspend"));
        }
        bounded("policy.summary_zh_hans", &v.summary_zh_hans, 500)?;
        bounded("policy.summary_en", &v.summary_en, 500)?;
        bounded("policy.text_zh_hans", &v.text_zh_hans, TEXT_MAX_CHARS)?;
        bounded("policy.text_en", &v.text_en, TEXT_MAX_CHARS)?;
        if v.version > 1 {
            bounded(
                "policy.changes_zh_hans",
                v.changes_zh_hans.as_deref().unwrap_or_default(),
                TEXT_MAX_CHARS,
            )?;
            bounded(
                "policy.changes_en",
                v.changes_en.as_deref().unwrap_or_default(),
                TEXT_MAX_CHARS,
            )?;
        }
        Ok(())
    }

    fn same_text(&self, row: &policy::Model) -> bool {
        let v = &self.policy;
        row.summary_zh_hans == v.summary_zh_hans.trim()
            && row.summary_en == v.summary_en.trim()
            && row.text_zh_hans == v.text_zh_hans.trim()
            && row.text_en == v.text_en.trim()
            && row.changes_zh_hans == optional_text(v.changes_zh_hans.as_ref())
            && row.changes_en == optional_text(v.changes_en.as_ref())
            && row.earlier_grants == v.earlier_grants
    }
}

/// Publishes `file`: a new purpose with its version 1, or the next version of an existing
/// purpose (whose names and codes are updated from the file). Publishing the same version
/// with the same text again changes nothing.
pub async fn publish<C>(
    conn: &C,
    file: &PolicyFile,
    now: OffsetDateTime,
) -> Result<Published, PolicyError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = conn.begin().await?;
    let spec = &file.purpose;
    let existing = purpose::Entity::find()
        .filter(purpose::Column::Code.eq(&spec.code))
        .one(&txn)
        .await?;
    let purpose_id = if let Some(row) = existing {
        let id = row.id;
        let latest = policy::Entity::find()
            .filter(policy::Column::PurposeId.eq(id))
            .order_by_desc(policy::Column::Version)
            .one(&txn)
            .await?;
        let latest_version = latest.as_ref().map_or(0, |p| p.version);
        if let Some(published) = policy::Entity::find()
            .filter(policy::Column::PurposeId.eq(id))
            .filter(policy::Column::Version.eq(file.policy.version))
            .one(&txn)
            .await?
        {
            if file.same_text(&published) {
                return Ok(Published::Unchanged {
                    purpose: spec.code.clone(),
                    version: published.version,
                });
            }
            return Err(PolicyError::AlreadyPublished {
                purpose: spec.code.clone(),
                version: file.policy.version,
                latest: latest_version,
            });
        }
        if file.policy.version != latest_version + 1 {
            return Err(PolicyError::VersionOutOfOrder {
                purpose: spec.code.clone(),
                latest: latest_version,
            });
        }
        let mut update: purpose::ActiveModel = row.into();
        spec.apply(&mut update);
        if let Some(position) = spec.position {
            update.position = Set(position);
        }
        update.update(&txn).await?;
        id
    } else {
        if file.policy.version != 1 {
            return Err(PolicyError::VersionOutOfOrder {
                purpose: spec.code.clone(),
                latest: 0,
            });
        }
        let last_position: Option<i64> = purpose::Entity::find()
            .select_only()
            .column_as(Expr::col(purpose::Column::Position).max(), "max")
            .into_tuple()
            .one(&txn)
            .await?
            .flatten();
        let mut row = purpose::ActiveModel {
            id: NotSet,
            code: Set(spec.code.clone()),
            position: Set(spec
                .position
                .unwrap_or_else(|| last_position.unwrap_or(0) + 1)),
            created_at: Set(now),
            ..Default::default()
        };
        spec.apply(&mut row);
        purpose::Entity::insert(row)
            .exec(&txn)
            .await?
            .last_insert_id
    };
    let v = &file.policy;
    policy::Entity::insert(policy::ActiveModel {
        id: NotSet,
        purpose_id: Set(purpose_id),
        version: Set(v.version),
        summary_zh_hans: Set(v.summary_zh_hans.trim().to_owned()),
        summary_en: Set(v.summary_en.trim().to_owned()),
        text_zh_hans: Set(v.text_zh_hans.trim().to_owned()),
        text_en: Set(v.text_en.trim().to_owned()),
        changes_zh_hans: Set(optional_text(v.changes_zh_hans.as_ref())),
        changes_en: Set(optional_text(v.changes_en.as_ref())),
        earlier_grants: Set(v.earlier_grants.clone()),
        published_at: Set(now),
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(Published::New {
        purpose: spec.code.clone(),
        version: v.version,
    })
}

/// Publishes the built-in purposes that do not exist yet (a hospital's own later versions
/// are left alone).
pub async fn ensure_built_in<C>(conn: &C, now: OffsetDateTime) -> Result<(), PolicyError>
where
    C: ConnectionTrait + TransactionTrait,
{
    for text in BUILT_IN {
        let file = PolicyFile::parse(text)?;
        let exists = purpose::Entity::find()
            .filter(purpose::Column::Code.eq(&file.purpose.code))
            .one(conn)
            .await?
            .is_some();
        if !exists {
            publish(conn, &file, now).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_files_are_valid_and_coded_as_the_issue_says() {
        let research = PolicyFile::parse(BUILT_IN[0]).unwrap();
        assert_eq!(research.purpose.code, "research");
        assert_eq!(research.purpose.purpose_code, "HRESCH");
        let teaching = PolicyFile::parse(BUILT_IN[1]).unwrap();
        assert_eq!(teaching.purpose.code, "teaching");
        assert_eq!(teaching.purpose.purpose_code, "TRAIN");
        for file in [&research, &teaching] {
            assert_eq!(file.policy.version, 1);
            // Written for a patient: ethics approval, de-identification, how to withdraw.
            assert!(file.policy.text_en.contains("ethics committee"));
            assert!(file.policy.text_en.contains("withdraw"));
            assert!(file.policy.text_zh_hans.contains("伦理"));
            assert!(file.policy.text_zh_hans.contains("撤回"));
        }
    }

    #[test]
    fn bad_files_name_the_field() {
        let bad_scope = BUILT_IN[0].replace("fhir_scope = \"research\"", "fhir_scope = \"x\"");
        assert!(matches!(
            PolicyFile::parse(&bad_scope),
            Err(PolicyError::Invalid {
                field: "purpose.fhir_scope",
                ..
            })
        ));
        let second_without_changes = BUILT_IN[0].replace("version = 1", "version = 2");
        assert!(matches!(
            PolicyFile::parse(&second_without_changes),
            Err(PolicyError::Invalid {
                field: "policy.changes_zh_hans",
                ..
            })
        ));
        let unknown_key = format!("{}\nsurprise = 1\n", BUILT_IN[0]);
        assert!(matches!(
            PolicyFile::parse(&unknown_key),
            Err(PolicyError::Syntax(_))
        ));
        let bad_rule =
            BUILT_IN[1].replace("earlier_grants = \"keep\"", "earlier_grants = \"maybe\"");
        assert!(matches!(
            PolicyFile::parse(&bad_rule),
            Err(PolicyError::Invalid {
                field: "policy.earlier_grants",
                ..
            })
        ));
    }
}

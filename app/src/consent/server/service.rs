//! A patient's choices: grant (or confirm a new version), revoke, and what their page shows.
//! Each change is one transaction that writes the change with its signed receipt and the
//! confirmation email; a change takes effect the moment it commits.

use sea_orm::{ActiveValue::NotSet, ConnectionTrait, DbErr, EntityTrait, Set, TransactionTrait};
use time::OffsetDateTime;

use super::entity::change;
use super::receipt::{self, Facts, Issuer};
use super::rows::{ConsentChange, ConsentPurpose, PolicyVersion};
use super::standing::{
    change_by_receipt, changes_of, excluded_of, latest_change, standing, Catalogue,
};
use crate::access_log::server::ingest::MailContext;
use crate::accounts::server::query;
use crate::consent::types::{
    categories_to_codes, ChangeAction, ChangeView, ConsentCardView, ConsentOverviewView,
    EarlierGrants, GrantConsent, PolicyView, PurposeView, ReceiptView,
};
use crate::i18n::Locale;
use crate::identity::server::access::PatientCap;
use crate::ssr::email::{render, EmailTemplate};
use crate::ssr::outbox;
use crate::ssr::time::{day_start, local_date, local_minute};
use crate::state::AppState;

/// Why a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    #[error("no purpose is called {0:?}")]
    UnknownPurpose(String),
    /// The policy version the patient read is no longer the current one.
    #[error("the policy changed since it was shown")]
    StaleVersion,
    #[error("the end date is not a date")]
    BadDate,
    #[error("the end date has passed")]
    PastDate,
    /// Revoking what is not granted.
    #[error("nothing to withdraw")]
    NothingToRevoke,
    #[error("the patient has no record number")]
    NoRecord,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The patient the capability opens: record number, language and email.
struct Patient {
    account_id: i64,
    mrn: String,
    locale: Locale,
    email: Option<String>,
}

async fn patient_of<C: ConnectionTrait>(
    conn: &C,
    cap: PatientCap,
) -> Result<Patient, ConsentError> {
    let row = query::by_id(conn, cap.account_id())
        .await?
        .ok_or(ConsentError::NoRecord)?;
    Ok(Patient {
        account_id: row.id,
        mrn: row.mrn.ok_or(ConsentError::NoRecord)?,
        locale: row.locale,
        email: row.email,
    })
}

/// A purpose's code and names, as pages show them.
#[must_use]
pub fn purpose_view(row: &ConsentPurpose) -> PurposeView {
    PurposeView {
        code: row.code.clone(),
        name_zh_hans: row.name_zh_hans.clone(),
        name_en: row.name_en.clone(),
    }
}

/// A policy version as patients read it.
#[must_use]
pub fn policy_view(purpose: &ConsentPurpose, row: &PolicyVersion, time_zone: &str) -> PolicyView {
    PolicyView {
        purpose: purpose_view(purpose),
        version: row.version,
        summary_zh_hans: row.summary_zh_hans.clone(),
        summary_en: row.summary_en.clone(),
        text_zh_hans: row.text_zh_hans.clone(),
        text_en: row.text_en.clone(),
        changes_zh_hans: row.changes_zh_hans.clone(),
        changes_en: row.changes_en.clone(),
        earlier_grants: EarlierGrants::from_code(&row.earlier_grants)
            .unwrap_or(EarlierGrants::Keep),
        published_on: local_date(row.published_at, time_zone),
    }
}

/// The last day a grant covers, from the instant it ends.
fn last_day(expires_at: OffsetDateTime, time_zone: &str) -> String {
    local_date(expires_at - time::Duration::seconds(1), time_zone)
}

fn change_view(catalogue: &Catalogue, row: &ConsentChange, time_zone: &str) -> Option<ChangeView> {
    let purpose = catalogue.purpose_by_id(row.purpose_id)?;
    let policy = catalogue.policy(row.policy_id)?;
    Some(ChangeView {
        receipt_id: row.receipt_id.clone(),
        purpose: purpose_view(purpose),
        action: ChangeAction::from_code(&row.action).unwrap_or(ChangeAction::Revoke),
        version: policy.version,
        excluded: excluded_of(row),
        expires_on: row.expires_at.map(|at| last_day(at, time_zone)),
        when_local: local_minute(row.changed_at, time_zone),
    })
}

/// The patient's page: each purpose's standing with its current policy, and the history.
pub async fn overview(
    state: &AppState,
    cap: PatientCap,
) -> Result<ConsentOverviewView, ConsentError> {
    let db = &state.db;
    let tz = &state.settings.time_zone;
    let now = state.clock.now();
    let patient = patient_of(db, cap).await?;
    let catalogue = Catalogue::load(db).await?;
    let history = changes_of(db, &patient.mrn, None).await?;
    let mut cards = Vec::new();
    for purpose in &catalogue.purposes {
        let Some(current) = catalogue.current_policy(purpose.id, now) else {
            continue;
        };
        let latest = history.iter().find(|c| c.purpose_id == purpose.id);
        let standing = standing(&catalogue, latest, now);
        let grant = latest.filter(|c| c.action == ChangeAction::Grant.code());
        cards.push(ConsentCardView {
            policy: policy_view(purpose, current, tz),
            state: standing.state,
            granted_version: grant
                .and_then(|c| catalogue.policy(c.policy_id))
                .map(|p| p.version),
            excluded: grant.map(excluded_of).unwrap_or_default(),
            expires_on: grant.and_then(|c| c.expires_at).map(|at| last_day(at, tz)),
            since_local: standing.since.map(|at| local_minute(at, tz)),
        });
    }
    let history = history
        .iter()
        .filter_map(|row| change_view(&catalogue, row, tz))
        .collect();
    Ok(ConsentOverviewView { cards, history })
}

/// One published policy version, for the public policy page.
pub async fn published_policy(
    state: &AppState,
    purpose_code: &str,
    version: i64,
) -> Result<Option<PolicyView>, DbErr> {
    let catalogue = Catalogue::load(&state.db).await?;
    let now = state.clock.now();
    Ok(catalogue.purpose(purpose_code).and_then(|purpose| {
        catalogue
            .versions(purpose.id, now)
            .find(|p| p.version == version)
            .map(|p| policy_view(purpose, p, &state.settings.time_zone))
    }))
}

/// Records the patient's grant of `input.purpose` under the version they were shown;
/// returns the receipt id.
pub async fn grant(
    state: &AppState,
    cap: PatientCap,
    input: &GrantConsent,
) -> Result<String, ConsentError> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let expires = match input.expires_on.trim() {
        "" => None,
        text => {
            let end = day_start(text, tz, true).ok_or(ConsentError::BadDate)?;
            if end <= now {
                return Err(ConsentError::PastDate);
            }
            Some((end, text.trim().to_owned()))
        }
    };
    let catalogue = Catalogue::load(&state.db).await?;
    let purpose = catalogue
        .purpose(&input.purpose)
        .ok_or_else(|| ConsentError::UnknownPurpose(input.purpose.clone()))?;
    let policy = catalogue
        .current_policy(purpose.id, now)
        .filter(|p| p.version == input.version)
        .ok_or(ConsentError::StaleVersion)?;
    let excluded = input.excluded();
    let patient = patient_of(&state.db, cap).await?;
    record(
        state,
        &patient,
        &Change {
            purpose,
            policy,
            action: ChangeAction::Grant,
            excluded: &excluded,
            expires,
        },
    )
    .await
}

/// Records the patient's withdrawal of `purpose_code`, effective at once; returns the
/// receipt id.
pub async fn revoke(
    state: &AppState,
    cap: PatientCap,
    purpose_code: &str,
) -> Result<String, ConsentError> {
    let now = state.clock.now();
    let catalogue = Catalogue::load(&state.db).await?;
    let purpose = catalogue
        .purpose(purpose_code)
        .ok_or_else(|| ConsentError::UnknownPurpose(purpose_code.to_owned()))?;
    let patient = patient_of(&state.db, cap).await?;
    let latest = latest_change(&state.db, &patient.mrn, purpose.id, now).await?;
    let granted = latest
        .as_ref()
        .filter(|c| c.action == ChangeAction::Grant.code())
        .ok_or(ConsentError::NothingToRevoke)?;
    // The withdrawal names the version the grant was given under.
    let policy = catalogue
        .policy(granted.policy_id)
        .ok_or(ConsentError::NothingToRevoke)?;
    record(
        state,
        &patient,
        &Change {
            purpose,
            policy,
            action: ChangeAction::Revoke,
            excluded: &[],
            expires: None,
        },
    )
    .await
}

struct Change<'a> {
    purpose: &'a ConsentPurpose,
    policy: &'a PolicyVersion,
    action: ChangeAction,
    excluded: &'a [crate::access_log::types::Category],
    /// When the grant ends, and its last day as the patient typed it.
    expires: Option<(OffsetDateTime, String)>,
}

async fn record(
    state: &AppState,
    patient: &Patient,
    change: &Change<'_>,
) -> Result<String, ConsentError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let receipt_id = uuid::Uuid::new_v4().to_string();
    // The hospital in the patient's language: the receipt's controller, and the email's sender.
    let hospital = crate::hospital::server::service::name(&txn, patient.locale).await?;
    let issuer = Issuer {
        controller: &hospital,
        contact: &state.consent.contact,
        jurisdiction: &state.consent.jurisdiction,
        public_url: &state.settings.public_url,
        signer: &state.access.signer,
    };
    let facts = Facts {
        receipt_id: &receipt_id,
        at: now,
        mrn: &patient.mrn,
        locale: patient.locale,
        purpose: change.purpose,
        policy: change.policy,
        action: change.action,
        excluded: change.excluded,
        expires_on: change.expires.as_ref().map(|(_, day)| day.as_str()),
    };
    let (receipt_text, signature) = receipt::issue(&facts, &issuer);
    change::Entity::insert(change::ActiveModel {
        id: NotSet,
        receipt_id: Set(receipt_id.clone()),
        patient_mrn: Set(patient.mrn.clone()),
        purpose_id: Set(change.purpose.id),
        policy_id: Set(change.policy.id),
        action: Set(change.action.code().to_owned()),
        excluded: Set(categories_to_codes(change.excluded)),
        expires_at: Set(change.expires.as_ref().map(|(at, _)| *at)),
        changed_at: Set(now),
        changed_by_account_id: Set(Some(patient.account_id)),
        receipt: Set(receipt_text),
        signature: Set(signature),
    })
    .exec_without_returning(&txn)
    .await?;
    if let (Some(email), Some(mail)) = (&patient.email, &state.access.ingest.mail) {
        queue_confirmation(&txn, mail, email, patient.locale, &hospital, now).await?;
    }
    txn.commit().await?;
    Ok(receipt_id)
}

/// The confirmation email: that a choice was recorded, and where to see it — no purpose
/// details, no health data.
async fn queue_confirmation<C: ConnectionTrait>(
    conn: &C,
    mail: &MailContext,
    email: &str,
    locale: Locale,
    hospital: &str,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let rendered = render(
        &EmailTemplate::ConsentRecorded {
            link: format!("{}/consent", mail.public_url),
        },
        locale,
        hospital,
        &mail.public_url,
    );
    outbox::enqueue(conn, email, rendered, now, &mail.mail_domain).await?;
    Ok(())
}

/// The caller's own change with receipt `receipt_id`, if there is one.
async fn own_change(
    state: &AppState,
    cap: PatientCap,
    receipt_id: &str,
) -> Result<Option<ConsentChange>, ConsentError> {
    let patient = patient_of(&state.db, cap).await?;
    Ok(change_by_receipt(&state.db, receipt_id)
        .await?
        .filter(|change| change.patient_mrn == patient.mrn))
}

/// A text field of a signed receipt.
fn receipt_field(signed: &serde_json::Value, pointer: &str) -> String {
    signed
        .pointer(pointer)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One of the caller's own receipts, for the printable page. `None` when the caller has
/// no receipt with that id.
pub async fn own_receipt(
    state: &AppState,
    cap: PatientCap,
    receipt_id: &str,
) -> Result<Option<ReceiptView>, ConsentError> {
    let Some(row) = own_change(state, cap, receipt_id).await? else {
        return Ok(None);
    };
    let catalogue = Catalogue::load(&state.db).await?;
    let Some(change) = change_view(&catalogue, &row, &state.settings.time_zone) else {
        return Ok(None);
    };
    let signed: serde_json::Value = serde_json::from_str(&row.receipt).unwrap_or_default();
    let text = |pointer: &str| receipt_field(&signed, pointer);
    Ok(Some(ReceiptView {
        change,
        controller: text("/piiControllers/0/piiController"),
        controller_contact: text("/piiControllers/0/contact"),
        jurisdiction: text("/jurisdiction"),
        collection_method: text("/collectionMethod"),
        policy_url: text("/policyUrl"),
        signature: row.signature,
    }))
}

/// One of the caller's own receipts as the file to download: the receipt exactly as
/// signed, with its signature. `None` when the caller has no receipt with that id.
pub async fn own_receipt_file(
    state: &AppState,
    cap: PatientCap,
    receipt_id: &str,
) -> Result<Option<String>, ConsentError> {
    let Some(row) = own_change(state, cap, receipt_id).await? else {
        return Ok(None);
    };
    let signed: serde_json::Value = serde_json::from_str(&row.receipt).unwrap_or_default();
    let public_key = receipt_field(&signed, "/publicKey");
    Ok(Some(receipt::signed_file(
        &row.receipt,
        &row.signature,
        &public_key,
    )))
}

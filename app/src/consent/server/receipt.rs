//! Consent receipts: for every change, a JSON record with the fields of a Kantara consent
//! receipt (v1.1, the basis of ISO/IEC TS 27560), signed with the portal's Ed25519 key.
//! The signed bytes are the receipt in canonical form — keys sorted, no spaces (RFC 8785
//! for the strings and integers a receipt holds) — stored as signed, so the receipt a
//! patient downloads years later is the one they were given.

use std::fmt::Write as _;

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::rows::{ConsentPurpose, PolicyVersion};
use crate::access_log::types::Category;
use crate::consent::types::ChangeAction;
use crate::i18n::Locale;
use crate::ssr::signing::Signer;

/// Kantara consent receipt specification version the fields follow.
pub const RECEIPT_VERSION: &str = "KI-CR-v1.1.0";

/// How the portal collects a choice (the receipt's `collectionMethod`).
pub const COLLECTION_METHOD: &str =
    "Patient Privacy Portal: the patient, signed in with a passkey, chose on the consent page";

/// Who issues receipts: the hospital as controller, and where patients reach it.
#[derive(Clone, Debug)]
pub struct Issuer<'a> {
    pub controller: &'a str,
    pub contact: &'a str,
    pub jurisdiction: &'a str,
    pub public_url: &'a str,
    pub signer: &'a Signer,
}

/// The facts of one change.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub receipt_id: &'a str,
    pub at: OffsetDateTime,
    pub mrn: &'a str,
    pub locale: Locale,
    pub purpose: &'a ConsentPurpose,
    pub policy: &'a PolicyVersion,
    pub action: ChangeAction,
    pub excluded: &'a [Category],
    /// Last day covered, `YYYY-MM-DD`.
    pub expires_on: Option<&'a str>,
}

/// Where a policy version can be read (a public page).
#[must_use]
pub fn policy_url(public_url: &str, purpose_code: &str, version: i64) -> String {
    format!("{public_url}/consent/policies/{purpose_code}/{version}")
}

/// The receipt as signed, and its signature.
#[must_use]
pub fn issue(facts: &Facts<'_>, issuer: &Issuer<'_>) -> (String, String) {
    let text = canonical(&receipt(facts, issuer));
    let signature = issuer.signer.sign(&text);
    (text, signature)
}

fn receipt(facts: &Facts<'_>, issuer: &Issuer<'_>) -> Value {
    let (purpose_name, summary) = match facts.locale {
        Locale::ZhHans => (&facts.purpose.name_zh_hans, &facts.policy.summary_zh_hans),
        Locale::En => (&facts.purpose.name_en, &facts.policy.summary_en),
    };
    let excluded: Vec<&str> = facts.excluded.iter().map(|c| c.code()).collect();
    let termination = match facts.expires_on {
        Some(day) => format!("withdrawal at any time in the portal; ends after {day}"),
        None => "withdrawal at any time in the portal".to_owned(),
    };
    let state = match facts.action {
        ChangeAction::Grant => "given",
        ChangeAction::Revoke => "withdrawn",
    };
    json!({
        "version": RECEIPT_VERSION,
        "jurisdiction": issuer.jurisdiction,
        "consentTimestamp": facts.at.unix_timestamp(),
        "collectionMethod": COLLECTION_METHOD,
        "consentReceiptID": facts.receipt_id,
        "publicKey": issuer.signer.public_key(),
        "language": facts.locale.tag(),
        "piiPrincipalId": facts.mrn,
        "piiControllers": [{
            "piiController": issuer.controller,
            "contact": issuer.contact,
            "piiControllerUrl": issuer.public_url,
            "onBehalf": false,
        }],
        "policyUrl": policy_url(issuer.public_url, &facts.purpose.code, facts.policy.version),
        "services": [{
            "service": purpose_name,
            "purposes": [{
                "purpose": summary,
                "purposeCategory": [facts.purpose.code],
                "consentType": "EXPLICIT",
                "piiCategory": ["health data from the medical record"],
                "primaryPurpose": false,
                "termination": termination,
                "thirdPartyDisclosure": false,
            }],
        }],
        "sensitive": true,
        "spiCat": ["health"],
        // ISO/IEC TS 27560 record fields beyond the Kantara set.
        "consentState": state,
        "policyVersion": facts.policy.version,
        "excludedCategories": excluded,
        "expiresOn": facts.expires_on,
    })
}

/// `value` with object keys sorted and no insignificant space. Written out here rather than
/// left to `serde_json`, whose key order follows its `preserve_order` feature (which any
/// dependency may turn on): a signature must not depend on that.
#[must_use]
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// The downloadable file: the receipt exactly as signed, and the signature.
#[must_use]
pub fn signed_file(receipt_text: &str, signature: &str, public_key: &str) -> String {
    let signature = json!({
        "algorithm": "Ed25519",
        "publicKey": public_key,
        "value": signature,
        "signed": "the receipt member, serialised with keys sorted and no spaces (RFC 8785)",
    });
    format!("{{\"receipt\":{receipt_text},\"signature\":{signature}}}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::signing::verify;

    #[test]
    fn canonical_form_sorts_keys_at_every_level() {
        let value = json!({"b": 1, "a": {"d": [true, null, "x"], "c": "中"}});
        assert_eq!(
            canonical(&value),
            r#"{"a":{"c":"中","d":[true,null,"x"]},"b":1}"#
        );
    }

    #[test]
    fn a_receipt_verifies_after_parsing_and_re_canonicalising() {
        let signer = Signer::from_seed(&base64_seed()).unwrap();
        let purpose = ConsentPurpose {
            id: 1,
            code: "research".into(),
            name_zh_hans: "医学研究".into(),
            name_en: "Medical research".into(),
            fhir_scope: "research".into(),
            purpose_system: "s".into(),
            purpose_code: "HRESCH".into(),
            purpose_display: "d".into(),
            access_purpose: "research".into(),
            position: 1,
            created_at: OffsetDateTime::UNIX_EPOCH,
        };
        let policy = PolicyVersion {
            id: 1,
            purpose_id: 1,
            version: 2,
            summary_zh_hans: "摘要".into(),
            summary_en: "Summary".into(),
            text_zh_hans: String::new(),
            text_en: String::new(),
            changes_zh_hans: None,
            changes_en: None,
            earlier_grants: "keep".into(),
            published_at: OffsetDateTime::UNIX_EPOCH,
        };
        let issuer = Issuer {
            controller: "示范医院",
            contact: "http://localhost:3000",
            jurisdiction: "CN",
            public_url: "http://localhost:3000",
            signer: &signer,
        };
        let facts = Facts {
            receipt_id: "3f1c",
            at: OffsetDateTime::UNIX_EPOCH,
            mrn: "P1",
            locale: Locale::ZhHans,
            purpose: &purpose,
            policy: &policy,
            action: ChangeAction::Grant,
            excluded: &[Category::Genetic],
            expires_on: Some("2027-12-31"),
        };
        let (text, signature) = issue(&facts, &issuer);
        let file: Value =
            serde_json::from_str(&signed_file(&text, &signature, &signer.public_key())).unwrap();
        let again = canonical(&file["receipt"]);
        assert_eq!(again, text);
        assert!(verify(&signer.public_key(), &again, &signature));
        assert_eq!(file["receipt"]["excludedCategories"], json!(["genetic"]));
        assert_eq!(
            file["receipt"]["policyUrl"],
            "http://localhost:3000/consent/policies/research/2"
        );
        assert!(!verify(
            &signer.public_key(),
            &again.replace("P1", "P2"),
            &signature
        ));
    }

    fn base64_seed() -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode([9_u8; 32])
    }
}

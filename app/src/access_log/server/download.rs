//! A patient's whole log as a download: CSV for reading, and a FHIR R4 `Bundle` of
//! `AuditEvent`s that carries what is needed to check it offline — each entry's hashed
//! record and links, and the portal's signature over the head of the patient's chain.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::chain::latest_checkpoint;
use super::entity::{checkpoint, event};
use super::ingest::millis;
use super::query::{self, entry_view, whole_log};
use super::record::{link_hash, EventRecord, GENESIS};
use crate::access_log::texts::{
    action_label, category_label, explanation_sentence, purpose_label, rule_reason, AccessTexts,
};
use crate::access_log::types::DepartmentView;
use crate::i18n::Locale;
use crate::identity::server::access::PatientCap;
use crate::ssr::signing::{patient_head_message, verify, Signer};

/// Base of the portal's FHIR extension URLs.
pub const EXTENSION_BASE: &str = "https://patient-privacy-portal.org/fhir/StructureDefinition";

/// The patient's whole log as a CSV file, in `locale`.
pub async fn csv_file<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    locale: Locale,
    time_zone: &str,
) -> Result<String, DbErr> {
    let rows = whole_log(conn, cap).await?;
    let departments: BTreeMap<_, _> = query::departments(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    Ok(csv(&rows, &departments, locale, time_zone))
}

/// The patient's whole log as a FHIR `Bundle` signed with the portal's key, with the
/// latest checkpoint of the chain.
pub async fn fhir_file<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    signer: &Signer,
    now: OffsetDateTime,
) -> Result<String, DbErr> {
    let rows = whole_log(conn, cap).await?;
    let checkpoint = latest_checkpoint(conn).await?;
    Ok(fhir_bundle(&rows, cap.mrn(), signer, checkpoint.as_ref(), now).to_string())
}

/// The log as CSV (RFC 4180), with localised headers and labels.
#[must_use]
fn csv(
    rows: &[event::Model],
    departments: &BTreeMap<i64, DepartmentView>,
    locale: Locale,
    time_zone: &str,
) -> String {
    let texts = AccessTexts::of(locale);
    let mut out = String::from("\u{feff}");
    push_csv_line(&mut out, texts.csv_header.iter().map(|h| (*h).to_owned()));
    for row in rows.iter().rev() {
        let entry = entry_view(row, departments, None, time_zone);
        let department = entry
            .department
            .map(|d| match locale {
                Locale::ZhHans => d.name_zh_hans,
                Locale::En => d.name_en,
            })
            .unwrap_or_default();
        let reasons = entry
            .rules
            .iter()
            .map(|rule| rule_reason(locale, *rule))
            .collect::<Vec<_>>()
            .join(" ");
        let normal = entry
            .explanation
            .map(|explanation| {
                let department = explanation.department.as_ref().map(|d| match locale {
                    Locale::ZhHans => d.name_zh_hans.as_str(),
                    Locale::En => d.name_en.as_str(),
                });
                explanation_sentence(
                    locale,
                    explanation.reason,
                    &entry.agent_name,
                    (
                        explanation.kind,
                        department,
                        explanation.since_local.as_deref(),
                    ),
                )
            })
            .unwrap_or_default();
        push_csv_line(
            &mut out,
            [
                entry.when_local,
                entry.agent_name,
                entry.agent_role.unwrap_or_default(),
                department,
                category_label(locale, entry.category).to_owned(),
                action_label(locale, entry.action).to_owned(),
                purpose_label(locale, entry.purpose).to_owned(),
                entry.system.unwrap_or_default(),
                entry.workstation.unwrap_or_default(),
                reasons,
                normal,
                entry.id.to_string(),
            ]
            .into_iter(),
        );
    }
    out
}

fn push_csv_line(out: &mut String, fields: impl Iterator<Item = String>) {
    let mut first = true;
    for field in fields {
        if !first {
            out.push(',');
        }
        first = false;
        out.push('"');
        out.push_str(&spreadsheet_safe(&field).replace('"', "\"\""));
        out.push('"');
    }
    out.push_str("\r\n");
}

/// A cell a spreadsheet shows as text: one starting with a formula character (`=`, `+`,
/// `-`, `@`, tab or carriage return) gets a leading apostrophe, so a name sent by a
/// hospital system cannot run as a formula on the patient's computer.
fn spreadsheet_safe(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

#[cfg(test)]
mod spreadsheet_tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_safe(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(spreadsheet_safe("张伟"), "张伟");
        let mut line = String::new();
        push_csv_line(&mut line, ["=HYPERLINK(\"x\")".to_owned()].into_iter());
        assert_eq!(line, "\"'=HYPERLINK(\"\"x\"\")\"\r\n");
    }
}

fn action_code(action: &str) -> &'static str {
    match action {
        "create" => "C",
        "update" => "U",
        "delete" => "D",
        "view" => "R",
        _ => "E",
    }
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The log as a signed FHIR `Bundle` (type `collection`), oldest first.
#[must_use]
fn fhir_bundle(
    rows: &[event::Model],
    mrn: &str,
    signer: &Signer,
    checkpoint: Option<&checkpoint::Model>,
    now: OffsetDateTime,
) -> Value {
    let entries: Vec<Value> = rows
        .iter()
        .map(|row| {
            let record: Option<EventRecord> = serde_json::from_str(&row.record).ok();
            let mut agent = json!({
                "who": { "display": row.agent_name },
                "requestor": true,
            });
            if let Some(reference) = &row.agent_ref {
                agent["who"]["identifier"] = json!({ "value": reference });
            }
            if let Some(role) = &row.agent_role {
                agent["role"] = json!([{ "text": role }]);
            }
            let observer = record
                .as_ref()
                .and_then(|r| r.system.clone())
                .unwrap_or_else(|| record.as_ref().map(|r| r.source.clone()).unwrap_or_default());
            let mut entry = json!({
                "fullUrl": format!("urn:portal:access-event:{}", row.id),
                "resource": {
                    "resourceType": "AuditEvent",
                    "id": row.id.to_string(),
                    "extension": [
                        { "url": format!("{EXTENSION_BASE}/access-record"), "valueString": row.record },
                        { "url": format!("{EXTENSION_BASE}/previous-hash"), "valueString": row.prev_hash },
                        { "url": format!("{EXTENSION_BASE}/patient-previous-hash"), "valueString": row.patient_prev_hash },
                        { "url": format!("{EXTENSION_BASE}/hash"), "valueString": row.hash },
                    ],
                    "type": {
                        "system": "http://dicom.nema.org/resources/ontology/DCM",
                        "code": "110110",
                        "display": "Patient Record"
                    },
                    "action": action_code(&row.action),
                    "recorded": rfc3339(millis(row.occurred_at)),
                    "purposeOfEvent": [{ "text": row.purpose }],
                    "agent": [agent],
                    "source": { "observer": { "display": observer } },
                    "entity": [{
                        "what": { "identifier": { "value": row.patient_mrn } },
                        "role": { "system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1" }
                    }, {
                        "what": { "display": row.category }
                    }],
                }
            });
            if let (Some(list), Some(explanation)) = (
                entry["resource"]["extension"].as_array_mut(),
                explanation_extension(row),
            ) {
                list.push(explanation);
            }
            entry
        })
        .collect();
    let head_hash = rows.last().map_or(GENESIS, |row| row.hash.as_str());
    let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let signed_at_ms = millis(now);
    let message = patient_head_message(mrn, count, head_hash, signed_at_ms);
    let mut extensions = vec![
        json!({ "url": format!("{EXTENSION_BASE}/patient-head"), "extension": [
            { "url": "patient", "valueString": mrn },
            { "url": "events", "valueInteger64": count.to_string() },
            { "url": "hash", "valueString": head_hash },
            { "url": "signedAt", "valueInteger64": signed_at_ms.to_string() },
            { "url": "publicKey", "valueString": signer.public_key() },
        ]}),
    ];
    if let Some(cp) = checkpoint {
        extensions.push(
            json!({ "url": format!("{EXTENSION_BASE}/checkpoint"), "extension": [
                { "url": "lastEvent", "valueInteger64": cp.last_event_id.to_string() },
                { "url": "hash", "valueString": cp.hash },
                { "url": "signedAt", "valueInteger64": millis(cp.signed_at).to_string() },
                { "url": "publicKey", "valueString": cp.public_key },
                { "url": "signature", "valueString": cp.signature },
            ]}),
        );
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": rfc3339(signed_at_ms),
        "extension": extensions,
        "entry": entries,
        "signature": {
            "type": [{ "system": "urn:iso-astm:E1762-95:2013", "code": "1.2.840.10065.1.12.1.5", "display": "Verification Signature" }],
            "when": rfc3339(signed_at_ms),
            "who": { "display": super::portal_log::PORTAL_SYSTEM },
            "sigFormat": "application/x-ed25519",
            "data": signer.sign(&message),
        }
    })
}

/// What checking a download found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DownloadReport {
    pub events: usize,
    pub public_key: String,
    pub problems: Vec<String>,
}

/// Why the access was normal (outside the hashed record): the reason's code, the kind
/// of care it rests on and when that care began.
fn explanation_extension(row: &event::Model) -> Option<Value> {
    let reason = row.explained_by.as_deref()?;
    let mut parts = vec![json!({ "url": "reason", "valueCode": reason })];
    if let Some(kind) = &row.explained_kind {
        parts.push(json!({ "url": "care", "valueCode": kind }));
    }
    if let Some(since) = row.explained_since {
        parts.push(json!({ "url": "careStart", "valueDateTime": rfc3339(millis(since)) }));
    }
    Some(json!({ "url": format!("{EXTENSION_BASE}/explanation"), "extension": parts }))
}

fn sub_extension<'a>(parent: &'a Value, url: &str) -> Option<&'a Value> {
    parent["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == url)
}

fn ext_string(parent: &Value, url: &str) -> Option<String> {
    let e = sub_extension(parent, url)?;
    e["valueString"]
        .as_str()
        .or_else(|| e["valueInteger64"].as_str())
        .map(str::to_owned)
}

/// Checks a downloaded Bundle offline: every entry's hash, the links of the patient's
/// chain from its start, the count and head, and the portal's signature over them
/// (against `trusted_key` when given, else the key the file names).
#[must_use]
pub fn verify_download(text: &str, trusted_key: Option<&str>) -> DownloadReport {
    let mut report = DownloadReport::default();
    let bundle: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            report.problems.push(format!("not JSON: {e}"));
            return report;
        }
    };
    let head_url = format!("{EXTENSION_BASE}/patient-head");
    let Some(head) = sub_extension(&bundle, &head_url) else {
        report
            .problems
            .push("the file has no signed patient head".into());
        return report;
    };
    let field = |name: &str| ext_string(head, name).unwrap_or_default();
    let (mrn, events, head_hash, signed_at, key) = (
        field("patient"),
        field("events"),
        field("hash"),
        field("signedAt"),
        field("publicKey"),
    );
    trusted_key
        .unwrap_or(&key)
        .clone_into(&mut report.public_key);
    let signature = bundle["signature"]["data"].as_str().unwrap_or_default();
    let message = patient_head_message(
        &mrn,
        events.parse().unwrap_or(-1),
        &head_hash,
        signed_at.parse().unwrap_or(-1),
    );
    if !verify(&report.public_key, &message, signature) {
        report
            .problems
            .push("the portal's signature over the log does not verify".into());
    }
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    let mut patient_prev = GENESIS.to_owned();
    for (index, entry) in entries.iter().enumerate() {
        let resource = &entry["resource"];
        let get = |name: &str| ext_string(resource, &format!("{EXTENSION_BASE}/{name}"));
        let number = index + 1;
        let (Some(record), Some(prev), Some(own_prev), Some(hash)) = (
            get("access-record"),
            get("previous-hash"),
            get("patient-previous-hash"),
            get("hash"),
        ) else {
            report
                .problems
                .push(format!("entry {number}: chain data missing"));
            continue;
        };
        if own_prev != patient_prev {
            report.problems.push(format!(
                "entry {number}: does not follow the entry before it (an entry was removed or reordered)"
            ));
        }
        if link_hash(&prev, &own_prev, &record) != hash {
            report
                .problems
                .push(format!("entry {number}: its content was changed"));
        }
        match serde_json::from_str::<EventRecord>(&record) {
            Ok(parsed) if parsed.patient_mrn == mrn => {}
            _ => report
                .problems
                .push(format!("entry {number}: belongs to another patient")),
        }
        patient_prev = hash;
        report.events += 1;
    }
    if patient_prev != head_hash || events != report.events.to_string() {
        report.problems.push(
            "the entries do not end at the signed head (entries were added or removed)".into(),
        );
    }
    report
}

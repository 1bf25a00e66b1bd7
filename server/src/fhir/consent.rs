//! Consent for hospital systems: FHIR R4 `Consent` resources (read, and search by patient,
//! purpose and status) and `Consent/$decide` — "may this patient's data in these
//! categories be used for this purpose at this time?" → permit or deny with the reason.
//!
//! Each change a patient made is one `Consent` (its id is the receipt id): a grant is an
//! opt-in with a `permit` provision (excluded categories as nested `deny` provisions, the
//! end date as the period's end), a withdrawal an opt-out with a `deny` provision. The
//! newest change of a purpose is `active` while it holds (a grant that expired or awaits
//! confirmation of a paused version is `inactive`); older ones are `inactive`.
//!
//! Privacy rule: every request that reads or decides on a patient's consent is written
//! into that patient's access log under the asking system's name.

use std::collections::HashSet;

use app::access_log::types::Category;
use app::accounts::types::MedicalRecordNumber;
use app::consent::server::checks::{record_check, ConsentCheck};
use app::consent::server::receipt::policy_url;
use app::consent::server::rows::{ConsentChange, ConsentPurpose};
use app::consent::server::standing::{
    change_by_receipt, changes_of, decide, excluded_of, latest_change, standing, Catalogue,
    Decision,
};
use app::consent::types::{ChangeAction, ConsentCheckOutcome, DecisionReason};
use app::ssr::sources::{Scope, Source};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::Extension;
use http::StatusCode;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::elements::{instant_text, parse_instant, query_pairs};
use super::outcome::{bad_request, fhir_response, internal, outcome, Invalid};
use super::{parse_json, refused, CATEGORY_SYSTEM};

const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const V3_ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const LOINC: &str = "http://loinc.org";

/// The v3 information-sensitivity code of a category, where HL7 has one.
fn sensitivity_code(category: Category) -> Option<&'static str> {
    match category {
        Category::Genetic => Some("GDIS"),
        Category::MentalHealth => Some("PSY"),
        Category::SexualHealth => Some("SEX"),
        _ => None,
    }
}

fn category_display(category: Category) -> &'static str {
    app::access_log::texts::category_label(app::i18n::Locale::En, category)
}

/// A change as a FHIR `Consent`.
fn consent_resource(
    state: &AppState,
    catalogue: &Catalogue,
    purpose: &ConsentPurpose,
    row: &ConsentChange,
    active: bool,
) -> Value {
    let public_url = &state.settings.public_url;
    let version = catalogue.policy(row.policy_id).map_or(0, |p| p.version);
    let grant = row.action == ChangeAction::Grant.code();
    let mut provision = json!({
        "type": if grant { "permit" } else { "deny" },
        "period": { "start": instant_text(row.changed_at) },
        "purpose": [{
            "system": purpose.purpose_system,
            "code": purpose.purpose_code,
            "display": purpose.purpose_display,
        }],
    });
    if let Some(end) = row.expires_at.filter(|_| grant) {
        provision["period"]["end"] = json!(instant_text(end));
    }
    let exclusions: Vec<Value> = excluded_of(row)
        .into_iter()
        .map(|category| {
            let mut nested = json!({
                "type": "deny",
                "code": [{
                    "coding": [{
                        "system": CATEGORY_SYSTEM,
                        "code": category.code(),
                        "display": category_display(category),
                    }],
                }],
            });
            if let Some(code) = sensitivity_code(category) {
                nested["securityLabel"] = json!([{ "system": V3_ACT_CODE, "code": code }]);
            }
            nested
        })
        .collect();
    if grant && !exclusions.is_empty() {
        provision["provision"] = Value::Array(exclusions);
    }
    json!({
        "resourceType": "Consent",
        "id": row.receipt_id,
        "meta": { "lastUpdated": instant_text(row.changed_at) },
        "identifier": [{ "system": format!("{public_url}/consent/receipts"), "value": row.receipt_id }],
        "status": if active { "active" } else { "inactive" },
        "scope": { "coding": [{ "system": CONSENT_SCOPE, "code": purpose.fhir_scope }] },
        "category": [{ "coding": [{ "system": LOINC, "code": "59284-0", "display": "Patient Consent" }] }],
        "patient": { "reference": format!("Patient/{}", row.patient_mrn) },
        "dateTime": instant_text(row.changed_at),
        "performer": [{ "reference": format!("Patient/{}", row.patient_mrn) }],
        "policy": [{ "uri": policy_url(public_url, &purpose.code, version) }],
        "policyRule": { "coding": [{ "system": V3_ACT_CODE, "code": if grant { "OPTIN" } else { "OPTOUT" } }] },
        "provision": provision,
    })
}

/// Whether `row` is the change in force for its purpose at `now`: the newest one, and (for
/// a grant) still holding.
fn is_active(
    catalogue: &Catalogue,
    row: &ConsentChange,
    newest: bool,
    now: OffsetDateTime,
) -> bool {
    newest
        && (row.action != ChangeAction::Grant.code()
            || standing(catalogue, Some(row), now).state.permits())
}

/// The patient of a search or decision: `Patient/<mrn>`, `<mrn>`, or an identifier
/// `system|<mrn>`.
fn parse_patient(value: &str, path: &str) -> Result<MedicalRecordNumber, Invalid> {
    let key = value
        .trim()
        .strip_prefix("Patient/")
        .or_else(|| value.rsplit_once('|').map(|(_, v)| v))
        .unwrap_or(value.trim());
    MedicalRecordNumber::parse(key).map_err(|_| {
        Invalid::new(
            path,
            "must name a patient by medical record number (Patient/<number>)",
        )
    })
}

/// The purpose of a token `code` or `system|code`: the FHIR purpose code or the portal's own.
fn find_purpose<'a>(
    catalogue: &'a Catalogue,
    token: &str,
    path: &str,
) -> Result<&'a ConsentPurpose, Invalid> {
    let (system, code) = match token.trim().split_once('|') {
        Some((system, code)) => (Some(system), code),
        None => (None, token.trim()),
    };
    catalogue
        .purposes
        .iter()
        .find(|p| {
            (p.purpose_code == code && system.is_none_or(|s| s.is_empty() || s == p.purpose_system))
                || (system.is_none() && p.code == code)
        })
        .ok_or_else(|| {
            let known: Vec<String> = catalogue
                .purposes
                .iter()
                .map(|p| format!("{} ({})", p.purpose_code, p.code))
                .collect();
            Invalid::new(
                path,
                format!("unknown purpose {token:?}; known: {}", known.join(", ")),
            )
        })
}

/// `GET /Consent?patient=…[&purpose=…][&status=active|inactive]`: a searchset Bundle.
pub async fn search(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::ConsentRead) {
        return refusal;
    }
    let catalogue = match Catalogue::load(&state.db).await {
        Ok(catalogue) => catalogue,
        Err(e) => return internal(&e),
    };
    let mut patient = None;
    let mut purpose = None;
    let mut status = None;
    for (name, value) in query_pairs(query.as_deref()) {
        let parsed = match name.as_str() {
            "patient" | "patient.identifier" => {
                parse_patient(&value, &name).map(|p| patient = Some(p))
            }
            "purpose" => find_purpose(&catalogue, &value, "purpose").map(|p| purpose = Some(p)),
            "status" => match value.as_str() {
                "active" | "inactive" => {
                    status = Some(value == "active");
                    Ok(())
                }
                _ => Err(Invalid::new(
                    "status",
                    "this server keeps active and inactive consents",
                )),
            },
            // Other parameters are ignored, as FHIR allows; `_format` and the like.
            _ => Ok(()),
        };
        if let Err(invalid) = parsed {
            return bad_request(&invalid);
        }
    }
    let Some(patient) = patient else {
        return bad_request(&Invalid::new(
            "patient",
            "is required: consents are searched one patient at a time",
        ));
    };
    let rows = match changes_of(&state.db, patient.as_str(), purpose.map(|p| p.id)).await {
        Ok(rows) => rows,
        Err(e) => return internal(&e),
    };
    let now = state.clock.now();
    let mut newest_seen: HashSet<i64> = HashSet::new();
    let mut entries = Vec::new();
    for row in &rows {
        let newest = newest_seen.insert(row.purpose_id);
        let Some(purpose) = catalogue.purpose_by_id(row.purpose_id) else {
            continue;
        };
        let active = is_active(&catalogue, row, newest, now);
        if status.is_some_and(|wanted| wanted != active) {
            continue;
        }
        entries.push(json!({
            "fullUrl": format!("{}/fhir/r4/Consent/{}", state.settings.public_url, row.receipt_id),
            "resource": consent_resource(&state, &catalogue, purpose, row, active),
            "search": { "mode": "match" },
        }));
    }
    let check = ConsentCheck {
        patient_mrn: patient.as_str(),
        purpose,
        outcome: ConsentCheckOutcome::Searched(entries.len() as u64),
    };
    if let Err(e) = record_check(&state, &source, &check, now).await {
        return internal(&e);
    }
    let self_url = format!(
        "{}/fhir/r4/Consent?{}",
        state.settings.public_url,
        query.unwrap_or_default()
    );
    fhir_response(
        StatusCode::OK,
        &json!({
            "resourceType": "Bundle",
            "type": "searchset",
            "total": entries.len(),
            "link": [{ "relation": "self", "url": self_url }],
            "entry": entries,
        }),
    )
}

/// `GET /Consent/{id}`.
pub async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(source): Extension<Source>,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::ConsentRead) {
        return refusal;
    }
    let not_found = || {
        fhir_response(
            StatusCode::NOT_FOUND,
            &outcome("error", "not-found", &format!("no Consent/{id}"), None),
        )
    };
    let row = match change_by_receipt(&state.db, &id).await {
        Ok(Some(row)) => row,
        Ok(None) => return not_found(),
        Err(e) => return internal(&e),
    };
    let catalogue = match Catalogue::load(&state.db).await {
        Ok(catalogue) => catalogue,
        Err(e) => return internal(&e),
    };
    let Some(purpose) = catalogue.purpose_by_id(row.purpose_id) else {
        return not_found();
    };
    let now = state.clock.now();
    let newest = match latest_change(&state.db, &row.patient_mrn, row.purpose_id, now).await {
        Ok(latest) => latest.is_some_and(|l| l.id == row.id),
        Err(e) => return internal(&e),
    };
    let active = is_active(&catalogue, &row, newest, now);
    let check = ConsentCheck {
        patient_mrn: &row.patient_mrn,
        purpose: Some(purpose),
        outcome: ConsentCheckOutcome::Read,
    };
    if let Err(e) = record_check(&state, &source, &check, now).await {
        return internal(&e);
    }
    fhir_response(
        StatusCode::OK,
        &consent_resource(&state, &catalogue, purpose, &row, active),
    )
}

/// A decision request, however it was sent.
struct DecisionRequest {
    patient: MedicalRecordNumber,
    purpose: String,
    categories: Vec<Category>,
    at: Option<OffsetDateTime>,
}

fn parse_category(code: &str, path: &str) -> Result<Vec<Category>, Invalid> {
    code.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            Category::from_code(c).ok_or_else(|| {
                let known: Vec<&str> = Category::ALL.iter().map(|c| c.code()).collect();
                Invalid::new(
                    path,
                    format!("unknown category {c:?}; known: {}", known.join(", ")),
                )
            })
        })
        .collect()
}

fn from_query(raw: Option<&str>) -> Result<DecisionRequest, Invalid> {
    let mut patient = None;
    let mut purpose = None;
    let mut categories = Vec::new();
    let mut at = None;
    for (name, value) in query_pairs(raw) {
        match name.as_str() {
            "patient" => patient = Some(parse_patient(&value, "patient")?),
            "purpose" => purpose = Some(value),
            "category" => categories.extend(parse_category(&value, "category")?),
            "time" => at = Some(parse_instant(value.trim(), "time")?),
            _ => {}
        }
    }
    Ok(DecisionRequest {
        patient: patient.ok_or_else(|| Invalid::new("patient", "is required"))?,
        purpose: purpose.ok_or_else(|| Invalid::new("purpose", "is required"))?,
        categories,
        at,
    })
}

/// A `Parameters` body: `patient` (valueReference, valueIdentifier or valueString),
/// `purpose` (valueCoding, valueCode or valueString), `category` (valueCode, repeating),
/// `time` (valueDateTime or valueInstant).
fn from_parameters(body: &Value) -> Result<DecisionRequest, Invalid> {
    if body.get("resourceType").and_then(Value::as_str) != Some("Parameters") {
        return Err(Invalid::new(
            "Parameters.resourceType",
            "must be Parameters",
        ));
    }
    let list = body
        .get("parameter")
        .and_then(Value::as_array)
        .ok_or_else(|| Invalid::new("Parameters.parameter", "is required"))?;
    let mut patient = None;
    let mut purpose = None;
    let mut categories = Vec::new();
    let mut at = None;
    for (index, parameter) in list.iter().enumerate() {
        let path = format!("Parameters.parameter[{index}]");
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| parameter.get(*k).and_then(Value::as_str))
                .map(str::to_owned)
        };
        match parameter.get("name").and_then(Value::as_str) {
            Some("patient") => {
                let value = text(&["valueString", "valueCode", "valueId"])
                    .or_else(|| {
                        parameter
                            .get("valueReference")
                            .and_then(super::elements::reference_key)
                    })
                    .or_else(|| {
                        parameter
                            .pointer("/valueIdentifier/value")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
                    .ok_or_else(|| {
                        Invalid::new(format!("{path}.value[x]"), "must name the patient")
                    })?;
                patient = Some(parse_patient(&value, &path)?);
            }
            Some("purpose") => {
                let coding = parameter.get("valueCoding");
                purpose = Some(
                    match coding.and_then(|c| c.get("code")).and_then(Value::as_str) {
                        Some(code) => {
                            let system = coding
                                .and_then(|c| c.get("system"))
                                .and_then(Value::as_str)
                                .unwrap_or_default();
                            format!("{system}|{code}")
                        }
                        None => text(&["valueCode", "valueString"]).ok_or_else(|| {
                            Invalid::new(format!("{path}.value[x]"), "must be a Coding or code")
                        })?,
                    },
                );
            }
            Some("category") => {
                let code = text(&["valueCode", "valueString"])
                    .or_else(|| {
                        parameter
                            .pointer("/valueCoding/code")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
                    .ok_or_else(|| Invalid::new(format!("{path}.value[x]"), "must be a code"))?;
                categories.extend(parse_category(&code, &path)?);
            }
            Some("time") => {
                let value = text(&["valueDateTime", "valueInstant"]).ok_or_else(|| {
                    Invalid::new(format!("{path}.value[x]"), "must be a dateTime")
                })?;
                at = Some(parse_instant(value.trim(), &path)?);
            }
            _ => {}
        }
    }
    Ok(DecisionRequest {
        patient: patient.ok_or_else(|| Invalid::new("patient", "is required"))?,
        purpose: purpose.ok_or_else(|| Invalid::new("purpose", "is required"))?,
        categories,
        at,
    })
}

/// Plain words for integrators (English, like the rest of the API's diagnostics).
fn reason_text(decision: &Decision, purpose: &ConsentPurpose) -> String {
    let name = &purpose.name_en;
    match decision.reason {
        DecisionReason::Granted => format!("the patient consented to {name}"),
        DecisionReason::NotGranted => format!("the patient has not consented to {name}"),
        DecisionReason::Revoked => format!("the patient withdrew consent to {name}"),
        DecisionReason::Expired => format!("the patient's consent to {name} has ended"),
        DecisionReason::AwaitingConfirmation => format!(
            "the policy for {name} changed and the patient's earlier consent is paused until they confirm"
        ),
        DecisionReason::CategoryExcluded => {
            let codes: Vec<&str> = decision.excluded.iter().map(|c| c.code()).collect();
            format!(
                "the patient consented to {name} but excluded: {}",
                codes.join(", ")
            )
        }
    }
}

fn decision_parameters(decision: &Decision, purpose: &ConsentPurpose) -> Value {
    let mut parameters = vec![
        json!({ "name": "decision", "valueCode": if decision.permit { "permit" } else { "deny" } }),
        json!({ "name": "reason", "valueCode": decision.reason.code() }),
        json!({ "name": "reasonText", "valueString": reason_text(decision, purpose) }),
        json!({ "name": "state", "valueCode": decision.state.code() }),
        json!({ "name": "purpose", "valueCoding": {
            "system": purpose.purpose_system, "code": purpose.purpose_code, "display": purpose.purpose_display,
        }}),
    ];
    if let Some(id) = &decision.consent_id {
        parameters.push(json!({ "name": "consent", "valueReference": { "reference": format!("Consent/{id}") } }));
    }
    if let Some(version) = decision.policy_version {
        parameters.push(json!({ "name": "policyVersion", "valueInteger": version }));
    }
    for category in &decision.excluded {
        parameters.push(json!({ "name": "excludedCategory", "valueCode": category.code() }));
    }
    json!({ "resourceType": "Parameters", "parameter": parameters })
}

async fn answer(
    state: &AppState,
    source: &Source,
    request: Result<DecisionRequest, Invalid>,
) -> Response {
    let request = match request {
        Ok(request) => request,
        Err(invalid) => return bad_request(&invalid),
    };
    let catalogue = match Catalogue::load(&state.db).await {
        Ok(catalogue) => catalogue,
        Err(e) => return internal(&e),
    };
    let purpose = match find_purpose(&catalogue, &request.purpose, "purpose") {
        Ok(p) => p,
        Err(invalid) => return bad_request(&invalid),
    };
    let now = state.clock.now();
    let at = request.at.unwrap_or(now);
    let latest = match latest_change(&state.db, request.patient.as_str(), purpose.id, at).await {
        Ok(latest) => latest,
        Err(e) => return internal(&e),
    };
    let decision = decide(&catalogue, latest.as_ref(), &request.categories, at);
    let outcome = if decision.permit {
        ConsentCheckOutcome::Permitted
    } else {
        ConsentCheckOutcome::Denied(decision.reason)
    };
    let check = ConsentCheck {
        patient_mrn: request.patient.as_str(),
        purpose: Some(purpose),
        outcome,
    };
    if let Err(e) = record_check(state, source, &check, now).await {
        return internal(&e);
    }
    fhir_response(StatusCode::OK, &decision_parameters(&decision, purpose))
}

/// `GET /Consent/$decide?patient=…&purpose=…[&category=…][&time=…]`.
pub async fn decide_get(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::ConsentRead) {
        return refusal;
    }
    answer(&state, &source, from_query(query.as_deref())).await
}

/// `POST /Consent/$decide` with a `Parameters` body.
pub async fn decide_post(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::ConsentRead) {
        return refusal;
    }
    let request = parse_json(&body).and_then(|value| from_parameters(&value));
    answer(&state, &source, request).await
}

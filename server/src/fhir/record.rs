//! FHIR R4 record resources → the patient's record (`record` scope).
//!
//! Every resource needs its `id` (the source's own; a resend with the same id updates the
//! entry) and names its patient by medical record number (`patient` or `subject`:
//! `Patient/<MRN>` or an identifier). What each type contributes:
//! - `Patient` (demographics): `name[0]`, `birthDate`, `gender`, `telecom` phone, `address[0]`.
//! - `AllergyIntolerance`: `code` (required), `reaction[].manifestation`, `criticality`,
//!   `clinicalStatus`, `verificationStatus`, `onset[x]`, `note`; dated by `recordedDate`.
//! - `Condition`: `code` (required), `clinicalStatus`, `verificationStatus`, `onset[x]`,
//!   `note`; dated by `recordedDate`, else the onset.
//! - `MedicationStatement` / `MedicationRequest`: `medicationCodeableConcept` or
//!   `medicationReference.display` (required), `dosage[].text` / `dosageInstruction[].text`,
//!   `status`, `requester`, `note`; dated by `effective[x]`/`dateAsserted` / `authoredOn`.
//! - `DocumentReference` (an index entry, never a body): `description` or the first
//!   attachment's `title` (required), `type`, `date`, `author[].display`, `custodian.display`
//!   or `context.practiceSetting`.
//!
//! `entered-in-error` (a verification status or status) and `DELETE` take the entry out of
//! the patient's view; the portal keeps its versions.

use app::record::server::service::{self, RecordError, RecordResource, Removal, Stored};
use app::record::types::{Field, FieldView, Section};
use app::ssr::sources::{Scope, Source};
use app::state::AppState;
use axum::response::Response;
use http::StatusCode;
use sea_orm::TransactionTrait;
use serde_json::Value;

use super::directory::{address, human_name, require_identifier};
use super::elements::{array, child, concept_text, object, opt_str, reference_key};
use super::outcome::{fhir_response, internal, outcome, Invalid};

/// Resource types that go to the patient's record (and `Patient`, which also goes to the
/// directory when the token has that scope).
pub const RECORD_TYPES: [&str; 5] = [
    "AllergyIntolerance",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "DocumentReference",
];

/// The longest value of one field.
const FIELD_LIMIT: usize = 2_000;

/// Parses a record resource (including `Patient`, as demographics).
pub fn parse(resource: &Value, path: &str) -> Result<RecordResource, Invalid> {
    let resource_type = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut fields = Fields::new(path);
    let (section, patient_mrn, dated, removal) = if resource_type == "Patient" {
        let mrn = require_identifier(resource, path, true)?;
        demographics(resource, &mut fields)?;
        (Section::Demographics, mrn, None, None)
    } else {
        let Some((section, patient_element, status_element, read)) = clinical(resource_type) else {
            return Err(Invalid::new(
                child(path, "resourceType"),
                format!("must be Patient or one of {}", RECORD_TYPES.join(", ")),
            ));
        };
        let dated = read(resource, &mut fields)?;
        (
            section,
            patient_of(resource, path, patient_element)?,
            dated,
            entered_in_error(resource, status_element),
        )
    };
    let resource_id = match opt_str(resource, path, "id")? {
        Some(id) => id.to_owned(),
        // A Patient is known by its record number when it has no id.
        None if section == Section::Demographics => patient_mrn.clone(),
        None => {
            return Err(Invalid::new(
                child(path, "id"),
                "is required: the source's own id, so a later version updates this one",
            ))
        }
    };
    if resource_id.len() > 64 {
        return Err(Invalid::new(
            child(path, "id"),
            "must be at most 64 characters",
        ));
    }
    Ok(RecordResource {
        resource_type: resource_type.to_owned(),
        resource_id,
        patient_mrn,
        section,
        fields: fields.list,
        dated,
        removal,
    })
}

/// Reads a clinical resource's fields; returns the date of what it records.
type Reader = fn(&Value, &mut Fields) -> Result<Option<String>, Invalid>;

/// How each clinical type is read: its section, the element naming the patient, the
/// element whose `entered-in-error` takes it out of view, and the reader of its fields.
fn clinical(resource_type: &str) -> Option<(Section, &'static str, &'static str, Reader)> {
    Some(match resource_type {
        "AllergyIntolerance" => (Section::Allergies, "patient", "verificationStatus", allergy),
        "Condition" => (
            Section::Conditions,
            "subject",
            "verificationStatus",
            condition,
        ),
        "MedicationStatement" => (Section::Medications, "subject", "status", |r, f| {
            medication(r, "MedicationStatement", f)
        }),
        "MedicationRequest" => (Section::Medications, "subject", "status", |r, f| {
            medication(r, "MedicationRequest", f)
        }),
        "DocumentReference" => (Section::Documents, "subject", "status", document),
        _ => return None,
    })
}

/// The fields of one resource as they are read, each bounded.
struct Fields<'a> {
    path: &'a str,
    list: Vec<FieldView>,
}

impl<'a> Fields<'a> {
    fn new(path: &'a str) -> Fields<'a> {
        Fields {
            path,
            list: Vec::new(),
        }
    }

    fn add(&mut self, field: Field, value: Option<String>, element: &str) -> Result<(), Invalid> {
        let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
            return Ok(());
        };
        if value.chars().count() > FIELD_LIMIT {
            return Err(Invalid::new(
                child(self.path, element),
                format!("must be at most {FIELD_LIMIT} characters"),
            ));
        }
        self.list.push(FieldView { field, value });
        Ok(())
    }

    fn require(
        &mut self,
        field: Field,
        value: Option<String>,
        element: &str,
    ) -> Result<(), Invalid> {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            return Err(Invalid::new(
                child(self.path, element),
                "is required, with a text or a coding's display the patient can read",
            ));
        }
        self.add(field, value, element)
    }
}

/// The medical record number of the patient a reference names.
fn patient_of(resource: &Value, path: &str, name: &str) -> Result<String, Invalid> {
    object(resource, path, name)?
        .and_then(reference_key)
        .ok_or_else(|| {
            Invalid::new(
                child(path, name),
                "must name the patient: Patient/<medical record number> or an identifier",
            )
        })
}

/// A `CodeableConcept` element's words.
fn concept(resource: &Value, name: &str) -> Option<String> {
    resource.get(name).and_then(concept_text)
}

/// The first code of a `CodeableConcept` element (or a plain code element).
fn code(resource: &Value, name: &str) -> Option<String> {
    let element = resource.get(name)?;
    element.as_str().map(str::to_owned).or_else(|| {
        element
            .get("coding")
            .and_then(Value::as_array)
            .and_then(|codings| {
                codings
                    .iter()
                    .find_map(|c| c.get("code").and_then(Value::as_str))
            })
            .map(str::to_owned)
    })
}

fn entered_in_error(resource: &Value, name: &str) -> Option<Removal> {
    (code(resource, name).as_deref() == Some("entered-in-error")).then_some(Removal::EnteredInError)
}

/// The date part of a FHIR `date`/`dateTime` (`2026`, `2026-11`, `2026-11-20`).
fn date_part(text: &str) -> Option<String> {
    let date = text.get(..text.len().min(10))?;
    let shaped = matches!(date.len(), 4 | 7 | 10)
        && date.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    shaped.then(|| date.to_owned())
}

fn date_element(resource: &Value, path: &str, name: &str) -> Result<Option<String>, Invalid> {
    match opt_str(resource, path, name)? {
        None => Ok(None),
        Some(text) => date_part(text)
            .map(Some)
            .ok_or_else(|| Invalid::new(child(path, name), "must be a date, like 2026-11-20")),
    }
}

/// `onsetDateTime`'s date, or `onsetString`.
fn onset(resource: &Value, path: &str) -> Result<Option<String>, Invalid> {
    Ok(date_element(resource, path, "onsetDateTime")?.or_else(|| {
        resource
            .get("onsetString")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }))
}

/// `note[].text`, one per line.
fn notes(resource: &Value, path: &str) -> Result<Option<String>, Invalid> {
    let texts: Vec<&str> = array(resource, path, "note")?
        .iter()
        .filter_map(|note| note.get("text").and_then(Value::as_str))
        .collect();
    Ok((!texts.is_empty()).then(|| texts.join("\n")))
}

/// Texts of the items of an array element, joined.
fn joined(items: impl Iterator<Item = Option<String>>) -> Option<String> {
    let texts: Vec<String> = items.flatten().collect();
    (!texts.is_empty()).then(|| texts.join("; "))
}

fn demographics(resource: &Value, fields: &mut Fields) -> Result<(), Invalid> {
    let path = fields.path;
    let (name, _) = human_name(resource, path)?;
    fields.add(Field::Name, Some(name), "name")?;
    fields.add(
        Field::BirthDate,
        date_element(resource, path, "birthDate")?,
        "birthDate",
    )?;
    fields.add(
        Field::Gender,
        opt_str(resource, path, "gender")?.map(str::to_owned),
        "gender",
    )?;
    let phone = array(resource, path, "telecom")?
        .iter()
        .filter(|t| t.get("system").and_then(Value::as_str) == Some("phone"))
        .find_map(|t| t.get("value").and_then(Value::as_str))
        .map(str::to_owned);
    fields.add(Field::Phone, phone, "telecom")?;
    fields.add(Field::Address, address(resource, path)?, "address")
}

fn allergy(resource: &Value, fields: &mut Fields) -> Result<Option<String>, Invalid> {
    let path = fields.path;
    fields.require(Field::Substance, concept(resource, "code"), "code")?;
    let reactions = joined(
        array(resource, path, "reaction")?
            .iter()
            .flat_map(|reaction| {
                reaction
                    .get("manifestation")
                    .and_then(Value::as_array)
                    .map(|list| list.iter().map(concept_text).collect::<Vec<_>>())
                    .unwrap_or_default()
            }),
    );
    fields.add(Field::Reaction, reactions, "reaction")?;
    fields.add(
        Field::Criticality,
        code(resource, "criticality"),
        "criticality",
    )?;
    fields.add(
        Field::ClinicalStatus,
        code(resource, "clinicalStatus"),
        "clinicalStatus",
    )?;
    fields.add(
        Field::Verification,
        code(resource, "verificationStatus"),
        "verificationStatus",
    )?;
    let onset = onset(resource, path)?;
    fields.add(Field::Onset, onset, "onset")?;
    fields.add(Field::Note, notes(resource, path)?, "note")?;
    date_element(resource, path, "recordedDate")
}

fn condition(resource: &Value, fields: &mut Fields) -> Result<Option<String>, Invalid> {
    let path = fields.path;
    fields.require(Field::Diagnosis, concept(resource, "code"), "code")?;
    fields.add(
        Field::ClinicalStatus,
        code(resource, "clinicalStatus"),
        "clinicalStatus",
    )?;
    fields.add(
        Field::Verification,
        code(resource, "verificationStatus"),
        "verificationStatus",
    )?;
    let onset = onset(resource, path)?;
    fields.add(Field::Onset, onset.clone(), "onset")?;
    fields.add(Field::Note, notes(resource, path)?, "note")?;
    Ok(date_element(resource, path, "recordedDate")?.or(onset.filter(|o| date_part(o).is_some())))
}

fn medication(
    resource: &Value,
    resource_type: &str,
    fields: &mut Fields,
) -> Result<Option<String>, Invalid> {
    let path = fields.path;
    let medicine = concept(resource, "medicationCodeableConcept").or_else(|| {
        resource
            .get("medicationReference")
            .and_then(|r| r.get("display"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    fields.require(Field::Medication, medicine, "medicationCodeableConcept")?;
    let dosage_element = if resource_type == "MedicationRequest" {
        "dosageInstruction"
    } else {
        "dosage"
    };
    let dosage = joined(
        array(resource, path, dosage_element)?
            .iter()
            .map(|d| d.get("text").and_then(Value::as_str).map(str::to_owned)),
    );
    fields.add(Field::Dosage, dosage, dosage_element)?;
    fields.add(Field::Status, code(resource, "status"), "status")?;
    let requester = resource
        .get("requester")
        .and_then(|r| r.get("display"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    fields.add(Field::Author, requester, "requester")?;
    fields.add(Field::Note, notes(resource, path)?, "note")?;
    if resource_type == "MedicationRequest" {
        return date_element(resource, path, "authoredOn");
    }
    let period_start = object(resource, path, "effectivePeriod")?
        .map(|period| date_element(period, &child(path, "effectivePeriod"), "start"))
        .transpose()?
        .flatten();
    Ok(date_element(resource, path, "effectiveDateTime")?
        .or(period_start)
        .or(date_element(resource, path, "dateAsserted")?))
}

fn document(resource: &Value, fields: &mut Fields) -> Result<Option<String>, Invalid> {
    let path = fields.path;
    let title = opt_str(resource, path, "description")?
        .map(str::to_owned)
        .or_else(|| {
            array(resource, path, "content").ok()?.iter().find_map(|c| {
                c.get("attachment")?
                    .get("title")?
                    .as_str()
                    .map(str::to_owned)
            })
        });
    fields.require(Field::Title, title, "description")?;
    fields.add(Field::DocumentKind, concept(resource, "type"), "type")?;
    let dated = date_element(resource, path, "date")?;
    fields.add(Field::Date, dated.clone(), "date")?;
    let authors = joined(
        array(resource, path, "author")?
            .iter()
            .map(|a| a.get("display").and_then(Value::as_str).map(str::to_owned)),
    );
    fields.add(Field::Author, authors, "author")?;
    let department = resource
        .get("custodian")
        .and_then(|c| c.get("display"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            resource
                .get("context")?
                .get("practiceSetting")
                .and_then(concept_text)
        });
    fields.add(Field::Department, department, "custodian")?;
    Ok(dated)
}

/// How a push was answered: the status and the outcome (or location) for the sender.
pub enum Answer {
    Stored(Stored),
    Refused(StatusCode, Value),
}

/// Stores one parsed resource in its own transaction.
pub async fn apply(
    state: &AppState,
    source: &Source,
    resource: &RecordResource,
    path: &str,
) -> Result<Answer, Response> {
    let now = state.clock.now();
    let txn = state.db.begin().await.map_err(|e| internal(&e))?;
    match service::store(&txn, source.id, resource, now).await {
        Ok(stored) => {
            txn.commit().await.map_err(|e| internal(&e))?;
            Ok(Answer::Stored(stored))
        }
        Err(RecordError::UnknownPatient(mrn)) => Ok(Answer::Refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            outcome(
                "error",
                "processing",
                &format!(
                    "no patient has record number {mrn:?}: send the Patient to the directory first"
                ),
                Some(path),
            ),
        )),
        Err(RecordError::NotFound) => Err(internal(&"a store reported a missing resource")),
        Err(RecordError::Database(error)) => Err(internal(&error)),
    }
}

/// Where a stored resource can be named.
pub fn location(resource: &RecordResource) -> String {
    format!("{}/{}", resource.resource_type, resource.resource_id)
}

/// The answer to one push of a record resource, as a plain response.
pub async fn write(
    state: &AppState,
    source: &Source,
    value: &Value,
    path_id: Option<&str>,
) -> Response {
    let resource_type = value
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let parsed = parse(value, resource_type).and_then(|resource| match path_id {
        Some(id) if id != resource.resource_id => Err(Invalid::new(
            format!("{resource_type}.id"),
            "must be the id in the address",
        )),
        _ => Ok(resource),
    });
    let resource = match parsed {
        Ok(resource) => resource,
        Err(invalid) => return super::outcome::bad_request(&invalid),
    };
    match apply(state, source, &resource, resource_type).await {
        Ok(Answer::Stored(stored)) => stored_response(&resource, stored),
        Ok(Answer::Refused(status, issue)) => fhir_response(status, &issue),
        Err(response) => response,
    }
}

fn stored_response(resource: &RecordResource, stored: Stored) -> Response {
    let (status, text) = match stored {
        Stored::Created(_) => (StatusCode::CREATED, "stored"),
        Stored::Updated(_) => (StatusCode::OK, "updated"),
        Stored::Unchanged(_) => (StatusCode::OK, "already received; nothing changed"),
    };
    let mut response = fhir_response(status, &outcome("information", "informational", text, None));
    if let Ok(location) = http::HeaderValue::from_str(&location(resource)) {
        response
            .headers_mut()
            .insert(http::header::LOCATION, location);
    }
    response
}

/// `DELETE /{type}/{id}`: the entry leaves the patient's view; its versions stay.
pub async fn delete(state: &AppState, source: &Source, resource_type: &str, id: &str) -> Response {
    if let Some(refusal) = super::refused(source, Scope::Record) {
        return refusal;
    }
    let now = state.clock.now();
    let txn = match state.db.begin().await {
        Ok(txn) => txn,
        Err(error) => return internal(&error),
    };
    match service::delete(&txn, source.id, resource_type, id, now).await {
        Ok(_) => match txn.commit().await {
            Ok(()) => fhir_response(
                StatusCode::OK,
                &outcome(
                    "information",
                    "informational",
                    "deleted from the patient's view; its history is kept",
                    None,
                ),
            ),
            Err(error) => internal(&error),
        },
        Err(RecordError::NotFound) => fhir_response(
            StatusCode::NOT_FOUND,
            &outcome(
                "error",
                "not-found",
                &format!("{resource_type}/{id} was never received from this source"),
                None,
            ),
        ),
        Err(RecordError::UnknownPatient(_)) => internal(&"a delete named a patient"),
        Err(RecordError::Database(error)) => internal(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_allergy_reads_its_fields_and_entered_in_error_removes_it() {
        let mut allergy = json!({
            "resourceType": "AllergyIntolerance", "id": "a1",
            "patient": {"reference": "Patient/M0001"},
            "code": {"text": "青霉素"},
            "criticality": "high",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "reaction": [{"manifestation": [{"text": "皮疹"}, {"coding": [{"display": "Hives"}]}]}],
            "recordedDate": "2025-03-04T10:00:00+08:00"
        });
        let parsed = parse(&allergy, "AllergyIntolerance").expect("valid");
        assert_eq!(parsed.patient_mrn, "M0001");
        assert_eq!(parsed.section, Section::Allergies);
        assert_eq!(parsed.dated.as_deref(), Some("2025-03-04"));
        assert_eq!(parsed.removal, None);
        let reaction = parsed
            .fields
            .iter()
            .find(|f| f.field == Field::Reaction)
            .expect("reaction");
        assert_eq!(reaction.value, "皮疹; Hives");
        allergy["verificationStatus"] = json!({"coding": [{"code": "entered-in-error"}]});
        assert_eq!(
            parse(&allergy, "x").expect("valid").removal,
            Some(Removal::EnteredInError)
        );
    }

    #[test]
    fn refusals_name_the_element() {
        let no_code =
            json!({"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/M1"}});
        assert_eq!(
            parse(&no_code, "Condition").unwrap_err().path,
            "Condition.code"
        );
        let no_id = json!({"resourceType": "Condition", "code": {"text": "x"}, "subject": {"reference": "Patient/M1"}});
        assert_eq!(parse(&no_id, "Condition").unwrap_err().path, "Condition.id");
        let no_patient =
            json!({"resourceType": "DocumentReference", "id": "d", "description": "Letter"});
        assert_eq!(
            parse(&no_patient, "DocumentReference").unwrap_err().path,
            "DocumentReference.subject"
        );
        let bad_date = json!({"resourceType": "DocumentReference", "id": "d", "description": "Letter", "subject": {"reference": "Patient/M1"}, "date": "yesterday"});
        assert_eq!(
            parse(&bad_date, "DocumentReference").unwrap_err().path,
            "DocumentReference.date"
        );
    }

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(date_part("2026"), Some("2026".to_owned()));
        assert_eq!(date_part("2026-11"), Some("2026-11".to_owned()));
        assert_eq!(
            date_part("2026-11-20T08:00:00Z"),
            Some("2026-11-20".to_owned())
        );
        assert_eq!(date_part("20"), None);
        assert_eq!(date_part("2026/11/20"), None);
    }
}

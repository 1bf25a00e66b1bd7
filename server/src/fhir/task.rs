//! Accepted corrections as FHIR `Task`s (after the HL7 Patient Request for Corrections
//! IG: a correction task whose `focus` is the resource to change), for hospital systems
//! with the `record` scope: `GET /Task?status=requested|completed&_lastUpdated=ge…`,
//! `GET /Task/{id}`, and `PUT` or `PATCH` (JSON Patch) to set `status` to `completed`
//! once the record holds the new value. Every read is written into the patient's log.

use app::corrections::server::tasks::{complete, task, tasks, CorrectionTask, TaskError};
use app::ssr::sources::{Scope, Source};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::Extension;
use http::StatusCode;
use serde_json::{json, Value};

use super::elements::{instant_text, parse_instant, query_pairs};
use super::outcome::{bad_request, fhir_response, internal, outcome, Invalid};
use super::refused;

/// The IG's code system of correction task types.
const TASK_TYPES: &str =
    "http://hl7.org/fhir/uv/patient-corrections/CodeSystem/PatientCorrectionTaskTypes";
/// The portal's identifiers of correction requests.
const REFERENCES: &str = "https://patient-privacy-portal.org/fhir/NamingSystem/correction-request";

/// One input of the task: what to change.
fn input(name: &str, value: &str) -> Value {
    json!({ "type": { "text": name }, "valueString": value })
}

/// The `Task` resource of an accepted correction.
fn task_resource(task: &CorrectionTask) -> Value {
    let mut inputs = vec![input("section", &task.section), input("field", &task.field)];
    if let Some(current) = &task.current {
        inputs.push(input("current value", current));
    }
    inputs.push(input("corrected value", &task.amended));
    if let Some(note) = &task.note {
        inputs.push(input("decision note", note));
    }
    let mut resource = json!({
        "resourceType": "Task",
        "id": task.reference,
        "meta": { "lastUpdated": instant_text(task.last_modified) },
        "identifier": [{ "system": REFERENCES, "value": task.reference }],
        "status": if task.completed { "completed" } else { "requested" },
        "businessStatus": { "text": if task.partly { "partly accepted" } else { "accepted" } },
        "intent": "order",
        "code": { "coding": [{ "system": TASK_TYPES, "code": "medRecCxReq", "display": "Medical Record Correction Request" }] },
        "description": "Apply the correction the hospital accepted to the record system.",
        "for": { "reference": format!("Patient/{}", task.patient_mrn) },
        "authoredOn": instant_text(task.filed_at),
        "lastModified": instant_text(task.last_modified),
        "executionPeriod": { "start": instant_text(task.decided_at) },
        "input": inputs,
    });
    if let Some((resource_type, id)) = &task.focus {
        resource["focus"] = json!({ "reference": format!("{resource_type}/{id}") });
    }
    resource
}

fn not_found(id: &str) -> Response {
    fhir_response(
        StatusCode::NOT_FOUND,
        &outcome(
            "error",
            "not-found",
            &format!("Task/{id} is not an accepted correction"),
            None,
        ),
    )
}

fn answer(result: Result<CorrectionTask, TaskError>, id: &str) -> Response {
    match result {
        Ok(task) => fhir_response(StatusCode::OK, &task_resource(&task)),
        Err(TaskError::NotFound) => not_found(id),
        Err(TaskError::BadStatus) => {
            bad_request(&Invalid::new("Task.status", "can only be set to completed"))
        }
        Err(TaskError::Database(error)) => internal(&error),
    }
}

/// `GET /Task?status=…&_lastUpdated=ge…`.
pub async fn search(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::Record) {
        return refusal;
    }
    let mut completed = None;
    let mut since = None;
    for (name, value) in query_pairs(query.as_deref()) {
        match name.as_str() {
            "status" => match value.as_str() {
                "requested" => completed = Some(false),
                "completed" => completed = Some(true),
                _ => {
                    return bad_request(&Invalid::new(
                        "status",
                        "correction tasks are requested or completed",
                    ))
                }
            },
            "_lastUpdated" => {
                let Some(text) = value
                    .strip_prefix("ge")
                    .or_else(|| value.strip_prefix("gt"))
                else {
                    return bad_request(&Invalid::new("_lastUpdated", "use ge<instant> (or gt)"));
                };
                match parse_instant(text, "_lastUpdated") {
                    Ok(at) => since = Some(at),
                    Err(invalid) => return bad_request(&invalid),
                }
            }
            _ => {}
        }
    }
    let found = match tasks(&state, &source, completed, since).await {
        Ok(found) => found,
        Err(error) => return internal(&error),
    };
    let entries: Vec<Value> = found
        .iter()
        .map(|task| {
            json!({
                "fullUrl": format!("{}/fhir/r4/Task/{}", state.settings.public_url, task.reference),
                "resource": task_resource(task),
                "search": { "mode": "match" },
            })
        })
        .collect();
    fhir_response(
        StatusCode::OK,
        &json!({
            "resourceType": "Bundle",
            "type": "searchset",
            "total": entries.len(),
            "entry": entries,
        }),
    )
}

/// `GET /Task/{id}`.
pub async fn read(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::Record) {
        return refusal;
    }
    answer(task(&state, &source, &id).await, &id)
}

/// The status a `PUT` (a whole Task) or a `PATCH` (JSON Patch) asks for.
fn asked_status(body: &Value) -> Option<&str> {
    if let Some(status) = body.get("status").and_then(Value::as_str) {
        return Some(status);
    }
    body.as_array()?.iter().find_map(|op| {
        (op.get("path").and_then(Value::as_str) == Some("/status")
            && matches!(
                op.get("op").and_then(Value::as_str),
                Some("replace" | "add")
            ))
        .then(|| op.get("value").and_then(Value::as_str))
        .flatten()
    })
}

/// `PUT` or `PATCH /Task/{id}`: only `status: completed` is taken.
pub async fn update(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::Record) {
        return refusal;
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => return bad_request(&Invalid::new("(body)", format!("not valid JSON: {e}"))),
    };
    if asked_status(&value) != Some("completed") {
        return answer(Err(TaskError::BadStatus), &id);
    }
    answer(complete(&state, &source, &id).await, &id)
}

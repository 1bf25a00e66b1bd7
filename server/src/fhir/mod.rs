//! The FHIR R4 (4.0.1) API for hospital systems, under `/fhir/r4`: access events
//! (`AuditEvent`, one, a batch `Bundle`, or NDJSON for back-fills), the directory
//! (`Patient`, `Practitioner`, `PractitionerRole`, `Location`, `Encounter`, `Appointment`),
//! and patients' consent (`Consent` read and search, `Consent/$decide`).
//! Every call but `metadata` needs a source system's bearer token. Nothing is
//! acknowledged before it is committed.

mod audit_event;
mod capability;
mod consent;
mod directory;
mod elements;
mod outcome;

use app::access_log::server::ingest::{ingest, NewAccess, Outcome};
use app::access_log::server::sources::{authenticate, Source};
use app::directory::server::service::{
    sync_care, sync_department, sync_patient, sync_staff, sync_staff_role, DirectoryError,
};
use app::ssr::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use directory::DirectoryEntry;
use outcome::{bad_request, fhir_response, internal, outcome, unauthorized, Invalid};

pub use audit_event::CATEGORY_SYSTEM;

/// Largest JSON body (a batch Bundle).
const JSON_LIMIT: usize = 32 * 1024 * 1024;
/// Largest NDJSON body (a back-fill; send larger ones in several parts).
const NDJSON_LIMIT: usize = 256 * 1024 * 1024;
/// Events committed per transaction in a back-fill.
pub const NDJSON_BATCH: usize = 2_000;

/// The FHIR routes, to be nested at `/fhir/r4`.
pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        .route("/metadata", get(capability::capability_statement))
        .route("/", post(batch).layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .route(
            "/AuditEvent",
            post(one_audit_event).layer(DefaultBodyLimit::max(JSON_LIMIT)),
        )
        .route(
            "/AuditEvent/$import",
            post(ndjson_import).layer(DefaultBodyLimit::max(NDJSON_LIMIT)),
        )
        .route("/Consent", get(consent::search))
        .route(
            "/Consent/$decide",
            get(consent::decide_get).post(consent::decide_post),
        )
        .route("/Consent/{id}", get(consent::read))
        .route(
            "/{resource_type}",
            post(one_directory_resource).layer(DefaultBodyLimit::max(JSON_LIMIT)),
        )
        .route(
            "/{resource_type}/{id}",
            axum::routing::put(directory_update).layer(DefaultBodyLimit::max(JSON_LIMIT)),
        )
        .with_state(state)
}

/// The source calling, from `Authorization: Bearer …`.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Source, Response> {
    let token = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default();
    match authenticate(&state.db, token).await {
        Ok(Some(source)) => Ok(source),
        Ok(None) => Err(unauthorized()),
        Err(error) => Err(internal(&error)),
    }
}

fn parse_json(body: &Bytes) -> Result<Value, Invalid> {
    serde_json::from_slice(body).map_err(|e| Invalid::new("(body)", format!("not valid JSON: {e}")))
}

async fn one_audit_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let source = match caller(&state, &headers).await {
        Ok(source) => source,
        Err(response) => return response,
    };
    let access = match parse_json(&body).and_then(|value| audit_event::parse(&value, "AuditEvent"))
    {
        Ok(access) => access,
        Err(invalid) => return bad_request(&invalid),
    };
    let now = state.clock.now();
    match ingest(&state.db, &source, &[access], &state.access.ingest, now).await {
        Ok(outcomes) => match outcomes.first() {
            Some(Outcome::Created(id)) => fhir_response(
                StatusCode::CREATED,
                &outcome(
                    "information",
                    "informational",
                    &format!("stored as event {id}"),
                    None,
                ),
            ),
            Some(Outcome::AlreadyReceived(id)) => fhir_response(
                StatusCode::OK,
                &outcome(
                    "information",
                    "duplicate",
                    &format!("already received as event {id}; nothing changed"),
                    None,
                ),
            ),
            None => internal(&"ingestion returned no outcome"),
        },
        Err(error) => internal(&error),
    }
}

/// The answer for one entry of a batch.
fn entry_response(status: &str, location: Option<String>, outcome: Option<Value>) -> Value {
    let mut response = json!({ "status": status });
    if let Some(location) = location {
        response["location"] = json!(location);
    }
    if let Some(outcome) = outcome {
        response["outcome"] = outcome;
    }
    json!({ "response": response })
}

async fn batch(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let source = match caller(&state, &headers).await {
        Ok(source) => source,
        Err(response) => return response,
    };
    let bundle = match parse_json(&body) {
        Ok(bundle) => bundle,
        Err(invalid) => return bad_request(&invalid),
    };
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return bad_request(&Invalid::new("Bundle.resourceType", "must be Bundle"));
    }
    if bundle.get("type").and_then(Value::as_str) != Some("batch") {
        return bad_request(&Invalid::new(
            "Bundle.type",
            "must be batch (each entry succeeds or fails on its own)",
        ));
    }
    let entries = match bundle.get("entry") {
        None => &[][..],
        Some(Value::Array(entries)) => entries.as_slice(),
        Some(_) => return bad_request(&Invalid::new("Bundle.entry", "must be an array")),
    };
    let now = state.clock.now();
    let mut responses: Vec<Option<Value>> = vec![None; entries.len()];
    let mut events: Vec<(usize, NewAccess)> = Vec::new();
    let mut directory_entries: Vec<(usize, DirectoryEntry)> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("Bundle.entry[{index}].resource");
        let Some(resource) = entry.get("resource").filter(|r| r.is_object()) else {
            responses[index] = Some(entry_response(
                "400 Bad Request",
                None,
                Some(Invalid::new(path, "is required").outcome()),
            ));
            continue;
        };
        let parsed = match resource.get("resourceType").and_then(Value::as_str) {
            Some("AuditEvent") => {
                audit_event::parse(resource, &path).map(|a| events.push((index, a)))
            }
            _ => directory::parse(resource, &path).map(|d| directory_entries.push((index, d))),
        };
        if let Err(invalid) = parsed {
            responses[index] = Some(entry_response(
                "400 Bad Request",
                None,
                Some(invalid.outcome()),
            ));
        }
    }
    // The directory first, so that events in the same batch are judged against it.
    for (index, entry) in directory_entries {
        let path = format!("Bundle.entry[{index}].resource");
        responses[index] = Some(
            match apply_directory(&state, &source, &entry, &path).await {
                Ok(()) => entry_response("200 OK", None, None),
                Err(DirectoryFailure::Invalid(invalid)) => {
                    entry_response("400 Bad Request", None, Some(invalid.outcome()))
                }
                Err(DirectoryFailure::Internal(response)) => return response,
            },
        );
    }
    if !events.is_empty() {
        let accesses: Vec<NewAccess> = events.iter().map(|(_, a)| a.clone()).collect();
        match ingest(&state.db, &source, &accesses, &state.access.ingest, now).await {
            Ok(outcomes) => {
                for ((index, _), result) in events.iter().zip(outcomes) {
                    responses[*index] = Some(match result {
                        Outcome::Created(id) => {
                            entry_response("201 Created", Some(format!("AuditEvent/{id}")), None)
                        }
                        Outcome::AlreadyReceived(id) => {
                            entry_response("200 OK", Some(format!("AuditEvent/{id}")), None)
                        }
                    });
                }
            }
            Err(error) => return internal(&error),
        }
    }
    let entry: Vec<Value> = responses
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    fhir_response(
        StatusCode::OK,
        &json!({ "resourceType": "Bundle", "type": "batch-response", "entry": entry }),
    )
}

async fn ndjson_import(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let source = match caller(&state, &headers).await {
        Ok(source) => source,
        Err(response) => return response,
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return bad_request(&Invalid::new(
            "(body)",
            "must be UTF-8 text, one AuditEvent per line",
        ));
    };
    let mut issues = Vec::new();
    let mut pending: Vec<NewAccess> = Vec::new();
    let (mut created, mut duplicates) = (0_u64, 0_u64);
    let lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    let flush = |pending: Vec<NewAccess>| {
        let state = state.clone();
        let source = source.clone();
        async move {
            let now = state.clock.now();
            ingest(&state.db, &source, &pending, &state.access.ingest, now).await
        }
    };
    for (number, line) in lines {
        let path = format!("line {}: AuditEvent", number + 1);
        match serde_json::from_str::<Value>(line)
            .map_err(|e| Invalid::new(path.clone(), format!("not valid JSON: {e}")))
            .and_then(|value| audit_event::parse(&value, &path))
        {
            Ok(access) => pending.push(access),
            Err(invalid) => issues.push(json!({
                "severity": "error", "code": "invalid",
                "diagnostics": invalid.message, "expression": [invalid.path],
            })),
        }
        if pending.len() >= NDJSON_BATCH {
            match flush(std::mem::take(&mut pending)).await {
                Ok(outcomes) => count(&outcomes, &mut created, &mut duplicates),
                Err(error) => return internal(&error),
            }
        }
    }
    if !pending.is_empty() {
        match flush(pending).await {
            Ok(outcomes) => count(&outcomes, &mut created, &mut duplicates),
            Err(error) => return internal(&error),
        }
    }
    let rejected = issues.len();
    let mut all = vec![json!({
        "severity": "information", "code": "informational",
        "diagnostics": format!("{created} stored, {duplicates} already received, {rejected} rejected"),
    })];
    all.extend(issues);
    let status = if rejected > 0 && created + duplicates == 0 {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    fhir_response(
        status,
        &json!({ "resourceType": "OperationOutcome", "issue": all }),
    )
}

fn count(outcomes: &[Outcome], created: &mut u64, duplicates: &mut u64) {
    for outcome in outcomes {
        match outcome {
            Outcome::Created(_) => *created += 1,
            Outcome::AlreadyReceived(_) => *duplicates += 1,
        }
    }
}

enum DirectoryFailure {
    Invalid(Invalid),
    Internal(Response),
}

async fn apply_directory(
    state: &AppState,
    source: &Source,
    entry: &DirectoryEntry,
    path: &str,
) -> Result<(), DirectoryFailure> {
    let now = state.clock.now();
    let locale = state.settings.default_locale;
    let db = &state.db;
    let result = match entry {
        DirectoryEntry::Patient(patient) => sync_patient(db, patient, locale, now).await.map(drop),
        DirectoryEntry::Staff(staff) => sync_staff(db, staff, locale, now).await.map(drop),
        DirectoryEntry::StaffRole {
            staff_number,
            department_code,
            job_title,
        } => sync_staff_role(
            db,
            staff_number,
            department_code.as_deref(),
            job_title.as_deref(),
            now,
        )
        .await
        .map(drop),
        DirectoryEntry::Department(department) => {
            sync_department(db, department, now).await.map(drop)
        }
        DirectoryEntry::Care(care) => sync_care(db, source.id, care).await,
    };
    match result {
        Ok(()) => Ok(()),
        Err(DirectoryError::UnknownDepartment(code)) => {
            Err(DirectoryFailure::Invalid(Invalid::new(
                path,
                format!("department {code:?} is not known: send its Location first"),
            )))
        }
        Err(DirectoryError::UnknownStaff(number)) => Err(DirectoryFailure::Invalid(Invalid::new(
            format!("{path}.practitioner"),
            format!("staff member {number:?} is not known: send the Practitioner first"),
        ))),
        Err(DirectoryError::Database(error)) => Err(DirectoryFailure::Internal(internal(&error))),
    }
}

async fn one_directory_resource(
    State(state): State<AppState>,
    Path(resource_type): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    directory_write(&state, &resource_type, &headers, &body).await
}

async fn directory_update(
    State(state): State<AppState>,
    Path((resource_type, _id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    directory_write(&state, &resource_type, &headers, &body).await
}

async fn directory_write(
    state: &AppState,
    resource_type: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let source = match caller(state, headers).await {
        Ok(source) => source,
        Err(response) => return response,
    };
    if !directory::DIRECTORY_TYPES.contains(&resource_type) {
        return fhir_response(
            StatusCode::NOT_FOUND,
            &outcome(
                "error",
                "not-supported",
                &format!("{resource_type} is not accepted here"),
                None,
            ),
        );
    }
    let parsed = parse_json(body).and_then(|value| {
        if value.get("resourceType").and_then(Value::as_str) == Some(resource_type) {
            directory::parse(&value, resource_type)
        } else {
            Err(Invalid::new(
                format!("{resource_type}.resourceType"),
                format!("must be {resource_type}"),
            ))
        }
    });
    let entry = match parsed {
        Ok(entry) => entry,
        Err(invalid) => return bad_request(&invalid),
    };
    match apply_directory(state, &source, &entry, resource_type).await {
        Ok(()) => fhir_response(
            StatusCode::OK,
            &outcome("information", "informational", "stored", None),
        ),
        Err(DirectoryFailure::Invalid(invalid)) => bad_request(&invalid),
        Err(DirectoryFailure::Internal(response)) => response,
    }
}

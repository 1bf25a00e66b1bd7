//! The FHIR R4 (4.0.1) API for hospital systems, under `/fhir/r4`: access events
//! (`AuditEvent`, one, a batch `Bundle`, or NDJSON for back-fills), the directory
//! (`Patient`, `Practitioner`, `PractitionerRole`, `Location`, `Encounter`, `Appointment`),
//! patients' consent (`Consent` read and search, `Consent/$decide`), and the parts of
//! patients' records the hospital shares (`AllergyIntolerance`, `Condition`,
//! `MedicationStatement`, `MedicationRequest`, `DocumentReference`, `Patient` demographics).
//! Every call but `metadata` needs a source system's bearer token, checked before the
//! request's body is read, and the token's scope for what it asks. Nothing is
//! acknowledged before it is committed. Requests are bounded: a body limit, an entry limit
//! per batch, a streamed back-fill committed in chunks, and a capped list of problems.

mod audit_event;
mod capability;
mod consent;
mod directory;
mod elements;
mod outcome;
pub(crate) mod record;
mod task;

use app::access_log::server::explain::after_care;
use app::access_log::server::feeds::{self, Arrival};
use app::access_log::server::ingest::{ingest_with_reads, NewAccess, Outcome};
use app::directory::server::service::{
    sync_care, sync_department, sync_patient, sync_staff, sync_staff_role, DirectoryError,
};
use app::hospital::server::mail::queue_email;
use app::ssr::email::EmailTemplate;
use app::ssr::sources::{authenticate, Scope, Source};
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Extension, Router};
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;
use record::RECORD_TYPES;
use sea_orm::TransactionTrait;
use serde_json::{json, Value};

use app::record::server::service::{RecordResource, Stored};
use directory::DirectoryEntry;
use outcome::{bad_request, fhir_response, forbidden, internal, outcome, unauthorized, Invalid};

pub use audit_event::CATEGORY_SYSTEM;

/// Largest JSON body (a batch Bundle).
const JSON_LIMIT: usize = 32 * 1024 * 1024;
/// Largest NDJSON body (a back-fill; send larger ones in several parts).
pub const NDJSON_LIMIT: usize = 256 * 1024 * 1024;
/// Longest line of an NDJSON back-fill (one `AuditEvent`).
const NDJSON_LINE_LIMIT: usize = 1024 * 1024;
/// Events committed per transaction, in a back-fill and in a batch, on PostgreSQL.
pub const NDJSON_BATCH: usize = 2_000;
/// The same on SQLite, where the portal has one connection: each commit is short, so a
/// sign-in or a page waiting for the connection gets it between two commits.
pub const NDJSON_BATCH_SQLITE: usize = 200;

/// Events committed per transaction on this database.
#[must_use]
pub fn commit_every(db: &impl sea_orm::ConnectionTrait) -> usize {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => NDJSON_BATCH_SQLITE,
        _ => NDJSON_BATCH,
    }
}
/// Most entries in one batch `Bundle`.
pub const MAX_BATCH_ENTRIES: usize = 10_000;
/// Most problems listed in one answer; the rest are counted in a last issue.
pub const MAX_ISSUES: usize = 100;

/// The FHIR routes, to be nested at `/fhir/r4`.
pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    // What the hospital's systems send (events, directory records) runs on the feeds'
    // threads; the questions they ask (consent, tasks) are answered beside pages.
    let feed = || from_fn(crate::feed_lane::on_feed_lane);
    let with_token = Router::new()
        .route("/", post(batch).layer(feed()))
        .route("/AuditEvent", post(one_audit_event).layer(feed()))
        .route("/AuditEvent/$import", post(ndjson_import).layer(feed()))
        .route("/Consent", get(consent::search))
        .route(
            "/Consent/$decide",
            get(consent::decide_get).post(consent::decide_post),
        )
        .route("/Consent/{id}", get(consent::read))
        .route("/Task", get(task::search))
        .route(
            "/Task/{id}",
            get(task::read).put(task::update).patch(task::update),
        )
        .route("/{resource_type}", post(one_resource).layer(feed()))
        .route(
            "/{resource_type}/{id}",
            put(update_resource).delete(delete_resource).layer(feed()),
        )
        // On matched routes only, and before any handler reads the body: a request
        // without a valid token is answered without reading what it sends.
        .route_layer(from_fn_with_state(state.clone(), require_source))
        .layer(DefaultBodyLimit::max(JSON_LIMIT));
    Router::new()
        .route("/metadata", get(capability::capability_statement))
        .merge(with_token)
        .with_state(state)
}

/// The bearer token of `Authorization: Bearer …`, if any.
fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default()
}

/// Authenticates the calling source from its token and hands it to the handler; answers
/// 401 otherwise, without touching the body.
async fn require_source(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    match authenticate(&state.db, bearer(request.headers())).await {
        Ok(Some(source)) => {
            request.extensions_mut().insert(source);
            next.run(request).await
        }
        Ok(None) => unauthorized(),
        Err(error) => internal(&error),
    }
}

/// The 403 for a source whose token lacks `scope`; `None` when it has it.
pub(crate) fn refused(source: &Source, scope: Scope) -> Option<Response> {
    (!source.may(scope)).then(|| forbidden(scope))
}

/// The scope a resource needs. A `Patient` goes to the directory, or to the record's
/// demographics for a token with only the `record` scope (with both, to both).
fn scope_of(source: &Source, entry: &Value) -> Scope {
    match entry.get("resourceType").and_then(Value::as_str) {
        Some("AuditEvent") => Scope::Events,
        Some(kind) if RECORD_TYPES.contains(&kind) => Scope::Record,
        Some("Patient") if !source.may(Scope::Directory) && source.may(Scope::Record) => {
            Scope::Record
        }
        _ => Scope::Directory,
    }
}

/// Problems found in one request: the first [`MAX_ISSUES`] listed, the rest counted.
#[derive(Default)]
struct Problems {
    listed: Vec<Value>,
    count: usize,
}

impl Problems {
    fn push(&mut self, invalid: &Invalid) {
        self.count += 1;
        if self.listed.len() < MAX_ISSUES {
            self.listed.push(json!({
                "severity": "error", "code": "invalid",
                "diagnostics": invalid.message, "expression": [invalid.path],
            }));
        }
    }

    fn issues(self) -> Vec<Value> {
        let unlisted = self.count - self.listed.len();
        let mut issues = self.listed;
        if unlisted > 0 {
            issues.push(json!({
                "severity": "error", "code": "too-costly",
                "diagnostics": format!("{unlisted} more problems are not listed (at most {MAX_ISSUES} are)"),
            }));
        }
        issues
    }
}

fn parse_json(body: &Bytes) -> Result<Value, Invalid> {
    serde_json::from_slice(body).map_err(|e| Invalid::new("(body)", format!("not valid JSON: {e}")))
}

/// Where a created event can be named (the FHIR `Location` of a create).
fn event_location(id: i64) -> String {
    format!("AuditEvent/{id}")
}

async fn one_audit_event(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::Events) {
        return refusal;
    }
    let access = match parse_json(&body).and_then(|value| audit_event::parse(&value, "AuditEvent"))
    {
        Ok(access) => access,
        Err(invalid) => return bad_request(&invalid),
    };
    let now = state.clock.now();
    let accesses = [access];
    let stored = ingest_with_reads(
        &state.reads,
        &state.db,
        &source,
        &accesses,
        &state.access.ingest,
        now,
    )
    .await;
    if stored.is_ok() {
        note_arrival(&state, &source, Arrival::Live(&accesses)).await;
    }
    match stored {
        Ok(outcomes) => match outcomes.first() {
            Some(Outcome::Created(id)) => {
                let mut response = fhir_response(
                    StatusCode::CREATED,
                    &outcome(
                        "information",
                        "informational",
                        &format!("stored as event {id}"),
                        None,
                    ),
                );
                if let Ok(location) = http::HeaderValue::from_str(&event_location(*id)) {
                    response
                        .headers_mut()
                        .insert(http::header::LOCATION, location);
                }
                response
            }
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

/// 413 for a request larger than the portal takes at once.
fn too_large(text: &str) -> Response {
    fhir_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        &outcome("error", "too-costly", text, None),
    )
}

async fn batch(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    body: Bytes,
) -> Response {
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
    if entries.len() > MAX_BATCH_ENTRIES {
        return too_large(&format!(
            "a batch holds at most {MAX_BATCH_ENTRIES} entries and this one has {}: send it in \
             parts, or send access events as NDJSON to AuditEvent/$import",
            entries.len()
        ));
    }
    let SortedEntries {
        mut responses,
        events,
        directory: directory_entries,
        record: record_entries,
    } = sort_entries(&source, entries);
    // The directory first, so that events and records in the same batch are judged
    // against it.
    for (index, entry) in directory_entries {
        let path = format!("Bundle.entry[{index}].resource");
        responses[index] = Some(
            match apply_directory(&state, &source, &entry, &path).await {
                Ok(()) => entry_response("200 OK", None, None),
                Err(DirectoryFailure::Refused(status, issue)) => {
                    entry_response(&status_line(status), None, Some(issue))
                }
                Err(DirectoryFailure::Internal(response)) => return response,
            },
        );
    }
    if let Err(response) = apply_records(&state, &source, record_entries, &mut responses).await {
        return response;
    }
    for chunk in events.chunks(commit_every(&state.db)) {
        let accesses: Vec<NewAccess> = chunk.iter().map(|(_, a)| a.clone()).collect();
        let outcomes = match ingest_with_reads(
            &state.reads,
            &state.db,
            &source,
            &accesses,
            &state.access.ingest,
            state.clock.now(),
        )
        .await
        {
            Ok(outcomes) => outcomes,
            Err(error) => return internal(&error),
        };
        for ((index, _), result) in chunk.iter().zip(outcomes) {
            responses[*index] = Some(match result {
                Outcome::Created(id) => {
                    entry_response("201 Created", Some(event_location(id)), None)
                }
                Outcome::AlreadyReceived(id) => {
                    entry_response("200 OK", Some(event_location(id)), None)
                }
            });
        }
    }
    let accesses: Vec<NewAccess> = events.into_iter().map(|(_, access)| access).collect();
    note_arrival(&state, &source, Arrival::Live(&accesses)).await;
    let entry: Vec<Value> = responses
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    fhir_response(
        StatusCode::OK,
        &json!({ "resourceType": "Bundle", "type": "batch-response", "entry": entry }),
    )
}

/// The record's entries of a batch, each in its own transaction; their answers go into
/// `responses`.
async fn apply_records(
    state: &AppState,
    source: &Source,
    entries: Vec<(usize, RecordResource)>,
    responses: &mut [Option<Value>],
) -> Result<(), Response> {
    for (index, resource) in entries {
        // A Patient the directory refused is not stored in the record either.
        if responses[index].as_ref().is_some_and(|r| {
            !r["response"]["status"]
                .as_str()
                .is_some_and(|s| s.starts_with('2'))
        }) {
            continue;
        }
        // A Patient the directory took keeps the directory's answer unless this refuses.
        let answered = responses[index].is_some();
        let path = format!("Bundle.entry[{index}].resource");
        responses[index] = Some(match record::apply(state, source, &resource, &path).await {
            Ok(record::Answer::Stored(_)) if answered => continue,
            Ok(record::Answer::Stored(stored)) => {
                let status = match stored {
                    Stored::Created(_) => "201 Created",
                    _ => "200 OK",
                };
                entry_response(status, Some(record::location(&resource)), None)
            }
            Ok(record::Answer::Refused(status, issue)) => {
                entry_response(&status_line(status), None, Some(issue))
            }
            Err(response) => return Err(response),
        });
    }
    Ok(())
}

/// A batch's entries sorted by what applies them, each with its index, and the answers
/// already decided (malformed, or beyond the token's scopes).
#[derive(Default)]
struct SortedEntries {
    responses: Vec<Option<Value>>,
    events: Vec<(usize, NewAccess)>,
    directory: Vec<(usize, DirectoryEntry)>,
    record: Vec<(usize, RecordResource)>,
}

/// A batch's entries sorted by kind, each with its index.
fn sort_entries(source: &Source, entries: &[Value]) -> SortedEntries {
    let mut sorted = SortedEntries {
        responses: vec![None; entries.len()],
        ..SortedEntries::default()
    };
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("Bundle.entry[{index}].resource");
        let Some(resource) = entry.get("resource").filter(|r| r.is_object()) else {
            sorted.responses[index] = Some(entry_response(
                "400 Bad Request",
                None,
                Some(Invalid::new(path, "is required").outcome()),
            ));
            continue;
        };
        let scope = scope_of(source, resource);
        if !source.may(scope) {
            sorted.responses[index] = Some(entry_response(
                "403 Forbidden",
                None,
                Some(outcome::scope_outcome(scope)),
            ));
            continue;
        }
        let parsed = match scope {
            Scope::Events => {
                audit_event::parse(resource, &path).map(|a| sorted.events.push((index, a)))
            }
            Scope::Record => record::parse(resource, &path).map(|r| sorted.record.push((index, r))),
            _ => directory::parse(resource, &path).and_then(|d| {
                // A Patient also updates the record's demographics when the token may.
                if matches!(d, DirectoryEntry::Patient(_)) && source.may(Scope::Record) {
                    sorted.record.push((index, record::parse(resource, &path)?));
                }
                sorted.directory.push((index, d));
                Ok(())
            }),
        };
        if let Err(invalid) = parsed {
            sorted.responses[index] = Some(entry_response(
                "400 Bad Request",
                None,
                Some(invalid.outcome()),
            ));
        }
    }
    sorted
}

/// A batch entry's `response.status`: code and reason phrase.
fn status_line(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default()
    )
}

/// What a back-fill stored so far, and what it refused.
#[derive(Default)]
struct ImportTally {
    created: u64,
    duplicates: u64,
    problems: Problems,
}

impl ImportTally {
    fn count(&mut self, outcomes: &[Outcome]) {
        for outcome in outcomes {
            match outcome {
                Outcome::Created(_) => self.created += 1,
                Outcome::AlreadyReceived(_) => self.duplicates += 1,
            }
        }
    }

    /// Parses one line into `pending`, or notes why it cannot be.
    fn line(&mut self, number: usize, line: &[u8], pending: &mut Vec<NewAccess>) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let path = format!("line {number}: AuditEvent");
        match serde_json::from_slice::<Value>(line)
            .map_err(|e| Invalid::new(path.clone(), format!("not valid JSON: {e}")))
            .and_then(|value| audit_event::parse(&value, &path))
        {
            Ok(access) => pending.push(access),
            Err(invalid) => self.problems.push(&invalid),
        }
    }

    fn answer(self) -> Response {
        let rejected = self.problems.count;
        let stored = self.created + self.duplicates;
        let mut all = vec![json!({
            "severity": "information", "code": "informational",
            "diagnostics": format!("{} stored, {} already received, {rejected} rejected", self.created, self.duplicates),
        })];
        all.extend(self.problems.issues());
        let status = if rejected > 0 && stored == 0 {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        fhir_response(
            status,
            &json!({ "resourceType": "OperationOutcome", "issue": all }),
        )
    }
}

/// `POST AuditEvent/$import`: one `AuditEvent` per line, read as it arrives and committed
/// every [`commit_every`] events, so a back-fill of any length holds little memory and
/// never keeps the database from others for long.
async fn ndjson_import(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(refusal) = refused(&source, Scope::Events) {
        return refusal;
    }
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > NDJSON_LIMIT) {
        return too_large(&format!(
            "a back-fill holds at most {NDJSON_LIMIT} bytes: send it in several parts"
        ));
    }
    let mut body = body;
    let commit_size = commit_every(&state.db);
    let mut tally = ImportTally::default();
    let mut pending: Vec<NewAccess> = Vec::new();
    let mut events_received = 0;
    let mut buffer: Vec<u8> = Vec::new();
    let (mut received, mut line_number) = (0_usize, 0_usize);
    loop {
        let data = match body.frame().await {
            None => None,
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => Some(data),
                // Trailers carry no events.
                Err(_) => continue,
            },
            Some(Err(error)) => {
                tracing::info!("back-fill body ended early: {error}");
                return bad_request(&Invalid::new(
                    "(body)",
                    format!(
                        "the body could not be read to its end; the {} events before were stored",
                        tally.created + tally.duplicates
                    ),
                ));
            }
        };
        let done = data.is_none();
        if let Some(data) = data {
            received += data.len();
            if received > NDJSON_LIMIT {
                return too_large(&format!(
                    "a back-fill holds at most {NDJSON_LIMIT} bytes: send it in several parts"
                ));
            }
            let scanned = buffer.len();
            buffer.extend_from_slice(&data);
            let (mut start, mut from) = (0, scanned);
            while let Some(offset) = buffer[from..].iter().position(|b| *b == b'\n') {
                let end = from + offset;
                line_number += 1;
                tally.line(line_number, &buffer[start..end], &mut pending);
                start = end + 1;
                from = start;
            }
            buffer.drain(..start);
            if buffer.len() > NDJSON_LINE_LIMIT {
                return too_large(&format!(
                    "line {}: longer than {NDJSON_LINE_LIMIT} bytes",
                    line_number + 1
                ));
            }
        }
        if done && !buffer.is_empty() {
            line_number += 1;
            tally.line(line_number, &buffer, &mut pending);
            buffer.clear();
        }
        while pending.len() >= commit_size || (done && !pending.is_empty()) {
            let take = pending.len().min(commit_size);
            let chunk: Vec<NewAccess> = pending.drain(..take).collect();
            match ingest_with_reads(
                &state.reads,
                &state.db,
                &source,
                &chunk,
                &state.access.ingest,
                state.clock.now(),
            )
            .await
            {
                Ok(outcomes) => {
                    tally.count(&outcomes);
                    events_received += outcomes.len();
                }
                Err(error) => return internal(&error),
            }
        }
        if done {
            let arrival = Arrival::BackFill {
                events: events_received,
            };
            note_arrival(&state, &source, arrival).await;
            return tally.answer();
        }
    }
}

/// Tells the watch over the feeds what arrived (after its commit). Its failure is logged,
/// never the sender's problem: the events are stored.
async fn note_arrival(state: &AppState, source: &Source, arrival: Arrival<'_>) {
    if let Err(error) = feeds::observe(state, source, arrival).await {
        tracing::warn!(
            "could not note the flow from source {}: {error}",
            source.name
        );
    }
}

/// Why a directory entry was not applied: an answer for the sender, or a failure of ours.
enum DirectoryFailure {
    Refused(StatusCode, Value),
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
    let internal_failure =
        |error: &dyn std::fmt::Display| DirectoryFailure::Internal(internal(error));
    let txn = state.db.begin().await.map_err(|e| internal_failure(&e))?;
    let db = &txn;
    let result = match entry {
        DirectoryEntry::Patient(patient) => {
            match sync_patient(db, patient, &source.name, locale, now).await {
                Ok((_, Some(change))) => match &state.access.ingest.mail {
                    Some(mail) => queue_email(
                        db,
                        mail,
                        &change.previous,
                        change.locale,
                        &EmailTemplate::AddressChanged,
                        now,
                    )
                    .await
                    .map(drop)
                    .map_err(DirectoryError::Database),
                    None => Ok(()),
                },
                Ok((_, None)) => Ok(()),
                Err(error) => Err(error),
            }
        }
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
        DirectoryEntry::Care(care) => match sync_care(db, source.id, care).await {
            Ok(_) => after_care(
                db,
                &care.patient_mrn,
                (care.starts_at, care.ended_at()),
                &state.access.ingest.rules,
                now,
            )
            .await
            .map(drop)
            .map_err(DirectoryError::Database),
            Err(error) => Err(error),
        },
    };
    let refused = match result {
        Ok(()) => {
            return txn.commit().await.map_err(|e| internal_failure(&e));
        }
        Err(DirectoryError::Database(error)) => return Err(internal_failure(&error)),
        Err(DirectoryError::UnknownDepartment(code)) => (
            StatusCode::BAD_REQUEST,
            Invalid::new(
                path,
                format!("department {code:?} is not known: send its Location first"),
            )
            .outcome(),
        ),
        Err(DirectoryError::UnknownStaff(number)) => (
            StatusCode::BAD_REQUEST,
            Invalid::new(
                format!("{path}.practitioner"),
                format!("staff member {number:?} is not known: send the Practitioner first"),
            )
            .outcome(),
        ),
        Err(DirectoryError::Protected(number)) => (
            StatusCode::CONFLICT,
            outcome(
                "error",
                "business-rule",
                &format!(
                    "staff member {number:?} is a portal administrator or privacy officer: \
                     the directory cannot deactivate them (an operator can, with portal deactivate)"
                ),
                Some(&format!("{path}.active")),
            ),
        ),
    };
    // The refusal itself is recorded (for the protected case): keep that, nothing else
    // was written before it.
    txn.commit().await.map_err(|e| internal_failure(&e))?;
    Err(DirectoryFailure::Refused(refused.0, refused.1))
}

async fn one_resource(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    Path(resource_type): Path<String>,
    body: Bytes,
) -> Response {
    resource_write(&state, &source, &resource_type, None, &body).await
}

async fn update_resource(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    Path((resource_type, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    resource_write(&state, &source, &resource_type, Some(&id), &body).await
}

async fn delete_resource(
    State(state): State<AppState>,
    Extension(source): Extension<Source>,
    Path((resource_type, id)): Path<(String, String)>,
) -> Response {
    if !RECORD_TYPES.contains(&resource_type.as_str()) {
        return not_accepted(&resource_type);
    }
    record::delete(&state, &source, &resource_type, &id).await
}

fn not_accepted(resource_type: &str) -> Response {
    fhir_response(
        StatusCode::NOT_FOUND,
        &outcome(
            "error",
            "not-supported",
            &format!("{resource_type} is not accepted here"),
            None,
        ),
    )
}

/// One resource created or updated: the record's types go to the record, the directory's
/// to the directory, a `Patient` to each its token may write.
async fn resource_write(
    state: &AppState,
    source: &Source,
    resource_type: &str,
    path_id: Option<&str>,
    body: &Bytes,
) -> Response {
    let to_record = RECORD_TYPES.contains(&resource_type)
        || (resource_type == "Patient" && source.may(Scope::Record));
    let to_directory = directory::DIRECTORY_TYPES.contains(&resource_type)
        && (resource_type != "Patient" || source.may(Scope::Directory) || !to_record);
    if !to_record && !to_directory {
        return not_accepted(resource_type);
    }
    // Refused before the body is read.
    if to_record && !source.may(Scope::Record) {
        return forbidden(Scope::Record);
    }
    if to_directory && !source.may(Scope::Directory) && !to_record {
        return forbidden(Scope::Directory);
    }
    let value = match parse_json(body) {
        Ok(value) if value.get("resourceType").and_then(Value::as_str) == Some(resource_type) => {
            value
        }
        Ok(_) => {
            return bad_request(&Invalid::new(
                format!("{resource_type}.resourceType"),
                format!("must be {resource_type}"),
            ))
        }
        Err(invalid) => return bad_request(&invalid),
    };
    if !to_directory {
        return record::write(state, source, &value, path_id).await;
    }
    let response = directory_write(state, source, resource_type, &value).await;
    if !to_record || !response.status().is_success() {
        return response;
    }
    // A Patient for both: the directory's answer, unless the record refuses it.
    let recorded = record::write(state, source, &value, path_id).await;
    if recorded.status().is_success() {
        response
    } else {
        recorded
    }
}

async fn directory_write(
    state: &AppState,
    source: &Source,
    resource_type: &str,
    value: &Value,
) -> Response {
    if let Some(refusal) = refused(source, Scope::Directory) {
        return refusal;
    }
    let entry = match directory::parse(value, resource_type) {
        Ok(entry) => entry,
        Err(invalid) => return bad_request(&invalid),
    };
    match apply_directory(state, source, &entry, resource_type).await {
        Ok(()) => fhir_response(
            StatusCode::OK,
            &outcome("information", "informational", "stored", None),
        ),
        Err(DirectoryFailure::Refused(status, issue)) => fhir_response(status, &issue),
        Err(DirectoryFailure::Internal(response)) => response,
    }
}

//! FHIR `OperationOutcome` answers, and the error that becomes one.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde_json::{json, Value};

/// FHIR's JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json";

/// A resource that cannot be accepted, naming the element at fault (a `FHIRPath` such as
/// `AuditEvent.agent[0].who`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub path: String,
    pub message: String,
}

impl Invalid {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The `OperationOutcome` for this error.
    #[must_use]
    pub fn outcome(&self) -> Value {
        outcome("error", "invalid", &self.message, Some(&self.path))
    }
}

/// An `OperationOutcome` with one issue.
#[must_use]
pub fn outcome(severity: &str, code: &str, text: &str, path: Option<&str>) -> Value {
    let mut issue = json!({
        "severity": severity,
        "code": code,
        "diagnostics": text,
    });
    if let Some(path) = path {
        issue["expression"] = json!([path]);
    }
    json!({ "resourceType": "OperationOutcome", "issue": [issue] })
}

/// A FHIR JSON response.
pub fn fhir_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    response
}

/// 400 with the outcome of `invalid`.
pub fn bad_request(invalid: &Invalid) -> Response {
    fhir_response(StatusCode::BAD_REQUEST, &invalid.outcome())
}

/// 401: missing, unknown or revoked token.
pub fn unauthorized() -> Response {
    let mut response = fhir_response(
        StatusCode::UNAUTHORIZED,
        &outcome(
            "error",
            "login",
            "a valid bearer token for a source system is required (portal add-source)",
            None,
        ),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"fhir\""),
    );
    response
}

/// The outcome for a token without `scope`.
#[must_use]
pub fn scope_outcome(scope: app::ssr::sources::Scope) -> Value {
    outcome(
        "error",
        "forbidden",
        &format!(
            "this source's token does not have the {:?} scope (portal add-source --scope {})",
            scope.code(),
            scope.code()
        ),
        None,
    )
}

/// 403: the token is valid but lacks `scope`.
pub fn forbidden(scope: app::ssr::sources::Scope) -> Response {
    fhir_response(StatusCode::FORBIDDEN, &scope_outcome(scope))
}

/// 500 that says nothing of the cause (logged with the operation id).
pub fn internal(cause: &dyn std::fmt::Display) -> Response {
    let error = app::ssr::request::internal_error(cause);
    let reference = error.operation_id().unwrap_or_default().to_owned();
    fhir_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        &outcome(
            "fatal",
            "exception",
            &format!("internal error; quote operation {reference} to the portal's operators"),
            None,
        ),
    )
}

//! Files a patient downloads: their whole access log (`/access-log/download.csv`, and
//! `/access-log/download.json`, a signed FHIR Bundle) and a signed consent receipt
//! (`/consent/receipt.json?id=…`). Plain HTTP routes, because a download needs
//! `Content-Disposition`; the same patient check as server functions.

use app::access_log::server::download;
use app::consent::server::service::own_receipt_file;
use app::error::AppError;
use app::identity::server::access::patient_from_parts;
use app::ssr::request::{error_response, internal_error, request_locale};
use app::state::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{header, HeaderValue};

/// The download routes.
pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        .route("/access-log/download.csv", get(csv))
        .route("/access-log/download.json", get(fhir_json))
        .route("/consent/receipt.json", get(consent_receipt))
        .with_state(state)
}

fn attachment(content_type: &'static str, name: &str, body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn csv(State(state): State<AppState>, parts: Parts) -> Response {
    let (_who, cap) = match patient_from_parts(&state, &parts).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    let locale = request_locale(&parts, state.settings.default_locale);
    match download::csv_file(&state.db, &cap, locale, &state.settings.time_zone).await {
        Ok(body) => attachment("text/csv; charset=utf-8", "access-log.csv", body),
        Err(e) => error_response(&internal_error(&e)),
    }
}

async fn fhir_json(State(state): State<AppState>, parts: Parts) -> Response {
    let (_who, cap) = match patient_from_parts(&state, &parts).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    let now = state.clock.now();
    match download::fhir_file(&state.db, &cap, &state.access.signer, now).await {
        Ok(body) => attachment("application/fhir+json", "access-log.json", body),
        Err(e) => error_response(&internal_error(&e)),
    }
}

#[derive(serde::Deserialize)]
struct ReceiptQuery {
    id: String,
}

async fn consent_receipt(
    State(state): State<AppState>,
    Query(query): Query<ReceiptQuery>,
    parts: Parts,
) -> Response {
    let (_who, cap) = match patient_from_parts(&state, &parts).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    match own_receipt_file(&state, cap, &query.id).await {
        Ok(Some(file)) => attachment(
            "application/json",
            &format!("consent-receipt-{}.json", query.id),
            file,
        ),
        Ok(None) => error_response(&AppError::NotFound),
        Err(e) => error_response(&internal_error(&e)),
    }
}

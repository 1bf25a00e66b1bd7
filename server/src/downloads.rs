//! Files a patient downloads: their whole access log (`/access-log/download.csv`, and
//! `/access-log/download.json`, a signed FHIR Bundle) and a signed consent receipt
//! (`/consent/receipt.json?id=…`). Plain HTTP routes, because a download needs
//! `Content-Disposition`; the same patient check as server functions.

use std::collections::BTreeMap;

use app::access_log::server::{chain, download, query};
use app::consent::server::service::own_receipt_file;
use app::error::AppError;
use app::identity::server::access::patient_from_parts;
use app::ssr::request::{error_response, request_locale};
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

async fn patient_log(
    state: &AppState,
    parts: &Parts,
) -> Result<(String, Vec<app::access_log::server::entity::event::Model>), Response> {
    let (_who, cap) = patient_from_parts(state, parts)
        .await
        .map_err(|e| error_response(&e))?;
    let internal =
        |e: &dyn std::fmt::Display| error_response(&app::ssr::request::internal_error(e));
    let rows = query::whole_log(&state.db, &cap)
        .await
        .map_err(|e| internal(&e))?;
    Ok((cap.mrn().to_owned(), rows))
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
    let (_mrn, rows) = match patient_log(&state, &parts).await {
        Ok(log) => log,
        Err(response) => return response,
    };
    let departments: BTreeMap<_, _> = match query::departments(&state.db).await {
        Ok(list) => list.into_iter().map(|d| (d.id, d)).collect(),
        Err(e) => return error_response(&app::ssr::request::internal_error(&e)),
    };
    let locale = request_locale(&parts, state.settings.default_locale);
    let body = download::csv(&rows, &departments, locale, &state.settings.time_zone);
    attachment("text/csv; charset=utf-8", "access-log.csv", body)
}

async fn fhir_json(State(state): State<AppState>, parts: Parts) -> Response {
    let (mrn, rows) = match patient_log(&state, &parts).await {
        Ok(log) => log,
        Err(response) => return response,
    };
    let checkpoint = match chain::latest_checkpoint(&state.db).await {
        Ok(cp) => cp,
        Err(e) => return error_response(&app::ssr::request::internal_error(&e)),
    };
    let bundle = download::fhir_bundle(
        &rows,
        &mrn,
        &state.access.signer,
        checkpoint.as_ref(),
        state.clock.now(),
    );
    attachment(
        "application/fhir+json",
        "access-log.json",
        bundle.to_string(),
    )
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
        Err(e) => error_response(&app::ssr::request::internal_error(&e)),
    }
}

//! Evidence files on a patient's correction request: `POST /record/requests/{reference}/files`
//! (a plain multipart form, so it works without JavaScript) and
//! `GET /record/requests/{reference}/files/{id}`. The same patient check as server
//! functions; another patient's request is "not found". After an upload the browser goes
//! back to the request's page, which says what was added or why a file was refused.

use app::corrections::server::files::{attach, own_file};
use app::corrections::server::service::{request_path, CorrectionError};
use app::corrections::server::staff;
use app::identity::server::access::{patient_from_parts, staff_from_parts, RecordsOfficerRole};
use app::ssr::evidence::{EvidenceError, MAX_FILES, MAX_FILE_BYTES};
use app::ssr::request::{error_response, internal_error};
use app::state::AppState;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use http::{header, HeaderValue};

/// The file routes.
pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        .route(
            "/record/requests/{reference}/files",
            post(upload).layer(DefaultBodyLimit::max(
                MAX_FILES * MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/record/requests/{reference}/files/{id}", get(download))
        .route(
            "/staff/corrections/{reference}/files/{id}",
            get(staff_download),
        )
        .with_state(state)
}

/// The code the request's page explains (`?file_error=…`).
fn refusal_code(error: &CorrectionError) -> Option<&'static str> {
    Some(match error {
        CorrectionError::File(EvidenceError::Empty) => "empty",
        CorrectionError::File(EvidenceError::TooLarge) => "too_large",
        CorrectionError::File(EvidenceError::NotAllowed) => "not_allowed",
        CorrectionError::File(EvidenceError::Damaged) => "damaged",
        CorrectionError::TooManyFiles => "too_many",
        CorrectionError::Closed => "closed",
        _ => return None,
    })
}

async fn upload(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let (_who, cap) = match patient_from_parts(&state, &parts).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    let page = request_path(&reference);
    let request = Request::from_parts(parts, body);
    let Ok(mut form) = Multipart::from_request(request, &()).await else {
        return Redirect::to(&format!("{page}?file_error=empty")).into_response();
    };
    let mut added = 0;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // A body over the limit ends here.
            Err(_) => return Redirect::to(&format!("{page}?file_error=too_large")).into_response(),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let Ok(bytes) = field.bytes().await else {
            return Redirect::to(&format!("{page}?file_error=too_large")).into_response();
        };
        // A form sent without choosing a file has one empty, nameless part.
        if bytes.is_empty() && name.is_empty() {
            continue;
        }
        match attach(&state, &cap, &reference, &name, &bytes).await {
            Ok(()) => added += 1,
            Err(CorrectionError::NotFound) => {
                return error_response(&app::error::AppError::NotFound)
            }
            Err(error) => {
                return match refusal_code(&error) {
                    Some(code) => Redirect::to(&format!("{page}?added={added}&file_error={code}"))
                        .into_response(),
                    None => error_response(&internal_error(&error)),
                }
            }
        }
    }
    if added == 0 {
        return Redirect::to(&format!("{page}?file_error=empty")).into_response();
    }
    Redirect::to(&format!("{page}?added={added}#files")).into_response()
}

async fn download(
    State(state): State<AppState>,
    Path((reference, id)): Path<(String, i64)>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let (_who, cap) = match patient_from_parts(&state, &parts).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    file_response(own_file(&state, &cap, &reference, id).await)
}

/// A records officer's download; written into the patient's access log.
async fn staff_download(
    State(state): State<AppState>,
    Path((reference, id)): Path<(String, i64)>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let (who, cap) = match staff_from_parts::<RecordsOfficerRole>(&state, &parts).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    file_response(staff::open_file(&state, &who, &cap, &reference, id).await)
}

fn file_response(found: Result<(String, String, Vec<u8>), CorrectionError>) -> Response {
    match found {
        Ok((name, content_type, content)) => {
            let mut response = content.into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                headers.insert(header::CONTENT_TYPE, value);
            }
            // Always a download, never shown inside the portal's origin.
            let ascii: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(CorrectionError::NotFound) => error_response(&app::error::AppError::NotFound),
        Err(error) => error_response(&internal_error(&error)),
    }
}

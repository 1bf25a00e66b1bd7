//! Evidence files on a patient's correction request: `POST /record/requests/{reference}/files`
//! (a plain multipart form, so it works without JavaScript) and
//! `GET /record/requests/{reference}/files/{id}`. The same patient check as server
//! functions; another patient's request is "not found".

use app::corrections::server::files::{attach, own_file};
use app::corrections::server::service::{request_path, CorrectionError};
use app::corrections::server::staff;
use app::error::AppError;
use app::identity::server::access::{patient_from_parts, staff_from_parts, RecordsOfficerRole};
use app::ssr::evidence::{EvidenceError, MAX_FILES, MAX_FILE_BYTES};
use app::ssr::request::{error_response, internal_error};
use app::state::AppState;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::case_files::{receive, send_file, Refused};

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

/// How the request's page hears of a refused file.
fn refused(error: CorrectionError) -> Refused {
    Refused::Code(match error {
        CorrectionError::File(EvidenceError::Empty) => "empty",
        CorrectionError::File(EvidenceError::TooLarge) => "too_large",
        CorrectionError::File(EvidenceError::NotAllowed) => "not_allowed",
        CorrectionError::File(EvidenceError::Damaged) => "damaged",
        CorrectionError::TooManyFiles => "too_many",
        CorrectionError::Closed => "closed",
        CorrectionError::NotFound => return Refused::NotFound,
        other => return Refused::Internal(internal_error(&other)),
    })
}

fn found(
    result: Result<(String, String, Vec<u8>), CorrectionError>,
) -> Result<(String, String, Vec<u8>), AppError> {
    result.map_err(|error| match error {
        CorrectionError::NotFound => AppError::NotFound,
        other => internal_error(&other),
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
    receive(request, &page, |name, bytes| {
        let (state, cap, reference) = (&state, &cap, &reference);
        async move {
            attach(state, cap, reference, &name, &bytes)
                .await
                .map_err(refused)
        }
    })
    .await
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
    send_file(found(own_file(&state, &cap, &reference, id).await))
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
    send_file(found(
        staff::open_file(&state, &who, &cap, &reference, id).await,
    ))
}

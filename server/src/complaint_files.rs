//! Files on a patient's complaint: `POST /complaints/{reference}/files` (a plain multipart
//! form, so it works without JavaScript), `GET /complaints/{reference}/files/{id}` for
//! the patient and `GET /staff/complaints/{reference}/files/{id}` for the staff handling
//! the case (each download written into the patient's access log), and the insights as
//! CSV for privacy officers. Another patient's complaint is "not found".

use app::complaints::server::files::{attach, own_file};
use app::complaints::server::service::{complaint_path, ComplaintError};
use app::complaints::server::{staff, CASE_ROLES};
use app::error::AppError;
use app::identity::server::access::{
    patient_from_parts, staff_any_from_parts, staff_from_parts, PrivacyOfficerRole,
};
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
            "/complaints/{reference}/files",
            post(upload).layer(DefaultBodyLimit::max(
                MAX_FILES * MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/complaints/{reference}/files/{id}", get(download))
        .route(
            "/staff/complaints/{reference}/files/{id}",
            get(staff_download),
        )
        .route("/staff/complaints/insights.csv", get(insights_csv))
        .with_state(state)
}

/// How the complaint's page hears of a refused file.
fn refused(error: ComplaintError) -> Refused {
    Refused::Code(match error {
        ComplaintError::File(EvidenceError::Empty) => "empty",
        ComplaintError::File(EvidenceError::TooLarge) => "too_large",
        ComplaintError::File(EvidenceError::NotAllowed) => "not_allowed",
        ComplaintError::File(EvidenceError::Damaged) => "damaged",
        ComplaintError::TooManyFiles => "too_many",
        ComplaintError::WrongStage => "closed",
        ComplaintError::NotFound => return Refused::NotFound,
        other => return Refused::Internal(internal_error(&other)),
    })
}

fn found(
    result: Result<(String, String, Vec<u8>), ComplaintError>,
) -> Result<(String, String, Vec<u8>), AppError> {
    result.map_err(|error| match error {
        ComplaintError::NotFound => AppError::NotFound,
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
    let page = complaint_path(&reference);
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

/// A download by the staff handling the case; written into the patient's access log.
async fn staff_download(
    State(state): State<AppState>,
    Path((reference, id)): Path<(String, i64)>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let (who, cap) = match staff_any_from_parts(&state, &parts, &CASE_ROLES).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    send_file(found(
        staff::open_file(&state, &who, &cap, &reference, id).await,
    ))
}

/// The insights page's figures as CSV, for privacy officers.
async fn insights_csv(State(state): State<AppState>, request: Request) -> Response {
    use app::complaints::server::insights::{insights, to_csv};
    use axum::response::IntoResponse;
    let (parts, _) = request.into_parts();
    let (_who, cap) = match staff_from_parts::<PrivacyOfficerRole>(&state, &parts).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    match insights(&state, &cap).await {
        Ok(view) => (
            [
                (http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"complaints.csv\"",
                ),
                (http::header::CACHE_CONTROL, "no-store"),
            ],
            to_csv(&view),
        )
            .into_response(),
        Err(error) => error_response(&internal_error(&error)),
    }
}

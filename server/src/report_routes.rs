//! The routes of anonymous reports that carry files, as plain multipart forms that work
//! without JavaScript: `POST /report` files a report (the page comes back with the receipt,
//! or with the refusal and what was typed), `POST /report/follow-up/files` adds files in a
//! follow-up session, `GET /report/follow-up/files/{id}` downloads one there, and
//! `GET /staff/reports/{reference}/files/{id}` for privacy officers (kept as a staff
//! action). Nothing about the sender is read but the in-memory limits' client address.

use app::error::AppError;
use app::identity::server::access::{staff_from_parts, PrivacyOfficerRole};
use app::reports::api::edge::{refusal, session_report};
use app::reports::server::service::{self, ReportError, Upload};
use app::reports::server::staff;
use app::reports::types::NewReport;
use app::ssr::evidence::{MAX_FILES, MAX_FILE_BYTES};
use app::ssr::request::{error_response, ClientAddress};
use app::state::AppState;
use app::ui::form::{FormEcho, PAGE_FIELD};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::case_files::{receive, send_file, Refused};
use crate::forms::{own_page, show_page, FormPages};

/// What the filing route needs: the state, and the pages to show the answer in.
#[derive(Clone)]
pub struct ReportRoutes {
    pub state: AppState,
    pub forms: FormPages,
}

/// The routes.
pub fn routes<S: Clone + Send + Sync + 'static>(routes: ReportRoutes) -> Router<S> {
    let limit = DefaultBodyLimit::max(MAX_FILES * MAX_FILE_BYTES + 64 * 1024);
    // The page itself is the pages' (only its form's post is served here).
    let page = routes.forms.pages.clone();
    Router::new()
        .route("/report", post(file_report).layer(limit).get_service(page))
        .route("/report/follow-up/files", post(upload).layer(limit))
        .route("/report/follow-up/files/{id}", get(download))
        .route("/staff/reports/{reference}/files/{id}", get(staff_download))
        .with_state(routes)
}

/// Where the report form's answer is shown: the page it names, if it is a report page.
fn report_page(named: Option<&str>) -> String {
    named
        .and_then(own_page)
        .filter(|page| page == "/report" || page.starts_with("/report?"))
        .unwrap_or_else(|| "/report".to_owned())
}

async fn file_report(State(routes): State<ReportRoutes>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let client = parts
        .extensions
        .get::<ClientAddress>()
        .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |address| address.0);
    let headers = parts.headers.clone();
    let extensions = parts.extensions.clone();
    let request = Request::from_parts(parts, body);
    let (fields, uploads, outcome) = match read_form(request).await {
        Ok((fields, uploads)) => {
            let value = |name: &str| {
                fields
                    .iter()
                    .find_map(|(key, value)| (key == name).then(|| value.clone()))
                    .unwrap_or_default()
            };
            let form = NewReport {
                kind: value("kind"),
                what: value("what"),
                place: value("place"),
                when: value("when"),
                who: value("who"),
                token: value("token"),
                work: value("work"),
            };
            let outcome = service::file(&routes.state, client, &form, &uploads)
                .await
                .map_err(refusal)
                .and_then(|receipt| {
                    serde_json::to_string(&receipt)
                        .map_err(|e| app::ssr::request::internal_error(&e))
                });
            (fields, uploads, outcome)
        }
        Err((fields, error)) => (fields, Vec::new(), Err(error)),
    };
    drop(uploads);
    let page = report_page(
        fields
            .iter()
            .find_map(|(key, value)| (key == PAGE_FIELD).then_some(value.as_str())),
    );
    let status = outcome.as_ref().err().map(app::ssr::request::status_of);
    let fields = fields
        .into_iter()
        .filter(|(key, _)| key != PAGE_FIELD)
        .collect();
    let echo = FormEcho {
        action: app::reports::ui::form::REPORT_ACTION.to_owned(),
        fields,
        outcome,
    };
    show_page(&routes.forms, &page, headers, extensions, echo, status).await
}

type Fields = Vec<(String, String)>;

/// The form's text fields and files; a form that cannot be read keeps the fields read so
/// far with the refusal.
async fn read_form(request: Request) -> Result<(Fields, Vec<Upload>), (Fields, AppError)> {
    let mut fields = Vec::new();
    let mut uploads = Vec::new();
    let Ok(mut form) = Multipart::from_request(request, &()).await else {
        return Err((fields, AppError::invalid("what")));
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // A body over the limit ends here.
            Err(_) => return Err((fields, AppError::invalid("file_size"))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let Ok(bytes) = field.bytes().await else {
                return Err((fields, AppError::invalid("file_size")));
            };
            // A form sent without choosing a file has one empty, nameless part.
            if !(bytes.is_empty() && file_name.is_empty()) {
                uploads.push(Upload {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
        } else if let Ok(text) = field.text().await {
            fields.push((name, text));
        }
    }
    Ok((fields, uploads))
}

/// How the follow-up page hears of a refused file.
fn refused(error: ReportError) -> Refused {
    match refusal(error) {
        AppError::InvalidInput { field } => Refused::Code(match field.as_str() {
            "file_size" => "file_size",
            "file_damaged" => "file_damaged",
            "file_count" => "file_count",
            "stage" => "stage",
            _ => "file_type",
        }),
        AppError::NotFound => Refused::NotFound,
        other => Refused::Internal(other),
    }
}

async fn upload(State(routes): State<ReportRoutes>, request: Request) -> Response {
    let state = routes.state;
    let (parts, body) = request.into_parts();
    let Some(report) = session_report(&state, &parts) else {
        return error_response(&AppError::Unauthenticated);
    };
    let request = Request::from_parts(parts, body);
    receive(request, "/report/follow-up", |name, bytes| {
        let state = &state;
        async move {
            service::attach(state, report, &name, &bytes)
                .await
                .map_err(refused)
        }
    })
    .await
}

fn found(
    result: Result<(String, String, Vec<u8>), ReportError>,
) -> Result<(String, String, Vec<u8>), AppError> {
    result.map_err(refusal)
}

async fn download(
    State(routes): State<ReportRoutes>,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let state = routes.state;
    let (parts, _) = request.into_parts();
    let Some(report) = session_report(&state, &parts) else {
        return error_response(&AppError::Unauthenticated);
    };
    send_file(found(service::report_file(&state, report, id).await))
}

async fn staff_download(
    State(routes): State<ReportRoutes>,
    Path((reference, id)): Path<(String, i64)>,
    request: Request,
) -> Response {
    let state = routes.state;
    let (parts, _) = request.into_parts();
    let (who, cap) = match staff_from_parts::<PrivacyOfficerRole>(&state, &parts).await {
        Ok(found) => found,
        Err(error) => return error_response(&error),
    };
    send_file(found(
        staff::open_file(&state, &who, &cap, &reference, id).await,
    ))
}

//! What the file routes of cases (correction requests, complaints) share: reading a plain
//! multipart form of files into a case, and sending a stored file back as a download.
//! After an upload the browser goes back to the case's page, which says what was added
//! or why a file was refused (`?added=…`, `?file_error=…`).

use app::error::AppError;
use app::ssr::request::error_response;
use axum::extract::{FromRequest, Multipart, Request};
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, HeaderValue};

/// Why one file was not added.
pub enum Refused {
    /// The case is not the caller's (or does not exist).
    NotFound,
    /// A refusal the page explains, by its code.
    Code(&'static str),
    /// Something failed inside the portal.
    Internal(AppError),
}

/// Reads the files of `request` and adds each with `attach`, then sends the browser back
/// to `page`.
pub async fn receive<F, Fut>(request: Request, page: &str, mut attach: F) -> Response
where
    F: FnMut(String, axum::body::Bytes) -> Fut,
    Fut: std::future::Future<Output = Result<(), Refused>>,
{
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
        match attach(name, bytes).await {
            Ok(()) => added += 1,
            Err(Refused::NotFound) => return error_response(&AppError::NotFound),
            Err(Refused::Code(code)) => {
                return Redirect::to(&format!("{page}?added={added}&file_error={code}"))
                    .into_response()
            }
            Err(Refused::Internal(error)) => return error_response(&error),
        }
    }
    if added == 0 {
        return Redirect::to(&format!("{page}?file_error=empty")).into_response();
    }
    Redirect::to(&format!("{page}?added={added}#files")).into_response()
}

/// A stored file as a download (never shown inside the portal's origin).
pub fn send_file(found: Result<(String, String, Vec<u8>), AppError>) -> Response {
    match found {
        Ok((name, content_type, content)) => {
            let mut response = content.into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                headers.insert(header::CONTENT_TYPE, value);
            }
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
        Err(error) => error_response(&error),
    }
}

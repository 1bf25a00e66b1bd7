//! Plain HTML forms posting to server functions, for browsers with JavaScript off and for
//! the islands router (which posts the same way and swaps the answer in).
//!
//! A browser's form post asks for a page back, and names the page its form is on. The
//! server function runs as for any caller.
//! When it accepted the change and said where to land, the browser is sent there (303).
//! Otherwise the page the form was on is rendered again for this request, with the fields
//! as sent and the answer or the refusal ([`app::ui::form::FormEcho`]), so nothing typed is
//! lost and the refusal is said beside the form. The typed text lives only in that one
//! response: it is never stored, and never put into an address.

use app::error::AppError;
use app::ssr::forms::FormOrigin;
use app::ssr::request::{error_response, status_of, OperationId};
use app::ui::form::{FormEcho, PAGE_FIELD};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use http::{header, HeaderMap, Method, StatusCode};
use tower::ServiceExt;

/// The largest form accepted from a page (the longest text field is a few thousand
/// characters).
const FORM_LIMIT: usize = 64 * 1024;
/// The largest answer of a server function read back to show on a page.
const ANSWER_LIMIT: usize = 1024 * 1024;

/// What the form middleware needs: the pages, to render one again, and the public origin,
/// to tell the portal's own pages from any other address a browser names.
#[derive(Clone)]
pub struct FormPages {
    pub pages: Router,
    pub public_origin: String,
}

/// Whether the request wants a page back (a browser or the islands router), not JSON.
fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("json"))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| kind.starts_with("application/x-www-form-urlencoded"))
}

/// `page` when it is the path (and query) of one of the portal's own pages.
pub fn own_page(page: &str) -> Option<String> {
    let page = page.split('#').next().unwrap_or_default();
    (page.starts_with('/') && !page.starts_with("//") && !page.starts_with("/api/"))
        .then(|| page.to_owned())
}

/// The page a request came from, when the browser names one of the portal's own pages:
/// its path and query.
fn origin_page(headers: &HeaderMap, public_origin: &str) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    own_page(referer.strip_prefix(public_origin)?)
}

/// Serves server functions to browsers' forms as described in the module documentation;
/// every other call passes through untouched.
pub async fn browser_forms(
    State(forms): State<FormPages>,
    request: Request,
    next: Next,
) -> Response {
    // A server function's address opened as a page (the islands router leaves it in the
    // address bar after showing a refusal; reloading or going back opens it): every
    // function is posted to, so send the browser to the page it came from.
    if request.method() == Method::GET && !wants_json(request.headers()) {
        let page = origin_page(request.headers(), &forms.public_origin);
        return Redirect::to(page.as_deref().unwrap_or("/")).into_response();
    }
    if request.method() != Method::POST
        || !wants_page(request.headers())
        || !is_form(request.headers())
    {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(form) = to_bytes(body, FORM_LIMIT).await else {
        let mut refused = error_response(&AppError::invalid("request"));
        *refused.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return refused;
    };
    // The page the form is on: as the form names it, else as the browser does.
    let mut fields: Vec<(String, String)> = form_urlencoded::parse(&form).into_owned().collect();
    let named = fields
        .iter()
        .position(|(name, _)| name == PAGE_FIELD)
        .map(|at| fields.remove(at).1);
    let page = named
        .as_deref()
        .and_then(own_page)
        .or_else(|| origin_page(&parts.headers, &forms.public_origin))
        .unwrap_or_else(|| "/".into());
    // The function gets the fields it takes, nothing more.
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    // The function answers in JSON, as to any program: the framework would otherwise send
    // every answer back to the Referer. It says where to land, or the page is shown again
    // below.
    parts.headers.remove(header::REFERER);
    parts.headers.insert(
        header::ACCEPT,
        http::HeaderValue::from_static("application/json"),
    );
    parts.extensions.insert(FormOrigin(page.clone()));
    let action = parts.uri.path().to_owned();
    let headers = parts.headers.clone();
    let extensions = parts.extensions.clone();
    parts.headers.remove(header::CONTENT_LENGTH);
    let answer = next.run(Request::from_parts(parts, Body::from(form))).await;
    if answer.status().is_redirection() {
        return answer;
    }

    let (answer_parts, answer_body) = answer.into_parts();
    let body = to_bytes(answer_body, ANSWER_LIMIT)
        .await
        .unwrap_or_default();
    let outcome = if answer_parts.status.is_success() {
        Ok(String::from_utf8_lossy(&body).into_owned())
    } else {
        Err(serde_json::from_slice::<AppError>(&body).unwrap_or_else(|_| {
            let operation_id = extensions
                .get::<OperationId>()
                .cloned()
                .unwrap_or_default()
                .0;
            tracing::error!(%operation_id, "unreadable answer from {action}: {}", answer_parts.status);
            AppError::Internal { operation_id }
        }))
    };
    let status = outcome.as_ref().err().map(status_of);
    let echo = FormEcho {
        action,
        fields,
        outcome,
    };
    let mut shown = show_page(&forms, &page, headers, extensions, echo, status).await;
    // Cookies the function set (a language, a cleared session) still apply.
    for cookie in answer_parts.headers.get_all(header::SET_COOKIE) {
        shown
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    shown
}

/// Renders `page` for a form's post, with the fields as sent and the answer or refusal
/// (`echo`); `status` is the refusal's, if it was refused. `headers` and `extensions` are
/// the post's.
pub async fn show_page(
    forms: &FormPages,
    page: &str,
    mut headers: HeaderMap,
    extensions: http::Extensions,
    echo: FormEcho,
    status: Option<StatusCode>,
) -> Response {
    headers.insert(header::ACCEPT, http::HeaderValue::from_static("text/html"));
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    let mut render = Request::builder()
        .method(Method::GET)
        .uri(page)
        .body(Body::empty())
        .unwrap_or_default();
    *render.headers_mut() = headers;
    *render.extensions_mut() = extensions;
    render.extensions_mut().insert(echo);
    let Ok(mut shown) = forms.pages.clone().oneshot(render).await;
    // The page says what went wrong; its status says so too (unless the page itself sends
    // the browser elsewhere, e.g. to sign in).
    if let (Some(status), true) = (status, shown.status() == StatusCode::OK) {
        *shown.status_mut() = status;
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(referer: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::REFERER, referer.parse().unwrap());
        map
    }

    #[test]
    fn only_the_portals_own_pages_are_origins() {
        let origin = "http://localhost:3000";
        assert_eq!(
            origin_page(&headers("http://localhost:3000/consent?x=1#c"), origin).as_deref(),
            Some("/consent?x=1")
        );
        assert_eq!(
            origin_page(&headers("http://evil.example/consent"), origin),
            None
        );
        assert_eq!(
            origin_page(&headers("http://localhost:30000/x"), origin),
            None
        );
        assert_eq!(
            origin_page(&headers("http://localhost:3000//evil"), origin),
            None
        );
        assert_eq!(
            origin_page(&headers("http://localhost:3000/api/x"), origin),
            None
        );
    }
}

//! Request middleware: operation ids, security headers, and the same-origin rule for
//! every state-changing request.

use app::error::AppError;
use app::ssr::request::{error_response, OperationId};
use app::ssr::security::content_security_policy;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderName, HeaderValue, Method};

/// Header carrying the operation id back to the client (and in support requests).
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The route pattern a request matched (e.g. `/enroll/{token}`), carried on the response
/// for the request log.
#[derive(Clone, Debug)]
pub struct RouteName(pub String);

/// Notes the matched route on the response (applied inside the router, where the match
/// is known).
pub async fn name_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|matched| matched.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteName(route));
    }
    response
}

/// Whether a request belongs to anonymous reporting, which the request log skips: not
/// even that a request came, or when.
#[must_use]
pub fn is_anonymous(path: &str) -> bool {
    path == "/report" || path.starts_with("/report/") || path.starts_with("/api/reports/")
}

/// Gives each request an operation id, logs its outcome under it, and returns it in
/// `X-Request-Id`. Only method, matched route and status are logged: never the path
/// itself (an enrollment link's path is its token), query strings, cookies or addresses;
/// and nothing at all for anonymous reporting.
pub async fn operation_id(mut request: Request, next: Next) -> Response {
    let id = OperationId::new();
    request.extensions_mut().insert(id.clone());
    let logged = !is_anonymous(request.uri().path());
    let method = request.method().clone();
    let span = tracing::info_span!("request", operation_id = %id.0);
    let mut response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    span.in_scope(|| {
        if !logged {
            return;
        }
        let route = response
            .extensions()
            .get::<RouteName>()
            .map_or("(no route)", |name| name.0.as_str());
        tracing::debug!(%method, %route, status = response.status().as_u16(), "served");
    });
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// What the security-header middleware needs to know.
#[derive(Clone, Debug)]
pub struct SecurityPolicy {
    /// The origin people use; state-changing requests must come from it.
    pub public_origin: String,
    /// Whether the portal is served over https (then HSTS is sent).
    pub https: bool,
}

/// Adds the security headers to every response. Pages set their own CSP (with the nonce
/// of their hydration script); everything else gets the same policy without a nonce.
pub async fn security_headers(
    State(policy): State<SecurityPolicy>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_static = path.starts_with("/pkg/") || path == "/favicon.svg";
    let immutable = is_static && is_content_hashed(path);
    let mut response = next.run(request).await;
    // Only a file that exists is kept for good (a missing one may appear with a deploy).
    let immutable = immutable && response.status() == http::StatusCode::OK;
    let headers = response.headers_mut();
    let set_default = |headers: &mut http::HeaderMap, name: HeaderName, value: &str| {
        if !headers.contains_key(&name) {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
    };
    set_default(
        headers,
        header::CONTENT_SECURITY_POLICY,
        &content_security_policy(None),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: with no referrer a browser sends `Origin: null`
    // on form posts, which the same-origin check below would have to refuse.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // Pages and answers may hold personal data: never stored by browsers or proxies.
    // Compiled files hold none. One whose name carries its content's hash never changes
    // (a new build has new names), so a browser keeps it and never asks again; any other
    // may be kept but is checked on each use.
    if is_static {
        // Each file exists as brotli, gzip and plain: caches must keep them apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else if is_static {
        "no-cache"
    } else {
        "no-store"
    };
    set_default(headers, header::CACHE_CONTROL, cache);
    if policy.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// Whether a compiled file's name carries the hash of its content, as cargo-leptos writes
/// it: `portal.<22 characters of base64url>.wasm`.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[parts.len() - 2].len() == 22
        && parts[parts.len() - 2]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The largest page the portal renders (the longest access-log page is far smaller).
const PAGE_LIMIT: usize = 16 * 1024 * 1024;

/// Sends each page in one piece with its length, instead of the pieces it is rendered in:
/// one write, which a kept-alive connection delivers at once.
pub async fn whole_pages(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, PAGE_LIMIT).await {
        Ok(bytes) => Response::from_parts(parts, axum::body::Body::from(bytes)),
        Err(cause) => error_response(&app::ssr::request::internal_error(&cause)),
    }
}

/// Looks up who sent the request (by its session cookie) once, before any page or server
/// function runs, and puts the answer into the request. A page's parts then never wait
/// for each other's lookups (on SQLite the portal has one database connection).
pub async fn request_caller(
    State(state): State<app::state::AppState>,
    request: Request,
    next: Next,
) -> Response {
    use app::identity::server::access::{caller_of, RequestCaller};
    let (mut parts, body) = request.into_parts();
    parts.extensions.remove::<RequestCaller>();
    match caller_of(&state, &parts).await {
        Ok(caller) => {
            parts.extensions.insert(RequestCaller(caller));
        }
        // Left to the first check that needs it, which reports the failure in its place.
        Err(error) => tracing::warn!("could not look up the caller: {error}"),
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The bounds every request is held to (see `config::RequestLimits`).
#[derive(Clone, Debug)]
pub struct Bounds {
    pub timeout: std::time::Duration,
    pub import_timeout: std::time::Duration,
    pub in_flight: std::sync::Arc<tokio::sync::Semaphore>,
    pub fhir_in_flight: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Bounds {
    #[must_use]
    pub fn new(limits: &crate::config::RequestLimits) -> Bounds {
        Bounds {
            timeout: limits.timeout,
            import_timeout: limits.import_timeout,
            in_flight: std::sync::Arc::new(tokio::sync::Semaphore::new(limits.in_flight)),
            fhir_in_flight: std::sync::Arc::new(tokio::sync::Semaphore::new(limits.fhir_in_flight)),
        }
    }
}

/// Holds every request to a time limit and the server to a number of requests at once:
/// beyond it, a request is answered 503 at once instead of queueing without end. FHIR
/// writes (bulk work) have a smaller share of their own, so hospital systems cannot take
/// every slot from patients. A request past its time is answered 503; its work is dropped
/// (an open transaction rolls back).
pub async fn bounded(State(bounds): State<Bounds>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let fhir = path.starts_with("/fhir/") && !path.ends_with("/metadata");
    let timeout = if path.ends_with("/$import") {
        bounds.import_timeout
    } else {
        bounds.timeout
    };
    let Ok(_permit) = bounds.in_flight.clone().try_acquire_owned() else {
        return busy(fhir);
    };
    let _fhir_permit = if fhir {
        match bounds.fhir_in_flight.clone().try_acquire_owned() {
            Ok(permit) => Some(permit),
            Err(_) => return busy(true),
        }
    } else {
        None
    };
    if let Ok(response) = tokio::time::timeout(timeout, next.run(request)).await {
        response
    } else {
        tracing::warn!("request not answered within {timeout:?}; stopped");
        busy(fhir)
    }
}

/// 503 with `Retry-After`, as FHIR or as the portal's error.
fn busy(fhir: bool) -> Response {
    let mut response = if fhir {
        let body = serde_json::json!({
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "transient",
                       "diagnostics": "the portal is busy; send this again in a few seconds"}],
        });
        let mut response = axum::response::IntoResponse::into_response((
            http::StatusCode::SERVICE_UNAVAILABLE,
            body.to_string(),
        ));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/fhir+json"),
        );
        response
    } else {
        error_response(&AppError::Unavailable)
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// Whether a method can change state (everything but reads).
fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses a state-changing request (403) unless the browser says it comes from the
/// portal's own pages: `Sec-Fetch-Site: same-origin`, or failing that an `Origin` equal to
/// the public origin. A request with neither is refused too: every browser sends one of
/// them on a post, so its absence means a forged or unknown client.
pub async fn same_origin_only(
    State(policy): State<SecurityPolicy>,
    request: Request,
    next: Next,
) -> Response {
    // The FHIR API is for hospital systems: bearer tokens, no cookies, so no request
    // forgery to guard against.
    if !is_state_changing(request.method())
        || request.uri().path().starts_with("/fhir/")
        || is_same_origin(request.headers(), &policy.public_origin)
    {
        return next.run(request).await;
    }
    tracing::info!("cross-origin state-changing request refused");
    error_response(&AppError::Forbidden)
}

fn is_same_origin(headers: &http::HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    headers
        .get(header::ORIGIN)
        .and_then(|origin| origin.to_str().ok())
        .is_some_and(|origin| origin.eq_ignore_ascii_case(public_origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let origin = "http://localhost:3000";
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            origin
        ));
        // A matching Origin cannot override a browser that says the request is cross-site.
        assert!(!is_same_origin(
            &headers(&[
                ("sec-fetch-site", "same-site"),
                ("origin", "http://localhost:3000")
            ]),
            origin
        ));
    }

    #[test]
    fn origin_decides_otherwise_and_absence_is_refused() {
        let origin = "http://localhost:3000";
        assert!(is_same_origin(
            &headers(&[("origin", "http://localhost:3000")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "http://evil.example")]),
            origin
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), origin));
        assert!(!is_same_origin(&headers(&[]), origin));
    }

    #[test]
    fn only_hashed_names_are_immutable() {
        assert!(is_content_hashed("/pkg/portal.pE2mzTNZ7K1k1EDeoyLGtw.wasm"));
        assert!(is_content_hashed("/pkg/portal.pE2mzTNZ7K1k1EDeoyL-_w.css"));
        assert!(!is_content_hashed("/pkg/portal.wasm"));
        assert!(!is_content_hashed("/favicon.svg"));
        assert!(!is_content_hashed("/pkg/portal.short.js"));
    }

    #[test]
    fn only_reads_are_exempt() {
        assert!(!is_state_changing(&Method::GET));
        assert!(is_state_changing(&Method::POST));
        assert!(is_state_changing(&Method::DELETE));
    }
}

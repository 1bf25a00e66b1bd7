//! Server functions answering a page's plain form: where the browser lands after a change.
//!
//! A form post from a page (JavaScript off, or the islands router) asks for a page back,
//! not JSON. After an accepted change the function says where to go (`303 See Other`), so
//! reloading that page never sends the change twice; without a landing, the server's form
//! middleware shows the page the form was on again, with the answer (or the refusal).

use http::request::Parts;
use http::{header, HeaderValue, StatusCode};
use leptos::prelude::{use_context, with_context};

/// The page a form was posted from (same-origin path and query), put into the request by
/// the server's form middleware: its presence marks a browser's form post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormOrigin(pub String);

/// Whether the caller wants a page back: a browser's plain form post, or the islands
/// router's. Server-function calls from islands and other programs ask for JSON.
#[must_use]
pub fn wants_page() -> bool {
    with_context::<Parts, _>(|parts| parts.extensions.get::<FormOrigin>().is_some()) == Some(true)
}

/// After an accepted change made from a page, sends the browser to `path` (a path on this
/// portal) to see the result. Programs calling the function get its JSON answer as before.
pub fn land_on(path: &str) {
    if !wants_page() {
        return;
    }
    if let (Some(response), Ok(location)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(path),
    ) {
        response.set_status(StatusCode::SEE_OTHER);
        response.insert_header(header::LOCATION, location);
    }
}

/// The page the form was posted from, or `fallback` when the browser did not say.
#[must_use]
pub fn origin_or(fallback: &str) -> String {
    with_context::<Parts, _>(|parts| parts.extensions.get::<FormOrigin>().cloned())
        .flatten()
        .map_or_else(|| fallback.to_owned(), |origin| origin.0)
}

/// `path` with `key` set to `value` in its query (any earlier `key` dropped); `value` is a
/// code or a number, never free text.
#[must_use]
pub fn with_query(path: &str, key: &str, value: &str) -> String {
    let (path, fragment) = path
        .split_once('#')
        .map_or((path, None), |(p, f)| (p, Some(f)));
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(key))
        .collect();
    let own = format!("{key}={value}");
    pairs.push(&own);
    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    format!("{path}?{}{fragment}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_are_added_before_the_fragment() {
        assert_eq!(with_query("/consent", "done", "1"), "/consent?done=1");
        assert_eq!(
            with_query("/access-log?unusual=1&open=2#entry-4", "open", "4"),
            "/access-log?unusual=1&open=4#entry-4"
        );
    }
}

//! What the portal knows about the request being served: its operation id (quoted by
//! people to support, and present in every log line about the request) and its language.

use std::fmt::Display;

use http::request::Parts;
use leptos::prelude::use_context;

use crate::error::AppError;
use crate::i18n::{Locale, LOCALE_COOKIE};

pub use crate::error::{internal_error, operation_id, OperationId};

/// The client's address as the server decided it (the peer, or what a trusted proxy
/// reports), put into the request by the server's middleware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The address the request came from (for in-memory rate limits only; never stored).
#[must_use]
pub fn client_address() -> std::net::IpAddr {
    use_context::<Parts>()
        .and_then(|parts| {
            parts
                .extensions
                .get::<ClientAddress>()
                .map(|client| client.0)
                .or_else(|| {
                    parts
                        .extensions
                        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                        .map(|info| info.0.ip())
                })
        })
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// The browser's `User-Agent`, used only to name a new passkey.
#[must_use]
pub fn user_agent() -> Option<String> {
    use_context::<Parts>().and_then(|parts| {
        parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    })
}

/// Turns any failure into an internal error: logged with the operation id, shown to the
/// person as a reference only.
pub trait OrInternal<T> {
    fn or_internal(self) -> Result<T, AppError>;
}

impl<T, E: Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self) -> Result<T, AppError> {
        self.map_err(|e| internal_error(&e))
    }
}

/// Reads one cookie from request headers.
#[must_use]
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// The language for a request: `?lang=` in the address (the report pages, which set no
/// cookie, switch language that way), the `portal_lang` cookie, then `Accept-Language`,
/// then the hospital default. (A signed-in account's own choice is written to the cookie
/// at sign-in.)
#[must_use]
pub fn request_locale(parts: &Parts, default: Locale) -> Locale {
    let asked = parts.uri.query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find_map(|(key, value)| (key == "lang").then(|| Locale::from_tag(&value)))
            .flatten()
    });
    if let Some(locale) = asked {
        return locale;
    }
    if let Some(locale) = cookie(parts, LOCALE_COOKIE).and_then(Locale::from_tag) {
        return locale;
    }
    parts
        .headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or(default)
}

/// The language of the request being rendered, in a page or server function.
#[must_use]
pub fn current_locale() -> Locale {
    let default = use_context::<std::sync::Arc<super::state::PortalSettings>>()
        .map(|settings| settings.default_locale)
        .unwrap_or_default();
    use_context::<Parts>().map_or(default, |parts| request_locale(&parts, default))
}

/// The HTTP status that goes with an error.
#[must_use]
pub fn status_of(error: &AppError) -> http::StatusCode {
    use http::StatusCode;
    match error {
        AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::InvalidInput { .. } => StatusCode::BAD_REQUEST,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Connection => StatusCode::BAD_GATEWAY,
    }
}

/// An error as a plain HTTP answer (outside server functions): its status and its JSON.
#[must_use]
pub fn error_response(error: &AppError) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    (
        status_of(error),
        [(http::header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(error).unwrap_or_default(),
    )
        .into_response()
}

/// Ends a server function: an error sets the matching HTTP status on the response.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        set_status(status_of(error));
    }
    result
}

/// Sets the status of the response being built (page or server function).
pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// Adds a `Set-Cookie` header to the response being built.
pub fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// The cookie that remembers a language for a year. Not readable by scripts; `Lax` so the
/// language survives following a link from an email.
#[must_use]
pub fn locale_cookie(locale: Locale, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        locale.tag()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder();
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder
            .body(())
            .map_or_else(|_| unreachable!(), |r| r.into_parts().0)
    }

    #[test]
    fn cookie_beats_accept_language_beats_default() {
        let both = parts(&[
            ("cookie", "a=1; portal_lang=en"),
            ("accept-language", "zh-CN"),
        ]);
        assert_eq!(request_locale(&both, Locale::ZhHans), Locale::En);
        let header_only = parts(&[("accept-language", "en-US,en;q=0.9")]);
        assert_eq!(request_locale(&header_only, Locale::ZhHans), Locale::En);
        let nothing = parts(&[("accept-language", "fr")]);
        assert_eq!(request_locale(&nothing, Locale::En), Locale::En);
        let bad_cookie = parts(&[("cookie", "portal_lang=klingon"), ("accept-language", "zh")]);
        assert_eq!(request_locale(&bad_cookie, Locale::En), Locale::ZhHans);
        let mut asked = parts(&[("cookie", "portal_lang=zh-Hans")]);
        asked.uri = "/report?lang=en".parse().unwrap_or_default();
        assert_eq!(request_locale(&asked, Locale::ZhHans), Locale::En);
    }

    #[test]
    fn locale_cookie_is_secure_when_asked() {
        assert!(locale_cookie(Locale::En, true).ends_with("; Secure"));
        assert!(!locale_cookie(Locale::En, false).contains("Secure"));
    }
}

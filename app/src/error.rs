//! The one error type people see.
//!
//! Every server function returns `Result<_, AppError>`. Its serialised form carries a stable
//! code and, for internal failures, an operation id to quote to support — never the
//! internal cause (database text, file paths, panics). Causes are logged on the server with
//! the same operation id.

use serde::{Deserialize, Serialize};

use crate::i18n::Texts;
#[cfg(feature = "ssr")]
use leptos::server_fn::error::ServerFnErrorErr as TransportError;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// An error a person can be shown, in any language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// Something failed inside the portal; the cause is in the server log under this id.
    #[error("internal error (operation {operation_id})")]
    Internal { operation_id: String },
    /// The thing asked for does not exist, or the caller may not know that it exists.
    #[error("not found")]
    NotFound,
    /// The caller must sign in first.
    #[error("sign-in required")]
    Unauthenticated,
    /// The caller is signed in but may not do this.
    #[error("forbidden")]
    Forbidden,
    /// A submitted value was not acceptable; `field` names the form field.
    #[error("invalid input in field {field}")]
    InvalidInput { field: String },
    /// Too many attempts in a short time.
    #[error("rate limited")]
    RateLimited,
    /// The portal cannot serve the request right now (database unreachable, shutting down).
    #[error("temporarily unavailable")]
    Unavailable,
    /// The browser could not reach the server or could not read its answer.
    #[error("connection problem")]
    Connection,
}

impl AppError {
    /// The stable code of this error, as sent over the wire.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            AppError::Internal { .. } => "internal",
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::InvalidInput { .. } => "invalid_input",
            AppError::RateLimited => "rate_limited",
            AppError::Unavailable => "unavailable",
            AppError::Connection => "connection",
        }
    }

    /// The message for a person, in the language of `texts`.
    #[must_use]
    pub const fn message(&self, texts: &'static Texts) -> &'static str {
        match self {
            AppError::Internal { .. } => texts.error_internal,
            AppError::NotFound => texts.error_not_found,
            AppError::Unauthenticated => texts.error_unauthenticated,
            AppError::Forbidden => texts.error_forbidden,
            AppError::InvalidInput { .. } => texts.error_invalid_input,
            AppError::RateLimited => texts.error_rate_limited,
            AppError::Unavailable => texts.error_unavailable,
            AppError::Connection => texts.error_connection,
        }
    }

    /// The reference a person can quote to support, when there is one.
    #[must_use]
    pub fn operation_id(&self) -> Option<&str> {
        match self {
            AppError::Internal { operation_id } => Some(operation_id),
            _ => None,
        }
    }

    /// An input error for the named form field.
    #[must_use]
    pub fn invalid(field: &str) -> AppError {
        AppError::InvalidInput {
            field: field.to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Raised in the browser: the request never arrived or its answer was unreadable.
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Connection,
            // The caller sent arguments that do not fit the function.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::invalid("request")
            }
            ServerFnErrorErr::Registration(_) | ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                AppError::NotFound
            }
            // Anything else is a defect of the portal: log it, show nothing of it.
            other => internal_from_framework(&other),
        }
    }
}

#[cfg(feature = "ssr")]
fn internal_from_framework(cause: &TransportError) -> AppError {
    internal_error(cause)
}

#[cfg(feature = "ssr")]
pub use operation::{internal_error, operation_id, OperationId};

/// Operation ids: every request has one (set by the server's middleware), every log line
/// about it carries it, and an internal error shows only it.
#[cfg(feature = "ssr")]
mod operation {
    use std::fmt::Display;

    use http::request::Parts;
    use leptos::prelude::use_context;

    use super::AppError;

    /// The id of one request, set by the server's request-id middleware.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct OperationId(pub String);

    impl OperationId {
        /// A new random id.
        #[must_use]
        pub fn new() -> OperationId {
            OperationId(uuid::Uuid::new_v4().simple().to_string())
        }
    }

    impl Default for OperationId {
        fn default() -> Self {
            OperationId::new()
        }
    }

    /// The operation id of the current request, or a fresh one outside a request.
    #[must_use]
    pub fn operation_id() -> OperationId {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<OperationId>().cloned())
            .unwrap_or_default()
    }

    /// Logs an internal failure with the request's operation id and returns the error a
    /// person may see, which holds that id and nothing of the cause.
    pub fn internal_error(cause: &dyn Display) -> AppError {
        let OperationId(operation_id) = operation_id();
        tracing::error!(%operation_id, "internal error: {cause}");
        AppError::Internal { operation_id }
    }
}

#[cfg(not(feature = "ssr"))]
fn internal_from_framework(_cause: &ServerFnErrorErr) -> AppError {
    // In the browser there is no server log to point at.
    AppError::Connection
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn wire_form_has_a_stable_code() {
        let json = serde_json::to_string(&AppError::invalid("locale")).unwrap_or_default();
        assert_eq!(json, r#"{"code":"invalid_input","field":"locale"}"#);
        let back: AppError = serde_json::from_str(&json).unwrap_or(AppError::NotFound);
        assert_eq!(back, AppError::invalid("locale"));
    }

    #[test]
    fn every_error_has_a_message_in_every_language() {
        let all = [
            AppError::Internal {
                operation_id: "x".into(),
            },
            AppError::NotFound,
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::invalid("f"),
            AppError::RateLimited,
            AppError::Unavailable,
            AppError::Connection,
        ];
        for locale in Locale::ALL {
            for error in &all {
                assert!(
                    !error.message(locale.texts()).is_empty(),
                    "{}",
                    error.code()
                );
            }
        }
    }
}

//! Shared pieces of the server-rendered pages: error notices, the
//! not-found page, chart helpers and plain forms.

pub mod chart;
pub mod error_notice;
pub mod form;
pub mod locale;
pub mod not_found;

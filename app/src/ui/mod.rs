//! Shared pieces of the server-rendered pages: the page frame, error notices, the
//! not-found page, chart helpers and plain forms.

pub mod chart;
pub mod error_notice;
pub mod form;
pub mod layout;
pub mod not_found;

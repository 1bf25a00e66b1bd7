//! Shared pieces of the server-rendered pages: error notices, the
//! not-found page, chart helpers, plain forms and a case's files.

pub mod chart;
pub mod error_notice;
pub mod files;
pub mod form;
pub mod locale;
pub mod not_found;

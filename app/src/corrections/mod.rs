//! Correction requests: a patient asks for an entry or field of their record to be
//! corrected (or says something is missing), adds evidence, and follows the request;
//! records officers answer on the deadline engine's clock.

pub mod api;
pub mod texts;
pub mod types;
#[cfg(feature = "ssr")]
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

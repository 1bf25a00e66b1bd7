//! Privacy complaints: a patient files a complaint (linking the accesses it is about)
//! and follows it; the hospital works it through the procedure of
//! `../shared/reference/seeds/000_*` on the deadline engine's clocks, and learns from the
//! closed cases.

pub mod api;
pub mod texts;
pub mod types;
#[cfg(feature = "ssr")]
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

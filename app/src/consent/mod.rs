//! Consent for research and teaching: patients grant, limit and withdraw it; hospital
//! systems ask before they use data; the privacy officer sees the counts.

pub mod api;
pub mod texts;
pub mod types;
#[cfg(feature = "ssr")]
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

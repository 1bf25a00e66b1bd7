//! The hospital this portal serves: its name, time zone, default language and departments.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;

//! Access transparency: hospital systems push access events; each patient sees who
//! opened their record and why, with unusual accesses flagged and explained, and can
//! prove that nothing was removed. Privacy officers review what was flagged or questioned.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod texts;
pub mod types;
#[cfg(feature = "ssr")]
pub mod ui;

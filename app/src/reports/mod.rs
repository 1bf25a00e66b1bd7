//! Anonymous reports of privacy violations: anyone (staff, visitors, patients) reports
//! what they saw without an account and without being identified, follows it up with a
//! receipt code, and the privacy office answers on the EU whistleblowing clocks (7 days,
//! 3 months). See ../shared/DESIGN.md §3.6.

pub mod api;
pub mod islands;
pub mod texts;
pub mod types;
#[cfg(feature = "ssr")]
pub mod ui;
pub mod work;

#[cfg(feature = "ssr")]
pub mod server;

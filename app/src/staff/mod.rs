//! The staff console: what hospital staff do to people's accounts. For now, recovery
//! links for someone who lost every device. It sits above identity and the access log:
//! issuing a link uses identity's enrollment links, writes the person's access log and
//! emails them, in one transaction.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
#[cfg(feature = "ssr")]
pub mod ui;

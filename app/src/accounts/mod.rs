//! People who can use the portal: patients and staff. Accounts are created by the
//! hospital, never by self-sign-up, so that each account is bound to a real person.

#[cfg(feature = "ssr")]
pub mod server;
pub mod types;

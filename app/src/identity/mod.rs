//! Identity: passkeys only. Accounts are enrolled through one-time links issued by the
//! hospital; people sign in without a username; sessions live on the server; roles decide
//! what a person may do. Privacy rules kept here: no passwords, no secrets in the
//! database (tokens are stored as hashes), and the authenticator never learns who the
//! person is beyond their display name.

pub mod api;
pub mod islands;
pub mod language;
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
#[cfg(feature = "ssr")]
pub mod ui;

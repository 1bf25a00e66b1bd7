//! Server-only core shared by every feature: application state, the clock, the request
//! context (operation id, language), and the email outbox.

pub mod clock;
pub mod email;
pub mod outbox;
pub mod request;
pub mod security;
pub mod state;
pub mod time;

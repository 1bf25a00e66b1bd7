//! Shared design-system pieces: page frame, error notice, not-found page.

pub mod error_notice;
pub mod layout;
pub mod not_found;

//! The public landing page: what the portal is, for a patient who has never seen it.

pub mod ui;

//! Server side of the record: storing what hospital systems push, version by version, and
//! reading a patient's live entries.

mod entity;
pub mod service;

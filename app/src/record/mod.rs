//! The patient's record as the hospital shares it: demographics, allergies, conditions,
//! medications and the index of documents, pushed by hospital systems as FHIR and shown to
//! the patient at `/record`.

pub mod api;
pub mod texts;
pub mod types;
#[cfg(feature = "ssr")]
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

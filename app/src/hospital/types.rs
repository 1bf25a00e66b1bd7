//! What the browser learns about the hospital (public information only).

use serde::{Deserialize, Serialize};

/// The hospital as shown on public pages, in the requested language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HospitalView {
    pub name: String,
}

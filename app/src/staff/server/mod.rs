//! Server side of the staff console.

pub mod recovery;

//! Staff console pages.

pub mod recovery;

//! Writing the hospital directory as its systems push it.

pub mod entity;
pub mod service;

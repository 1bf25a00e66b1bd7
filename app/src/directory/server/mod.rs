//! Writing the hospital directory as its systems push it.

mod entity;
pub mod service;

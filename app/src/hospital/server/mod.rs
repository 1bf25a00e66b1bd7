//! Server side of the hospital slice.

mod entity;
pub mod mail;
pub mod service;

//! Server side of the hospital slice.

pub mod entity;
pub mod mail;
pub mod service;

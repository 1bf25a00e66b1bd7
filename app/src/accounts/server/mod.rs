//! Server side of the accounts slice.

pub mod entity;
pub mod service;

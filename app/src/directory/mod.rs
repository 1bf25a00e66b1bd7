//! The hospital's directory as its systems push it: patients, staff, departments with
//! their working hours, and care relationships (encounters and appointments). The
//! unusual-access rules compare each access against it.

#[cfg(feature = "ssr")]
pub mod server;
pub mod types;

//! The shared audit core every feature writes through: the record of actions staff (or
//! the hospital's systems, or an operator) took on someone's account or case. Each
//! writer takes the caller's connection or transaction, so a feature's change and its
//! audit rows commit together or not at all. Rows are append-only.

#[cfg(feature = "ssr")]
pub mod staff_action;

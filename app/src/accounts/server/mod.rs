//! Server side of the accounts slice. The table is private: other features read
//! [`query::Account`] views and change accounts through [`service`].

mod entity;
pub mod query;
pub mod service;

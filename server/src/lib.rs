//! The portal's server: configuration, database start-up, router and middleware, the
//! email delivery worker, the demo seed and the command line. `main.rs` only dispatches.

// Release builds keep each page's full view type (debug builds erase it); the compiler
// computes those nested types' layouts here, deeper than its default limit allows.
#![recursion_limit = "256"]

pub mod bench;
pub mod bench_hospital;
pub mod bench_live;
pub mod bench_pages;
pub mod case_files;
pub mod cli;
pub mod client_address;
pub mod commands;
pub mod complaint_files;
pub mod config;
pub mod correction_files;
pub mod db;
pub mod demo;
pub mod downloads;
pub mod feed_lane;
pub mod fhir;
pub mod forms;
pub mod mail;
pub mod middleware;
pub mod report_routes;
pub mod startup;

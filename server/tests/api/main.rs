//! Integration tests: the real server on a random port, over real HTTP, against a fresh
//! SQLite file and (when `TEST_DATABASE_URL` is set) a fresh PostgreSQL database.

// Test code states its expectations by unwrapping; a failure is the test failing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod helpers;
mod passkey;
mod smtp;
mod tables;

mod access;
mod access_pipeline;
mod access_scale;
mod cases;
mod cli;
mod complaints;
mod consent;
mod correction_answers;
mod corrections;
mod deadlines;
mod edges;
mod explanations;
mod fhir_spec;
mod forms;
mod hospital;
mod identity;
mod outbox;
mod pages;
mod record;
mod reports;
mod roles;
mod security;

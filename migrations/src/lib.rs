//! Database schema, one migration per change, applied at start on SQLite and PostgreSQL.
//!
//! Migrations use string identifiers and never depend on the app's entity types, so an
//! old migration keeps compiling whatever the entities become later.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261122_000001_foundation;
mod m20261122_000002_identity;
mod m20261122_000003_access_log;
mod m20261124_000004_consent;
mod m20261202_000005_edges;
mod m20261202_000006_case_clocks;
mod m20261202_000007_record;
mod m20261202_000008_corrections;
mod m20261202_000009_record_notes;
mod m20261205_000010_complaints;
mod m20261206_000011_reports;
mod m20261207_000012_access_summary;
mod m20261207_000013_access_feeds;
mod m20261208_000014_explanations;
mod m20261209_000015_review_cases;
mod m20261210_000016_clustered_counts;
mod m20261211_000017_protected_records;
mod m20261212_000018_repeated_looks;
mod m20261213_000019_short_logs_uncounted;
mod m20261214_000020_short_logs_from_the_index;

/// Every migration of the portal, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_identity::Migration),
            Box::new(m20261122_000003_access_log::Migration),
            Box::new(m20261124_000004_consent::Migration),
            Box::new(m20261202_000005_edges::Migration),
            Box::new(m20261202_000006_case_clocks::Migration),
            Box::new(m20261202_000007_record::Migration),
            Box::new(m20261202_000008_corrections::Migration),
            Box::new(m20261202_000009_record_notes::Migration),
            Box::new(m20261205_000010_complaints::Migration),
            Box::new(m20261206_000011_reports::Migration),
            Box::new(m20261207_000012_access_summary::Migration),
            Box::new(m20261207_000013_access_feeds::Migration),
            Box::new(m20261208_000014_explanations::Migration),
            Box::new(m20261209_000015_review_cases::Migration),
            Box::new(m20261210_000016_clustered_counts::Migration),
            Box::new(m20261211_000017_protected_records::Migration),
            Box::new(m20261212_000018_repeated_looks::Migration),
            Box::new(m20261213_000019_short_logs_uncounted::Migration),
            Box::new(m20261214_000020_short_logs_from_the_index::Migration),
        ]
    }
}

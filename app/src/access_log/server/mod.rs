//! Server side of the access log: ingestion, rules, the hash chain and its checkpoints,
//! queries for the patient's pages and downloads, and the review queue.

pub mod cases;
pub mod chain;
pub mod digest;
pub mod download;
mod entity;
pub mod explain;
pub mod feeds;
pub mod ingest;
mod pipeline;
pub mod portal_log;
pub mod query;
pub mod record;
pub mod review;
pub mod rules;
pub mod settings;
pub mod summary;
pub mod timing;

/// Access-log settings held in the application state.
#[derive(Clone, Debug)]
pub struct AccessConfig {
    pub ingest: ingest::IngestContext,
    pub signer: crate::ssr::signing::Signer,
    /// How often the chain head is signed (when it moved).
    pub checkpoint_every: time::Duration,
}

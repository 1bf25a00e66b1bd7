//! The `portal` command line.

use clap::{Parser, Subcommand};

/// Patient Privacy Portal: see who opened your medical record, and why.
///
/// Configuration comes from environment variables (see the README); with none set the
/// portal runs on a SQLite file under ./data and serves port 3000 on localhost.
#[derive(Debug, Parser)]
#[command(name = "portal", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default when no command is given).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Create or refresh a demo hospital with departments, staff and patients, and print
    /// a fresh enrollment link for each demo person who uses the portal.
    SeedDemo,
    /// Create (or re-use) a patient's account and issue a one-time enrollment link, sent by
    /// email and printed here with a QR code for the registration desk.
    InvitePatient {
        /// Medical record number (病案号).
        #[arg(long)]
        mrn: String,
        /// The patient's name as it should appear in the portal.
        #[arg(long)]
        name: String,
        /// Email address for the link (optional: the printed QR code is enough at a desk).
        #[arg(long)]
        email: Option<String>,
        /// Language of the patient's pages and emails: zh-Hans or en.
        #[arg(long, default_value = "zh-Hans")]
        locale: String,
    },
    /// Create (or re-use) a staff member's account with roles and issue a one-time
    /// enrollment link, sent by email and printed here.
    InviteStaff {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// Portal role: `records_officer`, `investigator`, `approver`, `privacy_officer` or
        /// `admin`; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The hospital directory's staff number, if known.
        #[arg(long)]
        staff_number: Option<String>,
        #[arg(long, default_value = "zh-Hans")]
        locale: String,
    },
    /// Deactivate an account (by medical record number, staff number or email): it can no
    /// longer sign in, all its sessions end at once, and the hospital directory cannot turn
    /// it on again.
    Deactivate {
        #[arg(long)]
        account: String,
    },
    /// Turn a deactivated account on again (by medical record number, staff number or email).
    Reactivate {
        #[arg(long)]
        account: String,
    },
    /// Allow a hospital system to use the FHIR API for what its scopes name. Prints the
    /// system's bearer token on the last line (shown once; store it in that system's
    /// configuration).
    AddSource {
        #[arg(long)]
        name: String,
        /// What the token may do: `events` (push access events), `directory` (push
        /// patients, staff, departments, encounters), `consent-read` (read patients'
        /// consent), `record` (push the parts of patients' records the hospital shares).
        /// Repeat, or separate with commas; at least one.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
    /// List the source systems, whether each is active, and their scopes.
    ListSources,
    /// Revoke a source system's token at once (its events stay in the log).
    RevokeSource {
        #[arg(long)]
        name: String,
    },
    /// Check the access log: with no option, the whole chain in the database (every
    /// event's hash and links, and every signed checkpoint); with --download, a patient's
    /// downloaded log, offline.
    Verify {
        /// A patient's `access-log.json` download.
        #[arg(long)]
        download: Option<std::path::PathBuf>,
        /// The portal's public key (base64) to trust instead of the one the data names;
        /// get it with `portal public-key` from the portal you trust.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Print the public key that signs checkpoints, downloads and consent receipts.
    PublicKey,
    /// Publish a consent purpose's policy text from a TOML file: a new purpose (version 1)
    /// or the next version of an existing one. A published version never changes; patients
    /// who agreed to an earlier version are asked to confirm, and the file's
    /// `earlier_grants` (keep or suspend) says what holds until they do. The built-in
    /// `research` and `teaching` files in app/src/consent/policies/ show the format.
    PublishConsentPolicy {
        /// The policy file (TOML).
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Measure the access log on the configured database, which must hold no events yet:
    /// ingestion rate and a patient's first-page latency as the log grows, beside the raw
    /// insert rate of the same rows. Prints figures; writes benchmark data into that database.
    Bench {
        /// Log sizes (events) at which to measure; repeat for several.
        #[arg(long = "size", default_values_t = [1_000_000_u64, 10_000_000])]
        sizes: Vec<u64>,
        /// Events per ingestion transaction (default: what the NDJSON bulk import commits at
        /// once on the configured database: 2000 on PostgreSQL, 200 on SQLite).
        #[arg(long)]
        batch: Option<usize>,
        /// Ingestion batches in flight at once, as from several feeds (the benchmark's
        /// ingestion rates; the raw inserts stay one at a time). Default: 4 on PostgreSQL,
        /// where each batch writes its events while the ones before it commit; 2 on SQLite,
        /// where one connection writes and more batches in flight only wait longer.
        #[arg(long)]
        streams: Option<usize>,
        /// Events ingested through the portal (and timed) just before each size; those
        /// before them are inserted raw.
        #[arg(long, default_value_t = 500_000)]
        ingest_window: u64,
        /// First-page queries per kind of patient at each size.
        #[arg(long, default_value_t = 500)]
        samples: usize,
        /// Staff of the synthetic hospital whose routine work and injected snooping measure
        /// the explanations and rules (3 000 staff: ≈ 50 000 accesses a day).
        #[arg(long, default_value_t = 3_000)]
        hospital_staff: u32,
        /// Days the synthetic hospital works (0: not measured; 365: a year).
        #[arg(long, default_value_t = 7)]
        hospital_days: u32,
    },
    /// Measure how fast pages are served on kept-alive connections: starts the portal on a
    /// free loopback port of the configured database (which it seeds with the demo
    /// hospital), then asks for /sign-in and a signed-in patient's /access-log beside the
    /// FHIR metadata answer. Prints answers per second and latencies.
    BenchPages {
        /// Connections kept open at once in the throughput runs.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Length of each throughput run, in seconds.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Requests one at a time (on one connection) for the latency runs.
        #[arg(long, default_value_t = 2000)]
        samples: usize,
    },
    /// Queue a test email to check mail delivery (sent by a running server's outbox worker,
    /// or at once by this command when no server runs).
    SendTestEmail {
        /// Recipient address.
        #[arg(long)]
        to: String,
        /// Language of the message: zh-Hans or en.
        #[arg(long, default_value = "zh-Hans")]
        locale: String,
    },
}

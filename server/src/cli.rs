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
    /// Create or refresh a demo hospital with departments, staff and patients.
    SeedDemo,
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

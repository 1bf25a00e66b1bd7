//! `portal`: the Patient Privacy Portal server and its administrative commands. This file
//! only reads the command line and the configuration; `server::commands` does the work.

use std::process::ExitCode;
use std::sync::Arc;

use app::ssr::clock::{SharedClock, SystemClock};
use clap::Parser;
use server::cli::{Cli, Command};
use server::config::Config;

/// Pages are rendered in many small allocations; glibc's allocator spent about a quarter
/// of the server's time on them under load (perf), mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("portal: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    let clock: SharedClock = Arc::new(SystemClock);
    match server::commands::run(cli.command.unwrap_or(Command::Serve), &config, clock).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portal: {message}");
            ExitCode::FAILURE
        }
    }
}

//! `portal`: the Patient Privacy Portal server and its administrative commands.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use app::hospital::server::service::name as hospital_name;
use app::i18n::Locale;
use app::ssr::clock::{SharedClock, SystemClock};
use app::ssr::email::{render, EmailTemplate};
use app::ssr::outbox;
use clap::Parser;
use server::cli::{Cli, Command};
use server::config::Config;
use server::{demo, mail, startup};

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
    match run(cli.command.unwrap_or(Command::Serve), &config, clock).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portal: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Writes a line for the operator on standard output.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. piped into `head`) must not abort the command.
    let _ = writeln!(out, "{line}");
}

async fn run(command: Command, config: &Config, clock: SharedClock) -> Result<(), String> {
    match command {
        Command::Serve => {
            let listener = startup::bind(config).await.map_err(|e| e.to_string())?;
            let state = startup::prepare(config, clock)
                .await
                .map_err(|e| e.to_string())?;
            say(&format!(
                "Patient Privacy Portal is running at {}",
                config.public_url
            ));
            say(&format!(
                "(listening on {}; press Ctrl+C to stop)",
                config.addr
            ));
            startup::serve(listener, state, config, shutdown_signal())
                .await
                .map_err(|e| e.to_string())
        }
        Command::Migrate => {
            server::db::open(&config.database)
                .await
                .map_err(|e| e.to_string())?;
            say("database is up to date");
            Ok(())
        }
        Command::SeedDemo => {
            let state = startup::prepare(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let summary = demo::seed(&state.db, clock.now())
                .await
                .map_err(|e| e.to_string())?;
            say(&format!(
                "demo hospital ready: {} departments, {} staff, {} patients",
                summary.departments, summary.staff, summary.patients
            ));
            Ok(())
        }
        Command::SendTestEmail { to, locale } => {
            let locale = Locale::from_tag(&locale)
                .ok_or_else(|| format!("--locale: '{locale}' is not one of zh-Hans, en"))?;
            let to = app::accounts::types::EmailAddress::parse(&to)
                .map_err(|e| format!("--to: address {e}"))?;
            let state = startup::prepare(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let name = hospital_name(&state.db, locale)
                .await
                .map_err(|e| e.to_string())?;
            let email = render(&EmailTemplate::Test, locale, &name, &config.public_url);
            outbox::enqueue(
                &state.db,
                to.as_str(),
                email,
                clock.now(),
                &config.mail_domain(),
            )
            .await
            .map_err(|e| e.to_string())?;
            let mailer = mail::Mailer::new(
                config.smtp_url.as_deref(),
                &config.mail_from,
                &config.data_dir,
            )?;
            let sent = mail::deliver_due(&state.db, &mailer, &clock)
                .await
                .map_err(|e| e.to_string())?;
            say(&format!(
                "{}; {sent} message(s) delivered now",
                mailer.describe()
            ));
            Ok(())
        }
    }
}

/// Resolves on Ctrl+C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

//! The bodies of the `portal` commands, one module per group; `main.rs` only parses the
//! command line and the configuration, then calls [`run`].

mod accounts;
mod bench;
mod consent;
mod mail;
mod serve;
mod sources;

use std::io::Write;

use app::ssr::clock::SharedClock;
use app::state::AppState;

use crate::cli::Command;
use crate::config::Config;
use crate::startup;

/// Writes a line for the operator on standard output.
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. piped into `head`) must not abort the command.
    let _ = writeln!(out, "{line}");
}

/// Opens, migrates and configures the portal for a command.
async fn prepared(config: &Config, clock: &SharedClock) -> Result<AppState, String> {
    startup::prepare(config, clock.clone())
        .await
        .map_err(|e| e.to_string())
}

/// Runs one command; an `Err` is the one line to print before exiting with failure.
pub async fn run(command: Command, config: &Config, clock: SharedClock) -> Result<(), String> {
    match command {
        Command::Serve => serve::serve(config, clock).await,
        Command::Migrate => serve::migrate(config).await,
        Command::SeedDemo => accounts::seed_demo(config, &clock).await,
        Command::InvitePatient {
            mrn,
            name,
            email,
            locale,
        } => accounts::invite_patient(config, &clock, &mrn, &name, email.as_deref(), &locale).await,
        Command::InviteStaff {
            name,
            email,
            roles,
            staff_number,
            locale,
        } => {
            let new = accounts::StaffInvitation {
                name: &name,
                email: &email,
                roles: &roles,
                staff_number: staff_number.as_deref(),
                locale: &locale,
            };
            accounts::invite_staff(config, &clock, &new).await
        }
        Command::Deactivate { account } => accounts::deactivate(config, &clock, &account).await,
        Command::Reactivate { account } => accounts::reactivate(config, &clock, &account).await,
        Command::AddSource { name, scopes } => {
            sources::add_source(config, &clock, &name, &scopes).await
        }
        Command::RevokeSource { name } => sources::revoke_source(config, &clock, &name).await,
        Command::ListSources => sources::list_sources(config, &clock).await,
        Command::Verify {
            download,
            public_key,
        } => sources::verify(config, &clock, download.as_deref(), public_key.as_deref()).await,
        Command::PublicKey => sources::public_key(config, &clock).await,
        Command::PublishConsentPolicy { file } => consent::publish(config, &clock, &file).await,
        Command::Bench {
            sizes,
            batch,
            streams,
            ingest_window,
            samples,
            hospital_staff,
            hospital_days,
        } => {
            let measured = bench::Measured {
                sizes,
                batch,
                streams,
                ingest_window,
                samples,
                hospital: (hospital_staff, hospital_days),
            };
            bench::access_log(config, &clock, measured).await
        }
        Command::BenchPages {
            connections,
            seconds,
            samples,
        } => bench::pages(config, &clock, connections, seconds, samples).await,
        Command::SendTestEmail { to, locale } => {
            mail::send_test(config, &clock, &to, &locale).await
        }
    }
}

/// The settings for issuing enrollment links from a command.
fn invite_settings<'a>(
    config: &'a Config,
    mail_domain: &'a str,
    now: time::OffsetDateTime,
) -> app::identity::server::invite::InviteSettings<'a> {
    app::identity::server::invite::InviteSettings {
        public_url: &config.public_url,
        mail_domain,
        link_ttl: config.enrollment_link_ttl,
        now,
    }
}

fn parse_locale(tag: &str) -> Result<app::i18n::Locale, String> {
    app::i18n::Locale::from_tag(tag)
        .ok_or_else(|| format!("--locale: '{tag}' is not one of zh-Hans, en"))
}

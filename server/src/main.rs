//! `portal`: the Patient Privacy Portal server and its administrative commands.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use app::accounts::server::service::{find_by_reference, set_active};
use app::accounts::types::{EmailAddress, MedicalRecordNumber, PersonName, StaffNumber};
use app::consent::server::policies::{publish, PolicyFile, Published};
use app::hospital::server::service::name as hospital_name;
use app::i18n::Locale;
use app::identity::server::invite;
use app::identity::types::Role;
use app::ssr::clock::{SharedClock, SystemClock};
use app::ssr::email::{render, EmailTemplate};
use app::ssr::outbox;
use clap::Parser;
use server::cli::{Cli, Command};
use server::config::Config;
use server::{access_cli, demo, mail, startup};

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
            let domain = config.mail_domain();
            let settings = invite_settings(config, &domain, clock.now());
            let summary = demo::seed(&state.db, &settings, &state.access.ingest)
                .await
                .map_err(|e| e.to_string())?;
            say(&format!(
                "demo hospital ready: {} departments, {} staff, {} patients, {} new access events",
                summary.departments, summary.staff, summary.patients, summary.accesses
            ));
            say("enrollment links (each works once; open one to set up a passkey and sign in):");
            for (name, role, link) in &summary.links {
                say(&format!("  {:<16} {:<16} {link}", name, role.as_str()));
            }
            Ok(())
        }
        Command::InvitePatient {
            mrn,
            name,
            email,
            locale,
        } => {
            let new = app::accounts::server::service::NewPatient {
                mrn: MedicalRecordNumber::parse(&mrn).map_err(|e| format!("--mrn: {e}"))?,
                name: PersonName::parse(&name).map_err(|e| format!("--name: {e}"))?,
                email: email
                    .as_deref()
                    .map(EmailAddress::parse)
                    .transpose()
                    .map_err(|e| format!("--email: {e}"))?,
                locale: parse_locale(&locale)?,
            };
            let state = startup::prepare(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let domain = config.mail_domain();
            let settings = invite_settings(config, &domain, clock.now());
            let invitation = invite::invite_patient(&state.db, &new, &settings)
                .await
                .map_err(|e| e.to_string())?;
            print_invitation(&invitation, config);
            Ok(())
        }
        Command::InviteStaff {
            name,
            email,
            roles,
            staff_number,
            locale,
        } => {
            let roles = roles
                .iter()
                .map(|role| {
                    Role::parse(role)
                        .filter(|role| role.is_staff())
                        .ok_or_else(|| {
                            format!(
                                "--role: '{role}' is not one of records_officer, investigator, \
                             approver, privacy_officer, admin"
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let new = app::accounts::server::service::NewStaff {
                staff_number: staff_number
                    .as_deref()
                    .map(StaffNumber::parse)
                    .transpose()
                    .map_err(|e| format!("--staff-number: {e}"))?,
                name: PersonName::parse(&name).map_err(|e| format!("--name: {e}"))?,
                email: Some(EmailAddress::parse(&email).map_err(|e| format!("--email: {e}"))?),
                locale: parse_locale(&locale)?,
                department_id: None,
                job_title: "staff".to_owned(),
            };
            let state = startup::prepare(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let domain = config.mail_domain();
            let settings = invite_settings(config, &domain, clock.now());
            let invitation = invite::invite_staff(&state.db, &new, &roles, &settings)
                .await
                .map_err(|e| e.to_string())?;
            print_invitation(&invitation, config);
            Ok(())
        }
        Command::Deactivate { account } => {
            let state = startup::prepare(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let found = find_by_reference(&state.db, &account)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("--account: no account matches '{account}'"))?;
            set_active(&state.db, found.id, false, clock.now())
                .await
                .map_err(|e| e.to_string())?;
            say(&format!(
                "account {} deactivated; its sessions have ended",
                found.id
            ));
            Ok(())
        }
        Command::AddSource { name } => {
            let state = startup::prepare(config, clock)
                .await
                .map_err(|e| e.to_string())?;
            for line in access_cli::add_source(&state, &name).await? {
                say(&line);
            }
            Ok(())
        }
        Command::PublishConsentPolicy { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("--file: cannot read {}: {e}", file.display()))?;
            let policy = PolicyFile::parse(&text).map_err(|e| format!("--file: {e}"))?;
            let state = startup::prepare(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            match publish(&state.db, &policy, clock.now())
                .await
                .map_err(|e| format!("--file: {e}"))?
            {
                Published::New { purpose, version } => say(&format!(
                    "published {purpose} version {version}; patients see it now"
                )),
                Published::Unchanged { purpose, version } => say(&format!(
                    "{purpose} version {version} is already published with this text; nothing changed"
                )),
            }
            Ok(())
        }
        Command::RevokeSource { name } => {
            let state = startup::prepare(config, clock)
                .await
                .map_err(|e| e.to_string())?;
            for line in access_cli::revoke_source(&state, &name).await? {
                say(&line);
            }
            Ok(())
        }
        Command::Verify {
            download,
            public_key,
        } => {
            let state = startup::prepare(config, clock)
                .await
                .map_err(|e| e.to_string())?;
            let (lines, ok) =
                access_cli::verify(&state, download.as_deref(), public_key.as_deref()).await?;
            for line in &lines {
                say(line);
            }
            if ok {
                Ok(())
            } else {
                Err("verification failed".to_owned())
            }
        }
        Command::Bench {
            mut sizes,
            batch,
            ingest_window,
            samples,
        } => {
            sizes.sort_unstable();
            sizes.dedup();
            if sizes.first() == Some(&0) || batch == 0 {
                return Err("--size and --batch must be above zero".to_owned());
            }
            let state = startup::prepare(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let options = server::bench::BenchOptions {
                sizes,
                batch,
                ingest_window,
                samples,
            };
            server::bench::run(&state, &options, clock.now(), &say).await
        }
        Command::BenchPages {
            connections,
            seconds,
            samples,
        } => {
            if connections == 0 || seconds == 0 || samples == 0 {
                return Err("--connections, --seconds and --samples must be above zero".into());
            }
            let state = startup::prepare(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let domain = config.mail_domain();
            let settings = invite_settings(config, &domain, clock.now());
            demo::seed(&state.db, &settings, &state.access.ingest)
                .await
                .map_err(|e| e.to_string())?;
            let patient = find_by_reference(&state.db, "P000001")
                .await
                .map_err(|e| e.to_string())?
                .ok_or("the demo patient P000001 is missing")?;
            let token = app::identity::server::session::create(
                &state.db,
                &patient,
                &state.identity.sessions,
                clock.now(),
            )
            .await
            .map_err(|e| e.to_string())?;
            let cookie = format!("{}={token}", app::identity::server::session::SESSION_COOKIE);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| format!("cannot listen on loopback: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let serving = startup::serve(listener, state, config, async move {
                let _ = stopped.await;
            });
            let options = server::bench_pages::PageBenchOptions {
                connections,
                seconds,
                samples,
            };
            let measuring = async {
                let measured = server::bench_pages::run(addr, &cookie, &options, &say).await;
                let _ = stop.send(());
                measured
            };
            let (served, measured) = tokio::join!(serving, measuring);
            served.map_err(|e| e.to_string())?;
            measured
        }
        Command::PublicKey => {
            let state = startup::prepare(config, clock)
                .await
                .map_err(|e| e.to_string())?;
            say(&state.access.signer.public_key());
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

fn parse_locale(tag: &str) -> Result<Locale, String> {
    Locale::from_tag(tag).ok_or_else(|| format!("--locale: '{tag}' is not one of zh-Hans, en"))
}

fn invite_settings<'a>(
    config: &'a Config,
    mail_domain: &'a str,
    now: time::OffsetDateTime,
) -> invite::InviteSettings<'a> {
    invite::InviteSettings {
        public_url: &config.public_url,
        mail_domain,
        link_ttl: config.enrollment_link_ttl,
        now,
    }
}

/// Prints the link, a QR code of it for the registration desk, and the link again on the
/// last line (for scripts).
fn print_invitation(invitation: &invite::Invitation, config: &Config) {
    if let Ok(code) = qrcode::QrCode::new(invitation.link.as_bytes()) {
        let picture = code
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build();
        say(&picture);
    }
    let hours = config.enrollment_link_ttl.whole_hours();
    if invitation.emailed {
        say(&format!(
            "enrollment link queued by email; it works once, for {hours} h:"
        ));
    } else {
        say(&format!("enrollment link (works once, for {hours} h):"));
    }
    say(&invitation.link);
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

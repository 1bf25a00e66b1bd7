//! Source systems and the access log's integrity from the command line: tokens with their
//! scopes, verification, the public key.

use app::access_log::server::{chain, download};
use app::ssr::clock::SharedClock;
use app::ssr::sources::{self, Scope};

use super::{prepared, say};
use crate::config::Config;

/// The scope codes, for messages.
fn scope_list() -> String {
    Scope::ALL
        .iter()
        .map(|scope| scope.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `portal add-source --name N --scope S…`: prints the token last (shown once).
pub async fn add_source(
    config: &Config,
    clock: &SharedClock,
    name: &str,
    scopes: &[String],
) -> Result<(), String> {
    let scopes = scopes
        .iter()
        .flat_map(|typed| typed.split(','))
        .map(|code| {
            Scope::parse(code)
                .ok_or_else(|| format!("--scope: '{}' is not one of {}", code.trim(), scope_list()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let state = prepared(config, clock).await?;
    let token = sources::add_source(&state.db, name, &scopes, clock.now())
        .await
        .map_err(|e| match e {
            sources::SourceError::NoScope => format!("--scope: {e}"),
            other => format!("--name: {other}"),
        })?;
    let granted: Vec<&str> = Scope::ALL
        .iter()
        .filter(|scope| scopes.contains(scope))
        .map(|scope| scope.code())
        .collect();
    say(&format!(
        "source {name:?} added with scopes {}. Its bearer token (shown only now; the portal \
         keeps a hash):",
        granted.join(", ")
    ));
    say(&token);
    Ok(())
}

pub async fn revoke_source(config: &Config, clock: &SharedClock, name: &str) -> Result<(), String> {
    let state = prepared(config, clock).await?;
    sources::revoke_source(&state.db, name, clock.now())
        .await
        .map_err(|e| format!("--name: {e}"))?;
    say(&format!(
        "source {name:?} revoked; its token no longer works"
    ));
    Ok(())
}

pub async fn list_sources(config: &Config, clock: &SharedClock) -> Result<(), String> {
    let state = prepared(config, clock).await?;
    let listed = sources::list_sources(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    for (source, active) in listed {
        if source.name == sources::PORTAL_SOURCE {
            continue;
        }
        let scopes: Vec<&str> = source.scopes().iter().map(|scope| scope.code()).collect();
        say(&format!(
            "{:<24} {:<8} {}",
            source.name,
            if active { "active" } else { "revoked" },
            scopes.join(" ")
        ));
    }
    Ok(())
}

/// `portal verify`: with `--download`, a patient's downloaded log; otherwise the chain in
/// the database. Fails when anything does not check out.
pub async fn verify(
    config: &Config,
    clock: &SharedClock,
    download_file: Option<&std::path::Path>,
    public_key: Option<&str>,
) -> Result<(), String> {
    let state = prepared(config, clock).await?;
    let (problems, summary, intact, altered) = if let Some(path) = download_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--download: cannot read {}: {e}", path.display()))?;
        let report = download::verify_download(&text, public_key);
        (
            report.problems,
            format!(
                "{} entries checked against the signature of key {}",
                report.events, report.public_key
            ),
            "OK: the download is intact",
            "FAILED: the download was altered",
        )
    } else {
        let report = chain::verify_database(&state.db, public_key, &state.access.ingest.time_zone)
            .await
            .map_err(|e| format!("cannot read the log: {e}"))?;
        (
            report.problems,
            format!(
                "{} events and {} signed checkpoints checked",
                report.events, report.checkpoints
            ),
            "OK: the access log is intact",
            "FAILED: the access log was altered",
        )
    };
    say(&summary);
    for problem in &problems {
        say(&format!("PROBLEM: {problem}"));
    }
    if problems.is_empty() {
        say(intact);
        Ok(())
    } else {
        say(altered);
        Err("verification failed".to_owned())
    }
}

pub async fn public_key(config: &Config, clock: &SharedClock) -> Result<(), String> {
    let state = prepared(config, clock).await?;
    say(&state.access.signer.public_key());
    Ok(())
}

//! Command-line work on the access log: source systems, verification, the public key.

use app::access_log::server::{chain, download, sources};
use app::ssr::state::AppState;

/// `portal add-source`: the lines to print; the token is the last.
pub async fn add_source(state: &AppState, name: &str) -> Result<Vec<String>, String> {
    let token = sources::add_source(&state.db, name, state.clock.now())
        .await
        .map_err(|e| format!("--name: {e}"))?;
    Ok(vec![
        format!(
            "source {name:?} added. Its bearer token (shown only now; the portal keeps a hash):"
        ),
        token,
    ])
}

/// `portal revoke-source`.
pub async fn revoke_source(state: &AppState, name: &str) -> Result<Vec<String>, String> {
    sources::revoke_source(&state.db, name, state.clock.now())
        .await
        .map_err(|e| format!("--name: {e}"))?;
    Ok(vec![format!(
        "source {name:?} revoked; its token no longer works"
    )])
}

/// `portal verify`: the report lines, and whether everything checked out.
pub async fn verify(
    state: &AppState,
    download_file: Option<&std::path::Path>,
    public_key: Option<&str>,
) -> Result<(Vec<String>, bool), String> {
    if let Some(path) = download_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--download: cannot read {}: {e}", path.display()))?;
        let report = download::verify_download(&text, public_key);
        let mut lines = vec![format!(
            "{} entries checked against the signature of key {}",
            report.events, report.public_key
        )];
        let ok = report.problems.is_empty();
        lines.extend(report.problems.iter().map(|p| format!("PROBLEM: {p}")));
        lines.push(if ok {
            "OK: the download is intact".to_owned()
        } else {
            "FAILED: the download was altered".to_owned()
        });
        return Ok((lines, ok));
    }
    let report = chain::verify_database(&state.db, public_key)
        .await
        .map_err(|e| format!("cannot read the log: {e}"))?;
    let mut lines = vec![format!(
        "{} events and {} signed checkpoints checked",
        report.events, report.checkpoints
    )];
    let ok = report.problems.is_empty();
    lines.extend(report.problems.iter().map(|p| format!("PROBLEM: {p}")));
    lines.push(if ok {
        "OK: the access log is intact".to_owned()
    } else {
        "FAILED: the access log was altered".to_owned()
    });
    Ok((lines, ok))
}

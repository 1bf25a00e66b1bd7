//! `portal publish-consent-policy`.

use app::consent::server::policies::{publish as publish_policy, PolicyFile, Published};
use app::ssr::clock::SharedClock;

use super::{prepared, say};
use crate::config::Config;

pub async fn publish(
    config: &Config,
    clock: &SharedClock,
    file: &std::path::Path,
) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("--file: cannot read {}: {e}", file.display()))?;
    let policy = PolicyFile::parse(&text).map_err(|e| format!("--file: {e}"))?;
    let state = prepared(config, clock).await?;
    match publish_policy(&state.db, &policy, clock.now())
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

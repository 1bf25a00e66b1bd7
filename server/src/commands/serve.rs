//! `portal serve` and `portal migrate`.

use app::ssr::clock::SharedClock;

use super::say;
use crate::config::Config;
use crate::startup;

pub async fn serve(config: &Config, clock: SharedClock) -> Result<(), String> {
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

pub async fn migrate(config: &Config) -> Result<(), String> {
    crate::db::open(&config.database)
        .await
        .map_err(|e| e.to_string())?;
    say("database is up to date");
    Ok(())
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

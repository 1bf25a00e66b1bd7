//! Opening the database: SQLite (file created on first start, WAL journal) or PostgreSQL,
//! migrated to the current schema before anything else touches it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

use crate::config::DatabaseUrl;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("cannot create directory {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Connect(DbErr),
    #[error("cannot migrate the database: {0}")]
    Migrate(DbErr),
}

/// The file path inside a `sqlite:` URL (without query), if it names a file.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Connects without migrating.
pub async fn connect(database: &DatabaseUrl) -> Result<DatabaseConnection, DbOpenError> {
    if let DatabaseUrl::Sqlite(url) = database {
        if let Some(parent) = sqlite_file(url).as_deref().and_then(Path::parent) {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|source| DbOpenError::Directory {
                    path: parent.to_owned(),
                    source,
                })?;
            }
        }
    }
    let mut options = ConnectOptions::new(database.as_str());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if matches!(database, DatabaseUrl::Sqlite(_)) {
        // SQLite allows one writer at a time, and a transaction that reads and then writes
        // fails at once (SQLITE_BUSY_SNAPSHOT, no waiting) when another connection wrote in
        // between. One connection per process serialises database work instead; other
        // processes (the command line) still wait on SQLite's busy timeout.
        options.max_connections(1).min_connections(1);
        // SQLite's default page cache is 2 MB; an access log runs to gigabytes, and every
        // insert touches several indexes. 64 MB keeps their upper levels in memory.
        options.map_sqlx_sqlite_opts(|sqlite| sqlite.pragma("cache_size", "-65536"));
    }
    if matches!(database, DatabaseUrl::Postgres(_)) {
        // Plan each statement for its own values. A plan PostgreSQL caches for a statement
        // while the access log is small (or before statistics exist, where autovacuum is
        // off) keeps reading a whole source's events to find a few identifiers.
        options.map_sqlx_postgres_opts(|pg| pg.options([("plan_cache_mode", "force_custom_plan")]));
    }
    let db = Database::connect(options)
        .await
        .map_err(DbOpenError::Connect)?;
    if matches!(database, DatabaseUrl::Sqlite(_)) {
        // WAL lets readers proceed during a write and is kept in the file once set.
        db.execute_unprepared("PRAGMA journal_mode=WAL")
            .await
            .map_err(DbOpenError::Connect)?;
    }
    Ok(db)
}

/// Connects and applies every pending migration.
pub async fn open(database: &DatabaseUrl) -> Result<DatabaseConnection, DbOpenError> {
    let db = connect(database).await?;
    Migrator::up(&db, None)
        .await
        .map_err(DbOpenError::Migrate)?;
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_in_sqlite_urls() {
        assert_eq!(
            sqlite_file("sqlite://data/portal.db?mode=rwc"),
            Some(PathBuf::from("data/portal.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///tmp/p.db"),
            Some(PathBuf::from("/tmp/p.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}

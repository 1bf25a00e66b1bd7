//! Opening the database: SQLite (file created on first start, WAL journal) or PostgreSQL,
//! migrated to the current schema before anything else touches it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
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

/// Creates the database file (and its directory) readable by the portal's user only, and
/// takes group and world access away from one that exists. SQLite gives its `-wal` and
/// `-shm` files the same permissions as the database.
fn owner_only_file(file: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)?;
        }
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file)?;
    let mode = std::fs::metadata(file)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

/// Connects without migrating.
pub async fn connect(database: &DatabaseUrl) -> Result<DatabaseConnection, DbOpenError> {
    if let DatabaseUrl::Sqlite(url) = database {
        if let Some(file) = sqlite_file(url) {
            owner_only_file(&file).map_err(|source| DbOpenError::Directory {
                path: file.clone(),
                source,
            })?;
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
        // The server copies the write-ahead log into the database from a connection of
        // its own (`copy_wal_beside`); the writer does it only when the log has grown to
        // 256 MB, as when nothing else copies it (the command line).
        options
            .map_sqlx_sqlite_opts(|sqlite| in_memory(sqlite).pragma("wal_autocheckpoint", "65536"));
    }
    if matches!(database, DatabaseUrl::Postgres(_)) {
        // Plan each statement for its own values. A plan PostgreSQL caches for a statement
        // while the access log is small (or before statistics exist, where autovacuum is
        // off) keeps reading a whole source's events to find a few identifiers. No JIT:
        // compiling a statement costs tens of milliseconds, more than any of ours runs.
        options.map_sqlx_postgres_opts(|pg| {
            pg.options([("plan_cache_mode", "force_custom_plan"), ("jit", "off")])
        });
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

/// Connections for reads beside `writer`. On SQLite, a pool of its own: with WAL, readers
/// see the last commit while the one writer works, so a page or a sign-in lookup never
/// waits behind an ingestion batch. `query_only` makes a write through them an error
/// instead of a second writer. On PostgreSQL the writer's pool serves both.
pub async fn reads(
    database: &DatabaseUrl,
    writer: &DatabaseConnection,
) -> Result<DatabaseConnection, DbOpenError> {
    if !matches!(database, DatabaseUrl::Sqlite(_)) {
        return Ok(writer.clone());
    }
    let mut options = ConnectOptions::new(database.as_str());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(READ_CONNECTIONS)
        .min_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| in_memory(sqlite).pragma("query_only", "ON"));
    Database::connect(options)
        .await
        .map_err(DbOpenError::Connect)
}

/// Read connections on SQLite: a few more than the cores, so a slow read (a download)
/// does not hold up pages.
const READ_CONNECTIONS: u32 = 4;

/// On SQLite, copies the write-ahead log into the database file every [`WAL_COPY_EVERY`]
/// from a connection of its own, until the runtime stops. Otherwise SQLite copies it in
/// whichever commit finds the log past its limit, and that commit waits for the copy and
/// its flushes to disk (115 ms for 60 MB here): ingestion on SQLite spent about a third of
/// its commit time there. A copy runs beside the writer and never waits for a lock; the
/// writer starts the log over once every reader has moved past what was copied.
pub async fn copy_wal_beside(database: &DatabaseUrl) -> Result<(), DbOpenError> {
    let DatabaseUrl::Sqlite(url) = database else {
        return Ok(());
    };
    if sqlite_file(url).is_none() {
        return Ok(());
    }
    let mut options = ConnectOptions::new(url.as_str());
    options
        .connect_timeout(Duration::from_secs(10))
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    let copier = Database::connect(options)
        .await
        .map_err(DbOpenError::Connect)?;
    let copy = sea_orm::Statement::from_string(
        sea_orm::DatabaseBackend::Sqlite,
        "PRAGMA wal_checkpoint(PASSIVE)",
    );
    tokio::spawn(async move {
        let mut failing = false;
        loop {
            tokio::time::sleep(WAL_COPY_EVERY).await;
            match copier.execute(copy.clone()).await {
                Ok(_) => failing = false,
                // Said once, not four times a second; the writer's own copy still bounds
                // the log.
                Err(error) if !failing => {
                    failing = true;
                    tracing::warn!("could not copy the write-ahead log into the database: {error}");
                }
                Err(_) => {}
            }
        }
    });
    Ok(())
}

/// How often [`copy_wal_beside`] copies: a few batches' worth of log each time while
/// ingesting, nothing to do when idle.
const WAL_COPY_EVERY: Duration = Duration::from_millis(250);

/// Connects and applies every pending migration.
pub async fn open(database: &DatabaseUrl) -> Result<DatabaseConnection, DbOpenError> {
    let db = connect(database).await?;
    Migrator::up(&db, None)
        .await
        .map_err(DbOpenError::Migrate)?;
    Ok(db)
}

/// What every SQLite connection keeps in memory. The default page cache is 2 MB; an
/// access log runs to gigabytes, and every insert touches several indexes: 64 MB keeps
/// their upper levels in memory. No more, for the writer too: SQLite walks the writer's
/// cache at each commit (a fifth of its time in a profile here with 512 MB) and a reader
/// drops its cache whenever the writer has committed. With 512 MB for the writer,
/// ingestion ran 6 900 to 7 200 events/s at 1 M events here and 5 146 at 10 M; with
/// 64 MB and the file mapped, 7 500 to 7 800 and 5 533. The file is read through memory
/// mapping, up to SQLite's limit of 2 GB (`MMAP_BYTES`), so a page the cache has dropped
/// comes from the operating system's cache without a copy. A multi-row INSERT inside a
/// transaction keeps a statement journal, which SQLite writes to a temporary file once
/// over 64 KB (over a third of an ingestion batch's writes went there), and a large sort
/// spills likewise: in memory too.
fn in_memory(sqlite: SqliteConnectOptions) -> SqliteConnectOptions {
    sqlite
        .pragma("cache_size", "-65536")
        .pragma("mmap_size", MMAP_BYTES.to_string())
        .pragma("temp_store", "MEMORY")
}

/// The most SQLite maps of a database file on 64-bit Linux (`SQLITE_MAX_MMAP_SIZE`).
const MMAP_BYTES: u64 = 0x7fff_0000;

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

    #[test]
    fn database_files_are_created_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("portal-db-{}", uuid::Uuid::new_v4()));
        let file = dir.join("data").join("portal.db");
        owner_only_file(&file).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().unwrap()), 0o700);
        // An existing world-readable file loses group and world access.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        owner_only_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Opening the database: SQLite (file created on first start, WAL journal) or PostgreSQL,
//! migrated to the current schema before anything else touches it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, RuntimeErr,
    SqlxSqliteConnector,
};

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
        // SQLite allows one writer at a time, and a transaction that reads and then writes
        // fails at once (SQLITE_BUSY_SNAPSHOT, no waiting) when another connection wrote in
        // between. One connection per process serialises database work instead; other
        // processes (the command line) still wait on SQLite's busy timeout.
        // The server copies the write-ahead log into the database from a connection of
        // its own (`copy_wal_beside`); the writer does it only when the log has grown to
        // 256 MB, as when nothing else copies it (the command line).
        let writer =
            in_memory(sqlite_options(url, "sqlite-writer")?).pragma("wal_autocheckpoint", "65536");
        let db = sqlite_pool(writer, 1).await?;
        // WAL lets readers proceed during a write and is kept in the file once set.
        db.execute_unprepared("PRAGMA journal_mode=WAL")
            .await
            .map_err(DbOpenError::Connect)?;
        return Ok(db);
    }
    let mut options = ConnectOptions::new(database.as_str());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    // Plan each statement for its own values. A plan PostgreSQL caches for a statement
    // while the access log is small (or before statistics exist, where autovacuum is off)
    // keeps reading a whole source's events to find a few identifiers. No JIT: compiling a
    // statement costs tens of milliseconds, more than any of ours runs.
    options.map_sqlx_postgres_opts(|pg| {
        pg.options([("plan_cache_mode", "force_custom_plan"), ("jit", "off")])
    });
    Database::connect(options)
        .await
        .map_err(DbOpenError::Connect)
}

/// The options of an SQLite connection to `url`, its thread named `thread` (so `ps -L` and
/// a profile tell the writer from the readers).
fn sqlite_options(url: &str, thread: &'static str) -> Result<SqliteConnectOptions, DbOpenError> {
    use sea_orm::sqlx::ConnectOptions as _;
    let options = url
        .parse::<SqliteConnectOptions>()
        .map_err(cannot_connect)?;
    Ok(options
        .disable_statement_logging()
        .thread_name(move |n| format!("{thread}-{n}")))
}

/// A pool of `connections` SQLite connections, every one opened before this returns, from
/// the calling thread, and kept for the life of the process. SQLite gives each connection a
/// thread of its own, which takes the scheduling priority of the thread that opened it. By
/// default sqlx opens connections when a task asks for one and replaces each after 10
/// minutes idle or 30 minutes open; a feed's task (`feed_lane`, nice 10) would then open
/// it, and pages' queries would run at the feeds' priority.
async fn sqlite_pool(
    options: SqliteConnectOptions,
    connections: u32,
) -> Result<DatabaseConnection, DbOpenError> {
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        .min_connections(connections)
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with(options);
    let mut opened = Vec::new();
    for _ in 0..connections {
        opened.push(pool.acquire().await.map_err(cannot_connect)?);
    }
    drop(opened);
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

fn cannot_connect(error: sea_orm::sqlx::Error) -> DbOpenError {
    DbOpenError::Connect(DbErr::Conn(RuntimeErr::SqlxError(error)))
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
    let options = in_memory(sqlite_options(database.as_str(), "sqlite-read")?);
    sqlite_pool(options.pragma("query_only", "ON"), READ_CONNECTIONS).await
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
    let copier = sqlite_pool(sqlite_options(url, "sqlite-wal-copy")?, 1).await?;
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

    /// Each SQLite worker thread named `{prefix}-n` of this process and its nice value.
    fn sqlite_threads(prefix: &str) -> Vec<(String, i32)> {
        let mut threads = Vec::new();
        for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
            let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            // pid (comm) state ppid ...: the nice value is the 19th field, the 17th after
            // the name, which may hold spaces.
            let Some((head, rest)) = stat.rsplit_once(") ") else {
                continue;
            };
            let name = head.split_once(" (").map_or("", |(_, name)| name);
            let nice = rest.split(' ').nth(16).and_then(|n| n.parse().ok());
            if let (true, Some(nice)) = (name.starts_with(prefix), nice) {
                threads.push((name.to_owned(), nice));
            }
        }
        threads
    }

    #[tokio::test]
    async fn sqlite_connections_are_opened_at_start_up_at_the_servers_priority() {
        let dir = std::env::temp_dir().join(format!("portal-db-{}", uuid::Uuid::new_v4()));
        let url = DatabaseUrl::Sqlite(format!("sqlite://{}/p.db?mode=rwc", dir.display()));
        let writer = connect(&url).await.unwrap();
        let reads = reads(&url, &writer).await.unwrap();
        let ours = rustix::process::getpriority_process(None).unwrap();
        // A feed's thread, at a lower priority, takes every connection at once: none is
        // opened for it, at its priority.
        let pools = [
            reads.get_sqlite_connection_pool().clone(),
            writer.get_sqlite_connection_pool().clone(),
        ];
        let threads = tokio::task::spawn_blocking(move || {
            rustix::process::setpriority_process(None, ours + 5).unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut held = Vec::new();
                for pool in &pools {
                    for _ in 0..pool.options().get_max_connections() {
                        held.push(pool.acquire().await.unwrap());
                    }
                }
                for connection in &mut held {
                    sea_orm::sqlx::query("SELECT 1")
                        .execute(&mut **connection)
                        .await
                        .unwrap();
                }
                sqlite_threads("sqlite-")
            })
        })
        .await
        .unwrap();
        assert!(threads.len() > READ_CONNECTIONS as usize, "{threads:?}");
        assert!(threads.iter().all(|(_, nice)| *nice == ours), "{threads:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Delivery of the email outbox.
//!
//! The worker claims due messages with a short lease (on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so two server instances never take the same row), sends each
//! through SMTP — or, with no SMTP configured, writes it as an `.eml` file — and records
//! the outcome. Failures are retried with exponential backoff; permanent failures (a
//! malformed address, a 5xx answer) are kept for operators and not retried.

use std::path::PathBuf;
use std::time::Duration;

use app::ssr::clock::SharedClock;
use app::ssr::outbox::{self, Column, Entity};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr,
    EntityTrait, Order, QueryFilter, Set,
};
use time::OffsetDateTime;
use tokio::sync::watch;

/// How many messages one pass claims.
const BATCH: u64 = 20;
/// How long a claim protects a message from other workers.
const LEASE: time::Duration = time::Duration::minutes(5);
/// How often the worker looks for due messages.
const POLL: Duration = Duration::from_secs(2);

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP configured: each message becomes a file in this directory.
    Files(PathBuf),
}

/// Sends queued messages.
#[derive(Clone)]
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
}

/// Why one message was not delivered.
#[derive(Debug, thiserror::Error)]
enum DeliveryError {
    #[error("permanent: {0}")]
    Permanent(String),
    #[error("temporary: {0}")]
    Temporary(String),
}

impl Mailer {
    /// A mailer for the configured SMTP URL, or writing files under `data_dir/outbox`.
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        data_dir: &std::path::Path,
    ) -> Result<Mailer, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("PORTAL_MAIL_FROM: {e}"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("PORTAL_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            ),
            None => Transport::Files(data_dir.join("outbox")),
        };
        Ok(Mailer { transport, from })
    }

    /// A short description for the start-up log (never the SMTP password).
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "emails are sent through the configured SMTP server".to_owned(),
            Transport::Files(dir) => format!(
                "no PORTAL_SMTP_URL set: emails are written as .eml files under {}",
                dir.display()
            ),
        }
    }

    async fn deliver(&self, row: &outbox::Model) -> Result<(), DeliveryError> {
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| DeliveryError::Permanent(format!("recipient address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| DeliveryError::Permanent(format!("building message: {e}")))?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    DeliveryError::Permanent(e.to_string())
                } else {
                    DeliveryError::Temporary(e.to_string())
                }
            }),
            Transport::Files(dir) => {
                let path = dir.join(format!("{:08}-{}.eml", row.id, row.template));
                write_private_file(dir, &path, &message.formatted())
                    .await
                    .map_err(|e| {
                        DeliveryError::Temporary(format!("writing {}: {e}", path.display()))
                    })?;
                tracing::info!(path = %path.display(), "email written to file");
                Ok(())
            }
        }
    }
}

/// Writes an `.eml` file readable by the portal's user only, in a directory only it can
/// open: messages carry enrollment links.
async fn write_private_file(
    dir: &std::path::Path,
    path: &std::path::Path,
    bytes: &[u8],
) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
    let (dir, path, bytes) = (dir.to_owned(), path.to_owned(), bytes.to_owned());
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)?;
        }
        let mode = std::fs::metadata(&dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(&bytes)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// What an erased message body says instead.
pub const ERASED: &str = "(erased after delivery: it carried a one-time link)";

/// The wait before retry number `attempts + 1`: 30 s, 1 min, 2 min, … at most one hour.
#[must_use]
pub fn backoff(attempts: i32) -> time::Duration {
    let exponent = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    let seconds = 30_i64 * 2_i64.pow(exponent);
    time::Duration::seconds(seconds.min(3600))
}

/// Claims due messages for this worker: they get a lease and one more attempt counted.
async fn claim_due(
    db: &DatabaseConnection,
    now: OffsetDateTime,
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut due = Query::select();
    due.column(Column::Id)
        .from(Entity)
        .and_where(Column::SentAt.is_null())
        .and_where(Column::FailedAt.is_null())
        .and_where(Column::NextAttemptAt.lte(now))
        .and_where(
            Column::ClaimedUntil
                .is_null()
                .or(Column::ClaimedUntil.lt(now)),
        )
        .order_by(Column::Id, Order::Asc)
        .limit(BATCH);
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // Rows another instance is claiming right now are skipped, not waited for.
        due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let mut claimed = Entity::update_many()
        .col_expr(Column::ClaimedUntil, Expr::value(Some(now + LEASE)))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.in_subquery(due))
        .exec_with_returning(db)
        .await?;
    claimed.sort_by_key(|row| row.id);
    Ok(claimed)
}

/// Delivers every message due now; returns how many were sent.
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    clock: &SharedClock,
) -> Result<usize, DbErr> {
    let mut sent = 0;
    loop {
        let claimed = claim_due(db, clock.now()).await?;
        if claimed.is_empty() {
            return Ok(sent);
        }
        for row in claimed {
            let outcome = mailer.deliver(&row).await;
            let now = clock.now();
            let mut update: outbox::ActiveModel = row.clone().into();
            update.claimed_until = Set(None);
            let settled = !matches!(outcome, Err(DeliveryError::Temporary(_)));
            match outcome {
                Ok(()) => {
                    update.sent_at = Set(Some(now));
                    update.last_error = Set(None);
                    sent += 1;
                }
                Err(DeliveryError::Permanent(reason)) => {
                    tracing::warn!(
                        outbox_id = row.id,
                        "email not deliverable, giving up: {reason}"
                    );
                    update.failed_at = Set(Some(now));
                    update.last_error = Set(Some(reason));
                }
                Err(DeliveryError::Temporary(reason)) => {
                    let wait = backoff(row.attempts);
                    tracing::warn!(
                        outbox_id = row.id,
                        attempts = row.attempts,
                        "email delivery failed, retrying in {wait}: {reason}"
                    );
                    update.next_attempt_at = Set(now + wait);
                    update.last_error = Set(Some(reason));
                }
            }
            if settled && row.carries_secret {
                // A link that works is a key: once the message is out of our hands (or
                // will never be), the copy in the database goes.
                update.body_text = Set(ERASED.to_owned());
                update.body_html = Set(ERASED.to_owned());
            }
            update.update(db).await?;
        }
    }
}

/// Runs delivery until `shutdown` turns true.
pub async fn run_worker(
    db: DatabaseConnection,
    mailer: Mailer,
    clock: SharedClock,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if let Err(error) = deliver_due(&db, &mailer, &clock).await {
            tracing::error!("email outbox pass failed: {error}");
        }
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), time::Duration::seconds(30));
        assert_eq!(backoff(2), time::Duration::seconds(60));
        assert_eq!(backoff(5), time::Duration::seconds(480));
        assert_eq!(backoff(100), time::Duration::seconds(3600));
        assert_eq!(backoff(0), time::Duration::seconds(30));
    }
}

//! The weekly digest: patients who chose it get one email a week when their log received
//! any entry since the last one. The email says only that there is something to see.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use time::{Duration, OffsetDateTime};

use super::entity::event;
use super::ingest::MailContext;
use crate::access_log::types::NotifyChoice;
use crate::accounts::server::{query, service::set_last_digest};
use crate::ssr::email::{render, EmailTemplate};
use crate::ssr::outbox;

/// The time between two digests to the same patient.
pub const DIGEST_PERIOD: Duration = Duration::days(7);

/// Queues the digests that are due at `now`; returns how many were queued. A patient is
/// due a week after their last digest (or a week after choosing it, for the first); the
/// email and the new `last_digest_at` are written in one transaction per patient, so a
/// crash never sends a digest twice nor skips one.
pub async fn queue_due<C>(conn: &C, mail: &MailContext, now: OffsetDateTime) -> Result<usize, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let due = query::patients_due(conn, NotifyChoice::Weekly.code(), now - DIGEST_PERIOD).await?;
    let mut queued = 0;
    for patient in due {
        let (Some(mrn), Some(since)) = (patient.mrn.clone(), patient.last_digest_at) else {
            continue;
        };
        let txn = conn.begin().await?;
        let news = event::Entity::find()
            .filter(event::Column::PatientMrn.eq(mrn))
            .filter(event::Column::ReceivedAt.gt(since))
            .filter(event::Column::ReceivedAt.lte(now))
            .count(&txn)
            .await?;
        if news > 0 {
            if let Some(email) = &patient.email {
                let locale = patient.locale;
                let hospital = crate::hospital::server::service::name(&txn, locale).await?;
                let rendered = render(
                    &EmailTemplate::WeeklyDigest {
                        link: format!("{}/access-log", mail.public_url),
                    },
                    locale,
                    &hospital,
                    &mail.public_url,
                );
                outbox::enqueue(&txn, email, rendered, now, &mail.mail_domain).await?;
                queued += 1;
            }
        }
        set_last_digest(&txn, patient.id, now).await?;
        txn.commit().await?;
    }
    Ok(queued)
}

//! The weekly digest: patients who chose it get one email a week when their log received
//! any entry since the last one. The email says only that there is something to see.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set, TransactionTrait,
};
use time::{Duration, OffsetDateTime};

use super::entity::event;
use super::ingest::MailContext;
use crate::access_log::types::NotifyChoice;
use crate::accounts::server::entity as account;
use crate::accounts::types::AccountKind;
use crate::i18n::Locale;
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
    let due = account::Entity::find()
        .filter(account::Column::Kind.eq(AccountKind::Patient.as_str()))
        .filter(account::Column::Notify.eq(NotifyChoice::Weekly.code()))
        .filter(account::Column::Active.eq(true))
        .filter(account::Column::Mrn.is_not_null())
        .filter(account::Column::LastDigestAt.lte(now - DIGEST_PERIOD))
        .all(conn)
        .await?;
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
                let locale = Locale::from_tag(&patient.locale).unwrap_or_default();
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
        let mut row: account::ActiveModel = patient.into();
        row.last_digest_at = Set(Some(now));
        row.update(&txn).await?;
        txn.commit().await?;
    }
    Ok(queued)
}

//! Queuing an email to a person in the hospital's name: one step for every feature, on
//! the caller's transaction, so the message exists exactly when the change it reports does.

use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::i18n::Locale;
use crate::ssr::email::{render, EmailTemplate, MailContext};
use crate::ssr::outbox;

/// Renders `template` in `locale`, signed with the hospital's name, and queues it for
/// `recipient` on `conn`. Returns the outbox id.
pub async fn queue_email<C: ConnectionTrait>(
    conn: &C,
    mail: &MailContext,
    recipient: &str,
    locale: Locale,
    template: &EmailTemplate,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    let hospital = super::service::name(conn, locale).await?;
    let email = render(template, locale, &hospital, &mail.public_url);
    outbox::enqueue(conn, recipient, email, now, &mail.mail_domain).await
}

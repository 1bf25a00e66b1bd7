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

/// Queues a composed email (subject and body from `words`, in the account's language,
/// with a link to `path`) to the account `to`, if it has an address. Staff who left are
/// not written to (`staff`); a patient is, about their own case.
#[allow(clippy::too_many_arguments)] // Each is one fact of the message; a struct would only rename them.
pub async fn tell_account<C: ConnectionTrait>(
    conn: &C,
    mail: Option<&MailContext>,
    to: i64,
    staff: bool,
    name: &'static str,
    words: impl FnOnce(Locale) -> (String, String),
    path: &str,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    use crate::accounts::server::query;
    let account = if staff {
        query::active_by_id(conn, to).await?
    } else {
        query::by_id(conn, to).await?
    };
    let (Some(account), Some(mail)) = (account, mail) else {
        return Ok(());
    };
    let Some(email) = account.email else {
        return Ok(());
    };
    let (subject, body) = words(account.locale);
    let template = EmailTemplate::Composed {
        name,
        subject,
        body,
        link: format!("{}{path}", mail.public_url),
    };
    queue_email(conn, mail, &email, account.locale, &template, now).await?;
    Ok(())
}

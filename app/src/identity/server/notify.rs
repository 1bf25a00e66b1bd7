//! Telling account holders what happened to their account (a passkey added or removed),
//! by email, queued on the caller's transaction. No health data, no link that signs in.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use time::OffsetDateTime;

use crate::accounts::server::entity as account;
use crate::hospital::server::mail::queue_email;
use crate::i18n::Locale;
use crate::ssr::email::{EmailTemplate, MailContext};

/// Queues `template` for the holder of `account_id`, in their language, when they have
/// an address and mail is configured. Returns whether a message was queued.
pub async fn tell_holder<C: ConnectionTrait>(
    conn: &C,
    mail: Option<&MailContext>,
    account_id: i64,
    template: &EmailTemplate,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let Some(mail) = mail else {
        return Ok(false);
    };
    let Some(holder) = account::Entity::find_by_id(account_id).one(conn).await? else {
        return Ok(false);
    };
    let Some(address) = holder.email else {
        return Ok(false);
    };
    let locale = Locale::from_tag(&holder.locale).unwrap_or_default();
    queue_email(conn, mail, &address, locale, template, now).await?;
    Ok(true)
}

//! Telling account holders what happened to their account (a passkey added or removed),
//! by email, queued on the caller's transaction. No health data, no link that signs in.

use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::accounts::server::query;
use crate::hospital::server::mail::queue_email;
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
    let Some(holder) = query::by_id(conn, account_id).await? else {
        return Ok(false);
    };
    let Some(address) = holder.email else {
        return Ok(false);
    };
    queue_email(conn, mail, &address, holder.locale, template, now).await?;
    Ok(true)
}

//! The transactional email outbox.
//!
//! A message is inserted with [`enqueue`] on the same connection or transaction as the
//! change it reports, so it exists exactly when the change does. The server's delivery
//! worker sends it later, with retries; nothing here talks to a mail server.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, Set};
use time::OffsetDateTime;

use super::email::RenderedEmail;

/// One queued message. Never serialised: it leaves the server only as an email.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The `Message-ID` header, fixed at enqueue time so a retried delivery is recognisable
    /// as the same message by the receiving server.
    pub message_id: String,
    pub recipient: String,
    pub locale: String,
    /// Which template produced the message (for operators; the content is already rendered).
    pub template: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: OffsetDateTime,
    pub next_attempt_at: OffsetDateTime,
    pub attempts: i32,
    /// Set while a worker holds the message, so no other worker takes it.
    pub claimed_until: Option<OffsetDateTime>,
    pub sent_at: Option<OffsetDateTime>,
    /// Set when delivery failed permanently; the message is not retried.
    pub failed_at: Option<OffsetDateTime>,
    /// Why the last attempt failed (internal; never shown to recipients).
    pub last_error: Option<String>,
    /// The body holds a secret (an enrollment or recovery link): it is erased once the
    /// message is delivered or given up.
    pub carries_secret: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Queues `email` for delivery to `recipient`, on `conn` (pass the transaction of the
/// change the email reports). Returns the outbox id.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    recipient: &str,
    email: RenderedEmail,
    now: OffsetDateTime,
    mail_domain: &str,
) -> Result<i64, DbErr> {
    let message_id = format!("<{}@{}>", uuid::Uuid::new_v4().simple(), mail_domain);
    let row = ActiveModel {
        id: NotSet,
        message_id: Set(message_id),
        recipient: Set(recipient.to_owned()),
        locale: Set(email.locale.tag().to_owned()),
        template: Set(email.template.to_owned()),
        subject: Set(email.subject),
        body_text: Set(email.body_text),
        body_html: Set(email.body_html),
        created_at: Set(now),
        next_attempt_at: Set(now),
        attempts: Set(0),
        claimed_until: Set(None),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        carries_secret: Set(email.carries_secret),
    };
    let inserted = Entity::insert(row).exec(conn).await?;
    Ok(inserted.last_insert_id)
}

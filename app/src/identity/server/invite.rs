//! Inviting people: the hospital creates (or re-uses) the account, gives it its roles,
//! issues a one-time enrollment link and emails it — all in one transaction, so the email
//! exists exactly when the account and link do.

use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use time::{Duration, OffsetDateTime};

use super::enrollment::{self, Purpose};
use super::roles;
use crate::accounts::server::service::{upsert_patient, upsert_staff, NewPatient, NewStaff};
use crate::accounts::types::EmailAddress;
use crate::hospital::server::service::name as hospital_name;
use crate::i18n::Locale;
use crate::identity::types::Role;
use crate::ssr::email::{render, EmailTemplate};
use crate::ssr::outbox;

/// Where links point and how long they work.
#[derive(Clone, Debug)]
pub struct InviteSettings<'a> {
    pub public_url: &'a str,
    pub mail_domain: &'a str,
    pub link_ttl: Duration,
    pub now: OffsetDateTime,
}

/// The outcome of an invitation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub account_id: i64,
    /// The full enrollment link (shown once to the operator; stored only as a hash).
    pub link: String,
    /// Whether the link was also queued as an email.
    pub emailed: bool,
}

async fn issue_and_mail<C: sea_orm::ConnectionTrait>(
    txn: &C,
    account_id: i64,
    email: Option<&str>,
    locale: Locale,
    settings: &InviteSettings<'_>,
) -> Result<Invitation, DbErr> {
    let token = enrollment::issue(
        txn,
        account_id,
        Purpose::Invite,
        None,
        None,
        settings.link_ttl,
        settings.now,
    )
    .await?;
    let link = format!("{}{}", settings.public_url, enrollment::link_path(&token));
    if let Some(address) = email {
        let hospital = hospital_name(txn, locale).await?;
        let message = render(
            &EmailTemplate::Enrollment { link: link.clone() },
            locale,
            &hospital,
            settings.public_url,
        );
        outbox::enqueue(txn, address, message, settings.now, settings.mail_domain).await?;
    }
    Ok(Invitation {
        account_id,
        link,
        emailed: email.is_some(),
    })
}

/// Invites a patient.
pub async fn invite_patient(
    db: &DatabaseConnection,
    new: &NewPatient,
    settings: &InviteSettings<'_>,
) -> Result<Invitation, DbErr> {
    let txn = db.begin().await?;
    let account_id = upsert_patient(&txn, new, settings.now).await?;
    roles::grant(&txn, account_id, Role::Patient).await?;
    let email = new.email.as_ref().map(EmailAddress::as_str);
    let invitation = issue_and_mail(&txn, account_id, email, new.locale, settings).await?;
    txn.commit().await?;
    Ok(invitation)
}

/// Invites a member of staff with the given roles (added to any they hold).
pub async fn invite_staff(
    db: &DatabaseConnection,
    new: &NewStaff,
    staff_roles: &[Role],
    settings: &InviteSettings<'_>,
) -> Result<Invitation, DbErr> {
    let txn = db.begin().await?;
    let account_id = upsert_staff(&txn, new, settings.now).await?;
    for role in staff_roles.iter().filter(|role| role.is_staff()) {
        roles::grant(&txn, account_id, *role).await?;
    }
    let email = new.email.as_ref().map(EmailAddress::as_str);
    let invitation = issue_and_mail(&txn, account_id, email, new.locale, settings).await?;
    txn.commit().await?;
    Ok(invitation)
}

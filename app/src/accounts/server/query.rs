//! Reading accounts. Other features get [`Account`], a copy of the row: the table itself
//! stays private to this slice, so every change to an account goes through its services.

use std::collections::HashMap;

use sea_orm::sea_query::SelectStatement;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};
use time::OffsetDateTime;

use super::entity::{self, Column, Entity};
use crate::accounts::types::AccountKind;
use crate::i18n::Locale;

/// An account as the rest of the portal sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub kind: AccountKind,
    pub display_name: String,
    pub email: Option<String>,
    /// The account's language, for its pages and emails.
    pub locale: Locale,
    /// A patient's medical record number.
    pub mrn: Option<String>,
    /// A member of staff's number in the hospital directory.
    pub staff_number: Option<String>,
    pub department_id: Option<i64>,
    pub job_title: Option<String>,
    pub active: bool,
    /// The WebAuthn user handle, once a passkey ceremony has begun.
    pub webauthn_user_id: Option<String>,
    /// Family name from the hospital directory (compared by the same-surname rule).
    pub family_name: Option<String>,
    /// The address reduced for comparison.
    pub address_key: Option<String>,
    /// A member of staff's own medical record number, when the directory links them.
    pub own_mrn: Option<String>,
    /// A patient whose record the hospital protects more closely.
    pub vip: bool,
    /// A patient's notification choice, as the access-log slice codes it.
    pub notify: String,
    pub last_digest_at: Option<OffsetDateTime>,
}

impl From<entity::Model> for Account {
    fn from(row: entity::Model) -> Self {
        Account {
            id: row.id,
            kind: if row.kind == AccountKind::Staff.as_str() {
                AccountKind::Staff
            } else {
                AccountKind::Patient
            },
            display_name: row.display_name,
            email: row.email,
            locale: Locale::from_tag(&row.locale).unwrap_or_default(),
            mrn: row.mrn,
            staff_number: row.staff_number,
            department_id: row.department_id,
            job_title: row.job_title,
            active: row.active,
            webauthn_user_id: row.webauthn_user_id,
            family_name: row.family_name,
            address_key: row.address_key,
            own_mrn: row.own_mrn,
            vip: row.vip,
            notify: row.notify,
            last_digest_at: row.last_digest_at,
        }
    }
}

async fn one_where<C: ConnectionTrait>(
    conn: &C,
    column: Column,
    value: &str,
) -> Result<Option<Account>, DbErr> {
    Ok(Entity::find()
        .filter(column.eq(value))
        .one(conn)
        .await?
        .map(Account::from))
}

/// The account with `id`.
pub async fn by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Account>, DbErr> {
    Ok(Entity::find_by_id(id).one(conn).await?.map(Account::from))
}

/// The account whose id `id` selects (a subquery of one column), so that it is read in
/// the same round trip as the row that names it.
pub async fn by_id_in<C: ConnectionTrait>(
    conn: &C,
    id: SelectStatement,
) -> Result<Option<Account>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Id.in_subquery(id))
        .one(conn)
        .await?
        .map(Account::from))
}

/// The account with `id`, if it is active.
pub async fn active_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Account>, DbErr> {
    Ok(by_id(conn, id).await?.filter(|account| account.active))
}

/// The patient account for a medical record number.
pub async fn by_mrn<C: ConnectionTrait>(conn: &C, mrn: &str) -> Result<Option<Account>, DbErr> {
    one_where(conn, Column::Mrn, mrn).await
}

/// The staff account for a number in the hospital directory.
pub async fn by_staff_number<C: ConnectionTrait>(
    conn: &C,
    number: &str,
) -> Result<Option<Account>, DbErr> {
    one_where(conn, Column::StaffNumber, number).await
}

/// The account with this email address (the first, should two share one).
pub async fn by_email<C: ConnectionTrait>(conn: &C, email: &str) -> Result<Option<Account>, DbErr> {
    one_where(conn, Column::Email, email).await
}

/// The account a passkey's WebAuthn user handle belongs to.
pub async fn by_webauthn_handle<C: ConnectionTrait>(
    conn: &C,
    handle: &str,
) -> Result<Option<Account>, DbErr> {
    one_where(conn, Column::WebauthnUserId, handle).await
}

/// Finds an account by the reference staff have at hand: a medical record number, a staff
/// number, or an email address.
pub async fn by_reference<C: ConnectionTrait>(
    conn: &C,
    reference: &str,
) -> Result<Option<Account>, DbErr> {
    let reference = reference.trim();
    if reference.is_empty() {
        return Ok(None);
    }
    Ok(Entity::find()
        .filter(
            Column::Mrn
                .eq(reference)
                .or(Column::StaffNumber.eq(reference))
                .or(Column::Email.eq(reference)),
        )
        .one(conn)
        .await?
        .map(Account::from))
}

/// The accounts of `kind` whose `column` holds one of `values`.
async fn of_kind_among<C: ConnectionTrait>(
    conn: &C,
    kind: AccountKind,
    column: Column,
    values: &[String],
) -> Result<Vec<Account>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Kind.eq(kind.as_str()))
        .filter(column.is_in(values.iter().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .map(Account::from)
        .collect())
}

/// The patients among `mrns` that have an account (callers chunk long lists).
pub async fn patients<C: ConnectionTrait>(
    conn: &C,
    mrns: &[String],
) -> Result<Vec<Account>, DbErr> {
    of_kind_among(conn, AccountKind::Patient, Column::Mrn, mrns).await
}

/// What the access log's rules read of a member of staff.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct StaffAccountFacts {
    pub staff_number: String,
    pub active: bool,
    pub family_name: Option<String>,
    pub address_key: Option<String>,
    pub own_mrn: Option<String>,
    pub department_id: Option<i64>,
}

/// The staff among `numbers` that have an account (callers chunk long lists). Only the
/// columns the rules read: every ingestion batch looks up its people, and whole account
/// rows (their times parsed from text on SQLite) made a batch's reads about 3 ms longer
/// at 1 M events.
pub async fn staff<C: ConnectionTrait>(
    conn: &C,
    numbers: &[String],
) -> Result<Vec<StaffAccountFacts>, DbErr> {
    Entity::find()
        .select_only()
        .columns([
            Column::StaffNumber,
            Column::Active,
            Column::FamilyName,
            Column::AddressKey,
            Column::OwnMrn,
            Column::DepartmentId,
        ])
        .filter(Column::Kind.eq(AccountKind::Staff.as_str()))
        .filter(Column::StaffNumber.is_in(numbers.iter().cloned()))
        .into_model()
        .all(conn)
        .await
}

/// Patients' names by medical record number, for staff screens that list several.
pub async fn patient_names<C: ConnectionTrait>(
    conn: &C,
    mrns: &[String],
) -> Result<HashMap<String, String>, DbErr> {
    Ok(patients(conn, mrns)
        .await?
        .into_iter()
        .filter_map(|account| account.mrn.map(|mrn| (mrn, account.display_name)))
        .collect())
}

/// Active patients who chose the notification `notify` and last had a digest at or before
/// `last_before`.
pub async fn patients_due<C: ConnectionTrait>(
    conn: &C,
    notify: &str,
    last_before: OffsetDateTime,
) -> Result<Vec<Account>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Kind.eq(AccountKind::Patient.as_str()))
        .filter(Column::Notify.eq(notify))
        .filter(Column::Active.eq(true))
        .filter(Column::Mrn.is_not_null())
        .filter(Column::LastDigestAt.lte(last_before))
        .all(conn)
        .await?
        .into_iter()
        .map(Account::from)
        .collect())
}

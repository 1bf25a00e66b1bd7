//! Creating and updating accounts on the hospital's behalf.

use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::NotSet,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use time::OffsetDateTime;

use super::entity::{self, Column, Entity};
use crate::accounts::types::{
    AccountKind, EmailAddress, MedicalRecordNumber, PersonName, StaffNumber,
};
use crate::i18n::Locale;

/// A patient as the hospital registers them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPatient {
    pub mrn: MedicalRecordNumber,
    pub name: PersonName,
    pub email: Option<EmailAddress>,
    pub locale: Locale,
}

/// A member of staff as the hospital's directory lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStaff {
    /// The hospital directory's number; when unknown, the email address identifies the
    /// member of staff instead.
    pub staff_number: Option<StaffNumber>,
    pub name: PersonName,
    pub email: Option<EmailAddress>,
    pub locale: Locale,
    pub department_id: Option<i64>,
    pub job_title: String,
}

/// Creates the patient's account, or updates name, language and (when one is given) email
/// if the medical record number already has one: inviting again at a desk without an
/// address keeps the address on file. Returns the account id.
pub async fn upsert_patient<C: ConnectionTrait>(
    conn: &C,
    new: &NewPatient,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    let row = entity::ActiveModel {
        id: NotSet,
        kind: Set(AccountKind::Patient.as_str().to_owned()),
        display_name: Set(new.name.as_str().to_owned()),
        email: Set(new.email.as_ref().map(|e| e.as_str().to_owned())),
        locale: Set(new.locale.tag().to_owned()),
        mrn: Set(Some(new.mrn.as_str().to_owned())),
        staff_number: Set(None),
        department_id: Set(None),
        job_title: Set(None),
        active: Set(true),
        webauthn_user_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut update = vec![Column::DisplayName, Column::Locale, Column::UpdatedAt];
    if new.email.is_some() {
        update.push(Column::Email);
    }
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::Mrn)
                .update_columns(update)
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    id_where(conn, Column::Mrn, new.mrn.as_str()).await
}

/// A new staff account row.
fn staff_row(new: &NewStaff, now: OffsetDateTime) -> entity::ActiveModel {
    entity::ActiveModel {
        id: NotSet,
        kind: Set(AccountKind::Staff.as_str().to_owned()),
        display_name: Set(new.name.as_str().to_owned()),
        email: Set(new.email.as_ref().map(|e| e.as_str().to_owned())),
        locale: Set(new.locale.tag().to_owned()),
        mrn: Set(None),
        staff_number: Set(new.staff_number.as_ref().map(|n| n.as_str().to_owned())),
        department_id: Set(new.department_id),
        job_title: Set(Some(new.job_title.clone())),
        active: Set(true),
        webauthn_user_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Creates the staff member's account, or updates the one with the same staff number (or,
/// without a number, the same email address). Returns the account id.
pub async fn upsert_staff<C: ConnectionTrait>(
    conn: &C,
    new: &NewStaff,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    if new.staff_number.is_none() {
        return upsert_staff_by_email(conn, new, now).await;
    }
    Entity::insert(staff_row(new, now))
        .on_conflict(
            OnConflict::column(Column::StaffNumber)
                .update_columns([
                    Column::DisplayName,
                    Column::Email,
                    Column::Locale,
                    Column::DepartmentId,
                    Column::JobTitle,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    let number = new.staff_number.as_ref().map_or("", |n| n.as_str());
    id_where(conn, Column::StaffNumber, number).await
}

async fn upsert_staff_by_email<C: ConnectionTrait>(
    conn: &C,
    new: &NewStaff,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    let email = new
        .email
        .as_ref()
        .ok_or_else(|| DbErr::Custom("staff without number needs an email address".into()))?;
    let existing = Entity::find()
        .filter(Column::Kind.eq(AccountKind::Staff.as_str()))
        .filter(Column::Email.eq(email.as_str()))
        .one(conn)
        .await?;
    if let Some(existing) = existing {
        let id = existing.id;
        let mut update: entity::ActiveModel = existing.into();
        update.display_name = Set(new.name.as_str().to_owned());
        update.locale = Set(new.locale.tag().to_owned());
        if new.department_id.is_some() {
            update.department_id = Set(new.department_id);
        }
        update.job_title = Set(Some(new.job_title.clone()));
        update.updated_at = Set(now);
        sea_orm::ActiveModelTrait::update(update, conn).await?;
        return Ok(id);
    }
    let inserted = Entity::insert(staff_row(new, now)).exec(conn).await?;
    Ok(inserted.last_insert_id)
}

async fn id_where<C: ConnectionTrait>(conn: &C, column: Column, value: &str) -> Result<i64, DbErr> {
    Entity::find()
        .filter(column.eq(value))
        .one(conn)
        .await?
        .map(|row| row.id)
        .ok_or_else(|| DbErr::RecordNotFound("account just written".into()))
}

/// Finds an account by the reference staff have at hand: a medical record number, a staff
/// number, or an email address.
pub async fn find_by_reference<C: ConnectionTrait>(
    conn: &C,
    reference: &str,
) -> Result<Option<entity::Model>, DbErr> {
    let reference = reference.trim();
    if reference.is_empty() {
        return Ok(None);
    }
    Entity::find()
        .filter(
            Column::Mrn
                .eq(reference)
                .or(Column::StaffNumber.eq(reference))
                .or(Column::Email.eq(reference)),
        )
        .one(conn)
        .await
}

/// Changes the account's language (for its pages and emails).
pub async fn set_locale<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    locale: Locale,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Locale, Expr::value(locale.tag()))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(account_id))
        .exec(conn)
        .await?;
    Ok(())
}

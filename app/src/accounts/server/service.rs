//! Creating and updating accounts on the hospital's behalf.

use sea_orm::{
    sea_query::{Expr, Func, OnConflict},
    ActiveValue::NotSet,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use time::OffsetDateTime;

use super::entity::{self, Column, Entity};
use crate::accounts::types::{
    AccountKind, Deactivator, EmailAddress, MedicalRecordNumber, PersonName, StaffNumber,
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
    upsert_by(conn, row, (Column::Mrn, new.mrn.as_str()), update, None).await
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
    let number = new.staff_number.as_ref().map_or("", |n| n.as_str());
    let update = vec![
        Column::DisplayName,
        Column::Email,
        Column::Locale,
        Column::DepartmentId,
        Column::JobTitle,
        Column::UpdatedAt,
    ];
    upsert_by(
        conn,
        staff_row(new, now),
        (Column::StaffNumber, number),
        update,
        None,
    )
    .await
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

/// Inserts `row`, or updates `update` of the row whose `key` column already holds `value`;
/// returns the id (`existing`, when the caller read the row before, saves a lookup: an
/// existing row keeps its id through the upsert).
async fn upsert_by<C: ConnectionTrait>(
    conn: &C,
    row: entity::ActiveModel,
    (key, value): (Column, &str),
    update: Vec<Column>,
    existing: Option<i64>,
) -> Result<i64, DbErr> {
    Entity::insert(row)
        .on_conflict(OnConflict::column(key).update_columns(update).to_owned())
        .exec_without_returning(conn)
        .await?;
    match existing {
        Some(id) => Ok(id),
        None => id_where(conn, key, value).await,
    }
}

async fn id_where<C: ConnectionTrait>(conn: &C, column: Column, value: &str) -> Result<i64, DbErr> {
    Entity::find()
        .filter(column.eq(value))
        .one(conn)
        .await?
        .map(|row| row.id)
        .ok_or_else(|| DbErr::RecordNotFound("account just written".into()))
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

/// Stores the account's WebAuthn user handle (made on its first passkey ceremony).
pub async fn set_webauthn_handle<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    handle: &str,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::WebauthnUserId, Expr::value(handle))
        .filter(Column::Id.eq(account_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Marks the account off, and by whom; `false` when there is no such account. The
/// portal's own deactivation is never downgraded to the directory's. (Ending its sessions
/// is the identity slice's part: see `identity::server::activation`.)
pub async fn switch_off<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    by: Deactivator,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::Active, Expr::value(false))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(account_id))
        .exec(conn)
        .await?;
    let mut mark = Entity::update_many()
        .col_expr(Column::DeactivatedBy, Expr::value(by.code()))
        .filter(Column::Id.eq(account_id));
    if by == Deactivator::Directory {
        mark = mark.filter(Column::DeactivatedBy.is_null());
    }
    mark.exec(conn).await?;
    Ok(result.rows_affected == 1)
}

/// Marks the account on again. `by` is who asks: the directory can only undo a
/// deactivation of its own; an operator can undo any. `false` when nothing changed.
pub async fn switch_on<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    by: Deactivator,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::Active, Expr::value(true))
        .col_expr(Column::DeactivatedBy, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(account_id))
        .filter(Column::Active.eq(false));
    if by == Deactivator::Directory {
        update = update.filter(
            Column::DeactivatedBy
                .is_null()
                .or(Column::DeactivatedBy.eq(Deactivator::Directory.code())),
        );
    }
    Ok(update.exec(conn).await?.rows_affected == 1)
}

/// Sets a patient's notification choice (its code). With `week_from`, a digest week starts
/// then unless one is already running.
pub async fn set_notify<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    notify: &str,
    week_from: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::Notify, Expr::value(notify))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    if let Some(from) = week_from {
        update = update.col_expr(
            Column::LastDigestAt,
            Func::coalesce([Expr::col(Column::LastDigestAt).into(), Expr::value(from)]).into(),
        );
    }
    update.filter(Column::Id.eq(account_id)).exec(conn).await?;
    Ok(())
}

/// Records when the patient's last digest was queued.
pub async fn set_last_digest<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LastDigestAt, Expr::value(at))
        .filter(Column::Id.eq(account_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A patient as the hospital directory sends them (already checked by the directory
/// slice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryPatientRow<'a> {
    pub mrn: &'a str,
    pub name: &'a str,
    /// `None` keeps the address on file: a feed that does not send one does not erase it.
    pub email: Option<&'a str>,
    pub family_name: Option<&'a str>,
    pub address_key: Option<String>,
    pub vip: bool,
}

/// Writes a patient from the directory: a new one gets `default_locale`, an existing one
/// (`existing`, read by the caller before) keeps the language they chose. Returns the id.
pub async fn write_directory_patient<C: ConnectionTrait>(
    conn: &C,
    row: &DirectoryPatientRow<'_>,
    existing: Option<i64>,
    default_locale: Locale,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    let insert = entity::ActiveModel {
        id: NotSet,
        kind: Set(AccountKind::Patient.as_str().to_owned()),
        display_name: Set(row.name.to_owned()),
        email: Set(row.email.map(str::to_owned)),
        locale: Set(default_locale.tag().to_owned()),
        mrn: Set(Some(row.mrn.to_owned())),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        family_name: Set(row.family_name.map(str::to_owned)),
        address_key: Set(row.address_key.clone()),
        vip: Set(row.vip),
        ..Default::default()
    };
    let mut update = vec![
        Column::DisplayName,
        Column::FamilyName,
        Column::AddressKey,
        Column::Vip,
        Column::UpdatedAt,
    ];
    if row.email.is_some() {
        update.push(Column::Email);
    }
    upsert_by(conn, insert, (Column::Mrn, row.mrn), update, existing).await
}

/// A member of staff as the hospital directory sends them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryStaffRow<'a> {
    pub staff_number: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub family_name: Option<&'a str>,
    pub address_key: Option<String>,
    pub own_mrn: Option<&'a str>,
}

/// Writes a member of staff from the directory. Whether the account is on or off is not
/// written here: a new account starts as `active` says (off by the directory), an existing
/// one changes only through [`switch_off`] / [`switch_on`]. Returns the id.
pub async fn write_directory_staff<C: ConnectionTrait>(
    conn: &C,
    row: &DirectoryStaffRow<'_>,
    active: bool,
    existing: Option<i64>,
    default_locale: Locale,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    let insert = entity::ActiveModel {
        id: NotSet,
        kind: Set(AccountKind::Staff.as_str().to_owned()),
        display_name: Set(row.name.to_owned()),
        email: Set(row.email.map(str::to_owned)),
        locale: Set(default_locale.tag().to_owned()),
        staff_number: Set(Some(row.staff_number.to_owned())),
        active: Set(active),
        deactivated_by: Set((!active).then(|| Deactivator::Directory.code().to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        family_name: Set(row.family_name.map(str::to_owned)),
        address_key: Set(row.address_key.clone()),
        own_mrn: Set(row.own_mrn.map(str::to_owned)),
        ..Default::default()
    };
    let mut update = vec![
        Column::DisplayName,
        Column::FamilyName,
        Column::AddressKey,
        Column::OwnMrn,
        Column::UpdatedAt,
    ];
    if row.email.is_some() {
        update.push(Column::Email);
    }
    upsert_by(
        conn,
        insert,
        (Column::StaffNumber, row.staff_number),
        update,
        existing,
    )
    .await
}

/// Sets a member of staff's department and job title (each only when given).
pub async fn set_job<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    department_id: Option<i64>,
    job_title: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(account_id));
    if let Some(department) = department_id {
        update = update.col_expr(Column::DepartmentId, Expr::value(department));
    }
    if let Some(title) = job_title {
        update = update.col_expr(Column::JobTitle, Expr::value(title));
    }
    update.exec(conn).await?;
    Ok(())
}

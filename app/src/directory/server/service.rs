//! Upserts from the hospital directory. Each write is keyed by the hospital's own
//! identifiers (medical record number, staff number, department code, encounter id), so
//! systems can resend the same resource as often as they like.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use time::OffsetDateTime;

use super::entity as care;
use crate::accounts::server::entity::{self as account, Column};
use crate::accounts::server::service::set_active;
use crate::accounts::types::AccountKind;
use crate::directory::types::{address_key, WorkingHours};
use crate::hospital::server::entity::department;
use crate::hospital::server::service::{upsert_department, NewDepartment};
use crate::i18n::Locale;

/// Why a directory write was refused (the caller names the offending field).
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("unknown department {0}")]
    UnknownDepartment(String),
    #[error("unknown staff member {0}")]
    UnknownStaff(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// A patient as the hospital's master patient index knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryPatient {
    pub mrn: String,
    pub name: String,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub vip: bool,
}

/// A member of staff as the hospital's staff directory knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryStaff {
    pub staff_number: String,
    pub name: String,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub active: bool,
    /// The staff member's own medical record number, if they are also a patient here.
    pub own_mrn: Option<String>,
}

/// A department with its opening hours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryDepartment {
    pub code: String,
    pub name_zh_hans: String,
    pub name_en: String,
    pub hours: Option<WorkingHours>,
}

/// An encounter or appointment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CareRelationship {
    pub key: String,
    pub patient_mrn: String,
    pub department_code: String,
    pub staff_number: Option<String>,
    pub starts_at: OffsetDateTime,
    pub ends_at: Option<OffsetDateTime>,
    pub status: String,
}

/// Creates or updates a patient. A new patient gets the hospital's default language; an
/// existing one keeps the language they chose.
pub async fn sync_patient<C: ConnectionTrait>(
    conn: &C,
    patient: &DirectoryPatient,
    default_locale: Locale,
    now: OffsetDateTime,
) -> Result<i64, DirectoryError> {
    let row = account::ActiveModel {
        id: NotSet,
        kind: Set(AccountKind::Patient.as_str().to_owned()),
        display_name: Set(patient.name.clone()),
        email: Set(patient.email.clone()),
        locale: Set(default_locale.tag().to_owned()),
        mrn: Set(Some(patient.mrn.clone())),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        family_name: Set(patient.family_name.clone()),
        address_key: Set(patient.address.as_deref().and_then(address_key)),
        vip: Set(patient.vip),
        ..Default::default()
    };
    let mut update = vec![
        Column::DisplayName,
        Column::FamilyName,
        Column::AddressKey,
        Column::Vip,
        Column::UpdatedAt,
    ];
    // An email the directory does not send is not erased.
    if patient.email.is_some() {
        update.push(Column::Email);
    }
    account::Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::Mrn)
                .update_columns(update)
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    account_id(conn, Column::Mrn, &patient.mrn).await
}

/// Creates or updates a member of staff. Deactivation ends their portal sessions at once.
pub async fn sync_staff<C: ConnectionTrait>(
    conn: &C,
    staff: &DirectoryStaff,
    default_locale: Locale,
    now: OffsetDateTime,
) -> Result<i64, DirectoryError> {
    let row = account::ActiveModel {
        id: NotSet,
        kind: Set(AccountKind::Staff.as_str().to_owned()),
        display_name: Set(staff.name.clone()),
        email: Set(staff.email.clone()),
        locale: Set(default_locale.tag().to_owned()),
        staff_number: Set(Some(staff.staff_number.clone())),
        active: Set(staff.active),
        created_at: Set(now),
        updated_at: Set(now),
        family_name: Set(staff.family_name.clone()),
        address_key: Set(staff.address.as_deref().and_then(address_key)),
        own_mrn: Set(staff.own_mrn.clone()),
        ..Default::default()
    };
    let mut update = vec![
        Column::DisplayName,
        Column::FamilyName,
        Column::AddressKey,
        Column::OwnMrn,
        Column::UpdatedAt,
    ];
    if staff.email.is_some() {
        update.push(Column::Email);
    }
    account::Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::StaffNumber)
                .update_columns(update)
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    let id = account_id(conn, Column::StaffNumber, &staff.staff_number).await?;
    // Through `set_active`, so that deactivation also ends sessions.
    set_active(conn, id, staff.active, now).await?;
    Ok(id)
}

/// Sets a member of staff's department and job role (a FHIR `PractitionerRole`).
pub async fn sync_staff_role<C: ConnectionTrait>(
    conn: &C,
    staff_number: &str,
    department_code: Option<&str>,
    job_title: Option<&str>,
    now: OffsetDateTime,
) -> Result<i64, DirectoryError> {
    let id = account_id(conn, Column::StaffNumber, staff_number)
        .await
        .map_err(|_| DirectoryError::UnknownStaff(staff_number.to_owned()))?;
    let mut update = account::Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id));
    if let Some(code) = department_code {
        let department = department_id(conn, code).await?;
        update = update.col_expr(Column::DepartmentId, Expr::value(department));
    }
    if let Some(title) = job_title {
        update = update.col_expr(Column::JobTitle, Expr::value(title));
    }
    update.exec(conn).await?;
    Ok(id)
}

/// Creates or updates a department and its opening hours.
pub async fn sync_department<C: ConnectionTrait>(
    conn: &C,
    new: &DirectoryDepartment,
    now: OffsetDateTime,
) -> Result<i64, DirectoryError> {
    let id = upsert_department(
        conn,
        &NewDepartment {
            code: new.code.clone(),
            name_zh_hans: new.name_zh_hans.clone(),
            name_en: new.name_en.clone(),
        },
        now,
    )
    .await?;
    if let Some(hours) = &new.hours {
        let json = serde_json::to_string(hours).map_err(|e| DbErr::Custom(e.to_string()))?;
        department::Entity::update_many()
            .col_expr(department::Column::WorkingHours, Expr::value(json))
            .filter(department::Column::Id.eq(id))
            .exec(conn)
            .await?;
    }
    Ok(id)
}

/// Records an encounter or appointment (keyed by the sending system's identifier).
pub async fn sync_care<C: ConnectionTrait>(
    conn: &C,
    source_id: i64,
    relationship: &CareRelationship,
) -> Result<(), DirectoryError> {
    let department = department_id(conn, &relationship.department_code).await?;
    let row = care::ActiveModel {
        id: NotSet,
        source_id: Set(source_id),
        source_key: Set(relationship.key.clone()),
        patient_mrn: Set(relationship.patient_mrn.clone()),
        department_id: Set(department),
        staff_number: Set(relationship.staff_number.clone()),
        starts_at: Set(relationship.starts_at),
        ends_at: Set(relationship.ends_at),
        status: Set(relationship.status.clone()),
    };
    care::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([care::Column::SourceId, care::Column::SourceKey])
                .update_columns([
                    care::Column::PatientMrn,
                    care::Column::DepartmentId,
                    care::Column::StaffNumber,
                    care::Column::StartsAt,
                    care::Column::EndsAt,
                    care::Column::Status,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The id of the department with `code`.
pub async fn department_id<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<i64, DirectoryError> {
    department::Entity::find()
        .filter(department::Column::Code.eq(code))
        .one(conn)
        .await?
        .map(|row| row.id)
        .ok_or_else(|| DirectoryError::UnknownDepartment(code.to_owned()))
}

async fn account_id<C: ConnectionTrait>(
    conn: &C,
    column: Column,
    value: &str,
) -> Result<i64, DirectoryError> {
    Ok(account::Entity::find()
        .filter(column.eq(value))
        .one(conn)
        .await?
        .map(|row| row.id)
        .ok_or_else(|| DbErr::RecordNotFound("account just written".into()))?)
}

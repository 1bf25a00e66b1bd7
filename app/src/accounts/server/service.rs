//! Creating and updating accounts on the hospital's behalf.

use sea_orm::{
    sea_query::OnConflict, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, Set,
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
    pub staff_number: StaffNumber,
    pub name: PersonName,
    pub email: Option<EmailAddress>,
    pub locale: Locale,
    pub department_id: Option<i64>,
    pub job_title: String,
}

/// Creates the patient's account, or updates name, email and language if the medical
/// record number already has one. Returns the account id.
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
        created_at: Set(now),
        updated_at: Set(now),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::Mrn)
                .update_columns([
                    Column::DisplayName,
                    Column::Email,
                    Column::Locale,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    id_where(conn, Column::Mrn, new.mrn.as_str()).await
}

/// Creates the staff member's account, or updates it if the staff number has one.
/// Returns the account id.
pub async fn upsert_staff<C: ConnectionTrait>(
    conn: &C,
    new: &NewStaff,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    let row = entity::ActiveModel {
        id: NotSet,
        kind: Set(AccountKind::Staff.as_str().to_owned()),
        display_name: Set(new.name.as_str().to_owned()),
        email: Set(new.email.as_ref().map(|e| e.as_str().to_owned())),
        locale: Set(new.locale.tag().to_owned()),
        mrn: Set(None),
        staff_number: Set(Some(new.staff_number.as_str().to_owned())),
        department_id: Set(new.department_id),
        job_title: Set(Some(new.job_title.clone())),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Entity::insert(row)
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
    id_where(conn, Column::StaffNumber, new.staff_number.as_str()).await
}

async fn id_where<C: ConnectionTrait>(conn: &C, column: Column, value: &str) -> Result<i64, DbErr> {
    Entity::find()
        .filter(column.eq(value))
        .one(conn)
        .await?
        .map(|row| row.id)
        .ok_or_else(|| DbErr::RecordNotFound("account just written".into()))
}

//! Upserts from the hospital directory. Each write is keyed by the hospital's own
//! identifiers (medical record number, staff number, department code, encounter id), so
//! systems can resend the same resource as often as they like.

use sea_orm::sea_query::OnConflict;
use std::collections::HashMap;

use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use time::OffsetDateTime;

use super::entity::{care, member};
use crate::accounts::server::query;
use crate::accounts::server::service::{
    set_job, write_directory_patient, write_directory_staff, DirectoryPatientRow, DirectoryStaffRow,
};
use crate::accounts::types::Deactivator;
use crate::audit::staff_action::{self, StaffAction};
use crate::directory::types::{address_key, status_ended, CareKind, WorkingHours, ENDED_STATUSES};
use crate::hospital::server::service::{
    department_by_code, set_working_hours, upsert_department, NewDepartment,
};
use crate::i18n::Locale;
use crate::identity::server::activation::{deactivate, reactivate};
use crate::identity::types::Role;

/// Why a directory write was refused (the caller names the offending field).
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("unknown department {0}")]
    UnknownDepartment(String),
    #[error("unknown staff member {0}")]
    UnknownStaff(String),
    /// A feed asked to deactivate a portal administrator or privacy officer: only the
    /// portal's operators can (`portal deactivate`).
    #[error("staff member {0} is a portal administrator or privacy officer")]
    Protected(String),
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

/// An encounter, admission, appointment, referral, order, result or care team.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CareRelationship {
    pub key: String,
    pub kind: CareKind,
    pub patient_mrn: String,
    pub department_code: String,
    /// Every member of staff it names (staff numbers), the responsible one first.
    pub members: Vec<String>,
    pub starts_at: OffsetDateTime,
    pub ends_at: Option<OffsetDateTime>,
    pub status: String,
}

/// A patient's email address the directory replaced: the previous address is told (the
/// caller queues that message in the same transaction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressChange {
    pub account_id: i64,
    pub previous: String,
    pub locale: Locale,
}

/// Creates or updates a patient. A new patient gets the hospital's default language; an
/// existing one keeps the language they chose. A changed email address is recorded as an
/// action of the sending system (`source`) and returned, so the previous address can be
/// told.
pub async fn sync_patient<C: ConnectionTrait>(
    conn: &C,
    patient: &DirectoryPatient,
    source: &str,
    default_locale: Locale,
    now: OffsetDateTime,
) -> Result<(i64, Option<AddressChange>), DirectoryError> {
    let before = query::by_mrn(conn, &patient.mrn).await?;
    let row = DirectoryPatientRow {
        mrn: &patient.mrn,
        name: &patient.name,
        email: patient.email.as_deref(),
        family_name: patient.family_name.as_deref(),
        address_key: patient.address.as_deref().and_then(address_key),
        vip: patient.vip,
    };
    let existing = before.as_ref().map(|b| b.id);
    let id = write_directory_patient(conn, &row, existing, default_locale, now).await?;
    let change = before.and_then(|before| {
        let previous = before.email?;
        let new = patient.email.as_deref()?;
        (previous != new).then_some(AddressChange {
            account_id: id,
            previous,
            locale: before.locale,
        })
    });
    if change.is_some() {
        staff_action::record(
            conn,
            None,
            StaffAction::DirectoryEmailChange,
            Some(id),
            Some(&format!("hospital directory (source {source})")),
            now,
        )
        .await?;
    }
    Ok((id, change))
}

/// Creates or updates a member of staff. Deactivation ends their portal sessions at once.
/// The directory can undo only its own deactivations (an account the portal's operators
/// turned off stays off), and cannot deactivate portal administrators or privacy officers
/// (refused with [`DirectoryError::Protected`], and recorded).
pub async fn sync_staff<C: ConnectionTrait>(
    conn: &C,
    staff: &DirectoryStaff,
    default_locale: Locale,
    now: OffsetDateTime,
) -> Result<i64, DirectoryError> {
    let before = query::by_staff_number(conn, &staff.staff_number).await?;
    if let Some(before) = before.as_ref().filter(|b| b.active && !staff.active) {
        let roles = crate::identity::server::roles::roles_of(conn, before.id).await?;
        if roles
            .iter()
            .any(|role| matches!(role, Role::Admin | Role::PrivacyOfficer))
        {
            staff_action::record(
                conn,
                None,
                StaffAction::DirectoryDeactivationRefused,
                Some(before.id),
                None,
                now,
            )
            .await?;
            return Err(DirectoryError::Protected(staff.staff_number.clone()));
        }
    }
    let row = DirectoryStaffRow {
        staff_number: &staff.staff_number,
        name: &staff.name,
        email: staff.email.as_deref(),
        family_name: staff.family_name.as_deref(),
        address_key: staff.address.as_deref().and_then(address_key),
        own_mrn: staff.own_mrn.as_deref(),
    };
    let existing = before.as_ref().map(|b| b.id);
    let id = write_directory_staff(conn, &row, staff.active, existing, default_locale, now).await?;
    match before.map(|before| before.active) {
        // Through `deactivate`, so that deactivation also ends sessions.
        Some(true) if !staff.active => {
            deactivate(conn, id, Deactivator::Directory, now).await?;
        }
        Some(false) if staff.active => {
            // A no-op when the portal's operators turned the account off.
            reactivate(conn, id, Deactivator::Directory, now).await?;
        }
        _ => {}
    }
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
    let id = query::by_staff_number(conn, staff_number)
        .await?
        .ok_or_else(|| DirectoryError::UnknownStaff(staff_number.to_owned()))?
        .id;
    let department = match department_code {
        Some(code) => Some(department_id(conn, code).await?),
        None => None,
    };
    set_job(conn, id, department, job_title, now).await?;
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
        set_working_hours(conn, id, &json).await?;
    }
    Ok(id)
}

/// Records a care relationship (keyed by the sending system's identifier) and the staff
/// it names; a resent one replaces what it said before. Returns its id.
pub async fn sync_care<C: ConnectionTrait>(
    conn: &C,
    source_id: i64,
    relationship: &CareRelationship,
) -> Result<i64, DirectoryError> {
    let department = department_id(conn, &relationship.department_code).await?;
    let row = care::ActiveModel {
        id: NotSet,
        source_id: Set(source_id),
        source_key: Set(relationship.key.clone()),
        patient_mrn: Set(relationship.patient_mrn.clone()),
        department_id: Set(department),
        staff_number: Set(relationship.members.first().cloned()),
        starts_at: Set(relationship.starts_at),
        ends_at: Set(relationship.ends_at),
        status: Set(relationship.status.clone()),
        kind: Set(relationship.kind.code().to_owned()),
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
                    care::Column::Kind,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    let id: i64 = care::Entity::find()
        .select_only()
        .column(care::Column::Id)
        .filter(care::Column::SourceId.eq(source_id))
        .filter(care::Column::SourceKey.eq(relationship.key.as_str()))
        .into_tuple()
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("care relationship just written".into()))?;
    member::Entity::delete_many()
        .filter(member::Column::CareId.eq(id))
        .exec(conn)
        .await?;
    let mut members: Vec<&String> = relationship.members.iter().collect();
    members.sort();
    members.dedup();
    if !members.is_empty() {
        member::Entity::insert_many(members.into_iter().map(|number| member::ActiveModel {
            care_id: Set(id),
            staff_number: Set(number.clone()),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(id)
}

/// A care relationship that counts for the rules and explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarePeriod {
    pub patient_mrn: String,
    pub kind: CareKind,
    pub department_id: i64,
    /// Staff numbers it names.
    pub members: Vec<String>,
    pub starts_at: OffsetDateTime,
    /// As the source sent it: `None` when it sent no end.
    pub ends_at: Option<OffsetDateTime>,
    /// Whether its status says it is over ([`status_ended`]), sent with an end or not.
    pub status_ended: bool,
}

impl CarePeriod {
    /// When the care ended ([`ended_at`]).
    #[must_use]
    pub fn ended_at(&self) -> Option<OffsetDateTime> {
        ended_at(self.kind, self.status_ended, (self.starts_at, self.ends_at))
    }
}

impl CareRelationship {
    /// When the care ended ([`ended_at`]).
    #[must_use]
    pub fn ended_at(&self) -> Option<OffsetDateTime> {
        let over = status_ended(&self.status);
        ended_at(self.kind, over, (self.starts_at, self.ends_at))
    }
}

/// When care of `kind` from `starts_at` to `ends_at` (as its source sent them) ended: its
/// end, else its start when it happens at a moment ([`CareKind::lasts`]) or its status
/// says it is over (`over`); `None` while it is still going on. A laboratory order from
/// last year explains nothing today, nor does a visit sent as finished without its end:
/// read from its start, it still explains the month after it.
fn ended_at(
    kind: CareKind,
    over: bool,
    (starts_at, ends_at): (OffsetDateTime, Option<OffsetDateTime>),
) -> Option<OffsetDateTime> {
    ends_at.or_else(|| (over || !kind.lasts()).then_some(starts_at))
}

/// Values per `IN (…)` list.
const LOOKUP_CHUNK: usize = 2_000;

/// The care relationships of the patients `mrns` that were not cancelled or entered in
/// error and overlap `from..=to` as [`CarePeriod::ended_at`] reads them (care still going
/// on overlaps it when it began by `to`), with the staff they name. Accesses are
/// explained by the care around them: a patient's years of earlier visits and orders
/// need not be read for each one.
pub async fn care_periods<C: ConnectionTrait>(
    conn: &C,
    mrns: &[String],
    (from, to): (OffsetDateTime, OffsetDateTime),
) -> Result<Vec<CarePeriod>, DbErr> {
    let lasting = CareKind::ALL
        .iter()
        .filter(|kind| kind.lasts())
        .map(|kind| kind.code());
    let going_on = Condition::all()
        .add(care::Column::Kind.is_in(lasting))
        .add(care::Column::Status.is_not_in(ENDED_STATUSES));
    let no_end = Condition::all().add(care::Column::EndsAt.is_null()).add(
        Condition::any()
            .add(going_on)
            .add(care::Column::StartsAt.gte(from)),
    );
    let rows = care::Entity::find()
        .filter(care::Column::PatientMrn.is_in(mrns.iter().cloned()))
        .filter(care::Column::Status.is_not_in(["cancelled", "entered-in-error"]))
        .filter(care::Column::StartsAt.lte(to))
        .filter(
            Condition::any()
                .add(no_end)
                .add(care::Column::EndsAt.gte(from)),
        )
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut members: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        for row in member::Entity::find()
            .filter(member::Column::CareId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            members
                .entry(row.care_id)
                .or_default()
                .push(row.staff_number);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| CarePeriod {
            kind: CareKind::from_code(&row.kind).unwrap_or(CareKind::Encounter),
            members: members.remove(&row.id).unwrap_or_default(),
            patient_mrn: row.patient_mrn,
            department_id: row.department_id,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            status_ended: status_ended(&row.status),
        })
        .collect())
}

/// The id of the department with `code`.
pub async fn department_id<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<i64, DirectoryError> {
    department_by_code(conn, code)
        .await?
        .ok_or_else(|| DirectoryError::UnknownDepartment(code.to_owned()))
}

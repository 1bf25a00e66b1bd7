//! A patient's log settings: notification choice and watch list.

use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;

use super::entity::watch;
use crate::access_log::types::{LogSettingsView, NotifyChoice, WatchView};
use crate::accounts::server::service;
use crate::identity::server::access::PatientCap;

/// Most entries on one patient's watch list (every ingested access is compared with each).
pub const WATCH_LIST_MAX: u64 = 20;

/// The patient's notification choice and watch list, with the departments they may pick.
pub async fn view(
    state: &crate::state::AppState,
    cap: &PatientCap,
) -> Result<LogSettingsView, crate::error::AppError> {
    use crate::error::AppError;
    use crate::ssr::request::OrInternal;
    let me = crate::accounts::server::query::by_id(&state.db, cap.account_id())
        .await
        .or_internal()?
        .ok_or(AppError::NotFound)?;
    let departments = super::query::departments(&state.db).await.or_internal()?;
    let watch = watch_list(&state.db, cap, &departments)
        .await
        .or_internal()?;
    Ok(LogSettingsView {
        notify: NotifyChoice::from_code(&me.notify).unwrap_or(NotifyChoice::Immediate),
        has_email: me.email.is_some(),
        watch,
        departments,
    })
}

/// Sets how the patient hears about their log.
pub async fn set_notify<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    choice: NotifyChoice,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    // The first week starts now; choosing weekly again keeps the running week.
    let week_from = (choice == NotifyChoice::Weekly).then_some(now);
    service::set_notify(conn, cap.account_id(), choice.code(), week_from, now).await
}

/// The patient's watch list.
pub async fn watch_list<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    departments: &[crate::access_log::types::DepartmentView],
) -> Result<Vec<WatchView>, DbErr> {
    Ok(watch::Entity::find()
        .filter(watch::Column::AccountId.eq(cap.account_id()))
        .order_by_asc(watch::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| WatchView {
            id: row.id,
            person_name: row.person_name,
            department: row
                .department_id
                .and_then(|id| departments.iter().find(|d| d.id == id).cloned()),
        })
        .collect())
}

/// Adds a person (by name) or a department to the patient's watch list; `false` when the
/// list already holds [`WATCH_LIST_MAX`] entries.
pub async fn add_watch<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    person_name: Option<String>,
    department_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let held = watch::Entity::find()
        .filter(watch::Column::AccountId.eq(cap.account_id()))
        .count(conn)
        .await?;
    if held >= WATCH_LIST_MAX {
        return Ok(false);
    }
    let row = watch::ActiveModel {
        id: NotSet,
        account_id: Set(cap.account_id()),
        person_name: Set(person_name),
        department_id: Set(department_id),
        created_at: Set(now),
    };
    watch::Entity::insert(row)
        .exec_without_returning(conn)
        .await?;
    Ok(true)
}

/// Puts `name` on the watch list of the patient with `mrn`, once. For the operator's
/// demo hospital (`portal seed-demo`), which sets up what its patients would have chosen;
/// no request reaches it.
pub async fn seed_watch<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    name: &str,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let Some(patient) = crate::accounts::server::query::by_mrn(conn, mrn).await? else {
        return Ok(());
    };
    let existing = watch::Entity::find()
        .filter(watch::Column::AccountId.eq(patient.id))
        .filter(watch::Column::PersonName.eq(name))
        .one(conn)
        .await?;
    if existing.is_none() {
        watch::Entity::insert(watch::ActiveModel {
            id: NotSet,
            account_id: Set(patient.id),
            person_name: Set(Some(name.to_owned())),
            department_id: Set(None),
            created_at: Set(now),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// Adds a parsed entry to the patient's watch list: its department must be one of the
/// hospital's, and the list must have room.
pub async fn watch(
    state: &crate::state::AppState,
    cap: &PatientCap,
    new: crate::access_log::types::NewWatch,
) -> Result<(), crate::error::AppError> {
    use crate::error::AppError;
    use crate::ssr::request::OrInternal;
    if let Some(id) = new.department_id {
        let known = super::query::departments(&state.db).await.or_internal()?;
        if !known.iter().any(|d| d.id == id) {
            return Err(AppError::invalid("department"));
        }
    }
    let added = add_watch(
        &state.db,
        cap,
        new.person_name,
        new.department_id,
        state.clock.now(),
    )
    .await
    .or_internal()?;
    if added {
        Ok(())
    } else {
        // The list is full: a patient watches a few people, not the hospital.
        Err(AppError::invalid("watch_full"))
    }
}

/// Removes one of the patient's own watch entries; `false` if it is not theirs.
pub async fn remove_watch<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    id: i64,
) -> Result<bool, DbErr> {
    let result = watch::Entity::delete_many()
        .filter(watch::Column::Id.eq(id))
        .filter(watch::Column::AccountId.eq(cap.account_id()))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

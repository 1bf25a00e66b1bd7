//! Reading and writing hospital settings and departments.

use sea_orm::{
    sea_query::OnConflict, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;

use super::entity::{department, hospital};
use crate::hospital::types::HospitalView;
use crate::i18n::Locale;

/// The id of the single hospital row.
const HOSPITAL_ROW: i32 = 1;

/// The hospital's settings as configured by the operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HospitalSettings {
    pub name_zh_hans: String,
    pub name_en: String,
    /// IANA time zone name, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    pub default_locale: Locale,
}

/// Writes the configured settings into the hospital row (creating it on first start).
pub async fn apply_settings<C: ConnectionTrait>(
    conn: &C,
    settings: &HospitalSettings,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let row = hospital::ActiveModel {
        id: Set(HOSPITAL_ROW),
        name_zh_hans: Set(settings.name_zh_hans.clone()),
        name_en: Set(settings.name_en.clone()),
        time_zone: Set(settings.time_zone.clone()),
        default_locale: Set(settings.default_locale.tag().to_owned()),
        updated_at: Set(now),
    };
    hospital::Entity::insert(row)
        .on_conflict(
            OnConflict::column(hospital::Column::Id)
                .update_columns([
                    hospital::Column::NameZhHans,
                    hospital::Column::NameEn,
                    hospital::Column::TimeZone,
                    hospital::Column::DefaultLocale,
                    hospital::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(conn)
        .await?;
    Ok(())
}

/// The hospital's name in `locale`.
pub async fn name<C: ConnectionTrait>(conn: &C, locale: Locale) -> Result<String, DbErr> {
    let row = hospital::Entity::find_by_id(HOSPITAL_ROW)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("hospital settings row".into()))?;
    Ok(match locale {
        Locale::ZhHans => row.name_zh_hans,
        Locale::En => row.name_en,
    })
}

/// The public profile shown on the landing page.
pub async fn profile<C: ConnectionTrait>(conn: &C, locale: Locale) -> Result<HospitalView, DbErr> {
    Ok(HospitalView {
        name: name(conn, locale).await?,
    })
}

/// A department as the hospital names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDepartment {
    pub code: String,
    pub name_zh_hans: String,
    pub name_en: String,
}

/// Creates the department, or renames it if its code exists; returns its id.
pub async fn upsert_department<C: ConnectionTrait>(
    conn: &C,
    new: &NewDepartment,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    let row = department::ActiveModel {
        id: NotSet,
        code: Set(new.code.clone()),
        name_zh_hans: Set(new.name_zh_hans.clone()),
        name_en: Set(new.name_en.clone()),
        created_at: Set(now),
        working_hours: NotSet,
    };
    department::Entity::insert(row)
        .on_conflict(
            OnConflict::column(department::Column::Code)
                .update_columns([department::Column::NameZhHans, department::Column::NameEn])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    department::Entity::find()
        .filter(department::Column::Code.eq(new.code.as_str()))
        .one(conn)
        .await?
        .map(|row| row.id)
        .ok_or_else(|| DbErr::RecordNotFound(format!("department {}", new.code)))
}

/// A department as other features see it (the table stays private to this module).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub code: String,
    pub name_zh_hans: String,
    pub name_en: String,
    /// `directory::types::WorkingHours` as JSON; `None` when the directory has not said.
    pub working_hours: Option<String>,
}

impl From<department::Model> for Department {
    fn from(row: department::Model) -> Self {
        Department {
            id: row.id,
            code: row.code,
            name_zh_hans: row.name_zh_hans,
            name_en: row.name_en,
            working_hours: row.working_hours,
        }
    }
}

/// Every department, by code.
pub async fn departments<C: ConnectionTrait>(conn: &C) -> Result<Vec<Department>, DbErr> {
    Ok(department::Entity::find()
        .order_by_asc(department::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(Department::from)
        .collect())
}

/// The code of the department with `id`, if there is one.
pub async fn department_code<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<String>, DbErr> {
    Ok(department::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|row| row.code))
}

/// The id of the department with `code`, if there is one.
pub async fn department_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<i64>, DbErr> {
    Ok(department::Entity::find()
        .filter(department::Column::Code.eq(code))
        .one(conn)
        .await?
        .map(|row| row.id))
}

/// Stores a department's opening hours (`WorkingHours` as JSON).
pub async fn set_working_hours<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    hours_json: &str,
) -> Result<(), DbErr> {
    department::Entity::update_many()
        .col_expr(
            department::Column::WorkingHours,
            sea_orm::sea_query::Expr::value(hours_json),
        )
        .filter(department::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

//! Table `care_relationship`: encounters, admissions, appointments, referrals, orders,
//! results and care teams, the evidence that a department or person had a reason to open
//! a patient's record.

use sea_orm::entity::prelude::*;
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_relationship")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The access source (hospital system) that sent it, and its own identifier.
    pub source_id: i64,
    pub source_key: String,
    pub patient_mrn: String,
    pub department_id: i64,
    pub staff_number: Option<String>,
    pub starts_at: OffsetDateTime,
    /// `None` while it is still going on.
    pub ends_at: Option<OffsetDateTime>,
    /// The FHIR status as sent (`planned`, `in-progress`, `finished`, `cancelled`, …).
    pub status: String,
    /// `CareKind` code.
    pub kind: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Table `care_member`: every member of staff a care relationship names (the doctor and
//! nurse of a visit, who placed and who received an order, a care team's members).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub care_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub staff_number: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Per-patient counts of the access log, kept by ingestion in the same transaction as the
//! events, so the patient's page reads a few hundred counts instead of every event: one
//! row per patient, local day, department, category and unusual flag. The day is the
//! hospital's local day; `access_summary_state` names the time zone the days were counted
//! in (the portal counts again when it changes).

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut unusual = ColumnDef::new(Alias::new("unusual"));
        unusual.boolean().not_null();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("access_summary"))
                    .col(text("patient_mrn"))
                    // `YYYY-MM-DD` in the hospital's time zone: sorts as dates, its first
                    // seven characters are the month.
                    .col(text("day"))
                    // 0 for accesses without a department (a key column cannot be NULL).
                    .col(big_int("department_id"))
                    .col(text("category"))
                    .col(unusual)
                    .col(big_int("events"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("patient_mrn"))
                            .col(Alias::new("day"))
                            .col(Alias::new("department_id"))
                            .col(Alias::new("category"))
                            .col(Alias::new("unusual")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("access_summary_state"))
                    .col(
                        ColumnDef::new(Alias::new("id"))
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(text("time_zone"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["access_summary_state", "access_summary"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Per-patient counts of the access log, kept by ingestion in the same transaction as the
//! events, so the patient's page reads a few thousand counts instead of every event: one
//! row per patient, local month (`access_summary_month`, for the whole log) or local day
//! (`access_summary`, for a chosen period), department, category and unusual flag. Days
//! and months are the hospital's; `access_summary_state` names the time zone they were
//! counted in (the portal counts again when it changes).

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A table of counts per patient, `period` (day or month), department, category and
/// unusual flag.
fn counts(table: &str, period: &'static str) -> TableCreateStatement {
    let mut unusual = ColumnDef::new(Alias::new("unusual"));
    unusual.boolean().not_null();
    Table::create()
        .table(Alias::new(table))
        .col(text("patient_mrn"))
        .col(text(period))
        // 0 for accesses without a department (a key column cannot be NULL).
        .col(big_int("department_id"))
        .col(text("category"))
        .col(unusual)
        .col(big_int("events"))
        .primary_key(
            Index::create()
                .col(Alias::new("patient_mrn"))
                .col(Alias::new(period))
                .col(Alias::new("department_id"))
                .col(Alias::new("category"))
                .col(Alias::new("unusual")),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // `YYYY-MM-DD` days sort as dates and their first seven characters are the month.
        manager
            .create_table(counts("access_summary", "day"))
            .await?;
        manager
            .create_table(counts("access_summary_month", "month"))
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
        for table in [
            "access_summary_state",
            "access_summary_month",
            "access_summary",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

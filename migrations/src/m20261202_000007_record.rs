//! The part of each patient's record the hospital shares: one row per resource a source
//! system sent (upserted by its id within that source), and every version received, so a
//! resource removed or marked entered-in-error leaves the patient's view but not the
//! history.

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn entry_columns(table: &mut TableCreateStatement) {
    table
        .col(big_int("account_id"))
        .col(text("section"))
        // The fields as a JSON array of [field code, value] pairs.
        .col(text("fields"))
        .col(text_null("dated"))
        // `live`, or why it left the patient's view: `deleted`, `entered-in-error`.
        .col(text("status"))
        .col(big_int("version"));
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut entry = Table::create();
        entry
            .table(Alias::new("record_entry"))
            .col(id_column(backend, "id"))
            .col(big_int("source_id"))
            .col(text("resource_type"))
            .col(text("resource_id"));
        entry_columns(&mut entry);
        entry
            .col(timestamp("received_at").not_null())
            .col(timestamp("updated_at").not_null());
        manager.create_table(entry).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_record_entry_resource")
                    .table(Alias::new("record_entry"))
                    .col(Alias::new("source_id"))
                    .col(Alias::new("resource_type"))
                    .col(Alias::new("resource_id"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_record_entry_patient")
                    .table(Alias::new("record_entry"))
                    .col(Alias::new("account_id"))
                    .col(Alias::new("section"))
                    .to_owned(),
            )
            .await?;
        let mut version = Table::create();
        version
            .table(Alias::new("record_entry_version"))
            .col(id_column(backend, "id"))
            .col(big_int("entry_id"));
        entry_columns(&mut version);
        version.col(timestamp("received_at").not_null());
        manager.create_table(version).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_record_entry_version")
                    .table(Alias::new("record_entry_version"))
                    .col(Alias::new("entry_id"))
                    .col(Alias::new("version"))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["record_entry_version", "record_entry"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

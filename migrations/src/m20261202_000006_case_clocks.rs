//! Clocks for cases the hospital answers on time (correction requests first; complaints
//! and anonymous reports later): one row per case, with its due date, its one extension,
//! and when its reminder and escalation were sent.

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("case_clock"))
                    .col(id_column(backend, "id"))
                    .col(text("case_kind"))
                    .col(big_int("case_id"))
                    .col(timestamp("opened_at").not_null())
                    .col(timestamp("due_at").not_null())
                    .col(timestamp("extended_at").null())
                    .col(
                        ColumnDef::new(Alias::new("extension_days"))
                            .integer()
                            .null(),
                    )
                    .col(text_null("extension_reason"))
                    .col(timestamp("due_before_extension").null())
                    .col(timestamp("reminded_at").null())
                    .col(timestamp("escalated_at").null())
                    .col(timestamp("stopped_at").null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_case_clock_case")
                    .table(Alias::new("case_clock"))
                    .col(Alias::new("case_kind"))
                    .col(Alias::new("case_id"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The workers look for open clocks by due date.
        manager
            .create_index(
                Index::create()
                    .name("ix_case_clock_due")
                    .table(Alias::new("case_clock"))
                    .col(Alias::new("case_kind"))
                    .col(Alias::new("due_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("case_clock")).to_owned())
            .await
    }
}

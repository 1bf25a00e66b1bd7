//! Anonymous reports of privacy violations: the report (its text sealed with a key of its
//! own, which is itself sealed with the portal's report key kept outside the database),
//! the messages between reporter and staff, files, every step the staff took, and the
//! record of each destruction when closed reports reach the end of their retention.
//! Nothing here names the reporter: no address, no browser, and for what the reporter
//! writes only the day, never the time. Clocks are in `case_clock`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::columns::{big_int, big_int_null, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn report_table(backend: DatabaseBackend) -> TableCreateStatement {
    Table::create()
        .table(Alias::new("report"))
        .col(id_column(backend, "id"))
        .col(text("kind"))
        .col(text("state"))
        // Keyed slow hash of the receipt code; of the passkey secret when one protects it.
        .col(text("receipt_hash"))
        .col(text_null("passkey_hash"))
        // The report's own key, sealed with the portal's report key.
        .col(text("sealed_key"))
        // What happened, where, when and who, sealed with the report's key.
        .col(text("sealed_account"))
        // The start of the day it came in (never the time).
        .col(timestamp("received_on").not_null())
        .col(big_int_null("handler_id"))
        // The internal complaint investigation it was linked to.
        .col(big_int_null("complaint_id"))
        .col(timestamp("closed_at").null())
        .to_owned()
}

fn side_tables(backend: DatabaseBackend) -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Alias::new("report_message"))
            .col(id_column(backend, "id"))
            .col(big_int("report_id"))
            // `reporter` or `staff`.
            .col(text("author"))
            .col(big_int_null("staff_id"))
            // `message`, `question`, `feedback` (to the reporter) or `note` (staff only).
            .col(text("kind"))
            .col(text("sealed_text"))
            .col(timestamp("at").not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("report_file"))
            .col(id_column(backend, "id"))
            .col(big_int("report_id"))
            .col(text("author"))
            .col(text("sealed_name"))
            .col(text("content_type"))
            .col(
                ColumnDef::new(Alias::new("sealed_content"))
                    .binary()
                    .not_null(),
            )
            .col(timestamp("at").not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("report_step"))
            .col(id_column(backend, "id"))
            .col(big_int("report_id"))
            .col(text("step"))
            .col(big_int_null("actor_id"))
            .col(text_null("detail"))
            .col(timestamp("at").not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("report_destruction"))
            .col(id_column(backend, "id"))
            .col(timestamp("at").not_null())
            // The rule that destroyed them, e.g. `closed + 90 days`.
            .col(text("rule"))
            .col(big_int("reports"))
            .col(big_int("files"))
            .col(big_int("messages"))
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager.create_table(report_table(backend)).await?;
        for table in side_tables(backend) {
            manager.create_table(table).await?;
        }
        for (name, column) in [
            ("ux_report_receipt", "receipt_hash"),
            ("ux_report_passkey", "passkey_hash"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new("report"))
                        .col(Alias::new(column))
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        for (name, table) in [
            ("ix_report_message_report", "report_message"),
            ("ix_report_file_report", "report_file"),
            ("ix_report_step_report", "report_step"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new(table))
                        .col(Alias::new("report_id"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "report_destruction",
            "report_step",
            "report_file",
            "report_message",
            "report",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Patients' requests to correct their record: the request (which entry and field, the
//! value then, the proposed one, the reason), its messages, and its evidence files (kept
//! in the database, images already without metadata). Clocks are in `case_clock`.

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, big_int_null, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn request_table(backend: sea_orm_migration::sea_orm::DatabaseBackend) -> TableCreateStatement {
    Table::create()
        .table(Alias::new("correction_request"))
        .col(id_column(backend, "id"))
        .col(text_null("reference"))
        .col(big_int("account_id"))
        // The entry corrected; none for "something is missing".
        .col(big_int_null("entry_id"))
        .col(text("section"))
        // A field code, or `missing`.
        .col(text("field"))
        .col(text_null("current_value"))
        .col(text("proposed_value"))
        .col(text("reason"))
        .col(text("state"))
        // The department the entry names (a document's), for the officers' filter.
        .col(text_null("department"))
        .col(big_int_null("assignee_id"))
        .col(timestamp("filed_at").not_null())
        .col(timestamp("updated_at").not_null())
        .col(timestamp("decided_at").null())
        .col(big_int_null("decided_by"))
        .col(text_null("decision_note"))
        .col(text_null("amended_value"))
        .col(timestamp("applied_at").null())
        .col(text_null("disagreement"))
        .col(timestamp("disagreement_at").null())
        .col(text_null("rebuttal"))
        .col(timestamp("rebuttal_at").null())
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager.create_table(request_table(backend)).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_correction_request_reference")
                    .table(Alias::new("correction_request"))
                    .col(Alias::new("reference"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_correction_request_patient")
                    .table(Alias::new("correction_request"))
                    .col(Alias::new("account_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("correction_message"))
                    .col(id_column(backend, "id"))
                    .col(big_int("request_id"))
                    .col(big_int("author_id"))
                    // `patient` or `staff`.
                    .col(text("author_side"))
                    .col(text("body"))
                    .col(timestamp("sent_at").not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("correction_file"))
                    .col(id_column(backend, "id"))
                    .col(big_int("request_id"))
                    .col(text("file_name"))
                    .col(text("content_type"))
                    .col(big_int("size"))
                    .col(ColumnDef::new(Alias::new("content")).binary().not_null())
                    .col(big_int("uploaded_by"))
                    .col(timestamp("uploaded_at").not_null())
                    .to_owned(),
            )
            .await?;
        for (name, table) in [
            ("ix_correction_message_request", "correction_message"),
            ("ix_correction_file_request", "correction_file"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new(table))
                        .col(Alias::new("request_id"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "correction_file",
            "correction_message",
            "correction_request",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

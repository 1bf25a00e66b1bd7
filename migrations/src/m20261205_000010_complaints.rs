//! Patients' privacy complaints and the hospital's handling of them (the procedure of
//! `../shared/reference/seeds/000_*`): the complaint, every step it went through, the
//! access-log entries it names, notes and messages, the investigation's evidence, the
//! patient's files, and the improvement actions it led to. Clocks are in `case_clock`.

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, big_int_null, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn complaint_table(backend: sea_orm_migration::sea_orm::DatabaseBackend) -> TableCreateStatement {
    Table::create()
        .table(Alias::new("complaint"))
        .col(id_column(backend, "id"))
        .col(text_null("reference"))
        .col(big_int("account_id"))
        .col(text("kind"))
        .col(text("account"))
        // The day it happened, `YYYY-MM-DD` as the patient gave it (they may not know).
        .col(text_null("happened_on"))
        .col(big_int_null("department_id"))
        .col(text_null("place"))
        .col(text("state"))
        // The privacy officer handling it, and the investigator leading the investigation.
        .col(big_int_null("handler_id"))
        .col(big_int_null("lead_id"))
        // Department ids of the investigation team, comma-separated.
        .col(text_null("team"))
        .col(text_null("scope"))
        .col(text_null("spread"))
        .col(text_null("findings"))
        .col(text_null("plan_patient"))
        .col(text_null("plan_accountability"))
        .col(text_null("plan_improvement"))
        .col(text_null("measures_taken"))
        .col(ColumnDef::new(Alias::new("satisfied")).boolean().null())
        .col(text_null("feedback"))
        .col(text_null("outcome"))
        .col(text_null("rejection_reason"))
        .col(text_null("root_cause"))
        .col(text_null("chain_link"))
        .col(
            ColumnDef::new(Alias::new("resolved_on_spot"))
                .boolean()
                .not_null()
                .default(false),
        )
        .col(timestamp("filed_at").not_null())
        .col(timestamp("updated_at").not_null())
        .col(timestamp("ended_at").null())
        .to_owned()
}

fn steps_table(backend: sea_orm_migration::sea_orm::DatabaseBackend) -> TableCreateStatement {
    Table::create()
        .table(Alias::new("complaint_step"))
        .col(id_column(backend, "id"))
        .col(big_int("complaint_id"))
        .col(text("step"))
        // The state the complaint entered (none for steps that change no state).
        .col(text_null("state"))
        // Nobody for the portal's own steps (the acknowledgement).
        .col(big_int_null("actor_id"))
        .col(text_null("note"))
        .col(timestamp("at").not_null())
        .to_owned()
}

/// The tables beside the complaint: entries it names, notes, evidence, files, actions.
fn side_tables(backend: sea_orm_migration::sea_orm::DatabaseBackend) -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Alias::new("complaint_entry"))
            .col(id_column(backend, "id"))
            .col(big_int("complaint_id"))
            .col(big_int("event_id"))
            .to_owned(),
        Table::create()
            .table(Alias::new("complaint_note"))
            .col(id_column(backend, "id"))
            .col(big_int("complaint_id"))
            .col(big_int("author_id"))
            // `patient` or `staff`.
            .col(text("author_side"))
            // `internal` (staff only) or `patient` (the patient reads it).
            .col(text("visibility"))
            .col(text("body"))
            .col(timestamp("sent_at").not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("complaint_evidence"))
            .col(id_column(backend, "id"))
            .col(big_int("complaint_id"))
            // `document`, `log_extract` or `interview`.
            .col(text("kind"))
            .col(text("title"))
            .col(text("body"))
            .col(big_int("recorded_by"))
            .col(timestamp("recorded_at").not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("complaint_file"))
            .col(id_column(backend, "id"))
            .col(big_int("complaint_id"))
            .col(text("file_name"))
            .col(text("content_type"))
            .col(big_int("size"))
            .col(ColumnDef::new(Alias::new("content")).binary().not_null())
            .col(big_int("uploaded_by"))
            .col(timestamp("uploaded_at").not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("improvement_action"))
            .col(id_column(backend, "id"))
            .col(big_int("complaint_id"))
            .col(text("description"))
            .col(big_int("owner_id"))
            // `YYYY-MM-DD`, the hospital's day.
            .col(text("due_on"))
            .col(big_int("created_by"))
            .col(timestamp("created_at").not_null())
            .col(timestamp("done_at").null())
            // How the effect was checked, and what was found.
            .col(text_null("effect"))
            .col(big_int_null("checked_by"))
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager.create_table(complaint_table(backend)).await?;
        manager.create_table(steps_table(backend)).await?;
        for table in side_tables(backend) {
            manager.create_table(table).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ux_complaint_reference")
                    .table(Alias::new("complaint"))
                    .col(Alias::new("reference"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_complaint_patient")
                    .table(Alias::new("complaint"))
                    .col(Alias::new("account_id"))
                    .to_owned(),
            )
            .await?;
        for (name, table) in [
            ("ix_complaint_step_complaint", "complaint_step"),
            ("ix_complaint_entry_complaint", "complaint_entry"),
            ("ix_complaint_note_complaint", "complaint_note"),
            ("ix_complaint_evidence_complaint", "complaint_evidence"),
            ("ix_complaint_file_complaint", "complaint_file"),
            ("ix_improvement_action_complaint", "improvement_action"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new(table))
                        .col(Alias::new("complaint_id"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "improvement_action",
            "complaint_file",
            "complaint_evidence",
            "complaint_note",
            "complaint_entry",
            "complaint_step",
            "complaint",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

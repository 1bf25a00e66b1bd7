//! Review cases: the accesses that need a person's eyes, grouped per member of staff,
//! patient and local day, and ranked, so the privacy officer reads cases, not events.
//! Each queue item (one per event, as before) names its case; reviews made before this
//! migration are grouped by the server at start-up (the day needs the hospital's zone).

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, big_int_null, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut out_of_care = ColumnDef::new(Alias::new("out_of_care"));
        out_of_care.boolean().not_null().default(false);
        let mut night_unnamed = big_int("night_unnamed");
        night_unnamed.default(0);
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("access_case"))
                    .col(id_column(backend, "id"))
                    // The staff number, or the name when the source sent none.
                    .col(text("agent_key"))
                    .col(text("agent_name"))
                    .col(text("patient_mrn"))
                    // `YYYY-MM-DD` in the hospital's time zone.
                    .col(text("day"))
                    .col(big_int("events"))
                    // Accesses by staff that nothing in the patient's care explains.
                    .col(big_int("unexplained"))
                    // Rule codes of its events, comma-separated.
                    .col(text("rules"))
                    // The patient was in no department's care within a day of an
                    // unexplained access.
                    .col(out_of_care)
                    // Accesses in the night explained only by the department, by someone
                    // its care did not name while it named others.
                    .col(night_unnamed)
                    .col(big_int("score"))
                    .col(text("state"))
                    .col(timestamp("question_at").null())
                    .col(timestamp("first_at").not_null())
                    .col(timestamp("last_at").not_null())
                    .col(big_int_null("resolved_by"))
                    .col(text_null("resolution_note"))
                    .col(timestamp("created_at").not_null())
                    .col(timestamp("updated_at").not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_access_case_key")
                    .table(Alias::new("access_case"))
                    .col(Alias::new("patient_mrn"))
                    .col(Alias::new("day"))
                    .col(Alias::new("agent_key"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_case_queue")
                    .table(Alias::new("access_case"))
                    .col(Alias::new("state"))
                    .col(Alias::new("score"))
                    .col(Alias::new("last_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_review"))
                    .add_column(big_int_null("case_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_review_case")
                    .table(Alias::new("access_review"))
                    .col(Alias::new("case_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_access_review_case")
                    .table(Alias::new("access_review"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_review"))
                    .drop_column(Alias::new("case_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("access_case")).to_owned())
            .await
    }
}

//! What a correction leaves on an entry of the record: the amendment (the original value
//! kept beside it), the patient's statement of disagreement, and the hospital's rebuttal,
//! each with who wrote it and when, and when the hospital's system applied an amendment.

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
                    .table(Alias::new("record_note"))
                    .col(id_column(backend, "id"))
                    .col(big_int("entry_id"))
                    // `amendment`, `disagreement` or `rebuttal`.
                    .col(text("kind"))
                    .col(text_null("field"))
                    .col(text_null("original"))
                    .col(text("body"))
                    .col(text("author"))
                    // The correction request it came from.
                    .col(text("reference"))
                    .col(timestamp("noted_at").not_null())
                    .col(timestamp("applied_at").null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_record_note_entry")
                    .table(Alias::new("record_note"))
                    .col(Alias::new("entry_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("record_note")).to_owned())
            .await
    }
}

//! A person who opened, with nothing to explain them, the records of two or more patients
//! in no one's care is watched for a week: their next unexplained look, even at a patient
//! in care elsewhere (which alone reads like a corridor question), ranks its case at the
//! review line. Cases keep that they followed such a look, and are found by person and time
//! (existing cases start without it: they were ranked before).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut column = ColumnDef::new(Alias::new("follows_out_of_care"));
        column.boolean().not_null().default(false);
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_case"))
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_case_agent")
                    .table(Alias::new("access_case"))
                    .col(Alias::new("agent_key"))
                    .col(Alias::new("first_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_access_case_agent")
                    .table(Alias::new("access_case"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_case"))
                    .drop_column(Alias::new("follows_out_of_care"))
                    .to_owned(),
            )
            .await
    }
}

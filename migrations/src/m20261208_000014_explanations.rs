//! Why an access was normal. Care relationships get their kind (encounter, admission,
//! appointment, referral, order, result, care team) and every member of staff they name;
//! each access event gets the reason that explained it, kept beside the event and outside
//! its hashed record, because a reason can arrive after the access (an encounter
//! registered late) and is then added.

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, big_int_null, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut kind = text("kind");
        kind.default("encounter");
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("care_relationship"))
                    .add_column(kind)
                    .to_owned(),
            )
            .await?;
        for column in [
            // The reason's code, the kind of care it rests on, that care's department and
            // start.
            text_null("explained_by"),
            text_null("explained_kind"),
            big_int_null("explained_department_id"),
            {
                let mut since = timestamp("explained_since");
                since.null();
                since
            },
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("access_event"))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("care_member"))
                    .col(big_int("care_id"))
                    .col(text("staff_number"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("care_id"))
                            .col(Alias::new("staff_number")),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("care_member")).to_owned())
            .await?;
        for column in [
            "explained_by",
            "explained_kind",
            "explained_department_id",
            "explained_since",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("access_event"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("care_relationship"))
                    .drop_column(Alias::new("kind"))
                    .to_owned(),
            )
            .await
    }
}

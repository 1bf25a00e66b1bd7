//! Edges that hold: source tokens carry scopes, the portal's own deactivations are told
//! apart from the directory's, outbox messages carrying a secret are marked for erasure
//! after delivery, and every review decision is kept (not only the latest).

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Scopes of tokens issued before scopes existed: what those tokens could do then.
const SCOPES_BEFORE: &str = "events directory consent-read";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_source"))
                    .add_column(
                        ColumnDef::new(Alias::new("scopes"))
                            .text()
                            .not_null()
                            .default(SCOPES_BEFORE),
                    )
                    .to_owned(),
            )
            .await?;
        // `portal` when the portal (an operator) deactivated the account, `directory` when
        // the hospital directory did: a directory feed may undo only its own.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("account"))
                    .add_column(text_null("deactivated_by"))
                    .to_owned(),
            )
            .await?;
        // Accounts already off were turned off by an operator or by a feed, and which is
        // not known: keep them off (an operator can turn one on with `portal reactivate`).
        manager
            .exec_stmt(
                Query::update()
                    .table(Alias::new("account"))
                    .value(Alias::new("deactivated_by"), "portal")
                    .and_where(Expr::col(Alias::new("active")).eq(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("email_outbox"))
                    .add_column(
                        ColumnDef::new(Alias::new("carries_secret"))
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("access_review_decision"))
                    .col(id_column(backend, "id"))
                    .col(big_int("event_id"))
                    .col(text("state"))
                    .col(big_int("decided_by"))
                    .col(text("note"))
                    .col(timestamp("decided_at").not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_review_decision_event")
                    .table(Alias::new("access_review_decision"))
                    .col(Alias::new("event_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("access_review_decision"))
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            ("email_outbox", "carries_secret"),
            ("account", "deactivated_by"),
            ("access_source", "scopes"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

//! Access transparency: the hospital's directory (addresses, working hours, care
//! relationships), source systems that push access events, the hash-linked access log
//! with its signed checkpoints, the privacy officer's review queue, and each patient's
//! watch list and notification choice.

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, big_int_null, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn add_column(table: &str, column: ColumnDef) -> TableAlterStatement {
    // One column per statement: SQLite cannot add several at once.
    Table::alter()
        .table(Alias::new(table))
        .add_column(column)
        .to_owned()
}

fn flag(name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    column.boolean().not_null().default(false);
    column
}

fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(Alias::new(table));
    for column in columns {
        statement.col(Alias::new(*column));
    }
    statement
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        // Directory facts the unusual-access rules compare.
        let mut notify = ColumnDef::new(Alias::new("notify"));
        notify.text().not_null().default("immediate");
        for column in [
            text_null("family_name"),
            // Address reduced to letters and digits, compared for equality only.
            text_null("address_key"),
            // A member of staff's own medical record number, when the directory knows it.
            text_null("own_mrn"),
            flag("vip"),
            notify,
            timestamp("last_digest_at").null().to_owned(),
        ] {
            manager.alter_table(add_column("account", column)).await?;
        }
        // Weekly opening hours as JSON; NULL means unknown (the rule then stays quiet).
        manager
            .alter_table(add_column("department", text_null("working_hours")))
            .await?;

        sources_and_events(manager, backend).await?;
        chain_and_reviews(manager, backend).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "access_watch",
            "access_review",
            "access_checkpoint",
            "access_patient_head",
            "access_chain_head",
            "access_event",
            "care_relationship",
            "access_source",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The chain heads, the review queue and the watch list (the second half of `up`).
async fn chain_and_reviews(
    manager: &SchemaManager<'_>,
    backend: sea_orm_migration::sea_orm::DatabaseBackend,
) -> Result<(), DbErr> {
    // The head of the whole chain (one row) and of each patient's chain. Ingestion
    // locks the first, so events are linked in exactly one order.
    manager
        .create_table(
            Table::create()
                .table(Alias::new("access_chain_head"))
                .col(
                    ColumnDef::new(Alias::new("id"))
                        .integer()
                        .not_null()
                        .primary_key(),
                )
                .col(big_int("last_event_id"))
                .col(text("hash"))
                .to_owned(),
        )
        .await?;
    // The chain starts from a hash of zeros (`record::GENESIS`).
    let genesis = Query::insert()
        .into_table(Alias::new("access_chain_head"))
        .columns([
            Alias::new("id"),
            Alias::new("last_event_id"),
            Alias::new("hash"),
        ])
        .values([1.into(), 0.into(), "0".repeat(64).into()])
        .map_err(|e| DbErr::Migration(e.to_string()))?
        .to_owned();
    manager.exec_stmt(genesis).await?;
    manager
        .create_table(
            Table::create()
                .table(Alias::new("access_patient_head"))
                .col(text("patient_mrn").primary_key())
                .col(big_int("last_event_id"))
                .col(big_int("events"))
                .col(text("hash"))
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(Alias::new("access_checkpoint"))
                .col(id_column(backend, "id"))
                .col(big_int("last_event_id"))
                .col(text("hash"))
                .col(timestamp("signed_at").not_null())
                .col(text("public_key"))
                .col(text("signature"))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Alias::new("access_review"))
                .col(big_int("event_id").primary_key())
                .col(text("patient_mrn"))
                .col(text("state"))
                .col(text_null("patient_question"))
                .col(timestamp("question_at").null())
                .col(big_int_null("resolved_by"))
                .col(text_null("resolution_note"))
                .col(timestamp("created_at").not_null())
                .col(timestamp("updated_at").not_null())
                .to_owned(),
        )
        .await?;
    manager
        .create_index(index(
            "ix_access_review_state",
            "access_review",
            &["state", "question_at", "event_id"],
        ))
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Alias::new("access_watch"))
                .col(id_column(backend, "id"))
                .col(big_int("account_id"))
                .col(text_null("person_name"))
                .col(big_int_null("department_id"))
                .col(timestamp("created_at").not_null())
                .to_owned(),
        )
        .await?;
    manager
        .create_index(index(
            "ix_access_watch_account",
            "access_watch",
            &["account_id"],
        ))
        .await
}

/// The source systems and the events (the middle of `up`).
async fn sources_and_events(
    manager: &SchemaManager<'_>,
    backend: sea_orm_migration::sea_orm::DatabaseBackend,
) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Alias::new("access_source"))
                .col(id_column(backend, "id"))
                .col(text("name").unique_key())
                .col(text("token_hash").unique_key())
                .col(timestamp("created_at").not_null())
                .col(timestamp("revoked_at").null())
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Alias::new("care_relationship"))
                .col(id_column(backend, "id"))
                .col(big_int("source_id"))
                .col(text("source_key"))
                .col(text("patient_mrn"))
                .col(big_int("department_id"))
                .col(text_null("staff_number"))
                .col(timestamp("starts_at").not_null())
                .col(timestamp("ends_at").null())
                .col(text("status"))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            index(
                "ux_care_relationship_source",
                "care_relationship",
                &["source_id", "source_key"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
    manager
        .create_index(index(
            "ix_care_relationship_patient",
            "care_relationship",
            &["patient_mrn", "department_id", "starts_at"],
        ))
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Alias::new("access_event"))
                .col(id_column(backend, "id"))
                .col(big_int("source_id"))
                .col(text("source_event_id"))
                .col(text("patient_mrn"))
                .col(timestamp("occurred_at").not_null())
                .col(timestamp("received_at").not_null())
                .col(text("category"))
                .col(text("action"))
                .col(text("purpose"))
                .col(text("agent_kind"))
                .col(text_null("agent_ref"))
                .col(text("agent_name"))
                .col(text_null("agent_role"))
                .col(big_int_null("department_id"))
                .col(text("flags"))
                .col(flag("unusual"))
                // The canonical JSON the hash covers; the columns above are derived from
                // it, and `verify` checks that they still agree.
                .col(text("record"))
                .col(text("prev_hash"))
                .col(text("patient_prev_hash"))
                .col(text("hash"))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            index(
                "ux_access_event_source",
                "access_event",
                &["source_id", "source_event_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
    manager
        .create_index(index(
            "ix_access_event_patient",
            "access_event",
            &["patient_mrn", "occurred_at", "id"],
        ))
        .await?;
    manager
        .create_index(index(
            "ix_access_event_agent",
            "access_event",
            &["agent_ref", "occurred_at"],
        ))
        .await
}

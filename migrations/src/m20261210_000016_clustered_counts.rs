//! On SQLite, the per-patient tables that every ingestion batch writes (the day and month
//! counts, the patients' chain heads) become `WITHOUT ROWID` tables: stored in their key's
//! order, one B-tree each instead of a table and a separate index of its key. Each access
//! touches one page fewer of each, and the pages a batch writes out at commit are where
//! its time went (`portal bench`). PostgreSQL has no such choice; nothing changes there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables, their columns (SQL) and their key.
const TABLES: [(&str, &str, &str); 3] = [
    (
        "access_summary",
        "\"patient_mrn\" text NOT NULL, \"day\" text NOT NULL, \"department_id\" bigint NOT \
         NULL, \"category\" text NOT NULL, \"unusual\" boolean NOT NULL, \"events\" bigint \
         NOT NULL",
        "\"patient_mrn\", \"day\", \"department_id\", \"category\", \"unusual\"",
    ),
    (
        "access_summary_month",
        "\"patient_mrn\" text NOT NULL, \"month\" text NOT NULL, \"department_id\" bigint NOT \
         NULL, \"category\" text NOT NULL, \"unusual\" boolean NOT NULL, \"events\" bigint \
         NOT NULL",
        "\"patient_mrn\", \"month\", \"department_id\", \"category\", \"unusual\"",
    ),
    (
        "access_patient_head",
        "\"patient_mrn\" text NOT NULL, \"last_event_id\" bigint NOT NULL, \"events\" bigint \
         NOT NULL, \"hash\" text NOT NULL",
        "\"patient_mrn\"",
    ),
];

/// Rebuilds each table with or without its row ids, keeping its rows.
async fn rebuild(manager: &SchemaManager<'_>, clustered: bool) -> Result<(), DbErr> {
    if manager.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return Ok(());
    }
    let db = manager.get_connection();
    let storage = if clustered { " WITHOUT ROWID" } else { "" };
    for (table, columns, key) in TABLES {
        for statement in [
            format!("CREATE TABLE \"{table}_rebuilt\" ({columns}, PRIMARY KEY ({key})){storage}"),
            format!("INSERT INTO \"{table}_rebuilt\" SELECT * FROM \"{table}\""),
            format!("DROP TABLE \"{table}\""),
            format!("ALTER TABLE \"{table}_rebuilt\" RENAME TO \"{table}\""),
        ] {
            db.execute_unprepared(&statement).await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, false).await
    }
}

//! The flow of access events from each source system, as the portal learned it (how often
//! batches come, how late events arrive, how many arrive in each hour of the day), and
//! the problems it saw in it: a source gone silent, events arriving late, an hour far
//! quieter than usual. One alert per episode: opened once, ended when the flow returns.

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, id_column, text, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn real(name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    column.double().not_null().default(0.0);
    column
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("access_feed"))
                    .col(big_int("source_id").primary_key())
                    .col(big_int("batches"))
                    .col(timestamp("last_received_at").not_null())
                    // Smoothed seconds between two batches, and from access to arrival.
                    .col(real("gap_seconds"))
                    .col(real("delay_seconds"))
                    .col(big_int("live_batches"))
                    // The hour being counted (its start) and its events so far.
                    .col(timestamp("hour_start").not_null())
                    .col(big_int("hour_events"))
                    // JSON: smoothed events per local hour of the day, and how many of
                    // each hour were seen.
                    .col(text("hours"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("access_feed_alert"))
                    .col(id_column(backend, "id"))
                    .col(big_int("source_id"))
                    // `silent`, `late` or `quiet`.
                    .col(text("kind"))
                    .col(timestamp("since").not_null())
                    .col(timestamp("detected_at").not_null())
                    .col(timestamp("ended_at").null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_feed_alert_open")
                    .table(Alias::new("access_feed_alert"))
                    .col(Alias::new("ended_at"))
                    .col(Alias::new("source_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["access_feed_alert", "access_feed"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

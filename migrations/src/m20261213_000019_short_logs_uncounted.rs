//! Only patients with long logs keep per-patient counts (the app's `SUMMARISED_FROM`,
//! 256 events when this was written): the counts of shorter logs go, and their pages count
//! their few events instead. Undone, the counts are rebuilt at the next start (the
//! summaries' state is cleared, as for a new time zone).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The threshold when this migration was written.
const SUMMARISED_FROM: i64 = 256;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["access_summary", "access_summary_month"] {
            db.execute_unprepared(&format!(
                "DELETE FROM {table} WHERE patient_mrn NOT IN (SELECT patient_mrn FROM \
                 access_patient_head WHERE events >= {SUMMARISED_FROM})"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM access_summary_state")
            .await?;
        Ok(())
    }
}

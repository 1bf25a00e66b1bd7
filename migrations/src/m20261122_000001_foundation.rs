//! Foundation tables: hospital settings, departments, accounts and the email outbox.

use sea_orm_migration::prelude::*;

use crate::columns::{id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        // One row (id 1): the hospital this portal serves.
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("hospital"))
                    .col(
                        ColumnDef::new(Alias::new("id"))
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(text("name_zh_hans"))
                    .col(text("name_en"))
                    .col(text("time_zone"))
                    .col(text("default_locale"))
                    .col(timestamp("updated_at").not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Alias::new("department"))
                    .col(id_column(backend, "id"))
                    .col(text("code").unique_key())
                    .col(text("name_zh_hans"))
                    .col(text("name_en"))
                    .col(timestamp("created_at").not_null())
                    .to_owned(),
            )
            .await?;

        // A person who can use the portal: a patient (bound to a medical record number)
        // or a staff member (bound to a staff number).
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("account"))
                    .col(id_column(backend, "id"))
                    .col(text("kind"))
                    .col(text("display_name"))
                    .col(text_null("email"))
                    .col(text("locale"))
                    .col(text_null("mrn").unique_key())
                    .col(text_null("staff_number").unique_key())
                    .col(
                        ColumnDef::new(Alias::new("department_id"))
                            .big_integer()
                            .null(),
                    )
                    .col(text_null("job_title"))
                    .col(ColumnDef::new(Alias::new("active")).boolean().not_null())
                    .col(timestamp("created_at").not_null())
                    .col(timestamp("updated_at").not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_department")
                            .from(Alias::new("account"), Alias::new("department_id"))
                            .to(Alias::new("department"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;

        // Transactional outbox: a message is written in the same transaction as the change
        // it reports and delivered later by the worker, so an SMTP outage loses nothing.
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("email_outbox"))
                    .col(id_column(backend, "id"))
                    .col(text("message_id"))
                    .col(text("recipient"))
                    .col(text("locale"))
                    .col(text("template"))
                    .col(text("subject"))
                    .col(text("body_text"))
                    .col(text("body_html"))
                    .col(timestamp("created_at").not_null())
                    .col(timestamp("next_attempt_at").not_null())
                    .col(ColumnDef::new(Alias::new("attempts")).integer().not_null())
                    .col(timestamp("claimed_until").null())
                    .col(timestamp("sent_at").null())
                    // Set when delivery failed permanently (bad address, rejected by the
                    // server); such a message is kept for operators but not retried.
                    .col(timestamp("failed_at").null())
                    .col(text_null("last_error"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_email_outbox_due")
                    .table(Alias::new("email_outbox"))
                    .col(Alias::new("sent_at"))
                    .col(Alias::new("next_attempt_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["email_outbox", "account", "department", "hospital"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

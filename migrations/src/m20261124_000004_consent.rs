//! Consent for research and teaching: the purposes patients decide on, each purpose's
//! versioned policy texts, and every change a patient made (append-only, each with its
//! signed receipt). The current choice is the newest change; nothing is ever updated.

use sea_orm_migration::prelude::*;

use crate::columns::{big_int, big_int_null, id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

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

        manager
            .create_table(
                Table::create()
                    .table(Alias::new("consent_purpose"))
                    .col(id_column(backend, "id"))
                    .col(text("code").unique_key())
                    .col(text("name_zh_hans"))
                    .col(text("name_en"))
                    // FHIR Consent.scope code (consentscope: research, patient-privacy).
                    .col(text("fhir_scope"))
                    // FHIR Consent.provision.purpose coding.
                    .col(text("purpose_system"))
                    .col(text("purpose_code"))
                    .col(text("purpose_display"))
                    // How a consent check appears in the patient's access log.
                    .col(text("access_purpose"))
                    .col(big_int("position"))
                    .col(timestamp("created_at").not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Alias::new("consent_policy"))
                    .col(id_column(backend, "id"))
                    .col(big_int("purpose_id"))
                    .col(big_int("version"))
                    .col(text("summary_zh_hans"))
                    .col(text("summary_en"))
                    .col(text("text_zh_hans"))
                    .col(text("text_en"))
                    // What changed since the previous version (none for the first).
                    .col(text_null("changes_zh_hans"))
                    .col(text_null("changes_en"))
                    // What happens to grants of earlier versions until the patient
                    // confirms this one: "keep" or "suspend".
                    .col(text("earlier_grants"))
                    .col(timestamp("published_at").not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_consent_policy_version",
                    "consent_policy",
                    &["purpose_id", "version"],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Alias::new("consent_change"))
                    .col(id_column(backend, "id"))
                    .col(text("receipt_id").unique_key())
                    .col(text("patient_mrn"))
                    .col(big_int("purpose_id"))
                    // The policy version the patient was shown.
                    .col(big_int("policy_id"))
                    // "grant" or "revoke".
                    .col(text("action"))
                    // Excluded data categories, comma-separated codes.
                    .col(text("excluded"))
                    .col(timestamp("expires_at").null())
                    .col(timestamp("changed_at").not_null())
                    .col(big_int_null("changed_by_account_id"))
                    // The receipt as signed (canonical JSON) and its Ed25519 signature.
                    .col(text("receipt"))
                    .col(text("signature"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_consent_change_patient",
                "consent_change",
                &["patient_mrn", "purpose_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_consent_change_time",
                "consent_change",
                &["changed_at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["consent_change", "consent_policy", "consent_purpose"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Identity: passkeys, enrollment links, WebAuthn ceremonies, sessions, roles, sign-in
//! attempts and the audit of staff actions on accounts.

use sea_orm_migration::prelude::*;

use crate::columns::{id_column, text, text_null, timestamp};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from_table: &str, column: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{column}"))
        .from(Alias::new(from_table), Alias::new(column))
        .to(Alias::new(to_table), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn account_ref(name: &'static str, required: bool) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    column.big_integer();
    if required {
        column.not_null();
    } else {
        column.null();
    }
    column
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        // The WebAuthn user handle: a random id, so the authenticator never holds the
        // account number or anything personal.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("account"))
                    .add_column(text_null("webauthn_user_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_account_webauthn_user_id")
                    .table(Alias::new("account"))
                    .col(Alias::new("webauthn_user_id"))
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Alias::new("account_role"))
                    .col(account_ref("account_id", true))
                    .col(text("role"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("account_id"))
                            .col(Alias::new("role")),
                    )
                    .foreign_key(&mut fk("account_role", "account_id", "account"))
                    .to_owned(),
            )
            .await?;

        // One-time links to register a passkey; only a hash of the token is kept.
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("enrollment_link"))
                    .col(id_column(backend, "id"))
                    .col(account_ref("account_id", true))
                    .col(text("token_hash").unique_key())
                    .col(text("purpose"))
                    .col(timestamp("created_at").not_null())
                    .col(timestamp("expires_at").not_null())
                    .col(timestamp("used_at").null())
                    .col(account_ref("issued_by", false))
                    .col(text_null("reason"))
                    .foreign_key(&mut fk("enrollment_link", "account_id", "account"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Alias::new("passkey"))
                    .col(id_column(backend, "id"))
                    .col(account_ref("account_id", true))
                    .col(text("credential_id").unique_key())
                    .col(text("passkey_json"))
                    .col(text("name"))
                    .col(timestamp("created_at").not_null())
                    .col(timestamp("last_used_at").null())
                    .foreign_key(&mut fk("passkey", "account_id", "account"))
                    .to_owned(),
            )
            .await?;
        ceremonies_sessions_and_audit(manager, backend).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "staff_action",
            "sign_in_attempt",
            "session",
            "webauthn_ceremony",
            "passkey",
            "enrollment_link",
            "account_role",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        manager
            .drop_index(Index::drop().name("ux_account_webauthn_user_id").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("account"))
                    .drop_column(Alias::new("webauthn_user_id"))
                    .to_owned(),
            )
            .await
    }
}

/// Ceremonies, sessions, sign-in attempts and the staff-action record (the second half of `up`).
async fn ceremonies_sessions_and_audit(
    manager: &SchemaManager<'_>,
    backend: sea_orm_migration::sea_orm::DatabaseBackend,
) -> Result<(), DbErr> {
    // Ceremony state lives here, not in process memory, so any instance can finish
    // a ceremony another began.
    manager
        .create_table(
            Table::create()
                .table(Alias::new("webauthn_ceremony"))
                .col(text("id").primary_key())
                .col(text("kind"))
                .col(account_ref("account_id", false))
                .col(account_ref("enrollment_link_id", false))
                .col(text("state_json"))
                .col(timestamp("created_at").not_null())
                .col(timestamp("expires_at").not_null())
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Alias::new("session"))
                .col(id_column(backend, "id"))
                .col(account_ref("account_id", true))
                .col(text("token_hash").unique_key())
                .col(timestamp("created_at").not_null())
                .col(timestamp("last_seen_at").not_null())
                .col(timestamp("idle_expires_at").not_null())
                .col(timestamp("absolute_expires_at").not_null())
                .col(timestamp("ended_at").null())
                .col(text_null("end_reason"))
                .foreign_key(&mut fk("session", "account_id", "account"))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Alias::new("sign_in_attempt"))
                .col(id_column(backend, "id"))
                .col(timestamp("at").not_null())
                .col(account_ref("account_id", false))
                .col(text("method"))
                .col(text("outcome"))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Alias::new("staff_action"))
                .col(id_column(backend, "id"))
                .col(timestamp("at").not_null())
                .col(account_ref("actor_account_id", false))
                .col(text("action"))
                .col(account_ref("subject_account_id", false))
                .col(text_null("reason"))
                .to_owned(),
        )
        .await
}

//! Identity tables. None of these types is serialised: they never leave the server.

/// A role held by an account.
pub mod account_role {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "account_role")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub role: String,
    }

    crate::ssr::no_relations!();
}

/// A one-time link to register a passkey (stored as a hash of its token).
pub mod enrollment_link {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "enrollment_link")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub account_id: i64,
        #[sea_orm(unique)]
        pub token_hash: String,
        /// `invite` (first passkey) or `recovery` (issued after identity checks).
        pub purpose: String,
        pub created_at: OffsetDateTime,
        pub expires_at: OffsetDateTime,
        pub used_at: Option<OffsetDateTime>,
        /// The staff account that issued it; `None` from the command line.
        pub issued_by: Option<i64>,
        pub reason: Option<String>,
    }

    crate::ssr::no_relations!();
}

/// A registered passkey (the webauthn-rs `Passkey`, as JSON).
pub mod passkey {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "passkey")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub account_id: i64,
        /// Base64url credential id, for lookup at sign-in.
        #[sea_orm(unique)]
        pub credential_id: String,
        pub passkey_json: String,
        pub name: String,
        pub created_at: OffsetDateTime,
        pub last_used_at: Option<OffsetDateTime>,
    }

    crate::ssr::no_relations!();
}

/// Server half of a WebAuthn ceremony in progress.
pub mod webauthn_ceremony {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webauthn_ceremony")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// `enroll`, `add_passkey` or `sign_in`.
        pub kind: String,
        pub account_id: Option<i64>,
        pub enrollment_link_id: Option<i64>,
        pub state_json: String,
        pub created_at: OffsetDateTime,
        pub expires_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// A signed-in browser.
pub mod session {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "session")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub account_id: i64,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: OffsetDateTime,
        pub last_seen_at: OffsetDateTime,
        pub idle_expires_at: OffsetDateTime,
        pub absolute_expires_at: OffsetDateTime,
        pub ended_at: Option<OffsetDateTime>,
        /// `sign_out`, `sign_out_everywhere`, `deactivated`, `idle`, `superseded`.
        pub end_reason: Option<String>,
    }

    crate::ssr::no_relations!();
}

/// One attempt to sign in or enroll, successful or not (no secrets, no addresses).
pub mod sign_in_attempt {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sign_in_attempt")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: OffsetDateTime,
        pub account_id: Option<i64>,
        /// `passkey` or `enrollment`.
        pub method: String,
        pub outcome: String,
    }

    crate::ssr::no_relations!();
}

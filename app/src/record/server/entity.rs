//! Tables `record_entry` and `record_entry_version`. Never serialised: rows are mapped to
//! views explicitly.

/// The newest version of one resource a source sent.
pub mod entry {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_entry")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub source_id: i64,
        pub resource_type: String,
        /// The resource's id within its source.
        pub resource_id: String,
        pub account_id: i64,
        pub section: String,
        /// JSON: `[[field code, value], …]`.
        pub fields: String,
        pub dated: Option<String>,
        /// `live`, `deleted` or `entered-in-error`.
        pub status: String,
        pub version: i64,
        pub received_at: OffsetDateTime,
        pub updated_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// Every version received, the newest included; never changed once written.
pub mod version {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_entry_version")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub entry_id: i64,
        pub account_id: i64,
        pub section: String,
        pub fields: String,
        pub dated: Option<String>,
        pub status: String,
        pub version: i64,
        pub received_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// An amendment, statement of disagreement or rebuttal left on an entry by a correction.
pub mod note {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub entry_id: i64,
        pub kind: String,
        pub field: Option<String>,
        pub original: Option<String>,
        pub body: String,
        pub author: String,
        pub reference: String,
        pub noted_at: OffsetDateTime,
        pub applied_at: Option<OffsetDateTime>,
    }

    crate::ssr::no_relations!();
}

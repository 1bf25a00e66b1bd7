//! Tables `consent_purpose`, `consent_policy` and `consent_change`. Never serialised:
//! rows are mapped to views explicitly.

/// A purpose patients decide on.
pub mod purpose {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "consent_purpose")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub code: String,
        pub name_zh_hans: String,
        pub name_en: String,
        pub fhir_scope: String,
        pub purpose_system: String,
        pub purpose_code: String,
        pub purpose_display: String,
        pub access_purpose: String,
        pub position: i64,
        pub created_at: OffsetDateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One published version of a purpose's policy text; never changed once published.
pub mod policy {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "consent_policy")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub purpose_id: i64,
        pub version: i64,
        pub summary_zh_hans: String,
        pub summary_en: String,
        pub text_zh_hans: String,
        pub text_en: String,
        pub changes_zh_hans: Option<String>,
        pub changes_en: Option<String>,
        pub earlier_grants: String,
        pub published_at: OffsetDateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A patient's grant or revocation; append-only.
pub mod change {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "consent_change")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub receipt_id: String,
        pub patient_mrn: String,
        pub purpose_id: i64,
        pub policy_id: i64,
        pub action: String,
        pub excluded: String,
        pub expires_at: Option<OffsetDateTime>,
        pub changed_at: OffsetDateTime,
        pub changed_by_account_id: Option<i64>,
        pub receipt: String,
        pub signature: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

//! Tables `report`, `report_message`, `report_file`, `report_step` and
//! `report_destruction`. Never serialised: rows are opened and mapped to views explicitly.

/// A report: its kind and stage, the hashes that open it, and its sealed key and account.
pub mod report {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "report")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub kind: String,
        pub state: String,
        pub receipt_hash: String,
        pub passkey_hash: Option<String>,
        pub sealed_key: String,
        pub sealed_account: String,
        pub received_on: OffsetDateTime,
        pub handler_id: Option<i64>,
        pub complaint_id: Option<i64>,
        pub closed_at: Option<OffsetDateTime>,
    }

    impl Model {
        /// Where it stands (a row from a newer portal reads as acknowledged).
        #[must_use]
        pub fn stage(&self) -> crate::reports::types::ReportState {
            crate::reports::types::ReportState::from_code(&self.state)
                .unwrap_or(crate::reports::types::ReportState::Acknowledged)
        }

        #[must_use]
        pub fn kind(&self) -> crate::reports::types::ReportKind {
            crate::reports::types::ReportKind::from_code(&self.kind)
                .unwrap_or(crate::reports::types::ReportKind::Other)
        }

        /// The reference the staff quote (the reporter never needs one).
        #[must_use]
        pub fn reference(&self) -> String {
            super::super::reference_of(self.id)
        }
    }

    crate::ssr::no_relations!();
}

/// A message between reporter and staff, or a staff note; its text sealed.
pub mod message {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "report_message")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub report_id: i64,
        pub author: String,
        pub staff_id: Option<i64>,
        pub kind: String,
        pub sealed_text: String,
        pub at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// A file, its name and content sealed.
pub mod file {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "report_file")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub report_id: i64,
        pub author: String,
        pub sealed_name: String,
        pub content_type: String,
        pub sealed_content: Vec<u8>,
        pub at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// A step taken on a report.
pub mod step {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "report_step")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub report_id: i64,
        pub step: String,
        pub actor_id: Option<i64>,
        pub detail: Option<String>,
        pub at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// What one pass of the retention job destroyed.
pub mod destruction {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "report_destruction")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: OffsetDateTime,
        pub rule: String,
        pub reports: i64,
        pub files: i64,
        pub messages: i64,
    }

    crate::ssr::no_relations!();
}

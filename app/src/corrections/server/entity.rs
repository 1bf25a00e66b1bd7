//! Tables `correction_request`, `correction_message` and `correction_file`. Never
//! serialised: rows are mapped to views explicitly.

/// A patient's request to correct one field of one entry (or to add what is missing).
pub mod request {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "correction_request")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// Set right after the row is written (it includes the id).
        pub reference: Option<String>,
        pub account_id: i64,
        pub entry_id: Option<i64>,
        pub section: String,
        pub field: String,
        pub current_value: Option<String>,
        pub proposed_value: String,
        pub reason: String,
        pub state: String,
        pub department: Option<String>,
        pub assignee_id: Option<i64>,
        pub filed_at: OffsetDateTime,
        pub updated_at: OffsetDateTime,
        pub decided_at: Option<OffsetDateTime>,
        pub decided_by: Option<i64>,
        pub decision_note: Option<String>,
        pub amended_value: Option<String>,
        pub applied_at: Option<OffsetDateTime>,
        pub disagreement: Option<String>,
        pub disagreement_at: Option<OffsetDateTime>,
        pub rebuttal: Option<String>,
        pub rebuttal_at: Option<OffsetDateTime>,
    }

    impl Model {
        /// Where the request stands (a row from a newer portal reads as received).
        #[must_use]
        pub fn stage(&self) -> crate::corrections::types::CorrectionState {
            crate::corrections::types::CorrectionState::parse(&self.state)
                .unwrap_or(crate::corrections::types::CorrectionState::Received)
        }
    }

    crate::ssr::no_relations!();
}

/// A message from the patient or from staff on a request.
pub mod message {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "correction_message")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub request_id: i64,
        pub author_id: i64,
        /// `patient` or `staff`.
        pub author_side: String,
        pub body: String,
        pub sent_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// An evidence file, stored after its type was checked and its metadata removed.
pub mod file {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "correction_file")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub request_id: i64,
        pub file_name: String,
        pub content_type: String,
        pub size: i64,
        pub content: Vec<u8>,
        pub uploaded_by: i64,
        pub uploaded_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

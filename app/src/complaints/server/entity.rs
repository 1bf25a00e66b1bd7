//! Tables `complaint`, `complaint_step`, `complaint_entry`, `complaint_note`,
//! `complaint_evidence`, `complaint_file` and `improvement_action`. Never serialised: rows
//! are mapped to views explicitly.

/// A patient's complaint and the facts its handling established.
pub mod complaint {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "complaint")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// Set right after the row is written (it includes the id).
        pub reference: Option<String>,
        pub account_id: i64,
        pub kind: String,
        pub account: String,
        pub happened_on: Option<String>,
        pub department_id: Option<i64>,
        pub place: Option<String>,
        pub state: String,
        pub handler_id: Option<i64>,
        pub lead_id: Option<i64>,
        pub team: Option<String>,
        pub scope: Option<String>,
        pub spread: Option<String>,
        pub findings: Option<String>,
        pub plan_patient: Option<String>,
        pub plan_accountability: Option<String>,
        pub plan_improvement: Option<String>,
        pub measures_taken: Option<String>,
        pub satisfied: Option<bool>,
        pub feedback: Option<String>,
        pub outcome: Option<String>,
        pub rejection_reason: Option<String>,
        pub root_cause: Option<String>,
        pub chain_link: Option<String>,
        pub resolved_on_spot: bool,
        pub filed_at: OffsetDateTime,
        pub updated_at: OffsetDateTime,
        pub ended_at: Option<OffsetDateTime>,
    }

    impl Model {
        /// Where the complaint stands (a row from a newer portal reads as acknowledged).
        #[must_use]
        pub fn stage(&self) -> crate::complaints::types::ComplaintState {
            crate::complaints::types::ComplaintState::from_code(&self.state)
                .unwrap_or(crate::complaints::types::ComplaintState::Acknowledged)
        }

        /// The reference, as patients and staff quote it.
        #[must_use]
        pub fn reference(&self) -> &str {
            self.reference.as_deref().unwrap_or_default()
        }

        /// The departments of the investigation team.
        #[must_use]
        pub fn team_ids(&self) -> Vec<i64> {
            self.team
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter_map(|id| id.trim().parse().ok())
                .collect()
        }
    }

    crate::ssr::no_relations!();
}

/// One step of a complaint's handling, kept for its timeline.
pub mod step {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "complaint_step")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub complaint_id: i64,
        pub step: String,
        pub state: Option<String>,
        pub actor_id: Option<i64>,
        pub note: Option<String>,
        pub at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// An access-log entry the complaint names.
pub mod entry {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "complaint_entry")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub complaint_id: i64,
        pub event_id: i64,
    }

    crate::ssr::no_relations!();
}

/// A note from staff (internal or for the patient) or a message from the patient.
pub mod note {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "complaint_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub complaint_id: i64,
        pub author_id: i64,
        pub author_side: String,
        pub visibility: String,
        pub body: String,
        pub sent_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// A piece of the investigation's evidence.
pub mod evidence {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "complaint_evidence")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub complaint_id: i64,
        pub kind: String,
        pub title: String,
        pub body: String,
        pub recorded_by: i64,
        pub recorded_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// A file the patient added, stored after its type was checked and its metadata removed.
pub mod file {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "complaint_file")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub complaint_id: i64,
        pub file_name: String,
        pub content_type: String,
        pub size: i64,
        pub content: Vec<u8>,
        pub uploaded_by: i64,
        pub uploaded_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// An improvement action a case led to.
pub mod action {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "improvement_action")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub complaint_id: i64,
        pub description: String,
        pub owner_id: i64,
        pub due_on: String,
        pub created_by: i64,
        pub created_at: OffsetDateTime,
        pub done_at: Option<OffsetDateTime>,
        pub effect: Option<String>,
        pub checked_by: Option<i64>,
    }

    crate::ssr::no_relations!();
}

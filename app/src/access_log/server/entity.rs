//! Access-log tables. None of these types is serialised: they never leave the server.

/// One access to a patient's record, as pushed by a source (append-only, but for the
/// explanation a later care relationship may add).
pub mod event {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_event")]
    pub struct Model {
        /// Assigned by ingestion in chain order (not by the database), so the chain can be
        /// walked by id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub source_id: i64,
        pub source_event_id: String,
        pub patient_mrn: String,
        pub occurred_at: OffsetDateTime,
        pub received_at: OffsetDateTime,
        pub category: String,
        pub action: String,
        pub purpose: String,
        pub agent_kind: String,
        pub agent_ref: Option<String>,
        pub agent_name: String,
        pub agent_role: Option<String>,
        pub department_id: Option<i64>,
        /// Rule codes, comma-separated; empty when nothing is unusual.
        pub flags: String,
        pub unusual: bool,
        /// The canonical JSON the hash covers (`record::EventRecord`).
        pub record: String,
        pub prev_hash: String,
        pub patient_prev_hash: String,
        pub hash: String,
        /// Why the access was normal (`Reason` code), outside the hashed record: a reason
        /// can arrive after the access. The care it rests on: kind, department, start.
        pub explained_by: Option<String>,
        pub explained_kind: Option<String>,
        pub explained_department_id: Option<i64>,
        pub explained_since: Option<OffsetDateTime>,
    }

    crate::ssr::no_relations!();
}

/// The head of the whole chain (a single row, id 1), locked by every ingestion.
pub mod chain_head {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_chain_head")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub last_event_id: i64,
        pub hash: String,
    }

    crate::ssr::no_relations!();
}

/// The head of one patient's chain.
pub mod patient_head {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_patient_head")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub patient_mrn: String,
        pub last_event_id: i64,
        pub events: i64,
        pub hash: String,
    }

    crate::ssr::no_relations!();
}

/// A signed statement of the chain head at some moment.
pub mod checkpoint {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_checkpoint")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub last_event_id: i64,
        pub hash: String,
        pub signed_at: OffsetDateTime,
        /// Ed25519 public key, base64.
        pub public_key: String,
        /// Ed25519 signature of `signing::checkpoint_message`, base64.
        pub signature: String,
    }

    crate::ssr::no_relations!();
}

/// A flagged or questioned access, in the privacy officer's queue.
pub mod review {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_review")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub event_id: i64,
        pub patient_mrn: String,
        /// `ReviewState` code.
        pub state: String,
        pub patient_question: Option<String>,
        pub question_at: Option<OffsetDateTime>,
        pub resolved_by: Option<i64>,
        pub resolution_note: Option<String>,
        pub created_at: OffsetDateTime,
        pub updated_at: OffsetDateTime,
        /// The case it belongs to (`None` only until start-up groups items older than cases).
        pub case_id: Option<i64>,
    }

    crate::ssr::no_relations!();
}

/// A review case: one person's accesses to one patient's record on one local day that
/// need review, ranked by `score`. Deciding it decides each of its items.
pub mod case {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_case")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The staff number, or `name:` and the name when the source sent no number.
        pub agent_key: String,
        pub agent_name: String,
        pub patient_mrn: String,
        /// `YYYY-MM-DD` in the hospital's time zone.
        pub day: String,
        pub events: i64,
        pub unexplained: i64,
        /// Rule codes, comma-separated.
        pub rules: String,
        pub out_of_care: bool,
        pub night_unnamed: i64,
        /// Accesses of a VIP's record that only a department's care explained.
        pub vip_by_department: i64,
        /// An unexplained access came within a week after the person's out-of-care looks
        /// at two or more other patients.
        pub follows_out_of_care: bool,
        pub score: i64,
        /// `ReviewState` code.
        pub state: String,
        pub question_at: Option<OffsetDateTime>,
        pub first_at: OffsetDateTime,
        pub last_at: OffsetDateTime,
        pub resolved_by: Option<i64>,
        pub resolution_note: Option<String>,
        pub created_at: OffsetDateTime,
        pub updated_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// Every decision taken on a review item, oldest first (the item keeps only the latest).
pub mod review_decision {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_review_decision")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub event_id: i64,
        /// `ReviewState` code.
        pub state: String,
        pub decided_by: i64,
        pub note: String,
        pub decided_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// A person or department a patient asked to have flagged.
pub mod watch {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_watch")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub account_id: i64,
        pub person_name: Option<String>,
        pub department_id: Option<i64>,
        pub created_at: OffsetDateTime,
    }

    crate::ssr::no_relations!();
}

/// Per-patient counts of the log: events per local day, department (0: none), category
/// and unusual flag. Kept by ingestion in the events' transaction (`summary`).
pub mod summary {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_summary")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub patient_mrn: String,
        /// `YYYY-MM-DD` in the hospital's time zone.
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub department_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub category: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub unusual: bool,
        pub events: i64,
    }

    crate::ssr::no_relations!();
}

/// The same counts per local month (`YYYY-MM`), for the whole log's totals and charts.
pub mod summary_month {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_summary_month")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub patient_mrn: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub month: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub department_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub category: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub unusual: bool,
        pub events: i64,
    }

    crate::ssr::no_relations!();
}

/// The time zone the summaries' days were counted in (a single row, id 1).
pub mod summary_state {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_summary_state")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub time_zone: String,
    }

    crate::ssr::no_relations!();
}

/// The flow of events from one source system, as learned (`feeds`).
pub mod feed {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_feed")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub source_id: i64,
        pub batches: i64,
        pub last_received_at: OffsetDateTime,
        /// Smoothed seconds between two batches.
        pub gap_seconds: f64,
        /// Smoothed seconds from an access to its arrival (live batches only).
        pub delay_seconds: f64,
        pub live_batches: i64,
        pub hour_start: OffsetDateTime,
        pub hour_events: i64,
        /// JSON `feeds::Hours`.
        pub hours: String,
    }

    crate::ssr::no_relations!();
}

/// A problem seen in a source's flow, from when it was seen until the flow returned.
pub mod feed_alert {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_feed_alert")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub source_id: i64,
        /// `FeedProblem` code.
        pub kind: String,
        pub since: OffsetDateTime,
        pub detected_at: OffsetDateTime,
        pub ended_at: Option<OffsetDateTime>,
    }

    crate::ssr::no_relations!();
}

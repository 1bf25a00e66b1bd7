//! Server-only core shared by every feature: the portal's settings, the clock, the
//! request context (operation id, language, client address), the email outbox, signing,
//! tokens, keys kept outside the database and the sealing of what they protect, the source
//! systems that call the FHIR API, the clocks of cases the hospital answers on time, and
//! feeds giving way to requests in the database. It imports no feature.

pub mod clock;
pub mod deadlines;
pub mod email;
pub mod evidence;
pub mod forms;
pub mod key_files;
pub mod limits;
pub mod outbox;
pub mod pages_first;
pub mod request;
pub mod sealing;
pub mod security;
pub mod signing;
pub mod sources;
pub mod state;
pub mod time;
pub mod tokens;
pub mod unnest;

/// Ends a sea-orm entity module whose table has no relations (the usual case here: rows
/// refer to each other by id and are joined in queries).
macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}
pub(crate) use no_relations;

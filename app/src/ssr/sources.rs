//! Hospital systems that call the portal (the FHIR API's callers): each has a name, a
//! bearer token and the scopes that token was given. Only the token's hash is stored; the
//! token is shown once, when the source is added. A token does only what its scopes name.
//! Shared by every feature that takes data from the hospital (access events, the
//! directory, consent checks); its table is private to this module.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use time::OffsetDateTime;

use crate::ssr::tokens;

/// A hospital system allowed to push access events and directory data.
mod source {
    use sea_orm::entity::prelude::*;
    use time::OffsetDateTime;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_source")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub name: String,
        /// SHA-256 of the bearer token; the token itself is shown once and never stored.
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: OffsetDateTime,
        pub revoked_at: Option<OffsetDateTime>,
        /// What the token may do: scope codes separated by spaces (see `Scope`).
        pub scopes: String,
    }

    crate::ssr::no_relations!();
}

/// The name under which the portal records accesses made inside the portal itself.
pub const PORTAL_SOURCE: &str = "portal";

/// What a source's token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Push access events (`AuditEvent`).
    Events,
    /// Push the hospital directory (`Patient`, `Practitioner`, `PractitionerRole`,
    /// `Location`, `Encounter`, `Appointment`).
    Directory,
    /// Read patients' consent (`Consent` read and search, `Consent/$decide`).
    ConsentRead,
    /// Push the parts of patients' records the hospital shares (`Patient` demographics,
    /// `AllergyIntolerance`, `Condition`, `MedicationStatement`, `MedicationRequest`,
    /// `DocumentReference`) and take back accepted corrections (`Task`).
    Record,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Events,
        Scope::Directory,
        Scope::ConsentRead,
        Scope::Record,
    ];

    /// The code used on the command line and stored with the token.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Scope::Events => "events",
            Scope::Directory => "directory",
            Scope::ConsentRead => "consent-read",
            Scope::Record => "record",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<Scope> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.code() == code.trim())
    }
}

/// An authenticated source system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub id: i64,
    pub name: String,
    /// When the source was first added.
    pub created_at: OffsetDateTime,
    scopes: Vec<Scope>,
}

impl Source {
    /// Whether the source's token was given `scope`.
    #[must_use]
    pub fn may(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The scopes of the token.
    #[must_use]
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    fn from_row(row: source::Model) -> Source {
        Source {
            id: row.id,
            scopes: parse_scopes(&row.scopes),
            name: row.name,
            created_at: row.created_at,
        }
    }
}

/// Scopes stored as codes separated by spaces; unknown codes (from a newer portal) are
/// ignored rather than widened.
fn parse_scopes(stored: &str) -> Vec<Scope> {
    stored.split_whitespace().filter_map(Scope::parse).collect()
}

fn stored_scopes(scopes: &[Scope]) -> String {
    let mut codes: Vec<&str> = Scope::ALL
        .into_iter()
        .filter(|scope| scopes.contains(scope))
        .map(Scope::code)
        .collect();
    codes.dedup();
    codes.join(" ")
}

/// Why a source could not be added or revoked.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("a source named {0:?} already exists")]
    Exists(String),
    #[error("no active source is named {0:?}")]
    Unknown(String),
    #[error("a source name is 1 to 100 letters, digits, '-', '_' or '.', and not \"portal\"")]
    BadName,
    #[error("name at least one scope for the token: events, directory, consent-read")]
    NoScope,
    #[error(transparent)]
    Database(#[from] DbErr),
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name != PORTAL_SOURCE
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Inserts a source unless one has that name; returns how many rows were written (0 or 1).
async fn insert_new<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    token: &str,
    scopes: &[Scope],
    now: OffsetDateTime,
) -> Result<u64, DbErr> {
    let row = source::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        token_hash: Set(tokens::hash(token)),
        created_at: Set(now),
        revoked_at: Set(None),
        scopes: Set(stored_scopes(scopes)),
    };
    source::Entity::insert(row)
        .on_conflict(
            OnConflict::column(source::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await
}

/// Adds a source whose token may do only what `scopes` name, and returns the token
/// (shown once).
pub async fn add_source<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    scopes: &[Scope],
    now: OffsetDateTime,
) -> Result<String, SourceError> {
    if !valid_name(name) {
        return Err(SourceError::BadName);
    }
    if scopes.is_empty() {
        return Err(SourceError::NoScope);
    }
    let token = tokens::new_token();
    if insert_new(conn, name, &token, scopes, now).await? == 0 {
        return Err(SourceError::Exists(name.to_owned()));
    }
    Ok(token)
}

/// Revokes a source's token at once; its events stay in the log.
pub async fn revoke_source<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    now: OffsetDateTime,
) -> Result<(), SourceError> {
    let result = source::Entity::update_many()
        .col_expr(
            source::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(source::Column::Name.eq(name))
        .filter(source::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Err(SourceError::Unknown(name.to_owned()));
    }
    Ok(())
}

/// The active source holding `token`, if any.
pub async fn authenticate<C: ConnectionTrait>(
    conn: &C,
    token: &str,
) -> Result<Option<Source>, DbErr> {
    if token.is_empty() {
        return Ok(None);
    }
    Ok(source::Entity::find()
        .filter(source::Column::TokenHash.eq(tokens::hash(token)))
        .filter(source::Column::RevokedAt.is_null())
        .one(conn)
        .await?
        .filter(|row| row.name != PORTAL_SOURCE)
        .map(Source::from_row))
}

/// The portal's own source (created on first use; its token is random and discarded,
/// so nothing outside can push as the portal).
pub async fn portal_source<C: ConnectionTrait>(
    conn: &C,
    now: OffsetDateTime,
) -> Result<Source, DbErr> {
    keyless_source(conn, PORTAL_SOURCE, now).await
}

/// A source nobody can push as: created on first use with a random token that is
/// discarded (the portal's own, or the demo hospital's history).
pub async fn keyless_source<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    now: OffsetDateTime,
) -> Result<Source, DbErr> {
    insert_new(conn, name, &tokens::new_token(), &[], now).await?;
    source::Entity::find()
        .filter(source::Column::Name.eq(name))
        .one(conn)
        .await?
        .map(Source::from_row)
        .ok_or_else(|| DbErr::RecordNotFound(format!("source {name}")))
}

/// All sources (their names, scopes and whether each is active).
pub async fn list_sources<C: ConnectionTrait>(conn: &C) -> Result<Vec<(Source, bool)>, DbErr> {
    Ok(source::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let active = row.revoked_at.is_none();
            (Source::from_row(row), active)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_unknown_codes_do_not_widen() {
        let stored = stored_scopes(&[Scope::ConsentRead, Scope::Events, Scope::Events]);
        assert_eq!(stored, "events consent-read");
        assert_eq!(
            parse_scopes(&stored),
            vec![Scope::Events, Scope::ConsentRead]
        );
        assert_eq!(parse_scopes("export directory"), vec![Scope::Directory]);
        assert_eq!(
            parse_scopes("record directory"),
            vec![Scope::Record, Scope::Directory]
        );
        assert_eq!(parse_scopes(""), Vec::<Scope>::new());
    }
}

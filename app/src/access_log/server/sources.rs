//! Hospital systems that push data: each has a name and a bearer token. Only the token's
//! hash is stored; the token is shown once, when the source is added.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use time::OffsetDateTime;

use super::entity::source;
use crate::identity::server::tokens;

/// The name under which the portal records accesses made inside the portal itself.
pub const PORTAL_SOURCE: &str = "portal";

/// An authenticated source system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub id: i64,
    pub name: String,
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
    now: OffsetDateTime,
) -> Result<u64, DbErr> {
    let row = source::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        token_hash: Set(tokens::hash(token)),
        created_at: Set(now),
        revoked_at: Set(None),
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

/// Adds a source and returns its bearer token (shown once).
pub async fn add_source<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    now: OffsetDateTime,
) -> Result<String, SourceError> {
    if !valid_name(name) {
        return Err(SourceError::BadName);
    }
    let token = tokens::new_token();
    if insert_new(conn, name, &token, now).await? == 0 {
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
        .map(|row| Source {
            id: row.id,
            name: row.name,
        }))
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
    insert_new(conn, name, &tokens::new_token(), now).await?;
    source::Entity::find()
        .filter(source::Column::Name.eq(name))
        .one(conn)
        .await?
        .map(|row| Source {
            id: row.id,
            name: row.name,
        })
        .ok_or_else(|| DbErr::RecordNotFound(format!("source {name}")))
}

/// Names of all sources and whether each is active.
pub async fn list_sources<C: ConnectionTrait>(conn: &C) -> Result<Vec<(String, bool)>, DbErr> {
    Ok(source::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (row.name, row.revoked_at.is_none()))
        .collect())
}

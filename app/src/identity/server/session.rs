//! Server-side sessions. The browser holds a random token in a `__Host-` cookie; the
//! database holds its hash. Sessions end after a period without activity (shorter for
//! staff), after an absolute lifetime, on sign-out, and at once when the account is
//! deactivated.

use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr,
    EntityTrait, QueryFilter, Set, TransactionTrait,
};
use time::{Duration, OffsetDateTime};

use super::entity::session::{self, Column, Entity};
use crate::accounts::server::query::{self, Account};
use crate::accounts::types::AccountKind;
use crate::identity::types::Role;
use crate::ssr::tokens;

/// Name of the session cookie. `__Host-` makes the browser insist on `Secure`, `Path=/`
/// and no `Domain`, so no other site or subdomain can set or read it.
pub const SESSION_COOKIE: &str = "__Host-portal_session";

/// How long sessions last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub patient_idle: Duration,
    pub staff_idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            patient_idle: Duration::minutes(15),
            staff_idle: Duration::minutes(10),
            absolute: Duration::hours(12),
        }
    }
}

impl SessionPolicy {
    /// Idle timeout for an account of this kind.
    #[must_use]
    pub fn idle_for(&self, kind: AccountKind) -> Duration {
        if kind == AccountKind::Staff {
            self.staff_idle
        } else {
            self.patient_idle
        }
    }
}

/// Writes back `last_seen_at` at most this often, so reads do not all become writes.
const TOUCH_EVERY: Duration = Duration::seconds(15);

/// Starts a session for the account; returns the token for the cookie.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    account: &Account,
    policy: &SessionPolicy,
    now: OffsetDateTime,
) -> Result<String, DbErr> {
    let token = tokens::new_token();
    session::ActiveModel {
        id: NotSet,
        account_id: Set(account.id),
        token_hash: Set(tokens::hash(&token)),
        created_at: Set(now),
        last_seen_at: Set(now),
        idle_expires_at: Set(now + policy.idle_for(account.kind)),
        absolute_expires_at: Set(now + policy.absolute),
        ended_at: Set(None),
        end_reason: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// The live session for `token`, its account and the account's roles, extending its idle
/// deadline; `None` if the token is unknown, ended, expired, or its account is deactivated
/// (which ends it).
///
/// It reads through `reads` and writes (an ended session, a later idle deadline, at most
/// once per `TOUCH_EVERY`) through `writes`, so most requests never wait for the writer.
pub(super) async fn resolve<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    reads: &R,
    writes: &W,
    token: &str,
    policy: &SessionPolicy,
    now: OffsetDateTime,
) -> Result<Option<(session::Model, Account, Vec<Role>)>, DbErr> {
    let token_hash = tokens::hash(token);
    // Side by side: every request of a signed-in person waits for these three. The account
    // and its roles are found through the token too, so none waits for the session row.
    let (found, owner, roles) = tokio::try_join!(
        Entity::find()
            .filter(Column::TokenHash.eq(token_hash.as_str()))
            .one(reads),
        query::by_id_in(reads, account_of(&token_hash)),
        super::roles::roles_of_account_in(reads, account_of(&token_hash))
    )?;
    let Some(found) = found else {
        return Ok(None);
    };
    if found.ended_at.is_some() {
        return Ok(None);
    }
    if now >= found.idle_expires_at || now >= found.absolute_expires_at {
        let reason = if now >= found.absolute_expires_at {
            "expired"
        } else {
            "idle"
        };
        end(writes, found.id, reason, now).await?;
        return Ok(None);
    }
    let Some(owner) = owner.filter(|owner| owner.id == found.account_id) else {
        return Ok(None);
    };
    if !owner.active {
        end(writes, found.id, "deactivated", now).await?;
        return Ok(None);
    }
    let mut live = found.clone();
    if now - found.last_seen_at >= TOUCH_EVERY {
        let idle_expires_at = (now + policy.idle_for(owner.kind)).min(found.absolute_expires_at);
        let mut touch: session::ActiveModel = found.into();
        touch.last_seen_at = Set(now);
        touch.idle_expires_at = Set(idle_expires_at);
        live = write_touch(writes, touch).await?;
    }
    Ok(Some((live, owner, roles)))
}

/// Writes a session's later idle deadline. On PostgreSQL its commit does not wait for the
/// write-ahead log to reach the disk (`synchronous_commit = off`): there it would wait
/// behind every feed's commit before it, and a deadline lost in a crash only ends the
/// session sooner.
async fn write_touch<W: ConnectionTrait + TransactionTrait>(
    writes: &W,
    touch: session::ActiveModel,
) -> Result<session::Model, DbErr> {
    if writes.get_database_backend() != DatabaseBackend::Postgres {
        return touch.update(writes).await;
    }
    let txn = writes.begin().await?;
    txn.execute_unprepared("SET LOCAL synchronous_commit = off")
        .await?;
    let live = touch.update(&txn).await?;
    txn.commit().await?;
    Ok(live)
}

/// The account id of the session whose token has `token_hash`, as a subquery.
fn account_of(token_hash: &str) -> SelectStatement {
    Query::select()
        .column(Column::AccountId)
        .from(Entity)
        .and_where(Column::TokenHash.eq(token_hash))
        .to_owned()
}

/// Ends the live sessions matching `which`; returns how many.
async fn end_where<C: ConnectionTrait>(
    conn: &C,
    which: sea_orm::sea_query::SimpleExpr,
    reason: &str,
    now: OffsetDateTime,
) -> Result<u64, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::EndedAt, sea_orm::sea_query::Expr::value(Some(now)))
        .col_expr(
            Column::EndReason,
            sea_orm::sea_query::Expr::value(Some(reason.to_owned())),
        )
        .filter(which)
        .filter(Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}

/// Ends one session.
pub async fn end<C: ConnectionTrait>(
    conn: &C,
    session_id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    end_where(conn, Column::Id.eq(session_id), reason, now).await?;
    Ok(())
}

/// Ends the session a token belongs to, if it is live (used when a browser that still holds
/// a token signs in again: the old token must not stay valid beside the new one).
pub async fn end_by_token<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    end_where(conn, Column::TokenHash.eq(tokens::hash(token)), reason, now).await?;
    Ok(())
}

/// Ends every live session of an account; returns how many.
pub async fn end_all<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<u64, DbErr> {
    end_where(conn, Column::AccountId.eq(account_id), reason, now).await
}

/// The `Set-Cookie` value that gives the browser its session token. `Secure` always: browsers
/// accept secure cookies on `http://localhost`, the only plain-http origin we allow.
#[must_use]
pub fn session_cookie(token: &str) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict")
}

/// The `Set-Cookie` value that removes the session cookie.
#[must_use]
pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

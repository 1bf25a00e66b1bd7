//! Turning accounts off and on. Turning one off ends every session of it in the same
//! transaction, so a deactivated person is signed out at once; and who turned it off is
//! kept, so the hospital directory can undo only its own deactivations.

use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::accounts::server::service::{switch_off, switch_on};
use crate::accounts::types::Deactivator;

/// Turns an account off and ends all its sessions in the same transaction, so a
/// deactivated person is signed out at once. `false` when there is no such account.
pub async fn deactivate<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    by: Deactivator,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let found = switch_off(conn, account_id, by, now).await?;
    super::session::end_all(conn, account_id, "deactivated", now).await?;
    Ok(found)
}

/// Turns an account back on. `by` is who asks: the directory can only undo a deactivation
/// of its own; an operator can undo any. `false` when nothing changed.
pub async fn reactivate<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    by: Deactivator,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    switch_on(conn, account_id, by, now).await
}

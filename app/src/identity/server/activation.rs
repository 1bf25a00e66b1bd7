//! Turning accounts off and on. Turning one off ends every session of it in the same
//! transaction, so a deactivated person is signed out at once; and who turned it off is
//! kept, so the hospital directory can undo only its own deactivations.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use crate::accounts::server::entity::{Column, Entity};

/// Who turned an account off. The hospital directory may undo only its own deactivations:
/// an account the portal's operators turned off stays off whatever a feed says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivator {
    /// An operator, with `portal deactivate`.
    Portal,
    /// The hospital directory (a `Practitioner` with `active: false`).
    Directory,
}

impl Deactivator {
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Deactivator::Portal => "portal",
            Deactivator::Directory => "directory",
        }
    }
}

/// Turns an account off and ends all its sessions in the same transaction, so a
/// deactivated person is signed out at once. `false` when there is no such account.
pub async fn deactivate<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    by: Deactivator,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::Active, Expr::value(false))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(account_id))
        .exec(conn)
        .await?;
    // Who turned it off; the portal's own deactivation is never downgraded to the
    // directory's.
    let mut mark = Entity::update_many()
        .col_expr(Column::DeactivatedBy, Expr::value(by.code()))
        .filter(Column::Id.eq(account_id));
    if by == Deactivator::Directory {
        mark = mark.filter(Column::DeactivatedBy.is_null());
    }
    mark.exec(conn).await?;
    super::session::end_all(conn, account_id, "deactivated", now).await?;
    Ok(result.rows_affected == 1)
}

/// Turns an account back on. `by` is who asks: the directory can only undo a deactivation
/// of its own; an operator can undo any. `false` when nothing changed.
pub async fn reactivate<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    by: Deactivator,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::Active, Expr::value(true))
        .col_expr(Column::DeactivatedBy, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(account_id))
        .filter(Column::Active.eq(false));
    if by == Deactivator::Directory {
        update = update.filter(
            Column::DeactivatedBy
                .is_null()
                .or(Column::DeactivatedBy.eq(Deactivator::Directory.code())),
        );
    }
    Ok(update.exec(conn).await?.rows_affected == 1)
}

//! Which roles an account holds.

use std::collections::BTreeSet;

use sea_orm::sea_query::{OnConflict, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::entity::account_role::{ActiveModel, Column, Entity};
use crate::identity::types::Role;

/// The account's roles, sorted.
pub async fn roles_of<C: ConnectionTrait>(conn: &C, account_id: i64) -> Result<Vec<Role>, DbErr> {
    roles_where(conn, Column::AccountId.eq(account_id)).await
}

/// The roles of the account whose id `account_id` selects (a subquery of one column),
/// sorted: read in the same round trip as the row that names the account.
pub async fn roles_of_account_in<C: ConnectionTrait>(
    conn: &C,
    account_id: SelectStatement,
) -> Result<Vec<Role>, DbErr> {
    roles_where(conn, Column::AccountId.in_subquery(account_id)).await
}

async fn roles_where<C: ConnectionTrait>(
    conn: &C,
    condition: SimpleExpr,
) -> Result<Vec<Role>, DbErr> {
    let rows = Entity::find().filter(condition).all(conn).await?;
    let roles: BTreeSet<Role> = rows
        .iter()
        .filter_map(|row| Role::parse(&row.role))
        .collect();
    Ok(roles.into_iter().collect())
}

/// Gives the account `role` (no-op if it has it).
pub async fn grant<C: ConnectionTrait>(conn: &C, account_id: i64, role: Role) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        account_id: Set(account_id),
        role: Set(role.as_str().to_owned()),
    })
    .on_conflict(
        OnConflict::columns([Column::AccountId, Column::Role])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The accounts holding `role`, active or not (callers that write to people check).
pub async fn holders<C: ConnectionTrait>(conn: &C, role: Role) -> Result<Vec<i64>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Role.eq(role.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.account_id)
        .collect())
}

//! Column helpers that paper over the few differences between SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// An auto-incrementing 64-bit primary key.
///
/// SQLite only accepts `AUTOINCREMENT` on a column declared `INTEGER` (which is 64-bit there);
/// PostgreSQL gets a `bigint` identity so ids never run out.
pub fn id_column(backend: DatabaseBackend, name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    match backend {
        DatabaseBackend::Sqlite => column.integer(),
        _ => column.big_integer(),
    };
    column.not_null().auto_increment().primary_key();
    column
}

/// A timestamp with time zone; values are always written in UTC.
pub fn timestamp(name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    column.timestamp_with_time_zone();
    column
}

/// A required text column.
pub fn text(name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    column.text().not_null();
    column
}

/// An optional text column.
pub fn text_null(name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    column.text().null();
    column
}

/// A required 64-bit integer (references to other rows, counters).
pub fn big_int(name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    column.big_integer().not_null();
    column
}

/// An optional 64-bit integer.
pub fn big_int_null(name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(name));
    column.big_integer().null();
    column
}

//! Bulk writes on PostgreSQL as arrays: `INSERT INTO t (a, b, …) SELECT … FROM
//! UNNEST($1::bigint[], $2::text[], …)`, one array parameter per column. A multi-row
//! `VALUES` list has one parameter per cell, which PostgreSQL must parse and plan for
//! every statement; this has a handful whatever the number of rows. (SQLite, where
//! parameters cost little, keeps multi-row inserts.)

use sea_orm::sea_query::{ArrayType, Value};
use sea_orm::{
    ActiveModelTrait, DatabaseBackend, EntityName, EntityTrait, IdenStatic, Iterable, Statement,
};
use time::OffsetDateTime;

/// The statement inserting `rows` (all of one entity, every column set), followed by
/// `tail` (an `ON CONFLICT …` clause, or nothing). The driver cannot bind NULL array
/// elements, so a column holding a NULL in `rows` also gets a boolean array saying which of
/// its values are there. The values are moved out of `rows`, not copied: ingestion builds
/// this under the chain's lock.
pub fn insert<A: ActiveModelTrait>(mut rows: Vec<A>, tail: &str) -> Statement {
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let mut names = Vec::new();
    let mut selected = Vec::new();
    let mut arrays: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut columns = Vec::new();
    for column in <A::Entity as EntityTrait>::Column::iter() {
        let name = column.as_str();
        columns.push(format!("\"{name}\""));
        let mut cells: Vec<Value> = rows
            .iter_mut()
            .map(|row| row.take(column).into_value().unwrap_or(Value::BigInt(None)))
            .collect();
        let present: Vec<bool> = cells.iter().map(|cell| !is_null(cell)).collect();
        // A NULL value keeps its type, so a column of NULLs still gets the right array.
        let typed = cells.iter().find(|cell| !is_null(cell)).or(cells.first());
        let (sql_type, array_type, blank) = match typed {
            Some(Value::Bool(_)) => ("boolean", ArrayType::Bool, Value::Bool(Some(false))),
            Some(Value::String(_)) => (
                "text",
                ArrayType::String,
                Value::String(Some(Box::default())),
            ),
            Some(Value::TimeDateTimeWithTimeZone(_)) => (
                "timestamptz",
                ArrayType::TimeDateTimeWithTimeZone,
                Value::TimeDateTimeWithTimeZone(Some(Box::new(OffsetDateTime::UNIX_EPOCH))),
            ),
            Some(Value::Int(_)) => ("integer", ArrayType::Int, Value::Int(Some(0))),
            _ => ("bigint", ArrayType::BigInt, Value::BigInt(Some(0))),
        };
        for cell in &mut cells {
            if is_null(cell) {
                cell.clone_from(&blank);
            }
        }
        values.push(Value::Array(array_type, Some(Box::new(cells))));
        arrays.push(format!("${}::{sql_type}[]", values.len()));
        names.push(format!("\"{name}\""));
        if present.iter().all(|there| *there) {
            selected.push(format!("u.\"{name}\""));
        } else {
            let present = present.into_iter().map(|there| Value::Bool(Some(there)));
            values.push(Value::Array(
                ArrayType::Bool,
                Some(Box::new(present.collect())),
            ));
            arrays.push(format!("${}::boolean[]", values.len()));
            names.push(format!("\"{name}_present\""));
            selected.push(format!(
                "CASE WHEN u.\"{name}_present\" THEN u.\"{name}\" END"
            ));
        }
    }
    let sql = format!(
        "INSERT INTO \"{table}\" ({}) SELECT {} FROM UNNEST({}) AS u({}) {tail}",
        columns.join(", "),
        selected.join(", "),
        arrays.join(", "),
        names.join(", ")
    );
    Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values)
}

/// `rows` in pieces of at most `size` (at least one), each owned.
pub fn owned_chunks<T>(mut rows: Vec<T>, size: usize) -> impl Iterator<Item = Vec<T>> {
    let size = size.max(1);
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let rest = rows.split_off(rows.len().min(size));
        Some(std::mem::replace(&mut rows, rest))
    })
}

fn is_null(value: &Value) -> bool {
    matches!(
        value,
        Value::Bool(None)
            | Value::Int(None)
            | Value::BigInt(None)
            | Value::String(None)
            | Value::TimeDateTimeWithTimeZone(None)
    )
}

#[cfg(test)]
mod tests {
    use super::owned_chunks;

    #[test]
    fn owned_chunks_keep_order_and_bound_size() {
        let chunks: Vec<Vec<u32>> = owned_chunks((1..=7).collect(), 3).collect();
        assert_eq!(chunks, vec![vec![1, 2, 3], vec![4, 5, 6], vec![7]]);
        assert_eq!(owned_chunks(Vec::<u32>::new(), 3).count(), 0);
        let exact: Vec<Vec<u32>> = owned_chunks(vec![1, 2], 2).collect();
        assert_eq!(exact, vec![vec![1, 2]]);
        assert_eq!(owned_chunks(vec![1, 2], 0).count(), 2);
    }
}

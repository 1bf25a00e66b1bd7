//! Reading the portal's tables the way an auditor would, with plain SELECTs: each table is
//! private to its feature, so the tests do not use the features' entities. The statements
//! are built with sea-query, so they run on SQLite and PostgreSQL alike.

use sea_orm::sea_query::{Alias, Expr, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// An access-log entry as stored.
#[derive(Clone, Debug, FromQueryResult)]
pub struct StoredEvent {
    pub id: i64,
    pub category: String,
    pub purpose: String,
    pub agent_kind: String,
    pub agent_name: String,
    /// The rules that fired, as comma-separated codes.
    pub flags: String,
    /// The canonical record the chain hashes.
    pub record: String,
    pub hash: String,
    /// Why it was normal (a `Reason` code), and the kind of care that says so.
    pub explained_by: Option<String>,
    pub explained_kind: Option<String>,
}

const EVENT_COLUMNS: [&str; 10] = [
    "id",
    "category",
    "purpose",
    "agent_kind",
    "agent_name",
    "flags",
    "record",
    "hash",
    "explained_by",
    "explained_kind",
];

/// The rows `select` finds.
pub async fn rows<T: FromQueryResult>(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Vec<T> {
    let statement = db.get_database_backend().build(select);
    T::find_by_statement(statement).all(db).await.unwrap()
}

fn filtered(table: &str, columns: &[&str], filters: &[(&str, &str)]) -> SelectStatement {
    let mut select = Query::select();
    select
        .columns(columns.iter().map(|c| Alias::new(*c)))
        .from(Alias::new(table));
    for (column, value) in filters {
        select.and_where(Expr::col(Alias::new(*column)).eq(*value));
    }
    select
}

/// The access events matching every `(column, value)` of `filters`, oldest first.
pub async fn events(db: &impl ConnectionTrait, filters: &[(&str, &str)]) -> Vec<StoredEvent> {
    let mut select = filtered("access_event", &EVENT_COLUMNS, filters);
    select.order_by(Alias::new("id"), Order::Asc);
    rows(db, &select).await
}

/// The number of rows in `table`.
pub async fn count(db: &impl ConnectionTrait, table: &str) -> i64 {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let mut select = Query::select();
    select
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new(table));
    rows::<Count>(db, &select).await[0].n
}

/// The head of a patient's own chain: their newest event, its hash and how many there are.
#[derive(Debug, FromQueryResult)]
pub struct PatientHead {
    pub last_event_id: i64,
    pub hash: String,
    pub events: i64,
}

/// The head of the chain of the patient with `mrn`.
pub async fn patient_head(db: &impl ConnectionTrait, mrn: &str) -> PatientHead {
    let select = filtered(
        "access_patient_head",
        &["last_event_id", "hash", "events"],
        &[("patient_mrn", mrn)],
    );
    rows::<PatientHead>(db, &select).await.remove(0)
}

/// A privacy officer's decision on a review item.
#[derive(Debug, FromQueryResult)]
pub struct Decision {
    pub state: String,
    pub note: String,
}

/// Every decision on the review item of event `event_id`, oldest first.
pub async fn review_decisions(db: &impl ConnectionTrait, event_id: i64) -> Vec<Decision> {
    let mut select = Query::select();
    select
        .columns([Alias::new("state"), Alias::new("note")])
        .from(Alias::new("access_review_decision"))
        .and_where(Expr::col(Alias::new("event_id")).eq(event_id))
        .order_by(Alias::new("id"), Order::Asc);
    rows(db, &select).await
}

#[derive(Debug, FromQueryResult)]
struct CaseOf {
    case_id: Option<i64>,
}

/// The review case that holds the review item of event `event_id`.
pub async fn case_of(db: &impl ConnectionTrait, event_id: i64) -> i64 {
    let mut select = Query::select();
    select
        .column(Alias::new("case_id"))
        .from(Alias::new("access_review"))
        .and_where(Expr::col(Alias::new("event_id")).eq(event_id));
    let found: Vec<CaseOf> = rows(db, &select).await;
    found
        .first()
        .and_then(|row| row.case_id)
        .expect("the event's review item is in a case")
}

/// A review case as stored.
#[derive(Debug, FromQueryResult)]
pub struct StoredCase {
    pub id: i64,
    pub agent_key: String,
    pub patient_mrn: String,
    pub day: String,
    pub events: i64,
    pub unexplained: i64,
    pub rules: String,
    pub out_of_care: bool,
    pub night_unnamed: i64,
    pub vip_by_department: i64,
    pub follows_out_of_care: bool,
    pub score: i64,
    pub state: String,
}

/// Every review case, oldest first.
pub async fn cases(db: &impl ConnectionTrait) -> Vec<StoredCase> {
    let mut select = Query::select();
    select
        .columns(
            [
                "id",
                "agent_key",
                "patient_mrn",
                "day",
                "events",
                "unexplained",
                "rules",
                "out_of_care",
                "night_unnamed",
                "vip_by_department",
                "follows_out_of_care",
                "score",
                "state",
            ]
            .map(Alias::new),
        )
        .from(Alias::new("access_case"))
        .order_by(Alias::new("id"), Order::Asc);
    rows(db, &select).await
}

/// A recorded sign-in or enrollment attempt.
#[derive(Debug, FromQueryResult)]
pub struct Attempt {
    pub account_id: Option<i64>,
    pub outcome: String,
}

/// Every sign-in and enrollment attempt, oldest first.
pub async fn attempts(db: &impl ConnectionTrait) -> Vec<Attempt> {
    let mut select = Query::select();
    select
        .columns([Alias::new("account_id"), Alias::new("outcome")])
        .from(Alias::new("sign_in_attempt"))
        .order_by(Alias::new("id"), Order::Asc);
    rows(db, &select).await
}

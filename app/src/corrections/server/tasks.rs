//! Accepted corrections going back to the hospital's record system: each accepted or
//! partly accepted request is a FHIR `Task` the system reads and marks completed once the
//! record holds the new value; the patient then sees "applied on …". Every read by a
//! system goes into the patient's access log.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::request;
use super::mail::{tell_patient, News};
use crate::access_log::server::ingest::{ingest, NewAccess};
use crate::access_log::types::{Action, AgentKind, Category, Purpose};
use crate::accounts::server::query;
use crate::corrections::types::CorrectionState;
use crate::record::server::service::{mark_applied, resource_of};
use crate::ssr::sources::Source;
use crate::state::AppState;

/// An accepted correction as a hospital system reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrectionTask {
    pub reference: String,
    /// Whether the record system has applied it (`completed`), else `requested`.
    pub completed: bool,
    pub patient_mrn: String,
    /// The resource to change, as its source named it (`AllergyIntolerance`, id).
    pub focus: Option<(String, String)>,
    pub section: String,
    /// The field code, or `missing`.
    pub field: String,
    pub current: Option<String>,
    pub amended: String,
    pub partly: bool,
    pub note: Option<String>,
    pub filed_at: OffsetDateTime,
    pub decided_at: OffsetDateTime,
    pub last_modified: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("no such task")]
    NotFound,
    /// Only `completed` can be set, once.
    #[error("a task can only be marked completed")]
    BadStatus,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Whether a request is one the record system must apply.
fn accepted(row: &request::Model) -> bool {
    matches!(
        row.stage(),
        CorrectionState::Accepted | CorrectionState::PartlyAccepted
    )
}

async fn task_of<C: ConnectionTrait>(
    conn: &C,
    row: request::Model,
) -> Result<Option<CorrectionTask>, DbErr> {
    let (Some(reference), Some(decided_at), Some(amended)) = (
        row.reference.clone(),
        row.decided_at,
        row.amended_value.clone(),
    ) else {
        return Ok(None);
    };
    let Some(mrn) = query::by_id(conn, row.account_id)
        .await?
        .and_then(|a| a.mrn)
    else {
        return Ok(None);
    };
    let focus = match row.entry_id {
        Some(id) => resource_of(conn, id).await?,
        None => None,
    };
    Ok(Some(CorrectionTask {
        reference,
        completed: row.applied_at.is_some(),
        patient_mrn: mrn,
        focus,
        partly: row.state == CorrectionState::PartlyAccepted.code(),
        section: row.section,
        field: row.field,
        current: row.current_value,
        amended,
        note: row.decision_note,
        filed_at: row.filed_at,
        decided_at,
        last_modified: row.updated_at,
    }))
}

/// The accepted corrections, optionally only completed or not, changed since a time.
pub async fn tasks(
    state: &AppState,
    source: &Source,
    completed: Option<bool>,
    since: Option<OffsetDateTime>,
) -> Result<Vec<CorrectionTask>, DbErr> {
    let mut select = request::Entity::find()
        .filter(request::Column::DecidedAt.is_not_null())
        .order_by_asc(request::Column::Id);
    if let Some(since) = since {
        select = select.filter(request::Column::UpdatedAt.gte(since));
    }
    let mut found = Vec::new();
    for row in select.all(&state.db).await?.into_iter().filter(accepted) {
        if let Some(task) = task_of(&state.db, row).await? {
            if completed.is_none_or(|c| c == task.completed) {
                found.push(task);
            }
        }
    }
    read_by(state, source, &found).await?;
    Ok(found)
}

/// One task by its id (the request's reference).
pub async fn task(
    state: &AppState,
    source: &Source,
    reference: &str,
) -> Result<CorrectionTask, TaskError> {
    let row = request::Entity::find()
        .filter(request::Column::Reference.eq(reference))
        .one(&state.db)
        .await?
        .filter(accepted)
        .ok_or(TaskError::NotFound)?;
    let task = task_of(&state.db, row).await?.ok_or(TaskError::NotFound)?;
    read_by(state, source, std::slice::from_ref(&task)).await?;
    Ok(task)
}

/// Marks a task completed: the record system applied the correction. Setting it again
/// changes nothing.
pub async fn complete(
    state: &AppState,
    source: &Source,
    reference: &str,
) -> Result<CorrectionTask, TaskError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = request::Entity::find()
        .filter(request::Column::Reference.eq(reference))
        .one(&txn)
        .await?
        .filter(accepted)
        .ok_or(TaskError::NotFound)?;
    if row.applied_at.is_none() {
        request::Entity::update_many()
            .col_expr(request::Column::AppliedAt, Expr::value(now))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        mark_applied(&txn, reference, now).await?;
        tell_patient(&txn, state, &row, &News::Applied, now).await?;
        log(&txn, state, source, &row, Action::Update, now).await?;
    }
    let row = request::Entity::find_by_id(row.id)
        .one(&txn)
        .await?
        .ok_or(TaskError::NotFound)?;
    let task = task_of(&txn, row).await?.ok_or(TaskError::NotFound)?;
    txn.commit().await?;
    Ok(task)
}

/// Writes a system's read of tasks into each patient's log.
async fn read_by(state: &AppState, source: &Source, tasks: &[CorrectionTask]) -> Result<(), DbErr> {
    let now = state.clock.now();
    let accesses: Vec<NewAccess> = tasks
        .iter()
        .map(|task| {
            access(
                source,
                &task.patient_mrn,
                &task.reference,
                Action::View,
                now,
            )
        })
        .collect();
    ingest(&state.db, source, &accesses, &state.access.ingest, now).await?;
    Ok(())
}

async fn log<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    state: &AppState,
    source: &Source,
    row: &request::Model,
    action: Action,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let Some(mrn) = query::by_id(conn, row.account_id)
        .await?
        .and_then(|a| a.mrn)
    else {
        return Ok(());
    };
    let reference = row.reference.clone().unwrap_or_default();
    let entry = access(source, &mrn, &reference, action, now);
    ingest(conn, source, &[entry], &state.access.ingest, now).await?;
    Ok(())
}

fn access(
    source: &Source,
    mrn: &str,
    reference: &str,
    action: Action,
    now: OffsetDateTime,
) -> NewAccess {
    NewAccess {
        source_event_id: uuid::Uuid::new_v4().to_string(),
        patient_mrn: mrn.to_owned(),
        occurred_at: now,
        category: Category::CorrectionRequest,
        action,
        purpose: Purpose::Operations,
        purpose_code: None,
        agent_kind: AgentKind::System,
        agent_ref: None,
        agent_name: source.name.clone(),
        agent_role: None,
        department_code: None,
        system: Some(source.name.clone()),
        site: None,
        workstation: None,
        detail: Some(reference.to_owned()),
    }
}

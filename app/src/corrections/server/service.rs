//! A patient's correction requests: the form's facts, filing (the request, its clock and
//! the acknowledgement email in one transaction), the patient's list and one request with
//! its messages and files. A patient only ever reaches their own requests; any other
//! reference is "not found".

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::{file, message, request};
use super::mail::{tell_filer, tell_staff, News};
use super::staff::is_closed;
use super::CORRECTION;
use crate::accounts::server::query;
use crate::corrections::types::{
    check_text, AskCorrection, CorrectionFormView, CorrectionState, CorrectionSummaryView,
    CorrectionView, ExtensionView, FileView, MessageView, MISSING,
};
use crate::identity::server::access::PatientCap;
use crate::identity::server::roles::holders;
use crate::identity::types::Role;
use crate::record::server::service::{annotate, entry_of, NewNote};
use crate::record::types::NoteKind;
use crate::record::types::{Field, Section};
use crate::ssr::deadlines::{self, last_day};
use crate::ssr::evidence::{EvidenceError, MAX_FILES};
use crate::ssr::time::local_minute;
use crate::state::AppState;

/// Why a request (or a step on it) was refused.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    /// No such request, entry or file for this person.
    #[error("not found")]
    NotFound,
    #[error("the field is not one of the entry's")]
    BadField,
    #[error("the proposed value is blank or too long")]
    BadProposed,
    #[error("the reason is blank or too long")]
    BadReason,
    #[error("the message is blank or too long")]
    BadMessage,
    #[error("the statement is blank or too long")]
    BadStatement,
    /// The request already has [`MAX_FILES`] files.
    #[error("no more files may be added")]
    TooManyFiles,
    #[error("the file was refused: {0}")]
    File(#[from] EvidenceError),
    /// The request is decided: nothing more can be added to it.
    #[error("the request is closed")]
    Closed,
    #[error("not a records officer")]
    BadOfficer,
    #[error("the extension's length is not allowed")]
    BadDays,
    #[error("the request was extended before")]
    AlreadyExtended,
    #[error("no such decision")]
    BadDecision,
    #[error("the corrected value is blank or too long")]
    BadAmended,
    #[error("the written reason is blank or too long")]
    BadNote,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Where a request's page lives.
#[must_use]
pub fn request_path(reference: &str) -> String {
    format!("/record/requests/{reference}")
}

/// What the new-request form shows for an entry and field, or a section's "something is
/// missing".
pub async fn form(
    state: &AppState,
    cap: &PatientCap,
    entry: Option<i64>,
    section: Option<&str>,
    field: Option<&str>,
) -> Result<CorrectionFormView, CorrectionError> {
    let tz = &state.settings.time_zone;
    if let Some(entry_id) = entry {
        let entry = entry_of(&state.db, cap.account_id(), entry_id, tz)
            .await
            .map_err(record_error)?
            .ok_or(CorrectionError::NotFound)?;
        let field = field.and_then(Field::parse);
        return Ok(CorrectionFormView {
            entry: Some(entry.id),
            section: entry.section,
            fields: entry.fields,
            field,
        });
    }
    let section = section
        .and_then(Section::parse)
        .ok_or(CorrectionError::NotFound)?;
    Ok(CorrectionFormView {
        entry: None,
        section,
        fields: Vec::new(),
        field: None,
    })
}

fn record_error(error: crate::record::server::service::RecordError) -> CorrectionError {
    use crate::record::server::service::RecordError;
    match error {
        RecordError::Database(error) => CorrectionError::Database(error),
        RecordError::NotFound | RecordError::UnknownPatient(_) => CorrectionError::NotFound,
    }
}

/// What a request is about: the section, the field (none: missing) and the value then.
struct Subject {
    entry: Option<i64>,
    section: Section,
    field: Option<Field>,
    current: Option<String>,
    department: Option<String>,
}

async fn subject_of(
    state: &AppState,
    cap: &PatientCap,
    ask: &AskCorrection,
) -> Result<Subject, CorrectionError> {
    let tz = &state.settings.time_zone;
    if ask.field == MISSING {
        // Something missing from an entry, or from a whole section.
        if let Some(entry_id) = ask.entry {
            let entry = entry_of(&state.db, cap.account_id(), entry_id, tz)
                .await
                .map_err(record_error)?
                .ok_or(CorrectionError::NotFound)?;
            return Ok(Subject {
                entry: Some(entry.id),
                section: entry.section,
                field: None,
                current: None,
                department: department_of(&entry),
            });
        }
        let section = ask
            .section
            .as_deref()
            .and_then(Section::parse)
            .ok_or(CorrectionError::NotFound)?;
        return Ok(Subject {
            entry: None,
            section,
            field: None,
            current: None,
            department: None,
        });
    }
    let entry_id = ask.entry.ok_or(CorrectionError::BadField)?;
    let entry = entry_of(&state.db, cap.account_id(), entry_id, tz)
        .await
        .map_err(record_error)?
        .ok_or(CorrectionError::NotFound)?;
    let field = Field::parse(&ask.field).ok_or(CorrectionError::BadField)?;
    let current = entry
        .fields
        .iter()
        .find(|f| f.field == field)
        .map(|f| f.value.clone());
    Ok(Subject {
        entry: Some(entry.id),
        section: entry.section,
        field: Some(field),
        current,
        department: department_of(&entry),
    })
}

/// The department an entry names, if any.
fn department_of(entry: &crate::record::types::EntryView) -> Option<String> {
    entry
        .fields
        .iter()
        .find(|f| f.field == Field::Department)
        .map(|f| f.value.clone())
}

/// A request's reference, quoted by patients and staff: the year it was filed and its
/// number.
fn reference_of(id: i64, filed_at: OffsetDateTime) -> String {
    format!("CR-{}-{id:05}", filed_at.year())
}

/// Files a request: the request, its clock and the acknowledgement email, in one
/// transaction. Returns the reference.
pub async fn ask(
    state: &AppState,
    cap: &PatientCap,
    ask: &AskCorrection,
) -> Result<String, CorrectionError> {
    let subject = subject_of(state, cap, ask).await?;
    if !check_text(&ask.proposed) {
        return Err(CorrectionError::BadProposed);
    }
    if !check_text(&ask.reason) {
        return Err(CorrectionError::BadReason);
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let inserted = request::Entity::insert(request::ActiveModel {
        id: NotSet,
        reference: Set(None),
        account_id: Set(cap.account_id()),
        entry_id: Set(subject.entry),
        section: Set(subject.section.code().to_owned()),
        field: Set(subject.field.map_or(MISSING, Field::code).to_owned()),
        current_value: Set(subject.current),
        proposed_value: Set(ask.proposed.trim().to_owned()),
        reason: Set(ask.reason.trim().to_owned()),
        state: Set(CorrectionState::Received.code().to_owned()),
        department: Set(subject.department),
        assignee_id: Set(None),
        filed_at: Set(now),
        updated_at: Set(now),
        decided_at: Set(None),
        decided_by: Set(None),
        decision_note: Set(None),
        amended_value: Set(None),
        applied_at: Set(None),
        disagreement: Set(None),
        disagreement_at: Set(None),
        rebuttal: Set(None),
        rebuttal_at: Set(None),
    })
    .exec(&txn)
    .await?;
    let id = inserted.last_insert_id;
    let reference = reference_of(id, now);
    request::Entity::update_many()
        .col_expr(
            request::Column::Reference,
            sea_orm::sea_query::Expr::value(reference.clone()),
        )
        .filter(request::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let tz = &state.settings.time_zone;
    let clock = deadlines::open(&txn, CORRECTION, id, &state.corrections.timing, tz, now).await?;
    let news = News::Received {
        due_on: last_day(clock.due_at, tz),
    };
    tell_filer(&txn, state, cap.account_id(), &reference, &news, now).await?;
    txn.commit().await?;
    Ok(reference)
}

/// The request with `reference` if it is the patient's.
pub(super) async fn own_request<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    reference: &str,
) -> Result<request::Model, CorrectionError> {
    request::Entity::find()
        .filter(request::Column::Reference.eq(reference))
        .filter(request::Column::AccountId.eq(cap.account_id()))
        .one(conn)
        .await?
        .ok_or(CorrectionError::NotFound)
}

fn field_of(row: &request::Model) -> Option<Field> {
    Field::parse(&row.field)
}

/// The patient's requests, newest first.
pub async fn mine(
    state: &AppState,
    cap: &PatientCap,
) -> Result<Vec<CorrectionSummaryView>, CorrectionError> {
    let rows = request::Entity::find()
        .filter(request::Column::AccountId.eq(cap.account_id()))
        .order_by_desc(request::Column::Id)
        .all(&state.db)
        .await?;
    let tz = &state.settings.time_zone;
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let clock = deadlines::clock_of(&state.db, CORRECTION, row.id).await?;
        let (Some(reference), Some(section)) =
            (row.reference.clone(), Section::parse(&row.section))
        else {
            continue;
        };
        list.push(CorrectionSummaryView {
            reference,
            section,
            field: field_of(&row),
            state: row.stage(),
            filed: local_minute(row.filed_at, tz),
            due_on: clock.map(|c| last_day(c.due_at, tz)).unwrap_or_default(),
        });
    }
    Ok(list)
}

/// One of the patient's requests with its messages and files.
pub async fn one(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
) -> Result<CorrectionView, CorrectionError> {
    let row = own_request(&state.db, cap, reference).await?;
    view_of(state, row).await
}

/// A request as the patient sees it.
pub(super) async fn view_of(
    state: &AppState,
    row: request::Model,
) -> Result<CorrectionView, CorrectionError> {
    let tz = &state.settings.time_zone;
    let clock = deadlines::clock_of(&state.db, CORRECTION, row.id).await?;
    let messages = message::Entity::find()
        .filter(message::Column::RequestId.eq(row.id))
        .order_by_asc(message::Column::Id)
        .all(&state.db)
        .await?;
    let mut message_views = Vec::with_capacity(messages.len());
    for m in messages {
        let author = query::by_id(&state.db, m.author_id)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default();
        message_views.push(MessageView {
            from_staff: m.author_side == "staff",
            author,
            body: m.body,
            sent: local_minute(m.sent_at, tz),
        });
    }
    let files = files_of(&state.db, row.id).await?;
    let section = Section::parse(&row.section).ok_or(CorrectionError::NotFound)?;
    Ok(CorrectionView {
        reference: row.reference.clone().unwrap_or_default(),
        entry: row.entry_id,
        section,
        field: field_of(&row),
        current: row.current_value.clone(),
        proposed: row.proposed_value.clone(),
        reason: row.reason.clone(),
        state: row.stage(),
        filed: local_minute(row.filed_at, tz),
        due_on: clock
            .as_ref()
            .map(|c| last_day(c.due_at, tz))
            .unwrap_or_default(),
        extension: clock.and_then(|c| c.extension).map(|e| ExtensionView {
            days: e.days,
            reason: e.reason,
        }),
        decision_note: row.decision_note.clone(),
        amended: row.amended_value.clone(),
        decided: row.decided_at.map(|at| local_minute(at, tz)),
        applied: row.applied_at.map(|at| local_minute(at, tz)),
        messages: message_views,
        files_left: MAX_FILES.saturating_sub(files.len()),
        files,
        may_disagree: row.stage() == CorrectionState::Denied && row.disagreement.is_none(),
        open: !is_closed(&row),
        disagreement: row.disagreement.clone(),
        rebuttal: row.rebuttal.clone(),
    })
}

/// The files of a request (without their content).
pub(super) async fn files_of<C: ConnectionTrait>(
    conn: &C,
    request_id: i64,
) -> Result<Vec<FileView>, DbErr> {
    Ok(file::Entity::find()
        .filter(file::Column::RequestId.eq(request_id))
        .order_by_asc(file::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|f| FileView {
            id: f.id,
            name: f.file_name,
            content_type: f.content_type,
            size: f.size,
        })
        .collect())
}

/// A message from the patient on their request, until it is decided.
pub async fn patient_message(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    body: &str,
) -> Result<(), CorrectionError> {
    let row = own_request(&state.db, cap, reference).await?;
    if is_closed(&row) {
        return Err(CorrectionError::Closed);
    }
    if !check_text(body) {
        return Err(CorrectionError::BadMessage);
    }
    message::Entity::insert(message::ActiveModel {
        id: NotSet,
        request_id: Set(row.id),
        author_id: Set(cap.account_id()),
        author_side: Set("patient".to_owned()),
        body: Set(body.trim().to_owned()),
        sent_at: Set(state.clock.now()),
    })
    .exec_without_returning(&state.db)
    .await?;
    Ok(())
}

/// How many files a request has.
pub(super) async fn file_count<C: ConnectionTrait>(
    conn: &C,
    request_id: i64,
) -> Result<u64, DbErr> {
    file::Entity::find()
        .filter(file::Column::RequestId.eq(request_id))
        .count(conn)
        .await
}

/// After a denial, the patient's statement of disagreement: kept with the request and shown
/// with the entry; the assigned officer (or every records officer) is told.
pub async fn disagree(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    statement: &str,
) -> Result<(), CorrectionError> {
    if !check_text(statement) {
        return Err(CorrectionError::BadStatement);
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = own_request(&txn, cap, reference).await?;
    if row.stage() != CorrectionState::Denied || row.disagreement.is_some() {
        return Err(CorrectionError::Closed);
    }
    request::Entity::update_many()
        .col_expr(request::Column::Disagreement, Expr::value(statement.trim()))
        .col_expr(request::Column::DisagreementAt, Expr::value(now))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    if let Some(entry_id) = row.entry_id {
        let author = query::by_id(&txn, cap.account_id())
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default();
        annotate(
            &txn,
            entry_id,
            &NewNote {
                kind: NoteKind::Disagreement,
                field: field_of(&row),
                original: None,
                text: statement.trim().to_owned(),
                author,
                reference: reference.to_owned(),
            },
            now,
        )
        .await?;
    }
    let to = match row.assignee_id {
        Some(id) => vec![id],
        None => holders(&txn, Role::RecordsOfficer).await?,
    };
    tell_staff(&txn, state, &row, &to, &News::Disagreement, now).await?;
    txn.commit().await?;
    Ok(())
}

//! The records officers' side: the queue, one request (every opening logged in the
//! patient's access log, in the same transaction), assignment, the one extension, the
//! decision, messages and the rebuttal. Each change is one transaction with its email.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::{file, message, request};
use super::mail::{tell_patient, News};
use super::service::{view_of, CorrectionError};
use super::CORRECTION;
use crate::access_log::server::portal_log;
use crate::access_log::types::{Action, Category};
use crate::accounts::server::query;
use crate::corrections::types::{
    check_text, CorrectionState, Decision, DecisionForm, ExtensionForm, HistoryLine, HistoryStep,
    OfficerView, QueueFilter, QueueItemView, QueueView, StaffCorrectionView,
};
use crate::identity::server::access::{RecordsOfficerCap, SignedIn};
use crate::identity::server::roles::holders;
use crate::identity::types::Role;
use crate::record::server::service::{annotate, NewNote};
use crate::record::types::NoteKind;
use crate::record::types::{Field, Section};
use crate::ssr::deadlines::{self, last_day, ExtendError};
use crate::ssr::time::local_minute;
use crate::state::AppState;

/// The records officers who can be assigned, by name.
async fn officers<C: ConnectionTrait>(conn: &C) -> Result<Vec<OfficerView>, DbErr> {
    let mut list = Vec::new();
    for id in holders(conn, Role::RecordsOfficer).await? {
        if let Some(account) = query::active_by_id(conn, id).await? {
            list.push(OfficerView {
                id,
                name: account.display_name,
            });
        }
    }
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

/// Whether a row passes the queue's filters.
fn passes(row: &request::Model, filter: &QueueFilter, me: i64) -> bool {
    let state = row.stage();
    let state_ok = match filter.state.as_deref().unwrap_or("open") {
        "open" | "" => !state.is_decided(),
        "all" => true,
        code => CorrectionState::parse(code) == Some(state),
    };
    let department_ok = match filter.department.as_deref() {
        None | Some("") => true,
        Some(wanted) => row.department.as_deref() == Some(wanted),
    };
    let assignee_ok = match filter.assignee.as_deref() {
        None | Some("") => true,
        Some("me") => row.assignee_id == Some(me),
        Some("none") => row.assignee_id.is_none(),
        Some(id) => id.parse::<i64>().ok() == row.assignee_id,
    };
    state_ok && department_ok && assignee_ok
}

/// The queue: overdue requests first, then by due date, soonest first.
pub async fn queue(
    state: &AppState,
    cap: &RecordsOfficerCap,
    filter: &QueueFilter,
) -> Result<QueueView, CorrectionError> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let rows = request::Entity::find()
        .order_by_asc(request::Column::Id)
        .all(&state.db)
        .await?;
    let mut departments: Vec<String> = rows.iter().filter_map(|r| r.department.clone()).collect();
    departments.sort();
    departments.dedup();
    let mut items = Vec::new();
    for row in rows.iter().filter(|r| passes(r, filter, cap.account_id())) {
        let (Some(reference), Some(section)) =
            (row.reference.clone(), Section::parse(&row.section))
        else {
            continue;
        };
        let clock = deadlines::clock_of(&state.db, CORRECTION, row.id).await?;
        let due_at = clock.as_ref().map_or(row.filed_at, |c| c.due_at);
        let overdue = clock.as_ref().is_some_and(|c| c.is_overdue(now));
        let patient = query::by_id(&state.db, row.account_id)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default();
        let assignee = match row.assignee_id {
            Some(id) => query::by_id(&state.db, id).await?.map(|a| a.display_name),
            None => None,
        };
        items.push((
            (!overdue, due_at),
            QueueItemView {
                reference,
                patient,
                section,
                field: Field::parse(&row.field),
                state: row.stage(),
                department: row.department.clone(),
                assignee,
                filed: local_minute(row.filed_at, tz),
                due_on: last_day(due_at, tz),
                overdue,
            },
        ));
    }
    items.sort_by_key(|item| item.0);
    Ok(QueueView {
        items: items.into_iter().map(|(_, item)| item).collect(),
        departments,
        officers: officers(&state.db).await?,
    })
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    reference: &str,
) -> Result<request::Model, CorrectionError> {
    request::Entity::find()
        .filter(request::Column::Reference.eq(reference))
        .one(conn)
        .await?
        .ok_or(CorrectionError::NotFound)
}

/// The patient's record number, for their access log.
async fn mrn_of<C: ConnectionTrait>(conn: &C, account_id: i64) -> Result<String, CorrectionError> {
    query::by_id(conn, account_id)
        .await?
        .and_then(|a| a.mrn)
        .ok_or(CorrectionError::NotFound)
}

/// Writes "`who` did `action` on your correction request" into the patient's log.
async fn log<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    state: &AppState,
    who: &SignedIn,
    row: &request::Model,
    action: Action,
    now: OffsetDateTime,
) -> Result<(), CorrectionError> {
    let mrn = mrn_of(conn, row.account_id).await?;
    portal_log::staff_did(
        conn,
        &state.access.ingest,
        who,
        &[mrn],
        Category::CorrectionRequest,
        action,
        row.reference.clone(),
        now,
    )
    .await?;
    Ok(())
}

/// Opens a request for a records officer; the opening goes into the patient's log in the
/// same transaction.
pub async fn open(
    state: &AppState,
    who: &SignedIn,
    _cap: &RecordsOfficerCap,
    reference: &str,
) -> Result<StaffCorrectionView, CorrectionError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    log(&txn, state, who, &row, Action::View, now).await?;
    txn.commit().await?;
    let tz = &state.settings.time_zone;
    let patient = query::by_id(&state.db, row.account_id).await?;
    let clock = deadlines::clock_of(&state.db, CORRECTION, row.id).await?;
    let assignee = match row.assignee_id {
        Some(id) => query::by_id(&state.db, id).await?.map(|a| OfficerView {
            id,
            name: a.display_name,
        }),
        None => None,
    };
    let name_of = |id: Option<i64>| async move {
        match id {
            Some(id) => query::by_id(&state.db, id)
                .await
                .ok()
                .flatten()
                .map(|a| a.display_name),
            None => None,
        }
    };
    let mut history = vec![HistoryLine {
        at: local_minute(row.filed_at, tz),
        what: HistoryStep::Filed,
        by: patient.as_ref().map(|p| p.display_name.clone()),
    }];
    if let Some(extension) = clock.as_ref().and_then(|c| c.extension.clone()) {
        history.push(HistoryLine {
            at: local_minute(extension.at, tz),
            what: HistoryStep::Extended,
            by: None,
        });
    }
    if let Some(at) = row.decided_at {
        history.push(HistoryLine {
            at: local_minute(at, tz),
            what: HistoryStep::Decided,
            by: name_of(row.decided_by).await,
        });
    }
    for (at, step) in [
        (row.disagreement_at, HistoryStep::Disagreement),
        (row.rebuttal_at, HistoryStep::Rebuttal),
        (row.applied_at, HistoryStep::Applied),
    ] {
        if let Some(at) = at {
            history.push(HistoryLine {
                at: local_minute(at, tz),
                what: step,
                by: None,
            });
        }
    }
    let extension_days_left = if clock.as_ref().is_some_and(|c| c.extension.is_some()) {
        0
    } else {
        state.corrections.timing.extension_max_days
    };
    Ok(StaffCorrectionView {
        patient: patient
            .as_ref()
            .map(|p| p.display_name.clone())
            .unwrap_or_default(),
        mrn: patient.and_then(|p| p.mrn).unwrap_or_default(),
        department: row.department.clone(),
        assignee,
        officers: officers(&state.db).await?,
        history,
        overdue: clock.as_ref().is_some_and(|c| c.is_overdue(now)),
        extension_days_left,
        request: view_of(state, row).await?,
    })
}

/// One of a request's files for a records officer; logged in the patient's log.
pub async fn open_file(
    state: &AppState,
    who: &SignedIn,
    _cap: &RecordsOfficerCap,
    reference: &str,
    file_id: i64,
) -> Result<(String, String, Vec<u8>), CorrectionError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    let stored = file::Entity::find_by_id(file_id)
        .filter(file::Column::RequestId.eq(row.id))
        .one(&txn)
        .await?
        .ok_or(CorrectionError::NotFound)?;
    log(&txn, state, who, &row, Action::View, now).await?;
    txn.commit().await?;
    Ok((stored.file_name, stored.content_type, stored.content))
}

/// Assigns the request to a records officer (or to nobody).
pub async fn assign(
    state: &AppState,
    _cap: &RecordsOfficerCap,
    reference: &str,
    officer: Option<i64>,
) -> Result<(), CorrectionError> {
    if let Some(id) = officer {
        if !officers(&state.db).await?.iter().any(|o| o.id == id) {
            return Err(CorrectionError::BadOfficer);
        }
    }
    let row = find(&state.db, reference).await?;
    request::Entity::update_many()
        .col_expr(request::Column::AssigneeId, Expr::value(officer))
        .col_expr(request::Column::UpdatedAt, Expr::value(state.clock.now()))
        .filter(request::Column::Id.eq(row.id))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// The one extension: the clock moves, the patient is told why.
pub async fn extend(
    state: &AppState,
    who: &SignedIn,
    _cap: &RecordsOfficerCap,
    form: &ExtensionForm,
) -> Result<(), CorrectionError> {
    let days = form
        .days
        .trim()
        .parse::<u16>()
        .map_err(|_| CorrectionError::BadDays)?;
    if !check_text(&form.reason) {
        return Err(CorrectionError::BadReason);
    }
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let txn = state.db.begin().await?;
    let row = find(&txn, &form.reference).await?;
    if row.stage().is_decided() {
        return Err(CorrectionError::Closed);
    }
    let clock = deadlines::extend(
        &txn,
        CORRECTION,
        row.id,
        days,
        &form.reason,
        &state.corrections.timing,
        tz,
        now,
    )
    .await
    .map_err(|error| match error {
        ExtendError::BadLength(_) => CorrectionError::BadDays,
        ExtendError::NoReason => CorrectionError::BadReason,
        ExtendError::AlreadyExtended | ExtendError::Closed => CorrectionError::AlreadyExtended,
        ExtendError::NoCase => CorrectionError::NotFound,
        ExtendError::Database(error) => CorrectionError::Database(error),
    })?;
    set_state(&txn, row.id, CorrectionState::Extended, now).await?;
    log(&txn, state, who, &row, Action::Update, now).await?;
    let news = News::Extended {
        due_on: last_day(clock.due_at, tz),
    };
    tell_patient(&txn, state, &row, &news, now).await?;
    txn.commit().await?;
    Ok(())
}

async fn set_state<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    to: CorrectionState,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    request::Entity::update_many()
        .col_expr(request::Column::State, Expr::value(to.code()))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The decision: accepted (the amended value is recorded on the entry, the original kept),
/// partly accepted (with what and why), or denied with a written reason. The clock stops.
pub async fn decide(
    state: &AppState,
    who: &SignedIn,
    cap: &RecordsOfficerCap,
    form: &DecisionForm,
) -> Result<(), CorrectionError> {
    let decision = Decision::parse(&form.decision).ok_or(CorrectionError::BadDecision)?;
    let amended = form.amended.trim();
    let note = form.note.trim();
    let needs_value = decision != Decision::Deny;
    let needs_note = decision != Decision::Accept;
    if needs_value && !check_text(amended) {
        return Err(CorrectionError::BadAmended);
    }
    if needs_note && !check_text(note) {
        return Err(CorrectionError::BadNote);
    }
    if !note.is_empty() && !check_text(note) {
        return Err(CorrectionError::BadNote);
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, &form.reference).await?;
    if row.stage().is_decided() {
        return Err(CorrectionError::Closed);
    }
    // Only the first of two officers deciding at once changes the request.
    let changed = request::Entity::update_many()
        .col_expr(request::Column::State, Expr::value(decision.state().code()))
        .col_expr(request::Column::DecidedAt, Expr::value(now))
        .col_expr(request::Column::DecidedBy, Expr::value(cap.account_id()))
        .col_expr(
            request::Column::DecisionNote,
            Expr::value((!note.is_empty()).then(|| note.to_owned())),
        )
        .col_expr(
            request::Column::AmendedValue,
            Expr::value(needs_value.then(|| amended.to_owned())),
        )
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(row.id))
        .filter(request::Column::DecidedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(CorrectionError::Closed);
    }
    deadlines::stop(&txn, CORRECTION, row.id, now).await?;
    if let (true, Some(entry_id)) = (needs_value, row.entry_id) {
        annotate(
            &txn,
            entry_id,
            &NewNote {
                kind: NoteKind::Amendment,
                field: Field::parse(&row.field),
                original: row.current_value.clone(),
                text: amended.to_owned(),
                author: who.display_name.clone(),
                reference: row.reference.clone().unwrap_or_default(),
            },
            now,
        )
        .await?;
    }
    log(&txn, state, who, &row, Action::Update, now).await?;
    tell_patient(&txn, state, &row, &News::Decided, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A message from staff to the patient, until the request is closed.
pub async fn message_patient(
    state: &AppState,
    who: &SignedIn,
    cap: &RecordsOfficerCap,
    reference: &str,
    body: &str,
) -> Result<(), CorrectionError> {
    if !check_text(body) {
        return Err(CorrectionError::BadMessage);
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    if is_closed(&row) {
        return Err(CorrectionError::Closed);
    }
    message::Entity::insert(message::ActiveModel {
        id: NotSet,
        request_id: Set(row.id),
        author_id: Set(cap.account_id()),
        author_side: Set("staff".to_owned()),
        body: Set(body.trim().to_owned()),
        sent_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    log(&txn, state, who, &row, Action::Update, now).await?;
    tell_patient(&txn, state, &row, &News::Message, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A request is closed once decided, except that after a denial the patient's statement
/// of disagreement and the hospital's rebuttal may still follow.
pub(super) fn is_closed(row: &request::Model) -> bool {
    let state = row.stage();
    state.is_decided() && !(state == CorrectionState::Denied && row.rebuttal.is_none())
}

/// The hospital's rebuttal of a statement of disagreement, shown with the entry.
pub async fn rebut(
    state: &AppState,
    who: &SignedIn,
    _cap: &RecordsOfficerCap,
    reference: &str,
    text: &str,
) -> Result<(), CorrectionError> {
    if !check_text(text) {
        return Err(CorrectionError::BadNote);
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    if row.disagreement.is_none() || row.rebuttal.is_some() {
        return Err(CorrectionError::Closed);
    }
    request::Entity::update_many()
        .col_expr(request::Column::Rebuttal, Expr::value(text.trim()))
        .col_expr(request::Column::RebuttalAt, Expr::value(now))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    if let Some(entry_id) = row.entry_id {
        annotate(
            &txn,
            entry_id,
            &NewNote {
                kind: NoteKind::Rebuttal,
                field: Field::parse(&row.field),
                original: None,
                text: text.trim().to_owned(),
                author: who.display_name.clone(),
                reference: row.reference.clone().unwrap_or_default(),
            },
            now,
        )
        .await?;
    }
    log(&txn, state, who, &row, Action::Update, now).await?;
    tell_patient(&txn, state, &row, &News::Rebuttal, now).await?;
    txn.commit().await?;
    Ok(())
}

//! A patient's complaints: the form's facts, filing (the complaint, its acknowledgement,
//! its clocks and its email in one transaction), the list, one complaint as the patient
//! sees it, messages, withdrawal and the feedback at follow-up. A patient only ever
//! reaches their own complaints; any other reference is "not found".

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::{complaint, entry, file, note, step};
use super::mail::{tell_filer, tell_handlers, tell_patient, News};
use super::{DECISION, MEASURES, VERIFICATION};
use crate::access_log::server::query as log_query;
use crate::access_log::types::{AccessFilter, DepartmentView};
use crate::accounts::server::query;
use crate::complaints::types::{
    check_optional, check_text, ComplaintFormView, ComplaintKind, ComplaintState,
    ComplaintSummaryView, ComplaintView, FeedbackView, FileView, NewComplaint, NoteView, Step,
    TimelineLine, Visibility,
};
use crate::identity::server::access::PatientCap;
use crate::ssr::deadlines::{self, last_day};
use crate::ssr::evidence::{EvidenceError, MAX_FILES};
use crate::ssr::time::{day_start, local_minute};
use crate::state::AppState;

/// Longest "where" a patient may write, in characters.
const PLACE_LIMIT: usize = 200;
/// How many recent accesses the form offers to link.
const ENTRIES_OFFERED: u64 = 20;

/// Why a complaint (or a step on it) was refused.
#[derive(Debug, thiserror::Error)]
pub enum ComplaintError {
    /// No such complaint, entry, file or action for this person.
    #[error("not found")]
    NotFound,
    /// A field of the form was refused; the name of the field.
    #[error("the field {0} was refused")]
    Invalid(&'static str),
    /// The step does not fit where the complaint stands (or someone took it just before).
    #[error("not possible at this stage")]
    WrongStage,
    /// The complaint already has [`MAX_FILES`] files.
    #[error("no more files may be added")]
    TooManyFiles,
    #[error("the file was refused: {0}")]
    File(#[from] EvidenceError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Where a complaint's page lives for its patient.
#[must_use]
pub fn complaint_path(reference: &str) -> String {
    format!("/complaints/{reference}")
}

/// A complaint's reference: the year it was filed and its number.
fn reference_of(id: i64, filed_at: OffsetDateTime) -> String {
    format!("CP-{}-{id:05}", filed_at.year())
}

/// Departments as the log shows them.
pub(super) async fn department_views<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<DepartmentView>, DbErr> {
    log_query::departments(conn).await
}

/// What the new-complaint form offers; `from_entry` is the access the patient started
/// from ("I don't recognise this"), if it is theirs.
pub async fn form(
    state: &AppState,
    cap: &PatientCap,
    from_entry: Option<i64>,
) -> Result<ComplaintFormView, ComplaintError> {
    let tz = &state.settings.time_zone;
    let mrn = cap.mrn();
    let started = match from_entry {
        Some(id) => log_query::chosen(&state.db, mrn, &[id], tz).await?,
        None => Vec::new(),
    };
    let unusual = AccessFilter {
        unusual_only: true,
        ..AccessFilter::default()
    };
    let unusual = log_query::parse_filter(&unusual, tz).unwrap_or_default();
    let mut entries = started.clone();
    for entry in log_query::extract(&state.db, mrn, &unusual, ENTRIES_OFFERED, tz)
        .await?
        .into_iter()
        .chain(
            log_query::extract(
                &state.db,
                mrn,
                &log_query::ParsedFilter::default(),
                ENTRIES_OFFERED,
                tz,
            )
            .await?,
        )
    {
        if !entries.iter().any(|e| e.id == entry.id) {
            entries.push(entry);
        }
    }
    Ok(ComplaintFormView {
        departments: department_views(&state.db).await?,
        question: started
            .first()
            .and_then(|e| e.question.as_ref())
            .map(|q| q.text.clone()),
        from_entry: started.first().map(|e| e.id),
        entries,
    })
}

/// The checked facts of a new complaint.
struct Checked {
    kind: ComplaintKind,
    happened_on: Option<String>,
    department: Option<i64>,
    place: Option<String>,
    entries: Vec<i64>,
}

async fn check(
    state: &AppState,
    cap: &PatientCap,
    form: &NewComplaint,
) -> Result<Checked, ComplaintError> {
    let kind = ComplaintKind::from_code(form.kind.trim()).ok_or(ComplaintError::Invalid("kind"))?;
    if !check_text(&form.account) {
        return Err(ComplaintError::Invalid("account"));
    }
    let tz = &state.settings.time_zone;
    let happened_on = match form.happened_on.trim() {
        "" => None,
        day => {
            // A real day, and not one still to come.
            let start = day_start(day, tz, false).ok_or(ComplaintError::Invalid("happened_on"))?;
            if start > state.clock.now() {
                return Err(ComplaintError::Invalid("happened_on"));
            }
            Some(day.to_owned())
        }
    };
    let department = match form.department.trim() {
        "" => None,
        id => {
            let id = id
                .parse::<i64>()
                .map_err(|_| ComplaintError::Invalid("department"))?;
            let known = department_views(&state.db)
                .await?
                .iter()
                .any(|d| d.id == id);
            if !known {
                return Err(ComplaintError::Invalid("department"));
            }
            Some(id)
        }
    };
    let place = form.place.trim();
    if place.chars().count() > PLACE_LIMIT {
        return Err(ComplaintError::Invalid("place"));
    }
    let wanted = form.chosen_entries();
    let own = log_query::chosen(&state.db, cap.mrn(), &wanted, tz).await?;
    if own.len() != wanted.len() {
        return Err(ComplaintError::Invalid("entries"));
    }
    Ok(Checked {
        kind,
        happened_on,
        department,
        place: (!place.is_empty()).then(|| place.to_owned()),
        entries: wanted,
    })
}

/// Writes a step of the timeline.
pub(super) async fn record_step<C: ConnectionTrait>(
    conn: &C,
    complaint_id: i64,
    what: Step,
    entered: Option<ComplaintState>,
    actor: Option<i64>,
    text: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    step::Entity::insert(step::ActiveModel {
        id: NotSet,
        complaint_id: Set(complaint_id),
        step: Set(what.code().to_owned()),
        state: Set(entered.map(|s| s.code().to_owned())),
        actor_id: Set(actor),
        note: Set(text.map(|t| t.trim().to_owned())),
        at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Moves a complaint from one of `from` to `to`, setting `columns` too: a conditional
/// update, so of two people taking the same step at once only the first moves it.
pub(super) async fn move_to<C: ConnectionTrait>(
    conn: &C,
    row: &complaint::Model,
    from: &[ComplaintState],
    to: ComplaintState,
    columns: Vec<(complaint::Column, SimpleExpr)>,
    now: OffsetDateTime,
) -> Result<(), ComplaintError> {
    if !from.contains(&row.stage()) {
        return Err(ComplaintError::WrongStage);
    }
    let mut update = complaint::Entity::update_many()
        .col_expr(complaint::Column::State, Expr::value(to.code()))
        .col_expr(complaint::Column::UpdatedAt, Expr::value(now));
    if to.is_ended() {
        update = update.col_expr(complaint::Column::EndedAt, Expr::value(now));
    }
    for (column, value) in columns {
        update = update.col_expr(column, value);
    }
    let changed = update
        .filter(complaint::Column::Id.eq(row.id))
        .filter(complaint::Column::State.eq(row.state.clone()))
        .exec(conn)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(ComplaintError::WrongStage);
    }
    Ok(())
}

/// Stops every clock of a complaint that ended.
pub(super) async fn stop_clocks<C: ConnectionTrait>(
    conn: &C,
    complaint_id: i64,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    for kind in [VERIFICATION, DECISION, MEASURES] {
        deadlines::stop(conn, kind, complaint_id, now).await?;
    }
    Ok(())
}

/// Files a complaint: the complaint, its receipt and acknowledgement, the entries it
/// names, the clocks of verification and decision, and the acknowledgement email, in one
/// transaction. Returns the reference.
pub async fn file(
    state: &AppState,
    cap: &PatientCap,
    form: &NewComplaint,
) -> Result<String, ComplaintError> {
    let checked = check(state, cap, form).await?;
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let txn = state.db.begin().await?;
    let inserted = complaint::Entity::insert(complaint::ActiveModel {
        id: NotSet,
        reference: Set(None),
        account_id: Set(cap.account_id()),
        kind: Set(checked.kind.code().to_owned()),
        account: Set(form.account.trim().to_owned()),
        happened_on: Set(checked.happened_on),
        department_id: Set(checked.department),
        place: Set(checked.place),
        state: Set(ComplaintState::Acknowledged.code().to_owned()),
        handler_id: Set(None),
        lead_id: Set(None),
        team: Set(None),
        scope: Set(None),
        spread: Set(None),
        findings: Set(None),
        plan_patient: Set(None),
        plan_accountability: Set(None),
        plan_improvement: Set(None),
        measures_taken: Set(None),
        satisfied: Set(None),
        feedback: Set(None),
        outcome: Set(None),
        rejection_reason: Set(None),
        root_cause: Set(None),
        chain_link: Set(None),
        resolved_on_spot: Set(false),
        filed_at: Set(now),
        updated_at: Set(now),
        ended_at: Set(None),
    })
    .exec(&txn)
    .await?;
    let id = inserted.last_insert_id;
    let reference = reference_of(id, now);
    complaint::Entity::update_many()
        .col_expr(complaint::Column::Reference, Expr::value(reference.clone()))
        .filter(complaint::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let patient = Some(cap.account_id());
    record_step(
        &txn,
        id,
        Step::Received,
        Some(ComplaintState::Received),
        patient,
        None,
        now,
    )
    .await?;
    record_step(
        &txn,
        id,
        Step::Acknowledged,
        Some(ComplaintState::Acknowledged),
        None,
        None,
        now,
    )
    .await?;
    for event_id in checked.entries {
        entry::Entity::insert(entry::ActiveModel {
            id: NotSet,
            complaint_id: Set(id),
            event_id: Set(event_id),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    let timing = &state.complaints;
    let verify = deadlines::open(&txn, VERIFICATION, id, &timing.verification, tz, now).await?;
    deadlines::open(&txn, DECISION, id, &timing.decision, tz, now).await?;
    let news = News::Acknowledged {
        verify_by: last_day(verify.due_at, tz),
    };
    tell_filer(&txn, state, cap.account_id(), &reference, &news, now).await?;
    txn.commit().await?;
    Ok(reference)
}

/// The complaint with `reference` if it is the patient's.
pub(super) async fn own_complaint<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    reference: &str,
) -> Result<complaint::Model, ComplaintError> {
    complaint::Entity::find()
        .filter(complaint::Column::Reference.eq(reference))
        .filter(complaint::Column::AccountId.eq(cap.account_id()))
        .one(conn)
        .await?
        .ok_or(ComplaintError::NotFound)
}

/// The clock the complaint's next step runs on, by where it stands.
pub(super) fn clock_for(stage: ComplaintState) -> Option<deadlines::CaseKind> {
    match stage {
        ComplaintState::Received | ComplaintState::Acknowledged | ComplaintState::Verification => {
            Some(VERIFICATION)
        }
        ComplaintState::Investigation | ComplaintState::Plan | ComplaintState::Approval => {
            Some(DECISION)
        }
        ComplaintState::Measures => Some(MEASURES),
        _ => None,
    }
}

/// The clock of the complaint's next step, if one runs.
pub(super) async fn next_clock<C: ConnectionTrait>(
    conn: &C,
    row: &complaint::Model,
) -> Result<Option<deadlines::CaseClock>, DbErr> {
    match clock_for(row.stage()) {
        Some(kind) => deadlines::clock_of(conn, kind, row.id).await,
        None => Ok(None),
    }
}

/// The patient's complaints, newest first.
pub async fn mine(
    state: &AppState,
    cap: &PatientCap,
) -> Result<Vec<ComplaintSummaryView>, ComplaintError> {
    let rows = complaint::Entity::find()
        .filter(complaint::Column::AccountId.eq(cap.account_id()))
        .order_by_desc(complaint::Column::Id)
        .all(&state.db)
        .await?;
    let tz = &state.settings.time_zone;
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let clock = next_clock(&state.db, &row).await?;
        list.push(ComplaintSummaryView {
            reference: row.reference().to_owned(),
            kind: ComplaintKind::from_code(&row.kind).unwrap_or(ComplaintKind::Other),
            state: row.stage(),
            filed: local_minute(row.filed_at, tz),
            next_due: clock.map(|c| last_day(c.due_at, tz)),
        });
    }
    Ok(list)
}

/// One of the patient's complaints.
pub async fn one(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
) -> Result<ComplaintView, ComplaintError> {
    let row = own_complaint(&state.db, cap, reference).await?;
    view_of(state, &row, false).await
}

/// The steps of a complaint, oldest first; for the patient only those they see, without
/// names.
pub(super) async fn timeline<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    complaint_id: i64,
    for_staff: bool,
) -> Result<Vec<TimelineLine>, DbErr> {
    let tz = &state.settings.time_zone;
    let rows = step::Entity::find()
        .filter(step::Column::ComplaintId.eq(complaint_id))
        .order_by_asc(step::Column::Id)
        .all(conn)
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(what) = Step::from_code(&row.step) else {
            continue;
        };
        if !for_staff && !what.patient_sees() {
            continue;
        }
        let by = match (for_staff, row.actor_id) {
            (true, Some(id)) => query::by_id(conn, id).await?.map(|a| a.display_name),
            _ => None,
        };
        // The patient reads the texts written for them (a rejection's reason, the
        // outcome, their own words), never the staff's working notes.
        let note = if for_staff || patient_reads_note(what) {
            row.note
        } else {
            None
        };
        lines.push(TimelineLine {
            at: local_minute(row.at, tz),
            step: what,
            by,
            note,
        });
    }
    Ok(lines)
}

const fn patient_reads_note(what: Step) -> bool {
    matches!(
        what,
        Step::Rejected | Step::ResolvedOnSpot | Step::Withdrawn | Step::Feedback | Step::Closed
    )
}

/// Notes of a complaint, oldest first; for the patient only those meant for them.
pub(super) async fn notes<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    complaint_id: i64,
    for_staff: bool,
) -> Result<Vec<NoteView>, DbErr> {
    let tz = &state.settings.time_zone;
    let mut select = note::Entity::find().filter(note::Column::ComplaintId.eq(complaint_id));
    if !for_staff {
        select = select.filter(note::Column::Visibility.eq(Visibility::Patient.code()));
    }
    let rows = select.order_by_asc(note::Column::Id).all(conn).await?;
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let author = query::by_id(conn, row.author_id)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default();
        list.push(NoteView {
            from_staff: row.author_side == "staff",
            author,
            visibility: Visibility::from_code(&row.visibility).unwrap_or(Visibility::Internal),
            body: row.body,
            sent: local_minute(row.sent_at, tz),
        });
    }
    Ok(list)
}

/// The files of a complaint (without their content).
pub(super) async fn files_of<C: ConnectionTrait>(
    conn: &C,
    complaint_id: i64,
) -> Result<Vec<FileView>, DbErr> {
    Ok(file::Entity::find()
        .filter(file::Column::ComplaintId.eq(complaint_id))
        .order_by_asc(file::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|f| FileView {
            id: f.id,
            name: f.file_name,
            size: f.size,
        })
        .collect())
}

/// How many files a complaint has.
pub(super) async fn file_count<C: ConnectionTrait>(
    conn: &C,
    complaint_id: i64,
) -> Result<u64, DbErr> {
    file::Entity::find()
        .filter(file::Column::ComplaintId.eq(complaint_id))
        .count(conn)
        .await
}

/// The access-log entries a complaint names.
pub(super) async fn linked_entries(
    state: &AppState,
    row: &complaint::Model,
) -> Result<Vec<crate::access_log::types::AccessEntryView>, DbErr> {
    let ids: Vec<i64> = entry::Entity::find()
        .filter(entry::Column::ComplaintId.eq(row.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    let Some(mrn) = query::by_id(&state.db, row.account_id)
        .await?
        .and_then(|a| a.mrn)
    else {
        return Ok(Vec::new());
    };
    log_query::chosen(&state.db, &mrn, &ids, &state.settings.time_zone).await
}

/// A complaint as its patient sees it (`for_staff`: with every note in `messages`).
pub(super) async fn view_of(
    state: &AppState,
    row: &complaint::Model,
    for_staff: bool,
) -> Result<ComplaintView, ComplaintError> {
    let tz = &state.settings.time_zone;
    let current = row.stage();
    let clock = next_clock(&state.db, row).await?;
    let files = files_of(&state.db, row.id).await?;
    let department = match row.department_id {
        Some(id) => department_views(&state.db)
            .await?
            .into_iter()
            .find(|d| d.id == id),
        None => None,
    };
    let approved = matches!(
        current,
        ComplaintState::Measures | ComplaintState::FollowUp | ComplaintState::Closed
    );
    Ok(ComplaintView {
        reference: row.reference().to_owned(),
        kind: ComplaintKind::from_code(&row.kind).unwrap_or(ComplaintKind::Other),
        account: row.account.clone(),
        happened_on: row.happened_on.clone(),
        department,
        place: row.place.clone(),
        state: current,
        filed: local_minute(row.filed_at, tz),
        next_due: clock.map(|c| last_day(c.due_at, tz)),
        timeline: timeline(&state.db, state, row.id, false).await?,
        entries: linked_entries(state, row).await?,
        messages: notes(&state.db, state, row.id, for_staff).await?,
        files_left: MAX_FILES.saturating_sub(files.len()),
        files,
        plan_patient: approved.then(|| row.plan_patient.clone()).flatten(),
        measures_taken: row.measures_taken.clone(),
        outcome: row.outcome.clone(),
        rejection_reason: row.rejection_reason.clone(),
        resolved_on_spot: row.resolved_on_spot,
        feedback: row.satisfied.map(|satisfied| FeedbackView {
            satisfied,
            comment: row.feedback.clone(),
        }),
        may_give_feedback: current == ComplaintState::FollowUp && row.satisfied.is_none(),
        may_withdraw: !current.is_ended() && current != ComplaintState::FollowUp,
    })
}

/// A note on a complaint; `visibility` says who reads it.
pub(super) async fn add_note<C: ConnectionTrait>(
    conn: &C,
    complaint_id: i64,
    author: i64,
    from_staff: bool,
    visibility: Visibility,
    body: &str,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    note::Entity::insert(note::ActiveModel {
        id: NotSet,
        complaint_id: Set(complaint_id),
        author_id: Set(author),
        author_side: Set(if from_staff { "staff" } else { "patient" }.to_owned()),
        visibility: Set(visibility.code().to_owned()),
        body: Set(body.trim().to_owned()),
        sent_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A message from the patient to the staff handling their complaint, until it ends; they
/// are told by email.
pub async fn patient_message(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    body: &str,
) -> Result<(), ComplaintError> {
    let row = own_complaint(&state.db, cap, reference).await?;
    if row.stage().is_ended() {
        return Err(ComplaintError::WrongStage);
    }
    if !check_text(body) {
        return Err(ComplaintError::Invalid("body"));
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let from_patient = Visibility::Patient;
    add_note(
        &txn,
        row.id,
        cap.account_id(),
        false,
        from_patient,
        body,
        now,
    )
    .await?;
    tell_handlers(&txn, state, &row, true, &News::PatientWrote, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The patient withdraws their complaint (with an optional reason) before follow-up; the
/// clocks stop.
pub async fn withdraw(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    reason: &str,
) -> Result<(), ComplaintError> {
    if !check_optional(reason) {
        return Err(ComplaintError::Invalid("reason"));
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = own_complaint(&txn, cap, reference).await?;
    let from = [
        ComplaintState::Acknowledged,
        ComplaintState::Verification,
        ComplaintState::Investigation,
        ComplaintState::Plan,
        ComplaintState::Approval,
        ComplaintState::Measures,
    ];
    move_to(
        &txn,
        &row,
        &from,
        ComplaintState::Withdrawn,
        Vec::new(),
        now,
    )
    .await?;
    let reason = Some(reason.trim()).filter(|r| !r.is_empty());
    record_step(
        &txn,
        row.id,
        Step::Withdrawn,
        Some(ComplaintState::Withdrawn),
        Some(cap.account_id()),
        reason,
        now,
    )
    .await?;
    stop_clocks(&txn, row.id, now).await?;
    tell_patient(
        &txn,
        state,
        &row,
        &News::Stage(ComplaintState::Withdrawn),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// At follow-up, the patient says whether they are satisfied (and may say why); once.
pub async fn feedback(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    satisfied: &str,
    comment: &str,
) -> Result<(), ComplaintError> {
    let satisfied = match satisfied.trim() {
        "yes" => true,
        "no" => false,
        _ => return Err(ComplaintError::Invalid("satisfied")),
    };
    if !check_optional(comment) {
        return Err(ComplaintError::Invalid("comment"));
    }
    let comment = Some(comment.trim()).filter(|c| !c.is_empty());
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = own_complaint(&txn, cap, reference).await?;
    if row.stage() != ComplaintState::FollowUp {
        return Err(ComplaintError::WrongStage);
    }
    let changed = complaint::Entity::update_many()
        .col_expr(complaint::Column::Satisfied, Expr::value(satisfied))
        .col_expr(
            complaint::Column::Feedback,
            Expr::value(comment.map(str::to_owned)),
        )
        .col_expr(complaint::Column::UpdatedAt, Expr::value(now))
        .filter(complaint::Column::Id.eq(row.id))
        .filter(complaint::Column::Satisfied.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(ComplaintError::WrongStage);
    }
    record_step(
        &txn,
        row.id,
        Step::Feedback,
        None,
        Some(cap.account_id()),
        comment,
        now,
    )
    .await?;
    // The privacy officer who closes the case hears the answer.
    tell_handlers(&txn, state, &row, false, &News::FeedbackGiven, now).await?;
    txn.commit().await?;
    Ok(())
}

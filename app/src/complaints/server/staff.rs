//! The staff's side of complaints: the queue, one case (every opening logged in the
//! patient's access log in the same transaction), and each step of the procedure. A step
//! takes the capability of the role it belongs to; an investigator's steps also need the
//! caller to lead the case (other cases are "not found" to them). Each step is one transaction: the state moved conditionally,
//! the step on the timeline, the patient's log entry, the clocks and the emails.

use std::collections::BTreeSet;

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::{action, complaint, evidence, file};
use super::mail::{tell_patient, tell_staff, News};
use super::service::{
    add_note, department_views, move_to, next_clock, notes, record_step, stop_clocks, timeline,
    view_of, ComplaintError,
};
use super::{DECISION, MEASURES, VERIFICATION};
use crate::access_log::server::{portal_log, query as log_query};
use crate::access_log::texts::{action_label, category_label, purpose_label};
use crate::access_log::types::{AccessEntryView, AccessFilter, Action, Category};
use crate::accounts::server::query;
use crate::complaints::types::{
    check_text, ActionForm, ActionView, ChainLink, CloseForm, ComplaintKind, ComplaintState,
    EvidenceForm, EvidenceKind, EvidenceView, PersonView, PlanForm, QueueFilter, QueueItemView,
    QueueView, RootCause, StaffComplaintView, StaffStep, Step, VerifyForm, Visibility,
};
use crate::i18n::Locale;
use crate::identity::server::access::{
    AnyStaffCap, ApproverCap, InvestigatorCap, PrivacyOfficerCap, SignedIn,
};
use crate::identity::server::roles::holders;
use crate::identity::types::Role;
use crate::ssr::deadlines::{self, last_day};
use crate::ssr::time::{day_start, local_date, local_minute};
use crate::state::AppState;

/// Most entries one log extract holds.
const EXTRACT_LIMIT: u64 = 200;
/// Longest evidence title, in characters.
const TITLE_LIMIT: usize = 200;

/// Active holders of `roles`, by name.
async fn people<C: ConnectionTrait>(conn: &C, roles: &[Role]) -> Result<Vec<PersonView>, DbErr> {
    let mut ids = BTreeSet::new();
    for role in roles {
        ids.extend(holders(conn, *role).await?);
    }
    let mut list = Vec::new();
    for id in ids {
        if let Some(account) = query::active_by_id(conn, id).await? {
            list.push(PersonView {
                id,
                name: account.display_name,
            });
        }
    }
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

/// Every staff role, for the owners of improvement actions.
const STAFF_ROLES: [Role; 5] = [
    Role::PrivacyOfficer,
    Role::Investigator,
    Role::Approver,
    Role::RecordsOfficer,
    Role::Admin,
];

/// Whether the caller may see a case: privacy officers see every case; an investigator
/// the cases they lead; an approver those with a plan put to approval.
fn may_see(row: &complaint::Model, cap: &AnyStaffCap) -> bool {
    cap.has(Role::PrivacyOfficer)
        || (cap.has(Role::Investigator) && row.lead_id == Some(cap.account_id()))
        || (cap.has(Role::Approver) && row.plan_patient.is_some())
}

/// What the caller may do on the case now.
fn allowed(row: &complaint::Model, cap: &AnyStaffCap) -> Vec<StaffStep> {
    use ComplaintState as S;
    let stage = row.stage();
    let officer = cap.has(Role::PrivacyOfficer);
    let lead = cap.has(Role::Investigator) && row.lead_id == Some(cap.account_id());
    let approver = cap.has(Role::Approver);
    [
        (
            StaffStep::BeginVerification,
            officer && stage == S::Acknowledged,
        ),
        (StaffStep::Verify, officer && stage == S::Verification),
        (
            StaffStep::Reject,
            officer && matches!(stage, S::Acknowledged | S::Verification),
        ),
        (
            StaffStep::AddEvidence,
            lead && matches!(stage, S::Investigation | S::Plan),
        ),
        (StaffStep::Conclude, lead && stage == S::Investigation),
        (StaffStep::SubmitPlan, lead && stage == S::Plan),
        (StaffStep::Approve, approver && stage == S::Approval),
        (StaffStep::RecordMeasures, lead && stage == S::Measures),
        (StaffStep::Close, officer && stage == S::FollowUp),
        (StaffStep::ManageActions, officer && allowed_actions(stage)),
        (
            StaffStep::ChangeLead,
            officer
                && matches!(
                    stage,
                    S::Investigation | S::Plan | S::Approval | S::Measures
                ),
        ),
    ]
    .into_iter()
    .filter_map(|(step, may)| may.then_some(step))
    .collect()
}

/// Whether a row passes the queue's filters.
fn passes(row: &complaint::Model, filter: &QueueFilter, me: i64) -> bool {
    let stage = row.stage();
    let state_ok = match filter.state.as_deref().unwrap_or("open") {
        "open" | "" => !stage.is_ended(),
        "all" => true,
        code => ComplaintState::from_code(code) == Some(stage),
    };
    let kind_ok = match filter.kind.as_deref() {
        None | Some("") => true,
        Some(code) => row.kind == code,
    };
    let department_ok = match filter.department.as_deref() {
        None | Some("") => true,
        Some(id) => id.parse::<i64>().ok() == row.department_id,
    };
    let assignee_ok = match filter.assignee.as_deref() {
        None | Some("") => true,
        Some("me") => row.handler_id == Some(me) || row.lead_id == Some(me),
        Some("none") => row.handler_id.is_none() && row.lead_id.is_none(),
        Some(id) => {
            let id = id.parse::<i64>().ok();
            id.is_some() && (id == row.handler_id || id == row.lead_id)
        }
    };
    state_ok && kind_ok && department_ok && assignee_ok
}

async fn name_of<C: ConnectionTrait>(conn: &C, id: Option<i64>) -> Result<Option<String>, DbErr> {
    Ok(match id {
        Some(id) => query::by_id(conn, id).await?.map(|a| a.display_name),
        None => None,
    })
}

/// The queue: overdue steps first, then by due date, soonest first; cases waiting on
/// nobody's clock (follow-up, ended) last, newest first.
pub async fn queue(
    state: &AppState,
    cap: &AnyStaffCap,
    filter: &QueueFilter,
) -> Result<QueueView, ComplaintError> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let rows = complaint::Entity::find()
        .order_by_desc(complaint::Column::Id)
        .all(&state.db)
        .await?;
    let departments = department_views(&state.db).await?;
    let mut items = Vec::new();
    for row in rows
        .iter()
        .filter(|r| may_see(r, cap) && passes(r, filter, cap.account_id()))
    {
        let clock = next_clock(&state.db, row).await?;
        let overdue = clock.as_ref().is_some_and(|c| c.is_overdue(now));
        let key = (
            !overdue,
            clock
                .as_ref()
                .map_or(OffsetDateTime::UNIX_EPOCH, |c| c.due_at),
            clock.is_none(),
        );
        items.push((
            (key.2, key.0, key.1),
            QueueItemView {
                reference: row.reference().to_owned(),
                kind: ComplaintKind::from_code(&row.kind).unwrap_or(ComplaintKind::Other),
                state: row.stage(),
                department: row
                    .department_id
                    .and_then(|id| departments.iter().find(|d| d.id == id).cloned()),
                handler: name_of(&state.db, row.handler_id).await?,
                lead: name_of(&state.db, row.lead_id).await?,
                filed: local_minute(row.filed_at, tz),
                due_on: clock.as_ref().map(|c| last_day(c.due_at, tz)),
                overdue,
            },
        ));
    }
    // Stable: cases without a clock keep their newest-first order.
    items.sort_by_key(|item| item.0);
    Ok(QueueView {
        items: items.into_iter().map(|(_, item)| item).collect(),
        departments,
        people: people(&state.db, &[Role::PrivacyOfficer, Role::Investigator]).await?,
    })
}

/// The id and reference of the complaint `reference` names, if one does (to link other
/// cases to it).
pub async fn complaint_id<C: ConnectionTrait>(
    conn: &C,
    reference: &str,
) -> Result<Option<(i64, String)>, DbErr> {
    Ok(complaint::Entity::find()
        .filter(complaint::Column::Reference.eq(reference.trim()))
        .one(conn)
        .await?
        .map(|row| (row.id, row.reference().to_owned())))
}

/// The reference of complaint `id`.
pub async fn complaint_reference<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<String>, DbErr> {
    Ok(complaint::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|row| row.reference().to_owned()))
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    reference: &str,
) -> Result<complaint::Model, ComplaintError> {
    complaint::Entity::find()
        .filter(complaint::Column::Reference.eq(reference))
        .one(conn)
        .await?
        .ok_or(ComplaintError::NotFound)
}

/// One step that moves a case on.
struct Move<'a> {
    /// Where the case must stand (checked again as it is changed).
    from: &'a [ComplaintState],
    to: ComplaintState,
    step: Step,
    /// The step's text (a reason, an outcome), if it has one.
    note: Option<&'a str>,
    /// What else the step records on the case.
    columns: Vec<(complaint::Column, SimpleExpr)>,
}

/// Takes a step on `txn`: the state moved conditionally, the step on the timeline, the
/// entry in the patient's log and the email telling them.
async fn advance(
    txn: &DatabaseTransaction,
    state: &AppState,
    who: &SignedIn,
    row: &complaint::Model,
    moved: Move<'_>,
    now: OffsetDateTime,
) -> Result<(), ComplaintError> {
    let actor = Some(who.account_id);
    move_to(txn, row, moved.from, moved.to, moved.columns, now).await?;
    record_step(
        txn,
        row.id,
        moved.step,
        Some(moved.to),
        actor,
        moved.note,
        now,
    )
    .await?;
    log(txn, state, who, row, Action::Update, now).await?;
    tell_patient(txn, state, row, &News::Stage(moved.to), now).await?;
    Ok(())
}

/// Writes "`who` did `action` on your complaint" into the patient's log.
async fn log<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    state: &AppState,
    who: &SignedIn,
    row: &complaint::Model,
    action: Action,
    now: OffsetDateTime,
) -> Result<(), ComplaintError> {
    let mrn = query::by_id(conn, row.account_id)
        .await?
        .and_then(|a| a.mrn)
        .ok_or(ComplaintError::NotFound)?;
    portal_log::staff_did(
        conn,
        &state.access.ingest,
        who,
        &[mrn],
        Category::Complaint,
        action,
        Some(row.reference().to_owned()),
        now,
    )
    .await?;
    Ok(())
}

/// Opens a case; the opening goes into the patient's log in the same transaction.
pub async fn open(
    state: &AppState,
    who: &SignedIn,
    cap: &AnyStaffCap,
    reference: &str,
) -> Result<StaffComplaintView, ComplaintError> {
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    if !may_see(&row, cap) {
        return Err(ComplaintError::NotFound);
    }
    log(&txn, state, who, &row, Action::View, now).await?;
    txn.commit().await?;
    let patient = query::by_id(&state.db, row.account_id).await?;
    let departments = department_views(&state.db).await?;
    let team = row
        .team_ids()
        .into_iter()
        .filter_map(|id| departments.iter().find(|d| d.id == id).cloned())
        .collect();
    let lead = match row.lead_id {
        Some(id) => query::by_id(&state.db, id).await?.map(|a| PersonView {
            id,
            name: a.display_name,
        }),
        None => None,
    };
    let overdue = next_clock(&state.db, &row)
        .await?
        .is_some_and(|c| c.is_overdue(now));
    let evidence = evidence::Entity::find()
        .filter(evidence::Column::ComplaintId.eq(row.id))
        .order_by_asc(evidence::Column::Id)
        .all(&state.db)
        .await?;
    let mut evidence_views = Vec::with_capacity(evidence.len());
    for e in evidence {
        evidence_views.push(EvidenceView {
            kind: EvidenceKind::from_code(&e.kind).unwrap_or(EvidenceKind::Document),
            title: e.title,
            body: e.body,
            by: name_of(&state.db, Some(e.recorded_by))
                .await?
                .unwrap_or_default(),
            at: local_minute(e.recorded_at, tz),
        });
    }
    Ok(StaffComplaintView {
        patient: patient
            .as_ref()
            .map(|p| p.display_name.clone())
            .unwrap_or_default(),
        mrn: patient.and_then(|p| p.mrn).unwrap_or_default(),
        handler: name_of(&state.db, row.handler_id).await?,
        lead,
        team,
        scope: row.scope.clone(),
        spread: row.spread.clone(),
        findings: row.findings.clone(),
        plan_accountability: row.plan_accountability.clone(),
        plan_improvement: row.plan_improvement.clone(),
        notes: notes(&state.db, state, row.id, true).await?,
        history: timeline(&state.db, state, row.id, true).await?,
        evidence: evidence_views,
        actions: actions_of(state, Some(row.id)).await?,
        root_cause: row.root_cause.as_deref().and_then(RootCause::from_code),
        chain_link: row.chain_link.as_deref().and_then(ChainLink::from_code),
        overdue,
        allowed: allowed(&row, cap),
        investigators: people(&state.db, &[Role::Investigator]).await?,
        staff: people(&state.db, &STAFF_ROLES).await?,
        departments,
        complaint: view_of(state, &row, false).await?,
    })
}

/// One of the patient's files for staff who may see the case; logged in the patient's log.
pub async fn open_file(
    state: &AppState,
    who: &SignedIn,
    cap: &AnyStaffCap,
    reference: &str,
    file_id: i64,
) -> Result<(String, String, Vec<u8>), ComplaintError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    if !may_see(&row, cap) {
        return Err(ComplaintError::NotFound);
    }
    let stored = file::Entity::find_by_id(file_id)
        .filter(file::Column::ComplaintId.eq(row.id))
        .one(&txn)
        .await?
        .ok_or(ComplaintError::NotFound)?;
    log(&txn, state, who, &row, Action::View, now).await?;
    txn.commit().await?;
    Ok((stored.file_name, stored.content_type, stored.content))
}

/// A privacy officer takes the case and starts the preliminary verification.
pub async fn begin_verification(
    state: &AppState,
    who: &SignedIn,
    cap: &PrivacyOfficerCap,
    reference: &str,
) -> Result<(), ComplaintError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    let to = ComplaintState::Verification;
    let columns = vec![(complaint::Column::HandlerId, Expr::value(cap.account_id()))];
    let moved = Move {
        from: &[ComplaintState::Acknowledged],
        to,
        step: Step::VerificationStarted,
        note: None,
        columns,
    };
    advance(&txn, state, who, &row, moved, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The text of a field, or the field's name as the refusal.
fn required(text: &str, field: &'static str) -> Result<String, ComplaintError> {
    if check_text(text) {
        Ok(text.trim().to_owned())
    } else {
        Err(ComplaintError::Invalid(field))
    }
}

/// The preliminary verification's finding (which part of the record, how far it may have
/// spread) and its outcome: an investigation led by an investigator with a team from the
/// departments concerned, or the complaint resolved on the spot, saying why.
pub async fn verify(
    state: &AppState,
    who: &SignedIn,
    _cap: &PrivacyOfficerCap,
    form: &VerifyForm,
) -> Result<(), ComplaintError> {
    let found = Found {
        scope: required(&form.scope, "scope")?,
        spread: required(&form.spread, "spread")?,
    };
    match form.outcome.as_str() {
        "investigate" => open_investigation(state, who, form, found).await,
        "resolve" => resolve_on_spot(state, who, form, found).await,
        _ => Err(ComplaintError::Invalid("outcome")),
    }
}

/// What the preliminary verification found.
struct Found {
    scope: String,
    spread: String,
}

async fn open_investigation(
    state: &AppState,
    who: &SignedIn,
    form: &VerifyForm,
    found: Found,
) -> Result<(), ComplaintError> {
    let lead = investigator(state, &form.lead).await?;
    let known = department_views(&state.db).await?;
    let team = form.team_departments();
    if team.is_empty() || !team.iter().all(|id| known.iter().any(|d| d.id == *id)) {
        return Err(ComplaintError::Invalid("team"));
    }
    let team = team
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, &form.reference).await?;
    let to = ComplaintState::Investigation;
    let columns = vec![
        (complaint::Column::Scope, Expr::value(found.scope)),
        (complaint::Column::Spread, Expr::value(found.spread)),
        (complaint::Column::LeadId, Expr::value(lead)),
        (complaint::Column::Team, Expr::value(team)),
    ];
    let moved = Move {
        from: &[ComplaintState::Verification],
        to,
        step: Step::InvestigationOpened,
        note: None,
        columns,
    };
    advance(&txn, state, who, &row, moved, now).await?;
    deadlines::stop(&txn, VERIFICATION, row.id, now).await?;
    tell_staff(&txn, state, row.reference(), &[lead], &News::Assigned, now).await?;
    txn.commit().await?;
    Ok(())
}

async fn resolve_on_spot(
    state: &AppState,
    who: &SignedIn,
    form: &VerifyForm,
    found: Found,
) -> Result<(), ComplaintError> {
    let resolution = required(&form.resolution, "resolution")?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, &form.reference).await?;
    let to = ComplaintState::FollowUp;
    let columns = vec![
        (complaint::Column::Scope, Expr::value(found.scope)),
        (complaint::Column::Spread, Expr::value(found.spread)),
        (
            complaint::Column::MeasuresTaken,
            Expr::value(resolution.clone()),
        ),
        (complaint::Column::ResolvedOnSpot, Expr::value(true)),
    ];
    let moved = Move {
        from: &[ComplaintState::Verification],
        to,
        step: Step::ResolvedOnSpot,
        note: Some(&resolution),
        columns,
    };
    advance(&txn, state, who, &row, moved, now).await?;
    deadlines::stop(&txn, VERIFICATION, row.id, now).await?;
    deadlines::stop(&txn, DECISION, row.id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The investigator named lead, if they are one (and still active).
async fn investigator(state: &AppState, lead: &str) -> Result<i64, ComplaintError> {
    let lead = lead
        .trim()
        .parse::<i64>()
        .map_err(|_| ComplaintError::Invalid("lead"))?;
    if people(&state.db, &[Role::Investigator])
        .await?
        .iter()
        .any(|p| p.id == lead)
    {
        Ok(lead)
    } else {
        Err(ComplaintError::Invalid("lead"))
    }
}

/// Names another lead investigator while the case is investigated or its plan carried
/// out (the one named left, or cannot go on); the new lead is told.
pub async fn change_lead(
    state: &AppState,
    who: &SignedIn,
    cap: &PrivacyOfficerCap,
    reference: &str,
    lead: &str,
) -> Result<(), ComplaintError> {
    let lead = investigator(state, lead).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    let stages = [
        ComplaintState::Investigation,
        ComplaintState::Plan,
        ComplaintState::Approval,
        ComplaintState::Measures,
    ];
    let columns = vec![(complaint::Column::LeadId, Expr::value(lead))];
    move_to(&txn, &row, &stages, row.stage(), columns, now).await?;
    let actor = Some(cap.account_id());
    record_step(&txn, row.id, Step::LeadChanged, None, actor, None, now).await?;
    log(&txn, state, who, &row, Action::Update, now).await?;
    tell_staff(&txn, state, row.reference(), &[lead], &News::Assigned, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Rejects a complaint with a reason the patient reads; every clock stops.
pub async fn reject(
    state: &AppState,
    who: &SignedIn,
    cap: &PrivacyOfficerCap,
    reference: &str,
    reason: &str,
) -> Result<(), ComplaintError> {
    let reason = required(reason, "reason")?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    let to = ComplaintState::Rejected;
    let from = [ComplaintState::Acknowledged, ComplaintState::Verification];
    let columns = vec![
        (
            complaint::Column::RejectionReason,
            Expr::value(reason.clone()),
        ),
        (complaint::Column::HandlerId, Expr::value(cap.account_id())),
    ];
    let moved = Move {
        from: &from,
        to,
        step: Step::Rejected,
        note: Some(&reason),
        columns,
    };
    advance(&txn, state, who, &row, moved, now).await?;
    stop_clocks(&txn, row.id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The case for an investigator's step: one they lead. Other cases are "not found" to
/// them, as on the queue and the case page.
async fn led_case<C: ConnectionTrait>(
    conn: &C,
    cap: &InvestigatorCap,
    reference: &str,
) -> Result<complaint::Model, ComplaintError> {
    let row = find(conn, reference).await?;
    if row.lead_id != Some(cap.account_id()) {
        return Err(ComplaintError::NotFound);
    }
    Ok(row)
}

/// One line of a log extract, in the investigator's language.
fn extract_line(locale: Locale, entry: &AccessEntryView) -> String {
    let mut parts = vec![entry.when_local.clone(), entry.agent_name.clone()];
    if let Some(role) = &entry.agent_role {
        parts.push(role.clone());
    }
    if let Some(department) = &entry.department {
        parts.push(match locale {
            Locale::ZhHans => department.name_zh_hans.clone(),
            Locale::En => department.name_en.clone(),
        });
    }
    parts.push(action_label(locale, entry.action).to_owned());
    parts.push(category_label(locale, entry.category).to_owned());
    parts.push(purpose_label(locale, entry.purpose).to_owned());
    if !entry.rules.is_empty() {
        parts.push("⚑".to_owned());
    }
    format!("#{} {}", entry.id, parts.join(" · "))
}

/// Records a piece of evidence; a log extract pulls the patient's accesses of the days
/// given from the portal's own log.
pub async fn add_evidence(
    state: &AppState,
    who: &SignedIn,
    cap: &InvestigatorCap,
    form: &EvidenceForm,
) -> Result<(), ComplaintError> {
    let kind = EvidenceKind::from_code(form.kind.trim()).ok_or(ComplaintError::Invalid("kind"))?;
    let title = form.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_LIMIT {
        return Err(ComplaintError::Invalid("title"));
    }
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let row = led_case(&state.db, cap, &form.reference).await?;
    if !matches!(
        row.stage(),
        ComplaintState::Investigation | ComplaintState::Plan
    ) {
        return Err(ComplaintError::WrongStage);
    }
    let body = match kind {
        EvidenceKind::LogExtract => {
            let filter = AccessFilter {
                from: Some(form.from.clone()),
                to: Some(form.to.clone()),
                ..AccessFilter::default()
            };
            if form.from.trim().is_empty() || form.to.trim().is_empty() {
                return Err(ComplaintError::Invalid(if form.from.trim().is_empty() {
                    "from"
                } else {
                    "to"
                }));
            }
            let parsed = log_query::parse_filter(&filter, tz).map_err(|bad| {
                ComplaintError::Invalid(if bad.0 == "to" { "to" } else { "from" })
            })?;
            let mrn = query::by_id(&state.db, row.account_id)
                .await?
                .and_then(|a| a.mrn)
                .ok_or(ComplaintError::NotFound)?;
            let entries = log_query::extract(&state.db, &mrn, &parsed, EXTRACT_LIMIT, tz).await?;
            let mut lines: Vec<String> = entries
                .iter()
                .map(|e| extract_line(who.locale, e))
                .collect();
            lines.reverse();
            let header = format!(
                "{} – {} · {}",
                form.from.trim(),
                form.to.trim(),
                lines.len()
            );
            let note = form.body.trim();
            if !note.is_empty() && !check_text(note) {
                return Err(ComplaintError::Invalid("body"));
            }
            let mut text = vec![header];
            if !note.is_empty() {
                text.push(note.to_owned());
            }
            text.extend(lines);
            text.join("\n")
        }
        EvidenceKind::Document | EvidenceKind::Interview => required(&form.body, "body")?,
    };
    let txn = state.db.begin().await?;
    evidence::Entity::insert(evidence::ActiveModel {
        id: NotSet,
        complaint_id: Set(row.id),
        kind: Set(kind.code().to_owned()),
        title: Set(title.to_owned()),
        body: Set(body),
        recorded_by: Set(cap.account_id()),
        recorded_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    record_step(
        &txn,
        row.id,
        Step::EvidenceAdded,
        None,
        Some(cap.account_id()),
        Some(title),
        now,
    )
    .await?;
    log(&txn, state, who, &row, Action::Update, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The investigation's findings; the case moves on to its handling plan.
pub async fn conclude(
    state: &AppState,
    who: &SignedIn,
    cap: &InvestigatorCap,
    reference: &str,
    findings: &str,
) -> Result<(), ComplaintError> {
    let findings = required(findings, "findings")?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = led_case(&txn, cap, reference).await?;
    let to = ComplaintState::Plan;
    let columns = vec![(complaint::Column::Findings, Expr::value(findings))];
    let moved = Move {
        from: &[ComplaintState::Investigation],
        to,
        step: Step::Concluded,
        note: None,
        columns,
    };
    advance(&txn, state, who, &row, moved, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The handling plan (measures for the patient, accountability, improvements), put to the
/// approvers.
pub async fn submit_plan(
    state: &AppState,
    who: &SignedIn,
    cap: &InvestigatorCap,
    form: &PlanForm,
) -> Result<(), ComplaintError> {
    let patient = required(&form.patient, "patient")?;
    let accountability = required(&form.accountability, "accountability")?;
    let improvement = required(&form.improvement, "improvement")?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = led_case(&txn, cap, &form.reference).await?;
    let to = ComplaintState::Approval;
    let columns = vec![
        (complaint::Column::PlanPatient, Expr::value(patient)),
        (
            complaint::Column::PlanAccountability,
            Expr::value(accountability),
        ),
        (complaint::Column::PlanImprovement, Expr::value(improvement)),
    ];
    let moved = Move {
        from: &[ComplaintState::Plan],
        to,
        step: Step::PlanSubmitted,
        note: None,
        columns,
    };
    advance(&txn, state, who, &row, moved, now).await?;
    let approvers = holders(&txn, Role::Approver).await?;
    tell_staff(
        &txn,
        state,
        row.reference(),
        &approvers,
        &News::PlanWaiting,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The approver's decision on the plan: approved (the decision clock stops, the measures'
/// clock starts), or sent back to the investigator with a reason.
pub async fn decide_plan(
    state: &AppState,
    who: &SignedIn,
    _cap: &ApproverCap,
    reference: &str,
    approve: bool,
    reason: &str,
) -> Result<(), ComplaintError> {
    let reason = if approve {
        None
    } else {
        Some(required(reason, "reason")?)
    };
    let now = state.clock.now();
    let tz = &state.settings.time_zone;
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    let to = if approve {
        ComplaintState::Measures
    } else {
        ComplaintState::Plan
    };
    let moved = Move {
        from: &[ComplaintState::Approval],
        to,
        step: if approve {
            Step::Approved
        } else {
            Step::SentBack
        },
        note: reason.as_deref(),
        columns: Vec::new(),
    };
    advance(&txn, state, who, &row, moved, now).await?;
    if approve {
        deadlines::stop(&txn, DECISION, row.id, now).await?;
        deadlines::open(&txn, MEASURES, row.id, &state.complaints.measures, tz, now).await?;
    } else if let Some(lead) = row.lead_id {
        tell_staff(&txn, state, row.reference(), &[lead], &News::SentBack, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// What was done; the patient is asked whether they are satisfied.
pub async fn record_measures(
    state: &AppState,
    who: &SignedIn,
    cap: &InvestigatorCap,
    reference: &str,
    measures: &str,
) -> Result<(), ComplaintError> {
    let measures = required(measures, "measures")?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = led_case(&txn, cap, reference).await?;
    let to = ComplaintState::FollowUp;
    let columns = vec![(complaint::Column::MeasuresTaken, Expr::value(measures))];
    let moved = Move {
        from: &[ComplaintState::Measures],
        to,
        step: Step::MeasuresDone,
        note: None,
        columns,
    };
    advance(&txn, state, who, &row, moved, now).await?;
    deadlines::stop(&txn, MEASURES, row.id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Closes the case with its outcome (the patient reads it), root cause and the link in
/// the chain where the leak happened.
pub async fn close(
    state: &AppState,
    who: &SignedIn,
    cap: &PrivacyOfficerCap,
    form: &CloseForm,
) -> Result<(), ComplaintError> {
    let outcome = required(&form.outcome, "outcome")?;
    let cause = RootCause::from_code(form.root_cause.trim())
        .ok_or(ComplaintError::Invalid("root_cause"))?;
    let link = ChainLink::from_code(form.chain_link.trim())
        .ok_or(ComplaintError::Invalid("chain_link"))?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, &form.reference).await?;
    let to = ComplaintState::Closed;
    let mut columns = vec![
        (complaint::Column::Outcome, Expr::value(outcome.clone())),
        (complaint::Column::RootCause, Expr::value(cause.code())),
        (complaint::Column::ChainLink, Expr::value(link.code())),
    ];
    if row.handler_id.is_none() {
        columns.push((complaint::Column::HandlerId, Expr::value(cap.account_id())));
    }
    let moved = Move {
        from: &[ComplaintState::FollowUp],
        to,
        step: Step::Closed,
        note: Some(&outcome),
        columns,
    };
    advance(&txn, state, who, &row, moved, now).await?;
    stop_clocks(&txn, row.id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A note by staff, internal or for the patient (chosen each time); a note for the
/// patient reaches them by email.
pub async fn note(
    state: &AppState,
    who: &SignedIn,
    cap: &AnyStaffCap,
    reference: &str,
    body: &str,
    visibility: &str,
) -> Result<(), ComplaintError> {
    let visibility =
        Visibility::from_code(visibility.trim()).ok_or(ComplaintError::Invalid("visibility"))?;
    let body = required(body, "body")?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, reference).await?;
    if !may_see(&row, cap) {
        return Err(ComplaintError::NotFound);
    }
    add_note(&txn, row.id, cap.account_id(), true, visibility, &body, now).await?;
    log(&txn, state, who, &row, Action::Update, now).await?;
    if visibility == Visibility::Patient {
        tell_patient(&txn, state, &row, &News::Note, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Improvement actions, of one case or of every case, open ones first by due date.
pub async fn actions_of(
    state: &AppState,
    complaint_id: Option<i64>,
) -> Result<Vec<ActionView>, DbErr> {
    let tz = &state.settings.time_zone;
    let today = local_date(state.clock.now(), tz);
    let mut select = action::Entity::find();
    if let Some(id) = complaint_id {
        select = select.filter(action::Column::ComplaintId.eq(id));
    }
    let rows = select
        .order_by_asc(action::Column::Id)
        .all(&state.db)
        .await?;
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let reference = complaint::Entity::find_by_id(row.complaint_id)
            .one(&state.db)
            .await?
            .map(|c| c.reference().to_owned())
            .unwrap_or_default();
        list.push(ActionView {
            id: row.id,
            reference,
            description: row.description,
            owner: name_of(&state.db, Some(row.owner_id))
                .await?
                .unwrap_or_default(),
            overdue: row.done_at.is_none() && row.due_on < today,
            due_on: row.due_on,
            done: row.done_at.map(|at| local_minute(at, tz)),
            effect: row.effect,
        });
    }
    list.sort_by(|a, b| (a.done.is_some(), &a.due_on).cmp(&(b.done.is_some(), &b.due_on)));
    Ok(list)
}

/// A new improvement action from a case, with its owner and due date; the owner is told.
pub async fn add_action(
    state: &AppState,
    who: &SignedIn,
    cap: &PrivacyOfficerCap,
    form: &ActionForm,
) -> Result<(), ComplaintError> {
    let description = required(&form.description, "description")?;
    let owner = form
        .owner
        .trim()
        .parse::<i64>()
        .map_err(|_| ComplaintError::Invalid("owner"))?;
    if !people(&state.db, &STAFF_ROLES)
        .await?
        .iter()
        .any(|p| p.id == owner)
    {
        return Err(ComplaintError::Invalid("owner"));
    }
    let due_on = form.due_on.trim();
    let tz = &state.settings.time_zone;
    if day_start(due_on, tz, false).is_none() {
        return Err(ComplaintError::Invalid("due_on"));
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = find(&txn, &form.reference).await?;
    if !allowed_actions(row.stage()) {
        return Err(ComplaintError::WrongStage);
    }
    action::Entity::insert(action::ActiveModel {
        id: NotSet,
        complaint_id: Set(row.id),
        description: Set(description.clone()),
        owner_id: Set(owner),
        due_on: Set(due_on.to_owned()),
        created_by: Set(cap.account_id()),
        created_at: Set(now),
        done_at: Set(None),
        effect: Set(None),
        checked_by: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    record_step(
        &txn,
        row.id,
        Step::ActionAdded,
        None,
        Some(cap.account_id()),
        Some(&description),
        now,
    )
    .await?;
    log(&txn, state, who, &row, Action::Update, now).await?;
    let news = News::ActionAssigned {
        due_on: due_on.to_owned(),
    };
    tell_staff(&txn, state, row.reference(), &[owner], &news, now).await?;
    txn.commit().await?;
    Ok(())
}

fn allowed_actions(stage: ComplaintState) -> bool {
    matches!(
        stage,
        ComplaintState::Plan
            | ComplaintState::Approval
            | ComplaintState::Measures
            | ComplaintState::FollowUp
            | ComplaintState::Closed
    )
}

/// Marks an improvement action done, with how its effect was checked. Returns the
/// reference of its case.
pub async fn complete_action(
    state: &AppState,
    who: &SignedIn,
    cap: &PrivacyOfficerCap,
    action_id: i64,
    effect: &str,
) -> Result<String, ComplaintError> {
    let effect = required(effect, "effect")?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let stored = action::Entity::find_by_id(action_id)
        .one(&txn)
        .await?
        .ok_or(ComplaintError::NotFound)?;
    let row = complaint::Entity::find_by_id(stored.complaint_id)
        .one(&txn)
        .await?
        .ok_or(ComplaintError::NotFound)?;
    let changed = action::Entity::update_many()
        .col_expr(action::Column::DoneAt, Expr::value(now))
        .col_expr(action::Column::Effect, Expr::value(effect.clone()))
        .col_expr(action::Column::CheckedBy, Expr::value(cap.account_id()))
        .filter(action::Column::Id.eq(action_id))
        .filter(action::Column::DoneAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(ComplaintError::WrongStage);
    }
    record_step(
        &txn,
        row.id,
        Step::ActionDone,
        None,
        Some(cap.account_id()),
        Some(&effect),
        now,
    )
    .await?;
    log(&txn, state, who, &row, Action::Update, now).await?;
    txn.commit().await?;
    Ok(row.reference().to_owned())
}

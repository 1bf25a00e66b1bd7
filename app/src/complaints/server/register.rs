//! Cases from before the portal: a hospital's complaint register brought over (and the demo
//! hospital's year of cases). Each is written as it happened — its steps at their times,
//! its clocks opened and stopped then, its improvement action — without emails or
//! access-log entries, which belong to the moment a step is taken.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use time::{Duration, OffsetDateTime};

use super::entity::{action, complaint};
use super::service::record_step;
use super::{ComplaintsConfig, DECISION, MEASURES, VERIFICATION};
use crate::complaints::types::{ChainLink, ComplaintKind, ComplaintState, RootCause, Step};
use crate::ssr::deadlines;

/// How a past case was closed.
#[derive(Clone, Debug)]
pub struct Closing {
    /// Days from filing to closing.
    pub after: i64,
    pub cause: RootCause,
    pub link: ChainLink,
    pub outcome: String,
    pub satisfied: bool,
    /// An improvement action it led to: what, its owner, due so many days after closing,
    /// and whether its effect was checked.
    pub action: Option<(String, i64, i64, bool)>,
}

/// How far a past case got.
#[derive(Clone, Debug)]
pub enum PastEnd {
    /// Rejected at the preliminary verification, with the reason.
    Rejected(String),
    /// Resolved on the spot, saying what was done; then closed.
    OnTheSpot { resolution: String, closed: Closing },
    /// Investigated; the plan approved so many days after filing; then closed.
    Investigated {
        approved_after: i64,
        closed: Closing,
    },
    /// Still open at this stage (verification, investigation, approval or measures).
    Open(ComplaintState),
}

/// A case from before the portal.
#[derive(Clone, Debug)]
pub struct PastCase {
    pub patient: i64,
    pub kind: ComplaintKind,
    pub account: String,
    pub department: Option<i64>,
    pub filed_at: OffsetDateTime,
    /// The privacy officer, the lead investigator and the approver.
    pub handler: i64,
    pub lead: i64,
    pub approver: i64,
    /// Days from filing to the end of the preliminary verification.
    pub verified_after: i64,
    pub end: PastEnd,
}

/// How many complaints the patients among `patients` have.
pub async fn count_of<C: ConnectionTrait>(conn: &C, patients: &[i64]) -> Result<u64, DbErr> {
    complaint::Entity::find()
        .filter(complaint::Column::AccountId.is_in(patients.iter().copied()))
        .count(conn)
        .await
}

/// Writes one past case; returns its reference.
pub async fn import<C: ConnectionTrait>(
    conn: &C,
    case: &PastCase,
    config: &ComplaintsConfig,
    time_zone: &str,
) -> Result<String, DbErr> {
    let t0 = case.filed_at;
    let at = |days: i64| t0 + Duration::days(days) + Duration::hours(2);
    let (state, ended) = match &case.end {
        PastEnd::Rejected(_) => (ComplaintState::Rejected, Some(at(case.verified_after))),
        PastEnd::OnTheSpot { closed, .. } | PastEnd::Investigated { closed, .. } => {
            (ComplaintState::Closed, Some(at(closed.after)))
        }
        PastEnd::Open(stage) => (*stage, None),
    };
    let closing = match &case.end {
        PastEnd::OnTheSpot { closed, .. } | PastEnd::Investigated { closed, .. } => Some(closed),
        _ => None,
    };
    let investigated = matches!(
        &case.end,
        PastEnd::Investigated { .. }
            | PastEnd::Open(
                ComplaintState::Investigation | ComplaintState::Approval | ComplaintState::Measures
            )
    );
    let inserted = complaint::Entity::insert(complaint::ActiveModel {
        id: NotSet,
        reference: Set(None),
        account_id: Set(case.patient),
        kind: Set(case.kind.code().to_owned()),
        account: Set(case.account.clone()),
        happened_on: Set(None),
        department_id: Set(case.department),
        place: Set(None),
        state: Set(state.code().to_owned()),
        handler_id: Set(Some(case.handler)),
        lead_id: Set(investigated.then_some(case.lead)),
        team: Set(case
            .department
            .filter(|_| investigated)
            .map(|d| d.to_string())),
        scope: Set(None),
        spread: Set(None),
        findings: Set(None),
        plan_patient: Set(None),
        plan_accountability: Set(None),
        plan_improvement: Set(None),
        measures_taken: Set(None),
        satisfied: Set(closing.map(|c| c.satisfied)),
        feedback: Set(None),
        outcome: Set(closing.map(|c| c.outcome.clone())),
        rejection_reason: Set(match &case.end {
            PastEnd::Rejected(reason) => Some(reason.clone()),
            _ => None,
        }),
        root_cause: Set(closing.map(|c| c.cause.code().to_owned())),
        chain_link: Set(closing.map(|c| c.link.code().to_owned())),
        resolved_on_spot: Set(matches!(case.end, PastEnd::OnTheSpot { .. })),
        filed_at: Set(t0),
        updated_at: Set(ended.unwrap_or(t0)),
        ended_at: Set(ended),
    })
    .exec(conn)
    .await?;
    let id = inserted.last_insert_id;
    let reference = format!("CP-{}-{id:05}", t0.year());
    complaint::Entity::update_many()
        .col_expr(complaint::Column::Reference, Expr::value(reference.clone()))
        .filter(complaint::Column::Id.eq(id))
        .exec(conn)
        .await?;
    steps(conn, id, case, at).await?;
    clocks(conn, id, case, config, time_zone, at).await?;
    if let (Some(closed), Some(end)) = (closing, ended) {
        if let Some((description, owner, due_after, done)) = &closed.action {
            let due = end + Duration::days(*due_after);
            action::Entity::insert(action::ActiveModel {
                id: NotSet,
                complaint_id: Set(id),
                description: Set(description.clone()),
                owner_id: Set(*owner),
                due_on: Set(crate::ssr::time::local_date(due, time_zone)),
                created_by: Set(case.handler),
                created_at: Set(end),
                done_at: Set(done.then_some(due - Duration::days(3))),
                effect: Set(done.then(|| "复查合格 / Checked: effective".to_owned())),
                checked_by: Set(done.then_some(case.handler)),
            })
            .exec_without_returning(conn)
            .await?;
        }
    }
    Ok(reference)
}

/// The timeline as it happened.
async fn steps<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    case: &PastCase,
    at: impl Fn(i64) -> OffsetDateTime,
) -> Result<(), DbErr> {
    for (what, entered, actor, note, when) in timeline_of(case, &at) {
        record_step(conn, id, what, entered, actor, note.as_deref(), when).await?;
    }
    Ok(())
}

/// A step: what, the state entered, who, its text, when.
type PastStep = (
    Step,
    Option<ComplaintState>,
    Option<i64>,
    Option<String>,
    OffsetDateTime,
);

/// The steps a past case took, in order, as far as it got.
fn timeline_of(case: &PastCase, at: &impl Fn(i64) -> OffsetDateTime) -> Vec<PastStep> {
    use ComplaintState as S;
    let (patient, officer) = (Some(case.patient), Some(case.handler));
    let t0 = case.filed_at;
    let mut list: Vec<PastStep> = vec![
        (Step::Received, Some(S::Received), patient, None, t0),
        (Step::Acknowledged, Some(S::Acknowledged), None, None, t0),
    ];
    let open_at = match &case.end {
        PastEnd::Open(stage) => Some(*stage),
        _ => None,
    };
    if open_at == Some(S::Acknowledged) {
        return list;
    }
    let started = at(case.verified_after.min(1));
    list.push((
        Step::VerificationStarted,
        Some(S::Verification),
        officer,
        None,
        started,
    ));
    if open_at == Some(S::Verification) {
        return list;
    }
    let verified = at(case.verified_after);
    match &case.end {
        PastEnd::Rejected(reason) => {
            list.push((
                Step::Rejected,
                Some(S::Rejected),
                officer,
                Some(reason.clone()),
                verified,
            ));
            return list;
        }
        PastEnd::OnTheSpot { resolution, closed } => {
            let note = Some(resolution.clone());
            list.push((
                Step::ResolvedOnSpot,
                Some(S::FollowUp),
                officer,
                note,
                verified,
            ));
            list.extend(closing_steps(case, closed, at));
            return list;
        }
        _ => {}
    }
    list.push((
        Step::InvestigationOpened,
        Some(S::Investigation),
        officer,
        None,
        verified,
    ));
    if open_at == Some(S::Investigation) {
        return list;
    }
    let day = match &case.end {
        PastEnd::Investigated { approved_after, .. } => *approved_after,
        _ => case.verified_after + 10,
    };
    let lead = Some(case.lead);
    list.push((Step::Concluded, Some(S::Plan), lead, None, at(day - 4)));
    list.push((
        Step::PlanSubmitted,
        Some(S::Approval),
        lead,
        None,
        at(day - 2),
    ));
    if open_at == Some(S::Approval) {
        return list;
    }
    list.push((
        Step::Approved,
        Some(S::Measures),
        Some(case.approver),
        None,
        at(day),
    ));
    if let PastEnd::Investigated { closed, .. } = &case.end {
        list.push((
            Step::MeasuresDone,
            Some(S::FollowUp),
            lead,
            None,
            at(closed.after - 3),
        ));
        list.extend(closing_steps(case, closed, at));
    }
    list
}

/// The patient's feedback and the closing.
fn closing_steps(
    case: &PastCase,
    closed: &Closing,
    at: &impl Fn(i64) -> OffsetDateTime,
) -> [PastStep; 2] {
    [
        (
            Step::Feedback,
            None,
            Some(case.patient),
            None,
            at(closed.after - 1),
        ),
        (
            Step::Closed,
            Some(ComplaintState::Closed),
            Some(case.handler),
            Some(closed.outcome.clone()),
            at(closed.after),
        ),
    ]
}

/// The clocks as they ran: opened on filing (the measures' on approval) and stopped when
/// their step was done; a case still open keeps its current one running.
async fn clocks<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    case: &PastCase,
    config: &ComplaintsConfig,
    time_zone: &str,
    at: impl Fn(i64) -> OffsetDateTime,
) -> Result<(), DbErr> {
    let t0 = case.filed_at;
    deadlines::open(conn, VERIFICATION, id, &config.verification, time_zone, t0).await?;
    deadlines::open(conn, DECISION, id, &config.decision, time_zone, t0).await?;
    let verified = at(case.verified_after);
    match &case.end {
        PastEnd::Open(ComplaintState::Acknowledged | ComplaintState::Verification) => {}
        PastEnd::Rejected(_) | PastEnd::OnTheSpot { .. } => {
            deadlines::stop(conn, VERIFICATION, id, verified).await?;
            deadlines::stop(conn, DECISION, id, verified).await?;
        }
        PastEnd::Open(ComplaintState::Investigation | ComplaintState::Approval) => {
            deadlines::stop(conn, VERIFICATION, id, verified).await?;
        }
        PastEnd::Open(_) => {
            let approved = at(case.verified_after + 10);
            deadlines::stop(conn, VERIFICATION, id, verified).await?;
            deadlines::stop(conn, DECISION, id, approved).await?;
            deadlines::open(conn, MEASURES, id, &config.measures, time_zone, approved).await?;
        }
        PastEnd::Investigated {
            approved_after,
            closed,
        } => {
            let approved = at(*approved_after);
            deadlines::stop(conn, VERIFICATION, id, verified).await?;
            deadlines::stop(conn, DECISION, id, approved).await?;
            deadlines::open(conn, MEASURES, id, &config.measures, time_zone, approved).await?;
            deadlines::stop(conn, MEASURES, id, at(closed.after - 3)).await?;
        }
    }
    Ok(())
}

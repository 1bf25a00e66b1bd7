//! Why an access was normal. Each access by a member of staff is matched against the
//! patient's care as the hospital's systems reported it; the most specific reason found is
//! kept beside the event (outside its hashed record) and shown to the patient on the entry.
//! The rules still run: an explained access is not "without a care relationship", but a
//! sensitive category or a colleague's own record is flagged all the same.
//!
//! Care often reaches the portal after the access it explains (an encounter registered at
//! the end of a shift), so each new care relationship explains again its patient's
//! unexplained accesses around it.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use time::OffsetDateTime;

use super::cases;
use super::entity::{event, review};
use super::rules::RuleSettings;
use crate::access_log::types::{AgentKind, Category, Purpose, Reason, Rule};
use crate::directory::server::service::{care_periods, CarePeriod};
use crate::directory::types::CareKind;

/// A reason found for one access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub reason: Reason,
    /// The care it rests on: its kind, department and start.
    pub care: Option<(CareKind, i64, OffsetDateTime)>,
}

/// What the explanation looks at for one access.
#[derive(Clone, Copy, Debug)]
pub struct ExplainFacts<'a> {
    pub agent_kind: AgentKind,
    pub agent_ref: Option<&'a str>,
    /// The department the access is attributed to.
    pub department_id: Option<i64>,
    pub purpose: Purpose,
    pub category: Category,
    pub occurred_at: OffsetDateTime,
    /// Recorded by the portal itself (staff working on the patient's own requests).
    pub in_portal: bool,
    /// The patient's care relationships.
    pub care: &'a [CarePeriod],
}

/// Parts of the record the portal's staff open only to answer what the patient asked:
/// their correction request, their complaint, their account recovery.
const PATIENT_ASKED: [Category; 3] = [
    Category::CorrectionRequest,
    Category::Complaint,
    Category::Account,
];

/// Care a bill is made for.
const BILLED: [CareKind; 3] = [
    CareKind::Encounter,
    CareKind::Admission,
    CareKind::Appointment,
];

/// The most specific reason for the access, in the order of [`Reason::ALL`].
#[must_use]
pub fn explain(facts: &ExplainFacts<'_>, settings: &RuleSettings) -> Option<Explanation> {
    let own_request = facts.purpose == Purpose::PatientRequest
        || (facts.in_portal && PATIENT_ASKED.contains(&facts.category));
    if own_request {
        return Some(Explanation {
            reason: Reason::OwnRequest,
            care: None,
        });
    }
    if facts.agent_kind != AgentKind::Staff {
        return None;
    }
    let at = facts.occurred_at;
    let covering = || {
        facts.care.iter().filter(move |care| {
            care.starts_at <= at + settings.care_after
                && care
                    .ended_at()
                    .is_none_or(|end| end >= at - settings.care_before)
        })
    };
    let names_agent = |care: &&CarePeriod| {
        facts
            .agent_ref
            .is_some_and(|agent| care.members.iter().any(|member| member == agent))
    };
    let by_person = latest(
        covering()
            .filter(|care| care.kind != CareKind::CareTeam)
            .filter(names_agent),
    );
    let candidates = [
        (Reason::CareByPerson, by_person),
        (
            Reason::CareTeam,
            latest(
                covering()
                    .filter(|care| care.kind == CareKind::CareTeam)
                    .filter(names_agent),
            ),
        ),
        (
            Reason::CareByDepartment,
            latest(covering().filter(|care| Some(care.department_id) == facts.department_id)),
        ),
        (
            Reason::Billing,
            (facts.purpose == Purpose::Payment || facts.category == Category::Billing)
                .then(|| latest(covering().filter(|care| BILLED.contains(&care.kind))))
                .flatten(),
        ),
    ];
    candidates.into_iter().find_map(|(reason, care)| {
        care.map(|care| Explanation {
            reason,
            care: Some((care.kind, care.department_id, care.starts_at)),
        })
    })
}

/// The span of care that can bear on accesses between `earliest` and `latest`: the care
/// that explains them, and the care that puts them near care for review
/// ([`cases::in_care_near`]).
#[must_use]
pub fn care_reach(
    settings: &RuleSettings,
    (earliest, latest): (OffsetDateTime, OffsetDateTime),
) -> (OffsetDateTime, OffsetDateTime) {
    (
        earliest - settings.care_before.max(cases::NEAR_CARE),
        latest + settings.care_after.max(cases::NEAR_CARE),
    )
}

/// The care that began last among `cares` (the visit the access most likely belongs to).
fn latest<'a>(cares: impl Iterator<Item = &'a CarePeriod>) -> Option<&'a CarePeriod> {
    cares.max_by_key(|care| care.starts_at)
}

/// The columns of `access_event` holding an explanation.
pub fn columns(explanation: Option<&Explanation>) -> ExplanationColumns {
    let care = explanation.and_then(|explanation| explanation.care);
    ExplanationColumns {
        by: explanation.map(|explanation| explanation.reason.code().to_owned()),
        kind: care.map(|(kind, _, _)| kind.code().to_owned()),
        department_id: care.map(|(_, department, _)| department),
        since: care.map(|(_, _, since)| since),
    }
}

/// An explanation as stored on its event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExplanationColumns {
    pub by: Option<String>,
    pub kind: Option<String>,
    pub department_id: Option<i64>,
    pub since: Option<OffsetDateTime>,
}

/// An access as read to explain it again: id, person, department, purpose, category,
/// time, the reason it has.
type Unexplained = (
    i64,
    Option<String>,
    Option<i64>,
    String,
    String,
    OffsetDateTime,
    Option<String>,
);

/// Accesses read per query while explaining again.
const AGAIN_PAGE: u64 = 1_000;

/// Explains again the patient's unexplained accesses by staff that `care` (just written:
/// its start, and its end as [`CarePeriod::ended_at`] reads it) may cover, with
/// everything now known of the patient's care; and their VIP record's accesses that only
/// a department's care explained, which care naming the person takes out of review.
/// Returns how many got a new reason. Runs in the caller's transaction, with the care it
/// explains.
pub async fn after_care<C: ConnectionTrait>(
    conn: &C,
    patient_mrn: &str,
    care: (OffsetDateTime, Option<OffsetDateTime>),
    settings: &RuleSettings,
    now: OffsetDateTime,
) -> Result<u64, DbErr> {
    let from = care.0 - settings.care_after;
    let to = care.1.unwrap_or(now) + settings.care_before;
    let cares = care_periods(
        conn,
        &[patient_mrn.to_owned()],
        care_reach(settings, (from, to)),
    )
    .await?;
    let mut explained = 0;
    let mut newly_explained = Vec::new();
    let mut after_id = 0;
    loop {
        // Only what the explanation reads: not the stored record.
        let rows: Vec<Unexplained> = event::Entity::find()
            .select_only()
            .columns([
                event::Column::Id,
                event::Column::AgentRef,
                event::Column::DepartmentId,
                event::Column::Purpose,
                event::Column::Category,
                event::Column::OccurredAt,
                event::Column::ExplainedBy,
            ])
            .filter(event::Column::PatientMrn.eq(patient_mrn))
            .filter(event::Column::OccurredAt.between(from, to))
            .filter(
                Condition::any()
                    .add(event::Column::ExplainedBy.is_null())
                    .add(
                        Condition::all()
                            .add(event::Column::ExplainedBy.eq(Reason::CareByDepartment.code()))
                            .add(event::Column::Flags.contains(Rule::VipRecord.code())),
                    ),
            )
            .filter(event::Column::AgentKind.eq(AgentKind::Staff.code()))
            .filter(event::Column::Id.gt(after_id))
            .order_by_asc(event::Column::Id)
            .limit(AGAIN_PAGE)
            .into_tuple()
            .all(conn)
            .await?;
        let Some(last) = rows.last() else { break };
        after_id = last.0;
        let full = rows.len() as u64 == AGAIN_PAGE;
        for (id, agent_ref, department_id, purpose, category, occurred_at, had) in rows {
            let facts = ExplainFacts {
                agent_kind: AgentKind::Staff,
                agent_ref: agent_ref.as_deref(),
                department_id,
                purpose: Purpose::from_code(&purpose).unwrap_or(Purpose::Other),
                category: Category::from_code(&category).unwrap_or(Category::Other),
                occurred_at,
                in_portal: false,
                care: &cares,
            };
            let Some(explanation) = explain(&facts, settings) else {
                continue;
            };
            if had.as_deref() == Some(explanation.reason.code()) {
                continue;
            }
            let stored = columns(Some(&explanation));
            event::Entity::update_many()
                .col_expr(event::Column::ExplainedBy, Expr::value(stored.by))
                .col_expr(event::Column::ExplainedKind, Expr::value(stored.kind))
                .col_expr(
                    event::Column::ExplainedDepartmentId,
                    Expr::value(stored.department_id),
                )
                .col_expr(event::Column::ExplainedSince, Expr::value(stored.since))
                .filter(event::Column::Id.eq(id))
                .exec(conn)
                .await?;
            newly_explained.push(id);
            explained += 1;
        }
        if !full {
            break;
        }
    }
    // Their review cases rank lower now (or not at all, when only this was against them).
    let mut case_ids: Vec<i64> = Vec::new();
    for chunk in newly_explained.chunks(2_000) {
        let found: Vec<Option<i64>> = review::Entity::find()
            .select_only()
            .column(review::Column::CaseId)
            .filter(review::Column::EventId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        case_ids.extend(found.into_iter().flatten());
    }
    case_ids.sort_unstable();
    case_ids.dedup();
    super::cases::recount(conn, &case_ids, now).await?;
    Ok(explained)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const AT: OffsetDateTime = datetime!(2026-12-03 10:00 UTC);

    fn care(kind: CareKind, department: i64, members: &[&str], days_ago: i64) -> CarePeriod {
        CarePeriod {
            patient_mrn: "M1".into(),
            kind,
            department_id: department,
            members: members.iter().map(|m| (*m).to_owned()).collect(),
            starts_at: AT - time::Duration::days(days_ago),
            ends_at: Some(AT - time::Duration::days(days_ago) + time::Duration::hours(2)),
            status_ended: false,
        }
    }

    /// S1 of department 1 reading a result for treatment at `AT`.
    fn facts(cares: &[CarePeriod]) -> ExplainFacts<'_> {
        ExplainFacts {
            agent_kind: AgentKind::Staff,
            agent_ref: Some("S1"),
            department_id: Some(1),
            purpose: Purpose::Treatment,
            category: Category::Lab,
            occurred_at: AT,
            in_portal: false,
            care: cares,
        }
    }

    fn reason(edit: impl FnOnce(&mut ExplainFacts<'_>), cares: &[CarePeriod]) -> Option<Reason> {
        let mut facts = facts(cares);
        edit(&mut facts);
        explain(&facts, &RuleSettings::default()).map(|found| found.reason)
    }

    #[test]
    fn each_reason_explains_its_case_and_not_its_counter_case() {
        let visit = [care(CareKind::Encounter, 2, &["S1"], 1)];
        assert_eq!(reason(|_| {}, &visit), Some(Reason::CareByPerson));
        assert_eq!(reason(|f| f.agent_ref = Some("S9"), &visit), None);

        let team = [CarePeriod {
            ends_at: None,
            ..care(CareKind::CareTeam, 2, &["S1"], 40)
        }];
        assert_eq!(reason(|_| {}, &team), Some(Reason::CareTeam));

        let ward = [care(CareKind::Admission, 1, &[], 3)];
        assert_eq!(reason(|_| {}, &ward), Some(Reason::CareByDepartment));
        assert_eq!(reason(|f| f.department_id = Some(3), &ward), None);

        let billed = [care(CareKind::Encounter, 2, &[], 10)];
        let billing = |f: &mut ExplainFacts<'_>| {
            f.department_id = Some(9);
            f.purpose = Purpose::Payment;
        };
        assert_eq!(reason(billing, &billed), Some(Reason::Billing));
        assert_eq!(reason(|f| f.department_id = Some(9), &billed), None);
        let ordered = [care(CareKind::Order, 2, &[], 10)];
        assert_eq!(reason(billing, &ordered), None);

        assert_eq!(
            reason(|f| f.purpose = Purpose::PatientRequest, &[]),
            Some(Reason::OwnRequest)
        );
        let answering = |f: &mut ExplainFacts<'_>| {
            f.in_portal = true;
            f.category = Category::CorrectionRequest;
        };
        assert_eq!(reason(answering, &[]), Some(Reason::OwnRequest));
        assert_eq!(reason(|f| f.in_portal = true, &[]), None);
    }

    #[test]
    fn care_counts_only_around_the_access() {
        let long_ago = [care(CareKind::Encounter, 1, &["S1"], 45)];
        assert_eq!(reason(|_| {}, &long_ago), None);
        let tomorrow = [care(CareKind::Appointment, 1, &["S1"], -1)];
        assert_eq!(reason(|_| {}, &tomorrow), Some(Reason::CareByPerson));
        let next_week = [care(CareKind::Appointment, 1, &["S1"], -7)];
        assert_eq!(reason(|_| {}, &next_week), None);
        let still_going = [CarePeriod {
            ends_at: None,
            ..care(CareKind::Admission, 1, &[], 200)
        }];
        assert_eq!(reason(|_| {}, &still_going), Some(Reason::CareByDepartment));
        let order = |days_ago| CarePeriod {
            ends_at: None,
            ..care(CareKind::Order, 1, &["S1"], days_ago)
        };
        assert_eq!(reason(|_| {}, &[order(29)]), Some(Reason::CareByPerson));
        assert_eq!(reason(|_| {}, &[order(31)]), None);
        let finished_without_end = |days_ago| CarePeriod {
            ends_at: None,
            status_ended: true,
            ..care(CareKind::Admission, 1, &[], days_ago)
        };
        let finished = [finished_without_end(29)];
        assert_eq!(reason(|_| {}, &finished), Some(Reason::CareByDepartment));
        assert_eq!(reason(|_| {}, &[finished_without_end(31)]), None);
    }

    #[test]
    fn the_person_named_wins_over_the_department_and_the_latest_care_is_kept() {
        let cares = [
            care(CareKind::Encounter, 1, &[], 2),
            care(CareKind::Referral, 2, &["S1"], 20),
            care(CareKind::Result, 2, &["S1"], 5),
        ];
        let found = explain(&facts(&cares), &RuleSettings::default()).expect("explained");
        assert_eq!(found.reason, Reason::CareByPerson);
        assert_eq!(
            found.care,
            Some((CareKind::Result, 2, AT - time::Duration::days(5)))
        );
    }

    #[test]
    fn outside_organisations_are_explained_only_by_the_patients_request() {
        let visit = [care(CareKind::Encounter, 1, &["S1"], 1)];
        assert_eq!(
            reason(|f| f.agent_kind = AgentKind::Organisation, &visit),
            None
        );
        let asked = |f: &mut ExplainFacts<'_>| {
            f.agent_kind = AgentKind::Organisation;
            f.purpose = Purpose::PatientRequest;
        };
        assert_eq!(reason(asked, &visit), Some(Reason::OwnRequest));
    }
}

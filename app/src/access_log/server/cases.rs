//! Review cases. Accesses that need a person's eyes (flagged by a rule, or by staff with
//! nothing in the patient's care to explain them) are grouped per person, patient and
//! local day, and each case is ranked, so the privacy officer reads a short list of
//! cases instead of every event. Cases at or above [`REVIEW_LINE`] are the ones to read
//! today; the rest stay listed below them.
//!
//! Routine work nobody recorded (a colleague asked in the corridor, a doctor covering
//! from another ward) is one unexplained access to a patient who is in the hospital's
//! care that day. Snooping looks different: a record opened on a day the patient had no
//! care anywhere, several times, or on a relative, a neighbour at the same address, a
//! famous patient, one's own record. The weights say that; each is a plain sentence on
//! the case.

use std::collections::{BTreeSet, HashMap};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use time::{Duration, OffsetDateTime};

use super::entity::{case, event, review};
use crate::access_log::types::{AgentKind, Reason, ReviewState, Rule};
use crate::directory::server::service::CarePeriod;
use crate::directory::types::CareKind;

/// Cases scoring this much or more are the ones to read: every definitional rule (own
/// record, same address, watch list, deactivated account; VIP unless care naming the
/// person explains the access) reaches it alone.
pub const REVIEW_LINE: i64 = 50;

/// What ranks a case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseSignals {
    pub rules: BTreeSet<Rule>,
    /// Accesses by staff that nothing in the patient's care explains.
    pub unexplained: i64,
    /// An unexplained access came when the patient was in no department's care.
    pub out_of_care: bool,
    /// Accesses in the night explained only by the department (or by an earlier shift on
    /// its roster), by someone its care did not name then while it named others.
    pub night_unnamed: i64,
    /// Accesses of a VIP's record that only a department's care explained.
    pub vip_by_department: i64,
    /// An unexplained access came within [`REPEAT_WINDOW`] after the same person had
    /// opened, with nothing to explain them, the records of [`REPEAT_LOOKS`] or more other
    /// patients in no one's care.
    pub follows_out_of_care: bool,
}

impl CaseSignals {
    /// Adds another access's signals to these.
    fn add(&mut self, other: &CaseSignals) {
        self.rules.extend(other.rules.iter().copied());
        self.unexplained += other.unexplained;
        self.out_of_care |= other.out_of_care;
        self.night_unnamed += other.night_unnamed;
        self.vip_by_department += other.vip_by_department;
        self.follows_out_of_care |= other.follows_out_of_care;
    }

    /// What one stored access adds to its case, read from its columns (kind of agent,
    /// rule codes, reason). Its time of day and the care around it are not read again.
    fn of_stored(agent_kind: &str, flags: &str, explained_by: Option<&str>) -> CaseSignals {
        let rules = parse_rules(flags);
        let staff = AgentKind::from_code(agent_kind) == Some(AgentKind::Staff);
        let reason = explained_by.and_then(Reason::from_code);
        CaseSignals {
            unexplained: i64::from(staff && explained_by.is_none()),
            vip_by_department: i64::from(vip_by_department(rules.iter(), reason)),
            rules,
            ..CaseSignals::default()
        }
    }

    /// A stored case's signals, as its columns hold them.
    fn of_case(stored: &case::Model) -> CaseSignals {
        CaseSignals {
            rules: parse_rules(&stored.rules),
            unexplained: stored.unexplained,
            out_of_care: stored.out_of_care,
            night_unnamed: stored.night_unnamed,
            vip_by_department: stored.vip_by_department,
            follows_out_of_care: stored.follows_out_of_care,
        }
    }
}

/// How long a person's out-of-care looks make their next unexplained looks count: a
/// slow serial snooper opens one record a day, and some of those patients are in care
/// elsewhere that day, which alone reads like a corridor question.
pub const REPEAT_WINDOW: Duration = Duration::days(7);

/// Out-of-care looks at other patients within [`REPEAT_WINDOW`] that make a person's
/// corridor-like look count. One is not enough: someone who snooped once (already a case
/// to read) does routine work nobody recorded like everyone else; a series is the snooper.
pub const REPEAT_LOOKS: usize = 2;

/// Minutes after local midnight before which an access is in the night: wards are open,
/// few people work, and who looks after whom is on the roster.
pub const NIGHT_ENDS: u16 = 6 * 60;

/// How much a rule says about snooping when it fires (`unnamed`: some access of the case
/// has no reason in the patient's care naming the person). A shared surname alone is
/// common (two random people share one about one time in forty in China); the
/// definitional rules are reasons to look by themselves, but a famous patient's own
/// doctors and nurses open their record every day: that is the patient's care, flagged
/// to them, not a case. A department's care does not spare a VIP's case: everyone on
/// that ward could claim it, and protected records are guarded against exactly them.
fn weight(rule: Rule, unnamed: bool) -> i64 {
    match rule {
        Rule::OwnRecord | Rule::SameAddress | Rule::WatchList | Rule::DeactivatedAccount => 100,
        Rule::VipRecord if unnamed => 100,
        Rule::VipRecord | Rule::SameSurname | Rule::ManyRecords => 25,
        Rule::OutsideWorkingHours | Rule::SensitiveCategory => 10,
        // Counted through `unexplained`, which also knows accesses with no department.
        Rule::NoCareRelationship => 0,
    }
}

/// The case's rank: rule weights, plus for unexplained work 20 for the first access and
/// 15 for each of the next two, plus 40 when the patient was in no one's care then, else
/// 30 when the person had looked at two such patients in the week before; plus
/// for night accesses by someone the ward's care did not name 30 for the first and 20
/// for the next (one may be a colleague helping out; a second look is not).
#[must_use]
pub fn score(signals: &CaseSignals) -> i64 {
    let unnamed = signals.unexplained > 0 || signals.vip_by_department > 0;
    let mut score: i64 = signals
        .rules
        .iter()
        .map(|rule| weight(*rule, unnamed))
        .sum();
    if signals.unexplained > 0 {
        score += 20 + 15 * (signals.unexplained - 1).min(2);
        if signals.out_of_care {
            score += 40;
        } else if signals.follows_out_of_care {
            score += 30;
        }
    }
    if signals.night_unnamed > 0 {
        score += 30 + 20 * (signals.night_unnamed - 1).min(1);
    }
    score
}

/// How long after a roster's shift ends it still names its nurse in the night: notes
/// finished after the handover.
pub const HANDOVER: Duration = Duration::hours(2);

/// Whether an access at `minute` after local midnight, explained only by `department`'s
/// care or by an earlier shift on its roster, came in the night from someone off that
/// department's roster for the patient: a care team going on then (or ended less than
/// [`HANDOVER`] before) that names the people looking after the patient (the nurses of the
/// shift), not this person. Having looked after the patient on last week's shifts does
/// not put someone on tonight's. A visit or an admission names its doctor, not everyone
/// on duty, and orders name who asked; hospitals that send no rosters get no such signal.
#[must_use]
pub fn unnamed_at_night(
    care: &[CarePeriod],
    (agent, department): (Option<&str>, i64),
    (at, minute): (OffsetDateTime, u16),
) -> bool {
    if minute >= NIGHT_ENDS {
        return false;
    }
    let current: Vec<&CarePeriod> = care
        .iter()
        .filter(|period| {
            period.kind == CareKind::CareTeam
                && period.department_id == department
                && period.starts_at <= at
                && period.ended_at().is_none_or(|end| end + HANDOVER >= at)
        })
        .collect();
    let names_someone = current.iter().any(|period| !period.members.is_empty());
    let names_agent = agent.is_some_and(|agent| {
        current
            .iter()
            .any(|period| period.members.iter().any(|member| member == agent))
    });
    names_someone && !names_agent
}

/// How far from its care an access still counts as near it ([`in_care_near`]).
pub const NEAR_CARE: Duration = Duration::days(1);

/// Whether any care of the patient's covers `at` give or take a day: a visit or stay
/// from a day before it starts to a day after it ends (still going on when it has no
/// end), an order, result, referral or appointment around its day.
#[must_use]
pub fn in_care_near(care: &[CarePeriod], at: OffsetDateTime) -> bool {
    care.iter().any(|period| {
        let ends = period.ended_at().unwrap_or(at);
        period.starts_at - NEAR_CARE <= at && at <= ends + NEAR_CARE
    })
}

/// Whether an access opened a VIP's record (`rules` hold the VIP rule) with only a
/// department's care to explain it: no care naming the person.
#[must_use]
pub fn vip_by_department<'a>(
    mut rules: impl Iterator<Item = &'a Rule>,
    reason: Option<Reason>,
) -> bool {
    reason == Some(Reason::CareByDepartment) && rules.any(|rule| *rule == Rule::VipRecord)
}

/// Who the case is about: the staff number, or the name when the source sent none.
#[must_use]
pub fn agent_key(agent_ref: Option<&str>, agent_name: &str) -> String {
    agent_ref.map_or_else(|| format!("name:{agent_name}"), str::to_owned)
}

/// Rules from their comma-separated codes (as events and cases store them), in the
/// order of [`Rule::ALL`].
#[must_use]
pub fn parse_rules(codes: &str) -> BTreeSet<Rule> {
    codes.split(',').filter_map(Rule::from_code).collect()
}

/// One access entering review.
#[derive(Clone, Debug)]
pub struct Entering {
    pub event_id: i64,
    pub agent_key: String,
    pub agent_name: String,
    pub patient_mrn: String,
    pub day: String,
    pub at: OffsetDateTime,
    /// What this one access adds to its case's signals.
    pub signals: CaseSignals,
}

impl Entering {
    /// An access already stored (asked about by the patient, or reviewed before cases
    /// existed). Whether the patient was in care then is not known any more.
    #[must_use]
    pub fn stored(row: &event::Model, zone: &jiff::tz::TimeZone) -> Entering {
        let signals =
            CaseSignals::of_stored(&row.agent_kind, &row.flags, row.explained_by.as_deref());
        Entering {
            event_id: row.id,
            agent_key: agent_key(row.agent_ref.as_deref(), &row.agent_name),
            agent_name: row.agent_name.clone(),
            patient_mrn: row.patient_mrn.clone(),
            day: super::summary::local_day(zone, row.occurred_at),
            at: row.occurred_at,
            signals,
        }
    }

    fn key(&self) -> (&str, &str, &str) {
        (&self.patient_mrn, &self.day, &self.agent_key)
    }
}

/// A case as the batch changes it.
struct Filing {
    id: Option<i64>,
    agent_name: String,
    events: i64,
    signals: CaseSignals,
    first_at: OffsetDateTime,
    last_at: OffsetDateTime,
    reopened: bool,
}

type Key = (String, String, String);

/// Puts each entering access into its case, opening the case or adding to it (a decided
/// case that gets new accesses opens again: nobody has read those). Returns each event's
/// case id.
pub async fn file<C: ConnectionTrait>(
    conn: &C,
    entering: &[Entering],
    now: OffsetDateTime,
) -> Result<HashMap<i64, i64>, DbErr> {
    if entering.is_empty() {
        return Ok(HashMap::new());
    }
    let wanted: BTreeSet<(&str, &str, &str)> = entering.iter().map(Entering::key).collect();
    let mut filings: HashMap<Key, Filing> = HashMap::new();
    for stored in existing(conn, &wanted).await? {
        let signals = CaseSignals::of_case(&stored);
        filings.insert(
            (stored.patient_mrn, stored.day, stored.agent_key),
            Filing {
                id: Some(stored.id),
                agent_name: stored.agent_name,
                events: stored.events,
                signals,
                first_at: stored.first_at,
                last_at: stored.last_at,
                reopened: stored.state != ReviewState::Open.code(),
            },
        );
    }
    let following = follows_out_of_care(conn, entering).await?;
    for access in entering {
        let (mrn, day, agent) = access.key();
        let filing = filings
            .entry((mrn.to_owned(), day.to_owned(), agent.to_owned()))
            .or_insert_with(|| Filing {
                id: None,
                agent_name: access.agent_name.clone(),
                events: 0,
                signals: CaseSignals::default(),
                first_at: access.at,
                last_at: access.at,
                reopened: false,
            });
        filing.events += 1;
        filing.signals.add(&access.signals);
        filing.signals.follows_out_of_care |= following.contains(&access.event_id);
        filing.first_at = filing.first_at.min(access.at);
        filing.last_at = filing.last_at.max(access.at);
    }
    write(conn, &filings, now).await?;
    // The new cases' ids are read back; the others are known.
    let opened: BTreeSet<(&str, &str, &str)> = filings
        .iter()
        .filter(|(_, filing)| filing.id.is_none())
        .map(|((mrn, day, agent), _)| (mrn.as_str(), day.as_str(), agent.as_str()))
        .collect();
    let mut ids: HashMap<Key, i64> = filings
        .iter()
        .filter_map(|(key, filing)| filing.id.map(|id| (key.clone(), id)))
        .collect();
    if !opened.is_empty() {
        for row in existing(conn, &opened).await? {
            ids.insert((row.patient_mrn, row.day, row.agent_key), row.id);
        }
    }
    Ok(entering
        .iter()
        .filter_map(|access| {
            let (mrn, day, agent) = access.key();
            ids.get(&(mrn.to_owned(), day.to_owned(), agent.to_owned()))
                .map(|id| (access.event_id, *id))
        })
        .collect())
}

/// Values per `IN (…)` list.
const LOOKUP_CHUNK: usize = 2_000;
/// Rows per multi-row INSERT (20 values each, under SQLite's parameter limit).
const INSERT_CHUNK: usize = 1_000;

/// The stored cases of the keys `wanted` (patient, day, person).
async fn existing<C: ConnectionTrait>(
    conn: &C,
    wanted: &BTreeSet<(&str, &str, &str)>,
) -> Result<Vec<case::Model>, DbErr> {
    let mrns: Vec<&str> = wanted
        .iter()
        .map(|(mrn, _, _)| *mrn)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let days: BTreeSet<&str> = wanted.iter().map(|(_, day, _)| *day).collect();
    let mut found = Vec::new();
    for chunk in mrns.chunks(LOOKUP_CHUNK) {
        let rows = case::Entity::find()
            .filter(case::Column::PatientMrn.is_in(chunk.iter().copied()))
            .filter(case::Column::Day.is_in(days.iter().copied()))
            .all(conn)
            .await?;
        found.extend(rows.into_iter().filter(|row| {
            wanted.contains(&(
                row.patient_mrn.as_str(),
                row.day.as_str(),
                row.agent_key.as_str(),
            ))
        }));
    }
    Ok(found)
}

/// The entering accesses (their event ids) that are unexplained, to a patient in care,
/// and came within [`REPEAT_WINDOW`] after the same person's out-of-care looks at
/// [`REPEAT_LOOKS`] other patients: stored in cases still unexplained, or earlier in
/// this batch.
async fn follows_out_of_care<C: ConnectionTrait>(
    conn: &C,
    entering: &[Entering],
) -> Result<BTreeSet<i64>, DbErr> {
    let in_care: Vec<&Entering> = entering
        .iter()
        .filter(|access| access.signals.unexplained > 0 && !access.signals.out_of_care)
        .collect();
    let (Some(earliest), Some(latest)) = (
        in_care.iter().map(|access| access.at).min(),
        in_care.iter().map(|access| access.at).max(),
    ) else {
        return Ok(BTreeSet::new());
    };
    let agents: Vec<&str> = in_care
        .iter()
        .map(|access| access.agent_key.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut looks: HashMap<String, Vec<(OffsetDateTime, String)>> = HashMap::new();
    for chunk in agents.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(String, OffsetDateTime, String)> = case::Entity::find()
            .select_only()
            .column(case::Column::AgentKey)
            .column(case::Column::FirstAt)
            .column(case::Column::PatientMrn)
            .filter(case::Column::AgentKey.is_in(chunk.iter().copied()))
            .filter(case::Column::FirstAt.gte(earliest - REPEAT_WINDOW))
            .filter(case::Column::FirstAt.lt(latest))
            .filter(case::Column::OutOfCare.eq(true))
            .filter(case::Column::Unexplained.gt(0))
            .into_tuple()
            .all(conn)
            .await?;
        for (agent, at, mrn) in rows {
            looks.entry(agent).or_default().push((at, mrn));
        }
    }
    for access in entering.iter().filter(|access| access.signals.out_of_care) {
        looks
            .entry(access.agent_key.clone())
            .or_default()
            .push((access.at, access.patient_mrn.clone()));
    }
    Ok(in_care
        .into_iter()
        .filter(|access| {
            looks.get(&access.agent_key).is_some_and(|earlier| {
                let others: BTreeSet<&str> = earlier
                    .iter()
                    .filter(|(at, mrn)| {
                        *at < access.at
                            && *at >= access.at - REPEAT_WINDOW
                            && *mrn != access.patient_mrn
                    })
                    .map(|(_, mrn)| mrn.as_str())
                    .collect();
                others.len() >= REPEAT_LOOKS
            })
        })
        .map(|access| access.event_id)
        .collect())
}

/// Writes the batch's cases: new ones in multi-row INSERTs, changed ones one by one
/// (a batch adds to few cases it did not open).
async fn write<C: ConnectionTrait>(
    conn: &C,
    filings: &HashMap<Key, Filing>,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let rules_of = |signals: &CaseSignals| {
        signals
            .rules
            .iter()
            .map(|rule| rule.code())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut new = Vec::new();
    for ((mrn, day, agent), filing) in filings {
        let Some(id) = filing.id else {
            new.push(case::ActiveModel {
                id: sea_orm::ActiveValue::NotSet,
                agent_key: Set(agent.clone()),
                agent_name: Set(filing.agent_name.clone()),
                patient_mrn: Set(mrn.clone()),
                day: Set(day.clone()),
                events: Set(filing.events),
                unexplained: Set(filing.signals.unexplained),
                rules: Set(rules_of(&filing.signals)),
                out_of_care: Set(filing.signals.out_of_care),
                night_unnamed: Set(filing.signals.night_unnamed),
                vip_by_department: Set(filing.signals.vip_by_department),
                follows_out_of_care: Set(filing.signals.follows_out_of_care),
                score: Set(score(&filing.signals)),
                state: Set(ReviewState::Open.code().to_owned()),
                question_at: Set(None),
                first_at: Set(filing.first_at),
                last_at: Set(filing.last_at),
                resolved_by: Set(None),
                resolution_note: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            continue;
        };
        let mut update = case::Entity::update_many()
            .col_expr(case::Column::Events, Expr::value(filing.events))
            .col_expr(
                case::Column::Unexplained,
                Expr::value(filing.signals.unexplained),
            )
            .col_expr(case::Column::Rules, Expr::value(rules_of(&filing.signals)))
            .col_expr(
                case::Column::OutOfCare,
                Expr::value(filing.signals.out_of_care),
            )
            .col_expr(
                case::Column::NightUnnamed,
                Expr::value(filing.signals.night_unnamed),
            )
            .col_expr(
                case::Column::VipByDepartment,
                Expr::value(filing.signals.vip_by_department),
            )
            .col_expr(
                case::Column::FollowsOutOfCare,
                Expr::value(filing.signals.follows_out_of_care),
            )
            .col_expr(case::Column::Score, Expr::value(score(&filing.signals)))
            .col_expr(case::Column::FirstAt, Expr::value(filing.first_at))
            .col_expr(case::Column::LastAt, Expr::value(filing.last_at))
            .col_expr(case::Column::UpdatedAt, Expr::value(now));
        if filing.reopened {
            update = update.col_expr(case::Column::State, Expr::value(ReviewState::Open.code()));
        }
        update.filter(case::Column::Id.eq(id)).exec(conn).await?;
    }
    for chunk in new.chunks(INSERT_CHUNK) {
        case::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Counts a case's events again from its items, after care arriving late explained
/// some of them (or named the person who opened a VIP's record): a lower rank.
pub async fn recount<C: ConnectionTrait>(
    conn: &C,
    case_ids: &[i64],
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    for id in case_ids {
        let Some(stored) = case::Entity::find_by_id(*id).one(conn).await? else {
            continue;
        };
        let event_ids: Vec<i64> = review::Entity::find()
            .select_only()
            .column(review::Column::EventId)
            .filter(review::Column::CaseId.eq(*id))
            .into_tuple()
            .all(conn)
            .await?;
        let rows: Vec<(String, String, Option<String>)> = event::Entity::find()
            .select_only()
            .column(event::Column::AgentKind)
            .column(event::Column::Flags)
            .column(event::Column::ExplainedBy)
            .filter(event::Column::Id.is_in(event_ids))
            .order_by_asc(event::Column::Id)
            .into_tuple()
            .all(conn)
            .await?;
        // What the accesses' columns say is counted again; what was known only when
        // they arrived (care around them, the time of day, earlier looks) is kept.
        let mut signals = CaseSignals {
            rules: BTreeSet::new(),
            unexplained: 0,
            vip_by_department: 0,
            ..CaseSignals::of_case(&stored)
        };
        for (kind, flags, explained) in &rows {
            signals.add(&CaseSignals::of_stored(kind, flags, explained.as_deref()));
        }
        case::Entity::update_many()
            .col_expr(case::Column::Unexplained, Expr::value(signals.unexplained))
            .col_expr(
                case::Column::VipByDepartment,
                Expr::value(signals.vip_by_department),
            )
            .col_expr(case::Column::Score, Expr::value(score(&signals)))
            .col_expr(case::Column::UpdatedAt, Expr::value(now))
            .filter(case::Column::Id.eq(*id))
            .exec(conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(rules: &[Rule], unexplained: i64, out_of_care: bool) -> CaseSignals {
        CaseSignals {
            rules: rules.iter().copied().collect(),
            unexplained,
            out_of_care,
            night_unnamed: 0,
            vip_by_department: 0,
            follows_out_of_care: false,
        }
    }

    #[test]
    fn each_definitional_rule_reaches_the_line_alone() {
        for rule in [
            Rule::OwnRecord,
            Rule::SameAddress,
            Rule::WatchList,
            Rule::DeactivatedAccount,
        ] {
            assert!(
                score(&signals(&[rule], 0, false)) >= REVIEW_LINE,
                "{rule:?}"
            );
        }
        // A famous patient's record opened by someone their care does not explain.
        assert!(score(&signals(&[Rule::VipRecord], 1, false)) >= REVIEW_LINE);
        // Their own doctor: flagged to the patient, below the line.
        assert!(score(&signals(&[Rule::VipRecord], 0, false)) < REVIEW_LINE);
        // Someone of the ward they stay on, whom no care of theirs names.
        let ward = CaseSignals {
            vip_by_department: 1,
            ..signals(&[Rule::VipRecord], 0, false)
        };
        assert!(score(&ward) >= REVIEW_LINE);
        // The same count without the VIP rule says nothing.
        let ordinary = CaseSignals {
            rules: BTreeSet::new(),
            ..ward
        };
        assert!(score(&ordinary) < REVIEW_LINE);
    }

    #[test]
    fn a_vip_record_counts_against_its_case_unless_care_names_the_person() {
        let vip: BTreeSet<Rule> = [Rule::VipRecord].into_iter().collect();
        assert!(vip_by_department(
            vip.iter(),
            Some(Reason::CareByDepartment)
        ));
        assert!(!vip_by_department(vip.iter(), Some(Reason::CareByPerson)));
        assert!(!vip_by_department(vip.iter(), Some(Reason::CareTeam)));
        // Unexplained accesses are counted as such.
        assert!(!vip_by_department(vip.iter(), None));
        let other: BTreeSet<Rule> = [Rule::SameSurname].into_iter().collect();
        assert!(!vip_by_department(
            other.iter(),
            Some(Reason::CareByDepartment)
        ));
    }

    #[test]
    fn routine_work_nobody_recorded_stays_below_the_line() {
        // One access to a patient in care that day, flagged without a care relationship.
        let corridor = signals(&[Rule::NoCareRelationship], 1, false);
        assert!(score(&corridor) < REVIEW_LINE);
        // A relative's surname on the treating team, a result read after the clinic closed.
        let explained = signals(
            &[
                Rule::SameSurname,
                Rule::OutsideWorkingHours,
                Rule::SensitiveCategory,
            ],
            0,
            false,
        );
        assert!(score(&explained) < REVIEW_LINE);
    }

    #[test]
    fn snooping_patterns_reach_the_line() {
        // A record opened when the patient was in nobody's care.
        assert!(score(&signals(&[], 1, true)) >= REVIEW_LINE);
        // Three unexplained looks at one patient in an evening.
        assert!(score(&signals(&[], 3, false)) >= REVIEW_LINE);
        // Being out of care counts only for unexplained accesses.
        assert!(score(&signals(&[], 0, true)) < REVIEW_LINE);
        // Two looks in the night by someone the ward did not assign; one may be help.
        let night = |looks| CaseSignals {
            night_unnamed: looks,
            ..CaseSignals::default()
        };
        assert!(score(&night(1)) < REVIEW_LINE);
        assert!(score(&night(2)) >= REVIEW_LINE);
        // A corridor-like look by someone who, in the week before, opened the records of
        // patients in nobody's care: a slow serial snooper's day.
        let after = CaseSignals {
            follows_out_of_care: true,
            ..signals(&[Rule::NoCareRelationship], 1, false)
        };
        assert!(score(&after) >= REVIEW_LINE);
        // It counts only for unexplained accesses.
        let explained = CaseSignals {
            follows_out_of_care: true,
            ..signals(&[Rule::OutsideWorkingHours], 0, false)
        };
        assert!(score(&explained) < REVIEW_LINE);
    }

    fn period(kind: CareKind, starts: OffsetDateTime, ends: Option<OffsetDateTime>) -> CarePeriod {
        CarePeriod {
            patient_mrn: "P1".into(),
            kind,
            department_id: 1,
            members: Vec::new(),
            starts_at: starts,
            ends_at: ends,
            status_ended: false,
        }
    }

    #[test]
    fn the_night_signal_needs_a_roster_and_someone_off_it() {
        let midnight = time::macros::datetime!(2026-03-02 16:00 UTC);
        let shift = |members: &[&str]| CarePeriod {
            members: members.iter().map(|m| (*m).to_owned()).collect(),
            ..period(
                CareKind::CareTeam,
                midnight - Duration::hours(1),
                Some(midnight + Duration::hours(7)),
            )
        };
        let at = (midnight + Duration::hours(2), 120);
        assert!(unnamed_at_night(&[shift(&["N1"])], (Some("N2"), 1), at));
        assert!(!unnamed_at_night(&[shift(&["N1"])], (Some("N1"), 1), at));
        // N2's evening shift ended at 23:00: notes at 00:30 finish it; at 02:00 N2 is
        // off the roster.
        let evening = CarePeriod {
            ends_at: Some(midnight - Duration::hours(1)),
            starts_at: midnight - Duration::hours(9),
            ..shift(&["N2"])
        };
        let both = [shift(&["N1"]), evening];
        assert!(unnamed_at_night(&both, (Some("N2"), 1), at));
        let handover = (midnight + Duration::minutes(30), 30);
        assert!(!unnamed_at_night(&both, (Some("N2"), 1), handover));
        // Nobody named: the hospital keeps no roster here.
        assert!(!unnamed_at_night(&[shift(&[])], (Some("N2"), 1), at));
        // An admission names its doctor, not the night's nurses.
        let admission = CarePeriod {
            kind: CareKind::Admission,
            ..shift(&["D1"])
        };
        assert!(!unnamed_at_night(&[admission], (Some("N2"), 1), at));
        // Another department's roster, or the day.
        assert!(!unnamed_at_night(&[shift(&["N1"])], (Some("N2"), 2), at));
        let morning = (midnight + Duration::hours(7), 7 * 60);
        assert!(!unnamed_at_night(
            &[shift(&["N1"])],
            (Some("N2"), 1),
            morning
        ));
    }

    #[test]
    fn care_counts_from_a_day_before_to_a_day_after() {
        let start = time::macros::datetime!(2026-03-02 09:00 UTC);
        let visit = [period(
            CareKind::Encounter,
            start,
            Some(start + Duration::hours(1)),
        )];
        assert!(in_care_near(&visit, start + Duration::hours(20)));
        assert!(in_care_near(&visit, start - Duration::hours(20)));
        assert!(!in_care_near(&visit, start + Duration::days(3)));
        let order = [period(CareKind::Order, start, None)];
        assert!(!in_care_near(&order, start + Duration::days(3)));
        let stay = [period(CareKind::Admission, start, None)];
        assert!(in_care_near(&stay, start + Duration::days(30)));
        assert!(!in_care_near(&[], start));
    }
}

//! Reading a patient's log: pages newest first (keyset on time and id), the counts for
//! the charts, and the whole log for download.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Condition, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use time::OffsetDateTime;

use super::entity::{event, review};
use super::record::EventRecord;
use crate::access_log::types::{
    rules_from_codes, AccessEntryView, AccessFilter, AccessPageView, Action, AgentKind, Category,
    DepartmentView, ExplanationView, Purpose, QuestionView, Reason, ReviewState,
};
use crate::directory::types::CareKind;
use crate::ssr::time::{local_date, local_minute};
use crate::vocabulary::consent_check::ConsentCheckOutcome;

/// Entries per page.
pub const PAGE_SIZE: u64 = 20;

/// A filter that failed to parse names its field.
#[derive(Debug, PartialEq, Eq)]
pub struct BadFilter(pub &'static str);

/// The filter in database terms.
#[derive(Clone, Debug, Default)]
pub struct ParsedFilter {
    from: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
    /// The same bounds as local days `YYYY-MM-DD`, both included (for the summaries).
    pub(super) from_day: Option<String>,
    pub(super) to_day: Option<String>,
    pub(super) category: Option<Category>,
    pub(super) department: Option<i64>,
    pub(super) unusual_only: bool,
}

/// Parses the patient's filter; dates are local days in `time_zone`, both ends included.
pub fn parse_filter(filter: &AccessFilter, time_zone: &str) -> Result<ParsedFilter, BadFilter> {
    let day_start = |text: &str, field: &'static str, next: bool| {
        crate::ssr::time::day_start(text, time_zone, next).ok_or(BadFilter(field))
    };
    let from_text = filter.from.as_deref().filter(|s| !s.trim().is_empty());
    let to_text = filter.to.as_deref().filter(|s| !s.trim().is_empty());
    let from = from_text
        .map(|text| day_start(text, "from", false))
        .transpose()?;
    let until = to_text
        .map(|text| day_start(text, "to", true))
        .transpose()?;
    // `day_start` accepted these texts as dates.
    let day = |text: &str| {
        text.trim()
            .parse::<jiff::civil::Date>()
            .ok()
            .map(|date| date.to_string())
    };
    if let (Some(from), Some(until)) = (from, until) {
        if until <= from {
            return Err(BadFilter("to"));
        }
    }
    let category = match filter.category.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(Category::from_code(code).ok_or(BadFilter("category"))?),
        None => None,
    };
    Ok(ParsedFilter {
        from,
        until,
        from_day: from_text.and_then(day),
        to_day: to_text.and_then(day),
        category,
        department: filter.department,
        unusual_only: filter.unusual_only,
    })
}

pub(super) fn conditions(mrn: &str, filter: &ParsedFilter) -> Condition {
    let mut condition = Condition::all().add(event::Column::PatientMrn.eq(mrn));
    if let Some(from) = filter.from {
        condition = condition.add(event::Column::OccurredAt.gte(from));
    }
    if let Some(until) = filter.until {
        condition = condition.add(event::Column::OccurredAt.lt(until));
    }
    if let Some(category) = filter.category {
        condition = condition.add(event::Column::Category.eq(category.code()));
    }
    if let Some(department) = filter.department {
        condition = condition.add(event::Column::DepartmentId.eq(department));
    }
    if filter.unusual_only {
        condition = condition.add(event::Column::Unusual.eq(true));
    }
    condition
}

/// The cursor after an entry: its time (unix ms) and id.
fn cursor_of(row: &event::Model) -> String {
    format!("{}.{}", super::ingest::millis(row.occurred_at), row.id)
}

fn parse_cursor(text: &str) -> Option<(OffsetDateTime, i64)> {
    let (ms, id) = text.split_once('.')?;
    let ms: i128 = ms.parse().ok()?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).ok()?;
    Some((at, id.parse().ok()?))
}

/// All departments, for filters and entries.
pub async fn departments<C: ConnectionTrait>(conn: &C) -> Result<Vec<DepartmentView>, DbErr> {
    Ok(crate::hospital::server::service::departments(conn)
        .await?
        .into_iter()
        .map(|row| DepartmentView {
            id: row.id,
            name_zh_hans: row.name_zh_hans,
            name_en: row.name_en,
        })
        .collect())
}

/// One page of the patient's log as stored: its events, the patient's questions about
/// them and where the next page starts. Named with the departments apart
/// ([`PageRows::view`]), so a page reads the departments beside its rows, not before them.
pub struct PageRows {
    rows: Vec<event::Model>,
    questions: HashMap<i64, review::Model>,
    next: Option<String>,
}

impl PageRows {
    /// The page as the patient sees it; `departments` as [`departments`] gives them.
    #[must_use]
    pub fn view(&self, departments: &[DepartmentView], time_zone: &str) -> AccessPageView {
        AccessPageView {
            entries: entry_views(&self.rows, &self.questions, departments, time_zone),
            next: self.next.clone(),
        }
    }
}

/// One page of the patient's log, newest first, after `cursor` (from the previous page).
pub async fn page_rows<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    filter: &ParsedFilter,
    cursor: Option<&str>,
) -> Result<PageRows, DbErr> {
    let mut condition = conditions(mrn, filter);
    if let Some((at, id)) = cursor.and_then(parse_cursor) {
        condition = condition.add(
            Condition::any().add(event::Column::OccurredAt.lt(at)).add(
                Condition::all()
                    .add(event::Column::OccurredAt.eq(at))
                    .add(event::Column::Id.lt(id)),
            ),
        );
    }
    let listed = event::Entity::find()
        .filter(condition)
        .order_by_desc(event::Column::OccurredAt)
        .order_by_desc(event::Column::Id)
        .limit(PAGE_SIZE + 1);
    // The questions are found through the same listing, so they are read beside the
    // entries instead of after them: a page waits for one round trip here, not two.
    let listed_ids = listed
        .clone()
        .select_only()
        .column(event::Column::Id)
        .into_query();
    let (mut rows, questions) = tokio::try_join!(
        listed.all(conn),
        questions_about(conn, review::Column::EventId.in_subquery(listed_ids))
    )?;
    let next = if rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX) {
        rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
        rows.last().map(cursor_of)
    } else {
        None
    };
    Ok(PageRows {
        rows,
        questions,
        next,
    })
}

/// Entry views for stored rows, with departments and the patient's questions.
async fn views<C: ConnectionTrait>(
    conn: &C,
    rows: &[event::Model],
    departments: &[DepartmentView],
    time_zone: &str,
) -> Result<Vec<AccessEntryView>, DbErr> {
    let questions = questions(conn, rows).await?;
    Ok(entry_views(rows, &questions, departments, time_zone))
}

/// The patient's questions about `rows`, by event id.
async fn questions<C: ConnectionTrait>(
    conn: &C,
    rows: &[event::Model],
) -> Result<HashMap<i64, review::Model>, DbErr> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    questions_about(conn, review::Column::EventId.is_in(ids)).await
}

/// The patient's questions about the events `events` selects, by event id.
async fn questions_about<C: ConnectionTrait>(
    conn: &C,
    events: SimpleExpr,
) -> Result<HashMap<i64, review::Model>, DbErr> {
    Ok(review::Entity::find()
        .filter(events)
        .filter(review::Column::PatientQuestion.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (row.event_id, row))
        .collect())
}

/// Entry views for stored rows, with their departments and `questions`.
fn entry_views(
    rows: &[event::Model],
    questions: &HashMap<i64, review::Model>,
    departments: &[DepartmentView],
    time_zone: &str,
) -> Vec<AccessEntryView> {
    let departments: BTreeMap<i64, DepartmentView> =
        departments.iter().map(|d| (d.id, d.clone())).collect();
    rows.iter()
        .map(|row| entry_view(row, &departments, questions.get(&row.id), time_zone))
        .collect()
}

/// One stored event as the patient sees it.
#[must_use]
pub(super) fn entry_view(
    row: &event::Model,
    departments: &BTreeMap<i64, DepartmentView>,
    question: Option<&review::Model>,
    time_zone: &str,
) -> AccessEntryView {
    let record: Option<EventRecord> = serde_json::from_str(&row.record).ok();
    let record = record.as_ref();
    AccessEntryView {
        id: row.id,
        when_local: local_minute(row.occurred_at, time_zone),
        agent_kind: AgentKind::from_code(&row.agent_kind).unwrap_or(AgentKind::System),
        agent_name: row.agent_name.clone(),
        agent_role: row.agent_role.clone(),
        department: row
            .department_id
            .and_then(|id| departments.get(&id).cloned()),
        category: Category::from_code(&row.category).unwrap_or(Category::Other),
        action: Action::from_code(&row.action).unwrap_or(Action::Other),
        purpose: Purpose::from_code(&row.purpose).unwrap_or(Purpose::Other),
        system: record.and_then(|r| r.system.clone()),
        workstation: record.and_then(|r| r.workstation.clone()),
        rules: rules_from_codes(&row.flags),
        explanation: explanation_view(row, departments, time_zone),
        question: question.and_then(|q| {
            Some(QuestionView {
                text: q.patient_question.clone()?,
                asked_local: q
                    .question_at
                    .map(|at| local_minute(at, time_zone))
                    .unwrap_or_default(),
                state: ReviewState::from_code(&q.state).unwrap_or(ReviewState::Open),
            })
        }),
        consent_check: record
            .filter(|_| row.category == Category::Consent.code())
            .and_then(|r| r.detail.as_deref())
            .and_then(ConsentCheckOutcome::from_detail),
    }
}

/// Why the access was normal, as stored beside it.
fn explanation_view(
    row: &event::Model,
    departments: &BTreeMap<i64, DepartmentView>,
    time_zone: &str,
) -> Option<ExplanationView> {
    Some(ExplanationView {
        reason: Reason::from_code(row.explained_by.as_deref()?)?,
        kind: row.explained_kind.as_deref().and_then(CareKind::from_code),
        department: row
            .explained_department_id
            .and_then(|id| departments.get(&id).cloned()),
        since_local: row.explained_since.map(|at| local_date(at, time_zone)),
    })
}

/// Every event of the patient, oldest first (chain order), for a download.
pub(super) async fn whole_log<C: ConnectionTrait>(
    conn: &C,
    cap: &crate::identity::server::access::PatientCap,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::PatientMrn.eq(cap.mrn()))
        .order_by_asc(event::Column::Id)
        .all(conn)
        .await
}

/// How many access events the portal holds, for all patients.
pub async fn total_events<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    event::Entity::find().count(conn).await
}

/// How many entries the log of the patient with `mrn` holds.
pub async fn log_size<C: ConnectionTrait>(conn: &C, mrn: &str) -> Result<u64, DbErr> {
    event::Entity::find()
        .filter(event::Column::PatientMrn.eq(mrn))
        .count(conn)
        .await
}

/// The entries among `ids` that are in the log of the patient with `mrn` (others are
/// left out), newest first; for a complaint that names them.
pub async fn chosen<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    ids: &[i64],
    time_zone: &str,
) -> Result<Vec<AccessEntryView>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = event::Entity::find()
        .filter(event::Column::PatientMrn.eq(mrn))
        .filter(event::Column::Id.is_in(ids.iter().copied()))
        .order_by_desc(event::Column::OccurredAt)
        .order_by_desc(event::Column::Id)
        .all(conn)
        .await?;
    let departments = departments(conn).await?;
    views(conn, &rows, &departments, time_zone).await
}

/// Up to `limit` entries of the patient's log that `filter` passes, newest first: an
/// extract of the log (for an investigation) or the entries to choose from.
pub async fn extract<C: ConnectionTrait>(
    conn: &C,
    mrn: &str,
    filter: &ParsedFilter,
    limit: u64,
    time_zone: &str,
) -> Result<Vec<AccessEntryView>, DbErr> {
    let rows = event::Entity::find()
        .filter(conditions(mrn, filter))
        .order_by_desc(event::Column::OccurredAt)
        .order_by_desc(event::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let departments = departments(conn).await?;
    views(conn, &rows, &departments, time_zone).await
}

//! The privacy officer's review queue of cases, and the patient's "I don't recognise
//! this".

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::sea_query::{Expr, OnConflict, Order};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::{case, event, review, review_decision};
use super::{cases, portal_log, query};
use crate::access_log::types::{
    AskedView, Category, FeedProblem, Question, ReviewCaseView, ReviewDecision, ReviewQueueView,
    ReviewState, REVIEWS_PER_PAGE,
};
use crate::accounts::server::query::patient_names;
use crate::identity::server::access::{PatientCap, PrivacyOfficerCap, SignedIn};
use crate::ssr::time::local_minute;
use crate::state::AppState;

/// Records the patient's question about one of their own events and puts its case at
/// the top of the queue (reopening it if it had been closed). `false` when the event is
/// not theirs.
pub async fn ask<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    question: &Question,
    zone: &jiff::tz::TimeZone,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let mrn = cap.mrn();
    let Some(asked) = event::Entity::find_by_id(question.event_id)
        .filter(event::Column::PatientMrn.eq(mrn))
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let filed = review::Entity::find_by_id(asked.id)
        .one(conn)
        .await?
        .and_then(|item| item.case_id);
    let case_id = if let Some(id) = filed {
        id
    } else {
        let entering = [cases::Entering::stored(&asked, zone)];
        let filed = cases::file(conn, &entering, now).await?;
        filed
            .get(&asked.id)
            .copied()
            .ok_or_else(|| DbErr::RecordNotFound("review case".into()))?
    };
    let row = review::ActiveModel {
        event_id: Set(asked.id),
        patient_mrn: Set(mrn.to_owned()),
        state: Set(ReviewState::Open.code().to_owned()),
        patient_question: Set(Some(question.text.clone())),
        question_at: Set(Some(now)),
        resolved_by: Set(None),
        resolution_note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        case_id: Set(Some(case_id)),
    };
    review::Entity::insert(row)
        .on_conflict(
            OnConflict::column(review::Column::EventId)
                .update_columns([
                    review::Column::State,
                    review::Column::PatientQuestion,
                    review::Column::QuestionAt,
                    review::Column::UpdatedAt,
                    review::Column::CaseId,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    case::Entity::update_many()
        .col_expr(case::Column::State, Expr::value(ReviewState::Open.code()))
        .col_expr(case::Column::QuestionAt, Expr::value(now))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(case_id))
        .exec(conn)
        .await?;
    Ok(true)
}

/// How many cases are open, and how many of them are to be read now.
pub async fn open_count<C: ConnectionTrait>(
    conn: &C,
    _cap: PrivacyOfficerCap,
) -> Result<(u64, u64), DbErr> {
    let open = case::Entity::find()
        .filter(case::Column::State.eq(ReviewState::Open.code()))
        .count(conn)
        .await?;
    let to_read = case::Entity::find()
        .filter(case::Column::State.eq(ReviewState::Open.code()))
        .filter(
            Condition::any()
                .add(case::Column::Score.gte(cases::REVIEW_LINE))
                .add(case::Column::QuestionAt.is_not_null()),
        )
        .count(conn)
        .await?;
    Ok((open, to_read))
}

/// One page of the open cases: those a patient asked about first (newest question
/// first), then by rank, then newest first. Every case is reachable by paging.
async fn open_cases<C: ConnectionTrait>(
    conn: &C,
    _cap: PrivacyOfficerCap,
    offset: u64,
    limit: u64,
) -> Result<Vec<case::Model>, DbErr> {
    case::Entity::find()
        .filter(case::Column::State.eq(ReviewState::Open.code()))
        .order_by(Expr::col(case::Column::QuestionAt).is_null(), Order::Asc)
        .order_by_desc(case::Column::QuestionAt)
        .order_by_desc(case::Column::Score)
        .order_by_desc(case::Column::LastAt)
        .order_by_desc(case::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

/// The items of `cases` and their events, oldest event first.
async fn items_of<C: ConnectionTrait>(
    conn: &C,
    case_ids: Vec<i64>,
) -> Result<Vec<(review::Model, event::Model)>, DbErr> {
    let items = review::Entity::find()
        .filter(review::Column::CaseId.is_in(case_ids))
        .all(conn)
        .await?;
    let ids: Vec<i64> = items.iter().map(|item| item.event_id).collect();
    let mut events: HashMap<i64, event::Model> = event::Entity::find()
        .filter(event::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut paired: Vec<(review::Model, event::Model)> = items
        .into_iter()
        .filter_map(|item| events.remove(&item.event_id).map(|e| (item, e)))
        .collect();
    paired.sort_by_key(|(_, e)| (e.occurred_at, e.id));
    Ok(paired)
}

/// Closes a case as explained, or escalates it, with the officer's note; each of its
/// items gets the same decision. Every decision is kept: deciding again adds to each
/// item's history.
pub async fn decide<C: ConnectionTrait>(
    conn: &C,
    cap: PrivacyOfficerCap,
    decision: &ReviewDecision,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let (case_id, state, note) = (decision.case_id, decision.state, &decision.note);
    let result = case::Entity::update_many()
        .col_expr(case::Column::State, Expr::value(state.code()))
        .col_expr(case::Column::ResolvedBy, Expr::value(cap.account_id()))
        .col_expr(case::Column::ResolutionNote, Expr::value(note))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(case_id))
        .exec(conn)
        .await?;
    if result.rows_affected != 1 {
        return Ok(false);
    }
    review::Entity::update_many()
        .col_expr(review::Column::State, Expr::value(state.code()))
        .col_expr(review::Column::ResolvedBy, Expr::value(cap.account_id()))
        .col_expr(review::Column::ResolutionNote, Expr::value(note))
        .col_expr(review::Column::UpdatedAt, Expr::value(now))
        .filter(review::Column::CaseId.eq(case_id))
        .exec(conn)
        .await?;
    let event_ids: Vec<i64> = review::Entity::find()
        .select_only()
        .column(review::Column::EventId)
        .filter(review::Column::CaseId.eq(case_id))
        .into_tuple()
        .all(conn)
        .await?;
    let decisions: Vec<review_decision::ActiveModel> = event_ids
        .into_iter()
        .map(|event_id| review_decision::ActiveModel {
            id: sea_orm::ActiveValue::NotSet,
            event_id: Set(event_id),
            state: Set(state.code().to_owned()),
            decided_by: Set(cap.account_id()),
            note: Set(note.clone()),
            decided_at: Set(now),
        })
        .collect();
    for chunk in decisions.chunks(1_000) {
        review_decision::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(true)
}

/// One page of the queue as the privacy officer sees it (page 1 when `page` is absent or
/// beyond the last). Seeing it is an access to each listed patient's log, recorded there.
pub async fn queue(
    state: &AppState,
    who: &SignedIn,
    cap: PrivacyOfficerCap,
    page: Option<u64>,
) -> Result<ReviewQueueView, DbErr> {
    let tz = state.settings.time_zone.clone();
    let (open, to_read) = open_count(&state.db, cap).await?;
    let pages = open.div_ceil(REVIEWS_PER_PAGE).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let listed = open_cases(
        &state.db,
        cap,
        (page - 1) * REVIEWS_PER_PAGE,
        REVIEWS_PER_PAGE,
    )
    .await?;
    let mrns: Vec<String> = {
        let mut seen = BTreeSet::new();
        listed
            .iter()
            .map(|c| c.patient_mrn.clone())
            .filter(|m| seen.insert(m.clone()))
            .collect()
    };
    let names = patient_names(&state.db, &mrns).await?;
    let departments: BTreeMap<i64, _> = query::departments(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut items: HashMap<i64, Vec<(review::Model, event::Model)>> = HashMap::new();
    for (item, e) in items_of(&state.db, listed.iter().map(|c| c.id).collect()).await? {
        if let Some(case_id) = item.case_id {
            items.entry(case_id).or_default().push((item, e));
        }
    }
    portal_log::staff_viewed(
        &state.db,
        &state.access.ingest,
        who,
        &mrns,
        Category::AccessLog,
        state.clock.now(),
    )
    .await?;
    let cases = listed
        .into_iter()
        .map(|c| {
            let items = items.remove(&c.id).unwrap_or_default();
            let questions = items
                .iter()
                .filter_map(|(item, _)| {
                    let text = item.patient_question.clone()?;
                    Some(AskedView {
                        text,
                        asked_local: item
                            .question_at
                            .map(|at| local_minute(at, &tz))
                            .unwrap_or_default(),
                    })
                })
                .collect();
            let entries = items
                .iter()
                .map(|(_, e)| query::entry_view(e, &departments, None, &tz))
                .collect();
            ReviewCaseView {
                case_id: c.id,
                person: c.agent_name.clone(),
                patient_name: names.get(&c.patient_mrn).cloned().unwrap_or_default(),
                patient_mrn: c.patient_mrn.clone(),
                day: c.day.clone(),
                score: c.score,
                to_read: c.score >= cases::REVIEW_LINE || c.question_at.is_some(),
                rules: cases::parse_rules(&c.rules).into_iter().collect(),
                unexplained: c.unexplained,
                out_of_care: c.out_of_care,
                night_unnamed: c.night_unnamed,
                vip_by_department: c.vip_by_department,
                follows_out_of_care: c.follows_out_of_care,
                state: ReviewState::from_code(&c.state).unwrap_or(ReviewState::Open),
                questions,
                entries,
                resolution_note: c.resolution_note.clone(),
            }
        })
        .collect();
    let feeds = super::feeds::open_notices(&state.db, FeedProblem::ALL, &tz).await?;
    Ok(ReviewQueueView {
        feeds,
        cases,
        page,
        pages,
        open,
        to_read,
    })
}

/// Groups queue items older than review cases into cases (once, at start-up): each
/// case takes the latest state of its items, and the time of any question.
pub async fn file_older_items<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    zone: &jiff::tz::TimeZone,
    now: OffsetDateTime,
) -> Result<u64, DbErr> {
    let txn = conn.begin().await?;
    let mut filed = 0_u64;
    let mut after = 0_i64;
    loop {
        let items = review::Entity::find()
            .filter(review::Column::CaseId.is_null())
            .filter(review::Column::EventId.gt(after))
            .order_by_asc(review::Column::EventId)
            .limit(1_000)
            .all(&txn)
            .await?;
        let Some(last) = items.last() else {
            break;
        };
        after = last.event_id;
        let ids: Vec<i64> = items.iter().map(|item| item.event_id).collect();
        let events = event::Entity::find()
            .filter(event::Column::Id.is_in(ids.clone()))
            .all(&txn)
            .await?;
        let entering: Vec<cases::Entering> = events
            .iter()
            .map(|e| cases::Entering::stored(e, zone))
            .collect();
        let case_of = cases::file(&txn, &entering, now).await?;
        for item in &items {
            let Some(case_id) = case_of.get(&item.event_id).copied() else {
                continue;
            };
            review::Entity::update_many()
                .col_expr(review::Column::CaseId, Expr::value(case_id))
                .filter(review::Column::EventId.eq(item.event_id))
                .exec(&txn)
                .await?;
            let mut update = case::Entity::update_many()
                .col_expr(case::Column::State, Expr::value(item.state.clone()))
                .col_expr(
                    case::Column::ResolutionNote,
                    Expr::value(item.resolution_note.clone()),
                )
                .col_expr(case::Column::ResolvedBy, Expr::value(item.resolved_by));
            if item.question_at.is_some() {
                update = update.col_expr(case::Column::QuestionAt, Expr::value(item.question_at));
            }
            update
                .filter(case::Column::Id.eq(case_id))
                .exec(&txn)
                .await?;
            filed += 1;
        }
    }
    // A case with any item still open is open.
    let open_cases: Vec<i64> = review::Entity::find()
        .select_only()
        .column(review::Column::CaseId)
        .filter(review::Column::State.eq(ReviewState::Open.code()))
        .filter(review::Column::CaseId.is_not_null())
        .distinct()
        .into_tuple::<Option<i64>>()
        .all(&txn)
        .await?
        .into_iter()
        .flatten()
        .collect();
    if filed > 0 {
        for chunk in open_cases.chunks(1_000) {
            case::Entity::update_many()
                .col_expr(case::Column::State, Expr::value(ReviewState::Open.code()))
                .filter(case::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(filed)
}

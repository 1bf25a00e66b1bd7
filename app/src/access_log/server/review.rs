//! The privacy officer's review queue, and the patient's "I don't recognise this".

use sea_orm::sea_query::{Expr, OnConflict, Order};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use time::OffsetDateTime;

use super::entity::{event, review, review_decision};
use crate::access_log::types::{Question, ReviewDecision, ReviewState};
use std::collections::{BTreeMap, BTreeSet};

use super::{portal_log, query};
use crate::access_log::types::{
    Category, FeedProblem, ReviewItemView, ReviewQueueView, REVIEWS_PER_PAGE,
};
use crate::accounts::server::query::patient_names;
use crate::identity::server::access::{PatientCap, PrivacyOfficerCap, SignedIn};
use crate::ssr::time::local_minute;
use crate::state::AppState;

/// Records the patient's question about one of their own events and puts it at the top
/// of the queue (reopening it if it had been closed). `false` when the event is not theirs.
pub async fn ask<C: ConnectionTrait>(
    conn: &C,
    cap: &PatientCap,
    question: &Question,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let mrn = cap.mrn();
    let event_id = question.event_id;
    let owned = event::Entity::find_by_id(event_id)
        .filter(event::Column::PatientMrn.eq(mrn))
        .one(conn)
        .await?
        .is_some();
    if !owned {
        return Ok(false);
    }
    let row = review::ActiveModel {
        event_id: Set(event_id),
        patient_mrn: Set(mrn.to_owned()),
        state: Set(ReviewState::Open.code().to_owned()),
        patient_question: Set(Some(question.text.clone())),
        question_at: Set(Some(now)),
        resolved_by: Set(None),
        resolution_note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    review::Entity::insert(row)
        .on_conflict(
            OnConflict::column(review::Column::EventId)
                .update_columns([
                    review::Column::State,
                    review::Column::PatientQuestion,
                    review::Column::QuestionAt,
                    review::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(true)
}

/// How many items are open.
pub async fn open_count<C: ConnectionTrait>(
    conn: &C,
    _cap: PrivacyOfficerCap,
) -> Result<u64, DbErr> {
    review::Entity::find()
        .filter(review::Column::State.eq(ReviewState::Open.code()))
        .count(conn)
        .await
}

/// One page of the open items: questions from patients first (newest question first),
/// then flagged accesses newest first. Every item is reachable by paging, however many
/// questions one patient asks.
async fn open_items<C: ConnectionTrait>(
    conn: &C,
    _cap: PrivacyOfficerCap,
    offset: u64,
    limit: u64,
) -> Result<Vec<(review::Model, event::Model)>, DbErr> {
    let reviews = review::Entity::find()
        .filter(review::Column::State.eq(ReviewState::Open.code()))
        .order_by(Expr::col(review::Column::QuestionAt).is_null(), Order::Asc)
        .order_by_desc(review::Column::QuestionAt)
        .order_by_desc(review::Column::EventId)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?;
    let ids: Vec<i64> = reviews.iter().map(|r| r.event_id).collect();
    let mut events: std::collections::HashMap<i64, event::Model> = event::Entity::find()
        .filter(event::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(reviews
        .into_iter()
        .filter_map(|r| events.remove(&r.event_id).map(|e| (r, e)))
        .collect())
}

/// Closes an item as explained, or escalates it, with the officer's note. Every decision
/// is kept: deciding again adds to the item's history.
pub async fn decide<C: ConnectionTrait>(
    conn: &C,
    cap: PrivacyOfficerCap,
    decision: &ReviewDecision,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let (event_id, state, note) = (decision.event_id, decision.state, &decision.note);
    let result = review::Entity::update_many()
        .col_expr(review::Column::State, Expr::value(state.code()))
        .col_expr(review::Column::ResolvedBy, Expr::value(cap.account_id()))
        .col_expr(review::Column::ResolutionNote, Expr::value(note))
        .col_expr(review::Column::UpdatedAt, Expr::value(now))
        .filter(review::Column::EventId.eq(event_id))
        .exec(conn)
        .await?;
    if result.rows_affected != 1 {
        return Ok(false);
    }
    review_decision::Entity::insert(review_decision::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        event_id: Set(event_id),
        state: Set(state.code().to_owned()),
        decided_by: Set(cap.account_id()),
        note: Set(note.clone()),
        decided_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
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
    let open = open_count(&state.db, cap).await?;
    let pages = open.div_ceil(REVIEWS_PER_PAGE).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let items = open_items(
        &state.db,
        cap,
        (page - 1) * REVIEWS_PER_PAGE,
        REVIEWS_PER_PAGE,
    )
    .await?;
    let mrns: Vec<String> = {
        let mut seen = BTreeSet::new();
        items
            .iter()
            .map(|(r, _)| r.patient_mrn.clone())
            .filter(|m| seen.insert(m.clone()))
            .collect()
    };
    let names = patient_names(&state.db, &mrns).await?;
    let departments: BTreeMap<i64, _> = query::departments(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    portal_log::staff_viewed(
        &state.db,
        &state.access.ingest,
        who,
        &mrns,
        Category::AccessLog,
        state.clock.now(),
    )
    .await?;
    let items = items
        .into_iter()
        .map(|(r, e)| ReviewItemView {
            event_id: e.id,
            patient_name: names.get(&r.patient_mrn).cloned().unwrap_or_default(),
            patient_mrn: r.patient_mrn.clone(),
            entry: query::entry_view(&e, &departments, None, &tz),
            state: ReviewState::from_code(&r.state).unwrap_or(ReviewState::Open),
            question: r.patient_question.clone(),
            asked_local: r.question_at.map(|at| local_minute(at, &tz)),
            resolution_note: r.resolution_note.clone(),
        })
        .collect();
    let feeds = super::feeds::open_notices(&state.db, FeedProblem::ALL, &tz).await?;
    Ok(ReviewQueueView {
        feeds,
        items,
        page,
        pages,
        open,
    })
}

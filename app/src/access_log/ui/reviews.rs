//! The privacy officer's review queue: flagged accesses and patients' questions (those
//! first), each to be marked explained or escalated with a note.

use leptos::prelude::*;
use leptos_meta::Title;

use super::entry::AccessEntry;
use super::{reload_key, use_access_texts, Refusal};
use crate::access_log::api::{review_queue, DecideReview};
use crate::access_log::texts::review_state_label;
use crate::access_log::types::{ReviewItemView, ReviewState, QUESTION_MAX_CHARS};
use crate::error::AppError;
use crate::i18n::ui::use_i18n;
use crate::identity::types::{Role, SessionView};
use crate::identity::ui::guard::Guarded;
use crate::ui::error_notice::ErrorNotice;

/// Where the queue lives.
pub const REVIEWS_PATH: &str = "/staff/access-reviews";

#[derive(Clone, Copy)]
struct ReviewsState {
    decide: ServerAction<DecideReview>,
    /// The item the last decision was sent for, so a refusal shows beside it.
    deciding: RwSignal<Option<i64>>,
    queue: Resource<Result<Vec<ReviewItemView>, AppError>>,
}

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let decide = ServerAction::<DecideReview>::new();
    let decided = reload_key(move || matches!(decide.value().get(), Some(Ok(()))));
    let state = ReviewsState {
        decide,
        deciding: RwSignal::new(None),
        queue: Resource::new(move || decided.get(), |_| review_queue()),
    };
    view! {
        <Guarded
            role=Some(Role::PrivacyOfficer)
            render=move |_who: SessionView| view! { <Reviews state /> }
        />
    }
}

#[component]
fn Reviews(state: ReviewsState) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    view! {
        <Title text=move || t().reviews_title />
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{move || t().reviews_title}</h1>
            <p>{move || t().reviews_lead}</p>
            <div aria-live="polite">
                {move || {
                    matches!(state.decide.value().get(), Some(Ok(())))
                        .then(|| {
                            view! {
                                <div class="notice notice--success" role="status">
                                    <p>{move || t().reviews_done}</p>
                                </div>
                            }
                        })
                }}
            </div>
            <Transition fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || {
                    state
                        .queue
                        .get()
                        .map(|queue| match queue {
                            Ok(items) if items.is_empty() => {
                                view! { <p class="muted">{move || t().reviews_empty}</p> }.into_any()
                            }
                            Ok(items) => {
                                view! {
                                    <ol class="reviews">
                                        {items
                                            .into_iter()
                                            .map(|item| view! { <ReviewItem item state /> })
                                            .collect_view()}
                                    </ol>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn ReviewItem(item: ReviewItemView, state: ReviewsState) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    let ReviewsState {
        decide, deciding, ..
    } = state;
    let id = item.event_id;
    let note_id = format!("note-{id}");
    let heading_id = format!("review-{id}");
    let review_state = item.state;
    let questioned = item.question.is_some();
    // Keep what was typed when the server refuses it.
    let note = RwSignal::new(item.resolution_note.clone().unwrap_or_default());
    let refused = move || {
        decide
            .value()
            .get()
            .and_then(Result::err)
            .filter(|_| deciding.get() == Some(id))
    };
    view! {
        <li class=if questioned { "card review review--questioned" } else { "card review" }>
            <h2 id=heading_id.clone()>
                {move || t().reviews_patient} ": " {item.patient_name.clone()} " ("
                {item.patient_mrn.clone()} ")"
            </h2>
            <p>
                <span class="tag">{move || review_state_label(i18n.locale(), review_state)}</span>
            </p>
            {item
                .question
                .clone()
                .map(|question| {
                    view! {
                        <div class="question">
                            <h3>{move || t().reviews_question}</h3>
                            <blockquote>{question}</blockquote>
                            <p class="muted">{item.asked_local.clone().unwrap_or_default()}</p>
                        </div>
                    }
                })}
            <ul class="access-entries">
                <AccessEntry entry=item.entry.clone() />
            </ul>
            <ActionForm action=decide attr:class="decision" attr:aria-labelledby=heading_id>
                <input type="hidden" name="event_id" value=id.to_string() />
                <label class="field" for=note_id.clone()>
                    <span class="field__label">{move || t().reviews_note}</span>
                </label>
                <textarea
                    id=note_id
                    class="field__input"
                    name="note"
                    required
                    maxlength=QUESTION_MAX_CHARS
                    rows="3"
                    prop:value=note
                    on:input=move |ev| note.set(event_target_value(&ev))
                ></textarea>
                <div class="decision__buttons">
                    <button
                        type="submit"
                        name="decision"
                        value=ReviewState::Explained.code()
                        class="button button--primary"
                        on:click=move |_| deciding.set(Some(id))
                    >
                        {move || t().reviews_explain}
                    </button>
                    <button
                        type="submit"
                        name="decision"
                        value=ReviewState::Escalated.code()
                        class="button button--danger"
                        on:click=move |_| deciding.set(Some(id))
                    >
                        {move || t().reviews_escalate}
                    </button>
                </div>
            </ActionForm>
            <div aria-live="polite">
                {move || refused().map(|error| view! { <Refusal error /> })}
            </div>
        </li>
    }
}

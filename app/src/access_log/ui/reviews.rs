//! `/staff/access-reviews`: the privacy officer's queue of review cases (one person's
//! accesses to one patient's record on one day), those a patient asked about first, then
//! by priority; each case is marked explained or escalated with a note.

use leptos::prelude::*;
use leptos_meta::Title;

use super::entry::AccessEntry;
use super::{access_texts, Refusal};
use crate::access_log::api::{review_queue, DecideReview};
use crate::access_log::texts::review_state_label;
use crate::access_log::types::{ReviewCaseView, ReviewState, QUESTION_MAX_CHARS};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::form::{action_of, query_value, Done, FormEcho, PostForm};
use crate::ui::locale::locale;

/// Where the queue lives; decisions land back here.
pub const REVIEWS_PATH: &str = "/staff/access-reviews";

#[component]
pub fn ReviewsPage() -> impl IntoView {
    guarded(Some(Role::PrivacyOfficer), |_who| async move {
        let t = access_texts();
        let done = (query_value("done").as_deref() == Some("decided"))
            .then(|| view! { <Done text=t.reviews_done /> });
        let asked_page = query_value("page").and_then(|page| page.parse::<u64>().ok());
        let queue = match review_queue(asked_page).await {
            Ok(queue) if queue.cases.is_empty() => {
                let feeds = super::log::feed_notices(queue.feeds, true);
                view! {
                    {feeds}
                    <p class="muted">{t.reviews_empty}</p>
                }
                .into_any()
            }
            Ok(queue) => {
                let feeds = super::log::feed_notices(queue.feeds, true);
                let counts = (queue.open, queue.to_read);
                let (top, bottom) = (
                    paging(queue.page, queue.pages, counts),
                    paging(queue.page, queue.pages, counts),
                );
                let items = queue.cases.into_iter().map(review_case).collect_view();
                view! {
                    {feeds}
                    {top}
                    <ol class="reviews">{items}</ol>
                    {bottom}
                }
                .into_any()
            }
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.reviews_title />
            <section class="page" aria-labelledby="page-title">
                <h1 id="page-title">{t.reviews_title}</h1>
                <p>{t.reviews_lead}</p>
                {done}
                {queue}
            </section>
        }
        .into_any()
    })
}

/// "Page 2 of 5 (117 open cases, 4 to read now)" with links to the pages before and
/// after: every open case is reachable, however many questions one patient asks.
fn paging(page: u64, pages: u64, (open, to_read): (u64, u64)) -> AnyView {
    let t = access_texts();
    let link = |to: u64, text: &'static str, rel: &'static str| {
        view! {
            <a href=format!("{REVIEWS_PATH}?page={to}") rel=rel>
                {text}
            </a>
        }
    };
    let previous = (page > 1).then(|| link(page - 1, t.reviews_previous, "prev"));
    let next = (page < pages).then(|| link(page + 1, t.reviews_next, "next"));
    let position = t
        .reviews_position
        .replace("{page}", &page.to_string())
        .replace("{pages}", &pages.to_string())
        .replace("{open}", &open.to_string())
        .replace("{to_read}", &to_read.to_string());
    view! {
        <nav class="pager" aria-label=t.reviews_paging>
            {previous}
            <span>{position}</span>
            {next}
        </nav>
    }
    .into_any()
}

/// Why the case is in the queue, beyond the flags its entries show.
fn case_signals(item: &ReviewCaseView) -> impl IntoView {
    let t = access_texts();
    let unexplained = (item.unexplained > 0).then(|| {
        let text = t
            .reviews_unexplained
            .replace("{count}", &item.unexplained.to_string());
        view! { <li>{text}</li> }
    });
    let out_of_care = item
        .out_of_care
        .then(|| view! { <li>{t.reviews_out_of_care}</li> });
    let night = (item.night_unnamed > 0).then(|| {
        let text = t
            .reviews_night_unnamed
            .replace("{count}", &item.night_unnamed.to_string());
        view! { <li>{text}</li> }
    });
    let vip = (item.vip_by_department > 0).then(|| {
        let text = t
            .reviews_vip_by_department
            .replace("{count}", &item.vip_by_department.to_string());
        view! { <li>{text}</li> }
    });
    let follows = item
        .follows_out_of_care
        .then(|| view! { <li>{t.reviews_follows_out_of_care}</li> });
    let any = unexplained.is_some()
        || out_of_care.is_some()
        || follows.is_some()
        || night.is_some()
        || vip.is_some();
    any.then(|| {
        view! {
            <ul class="case__signals">{unexplained} {out_of_care} {follows} {night} {vip}</ul>
        }
    })
}

/// What the patient asked about the case's accesses.
fn case_questions(item: &ReviewCaseView) -> impl IntoView {
    let t = access_texts();
    item.questions
        .iter()
        .map(|asked| {
            view! {
                <div class="question">
                    <h3>{t.reviews_question}</h3>
                    <blockquote>{asked.text.clone()}</blockquote>
                    <p class="muted">{asked.asked_local.clone()}</p>
                </div>
            }
        })
        .collect_view()
}

fn review_case(item: ReviewCaseView) -> impl IntoView {
    let locale = locale();
    let t = access_texts();
    let id = item.case_id;
    let note_id = format!("note-{id}");
    let heading_id = format!("review-{id}");
    let echo = FormEcho::of_item::<DecideReview>("case_id", &id.to_string());
    let refused = echo.as_ref().and_then(|echo| echo.refusal().cloned());
    // Keep what was typed when the server refuses it.
    let note = echo
        .as_ref()
        .and_then(|echo| echo.value("note").map(str::to_owned))
        .or_else(|| item.resolution_note.clone())
        .unwrap_or_default();
    let invalid = refused.is_some().then_some("true");
    let questioned = !item.questions.is_empty();
    let questions = case_questions(&item);
    let priority = t
        .reviews_priority
        .replace("{score}", &item.score.to_string());
    let line = if item.to_read {
        view! { <span class="tag tag--warn">{t.reviews_to_read}</span> }.into_any()
    } else {
        view! { <span class="tag">{t.reviews_below_line}</span> }.into_any()
    };
    let signals = case_signals(&item);
    let entries = item
        .entries
        .into_iter()
        .map(|entry| view! { <AccessEntry entry /> })
        .collect_view();
    view! {
        <li class=if questioned { "card review review--questioned" } else { "card review" }>
            <h2 id=heading_id.clone()>
                {t.reviews_patient} ": " {item.patient_name.clone()} " (" {item.patient_mrn.clone()}
                ")"
            </h2>
            <dl class="facts">
                <dt>{t.reviews_opened_by}</dt>
                <dd>{item.person.clone()}</dd>
                <dt>{t.reviews_day}</dt>
                <dd>{item.day.clone()}</dd>
            </dl>
            <p>
                <span class="tag">{review_state_label(locale, item.state)}</span>
                " "
                {line}
                " "
                <span class="tag">{priority}</span>
            </p>
            {signals}
            {questions}
            <ul class="access-entries">{entries}</ul>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<DecideReview>()} class="decision" labelledby=heading_id>
                <input type="hidden" name="case_id" value=id.to_string() />
                <label class="field" for=note_id.clone()>
                    <span class="field__label">{t.reviews_note}</span>
                </label>
                <textarea
                    id=note_id
                    class="field__input"
                    name="note"
                    required
                    maxlength=QUESTION_MAX_CHARS
                    rows="3"
                    aria-invalid=invalid
                >
                    {note}
                </textarea>
                <div class="decision__buttons">
                    <button
                        type="submit"
                        name="decision"
                        value=ReviewState::Explained.code()
                        class="button button--primary"
                    >
                        {t.reviews_explain}
                    </button>
                    <button
                        type="submit"
                        name="decision"
                        value=ReviewState::Escalated.code()
                        class="button button--danger"
                    >
                        {t.reviews_escalate}
                    </button>
                </div>
            </PostForm>
        </li>
    }
}

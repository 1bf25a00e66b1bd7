//! `/staff/corrections`: the records officers' queue — overdue requests first, then by
//! due date — with filters by state, department and assignee (a plain GET form).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{correction_texts, subject_line};
use crate::corrections::api::correction_queue;
use crate::corrections::texts::{state_label, CorrectionTexts};
use crate::corrections::types::{CorrectionState, QueueFilter, QueueItemView, QueueView};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::form::query_value;
use crate::ui::locale::locale;

#[component]
pub fn QueuePage() -> impl IntoView {
    let filter = QueueFilter {
        state: query_value("state"),
        department: query_value("department"),
        assignee: query_value("assignee"),
    };
    guarded(Some(Role::RecordsOfficer), move |_who| async move {
        let t = correction_texts();
        let asked = filter.clone();
        let body = match correction_queue(asked.state, asked.department, asked.assignee).await {
            Ok(queue) => {
                let filters = filters(&queue, &filter, t);
                let list = if queue.items.is_empty() {
                    view! { <p class="muted">{t.queue_empty}</p> }.into_any()
                } else {
                    let items = queue.items.into_iter().map(queue_item).collect_view();
                    view! { <ul class="cards">{items}</ul> }.into_any()
                };
                view! {
                    {filters}
                    {list}
                }
                .into_any()
            }
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.queue_title />
            <section class="page" aria-labelledby="page-title">
                <h1 id="page-title">{t.queue_title}</h1>
                <p>{t.queue_lead}</p>
                {body}
            </section>
        }
        .into_any()
    })
}

/// One `<option>`, selected when it is the current value.
fn option(value: String, label: String, current: Option<&str>) -> impl IntoView {
    let selected = current.unwrap_or_default() == value;
    view! {
        <option value=value selected=selected>
            {label}
        </option>
    }
}

fn filters(queue: &QueueView, filter: &QueueFilter, t: &'static CorrectionTexts) -> impl IntoView {
    let locale = locale();
    let state = filter.state.as_deref();
    let mut states = vec![
        option("open".into(), t.filter_open.into(), state.or(Some("open"))),
        option("all".into(), t.filter_all.into(), state),
    ];
    for s in CorrectionState::ALL {
        states.push(option(
            s.code().into(),
            state_label(locale, s).into(),
            state,
        ));
    }
    let department = filter.department.as_deref();
    let mut departments = vec![option(String::new(), t.filter_any.into(), department)];
    for d in &queue.departments {
        departments.push(option(d.clone(), d.clone(), department));
    }
    let assignee = filter.assignee.as_deref();
    let mut assignees = vec![
        option(String::new(), t.filter_any.into(), assignee),
        option("me".into(), t.filter_me.into(), assignee),
        option("none".into(), t.filter_unassigned.into(), assignee),
    ];
    for o in &queue.officers {
        assignees.push(option(o.id.to_string(), o.name.clone(), assignee));
    }
    view! {
        <form method="get" action="/staff/corrections" class="filters">
            <div class="filters__fields">
                <div class="field">
                    <label class="field__label" for="filter-state">{t.state}</label>
                    <select id="filter-state" class="field__input" name="state">{states}</select>
                </div>
                <div class="field">
                    <label class="field__label" for="filter-department">{t.department}</label>
                    <select id="filter-department" class="field__input" name="department">
                        {departments}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="filter-assignee">{t.assignee}</label>
                    <select id="filter-assignee" class="field__input" name="assignee">
                        {assignees}
                    </select>
                </div>
            </div>
            <button type="submit" class="button">{t.filter_apply}</button>
        </form>
    }
}

fn queue_item(item: QueueItemView) -> impl IntoView {
    let locale = locale();
    let t = correction_texts();
    let href = format!("/staff/corrections/{}", item.reference);
    let overdue = item
        .overdue
        .then(|| view! { <span class="badge badge--warn">{t.overdue}</span> });
    view! {
        <li class="card">
            <p>
                <a href=href>
                    <strong>{item.reference.clone()}</strong>
                </a>
                " · "
                {item.patient.clone()}
                " "
                {overdue}
            </p>
            <p>{subject_line(locale, item.section, item.field)}</p>
            <dl class="facts facts--meta">
                <dt>{t.state}</dt>
                <dd>{state_label(locale, item.state)}</dd>
                <dt>{t.due_on}</dt>
                <dd>{item.due_on.clone()}</dd>
                <dt>{t.assignee}</dt>
                <dd>{item.assignee.clone().unwrap_or_else(|| t.filter_unassigned.to_owned())}</dd>
                <dt>{t.department}</dt>
                <dd>{item.department.clone().unwrap_or_else(|| "—".to_owned())}</dd>
            </dl>
        </li>
    }
}

//! `/staff/complaints`: the cases the caller may see — overdue steps first, then by due
//! date — with filters by state, kind, department and who handles it (a plain GET form).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{complaint_texts, option};
use crate::access_log::ui::department_name;
use crate::complaints::api::complaint_queue;
use crate::complaints::texts::{kind_label, state_label, ComplaintTexts};
use crate::complaints::types::{
    ComplaintKind, ComplaintState, QueueFilter, QueueItemView, QueueView,
};
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::PageError;
use crate::ui::form::query_value;
use crate::ui::locale::locale;

#[component]
pub fn ComplaintQueuePage() -> impl IntoView {
    let filter = QueueFilter {
        state: query_value("state"),
        kind: query_value("kind"),
        department: query_value("department"),
        assignee: query_value("assignee"),
    };
    guarded(None, move |_who| async move {
        let t = complaint_texts();
        let asked = filter.clone();
        let body = match complaint_queue(asked.state, asked.kind, asked.department, asked.assignee)
            .await
        {
            Ok(queue) => {
                let filters = filters(&queue, &filter, t);
                let list = if queue.items.is_empty() {
                    view! { <p class="muted">{t.queue_empty}</p> }.into_any()
                } else {
                    let items = queue.items.into_iter().map(queue_item).collect_view();
                    view! { <ul class="cards">{items}</ul> }.into_any()
                };
                view! {
                    <p>
                        <a href="/staff/complaints/insights">{t.insights_link}</a>
                    </p>
                    {filters}
                    {list}
                }
                .into_any()
            }
            Err(error) => view! { <PageError error /> }.into_any(),
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

fn filters(queue: &QueueView, filter: &QueueFilter, t: &'static ComplaintTexts) -> impl IntoView {
    let locale = locale();
    let state = filter.state.clone().unwrap_or_else(|| "open".to_owned());
    let mut states = vec![
        option("open".into(), t.filter_open.into(), &state).into_any(),
        option("all".into(), t.filter_all.into(), &state).into_any(),
    ];
    for s in ComplaintState::ALL {
        states.push(option(s.code().into(), state_label(locale, *s).into(), &state).into_any());
    }
    let kind = filter.kind.clone().unwrap_or_default();
    let mut kinds = vec![option(String::new(), t.filter_any.into(), &kind).into_any()];
    for k in ComplaintKind::ALL {
        kinds.push(option(k.code().into(), kind_label(locale, *k).into(), &kind).into_any());
    }
    let department = filter.department.clone().unwrap_or_default();
    let mut departments = vec![option(String::new(), t.filter_any.into(), &department).into_any()];
    for d in &queue.departments {
        departments.push(
            option(
                d.id.to_string(),
                department_name(locale, d).to_owned(),
                &department,
            )
            .into_any(),
        );
    }
    let assignee = filter.assignee.clone().unwrap_or_default();
    let mut assignees = vec![
        option(String::new(), t.filter_any.into(), &assignee).into_any(),
        option("me".into(), t.filter_me.into(), &assignee).into_any(),
        option("none".into(), t.filter_unassigned.into(), &assignee).into_any(),
    ];
    for p in &queue.people {
        assignees.push(option(p.id.to_string(), p.name.clone(), &assignee).into_any());
    }
    view! {
        <form method="get" action="/staff/complaints" class="filters">
            <div class="filters__fields">
                <div class="field">
                    <label class="field__label" for="filter-state">{t.state}</label>
                    <select id="filter-state" class="field__input" name="state">{states}</select>
                </div>
                <div class="field">
                    <label class="field__label" for="filter-kind">{t.kind}</label>
                    <select id="filter-kind" class="field__input" name="kind">{kinds}</select>
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
    let t = complaint_texts();
    let href = format!("/staff/complaints/{}", item.reference);
    let overdue = item
        .overdue
        .then(|| view! { <span class="badge badge--warn">{t.overdue}</span> });
    let department = item
        .department
        .as_ref()
        .map_or("—".to_owned(), |d| department_name(locale, d).to_owned());
    view! {
        <li class="card">
            <p>
                <a href=href>
                    <strong>{item.reference.clone()}</strong>
                </a>
                " · "
                {kind_label(locale, item.kind)}
                " "
                {overdue}
            </p>
            <dl class="facts facts--meta">
                <dt>{t.state}</dt>
                <dd>{state_label(locale, item.state)}</dd>
                <dt>{t.next_due}</dt>
                <dd>{item.due_on.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>{t.department}</dt>
                <dd>{department}</dd>
                <dt>{t.handler}</dt>
                <dd>{item.handler.clone().unwrap_or_else(|| t.filter_unassigned.to_owned())}</dd>
                <dt>{t.lead}</dt>
                <dd>{item.lead.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>{t.filed}</dt>
                <dd>{item.filed.clone()}</dd>
            </dl>
        </li>
    }
}

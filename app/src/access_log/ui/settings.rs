//! `/access-log/settings`: the patient's alerts (email at once, weekly, or none) and watch
//! list. Plain forms; a refusal keeps what was typed.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{access_texts, department_name, Refusal};
use crate::access_log::api::{log_settings, AddWatch, RemoveWatch, SetNotify};
use crate::access_log::texts::notify_label;
use crate::access_log::types::{DepartmentView, LogSettingsView, NotifyChoice, WatchView};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::form::{action_of, query_value, Done, FormEcho, PostForm};
use crate::ui::locale::locale;

/// Where the page lives; its changes land back here.
pub const SETTINGS_PATH: &str = "/access-log/settings";

#[component]
pub fn LogSettingsPage() -> impl IntoView {
    guarded(Some(Role::Patient), |_who| async move {
        let t = access_texts();
        let body = match log_settings().await {
            Ok(LogSettingsView {
                notify,
                has_email,
                watch,
                departments,
            }) => view! {
                {notify_form(notify, has_email)}
                {watch_list(watch)}
                {add_watch_form(departments)}
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.settings_title />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{t.settings_title}</h1>
                <p>
                    <a href="/access-log">{t.title}</a>
                </p>
                {body}
            </section>
        }
        .into_any()
    })
}

/// Whether the page answers the accepted change `done` (`?done=…` after a change).
fn done(code: &str) -> Option<impl IntoView> {
    (query_value("done").as_deref() == Some(code))
        .then(|| view! { <Done text=access_texts().notify_saved /> })
}

fn notify_form(current: NotifyChoice, has_email: bool) -> impl IntoView {
    let locale = locale();
    let t = access_texts();
    let echo = FormEcho::of::<SetNotify>();
    let refused = echo.as_ref().and_then(|echo| echo.refusal().cloned());
    let chosen = echo
        .as_ref()
        .and_then(|echo| echo.value("choice").map(str::to_owned))
        .unwrap_or_else(|| current.code().to_owned());
    let no_email = (!has_email).then(|| {
        view! {
            <div class="notice notice--info">
                <p>{t.notify_no_email}</p>
            </div>
        }
    });
    let choices = NotifyChoice::ALL
        .iter()
        .map(|choice| {
            view! {
                <label class="check">
                    <input
                        type="radio"
                        name="choice"
                        value=choice.code()
                        checked=chosen == choice.code()
                    />
                    <span>{notify_label(locale, *choice)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="notify-heading">
            <h2 id="notify-heading">{t.notify_heading}</h2>
            {no_email}
            {done("notify")}
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<SetNotify>()}>
                <fieldset class="choices">
                    <legend class="visually-hidden">{t.notify_heading}</legend>
                    {choices}
                </fieldset>
                <button type="submit" class="button button--primary">{t.notify_save}</button>
            </PostForm>
        </section>
    }
}

fn watch_label(entry: &WatchView, locale: crate::i18n::Locale) -> String {
    let mut parts = Vec::new();
    if let Some(name) = &entry.person_name {
        parts.push(name.clone());
    }
    if let Some(department) = &entry.department {
        parts.push(department_name(locale, department).to_owned());
    }
    parts.join(" · ")
}

fn watch_list(watch: Vec<WatchView>) -> impl IntoView {
    let locale = locale();
    let t = access_texts();
    let refused = FormEcho::of::<RemoveWatch>().and_then(|echo| echo.refusal().cloned());
    let empty = watch
        .is_empty()
        .then(|| view! { <p class="muted">{t.watch_empty}</p> });
    let items = watch
        .into_iter()
        .map(|entry| {
            let text = watch_label(&entry, locale);
            view! {
                <li class="card watch-list__item">
                    <span>{text.clone()}</span>
                    <PostForm action={action_of::<RemoveWatch>()} class="inline-form">
                        <input type="hidden" name="id" value=entry.id.to_string() />
                        <button
                            type="submit"
                            class="button button--danger"
                            aria-label=format!("{} {text}", t.watch_remove)
                        >
                            {t.watch_remove}
                        </button>
                    </PostForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="watch-heading">
            <h2 id="watch-heading">{t.watch_heading}</h2>
            <p>{t.watch_lead}</p>
            {done("watch")}
            {refused.map(|error| view! { <Refusal error /> })}
            {empty}
            <ul class="watch-list">{items}</ul>
        </section>
    }
}

fn add_watch_form(departments: Vec<DepartmentView>) -> impl IntoView {
    let locale = locale();
    let t = access_texts();
    // A refusal keeps what was typed; an accepted entry empties the form for the next.
    let echo = FormEcho::of::<AddWatch>().filter(|echo| echo.refusal().is_some());
    let typed = |name: &str| {
        echo.as_ref()
            .and_then(|echo| echo.value(name))
            .unwrap_or_default()
            .to_owned()
    };
    let person = typed("person_name");
    let department = typed("department");
    let refused = echo.as_ref().and_then(|echo| echo.refusal().cloned());
    let invalid = refused.is_some().then_some("true");
    let options = departments
        .into_iter()
        .map(|option| {
            let id = option.id.to_string();
            let selected = department == id;
            view! {
                <option value=id selected=selected>
                    {department_name(locale, &option).to_owned()}
                </option>
            }
        })
        .collect_view();
    view! {
        <PostForm action={action_of::<AddWatch>()} class="watch-add">
            {refused.map(|error| view! { <Refusal error /> })}
            <label class="field">
                <span class="field__label">{t.watch_person}</span>
                <input
                    class="field__input"
                    type="text"
                    name="person_name"
                    maxlength="100"
                    autocomplete="off"
                    value=person
                    aria-invalid=invalid
                />
            </label>
            <label class="field">
                <span class="field__label">{t.watch_department}</span>
                <select class="field__input" name="department" aria-invalid=invalid>
                    <option value="">{t.watch_no_department}</option>
                    {options}
                </select>
            </label>
            <button type="submit" class="button button--primary">{t.watch_add}</button>
        </PostForm>
    }
}

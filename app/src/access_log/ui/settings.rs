//! The patient's alerts (email at once, weekly, or none) and watch list.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{department_name, reload_key, use_access_texts, Refusal};
use crate::access_log::api::{log_settings, AddWatch, RemoveWatch, SetNotify};
use crate::access_log::texts::notify_label;
use crate::access_log::types::{DepartmentView, LogSettingsView, NotifyChoice, WatchView};
use crate::error::AppError;
use crate::i18n::ui::use_i18n;
use crate::identity::types::{Role, SessionView};
use crate::identity::ui::guard::Guarded;
use crate::ui::error_notice::ErrorNotice;

#[derive(Clone, Copy)]
struct SettingsState {
    notify: ServerAction<SetNotify>,
    add: ServerAction<AddWatch>,
    remove: ServerAction<RemoveWatch>,
    settings: Resource<Result<LogSettingsView, AppError>>,
    new_watch: NewWatch,
}

/// What is typed into the add-to-watch-list form. Held by the page, not the form, so a
/// reload after another accepted change (the alert choice, a removal) keeps it.
#[derive(Clone, Copy)]
struct NewWatch {
    person: RwSignal<String>,
    department: RwSignal<String>,
}

#[component]
pub fn LogSettingsPage() -> impl IntoView {
    let notify = ServerAction::<SetNotify>::new();
    let add = ServerAction::<AddWatch>::new();
    let remove = ServerAction::<RemoveWatch>::new();
    let changed = reload_key(move || {
        [
            notify.value().get(),
            add.value().get(),
            remove.value().get(),
        ]
        .iter()
        .any(|value| matches!(value, Some(Ok(()))))
    });
    let new_watch = NewWatch {
        person: RwSignal::new(String::new()),
        department: RwSignal::new(String::new()),
    };
    // Once added, the form is ready for the next entry; a refusal keeps what was typed.
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(()))) {
            new_watch.person.set(String::new());
            new_watch.department.set(String::new());
        }
    });
    let state = SettingsState {
        notify,
        add,
        remove,
        settings: Resource::new(move || changed.get(), |_| log_settings()),
        new_watch,
    };
    view! {
        <Guarded
            role=Some(Role::Patient)
            render=move |_who: SessionView| view! { <LogSettings state /> }
        />
    }
}

#[component]
fn LogSettings(state: SettingsState) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    view! {
        <Title text=move || t().settings_title />
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title">{move || t().settings_title}</h1>
            <p>
                <a href="/access-log">{move || t().title}</a>
            </p>
            <Transition fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || {
                    state
                        .settings
                        .get()
                        .map(|settings| match settings {
                            Ok(settings) => {
                                let LogSettingsView { notify, has_email, watch, departments } = settings;
                                view! {
                                    <NotifyForm action=state.notify current=notify has_email />
                                    <WatchList action=state.remove watch />
                                    <AddWatchForm action=state.add departments typed=state.new_watch />
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
fn NotifyForm(
    action: ServerAction<SetNotify>,
    current: NotifyChoice,
    has_email: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    view! {
        <section aria-labelledby="notify-heading">
            <h2 id="notify-heading">{move || t().notify_heading}</h2>
            {(!has_email)
                .then(|| {
                    view! {
                        <div class="notice notice--info">
                            <p>{move || t().notify_no_email}</p>
                        </div>
                    }
                })}
            <ActionForm action>
                <fieldset class="choices">
                    <legend class="visually-hidden">{move || t().notify_heading}</legend>
                    {NotifyChoice::ALL
                        .iter()
                        .map(|choice| {
                            let choice = *choice;
                            view! {
                                <label class="check">
                                    <input
                                        type="radio"
                                        name="choice"
                                        value=choice.code()
                                        checked=choice == current
                                    />
                                    <span>{move || notify_label(i18n.locale(), choice)}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <button type="submit" class="button button--primary">{move || t().notify_save}</button>
            </ActionForm>
            <div aria-live="polite">
                {move || {
                    action
                        .value()
                        .get()
                        .map(|outcome| match outcome {
                            Ok(()) => {
                                view! {
                                    <div class="notice notice--success" role="status">
                                        <p>{move || t().notify_saved}</p>
                                    </div>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        })
                }}
            </div>
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

#[component]
fn WatchList(action: ServerAction<RemoveWatch>, watch: Vec<WatchView>) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    let empty = watch.is_empty();
    view! {
        <section aria-labelledby="watch-heading">
            <h2 id="watch-heading">{move || t().watch_heading}</h2>
            <p>{move || t().watch_lead}</p>
            {empty.then(|| view! { <p class="muted">{move || t().watch_empty}</p> })}
            <ul class="watch-list">
                {watch
                    .into_iter()
                    .map(|entry| {
                        let id = entry.id.to_string();
                        let label = StoredValue::new(entry);
                        let text = move || label.with_value(|e| watch_label(e, i18n.locale()));
                        view! {
                            <li class="card watch-list__item">
                                <span>{text}</span>
                                <ActionForm action attr:class="inline-form">
                                    <input type="hidden" name="id" value=id />
                                    <button
                                        type="submit"
                                        class="button button--danger"
                                        aria-label=move || format!("{} {}", t().watch_remove, text())
                                    >
                                        {move || t().watch_remove}
                                    </button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div aria-live="polite">
                {move || {
                    action
                        .value()
                        .get()
                        .and_then(Result::err)
                        .map(|error| view! { <Refusal error /> })
                }}
            </div>
        </section>
    }
}

#[component]
fn AddWatchForm(
    action: ServerAction<AddWatch>,
    departments: Vec<DepartmentView>,
    typed: NewWatch,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    let NewWatch { person, department } = typed;
    let options = departments
        .into_iter()
        .map(|option| {
            let id = option.id.to_string();
            let selected = {
                let id = id.clone();
                move || department.get() == id
            };
            view! {
                <option value=id selected=selected>
                    {move || department_name(i18n.locale(), &option).to_owned()}
                </option>
            }
        })
        .collect_view();
    view! {
        <ActionForm action attr:class="watch-add">
            <label class="field">
                <span class="field__label">{move || t().watch_person}</span>
                <input
                    class="field__input"
                    type="text"
                    name="person_name"
                    maxlength="100"
                    autocomplete="off"
                    prop:value=person
                    on:input=move |ev| person.set(event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span class="field__label">{move || t().watch_department}</span>
                <select
                    class="field__input"
                    name="department"
                    prop:value=department
                    on:change=move |ev| department.set(event_target_value(&ev))
                >
                    <option value="">{move || t().watch_no_department}</option>
                    {options}
                </select>
            </label>
            <button type="submit" class="button button--primary">{move || t().watch_add}</button>
        </ActionForm>
        <div aria-live="polite">
            {move || {
                action
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|error| view! { <Refusal error /> })
            }}
        </div>
    }
}

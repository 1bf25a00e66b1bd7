//! Managing one's passkeys: list, rename, remove (never the last), add another, and sign
//! out everywhere.

use leptos::prelude::*;
use leptos_meta::Title;

use super::guard::Guarded;
use super::sign_in::BrowserFailureNotice;
use super::use_session;
use super::webauthn::{create_passkey, BrowserFailure};
use crate::error::AppError;
use crate::i18n::ui::use_i18n;
use crate::identity::api::{
    finish_add_passkey, my_passkeys, start_add_passkey, RemovePasskey, RenamePasskey,
    SignOutEverywhere,
};
use crate::identity::types::{PasskeyView, SessionView, PASSKEY_NAME_MAX};
use crate::ui::error_notice::ErrorNotice;

/// The page's actions and data. Created once at the top of the page, outside the guard's
/// reactive closure, so that server and browser create them in the same order (resources
/// made inside a re-running closure break hydration).
#[derive(Clone, Copy)]
struct PasskeysState {
    rename: ServerAction<RenamePasskey>,
    remove: ServerAction<RemovePasskey>,
    everywhere: ServerAction<SignOutEverywhere>,
    added: RwSignal<u32>,
    list: Resource<Result<Vec<PasskeyView>, AppError>>,
}

#[component]
pub fn PasskeysPage() -> impl IntoView {
    let rename = ServerAction::<RenamePasskey>::new();
    let remove = ServerAction::<RemovePasskey>::new();
    let added = RwSignal::new(0_u32);
    let state = PasskeysState {
        rename,
        remove,
        everywhere: ServerAction::<SignOutEverywhere>::new(),
        added,
        list: Resource::new(
            move || (rename.version().get(), remove.version().get(), added.get()),
            |_| my_passkeys(),
        ),
    };
    view! { <Guarded role=None render=move |_who: SessionView| view! { <Passkeys state /> } /> }
}

#[derive(Clone, Debug, PartialEq)]
enum AddStatus {
    Ready,
    Working,
    Added,
    Browser(BrowserFailure),
    Server(AppError),
}

async fn add_passkey() -> AddStatus {
    let start = match start_add_passkey().await {
        Ok(start) => start,
        Err(error) => return AddStatus::Server(error),
    };
    let credential = match create_passkey(&start.options_json).await {
        Ok(credential) => credential,
        Err(failure) => return AddStatus::Browser(failure),
    };
    match finish_add_passkey(start.ceremony_id, credential).await {
        Ok(()) => AddStatus::Added,
        Err(AppError::InvalidInput { field }) if field == "already_registered" => {
            AddStatus::Browser(BrowserFailure::AlreadyRegistered)
        }
        Err(error) => AddStatus::Server(error),
    }
}

#[component]
fn Passkeys(state: PasskeysState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let PasskeysState {
        rename,
        remove,
        everywhere,
        added,
        list,
    } = state;
    let add_status = RwSignal::new(AddStatus::Ready);

    Effect::new(move |_| {
        if let Some(Ok(())) = everywhere.value().get() {
            session.refresh();
        }
    });

    let on_add = move |_| {
        add_status.set(AddStatus::Working);
        leptos::task::spawn_local(async move {
            let outcome = add_passkey().await;
            if outcome == AddStatus::Added {
                added.update(|n| *n += 1);
            }
            add_status.set(outcome);
        });
    };

    view! {
        <Title text=move || i18n.t().passkeys_title />
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{move || i18n.t().passkeys_title}</h1>
            <p>{move || i18n.t().passkeys_lead}</p>
            <ActionErrors rename remove />
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || {
                    list.get()
                        .map(|keys| match keys {
                            Ok(keys) => {
                                let only_one = keys.len() <= 1;
                                view! {
                                    <ul class="passkeys">
                                        {keys
                                            .into_iter()
                                            .map(|key| view! { <PasskeyItem key only_one rename remove /> })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        })
                }}
            </Suspense>
            <button
                type="button"
                class="button button--primary"
                on:click=on_add
                disabled=move || add_status.get() == AddStatus::Working
            >
                {move || i18n.t().passkeys_add}
            </button>
            <div aria-live="polite">
                {move || match add_status.get() {
                    AddStatus::Ready => ().into_any(),
                    AddStatus::Working => {
                        view! { <p class="muted">{move || i18n.t().sign_in_working}</p> }.into_any()
                    }
                    AddStatus::Added => {
                        view! {
                            <div class="notice notice--success" role="status">
                                <p>{move || i18n.t().passkeys_added}</p>
                            </div>
                        }
                            .into_any()
                    }
                    AddStatus::Browser(failure) => view! { <BrowserFailureNotice failure /> }.into_any(),
                    AddStatus::Server(error) => view! { <ErrorNotice error /> }.into_any(),
                }}
            </div>
            <h2>{move || i18n.t().sign_out_everywhere}</h2>
            <p class="muted">{move || i18n.t().sign_out_everywhere_hint}</p>
            <ActionForm action=everywhere>
                <button type="submit" class="button">{move || i18n.t().sign_out_everywhere}</button>
            </ActionForm>
        </section>
    }
}

/// Errors of the rename and remove forms, in words.
#[component]
fn ActionErrors(
    rename: ServerAction<RenamePasskey>,
    remove: ServerAction<RemovePasskey>,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || {
        let t = i18n.t();
        let rename_error = rename.value().get().and_then(Result::err);
        let remove_error = remove.value().get().and_then(Result::err);
        match rename_error.or(remove_error)? {
            AppError::InvalidInput { field } if field == "name" => Some(t.passkeys_name_invalid),
            AppError::InvalidInput { field } if field == "last_passkey" => {
                Some(t.passkeys_last_one)
            }
            other => Some(other.message(t)),
        }
    };
    view! {
        {move || {
            message()
                .map(|text| {
                    view! {
                        <div class="notice notice--error" role="alert">
                            <p>{text}</p>
                        </div>
                    }
                })
        }}
    }
}

#[component]
fn PasskeyItem(
    key: PasskeyView,
    only_one: bool,
    rename: ServerAction<RenamePasskey>,
    remove: ServerAction<RemovePasskey>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rename_id = key.id.to_string();
    let remove_id = key.id.to_string();
    let name_id = format!("passkey-name-{}", key.id);
    let last_used = key.last_used_at.clone();
    view! {
        <li class="card passkey">
            <h3>{key.name.clone()}</h3>
            <p class="muted">
                {move || i18n.t().passkeys_created} ": " {key.created_at.clone()} " · "
                {move || i18n.t().passkeys_last_used} ": "
                {
                    let last_used = last_used.clone();
                    move || last_used.clone().unwrap_or_else(|| i18n.t().passkeys_never_used.to_owned())
                }
            </p>
            <ActionForm action=rename attr:class="inline-form">
                <input type="hidden" name="id" value=rename_id />
                <label for=name_id.clone()>{move || i18n.t().passkeys_name_label}</label>
                <input
                    id=name_id
                    class="field__input"
                    type="text"
                    name="name"
                    required
                    maxlength=PASSKEY_NAME_MAX
                    value=key.name.clone()
                />
                <button type="submit" class="button">{move || i18n.t().passkeys_rename}</button>
            </ActionForm>
            <ActionForm action=remove attr:class="inline-form">
                <input type="hidden" name="id" value=remove_id />
                <button type="submit" class="button button--danger" disabled=only_one>
                    {move || i18n.t().passkeys_remove}
                </button>
            </ActionForm>
        </li>
    }
}

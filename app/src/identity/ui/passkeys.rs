//! `/account/passkeys`: list, rename, remove (never the last), add another, and sign out
//! everywhere. Every change but adding is a plain form; adding needs the browser's passkey
//! prompt, so it is an island.

use leptos::prelude::*;
use leptos_meta::Title;

use super::ceremony_texts;
use super::guard::guarded;
use crate::error::AppError;
use crate::i18n::Texts;
use crate::identity::api::{
    my_passkeys, KeepNewestPasskey, RemovePasskey, RenamePasskey, SignOutEverywhere,
};
use crate::identity::islands::add_passkey::AddPasskeyButton;
use crate::identity::types::{PasskeyView, PASSKEY_NAME_MAX};
use crate::ui::error_notice::{ErrorNotice, REFUSED_ID};
use crate::ui::form::{action_of, query_value, Done, FormEcho, PostForm};
use crate::ui::locale::texts;

/// Where the list lives; changes land back here.
pub const PASSKEYS_PATH: &str = "/account/passkeys";

#[component]
pub fn PasskeysPage() -> impl IntoView {
    guarded(None, |_who| async move {
        let t = texts();
        let (list, several) = match my_passkeys().await {
            Ok(keys) => {
                let several = keys.len() > 1;
                (passkey_list(keys, t), several)
            }
            Err(error) => (view! { <ErrorNotice error /> }.into_any(), false),
        };
        // Just recovered: offer to let the new passkey replace the lost ones.
        let recovered = (query_value("recovered").as_deref() == Some("1") && several).then(|| {
            view! {
                <div class="notice notice--info">
                    <p>{t.passkeys_recovered}</p>
                    <PostForm action={action_of::<KeepNewestPasskey>()}>
                        <button type="submit" class="button button--primary">
                            {t.passkeys_keep_newest}
                        </button>
                    </PostForm>
                </div>
            }
        });
        let done = query_value("done").and_then(|done| match done.as_str() {
            "added" => Some(t.passkeys_added),
            "renamed" | "removed" => Some(t.passkeys_saved),
            _ => None,
        });
        view! {
            <Title text=t.passkeys_title />
            <section class="page" aria-labelledby="page-title">
                <h1 id="page-title">{t.passkeys_title}</h1>
                <p>{t.passkeys_lead}</p>
                {done.map(|text| view! { <Done text /> })}
                {recovered}
                {list}
                <AddPasskeyButton texts=ceremony_texts(t, t.passkeys_add) />
                <noscript>
                    <p class="muted">{t.needs_javascript}</p>
                </noscript>
                <h2>{t.sign_out_everywhere}</h2>
                <p class="muted">{t.sign_out_everywhere_hint}</p>
                <PostForm action={action_of::<SignOutEverywhere>()}>
                    <button type="submit" class="button">{t.sign_out_everywhere}</button>
                </PostForm>
            </section>
        }
        .into_any()
    })
}

fn passkey_list(keys: Vec<PasskeyView>, t: &'static Texts) -> AnyView {
    let only_one = keys.len() <= 1;
    // A refused removal (the last passkey) is said above the list.
    let removal_refused = FormEcho::of::<RemovePasskey>()
        .and_then(|echo| echo.refusal().cloned())
        .map(|error| refusal(&error, t));
    let items = keys
        .into_iter()
        .map(|key| passkey_item(key, only_one, t))
        .collect_view();
    view! {
        {removal_refused}
        <ul class="passkeys">{items}</ul>
    }
    .into_any()
}

/// A refused rename or removal, in words.
fn refusal(error: &AppError, t: &'static Texts) -> AnyView {
    let text = match error {
        AppError::InvalidInput { field } if field == "name" => t.passkeys_name_invalid,
        AppError::InvalidInput { field } if field == "last_passkey" => t.passkeys_last_one,
        other => {
            return view! {
                <div id=REFUSED_ID>
                    <ErrorNotice error=other.clone() />
                </div>
            }
            .into_any();
        }
    };
    view! {
        <div class="notice notice--error" role="alert" tabindex="-1" id=REFUSED_ID>
            <p>{text}</p>
        </div>
    }
    .into_any()
}

fn passkey_item(key: PasskeyView, only_one: bool, t: &'static Texts) -> impl IntoView {
    let id = key.id.to_string();
    let rename_id = id.clone();
    let name_id = format!("passkey-name-{id}");
    let echo = FormEcho::of_item::<RenamePasskey>("id", &id);
    // What was typed stays when the new name is refused.
    let typed = echo
        .as_ref()
        .and_then(|echo| echo.value("name").map(str::to_owned))
        .unwrap_or_else(|| key.name.clone());
    let refused = echo
        .as_ref()
        .and_then(|echo| echo.refusal().cloned())
        .map(|error| refusal(&error, t));
    let invalid = refused.is_some().then_some("true");
    let last_used = key
        .last_used_at
        .unwrap_or_else(|| t.passkeys_never_used.to_owned());
    view! {
        <li class="card passkey">
            <h3>{key.name}</h3>
            <p class="muted">
                {t.passkeys_created} ": " {key.created_at} " · " {t.passkeys_last_used} ": "
                {last_used}
            </p>
            {refused}
            <PostForm action={action_of::<RenamePasskey>()} class="inline-form">
                <input type="hidden" name="id" value=rename_id />
                <label for=name_id.clone()>{t.passkeys_name_label}</label>
                <input
                    id=name_id
                    class="field__input"
                    type="text"
                    name="name"
                    required
                    maxlength=PASSKEY_NAME_MAX
                    value=typed
                    aria-invalid=invalid
                />
                <button type="submit" class="button">{t.passkeys_rename}</button>
            </PostForm>
            <PostForm action={action_of::<RemovePasskey>()} class="inline-form">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="button button--danger" disabled=only_one>
                    {t.passkeys_remove}
                </button>
            </PostForm>
        </li>
    }
}

//! `/sign-in`: one button, and passkeys offered in autofill where the browser supports it.
//! Passkeys need JavaScript; the page says so when it is off.

use leptos::prelude::*;
use leptos_meta::Title;

use super::ceremony_texts;
use crate::identity::islands::sign_in::SignInButton;
use crate::ui::form::query_value;
use crate::ui::locale::texts;

#[component]
pub fn SignInPage() -> impl IntoView {
    let t = texts();
    let idle = query_value("reason").as_deref() == Some("idle");
    view! {
        <Title text=t.sign_in_title />
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title">{t.sign_in_title}</h1>
            {idle
                .then(|| {
                    view! {
                        <div class="notice notice--info" role="status">
                            <p>{t.sign_in_idle}</p>
                        </div>
                    }
                })}
            <p>{t.sign_in_lead}</p>
            <noscript>
                <div class="notice notice--error">
                    <p>{t.needs_javascript}</p>
                </div>
            </noscript>
            <label class="field">
                <span class="field__label">{t.sign_in_autofill_label}</span>
                <input
                    class="field__input"
                    type="text"
                    name="username"
                    autocomplete="username webauthn"
                    readonly
                />
            </label>
            <SignInButton texts=ceremony_texts(t, t.sign_in_button) />
            <p class="muted">{t.sign_in_no_account}</p>
        </section>
    }
}

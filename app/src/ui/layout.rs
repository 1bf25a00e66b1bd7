//! The frame around every page: skip link, header with navigation and language switcher,
//! footer. Mobile first; landmarks and a skip link for keyboard and screen-reader users.

use leptos::prelude::*;

use crate::i18n::ui::{use_i18n, LanguageSwitcher};
use crate::identity::api::SignOut;
use crate::identity::ui::use_session;

/// Header, main landmark around `children`, footer.
#[component]
pub fn PageFrame(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{move || i18n.t().skip_to_content}</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-header__brand" href="/">{move || i18n.t().portal_name}</a>
                <nav class="site-nav" aria-label=move || i18n.t().main_navigation>
                    <ul>
                        <li>
                            <a href="/">{move || i18n.t().nav_home}</a>
                        </li>
                        <SessionLinks />
                    </ul>
                </nav>
                <LanguageSwitcher />
            </div>
        </header>
        <main id="main" class="site-main" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{move || i18n.t().footer_note}</p>
        </footer>
    }
}

/// Navigation that depends on whether someone is signed in.
#[component]
fn SessionLinks() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            session.refresh();
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign("/");
            }
        }
    });
    view! {
        <Transition>
            {move || {
                let signed_in = matches!(session.current.get(), Some(Ok(Some(_))));
                if signed_in {
                    view! {
                        <li>
                            <a href="/home">{move || i18n.t().nav_my_home}</a>
                        </li>
                        <li>
                            <ActionForm action=sign_out attr:class="inline-form">
                                <button type="submit" class="link-button">
                                    {move || i18n.t().nav_sign_out}
                                </button>
                            </ActionForm>
                        </li>
                    }
                        .into_any()
                } else {
                    view! {
                        <li>
                            <a href="/sign-in">{move || i18n.t().nav_sign_in}</a>
                        </li>
                    }
                        .into_any()
                }
            }}
        </Transition>
    }
}

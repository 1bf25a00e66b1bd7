//! The frame around every page: skip link, header with navigation and language switcher,
//! footer. Mobile first; landmarks and a skip link for keyboard and screen-reader users.

use leptos::prelude::*;

use crate::i18n::ui::{use_i18n, LanguageSwitcher};

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

//! The page for addresses that lead nowhere (HTTP 404).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::ui::use_i18n;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::request::set_status(http::StatusCode::NOT_FOUND);
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t().not_found_title />
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{move || i18n.t().not_found_title}</h1>
            <p>{move || i18n.t().not_found_body}</p>
            <p>
                <a href="/">{move || i18n.t().back_home}</a>
            </p>
        </section>
    }
}

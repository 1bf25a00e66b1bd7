//! The page for addresses that lead nowhere (HTTP 404).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::locale::texts;

#[component]
pub fn NotFound() -> impl IntoView {
    crate::ssr::request::set_status(http::StatusCode::NOT_FOUND);
    let t = texts();
    view! {
        <Title text=t.not_found_title />
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t.not_found_title}</h1>
            <p>{t.not_found_body}</p>
            <p>
                <a href="/">{t.back_home}</a>
            </p>
        </section>
    }
}

//! Landing page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::hospital::api::hospital_profile;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::locale::texts;

#[component]
pub fn LandingPage() -> impl IntoView {
    let t = texts();
    let hospital = Suspend::new(async move {
        match hospital_profile().await {
            Ok(profile) => view! {
                <p class="hero__hospital">
                    {t.landing_served_by} ": " <strong>{profile.name}</strong>
                </p>
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        }
    });
    let items = t
        .landing_items
        .iter()
        .map(|(heading, body)| {
            view! {
                <li class="card">
                    <h3>{*heading}</h3>
                    <p>{*body}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <Title text=t.portal_name />
        <section class="hero" aria-labelledby="landing-title">
            <h1 id="landing-title">{t.landing_title}</h1>
            <p class="hero__lead">{t.landing_lead}</p>
            <Suspense>{hospital}</Suspense>
        </section>
        <section class="section" aria-labelledby="landing-what">
            <h2 id="landing-what">{t.landing_what_heading}</h2>
            <ul class="cards">{items}</ul>
        </section>
        <section class="section" aria-labelledby="landing-account">
            <h2 id="landing-account">{t.landing_account_heading}</h2>
            <p>{t.landing_account_body}</p>
        </section>
        <section class="section" aria-labelledby="landing-promise">
            <h2 id="landing-promise">{t.landing_promise_heading}</h2>
            <p>{t.landing_promise_body}</p>
        </section>
    }
}

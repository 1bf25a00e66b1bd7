//! Landing page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::hospital::api::hospital_profile;
use crate::i18n::ui::use_i18n;
use crate::ui::error_notice::ErrorNotice;

#[component]
pub fn LandingPage() -> impl IntoView {
    let i18n = use_i18n();
    // Refetched when the language changes, so the hospital's name follows it.
    let hospital = Resource::new(move || i18n.locale(), |_| hospital_profile());

    view! {
        <Title text=move || i18n.t().portal_name />
        <section class="hero" aria-labelledby="landing-title">
            <h1 id="landing-title">{move || i18n.t().landing_title}</h1>
            <p class="hero__lead">{move || i18n.t().landing_lead}</p>
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || {
                    hospital
                        .get()
                        .map(|profile| match profile {
                            Ok(profile) => {
                                view! {
                                    <p class="hero__hospital">
                                        {move || i18n.t().landing_served_by} ": "
                                        <strong>{profile.name}</strong>
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
        <section class="section" aria-labelledby="landing-what">
            <h2 id="landing-what">{move || i18n.t().landing_what_heading}</h2>
            <ul class="cards">
                {move || {
                    i18n.t()
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
                        .collect_view()
                }}
            </ul>
        </section>
        <section class="section" aria-labelledby="landing-account">
            <h2 id="landing-account">{move || i18n.t().landing_account_heading}</h2>
            <p>{move || i18n.t().landing_account_body}</p>
        </section>
        <section class="section" aria-labelledby="landing-promise">
            <h2 id="landing-promise">{move || i18n.t().landing_promise_heading}</h2>
            <p>{move || i18n.t().landing_promise_body}</p>
        </section>
    }
}

//! `/consent/policies/:purpose/:version`: a published explanation, public, as the patient
//! was shown it (receipts and FHIR `Consent` resources link here).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{use_consent_texts, PageError, Paragraphs};
use crate::consent::api::consent_policy;
use crate::consent::texts::{earlier_grants_rule, policy_texts, purpose_name};
use crate::i18n::ui::use_i18n;

#[component]
pub fn PolicyPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    let params = use_params_map();
    let key = move || {
        params.with(|p| {
            (
                p.get("purpose").unwrap_or_default(),
                p.get("version")
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(0),
            )
        })
    };
    let policy = Resource::new(key, |(purpose, version)| consent_policy(purpose, version));
    view! {
        <Title text=move || t().policy_title />
        <section class="page narrow" aria-labelledby="page-title">
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || {
                    policy
                        .get()
                        .map(|result| match result {
                            Ok(policy) => {
                                let policy = StoredValue::new(policy);
                                let version = policy.with_value(|p| p.version);
                                view! {
                                    <h1 id="page-title">
                                        {move || policy.with_value(|p| purpose_name(i18n.locale(), &p.purpose).to_owned())}
                                    </h1>
                                    <p class="muted">
                                        {move || t().policy_version.replace("{}", &version.to_string())} " · "
                                        {move || t().published} " "
                                        {policy.with_value(|p| p.published_on.clone())}
                                    </p>
                                    <p>
                                        <strong>{move || policy.with_value(|p| policy_texts(i18n.locale(), p).0.to_owned())}</strong>
                                    </p>
                                    {move || view! { <Paragraphs text=policy.with_value(|p| policy_texts(i18n.locale(), p).1.to_owned()) /> }}
                                    {move || {
                                        policy
                                            .with_value(|p| policy_texts(i18n.locale(), p).2.map(str::to_owned))
                                            .map(|changes| {
                                                view! {
                                                    <h2>{move || t().what_changed}</h2>
                                                    <Paragraphs text=changes />
                                                    <p>{move || policy.with_value(|p| earlier_grants_rule(i18n.locale(), p.earlier_grants))}</p>
                                                }
                                            })
                                    }}
                                    <p>
                                        <a href="/consent">{move || t().title}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <PageError error /> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

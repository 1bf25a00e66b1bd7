//! `/consent/policies/:purpose/:version`: a published explanation, public, as the patient
//! was shown it (receipts and FHIR `Consent` resources link here).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{consent_texts, paragraphs};
use crate::consent::api::consent_policy;
use crate::consent::texts::{earlier_grants_rule, policy_texts, purpose_name};
use crate::ui::error_notice::PageError;
use crate::ui::locale::{locale, texts};

#[component]
pub fn PolicyPage() -> impl IntoView {
    let locale = locale();
    let t = consent_texts();
    let (purpose, version) = use_params_map().with_untracked(|p| {
        (
            p.get("purpose").unwrap_or_default(),
            p.get("version")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
        )
    });
    let page = Suspend::new(async move {
        match consent_policy(purpose, version).await {
            Ok(policy) => {
                let (summary, text, changes) = policy_texts(locale, &policy);
                let changes = changes.map(|changes| {
                    view! {
                        <h2>{t.what_changed}</h2>
                        {paragraphs(changes)}
                        <p>{earlier_grants_rule(locale, policy.earlier_grants)}</p>
                    }
                });
                view! {
                    <h1 id="page-title">{purpose_name(locale, &policy.purpose).to_owned()}</h1>
                    <p class="muted">
                        {t.policy_version.replace("{}", &policy.version.to_string())} " · "
                        {t.published} " " {policy.published_on.clone()}
                    </p>
                    <p>
                        <strong>{summary.to_owned()}</strong>
                    </p>
                    {paragraphs(text)}
                    {changes}
                    <p>
                        <a href="/consent">{t.title}</a>
                    </p>
                }
                .into_any()
            }
            Err(error) => view! {
                <h1 id="page-title">{texts().error_title}</h1>
                <PageError error />
            }
            .into_any(),
        }
    });
    view! {
        <Title text=t.policy_title />
        <section class="page narrow" aria-labelledby="page-title">
            <Suspense>{page}</Suspense>
        </section>
    }
}

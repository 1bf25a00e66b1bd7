//! One purpose on the patient's page: where the choice stands, the explanation, and the
//! forms to give, change, confirm or withdraw consent.

use leptos::prelude::*;

use super::{use_consent_texts, Paragraphs, Refusal};
use crate::access_log::texts::category_label;
use crate::consent::api::{RecordGrant, RevokeConsent};
use crate::consent::texts::{
    category_list, earlier_grants_rule, policy_texts, purpose_name, state_label,
};
use crate::consent::types::{ConsentCardView, ConsentState, GrantConsent, EXCLUDABLE};
use crate::error::AppError;
use crate::i18n::ui::use_i18n;

/// The page's two actions, and which was sent last for which purpose (so its outcome
/// shows beside that purpose only).
#[derive(Clone, Copy)]
pub struct CardActions {
    pub grant: ServerAction<RecordGrant>,
    pub revoke: ServerAction<RevokeConsent>,
    pub last_sent: RwSignal<Option<(String, Sent)>>,
}

/// Which of the two actions a card sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    Grant,
    Revoke,
}

fn state_class(state: ConsentState) -> &'static str {
    match state {
        ConsentState::Granted => "badge badge--ok",
        ConsentState::AwaitingConfirmation | ConsentState::Suspended => "badge badge--warn",
        _ => "badge",
    }
}

#[component]
pub fn ConsentCard(card: ConsentCardView, actions: CardActions) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    let code = card.policy.purpose.code.clone();
    let heading_id = format!("consent-{code}");
    let state = card.state;
    let policy = StoredValue::new(card.policy.clone());
    let name = move || policy.with_value(|p| purpose_name(i18n.locale(), &p.purpose).to_owned());
    let summary = move || policy.with_value(|p| policy_texts(i18n.locale(), p).0.to_owned());
    let needs_confirmation = matches!(
        state,
        ConsentState::AwaitingConfirmation | ConsentState::Suspended
    );
    let granted = matches!(state, ConsentState::Granted) || needs_confirmation;
    let revocable = granted || state == ConsentState::Expired;
    view! {
        <article class="card consent-card" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{name}</h2>
            <p>
                <span class="visually-hidden">{move || t().state_label} ": "</span>
                <span class=state_class(state)>{move || state_label(i18n.locale(), state)}</span>
                {card.since_local.clone().map(|since| view! { " " <span class="muted">{move || t().since} " " {since.clone()}</span> })}
            </p>
            <p>{summary}</p>
            <Facts card=card.clone() />
            {needs_confirmation.then(|| view! { <Changes policy /> })}
            <PolicyText policy />
            <GrantForm card=card.clone() actions />
            {revocable.then(|| view! { <RevokeForm code=code.clone() actions /> })}
            <Outcome code=code.clone() actions />
        </article>
    }
}

/// What the patient's current grant says (version, exclusions, end date).
#[component]
fn Facts(card: ConsentCardView) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    let Some(version) = card
        .granted_version
        .filter(|_| !matches!(card.state, ConsentState::Revoked | ConsentState::NotGranted))
    else {
        return ().into_any();
    };
    let excluded = card.excluded.clone();
    let expires = card.expires_on.clone();
    view! {
        <dl class="facts">
            <dt>{move || t().granted_version}</dt>
            <dd>{move || t().policy_version.replace("{}", &version.to_string())}</dd>
            <dt>{move || t().excluded_label}</dt>
            <dd>
                {move || {
                    if excluded.is_empty() {
                        t().nothing_excluded.to_owned()
                    } else {
                        category_list(i18n.locale(), &excluded)
                    }
                }}
            </dd>
            <dt>{move || t().last_day}</dt>
            <dd>
                {move || expires.clone().unwrap_or_else(|| t().until_revoked.to_owned())}
            </dd>
        </dl>
    }
    .into_any()
}

/// A new version awaits the patient: what changed, and what happens until they confirm.
#[component]
fn Changes(policy: StoredValue<crate::consent::types::PolicyView>) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    let changes = move || {
        policy.with_value(|p| {
            policy_texts(i18n.locale(), p)
                .2
                .unwrap_or_default()
                .to_owned()
        })
    };
    let rule = move || policy.with_value(|p| earlier_grants_rule(i18n.locale(), p.earlier_grants));
    view! {
        <div class="notice notice--info">
            <p>
                <strong>{move || t().confirm_lead}</strong>
            </p>
            <h3>{move || t().what_changed}</h3>
            {move || view! { <Paragraphs text=changes() /> }}
            <p>{rule}</p>
        </div>
    }
}

/// The full explanation, folded.
#[component]
fn PolicyText(policy: StoredValue<crate::consent::types::PolicyView>) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    let (version, published, code, later) = policy.with_value(|p| {
        (
            p.version,
            p.published_on.clone(),
            p.purpose.code.clone(),
            p.version > 1,
        )
    });
    let text = move || policy.with_value(|p| policy_texts(i18n.locale(), p).1.to_owned());
    let rule = move || policy.with_value(|p| earlier_grants_rule(i18n.locale(), p.earlier_grants));
    view! {
        <details class="policy-text">
            <summary>
                {move || t().read_policy} " ("
                {move || t().policy_version.replace("{}", &version.to_string())} ", "
                {move || t().published} " " {published.clone()} ")"
            </summary>
            {move || view! { <Paragraphs text=text() /> }}
            {later.then(|| view! { <p>{rule}</p> })}
            <p>
                <a href=format!("/consent/policies/{code}/{version}")>
                    {move || t().policy_version.replace("{}", &version.to_string())}
                </a>
            </p>
        </details>
    }
}

/// Picks one phrase out of the page's texts.
type Words = fn(&super::ConsentTexts) -> &'static str;

#[component]
fn GrantForm(card: ConsentCardView, actions: CardActions) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    let code = card.policy.purpose.code.clone();
    let version = card.policy.version;
    let state = card.state;
    let current = matches!(
        state,
        ConsentState::Granted | ConsentState::AwaitingConfirmation | ConsentState::Suspended
    );
    let excluded = if current {
        card.excluded.clone()
    } else {
        Vec::new()
    };
    // Keep what was typed when the server refuses it.
    let expires = RwSignal::new(if current {
        card.expires_on.clone().unwrap_or_default()
    } else {
        String::new()
    });
    let (heading, button): (Words, Words) = match state {
        ConsentState::Granted => (|t| t.change_heading, |t| t.save_button),
        ConsentState::AwaitingConfirmation | ConsentState::Suspended => {
            (|t| t.change_heading, |t| t.confirm_button)
        }
        _ => (|t| t.grant_heading, |t| t.grant_button),
    };
    let date_id = format!("expires-{code}");
    let hint_id = format!("expires-hint-{code}");
    let boxes = EXCLUDABLE
        .iter()
        .map(|category| {
            let category = *category;
            let name = format!("grant[{}]", GrantConsent::field_of(category));
            view! {
                <label class="check">
                    <input type="checkbox" name=name value="true" checked=excluded.contains(&category) />
                    <span>{move || category_label(i18n.locale(), category)}</span>
                </label>
            }
        })
        .collect_view();
    let from = code.clone();
    view! {
        <details class="consent-form" open=!current>
            <summary class="button">{move || heading(t())}</summary>
            <ActionForm action=actions.grant>
                <input type="hidden" name="grant[purpose]" value=code.clone() />
                <input type="hidden" name="grant[version]" value=version.to_string() />
                <fieldset class="choices">
                    <legend>{move || t().exclude_legend}</legend>
                    <p class="muted">{move || t().exclude_hint}</p>
                    {boxes}
                </fieldset>
                <label class="field" for=date_id.clone()>
                    <span class="field__label">{move || t().expires_label}</span>
                </label>
                <p class="muted" id=hint_id.clone()>{move || t().expires_hint}</p>
                <input
                    id=date_id
                    class="field__input"
                    type="text"
                    inputmode="numeric"
                    name="grant[expires_on]"
                    placeholder="2027-12-31"
                    maxlength="10"
                    autocomplete="off"
                    aria-describedby=hint_id
                    prop:value=expires
                    on:input=move |ev| expires.set(event_target_value(&ev))
                />
                <button
                    type="submit"
                    class="button button--primary"
                    on:click=move |_| actions.last_sent.set(Some((from.clone(), Sent::Grant)))
                >
                    {move || button(t())}
                </button>
            </ActionForm>
        </details>
    }
}

#[component]
fn RevokeForm(code: String, actions: CardActions) -> impl IntoView {
    let t = use_consent_texts();
    let from = code.clone();
    view! {
        <ActionForm action=actions.revoke attr:class="revoke-form">
            <input type="hidden" name="purpose" value=code />
            <button
                type="submit"
                class="button button--danger"
                on:click=move |_| actions.last_sent.set(Some((from.clone(), Sent::Revoke)))
            >
                {move || t().revoke_button}
            </button>
            <span class="muted">{move || t().revoke_note}</span>
        </ActionForm>
    }
}

/// The outcome of the last change sent from this card: the receipt, or why it was refused.
#[component]
fn Outcome(code: String, actions: CardActions) -> impl IntoView {
    let t = use_consent_texts();
    let latest = move || -> Option<Result<String, AppError>> {
        match actions.last_sent.get() {
            Some((purpose, Sent::Grant)) if purpose == code => actions.grant.value().get(),
            Some((purpose, Sent::Revoke)) if purpose == code => actions.revoke.value().get(),
            _ => None,
        }
    };
    view! {
        <div aria-live="polite">
            {move || {
                latest()
                    .map(|outcome| match outcome {
                        Ok(receipt) => {
                            view! {
                                <div class="notice notice--success" role="status">
                                    <p>
                                        {move || t().recorded} " "
                                        <a href=format!("/consent/receipts/{receipt}")>
                                            {move || t().view_receipt}
                                        </a>
                                    </p>
                                </div>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <Refusal error /> }.into_any(),
                    })
            }}
        </div>
    }
}

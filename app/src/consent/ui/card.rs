//! One purpose on the patient's page: where the choice stands, the explanation, and the
//! forms to give, change, confirm or withdraw consent.

use leptos::prelude::*;

use super::{consent_texts, paragraphs, Refusal};
use crate::access_log::texts::category_label;
use crate::consent::api::{RecordGrant, RevokeConsent};
use crate::consent::texts::{
    category_list, earlier_grants_rule, policy_texts, purpose_name, state_label, ConsentTexts,
};
use crate::consent::types::{ConsentCardView, ConsentState, GrantConsent, PolicyView, EXCLUDABLE};
use crate::ui::form::{action_of, FormEcho, PostForm};
use crate::ui::locale::locale;

fn state_class(state: ConsentState) -> &'static str {
    match state {
        ConsentState::Granted => "badge badge--ok",
        ConsentState::AwaitingConfirmation | ConsentState::Suspended => "badge badge--warn",
        _ => "badge",
    }
}

/// The card of one purpose; `recorded` is the receipt of a change just made to it.
pub fn consent_card(card: ConsentCardView, recorded: Option<String>) -> impl IntoView {
    let locale = locale();
    let t = consent_texts();
    let code = card.policy.purpose.code.clone();
    let heading_id = format!("consent-{code}");
    let state = card.state;
    let needs_confirmation = matches!(
        state,
        ConsentState::AwaitingConfirmation | ConsentState::Suspended
    );
    let granted = matches!(state, ConsentState::Granted) || needs_confirmation;
    let revocable = granted || state == ConsentState::Expired;
    let since = card
        .since_local
        .clone()
        .map(|since| view! { " " <span class="muted">{t.since} " " {since}</span> });
    let recorded = recorded.map(|receipt| {
        view! {
            <div class="notice notice--success" role="status" tabindex="-1">
                <p>
                    {t.recorded} " "
                    <a href=format!("/consent/receipts/{receipt}")>{t.view_receipt}</a>
                </p>
            </div>
        }
    });
    let revoke_refused = FormEcho::of_item::<RevokeConsent>("purpose", &code)
        .and_then(|echo| echo.refusal().cloned())
        .map(|error| view! { <Refusal error /> });
    view! {
        <article class="card consent-card" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{purpose_name(locale, &card.policy.purpose).to_owned()}</h2>
            <p>
                <span class="visually-hidden">{t.state_label} ": "</span>
                <span class=state_class(state)>{state_label(locale, state)}</span>
                {since}
            </p>
            {recorded}
            <p>{policy_texts(locale, &card.policy).0.to_owned()}</p>
            {facts(&card, t)}
            {needs_confirmation.then(|| changes(&card.policy, t))}
            {policy_text(&card.policy, t)}
            {grant_form(&card, t)}
            {revoke_refused}
            {revocable.then(|| revoke_form(&code, t))}
        </article>
    }
}

/// What the patient's current grant says (version, exclusions, end date).
fn facts(card: &ConsentCardView, t: &'static ConsentTexts) -> Option<impl IntoView> {
    let version = card
        .granted_version
        .filter(|_| !matches!(card.state, ConsentState::Revoked | ConsentState::NotGranted))?;
    let excluded = if card.excluded.is_empty() {
        t.nothing_excluded.to_owned()
    } else {
        category_list(locale(), &card.excluded)
    };
    let expires = card
        .expires_on
        .clone()
        .unwrap_or_else(|| t.until_revoked.to_owned());
    Some(view! {
        <dl class="facts">
            <dt>{t.granted_version}</dt>
            <dd>{t.policy_version.replace("{}", &version.to_string())}</dd>
            <dt>{t.excluded_label}</dt>
            <dd>{excluded}</dd>
            <dt>{t.last_day}</dt>
            <dd>{expires}</dd>
        </dl>
    })
}

/// A new version awaits the patient: what changed, and what happens until they confirm.
fn changes(policy: &PolicyView, t: &'static ConsentTexts) -> impl IntoView {
    let locale = locale();
    let changed = policy_texts(locale, policy).2.unwrap_or_default();
    view! {
        <div class="notice notice--info">
            <p>
                <strong>{t.confirm_lead}</strong>
            </p>
            <h3>{t.what_changed}</h3>
            {paragraphs(changed)}
            <p>{earlier_grants_rule(locale, policy.earlier_grants)}</p>
        </div>
    }
}

/// The full explanation, folded.
fn policy_text(policy: &PolicyView, t: &'static ConsentTexts) -> impl IntoView {
    let locale = locale();
    let version = t.policy_version.replace("{}", &policy.version.to_string());
    let later = (policy.version > 1)
        .then(|| view! { <p>{earlier_grants_rule(locale, policy.earlier_grants)}</p> });
    view! {
        <details class="policy-text">
            <summary>
                {t.read_policy} " (" {version.clone()} ", " {t.published} " "
                {policy.published_on.clone()} ")"
            </summary>
            {paragraphs(policy_texts(locale, policy).1)}
            {later}
            <p>
                <a href=format!(
                    "/consent/policies/{}/{}",
                    policy.purpose.code,
                    policy.version,
                )>{version}</a>
            </p>
        </details>
    }
}

fn grant_form(card: &ConsentCardView, t: &'static ConsentTexts) -> impl IntoView {
    let locale = locale();
    let code = card.policy.purpose.code.clone();
    let state = card.state;
    let current = matches!(
        state,
        ConsentState::Granted | ConsentState::AwaitingConfirmation | ConsentState::Suspended
    );
    let echo = FormEcho::of_item::<RecordGrant>("grant[purpose]", &code);
    let refused = echo.as_ref().and_then(|echo| echo.refusal().cloned());
    // What the patient sent stays when it is refused; else the current grant shows.
    let ticked = |category| match &echo {
        Some(echo) => echo.ticked(&format!("grant[{}]", GrantConsent::field_of(category))),
        None => current && card.excluded.contains(&category),
    };
    let expires = match &echo {
        Some(echo) => echo
            .value("grant[expires_on]")
            .unwrap_or_default()
            .to_owned(),
        None if current => card.expires_on.clone().unwrap_or_default(),
        None => String::new(),
    };
    let (heading, button) = match state {
        ConsentState::Granted => (t.change_heading, t.save_button),
        ConsentState::AwaitingConfirmation | ConsentState::Suspended => {
            (t.change_heading, t.confirm_button)
        }
        _ => (t.grant_heading, t.grant_button),
    };
    let version = card.policy.version.to_string();
    let date_id = format!("expires-{code}");
    let hint_id = format!("expires-hint-{code}");
    let invalid = refused.is_some().then_some("true");
    let open = !current || refused.is_some();
    let refused = refused.map(|error| view! { <Refusal error /> });
    let boxes = EXCLUDABLE
        .iter()
        .map(|category| {
            let name = format!("grant[{}]", GrantConsent::field_of(*category));
            view! {
                <label class="check">
                    <input type="checkbox" name=name value="true" checked=ticked(*category) />
                    <span>{category_label(locale, *category)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="consent-form" open=open>
            <summary class="button">{heading}</summary>
            {refused}
            <PostForm action={action_of::<RecordGrant>()}>
                <input type="hidden" name="grant[purpose]" value=code.clone() />
                <input type="hidden" name="grant[version]" value=version />
                <fieldset class="choices">
                    <legend>{t.exclude_legend}</legend>
                    <p class="muted">{t.exclude_hint}</p>
                    {boxes}
                </fieldset>
                <label class="field" for=date_id.clone()>
                    <span class="field__label">{t.expires_label}</span>
                </label>
                <p class="muted" id=hint_id.clone()>{t.expires_hint}</p>
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
                    aria-invalid=invalid
                    value=expires
                />
                <button type="submit" class="button button--primary">{button}</button>
            </PostForm>
        </details>
    }
}

fn revoke_form(code: &str, t: &'static ConsentTexts) -> impl IntoView {
    let code = code.to_owned();
    view! {
        <PostForm action={action_of::<RevokeConsent>()} class="revoke-form">
            <input type="hidden" name="purpose" value=code />
            <button type="submit" class="button button--danger">{t.revoke_button}</button>
            <span class="muted">{t.revoke_note}</span>
        </PostForm>
    }
}

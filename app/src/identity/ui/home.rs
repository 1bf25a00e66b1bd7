//! The signed-in home: for patients their own page, for staff their roles.

use leptos::prelude::*;
use leptos_meta::Title;

use super::guard::Guarded;
use super::role_label;
use crate::access_log::texts::AccessTexts;
use crate::accounts::types::AccountKind;
use crate::consent::texts::ConsentTexts;
use crate::i18n::ui::use_i18n;
use crate::identity::types::{Role, SessionView};

#[component]
pub fn HomePage() -> impl IntoView {
    view! { <Guarded role=None render=|who: SessionView| view! { <Home who /> } /> }
}

#[component]
fn Home(who: SessionView) -> impl IntoView {
    let i18n = use_i18n();
    let staff = who.kind == AccountKind::Staff;
    let admin = who.roles.contains(&Role::Admin);
    let patient = who.roles.contains(&Role::Patient);
    let privacy_officer = who.roles.contains(&Role::PrivacyOfficer);
    let access = move || AccessTexts::of(i18n.locale());
    let consent = move || ConsentTexts::of(i18n.locale());
    let roles = who.roles.clone();
    let name = who.display_name.clone();
    view! {
        <Title text=move || i18n.t().nav_my_home />
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{move || i18n.t().home_welcome} ", " {name.clone()}</h1>
            <p>
                {move || {
                    if staff { i18n.t().home_staff_lead } else { i18n.t().home_patient_lead }
                }}
            </p>
            <Show when=move || staff>
                <h2>{move || i18n.t().home_roles_heading}</h2>
                <ul class="tags">
                    {
                        let roles = roles.clone();
                        move || {
                            roles
                                .iter()
                                .map(|role| {
                                    let role = *role;
                                    view! { <li class="tag">{move || role_label(role, i18n.t())}</li> }
                                })
                                .collect_view()
                        }
                    }
                </ul>
            </Show>
            <p>
                {move || i18n.t().home_language} ": "
                <strong>{move || i18n.locale().endonym()}</strong>
            </p>
            <Show when=move || patient>
                <ul class="links links--primary">
                    <li>
                        <a href="/access-log">{move || access().nav}</a>
                    </li>
                    <li>
                        <a href="/consent">{move || consent().nav}</a>
                    </li>
                </ul>
            </Show>
            <Show when=move || privacy_officer>
                <ul class="links links--primary">
                    <li>
                        <a href="/staff/access-reviews">{move || access().reviews_title}</a>
                    </li>
                    <li>
                        <a href="/staff/consent">{move || consent().stats_title}</a>
                    </li>
                </ul>
            </Show>
            <h2>{move || i18n.t().home_security_heading}</h2>
            <ul class="links">
                <li>
                    <a href="/account/passkeys">{move || i18n.t().home_manage_passkeys}</a>
                </li>
                <Show when=move || admin>
                    <li>
                        <a href="/staff/recovery">{move || i18n.t().home_recovery_link}</a>
                    </li>
                </Show>
            </ul>
            <p class="muted">{move || i18n.t().home_session_note}</p>
        </section>
    }
}

//! `/home`, the signed-in home: for patients their own pages, for staff their roles.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::access_log::texts::AccessTexts;
use crate::accounts::types::AccountKind;
use crate::complaints::texts::ComplaintTexts;
use crate::consent::texts::ConsentTexts;
use crate::corrections::texts::CorrectionTexts;
use crate::identity::types::{Role, SessionView};
use crate::identity::ui::guard::guarded;
use crate::identity::ui::role_label;
use crate::record::texts::RecordTexts;
use crate::ui::locale::locale;

#[component]
pub fn HomePage() -> impl IntoView {
    guarded(None, |who| async move { home(who) })
}

/// A privacy officer's pages.
fn officer_links(locale: crate::i18n::Locale) -> impl IntoView {
    let access = AccessTexts::of(locale);
    let consent = ConsentTexts::of(locale);
    let reports = crate::reports::texts::ReportTexts::of(locale);
    view! {
        <ul class="links links--primary">
            <li>
                <a href="/staff/access-reviews">{access.reviews_title}</a>
            </li>
            <li>
                <a href="/staff/consent">{consent.stats_title}</a>
            </li>
            <li>
                <a href="/staff/reports">{reports.queue_title}</a>
            </li>
        </ul>
    }
}

fn home(who: SessionView) -> AnyView {
    let locale = locale();
    let t = locale.texts();
    let access = AccessTexts::of(locale);
    let consent = ConsentTexts::of(locale);
    let record = RecordTexts::of(locale);
    let corrections = CorrectionTexts::of(locale);
    let complaints = ComplaintTexts::of(locale);
    let staff = who.kind == AccountKind::Staff;
    let holds = |role| who.roles.contains(&role);
    let roles = staff.then(|| {
        let tags = who
            .roles
            .iter()
            .map(|role| view! { <li class="tag">{role_label(*role, t)}</li> })
            .collect_view();
        view! {
            <h2>{t.home_roles_heading}</h2>
            <ul class="tags">{tags}</ul>
        }
    });
    let patient_links = holds(Role::Patient).then(|| {
        view! {
            <ul class="links links--primary">
                <li>
                    <a href="/record">{record.nav}</a>
                </li>
                <li>
                    <a href="/access-log">{access.nav}</a>
                </li>
                <li>
                    <a href="/consent">{consent.nav}</a>
                </li>
                <li>
                    <a href="/complaints">{complaints.nav}</a>
                </li>
            </ul>
        }
    });
    let officer_links = holds(Role::PrivacyOfficer).then(|| officer_links(locale));
    let records_links = holds(Role::RecordsOfficer).then(|| {
        view! {
            <ul class="links links--primary">
                <li>
                    <a href="/staff/corrections">{corrections.queue_title}</a>
                </li>
            </ul>
        }
    });
    let complaint_links = (holds(Role::PrivacyOfficer)
        || holds(Role::Investigator)
        || holds(Role::Approver))
    .then(|| {
        view! {
            <ul class="links links--primary">
                <li>
                    <a href="/staff/complaints">{complaints.queue_title}</a>
                </li>
            </ul>
        }
    });
    let recovery = holds(Role::Admin).then(|| {
        view! {
            <li>
                <a href="/staff/recovery">{t.home_recovery_link}</a>
            </li>
        }
    });
    view! {
        <Title text=t.nav_my_home />
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t.home_welcome} ", " {who.display_name}</h1>
            <p>{if staff { t.home_staff_lead } else { t.home_patient_lead }}</p>
            {roles}
            <p>{t.home_language} ": " <strong>{locale.endonym()}</strong></p>
            {patient_links}
            {officer_links}
            {records_links}
            {complaint_links}
            <h2>{t.home_security_heading}</h2>
            <ul class="links">
                <li>
                    <a href="/account/passkeys">{t.home_manage_passkeys}</a>
                </li>
                {recovery}
            </ul>
            <p class="muted">{t.home_session_note}</p>
        </section>
    }
    .into_any()
}

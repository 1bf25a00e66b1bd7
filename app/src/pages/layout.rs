//! The frame around every page: skip link, header with navigation and language switcher,
//! footer. Mobile first; landmarks and a skip link for keyboard and screen-reader users.

use leptos::prelude::*;

use crate::i18n::Locale;
use crate::i18n::Texts;
use crate::identity::api::{me, SignOut};
use crate::identity::language::SetLocale;
use crate::navigation::PageArrived;
use crate::ui::error_notice::RefusedSummary;
use crate::ui::form::{action_of, PostForm};
use crate::ui::locale::{locale, texts};

/// Header, main landmark around `children`, footer.
#[component]
pub fn PageFrame(children: Children) -> impl IntoView {
    let t = texts();
    let report_link = crate::reports::texts::ReportTexts::of(locale()).nav;
    let session = me();
    let session_links = Suspend::new(async move {
        let signed_in = matches!(session.await, Ok(Some(_)));
        session_links(signed_in, t)
    });
    view! {
        <a class="skip-link" href="#main">{t.skip_to_content}</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-header__brand" href="/">{t.portal_name}</a>
                <nav class="site-nav" aria-label=t.main_navigation>
                    <ul>
                        <li>
                            <a href="/">{t.nav_home}</a>
                        </li>
                        <Suspense>{session_links}</Suspense>
                    </ul>
                </nav>
                <LanguageSwitcher />
            </div>
        </header>
        <main id="main" class="site-main" tabindex="-1">
            <RefusedSummary />
            {children()}
            <PageArrived />
        </main>
        <footer class="site-footer">
            <p>{t.footer_note}</p>
            <p>
                <a href="/report">{report_link}</a>
            </p>
        </footer>
    }
}

/// Navigation that depends on whether someone is signed in. Signing out is a plain form.
fn session_links(signed_in: bool, t: &'static Texts) -> AnyView {
    if signed_in {
        view! {
            <li>
                <a href="/home">{t.nav_my_home}</a>
            </li>
            <li>
                <PostForm action={action_of::<SignOut>()} class="inline-form">
                    <button type="submit" class="link-button">{t.nav_sign_out}</button>
                </PostForm>
            </li>
        }
        .into_any()
    } else {
        view! {
            <li>
                <a href="/sign-in">{t.nav_sign_in}</a>
            </li>
        }
        .into_any()
    }
}

/// A button per other language: a plain form that stores the choice and brings the same
/// page back in it (it works without JavaScript). The report pages set no cookie, so there
/// each language is a link to the same page with `?lang=`.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let current = locale();
    let t = current.texts();
    let page = crate::ui::form::current_page();
    if page.starts_with("/report") {
        let path = page.split('?').next().unwrap_or("/report").to_owned();
        let links = Locale::ALL
            .into_iter()
            .filter(|locale| *locale != current)
            .map(|other| {
                let href = format!("{path}?lang={}", other.tag());
                view! {
                    <a href=href class="lang-switch__button" hreflang=other.tag()>
                        <span class="visually-hidden">{t.switch_language} " "</span>
                        <span lang=other.tag()>{other.endonym()}</span>
                    </a>
                }
            })
            .collect_view();
        return view! { <div class="lang-switch">{links}</div> }.into_any();
    }
    let others = Locale::ALL
        .into_iter()
        .filter(|locale| *locale != current)
        .map(|other| {
            view! {
                <button type="submit" name="locale" value=other.tag() class="lang-switch__button">
                    <span class="visually-hidden">{t.switch_language} " "</span>
                    <span lang=other.tag()>{other.endonym()}</span>
                </button>
            }
        })
        .collect_view();
    view! {
        <PostForm action={action_of::<SetLocale>()} class="lang-switch">
            {others}
        </PostForm>
    }
    .into_any()
}

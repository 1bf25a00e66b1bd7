//! The Patient Privacy Portal application: routes, pages, server functions and the data
//! model shared by the server and the browser. One folder per feature; server-only code
//! sits behind one `ssr` gate per feature.

pub mod access_log;
pub mod accounts;
pub mod consent;
pub mod directory;
pub mod error;
pub mod hospital;
pub mod i18n;
pub mod identity;
pub mod landing;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod ui;
mod vocabulary;

pub(crate) use vocabulary::vocabulary;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::access_log::ui::{log::AccessLogPage, reviews::ReviewsPage, settings::LogSettingsPage};
use crate::consent::ui::{
    page::ConsentPage, policy::PolicyPage, receipt::ReceiptPage, stats::ConsentStatsPage,
};
use crate::identity::ui::{
    enroll::EnrollPage, home::HomePage, passkeys::PasskeysPage, provide_session,
    recovery::RecoveryPage, sign_in::SignInPage,
};

use crate::i18n::ui::{initial_locale, provide_i18n};
use crate::landing::ui::LandingPage;
use crate::ui::{error_notice::ErrorPage, layout::PageFrame, not_found::NotFound};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_security_policy();
    let locale = initial_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href="/pkg/portal.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Pages carry a CSP whose nonce admits the hydration script of this response only.
#[cfg(feature = "ssr")]
fn set_page_security_policy() {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let policy = ssr::security::content_security_policy(Some(&nonce));
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The application: language context, page frame and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_i18n();
    provide_session();

    // Keep `<html lang>` in step with the chosen language, for screen readers and fonts.
    Effect::new(move |_| {
        let tag = i18n.locale().tag();
        #[cfg(feature = "hydrate")]
        if let Some(html) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.document_element())
        {
            // A failure only leaves the previous language tag in place.
            let _ = html.set_attribute("lang", tag);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = tag;
    });

    // Effects run only in the browser: this marks the page as interactive, which the
    // browser tests wait for before they check in-place behaviour.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Router>
            <PageFrame>
                <ErrorBoundary fallback=|errors| view! { <ErrorPage errors /> }>
                    <Routes fallback=NotFound>
                        <Route path=path!("") view=LandingPage />
                        <Route path=path!("sign-in") view=SignInPage />
                        // Pages that answer 302/403/410 render completely before the
                        // response starts, so the status code is the real one.
                        <Route path=path!("enroll/:token") view=EnrollPage ssr=SsrMode::Async />
                        <Route path=path!("home") view=HomePage ssr=SsrMode::Async />
                        <Route
                            path=path!("account/passkeys")
                            view=PasskeysPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("staff/recovery") view=RecoveryPage ssr=SsrMode::Async />
                        <Route path=path!("access-log") view=AccessLogPage ssr=SsrMode::Async />
                        <Route
                            path=path!("access-log/settings")
                            view=LogSettingsPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/access-reviews")
                            view=ReviewsPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("consent") view=ConsentPage ssr=SsrMode::Async />
                        <Route
                            path=path!("consent/receipts/:id")
                            view=ReceiptPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("consent/policies/:purpose/:version")
                            view=PolicyPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/consent")
                            view=ConsentStatsPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </ErrorBoundary>
            </PageFrame>
        </Router>
    }
}

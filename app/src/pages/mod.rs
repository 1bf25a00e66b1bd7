//! The document and the routes, rendered on the server only: the composition root that
//! puts the features' pages into one frame. Pages are server components; the browser runs
//! only the islands inside them. (Features do not import this module; it imports them.)

mod home;
mod layout;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::access_log::ui::{log::AccessLogPage, reviews::ReviewsPage, settings::LogSettingsPage};
use crate::complaints::ui::{
    case::CasePage, complaint::ComplaintPage, insights::InsightsPage, list::ComplaintsPage,
    new::NewComplaintPage, queue::ComplaintQueuePage,
};
use crate::consent::ui::{
    page::ConsentPage, policy::PolicyPage, receipt::ReceiptPage, stats::ConsentStatsPage,
};
use crate::corrections::ui::{
    list::RequestsPage, new::NewRequestPage, queue::QueuePage, request::RequestPage,
    staff_request::StaffRequestPage,
};
use crate::identity::ui::{enroll::EnrollPage, passkeys::PasskeysPage, sign_in::SignInPage};
use crate::landing::ui::LandingPage;
use crate::record::ui::page::RecordPage;
use crate::reports::ui::{
    case::StaffReportPage, follow_up::FollowUpPage, form::ReportPage, queue::ReportQueuePage,
};
use crate::staff::ui::recovery::RecoveryPage;
use crate::ui::not_found::NotFound;
use home::HomePage;
use layout::PageFrame;

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    set_page_security_policy();
    let locale = crate::ui::locale::provide_page_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                {compiled_files(&options)}
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Stands for the response's nonce in the rendered [`compiled_files`].
const NONCE_MARK: &str = "portal-nonce-mark";

/// The stylesheet, the islands' script and the islands router, with the compiled
/// files' hashed names. Rendered once per process: leptos reads the build's hash file
/// for these tags on every page otherwise (two file reads per page served).
fn compiled_files(options: &LeptosOptions) -> impl IntoView {
    static RENDERED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let rendered = RENDERED.get_or_init(|| {
        let owner = Owner::new();
        owner.with(|| {
            provide_context(leptos::nonce::Nonce::from_value(NONCE_MARK));
            let options = options.clone();
            view! {
                <HashedStylesheet options=options.clone() />
                <HydrationScripts options islands=true islands_router=true />
            }
            .to_html()
        })
    });
    // As the leptos component does: outside islands, the page is not hydrated.
    if let Some(shared) = Owner::current_shared_context() {
        shared.set_is_hydrating(false);
    }
    let nonce = leptos::nonce::use_nonce()
        .map(|nonce| nonce.to_string())
        .unwrap_or_default();
    leptos::tachys::html::InertElement::new(rendered.replace(NONCE_MARK, &nonce))
}

/// Pages carry a CSP whose nonce admits the hydration script of this response only.
fn set_page_security_policy() {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let policy = crate::ssr::security::content_security_policy(Some(&nonce));
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The application: page frame and routes. Every page renders completely before the
/// response starts (`SsrMode::Async`): its status code is the real one, it reaches the
/// browser in one piece, and it needs no script to fill in late parts.
#[component]
#[allow(clippy::too_many_lines)] // The route table, one entry per page: it reads best whole.
pub fn App() -> impl IntoView {
    provide_meta_context();
    // A new key for every render: the islands router then swaps in the whole page it
    // fetched, rather than patching the old one node by node (which can neither remove
    // an attribute nor a list item).
    let render = crate::ssr::request::operation_id().0;
    view! {
        <Router>
            <For each=move || [render.clone()] key=String::clone let:_render>
                <PageFrame>
                    <Routes fallback=NotFound>
                        <Route path=path!("") view=LandingPage ssr=SsrMode::Async />
                        <Route path=path!("sign-in") view=SignInPage ssr=SsrMode::Async />
                        <Route path=path!("enroll/:token") view=EnrollPage ssr=SsrMode::Async />
                        <Route path=path!("home") view=HomePage ssr=SsrMode::Async />
                        <Route
                            path=path!("account/passkeys")
                            view=PasskeysPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/recovery")
                            view=RecoveryPage
                            ssr=SsrMode::Async
                        />
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
                        <Route path=path!("record") view=RecordPage ssr=SsrMode::Async />
                        <Route
                            path=path!("record/requests")
                            view=RequestsPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("record/requests/new")
                            view=NewRequestPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("record/requests/:reference")
                            view=RequestPage
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
                            path=path!("staff/corrections")
                            view=QueuePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/corrections/:reference")
                            view=StaffRequestPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("complaints") view=ComplaintsPage ssr=SsrMode::Async />
                        <Route
                            path=path!("complaints/new")
                            view=NewComplaintPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("complaints/:reference")
                            view=ComplaintPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/complaints")
                            view=ComplaintQueuePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/complaints/insights")
                            view=InsightsPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/complaints/:reference")
                            view=CasePage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("report") view=ReportPage ssr=SsrMode::Async />
                        <Route
                            path=path!("report/follow-up")
                            view=FollowUpPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/reports")
                            view=ReportQueuePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/reports/:reference")
                            view=StaffReportPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("staff/consent")
                            view=ConsentStatsPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </PageFrame>
            </For>
        </Router>
    }
}

//! Pages for signed-in people: rendered on the server only for those allowed. Others are
//! redirected to sign in (302) or shown "no access" (403), never just a hidden link.

use std::future::Future;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::identity::api::me;
use crate::identity::islands::idle::IdleSignOut;
use crate::identity::types::{Role, SessionView};
use crate::ui::error_notice::ErrorNotice;
use crate::ui::locale::texts;

/// Where people who are not signed in are sent.
pub const SIGN_IN_PATH: &str = "/sign-in";

/// Renders what `render` makes for a signed-in person who holds `role` (anyone signed in
/// when `role` is `None`), with the idle sign-out timer of their session. `render` loads
/// the page's data one query after another: on SQLite there is one connection, and two
/// parts of a page waiting for it at once would stall.
pub fn guarded<F, Fut>(role: Option<Role>, render: F) -> impl IntoView
where
    F: FnOnce(SessionView) -> Fut + Send + 'static,
    Fut: Future<Output = AnyView> + Send + 'static,
{
    // Looked up once per request, however many parts of the page ask.
    let session = me();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match session.await {
                    Ok(Some(who)) if role.is_none_or(|role| who.roles.contains(&role)) => {
                        let seconds = who.idle_timeout_seconds;
                        let page = render(who).await;
                        view! {
                            <IdleSignOut seconds />
                            {page}
                        }
                            .into_any()
                    }
                    Ok(Some(_)) => view! { <Forbidden /> }.into_any(),
                    Ok(None) => {
                        leptos_axum::redirect(SIGN_IN_PATH);
                        ().into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "No access" (HTTP 403).
#[component]
pub fn Forbidden() -> impl IntoView {
    crate::ssr::request::set_status(http::StatusCode::FORBIDDEN);
    let t = texts();
    view! {
        <Title text=t.forbidden_title />
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t.forbidden_title}</h1>
            <p>{t.forbidden_body}</p>
            <p>
                <a href="/home">{t.nav_my_home}</a>
            </p>
        </section>
    }
}

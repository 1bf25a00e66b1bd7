//! Pages for signed-in people: rendered on the server only for those allowed. Others are
//! redirected to sign in (302) or shown "no access" (403), never just a hidden link.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::{use_session, IdleSignOut};
use crate::i18n::ui::use_i18n;
use crate::identity::types::{Role, SessionView};
use crate::ui::error_notice::ErrorNotice;

/// Renders `render` for a signed-in person who holds `role` (any signed-in person when
/// `role` is `None`).
#[component]
pub fn Guarded<F, V>(role: Option<Role>, render: F) -> impl IntoView
where
    F: Fn(SessionView) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let session = use_session();
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
            {move || {
                let render = render.clone();
                session
                    .current
                    .get()
                    .map(move |current| match current {
                        Ok(Some(who)) if role.is_none_or(|role| who.roles.contains(&role)) => {
                            let seconds = who.idle_timeout_seconds;
                            view! {
                                <IdleSignOut seconds />
                                {render(who)}
                            }
                                .into_any()
                        }
                        Ok(Some(_)) => view! { <Forbidden /> }.into_any(),
                        Ok(None) => view! { <Redirect path="/sign-in" /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// "No access" (HTTP 403).
#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::request::set_status(http::StatusCode::FORBIDDEN);
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t().forbidden_title />
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{move || i18n.t().forbidden_title}</h1>
            <p>{move || i18n.t().forbidden_body}</p>
            <p>
                <a href="/home">{move || i18n.t().nav_my_home}</a>
            </p>
        </section>
    }
}

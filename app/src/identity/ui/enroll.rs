//! `/enroll/:token`: opening a one-time link shows who it is for and registers the
//! person's first passkey (which needs JavaScript; the page says so when it is off).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::ceremony_texts;
use crate::error::AppError;
use crate::identity::api::enrollment_info;
use crate::identity::islands::enroll::EnrollButton;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::locale::texts;

#[component]
pub fn EnrollPage() -> impl IntoView {
    let t = texts();
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let page = Suspend::new(async move {
        match enrollment_info(token.clone()).await {
            Ok(info) => view! {
                <h1 id="page-title">{t.enroll_title}</h1>
                <p>
                    {t.enroll_for} " " <strong>{info.display_name}</strong> " · " {t.enroll_at}
                    " " <strong>{info.hospital_name}</strong>
                </p>
                {info
                    .recovery
                    .then(|| {
                        view! {
                            <div class="notice notice--info">
                                <p>{t.enroll_recovery_note}</p>
                            </div>
                        }
                    })}
                <p>{t.enroll_explain}</p>
                <noscript>
                    <div class="notice notice--error">
                        <p>{t.needs_javascript}</p>
                    </div>
                </noscript>
                <EnrollButton
                    token
                    texts=ceremony_texts(t, t.enroll_button)
                    recovery=info.recovery
                />
            }
            .into_any(),
            Err(AppError::NotFound) => {
                crate::ssr::request::set_status(http::StatusCode::GONE);
                view! {
                    <h1 id="page-title">{t.enroll_invalid_title}</h1>
                    <div class="notice notice--error" role="alert">
                        <p>{t.enroll_invalid_body}</p>
                    </div>
                }
                .into_any()
            }
            Err(error) => view! {
                <h1 id="page-title">{t.error_title}</h1>
                <ErrorNotice error />
            }
            .into_any(),
        }
    });
    view! {
        <Title text=t.enroll_title />
        <section class="page narrow" aria-labelledby="page-title">
            <Suspense>{page}</Suspense>
        </section>
    }
}

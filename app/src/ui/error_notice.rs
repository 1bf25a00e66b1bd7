//! How errors look to a person: a localised message, and a reference to quote when the
//! failure was internal.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::ui::use_i18n;
use crate::i18n::Locale;

/// An error message announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let reference = error.operation_id().map(str::to_owned);
    view! {
        <div class="notice notice--error" role="alert">
            <p>{move || error.message(i18n.t())}</p>
            {reference
                .map(|id| {
                    view! {
                        <p class="notice__reference">
                            {move || i18n.t().error_reference} " " <code>{id}</code>
                        </p>
                    }
                })}
        </div>
    }
}

/// A refused form, announced to screen readers: the feature's own words for the refused
/// field when `field_text` has them, else the general message; any other failure as
/// [`ErrorNotice`], with its reference.
#[component]
pub fn FormRefusal(
    error: AppError,
    field_text: fn(Locale, &str) -> Option<&'static str>,
) -> impl IntoView {
    let AppError::InvalidInput { field } = &error else {
        return view! { <ErrorNotice error /> }.into_any();
    };
    let field = field.clone();
    let i18n = use_i18n();
    view! {
        <div class="notice notice--error" role="alert">
            <p>
                {move || field_text(i18n.locale(), &field).unwrap_or_else(|| error.message(i18n.t()))}
            </p>
        </div>
    }
    .into_any()
}

/// Fallback of the page-wide error boundary: shows each error the page raised.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="error-page" aria-labelledby="error-title">
            <h1 id="error-title">{move || i18n.t().error_title}</h1>
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, error)| {
                        let app_error = error
                            .downcast_ref::<AppError>()
                            .cloned()
                            .unwrap_or(AppError::Internal {
                                operation_id: String::from("-"),
                            });
                        view! { <ErrorNotice error=app_error /> }
                    })
                    .collect_view()
            }}
        </section>
    }
}

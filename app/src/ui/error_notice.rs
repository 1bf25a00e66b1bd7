//! How errors look to a person: a localised message, and a reference to quote when the
//! failure was internal.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::Locale;
use crate::ui::locale::{locale, texts};

/// An error message announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let t = texts();
    let reference = error.operation_id().map(|id| {
        view! {
            <p class="notice__reference">
                {t.error_reference} " " <code>{id.to_owned()}</code>
            </p>
        }
    });
    view! {
        <div class="notice notice--error" role="alert" tabindex="-1">
            <p>{error.message(t)}</p>
            {reference}
        </div>
    }
}

/// The id of a refused form's message, which the top of the page links to.
pub const REFUSED_ID: &str = "refused";

/// At the top of a page shown again for a refused form, a link to what to correct: without
/// JavaScript the browser shows the page from its top, and the form may be far below.
#[component]
pub fn RefusedSummary() -> impl IntoView {
    let refused = crate::ui::form::FormEcho::current().is_some_and(|echo| echo.refusal().is_some());
    refused.then(|| {
        view! {
            <p class="notice notice--error refused-summary">
                <a href=format!("#{REFUSED_ID}")>{texts().form_not_saved}</a>
            </p>
        }
    })
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
        return view! {
            <div id=REFUSED_ID>
                <ErrorNotice error />
            </div>
        }
        .into_any();
    };
    let text = field_text(locale(), field).unwrap_or_else(|| error.message(texts()));
    view! {
        <div class="notice notice--error" role="alert" tabindex="-1" id=REFUSED_ID>
            <p>{text}</p>
        </div>
    }
    .into_any()
}

/// The failure a page shows, with the HTTP status that goes with it (a receipt or policy
/// version that does not exist answers 404, not 200).
#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    crate::ssr::request::set_status(crate::ssr::request::status_of(&error));
    view! { <ErrorNotice error /> }
}

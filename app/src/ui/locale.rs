//! The language of the page being rendered: decided once per request, for the whole page.

use leptos::prelude::*;

use crate::i18n::{Locale, Texts};

/// The language of a page, decided once for its whole render.
#[derive(Clone, Copy)]
struct PageLocale(Locale);

/// Decides the language of the page being rendered (from the request) and keeps it for
/// every part of the page; called once, by the document shell.
pub fn provide_page_locale() -> Locale {
    let locale = crate::ssr::request::current_locale();
    provide_context(PageLocale(locale));
    locale
}

/// The language of the request being rendered.
#[must_use]
pub fn locale() -> Locale {
    use_context::<PageLocale>().map_or_else(crate::ssr::request::current_locale, |page| page.0)
}

/// The strings of the request's language.
#[must_use]
pub fn texts() -> &'static Texts {
    locale().texts()
}

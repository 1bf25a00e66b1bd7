//! The language of the page being rendered, and the language switcher.
//!
//! Pages are rendered on the server for one request in one language: switching language
//! is a plain form post that stores the choice and brings the same page back in it.

use leptos::prelude::*;

use super::api::SetLocale;
use super::{Locale, Texts};
use crate::ui::form::{action_of, PostForm};

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

/// A button per other language. A plain form: it works without JavaScript.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let current = locale();
    let t = current.texts();
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
}

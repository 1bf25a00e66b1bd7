//! The language context of the page and the language switcher.

use leptos::prelude::*;

use super::api::SetLocale;
use super::{Locale, Texts};

/// The page's current language, shared through context.
#[derive(Clone, Copy, Debug)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The current language (reactive).
    #[must_use]
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// The strings of the current language (reactive).
    #[must_use]
    pub fn t(&self) -> &'static Texts {
        self.locale.get().texts()
    }

    /// Switches the page to `locale` without reloading it.
    pub fn set(&self, locale: Locale) {
        self.locale.set(locale);
    }
}

/// Creates the language context for this page and returns it.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        locale: RwSignal::new(initial_locale()),
    };
    provide_context(i18n);
    i18n
}

/// The page's language context.
#[must_use]
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(provide_i18n)
}

/// The language the page starts in: decided by the server from the request, and read back
/// from `<html lang>` by the browser so hydration renders the same text.
#[must_use]
pub fn initial_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        crate::ssr::request::current_locale()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.document_element())
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|tag| Locale::from_tag(&tag))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Locale::default()
    }
}

/// Buttons to switch language. A plain form: it works without JavaScript, and with it the
/// page changes language in place.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLocale>::new();
    Effect::new(move |_| {
        if let Some(Ok(locale)) = action.value().get() {
            i18n.set(locale);
        }
    });

    view! {
        <ActionForm action attr:class="lang-switch">
            {move || {
                let current = i18n.locale();
                let t = i18n.t();
                Locale::ALL
                    .into_iter()
                    .filter(move |locale| *locale != current)
                    .map(|other| {
                        view! {
                            <input type="hidden" name="locale" value=other.tag() />
                            <button type="submit" class="lang-switch__button">
                                <span class="visually-hidden">{t.switch_language} " "</span>
                                <span lang=other.tag()>{other.endonym()}</span>
                            </button>
                        }
                    })
                    .collect_view()
            }}
        </ActionForm>
    }
}

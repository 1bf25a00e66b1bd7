//! Server function for choosing a language (kept on the account of a signed-in person).

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::Locale;

/// Remembers `locale` in the `portal_lang` cookie and returns it.
///
/// Public on purpose: anyone, signed in or not, may choose the language of the pages; a
/// signed-in person's account remembers it too.
/// Works as a plain form post without JavaScript (the browser is sent back to the page).
#[server(endpoint = "locale/set")]
pub async fn set_locale(locale: String) -> Result<Locale, AppError> {
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    request::respond(
        async {
            let chosen = Locale::from_tag(&locale).ok_or_else(|| AppError::invalid("locale"))?;
            let state = AppState::current()?;
            // A signed-in person's choice is kept on their account (pages and emails).
            if let Some(who) = crate::identity::server::access::caller().await? {
                crate::accounts::server::service::set_locale(
                    &state.db,
                    who.account_id,
                    chosen,
                    state.clock.now(),
                )
                .await
                .or_internal()?;
            }
            request::set_cookie(&request::locale_cookie(
                chosen,
                state.settings.secure_cookies(),
            ));
            // The same page again, now in the chosen language.
            crate::ssr::forms::land_on(&crate::ssr::forms::origin_or("/"));
            Ok(chosen)
        }
        .await,
    )
}

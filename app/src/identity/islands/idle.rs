//! Signs the page out after the session's idle time without a request to the server:
//! the server ends the session at the same moment, and the screen stops showing personal
//! data to whoever picks up the device.

use leptos::prelude::*;

/// Where the browser goes after an idle sign-out.
pub const IDLE_SIGN_OUT_PATH: &str = "/sign-in?reason=idle";

/// The timer of one rendered page. Each page the server renders (a new page, or one the
/// islands router swaps in) brings its own timer, so the countdown starts again with every
/// request, as the server's does; a timer whose page was swapped out does nothing.
#[island]
pub fn IdleSignOut(seconds: u32) -> impl IntoView {
    let marker = NodeRef::<leptos::html::Span>::new();
    #[cfg(feature = "hydrate")]
    {
        // The page lives on after the timer fires only if the browser refuses to leave it.
        let _ = set_timeout_with_handle(
            move || {
                let current = marker
                    .get_untracked()
                    .is_some_and(|span| span.is_connected());
                if let (true, Some(window)) = (current, web_sys::window()) {
                    let _ = window.location().assign(IDLE_SIGN_OUT_PATH);
                }
            },
            std::time::Duration::from_secs(u64::from(seconds)),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = seconds;
    view! { <span class="idle-timer" hidden node_ref=marker></span> }
}

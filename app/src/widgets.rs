//! Small widgets that need the browser where a form cannot do, as islands.

use leptos::prelude::*;

/// Opens the browser's print dialog. Hidden until the page's script runs: without
/// JavaScript the browser's own menu prints, and a dead button would only mislead.
#[island]
pub fn PrintButton(label: String) -> impl IntoView {
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <button
            type="button"
            class="button"
            hidden=move || !ready.get()
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                if let Some(window) = web_sys::window() {
                    // Printing is a convenience; the browser's own menu does the same.
                    let _ = window.print();
                }
            }
        >
            {label}
        </button>
    }
}

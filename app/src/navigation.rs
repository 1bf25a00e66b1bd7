//! What the page needs from the browser when the islands router swaps pages in without
//! reloading: focus for keyboard and screen reader users, and the pressed button's value
//! in a form post.

use leptos::prelude::*;

/// Rendered once per page, at the end of the main content. After a swap, focus moves to
/// the page's first notice (a refusal or a confirmation) or else to the main content, as a
/// browser's own page load would put the reader at the start of the new page.
#[island]
pub fn PageArrived() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::arrived();
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::sync::atomic::{AtomicBool, Ordering};

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    /// Whether a page was woken up before: the first one came with a full load, and the
    /// browser placed focus itself.
    static LOADED_BEFORE: AtomicBool = AtomicBool::new(false);

    /// Marks the copy of a pressed button's value added to its form.
    const SUBMITTER_MARK: &str = "data-submitter";

    pub fn arrived() {
        let Some(document) = web_sys::window().and_then(|window| window.document()) else {
            return;
        };
        // The islands before this one, the last of the page, are awake: say so (the
        // browser tests wait for it before they press an island's button).
        if let Some(main) = document.get_element_by_id("main") {
            let _ = main.set_attribute("data-hydrated", "true");
        }
        if !LOADED_BEFORE.swap(true, Ordering::Relaxed) {
            keep_submitter_values(&document);
            return;
        }
        let target = document
            .query_selector("main .notice[tabindex]")
            .ok()
            .flatten()
            .or_else(|| document.get_element_by_id("main"));
        if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            // Focus is a courtesy: if it fails the page is still there to read.
            let _ = element.focus();
        }
    }

    /// The islands router posts a form's fields without the button that was pressed (the
    /// officer's "explain" or "escalate"); a browser's own post includes it. Before the
    /// router reads the form, this copies the pressed button's name and value into it.
    /// The router also posts every form as plain fields, which drops files: a form that
    /// sends files is kept from it and posted by the browser itself.
    fn keep_submitter_values(document: &web_sys::Document) {
        let listener =
            Closure::<dyn Fn(web_sys::SubmitEvent)>::new(|event: web_sys::SubmitEvent| {
                let Some(form) = event
                    .target()
                    .and_then(|target| target.dyn_into::<web_sys::HtmlFormElement>().ok())
                else {
                    return;
                };
                if form.enctype() == "multipart/form-data" {
                    // The router listens on the window, after this: it never sees it.
                    event.stop_propagation();
                    return;
                }
                if let Some(submitter) = event.submitter() {
                    copy_submitter(&form, &submitter);
                }
            });
        let options = web_sys::AddEventListenerOptions::new();
        options.set_capture(true);
        // Without the listener only two-button forms lose their button under the router.
        let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
            "submit",
            listener.as_ref().unchecked_ref(),
            &options,
        );
        listener.forget();
    }

    fn copy_submitter(form: &web_sys::HtmlFormElement, submitter: &web_sys::HtmlElement) {
        if let Ok(Some(old)) = form.query_selector(&format!("input[{SUBMITTER_MARK}]")) {
            old.remove();
        }
        let (Some(name), Some(value)) = (
            submitter
                .get_attribute("name")
                .filter(|name| !name.is_empty()),
            submitter.get_attribute("value"),
        ) else {
            return;
        };
        let Some(document) = form.owner_document() else {
            return;
        };
        let Ok(input) = document.create_element("input") else {
            return;
        };
        for (attribute, content) in [
            ("type", "hidden"),
            ("name", name.as_str()),
            ("value", value.as_str()),
            (SUBMITTER_MARK, ""),
        ] {
            let _ = input.set_attribute(attribute, content);
        }
        let _ = form.append_child(&input);
    }
}

//! Shared design-system pieces: page frame, error notice, not-found page.

pub mod chart;
pub mod error_notice;
pub mod layout;
pub mod not_found;

use leptos::prelude::*;

/// A key that goes up each time `accepted()` turns true: resources keyed on it load again
/// after a change was accepted, and not after a refusal (so the form keeps what was typed).
pub fn reload_key(accepted: impl Fn() -> bool + 'static) -> ReadSignal<u32> {
    let key = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if accepted() {
            key.update(|n| *n += 1);
        }
    });
    key.read_only()
}

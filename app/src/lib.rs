//! The Patient Privacy Portal application: routes, pages, server functions and the data
//! model shared by the server and the browser. One folder per feature. Pages are server
//! components (each feature's `ui`, server only, like its `server` services); the browser
//! compiles only the types, the server functions' calls and the few islands.

// Release builds keep each page's full view type (debug builds erase it), which nests
// deeper than the compiler's default limit.
#![recursion_limit = "256"]

pub mod access_log;
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod audit;
pub mod complaints;
pub mod consent;
pub mod corrections;
pub mod directory;
pub mod error;
pub mod hospital;
pub mod i18n;
pub mod identity;
#[cfg(feature = "ssr")]
pub mod landing;
pub mod navigation;
#[cfg(feature = "ssr")]
mod pages;
pub mod record;
pub mod reports;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod staff;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod ui;
pub mod vocabulary;
pub mod widgets;

pub(crate) use vocabulary::vocabulary;

#[cfg(feature = "ssr")]
pub use pages::{shell, App};

/// Wakes up the islands of a server-rendered page (the WebAssembly entry point calls this;
/// it must, or the linker drops the islands).
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}

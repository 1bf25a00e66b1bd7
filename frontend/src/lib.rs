//! The WebAssembly entry point: wakes up the islands of the server-rendered page and
//! nothing else. Pages themselves are never compiled for the browser.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate();
}

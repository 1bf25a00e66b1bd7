//! The parts of identity that run in the browser, as Leptos islands: the passkey
//! ceremonies (enrollment, sign-in, adding a passkey) and the idle sign-out timer. They
//! are rendered on the server like the rest of the page and woken up by the WebAssembly;
//! their words come from the server as props.

pub mod add_passkey;
pub mod ceremony;
pub mod enroll;
pub mod idle;
pub mod sign_in;
pub mod webauthn;

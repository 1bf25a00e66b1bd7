//! The two places the report pages use the browser, when it runs scripts: the form's send
//! button does the proof of work before sending (without scripts it is a plain submit
//! button and the server's stricter limit applies), and a passkey of no account may stand
//! in for the receipt code where the browser has the WebAuthn PRF extension. The passkey's
//! PRF output, hashed with a label, is the secret the server keeps a keyed hash of: the
//! passkey itself is never registered anywhere and names no one.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The words of the passkey buttons, in the page's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyWords {
    /// The section's heading and lead, if it has them.
    pub heading: String,
    pub lead: String,
    pub button: String,
    pub unsupported: String,
    pub failed: String,
    pub done: String,
}

/// The form's send button: finds the proof of work for `token` (`bits` zero bits), puts
/// it into the form's `work` field and sends the form.
#[island]
pub fn SendWithWork(token: String, bits: u32, label: String) -> impl IntoView {
    let busy = RwSignal::new(false);
    let on_click = move |event: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            // (`target`: Leptos delegates events, so the current target is the document.)
            let form = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .and_then(|button| button.closest("form").ok().flatten())
                .and_then(|form| form.dyn_into::<web_sys::HtmlFormElement>().ok());
            // Without a form, or with fields the browser still has to point out, the
            // button does what it does without scripts.
            let Some(form) = form.filter(web_sys::HtmlFormElement::check_validity) else {
                return;
            };
            event.prevent_default();
            busy.set(true);
            let nonce = super::work::solve(&token, bits);
            if let Some(field) = form
                .query_selector("input[name=work]")
                .ok()
                .flatten()
                .and_then(|field| field.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                field.set_value(&nonce.to_string());
            }
            // A plain post: the browser shows the page that comes back (the receipt).
            if form.submit().is_err() {
                busy.set(false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, &token, bits);
    };
    view! {
        <button
            type="submit"
            class="button button--primary"
            on:click=on_click
            disabled=move || busy.get()
        >
            {label}
        </button>
    }
}

/// What the passkey button last did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Ready,
    Working,
    Unsupported,
    Failed,
    Done,
}

/// A passkey button (`create`: make one for this report; else open a report with one) and
/// its live message. Hidden until the page's script runs.
#[island]
pub fn ReportPasskey(create: bool, words: PasskeyWords) -> impl IntoView {
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let outcome = RwSignal::new(Outcome::Ready);
    let on_click = move |_| {
        outcome.set(Outcome::Working);
        leptos::task::spawn_local(async move {
            let result = if create {
                prf::protect().await
            } else {
                prf::open().await
            };
            match result {
                Ok(()) if create => outcome.set(Outcome::Done),
                Ok(()) => crate::identity::islands::ceremony::go_to("/report/follow-up"),
                Err(prf::Failure::Unsupported) => outcome.set(Outcome::Unsupported),
                Err(prf::Failure::Failed) => outcome.set(Outcome::Failed),
            }
        });
    };
    let heading = (!words.heading.is_empty()).then(|| view! { <h2>{words.heading.clone()}</h2> });
    let lead = (!words.lead.is_empty()).then(|| view! { <p>{words.lead.clone()}</p> });
    let words = StoredValue::new(words);
    let label = words.with_value(|w| w.button.clone());
    view! {
        <div class="report-passkey" hidden=move || !ready.get()>
            {heading}
            {lead}
            <button
                type="button"
                class="button"
                on:click=on_click
                disabled=move || matches!(outcome.get(), Outcome::Working | Outcome::Done)
            >
                {label}
            </button>
            <div aria-live="polite">
                {move || {
                    let (text, error) = words
                        .with_value(|w| match outcome.get() {
                            Outcome::Unsupported => (Some(w.unsupported.clone()), true),
                            Outcome::Failed => (Some(w.failed.clone()), true),
                            Outcome::Done => (Some(w.done.clone()), false),
                            Outcome::Ready | Outcome::Working => (None, false),
                        });
                    text.map(|text| {
                        let class = if error { "notice notice--error" } else { "notice notice--success" };
                        view! { <p class=class>{text}</p> }
                    })
                }}
            </div>
        </div>
    }
}

mod prf {
    //! The WebAuthn PRF ceremonies.

    /// Why no secret came.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Failure {
        /// No WebAuthn, or no PRF, here.
        Unsupported,
        Failed,
    }

    /// Creates a passkey of no account, gets its PRF output, and lets it open the report
    /// of this session.
    pub async fn protect() -> Result<(), Failure> {
        let secret = browser::create_and_evaluate().await?;
        crate::reports::api::protect_report_with_passkey(secret)
            .await
            .map_err(|_| Failure::Failed)
    }

    /// Asks for a passkey, gets its PRF output, and opens the report it protects.
    pub async fn open() -> Result<(), Failure> {
        let secret = browser::evaluate(None).await?;
        crate::reports::api::open_report_with_passkey(secret)
            .await
            .map_err(|_| Failure::Failed)
    }

    // The server renders the islands but never runs a ceremony: these stand in for the
    // browser's versions, which await.
    #[cfg(not(feature = "hydrate"))]
    #[allow(clippy::unused_async)]
    mod browser {
        use super::Failure;

        pub async fn create_and_evaluate() -> Result<String, Failure> {
            Err(Failure::Unsupported)
        }

        pub async fn evaluate(_credential: Option<Vec<u8>>) -> Result<String, Failure> {
            Err(Failure::Unsupported)
        }
    }

    #[cfg(feature = "hydrate")]
    mod browser {
        use js_sys::{Array, Object, Reflect, Uint8Array};
        use wasm_bindgen::{JsCast, JsValue};
        use wasm_bindgen_futures::JsFuture;

        use super::Failure;

        /// The PRF input: the same for every report of this portal (the secret differs by
        /// passkey).
        fn salt() -> Uint8Array {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(b"patient-privacy-portal report follow-up v1");
            Uint8Array::from(digest.as_slice())
        }

        fn random(length: u32) -> Result<Uint8Array, Failure> {
            let bytes = Uint8Array::new_with_length(length);
            web_sys::window()
                .ok_or(Failure::Unsupported)?
                .crypto()
                .map_err(|_| Failure::Unsupported)?
                .get_random_values_with_array_buffer_view(&bytes)
                .map_err(|_| Failure::Unsupported)?;
            Ok(bytes)
        }

        fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), Failure> {
            Reflect::set(target, &key.into(), value)
                .map(|_| ())
                .map_err(|_| Failure::Failed)
        }

        fn object(pairs: &[(&str, JsValue)]) -> Result<Object, Failure> {
            let object = Object::new();
            for (key, value) in pairs {
                set(&object, key, value)?;
            }
            Ok(object)
        }

        fn prf_input() -> Result<Object, Failure> {
            let eval = object(&[("first", salt().into())])?;
            let prf = object(&[("eval", eval.into())])?;
            object(&[("prf", prf.into())])
        }

        fn container() -> Result<web_sys::CredentialsContainer, Failure> {
            let window = web_sys::window().ok_or(Failure::Unsupported)?;
            if Reflect::get(&window, &"PublicKeyCredential".into())
                .map_or(true, |class| class.is_undefined())
            {
                return Err(Failure::Unsupported);
            }
            Ok(window.navigator().credentials())
        }

        fn failure(error: &JsValue) -> Failure {
            let name = Reflect::get(error, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .unwrap_or_default();
            if name == "NotSupportedError" {
                Failure::Unsupported
            } else {
                Failure::Failed
            }
        }

        /// The PRF output in a credential's extension results, if there is one; and
        /// whether PRF is enabled on it.
        fn prf_output(credential: &JsValue) -> Result<(Option<Vec<u8>>, bool), Failure> {
            let results = Reflect::get(credential, &"getClientExtensionResults".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .ok_or(Failure::Unsupported)?
                .call0(credential)
                .map_err(|e| failure(&e))?;
            let prf = Reflect::get(&results, &"prf".into()).map_err(|_| Failure::Failed)?;
            if prf.is_undefined() {
                return Err(Failure::Unsupported);
            }
            let enabled = Reflect::get(&prf, &"enabled".into())
                .ok()
                .and_then(|e| e.as_bool())
                .unwrap_or(false);
            let first = Reflect::get(&prf, &"results".into())
                .ok()
                .filter(|r| !r.is_undefined())
                .and_then(|r| Reflect::get(&r, &"first".into()).ok())
                .filter(|f| !f.is_undefined())
                .map(|f| Uint8Array::new(&f).to_vec());
            Ok((first, enabled))
        }

        /// The secret the server keeps a hash of: SHA-256 of a label and the PRF output,
        /// in hex.
        fn secret(output: &[u8]) -> String {
            use sha2::Digest;
            use std::fmt::Write as _;
            let mut hasher = sha2::Sha256::new();
            hasher.update(b"patient-privacy-portal report secret v1");
            hasher.update(output);
            hasher
                .finalize()
                .iter()
                .fold(String::new(), |mut hex, byte| {
                    let _ = write!(hex, "{byte:02x}");
                    hex
                })
        }

        pub async fn create_and_evaluate() -> Result<String, Failure> {
            let container = container()?;
            let host = web_sys::window()
                .ok_or(Failure::Unsupported)?
                .location()
                .hostname()
                .map_err(|_| Failure::Failed)?;
            let rp = object(&[
                ("name", "Patient Privacy Portal".into()),
                ("id", host.into()),
            ])?;
            let user = object(&[
                ("id", random(16)?.into()),
                ("name", "report".into()),
                ("displayName", "Anonymous report".into()),
            ])?;
            let params = Array::new();
            for alg in [-7, -257] {
                let param = object(&[("type", "public-key".into()), ("alg", JsValue::from(alg))])?;
                params.push(&param);
            }
            let selection = object(&[
                ("residentKey", "required".into()),
                ("userVerification", "required".into()),
            ])?;
            let public_key = object(&[
                ("rp", rp.into()),
                ("user", user.into()),
                ("challenge", random(32)?.into()),
                ("pubKeyCredParams", params.into()),
                ("authenticatorSelection", selection.into()),
                ("extensions", prf_input()?.into()),
            ])?;
            let init = object(&[("publicKey", public_key.into())])?;
            let promise = container
                .create_with_options(init.unchecked_ref())
                .map_err(|e| failure(&e))?;
            let credential = JsFuture::from(promise).await.map_err(|e| failure(&e))?;
            let (first, enabled) = prf_output(&credential)?;
            if let Some(output) = first {
                return Ok(secret(&output));
            }
            if !enabled {
                return Err(Failure::Unsupported);
            }
            // Most authenticators evaluate the PRF only when the passkey is used.
            let id = Reflect::get(&credential, &"rawId".into()).map_err(|_| Failure::Failed)?;
            evaluate(Some(Uint8Array::new(&id).to_vec())).await
        }

        pub async fn evaluate(credential: Option<Vec<u8>>) -> Result<String, Failure> {
            let container = container()?;
            let mut pairs = vec![
                ("challenge", JsValue::from(random(32)?)),
                ("userVerification", "required".into()),
                ("extensions", prf_input()?.into()),
            ];
            if let Some(id) = credential {
                let allowed = Array::new();
                let descriptor = object(&[
                    ("type", "public-key".into()),
                    ("id", Uint8Array::from(id.as_slice()).into()),
                ])?;
                allowed.push(&descriptor);
                pairs.push(("allowCredentials", allowed.into()));
            }
            let public_key = object(&pairs)?;
            let init = object(&[("publicKey", public_key.into())])?;
            let promise = container
                .get_with_options(init.unchecked_ref())
                .map_err(|e| failure(&e))?;
            let credential = JsFuture::from(promise).await.map_err(|e| failure(&e))?;
            match prf_output(&credential)? {
                (Some(output), _) => Ok(secret(&output)),
                (None, _) => Err(Failure::Unsupported),
            }
        }
    }
}

//! The browser half of WebAuthn: turns the server's JSON options into a
//! `navigator.credentials` call and the resulting credential back into JSON.
//! Only compiled for the browser; on the server these functions report `Unsupported`.

/// Why the browser produced no credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrowserFailure {
    /// No WebAuthn (or no JSON helpers) in this browser.
    Unsupported,
    /// The person cancelled, or the request timed out.
    Cancelled,
    /// The authenticator already holds a credential for this account.
    AlreadyRegistered,
    /// Anything else the browser reported.
    Failed,
}

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Function, Object, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::BrowserFailure;

    fn credential_class() -> Result<JsValue, BrowserFailure> {
        let window = web_sys::window().ok_or(BrowserFailure::Unsupported)?;
        let class = Reflect::get(&window, &"PublicKeyCredential".into())
            .map_err(|_| BrowserFailure::Unsupported)?;
        if class.is_undefined() {
            return Err(BrowserFailure::Unsupported);
        }
        Ok(class)
    }

    fn static_method(class: &JsValue, name: &str) -> Result<Function, BrowserFailure> {
        Reflect::get(class, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or(BrowserFailure::Unsupported)
    }

    fn failure(error: &JsValue) -> BrowserFailure {
        let name = Reflect::get(error, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "AbortError" => BrowserFailure::Cancelled,
            "InvalidStateError" => BrowserFailure::AlreadyRegistered,
            "NotSupportedError" => BrowserFailure::Unsupported,
            _ => BrowserFailure::Failed,
        }
    }

    fn to_json(credential: &JsValue) -> Result<String, BrowserFailure> {
        let method = static_method(credential, "toJSON")?;
        let json = method.call0(credential).map_err(|e| failure(&e))?;
        JSON::stringify(&json)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or(BrowserFailure::Failed)
    }

    fn credentials() -> Result<web_sys::CredentialsContainer, BrowserFailure> {
        Ok(web_sys::window()
            .ok_or(BrowserFailure::Unsupported)?
            .navigator()
            .credentials())
    }

    pub async fn create(options_json: &str) -> Result<String, BrowserFailure> {
        let class = credential_class()?;
        let parse = static_method(&class, "parseCreationOptionsFromJSON")?;
        let options = JSON::parse(options_json).map_err(|_| BrowserFailure::Failed)?;
        let public_key = parse.call1(&class, &options).map_err(|e| failure(&e))?;
        let init = Object::new();
        Reflect::set(&init, &"publicKey".into(), &public_key)
            .map_err(|_| BrowserFailure::Failed)?;
        let promise = credentials()?
            .create_with_options(init.unchecked_ref())
            .map_err(|e| failure(&e))?;
        let credential = JsFuture::from(promise).await.map_err(|e| failure(&e))?;
        to_json(&credential)
    }

    pub async fn get(
        options_json: &str,
        conditional: Option<&web_sys::AbortSignal>,
    ) -> Result<String, BrowserFailure> {
        let class = credential_class()?;
        let parse = static_method(&class, "parseRequestOptionsFromJSON")?;
        let challenge = JSON::parse(options_json).map_err(|_| BrowserFailure::Failed)?;
        let options =
            Reflect::get(&challenge, &"publicKey".into()).map_err(|_| BrowserFailure::Failed)?;
        let public_key = parse.call1(&class, &options).map_err(|e| failure(&e))?;
        let init = Object::new();
        Reflect::set(&init, &"publicKey".into(), &public_key)
            .map_err(|_| BrowserFailure::Failed)?;
        if let Some(signal) = conditional {
            Reflect::set(&init, &"mediation".into(), &"conditional".into())
                .map_err(|_| BrowserFailure::Failed)?;
            Reflect::set(&init, &"signal".into(), signal).map_err(|_| BrowserFailure::Failed)?;
        }
        let promise = credentials()?
            .get_with_options(init.unchecked_ref())
            .map_err(|e| failure(&e))?;
        let credential = JsFuture::from(promise).await.map_err(|e| failure(&e))?;
        to_json(&credential)
    }

    pub async fn conditional_available() -> bool {
        let Ok(class) = credential_class() else {
            return false;
        };
        let Ok(check) = static_method(&class, "isConditionalMediationAvailable") else {
            return false;
        };
        let Ok(promise) = check
            .call0(&class)
            .and_then(JsCast::dyn_into::<js_sys::Promise>)
        else {
            return false;
        };
        JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }
}

/// Asks the browser to create a passkey with the server's options.
pub async fn create_passkey(options_json: &str) -> Result<String, BrowserFailure> {
    #[cfg(feature = "hydrate")]
    {
        browser::create(options_json).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options_json;
        Err(BrowserFailure::Unsupported)
    }
}

/// Asks the browser for a passkey assertion (a modal prompt).
pub async fn get_passkey(options_json: &str) -> Result<String, BrowserFailure> {
    #[cfg(feature = "hydrate")]
    {
        browser::get(options_json, None).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options_json;
        Err(BrowserFailure::Unsupported)
    }
}

/// Offers passkeys in the autofill of the sign-in field, until `signal` aborts.
#[cfg(feature = "hydrate")]
pub async fn get_passkey_conditional(
    options_json: &str,
    signal: &web_sys::AbortSignal,
) -> Result<String, BrowserFailure> {
    browser::get(options_json, Some(signal)).await
}

/// Whether the browser supports passkeys in autofill.
#[cfg(feature = "hydrate")]
pub async fn conditional_available() -> bool {
    browser::conditional_available().await
}

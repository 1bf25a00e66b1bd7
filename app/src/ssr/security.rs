//! The Content Security Policy, shared by rendered pages (with a per-response nonce for
//! the hydration script) and every other response (no inline script at all).

/// The policy for a response. Scripts run only from the portal itself, or inline when they
/// carry this response's `nonce`; WebAssembly may be compiled; nothing may frame the portal.
#[must_use]
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let script_src = match nonce {
        Some(nonce) => format!("'self' 'wasm-unsafe-eval' 'nonce-{nonce}'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_allows_inline_scripts_without_a_nonce() {
        for policy in [
            content_security_policy(None),
            content_security_policy(Some("abc")),
        ] {
            assert!(!policy.contains("unsafe-inline"));
            assert!(policy.contains("frame-ancestors 'none'"));
        }
        assert!(content_security_policy(Some("abc")).contains("'nonce-abc'"));
    }
}

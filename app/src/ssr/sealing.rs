//! Sealing what anonymous reporters send, so that a copy of the database alone reveals
//! none of it. The portal's report key lives outside the database (`PORTAL_REPORT_KEY`, or
//! the file `report-key` in the data directory). Each report has a key of its own, stored
//! only sealed with the portal's key; its text, messages and files are sealed with it
//! (AES-256-GCM, a fresh nonce each time). Destroying a report's rows destroys its key.
//!
//! Receipt codes are stored as an Argon2id hash whose salt is derived from the portal's
//! key: checking a guess costs a slow hash, and without the key no guess can be checked at
//! all. (One salt for the portal rather than one per report, so a code finds its report by
//! an index instead of one slow hash per stored report.)

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use rand::RngCore;
use sha2::Sha256;

/// File name of the report key in the data directory.
pub const KEY_FILE: &str = "report-key";

const NONCE: usize = 12;
const TAG: usize = 16;
/// Bytes sealing adds to what it seals.
pub const OVERHEAD: i64 = 28;

/// Why something could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The sealed bytes were changed, cut, or sealed with another key.
    #[error("sealed data does not open with this key")]
    Tampered,
    #[error("cannot seal: {0}")]
    Crypto(String),
}

/// The portal's report key.
#[derive(Clone)]
pub struct ReportKeys {
    master: [u8; 32],
}

impl std::fmt::Debug for ReportKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("ReportKeys(…)")
    }
}

/// The key of one report.
pub struct ReportKey([u8; 32]);

impl ReportKeys {
    /// The configured key, or the one in `data_dir`, or a new one saved there.
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> Result<ReportKeys, String> {
        let master =
            crate::ssr::key_files::secret(configured, "PORTAL_REPORT_KEY", data_dir, KEY_FILE)?;
        Ok(ReportKeys { master })
    }

    /// A key for one use, derived from the portal's key and what it is for.
    fn derived(&self, purpose: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.master)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose);
        mac.finalize().into_bytes().into()
    }

    /// A new key for a report, and its sealed form to store.
    pub fn new_report_key(&self) -> Result<(ReportKey, String), SealError> {
        let mut key = [0_u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let sealed = seal(&self.derived(b"report keys"), &key)?;
        Ok((ReportKey(key), STANDARD.encode(sealed)))
    }

    /// A report's key from its sealed form.
    pub fn open_report_key(&self, sealed: &str) -> Result<ReportKey, SealError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| SealError::Tampered)?;
        let key = open(&self.derived(b"report keys"), &bytes)?;
        Ok(ReportKey(key.try_into().map_err(|_| SealError::Tampered)?))
    }

    /// The stored form of a receipt code (its 16 digits): Argon2id with the portal's salt.
    pub fn receipt_hash(&self, digits: &str) -> Result<String, SealError> {
        use argon2::{Algorithm, Argon2, Params, Version};
        let salt = self.derived(b"receipt salt");
        // OWASP's recommended minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
        let params =
            Params::new(19 * 1024, 2, 1, Some(32)).map_err(|e| SealError::Crypto(e.to_string()))?;
        let mut out = [0_u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(digits.as_bytes(), &salt[..16], &mut out)
            .map_err(|e| SealError::Crypto(e.to_string()))?;
        Ok(crate::ssr::tokens::hex(&out))
    }

    /// The stored form of a secret a passkey gave (256 bits: a keyed fast hash is enough).
    #[must_use]
    pub fn passkey_hash(&self, secret: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.derived(b"passkey secrets"))
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(secret);
        crate::ssr::tokens::hex(&mac.finalize().into_bytes())
    }

    /// A tag over `data` that only this portal can make (the report form's tokens).
    #[must_use]
    pub fn tag(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.derived(b"form tokens"))
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

impl ReportKey {
    /// `plain` sealed: nonce, ciphertext, tag.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        seal(&self.0, plain)
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        open(&self.0, sealed)
    }

    /// Text sealed, as base64 (for text columns).
    pub fn seal_text(&self, plain: &str) -> Result<String, SealError> {
        Ok(STANDARD.encode(self.seal(plain.as_bytes())?))
    }

    pub fn open_text(&self, sealed: &str) -> Result<String, SealError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| SealError::Tampered)?;
        String::from_utf8(self.open(&bytes)?).map_err(|_| SealError::Tampered)
    }
}

fn seal(key: &[u8; 32], plain: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut nonce = [0_u8; NONCE];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let mut tag = [0_u8; TAG];
    let sealed = encrypt_aead(
        Cipher::aes_256_gcm(),
        key,
        Some(&nonce),
        &[],
        plain,
        &mut tag,
    )
    .map_err(|e| SealError::Crypto(e.to_string()))?;
    let mut out = Vec::with_capacity(NONCE + sealed.len() + TAG);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out.extend_from_slice(&tag);
    Ok(out)
}

fn open(key: &[u8; 32], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    if sealed.len() < NONCE + TAG {
        return Err(SealError::Tampered);
    }
    let (nonce, rest) = sealed.split_at(NONCE);
    let (body, tag) = rest.split_at(rest.len() - TAG);
    decrypt_aead(Cipher::aes_256_gcm(), key, Some(nonce), &[], body, tag)
        .map_err(|_| SealError::Tampered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(byte: u8) -> ReportKeys {
        ReportKeys { master: [byte; 32] }
    }

    #[test]
    fn a_sealed_text_opens_only_with_its_key_and_hides_its_words() {
        let portal = keys(1);
        let (key, sealed_key) = portal.new_report_key().unwrap();
        let sealed = key.seal_text("护士站电脑屏幕没锁").unwrap();
        assert!(!sealed.contains("屏幕"));
        let reopened = portal.open_report_key(&sealed_key).unwrap();
        assert_eq!(reopened.open_text(&sealed).unwrap(), "护士站电脑屏幕没锁");
        // Another portal's key opens nothing.
        assert!(keys(2).open_report_key(&sealed_key).is_err());
        // A changed byte is found.
        let mut bytes = STANDARD.decode(&sealed).unwrap();
        bytes[NONCE] ^= 1;
        assert!(key.open(&bytes).is_err());
        // The same text sealed twice looks different.
        assert_ne!(key.seal_text("x").unwrap(), key.seal_text("x").unwrap());
    }

    #[test]
    fn receipt_hashes_depend_on_the_code_and_the_portal() {
        let a = keys(1).receipt_hash("1234567812345678").unwrap();
        assert_eq!(a, keys(1).receipt_hash("1234567812345678").unwrap());
        assert_ne!(a, keys(1).receipt_hash("1234567812345679").unwrap());
        assert_ne!(a, keys(2).receipt_hash("1234567812345678").unwrap());
        assert_eq!(a.len(), 64);
    }
}

//! The portal's Ed25519 key, which signs checkpoints of the chain and the head of each
//! patient's chain in their download. From `PORTAL_SIGNING_KEY` (base64 of the 32-byte
//! seed) when set; otherwise kept in the data directory, generated on first start.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};

/// File name of the key in the data directory.
pub const KEY_FILE: &str = "signing-key";

/// Signs statements about the log.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "Signer({})", self.public_key())
    }
}

impl Signer {
    /// A key from a base64 seed.
    pub fn from_seed(seed_b64: &str) -> Result<Signer, String> {
        let seed = crate::ssr::key_files::decode(seed_b64)?;
        Ok(Signer {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The configured key, or the one in `data_dir`, or a new one saved there.
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> Result<Signer, String> {
        let seed =
            crate::ssr::key_files::secret(configured, "PORTAL_SIGNING_KEY", data_dir, KEY_FILE)?;
        Ok(Signer {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The public key, base64 (published, and included in downloads).
    #[must_use]
    pub fn public_key(&self) -> String {
        STANDARD.encode(self.key.verifying_key().to_bytes())
    }

    /// A base64 signature of `message`.
    #[must_use]
    pub fn sign(&self, message: &str) -> String {
        STANDARD.encode(self.key.sign(message.as_bytes()).to_bytes())
    }
}

/// Whether `signature_b64` is a valid signature of `message` by `public_key_b64`.
#[must_use]
pub fn verify(public_key_b64: &str, message: &str, signature_b64: &str) -> bool {
    let Ok(key_bytes) = STANDARD.decode(public_key_b64) else {
        return false;
    };
    let Ok(signature_bytes) = STANDARD.decode(signature_b64) else {
        return false;
    };
    let (Ok(key_bytes), Ok(signature_bytes)) = (
        <[u8; 32]>::try_from(key_bytes),
        <[u8; 64]>::try_from(signature_bytes),
    ) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&key_bytes) else {
        return false;
    };
    key.verify(message.as_bytes(), &Signature::from_bytes(&signature_bytes))
        .is_ok()
}

/// What a checkpoint signs: the last event of the whole chain and its hash.
#[must_use]
pub fn checkpoint_message(last_event_id: i64, hash: &str, signed_at_ms: i64) -> String {
    format!("patient-privacy-portal checkpoint v1\n{last_event_id}\n{hash}\n{signed_at_ms}")
}

/// What a download signs: the patient, how many events they have and their chain's head.
#[must_use]
pub fn patient_head_message(mrn: &str, events: i64, hash: &str, signed_at_ms: i64) -> String {
    format!("patient-privacy-portal patient head v1\n{mrn}\n{events}\n{hash}\n{signed_at_ms}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_signatures_verify() {
        let dir = tempdir();
        let first = Signer::load_or_create(None, &dir).unwrap();
        let again = Signer::load_or_create(None, &dir).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        let message = checkpoint_message(5, "ab", 7);
        let signature = first.sign(&message);
        assert!(verify(&first.public_key(), &message, &signature));
        assert!(!verify(
            &first.public_key(),
            &checkpoint_message(6, "ab", 7),
            &signature
        ));
        assert!(!verify(
            &first.public_key(),
            &message,
            "bm90IGEgc2lnbmF0dXJl"
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_key_others_can_read_stops_the_start() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempdir();
        Signer::load_or_create(None, &dir).unwrap();
        let key = dir.join(KEY_FILE);
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
        let Err(message) = Signer::load_or_create(None, &dir) else {
            panic!("a group-readable key was accepted");
        };
        assert!(message.contains("chmod 600"), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_configured_seed_wins_and_bad_seeds_are_refused() {
        let seed = STANDARD.encode([7_u8; 32]);
        let dir = tempdir();
        let signer = Signer::load_or_create(Some(&seed), &dir).unwrap();
        assert_eq!(
            signer.public_key(),
            Signer::from_seed(&seed).unwrap().public_key()
        );
        assert!(!dir.join(KEY_FILE).exists());
        assert!(Signer::from_seed("short").is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempdir() -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("portal-key-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}

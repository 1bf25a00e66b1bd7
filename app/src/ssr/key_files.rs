//! Secrets the portal keeps outside its database (the signing key, the report key): from a
//! setting (base64 of 32 bytes) when one is given, otherwise a file in the data directory,
//! readable by the portal's user only, created with fresh random bytes on first start.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

/// 32 bytes from their base64.
pub fn decode(text: &str) -> Result<[u8; 32], String> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|e| format!("not base64: {e}"))?;
    bytes
        .try_into()
        .map_err(|_| "a key is 32 bytes (44 characters of base64)".to_owned())
}

/// The secret from `configured` (the value of setting `setting`), else from `file` in
/// `data_dir`, else a new one written there.
pub fn secret(
    configured: Option<&str>,
    setting: &str,
    data_dir: &Path,
    file: &str,
) -> Result<[u8; 32], String> {
    if let Some(text) = configured {
        return decode(text).map_err(|e| format!("{setting}: {e}"));
    }
    let path = data_dir.join(file);
    if path.exists() {
        refuse_shared_key(&path)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return decode(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    let mut secret = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    create_private_dir(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    write_private(&path, &STANDARD.encode(secret))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret)
}

/// A key others can read is a forgery (or a disclosure) waiting to happen: the portal does
/// not start with one.
#[cfg(unix)]
#[allow(clippy::verbose_bit_mask)] // Permission bits read best as the octal mask they are.
fn refuse_shared_key(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 == 0 {
        Ok(())
    } else {
        Err(format!(
            "the key {} can be read by other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        ))
    }
}

#[cfg(not(unix))]
fn refuse_shared_key(_path: &Path) -> Result<(), String> {
    Ok(())
}

/// The data directory, created readable by the portal's user only.
#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    if dir.exists() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

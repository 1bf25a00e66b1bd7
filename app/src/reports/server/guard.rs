//! What keeps the report pages usable and abuse expensive without knowing anyone: the
//! form's tokens (signed, a few seconds old at least, used once), the proof of work a page
//! solves, limits per client, and the short sessions after a correct receipt code. All of
//! it lives in this server's memory only; a client is counted under a salted hash of its
//! address, never the address itself, and nothing here is written anywhere.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::identity::server::rate_limit::client_key;
use crate::ssr::limits::Windows;
use crate::ssr::sealing::ReportKeys;

/// Leading zero bits of SHA-256(`token:nonce`): about 65 000 hashes, a fraction of a second
/// on a cheap phone.
pub const WORK_BITS: u32 = 16;
/// A form sent sooner than this after its page was shown was not filled in by a person.
pub const TOKEN_MIN_AGE: Duration = Duration::seconds(3);
/// A form page older than this is shown again with a fresh token.
pub const TOKEN_MAX_AGE: Duration = Duration::hours(6);
/// A follow-up session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::minutes(15);

/// How many reports a client may file per hour: with the page's proof of work, and
/// without it (JavaScript off), where the limit is all the protection there is.
const FILINGS_WITH_WORK: u32 = 10;
const FILINGS_WITHOUT_WORK: u32 = 3;
/// Receipt codes a client may try per 15 minutes (right or wrong).
const CODE_TRIES: u32 = 10;

/// Why a form's token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    /// Not one of ours, expired, or already used: the page is shown again with a new one.
    Stale,
    /// Sent within seconds of the page being shown.
    TooFresh,
}

/// The in-memory guard of the report pages.
pub struct Guard {
    keys: ReportKeys,
    /// Salt of the client hashes, new with every start.
    salt: [u8; 16],
    filings: Windows<([u8; 16], bool)>,
    codes: Windows<[u8; 16]>,
    used_tokens: Mutex<HashMap<[u8; 16], OffsetDateTime>>,
    sessions: Mutex<HashMap<String, (i64, OffsetDateTime)>>,
    /// Slow hashes at once: each takes 19 MiB and a core for a moment.
    pub hashing: tokio::sync::Semaphore,
}

impl Guard {
    #[must_use]
    pub fn new(keys: ReportKeys) -> Guard {
        let mut salt = [0_u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        Guard {
            keys,
            salt,
            filings: Windows::new(Duration::hours(1)),
            codes: Windows::new(Duration::minutes(15)),
            used_tokens: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            hashing: tokio::sync::Semaphore::new(2),
        }
    }

    fn client(&self, address: IpAddr) -> [u8; 16] {
        let mut hasher = Sha256::new();
        hasher.update(self.salt);
        hasher.update(client_key(address).to_string().as_bytes());
        let digest = hasher.finalize();
        let mut key = [0_u8; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }

    /// A new form token: when it was issued, a random part, and our tag over both.
    #[must_use]
    pub fn issue(&self, now: OffsetDateTime) -> String {
        let mut body = [0_u8; 24];
        body[..8].copy_from_slice(&now.unix_timestamp().to_be_bytes());
        rand::rngs::OsRng.fill_bytes(&mut body[8..]);
        let tag = self.keys.tag(&body);
        let mut token = body.to_vec();
        token.extend_from_slice(&tag[..16]);
        URL_SAFE_NO_PAD.encode(token)
    }

    /// Checks a token without using it up; its random part, to use it up on filing.
    pub fn check(&self, token: &str, now: OffsetDateTime) -> Result<[u8; 16], TokenProblem> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| TokenProblem::Stale)?;
        if bytes.len() != 40 || self.keys.tag(&bytes[..24])[..16] != bytes[24..] {
            return Err(TokenProblem::Stale);
        }
        let mut issued = [0_u8; 8];
        issued.copy_from_slice(&bytes[..8]);
        let issued = OffsetDateTime::from_unix_timestamp(i64::from_be_bytes(issued))
            .map_err(|_| TokenProblem::Stale)?;
        let age = now - issued;
        if age > TOKEN_MAX_AGE || age < Duration::ZERO {
            return Err(TokenProblem::Stale);
        }
        if age < TOKEN_MIN_AGE {
            return Err(TokenProblem::TooFresh);
        }
        let mut random = [0_u8; 16];
        random.copy_from_slice(&bytes[8..24]);
        let used = self
            .used_tokens
            .lock()
            .map_or(true, |used| used.contains_key(&random));
        if used {
            return Err(TokenProblem::Stale);
        }
        Ok(random)
    }

    /// Marks a token used; `false` if another request used it first.
    pub fn use_up(&self, random: [u8; 16], now: OffsetDateTime) -> bool {
        let Ok(mut used) = self.used_tokens.lock() else {
            return false;
        };
        if used.len() > 100_000 {
            used.retain(|_, at| now - *at < TOKEN_MAX_AGE);
        }
        used.insert(random, now).is_none()
    }

    /// Whether `work` proves the work for `token`.
    #[must_use]
    pub fn worked(token: &str, work: &str) -> bool {
        work.trim()
            .parse::<u64>()
            .is_ok_and(|nonce| crate::reports::work::proves(token.trim(), nonce, WORK_BITS))
    }

    /// Counts a filing; `false` when the client has filed its share this hour.
    pub fn allow_filing(&self, address: IpAddr, worked: bool, now: OffsetDateTime) -> bool {
        let limit = if worked {
            FILINGS_WITH_WORK
        } else {
            FILINGS_WITHOUT_WORK
        };
        self.filings.count((self.client(address), worked), 1, now) <= limit
    }

    /// Counts a receipt code tried; `false` when the client has tried its share.
    pub fn allow_code(&self, address: IpAddr, now: OffsetDateTime) -> bool {
        self.codes.count(self.client(address), 1, now) <= CODE_TRIES
    }

    /// Starts a follow-up session on report `report_id`; its cookie value.
    #[must_use]
    pub fn start_session(&self, report_id: i64, now: OffsetDateTime) -> String {
        let token = crate::ssr::tokens::new_token();
        if let Ok(mut sessions) = self.sessions.lock() {
            if sessions.len() > 10_000 {
                sessions.retain(|_, (_, seen)| now - *seen < SESSION_IDLE);
            }
            sessions.insert(crate::ssr::tokens::hash(&token), (report_id, now));
        }
        token
    }

    /// The report of a live session, which it keeps alive.
    #[must_use]
    pub fn session(&self, token: &str, now: OffsetDateTime) -> Option<i64> {
        let mut sessions = self.sessions.lock().ok()?;
        let key = crate::ssr::tokens::hash(token);
        let (report, seen) = sessions.get_mut(&key)?;
        if now - *seen >= SESSION_IDLE {
            sessions.remove(&key);
            return None;
        }
        *seen = now;
        Some(*report)
    }

    pub fn end_session(&self, token: &str) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.remove(&crate::ssr::tokens::hash(token));
        }
    }

    /// Ends every session on reports that no longer exist.
    pub fn forget_reports(&self, ids: &[i64]) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.retain(|_, (report, _)| !ids.contains(report));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        let dir = std::env::temp_dir().join(format!("portal-guard-{}", uuid::Uuid::new_v4()));
        let keys = ReportKeys::load_or_create(None, &dir).unwrap();
        let _ = std::fs::remove_dir_all(dir);
        Guard::new(keys)
    }

    #[test]
    fn a_token_must_be_ours_a_few_seconds_old_and_used_once() {
        let ours = guard();
        let guard = &ours;
        let now = OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        let token = guard.issue(now);
        assert_eq!(guard.check(&token, now), Err(TokenProblem::TooFresh));
        let later = now + Duration::seconds(5);
        let random = guard.check(&token, later).unwrap();
        assert!(guard.use_up(random, later));
        assert_eq!(guard.check(&token, later), Err(TokenProblem::Stale));
        assert_eq!(
            guard.check(&guard.issue(now), now + Duration::hours(7)),
            Err(TokenProblem::Stale)
        );
        // Another portal's token, or a changed one.
        assert_eq!(
            super::tests::guard().check(&token, later),
            Err(TokenProblem::Stale)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(guard.issue(now)).unwrap();
        bytes[0] ^= 1;
        assert_eq!(
            guard.check(&URL_SAFE_NO_PAD.encode(bytes), later),
            Err(TokenProblem::Stale)
        );
    }

    #[test]
    fn work_is_checked_by_its_hash() {
        let token = "abc";
        let nonce = (0_u64..10_000_000)
            .find(|n| Guard::worked(token, &n.to_string()))
            .unwrap();
        assert!(Guard::worked(token, &nonce.to_string()));
        assert!(!Guard::worked(token, ""));
        assert!(!Guard::worked(token, "12a"));
    }

    #[test]
    fn sessions_end_after_fifteen_idle_minutes() {
        let guard = guard();
        let now = OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        let token = guard.start_session(7, now);
        assert_eq!(guard.session(&token, now + Duration::minutes(14)), Some(7));
        assert_eq!(guard.session(&token, now + Duration::minutes(28)), Some(7));
        assert_eq!(guard.session(&token, now + Duration::minutes(44)), None);
        assert_eq!(guard.session("other", now), None);
    }
}

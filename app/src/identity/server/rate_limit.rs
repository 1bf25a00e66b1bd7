//! In-memory rate limits for sign-in and enrollment, per client address. Held in memory
//! only (nothing about who tried is stored); each server instance limits on its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

/// What is being limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    SignIn,
    Enroll,
}

/// A fixed-window limiter: at most `limit` attempts per `window` per address and action.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<(IpAddr, Action), (OffsetDateTime, u32)>>,
}

impl RateLimiter {
    #[must_use]
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt; `false` when the address is over its limit.
    pub fn allow(&self, address: IpAddr, action: Action, now: OffsetDateTime) -> bool {
        let Ok(mut windows) = self.windows.lock() else {
            // A poisoned lock only means another request panicked; refuse rather than guess.
            return false;
        };
        if windows.len() > 100_000 {
            // Bound memory under a flood: forget windows that have ended.
            let window = self.window;
            windows.retain(|_, (start, _)| now - *start < window);
        }
        let entry = windows.entry((address, action)).or_insert((now, 0));
        if now - entry.0 >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn limits_per_address_and_window() {
        let limiter = RateLimiter::new(2, Duration::minutes(1));
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(limiter.allow(a, Action::SignIn, t0));
        assert!(limiter.allow(a, Action::SignIn, t0));
        assert!(!limiter.allow(a, Action::SignIn, t0));
        assert!(
            limiter.allow(b, Action::SignIn, t0),
            "other addresses are unaffected"
        );
        assert!(
            limiter.allow(a, Action::Enroll, t0),
            "other actions are unaffected"
        );
        assert!(
            limiter.allow(a, Action::SignIn, t0 + Duration::minutes(1)),
            "a new window"
        );
    }
}

//! In-memory rate limits for sign-in and enrollment, per client and per account. Held in
//! memory only (nothing about who tried is stored); each server instance limits on its own.
//!
//! A client is its address; IPv6 clients are grouped by their /64 network, since one
//! device or home commonly holds a whole /64 and could otherwise take a fresh address for
//! every attempt.

use std::net::IpAddr;

use time::{Duration, OffsetDateTime};

use crate::ssr::limits::Windows;

/// What is being limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Answering a sign-in ceremony (a passkey's signature).
    SignIn,
    /// Starting a passkey ceremony: every view of the sign-in page starts one for autofill,
    /// so this has its own, larger budget and does not spend the sign-in one.
    CeremonyStart,
    /// Using an enrollment link.
    Enroll,
}

/// The limits, from the server's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Sign-in and enrollment answers per client per window.
    pub attempts: u32,
    /// Passkey ceremonies started per client per window.
    pub ceremony_starts: u32,
    /// Failed passkey answers per account per window, from anywhere; beyond it the account
    /// cannot sign in until the window ends.
    pub account_failures: u32,
    pub window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            attempts: 30,
            ceremony_starts: 300,
            account_failures: 10,
            window: Duration::minutes(10),
        }
    }
}

/// The key a client address is counted under: IPv4 as it is, IPv6 by its /64.
#[must_use]
pub fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & (u128::MAX << 64)).into()),
        },
    }
}

/// The portal's sign-in and enrollment limits.
pub struct RateLimiter {
    limits: Limits,
    clients: Windows<(IpAddr, Action)>,
    accounts: Windows<i64>,
}

impl RateLimiter {
    #[must_use]
    pub fn new(limits: Limits) -> RateLimiter {
        RateLimiter {
            limits,
            clients: Windows::new(limits.window),
            accounts: Windows::new(limits.window),
        }
    }

    /// Counts one attempt; `false` when the client is over its limit.
    pub fn allow(&self, address: IpAddr, action: Action, now: OffsetDateTime) -> bool {
        let limit = match action {
            Action::SignIn | Action::Enroll => self.limits.attempts,
            Action::CeremonyStart => self.limits.ceremony_starts,
        };
        self.clients.count((client_key(address), action), 1, now) <= limit
    }

    /// Counts a failed passkey answer for `account`.
    pub fn account_failed(&self, account: i64, now: OffsetDateTime) {
        self.accounts.count(account, 1, now);
    }

    /// Whether `account` may still sign in (it has not failed too often lately).
    pub fn account_allowed(&self, account: i64, now: OffsetDateTime) -> bool {
        self.accounts.count(account, 0, now) < self.limits.account_failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn limiter(attempts: u32) -> RateLimiter {
        RateLimiter::new(Limits {
            attempts,
            ceremony_starts: attempts * 10,
            account_failures: 2,
            window: Duration::minutes(1),
        })
    }

    #[test]
    fn limits_per_address_and_window() {
        let limiter = limiter(2);
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
            limiter.allow(a, Action::CeremonyStart, t0),
            "starting a ceremony has its own budget"
        );
        assert!(
            limiter.allow(a, Action::SignIn, t0 + Duration::minutes(1)),
            "a new window"
        );
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let limiter = limiter(1);
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limiter.allow(one, Action::SignIn, t0));
        assert!(!limiter.allow(same_64, Action::SignIn, t0));
        assert!(limiter.allow(other_64, Action::SignIn, t0));
        assert_eq!(
            client_key("::ffff:192.0.2.1".parse().unwrap()),
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))
        );
    }

    #[test]
    fn failed_answers_lock_the_account_for_the_window() {
        let limiter = limiter(100);
        let t0 = OffsetDateTime::UNIX_EPOCH;
        assert!(limiter.account_allowed(7, t0));
        limiter.account_failed(7, t0);
        assert!(limiter.account_allowed(7, t0));
        limiter.account_failed(7, t0);
        assert!(!limiter.account_allowed(7, t0));
        assert!(
            limiter.account_allowed(8, t0),
            "other accounts are unaffected"
        );
        assert!(limiter.account_allowed(7, t0 + Duration::minutes(1)));
    }
}

//! Counters for in-memory rate limits: nothing about who tried is stored, and each server
//! instance limits on its own.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

/// A fixed-window counter per key.
pub struct Windows<K> {
    window: Duration,
    counts: Mutex<HashMap<K, (OffsetDateTime, u32)>>,
}

impl<K: Eq + Hash> Windows<K> {
    #[must_use]
    pub fn new(window: Duration) -> Self {
        Windows {
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Adds `add` to the key's count and returns the count in the current window.
    pub fn count(&self, key: K, add: u32, now: OffsetDateTime) -> u32 {
        let Ok(mut counts) = self.counts.lock() else {
            // A poisoned lock only means another request panicked; refuse rather than guess.
            return u32::MAX;
        };
        if counts.len() > 100_000 {
            // Bound memory under a flood: forget windows that have ended.
            let window = self.window;
            counts.retain(|_, (start, _)| now - *start < window);
        }
        let entry = counts.entry(key).or_insert((now, 0));
        if now - entry.0 >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(add);
        entry.1
    }
}

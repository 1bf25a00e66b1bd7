//! Where a batch on the locked path spends its time (every batch on SQLite, whose one
//! writer is the lock; on PostgreSQL the batches that fall back from the pipeline). The
//! benchmark prints it beside each ingestion rate, so a change to ingestion can be judged
//! by the part it was meant to shorten; the portal itself does not time its batches.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The steps of a batch, in order.
pub const STEPS: [&str; 7] = [
    "read",
    "prepare",
    "wait for the chain",
    "link",
    "write events",
    "finish",
    "commit",
];

/// The time batches spent in each of [`STEPS`], summed since it was last taken.
#[derive(Debug, Default)]
pub struct BatchTimes {
    /// Microseconds per step.
    spent: [AtomicU64; STEPS.len()],
    batches: AtomicU64,
}

impl BatchTimes {
    /// Adds one batch from the instants `marks`: its start, then the end of each step.
    pub(super) fn add(&self, marks: &[Instant; STEPS.len() + 1]) {
        for (step, pair) in marks.windows(2).enumerate() {
            let micros = u64::try_from(pair[1].duration_since(pair[0]).as_micros());
            self.spent[step].fetch_add(micros.unwrap_or(u64::MAX), Ordering::Relaxed);
        }
        self.batches.fetch_add(1, Ordering::Relaxed);
    }

    /// How many batches were timed and the mean time of each step, since it was last
    /// taken; starts again from zero.
    pub fn take(&self) -> (u64, [Duration; STEPS.len()]) {
        let batches = self.batches.swap(0, Ordering::Relaxed);
        let mean = std::array::from_fn(|step| {
            let micros = self.spent[step].swap(0, Ordering::Relaxed);
            Duration::from_micros(micros.checked_div(batches).unwrap_or(0))
        });
        (batches, mean)
    }
}

/// The instants a batch passed, filled in as it goes.
pub(super) struct Marks {
    at: [Instant; STEPS.len() + 1],
    next: usize,
}

impl Marks {
    pub(super) fn start() -> Marks {
        Marks {
            at: [Instant::now(); STEPS.len() + 1],
            next: 1,
        }
    }

    /// The end of the next step.
    pub(super) fn step(&mut self) {
        if let Some(at) = self.at.get_mut(self.next) {
            *at = Instant::now();
            self.next += 1;
        }
    }

    /// Adds the batch to `times`, when there are any to add to.
    pub(super) fn record(&self, times: Option<&BatchTimes>) {
        if let Some(times) = times {
            times.add(&self.at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_gets_the_time_since_the_one_before_and_taking_starts_again() {
        let times = BatchTimes::default();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        times.add(&[
            at(0),
            at(10),
            at(11),
            at(15),
            at(16),
            at(20),
            at(23),
            at(30),
        ]);
        times.add(&[
            at(0),
            at(20),
            at(21),
            at(25),
            at(26),
            at(30),
            at(33),
            at(40),
        ]);
        let (batches, mean) = times.take();
        assert_eq!(batches, 2);
        let ms = |step: usize| mean[step].as_millis();
        assert_eq!(
            (0..STEPS.len()).map(ms).collect::<Vec<_>>(),
            [15, 1, 4, 1, 4, 3, 7]
        );
        assert_eq!(times.take().0, 0);
    }
}

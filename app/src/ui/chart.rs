//! Small helpers for the SVG charts pages draw on the server.

/// A coordinate as SVG text, one decimal.
#[must_use]
pub fn number(value: f64) -> String {
    format!("{value:.1}")
}

/// `count` as a share of `max` (0 to 1; a zero `max` counts as 1).
#[allow(clippy::cast_precision_loss)] // Counts shown in charts are far below 2^52.
#[must_use]
pub fn share(count: u64, max: u64) -> f64 {
    count as f64 / max.max(1) as f64
}

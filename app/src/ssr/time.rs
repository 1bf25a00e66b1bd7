//! Showing instants in the hospital's time zone.

use time::OffsetDateTime;

/// `YYYY-MM-DD HH:MM` in the IANA zone `time_zone` (UTC if the zone is unknown, which
/// configuration validation prevents).
#[must_use]
pub fn local_minute(at: OffsetDateTime, time_zone: &str) -> String {
    local(at, time_zone, "%Y-%m-%d %H:%M")
}

/// `YYYY-MM-DD` of `at` in the IANA zone `time_zone`.
#[must_use]
pub fn local_date(at: OffsetDateTime, time_zone: &str) -> String {
    local(at, time_zone, "%Y-%m-%d")
}

fn local(at: OffsetDateTime, time_zone: &str, format: &str) -> String {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(at.unix_timestamp()) {
        Ok(instant) => instant.to_zoned(zone).strftime(format).to_string(),
        Err(_) => String::new(),
    }
}

/// The instant a local day `YYYY-MM-DD` begins in `time_zone` (with `next`, the day
/// after it: the end of that day). `None` when the text is not a date.
#[must_use]
pub fn day_start(text: &str, time_zone: &str, next: bool) -> Option<OffsetDateTime> {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let date: jiff::civil::Date = text.trim().parse().ok()?;
    let date = if next { date.tomorrow().ok()? } else { date };
    let zoned = date.to_zoned(zone).ok()?;
    OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_is_eight_hours_ahead_of_utc() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(local_minute(at, "UTC"), "2026-11-18 11:06");
        assert_eq!(local_minute(at, "Asia/Shanghai"), "2026-11-18 19:06");
        assert_eq!(local_date(at, "Asia/Shanghai"), "2026-11-18");
        let start = day_start("2026-11-18", "Asia/Shanghai", false).unwrap_or(at);
        assert_eq!(local_minute(start, "UTC"), "2026-11-17 16:00");
        let end = day_start("2026-11-18", "Asia/Shanghai", true).unwrap_or(at);
        assert_eq!(local_minute(end, "Asia/Shanghai"), "2026-11-19 00:00");
        assert!(day_start("2026-02-30", "UTC", false).is_none());
    }
}

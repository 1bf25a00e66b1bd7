//! Showing instants in the hospital's time zone.

use time::OffsetDateTime;

/// `YYYY-MM-DD HH:MM` in the IANA zone `time_zone` (UTC if the zone is unknown, which
/// configuration validation prevents).
#[must_use]
pub fn local_minute(at: OffsetDateTime, time_zone: &str) -> String {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(at.unix_timestamp()) {
        Ok(instant) => instant
            .to_zoned(zone)
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => String::new(),
    }
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
    }
}

//! Directory values parsed at the edge: weekly working hours and comparable addresses.

use serde::{Deserialize, Serialize};

use crate::vocabulary::vocabulary;

vocabulary! {
    /// What kind of care gave a department or person a reason to open a patient's record.
    CareKind {
        /// A visit (FHIR `Encounter` other than an admission).
        Encounter = "encounter",
        /// A stay on a ward (`Encounter` of class inpatient, acute or non-acute).
        Admission = "admission",
        Appointment = "appointment",
        /// A referral to the department (`ServiceRequest` categorised as a referral).
        Referral = "referral",
        /// An order the department carries out or placed (`ServiceRequest`).
        Order = "order",
        /// A result routed to the department or person (`DiagnosticReport`).
        Result = "result",
        /// The patient's care team (`CareTeam`).
        CareTeam = "care_team",
    }
}

impl CareKind {
    /// Whether care of this kind lasts until it is ended (a visit, a stay, a care team),
    /// so that without an end it is still going on. The other kinds happen at a moment (an
    /// order placed, a referral written, a result routed, an appointment kept), and
    /// without an end they end when they start.
    #[must_use]
    pub fn lasts(self) -> bool {
        matches!(
            self,
            CareKind::Encounter | CareKind::Admission | CareKind::CareTeam
        )
    }
}

/// Statuses saying that care is over though its source may not say when: an
/// `Encounter` finished, a `CareTeam` inactive.
pub const ENDED_STATUSES: [&str; 2] = ["finished", "inactive"];

/// Whether `status` says that care is over ([`ENDED_STATUSES`]).
#[must_use]
pub fn status_ended(status: &str) -> bool {
    ENDED_STATUSES.contains(&status)
}

/// Days of the week, Monday first (ISO 8601 numbering minus one).
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One opening period on some days: `open` to `close` in minutes after local midnight.
/// A period whose close is not after its open runs past midnight into the next day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningPeriod {
    /// Indexes into [`WEEKDAYS`].
    pub days: Vec<u8>,
    pub open: u16,
    pub close: u16,
}

/// A department's weekly opening hours in the hospital's time zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    pub periods: Vec<OpeningPeriod>,
}

/// Minutes in a day.
const DAY: u16 = 24 * 60;

impl WorkingHours {
    /// Open around the clock, every day (emergency departments).
    #[must_use]
    pub fn always() -> WorkingHours {
        WorkingHours {
            periods: vec![OpeningPeriod {
                days: (0..7).collect(),
                open: 0,
                close: DAY,
            }],
        }
    }

    /// Whether the department is open at `minute` (after local midnight) of `weekday`
    /// (0 = Monday).
    #[must_use]
    pub fn is_open(&self, weekday: u8, minute: u16) -> bool {
        let yesterday = (weekday + 6) % 7;
        self.periods.iter().any(|period| {
            let overnight = period.close <= period.open;
            let today = period.days.contains(&weekday)
                && minute >= period.open
                && (overnight || minute < period.close);
            let carried = overnight && period.days.contains(&yesterday) && minute < period.close;
            today || carried
        })
    }
}

/// Parses `HH:MM` (24-hour; `24:00` allowed as a closing time) into minutes.
#[must_use]
pub fn parse_clock(text: &str) -> Option<u16> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let hours: u16 = hours.parse().ok()?;
    // FHIR `time` may carry seconds (`08:00:00`).
    let minutes: u16 = minutes.split(':').next()?.parse().ok()?;
    if minutes >= 60 || hours > 24 || (hours == 24 && minutes != 0) {
        return None;
    }
    Some(hours * 60 + minutes)
}

/// The index of a weekday code (`mon` … `sun`, as FHIR `daysOfWeek` writes them).
#[must_use]
pub fn weekday_index(code: &str) -> Option<u8> {
    WEEKDAYS
        .iter()
        .position(|day| day.eq_ignore_ascii_case(code.trim()))
        .and_then(|index| u8::try_from(index).ok())
}

/// An address reduced to lower-case letters and digits, so that spacing and punctuation
/// do not hide a match. `None` when nothing comparable is left.
#[must_use]
pub fn address_key(address: &str) -> Option<String> {
    let key: String = address
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    // Very short keys ("1", "A") match by accident.
    (key.chars().count() >= 6).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekdays_8_to_17() -> WorkingHours {
        WorkingHours {
            periods: vec![OpeningPeriod {
                days: vec![0, 1, 2, 3, 4],
                open: 8 * 60,
                close: 17 * 60 + 30,
            }],
        }
    }

    #[test]
    fn office_hours() {
        let hours = weekdays_8_to_17();
        assert!(hours.is_open(0, 8 * 60));
        assert!(hours.is_open(4, 17 * 60 + 29));
        assert!(!hours.is_open(4, 17 * 60 + 30));
        assert!(!hours.is_open(2, 7 * 60 + 59));
        assert!(!hours.is_open(5, 10 * 60));
    }

    #[test]
    fn night_shift_runs_past_midnight() {
        let hours = WorkingHours {
            periods: vec![OpeningPeriod {
                days: vec![6],
                open: 20 * 60,
                close: 8 * 60,
            }],
        };
        assert!(hours.is_open(6, 23 * 60));
        assert!(hours.is_open(0, 7 * 60));
        assert!(!hours.is_open(0, 9 * 60));
        assert!(!hours.is_open(6, 7 * 60));
        assert!(WorkingHours::always().is_open(3, 3 * 60));
    }

    #[test]
    fn clock_and_days_parse() {
        assert_eq!(parse_clock("08:30"), Some(510));
        assert_eq!(parse_clock("17:30:00"), Some(1050));
        assert_eq!(parse_clock("24:00"), Some(1440));
        assert_eq!(parse_clock("24:01"), None);
        assert_eq!(parse_clock("8h"), None);
        assert_eq!(weekday_index("Sun"), Some(6));
        assert_eq!(weekday_index("xyz"), None);
    }

    #[test]
    fn addresses_compare_without_punctuation() {
        assert_eq!(
            address_key("上海市 徐汇区 1 号"),
            address_key("上海市徐汇区1号")
        );
        assert_eq!(address_key("12 Main St."), address_key("12 main st"));
        assert_eq!(address_key("1"), None);
    }
}

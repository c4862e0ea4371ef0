//! Calendar dates for waiver expiry, and the clock that says what day it is.
//!
//! Expiry is decided by whole days, so a date type is all that is needed; pulling in a time
//! library for one comparison is not worth a dependency. The clock can be pinned with
//! [`TODAY_VAR`], which makes tests of expiry independent of when they run.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that overrides today's date (`YYYY-MM-DD`): a testing aid, so that
/// expiry can be checked against a fixed day.
pub const TODAY_VAR: &str = "MINPRIV_TODAY";

/// A calendar date in the proleptic Gregorian calendar, as TOML writes a local date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The earliest date there is: before every expiry date.
    pub const MIN: Date = Date {
        year: 0,
        month: 1,
        day: 1,
    };

    /// The date, when `month` and `day` exist in `year`.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`, exactly: two-digit months and days, nothing around it.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let digits = text.get(range)?;
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        };
        let year = number(0..4)?;
        let month = u8::try_from(number(5..7)?).ok()?;
        let day = u8::try_from(number(8..10)?).ok()?;
        Date::new(year, month, day)
    }

    /// The date `days` days after 1970-01-01 (negative: before), by Howard Hinnant's
    /// `civil_from_days`. `None` outside years 0 to 9999, which TOML cannot write anyway.
    pub fn from_unix_days(days: i64) -> Option<Date> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date::new(
            u16::try_from(year).ok().filter(|y| *y <= 9999)?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// Days since 1970-01-01 (negative: before), by Howard Hinnant's `days_from_civil`: the
    /// inverse of [`Date::from_unix_days`].
    pub fn to_unix_days(self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let shifted_month = if month > 2 { month - 3 } else { month + 9 };
        let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// Today's date: [`TODAY_VAR`] when it is set and not empty, else the system clock's date in
/// UTC (a CI runner's time zone should not decide whether a waiver has expired).
///
/// # Errors
/// When the variable is set to something that is not a `YYYY-MM-DD` date, or the system clock
/// is before 1970.
pub fn today() -> Result<Date, String> {
    today_from(std::env::var(TODAY_VAR).ok().as_deref(), SystemTime::now())
}

fn today_from(pinned: Option<&str>, now: SystemTime) -> Result<Date, String> {
    if let Some(text) = pinned.map(str::trim).filter(|t| !t.is_empty()) {
        return Date::parse(text)
            .ok_or_else(|| format!("{TODAY_VAR}='{text}' is not a date: write it as YYYY-MM-DD"));
    }
    let seconds = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "the system clock is set before 1970".to_string())?
        .as_secs();
    i64::try_from(seconds / 86_400)
        .ok()
        .and_then(Date::from_unix_days)
        .ok_or_else(|| "the system clock is set past the year 9999".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_days_round_trip() {
        for days in [-719_468, -1, 0, 1, 20_000, 20_794, 2_932_896] {
            let date = Date::from_unix_days(days).unwrap_or_else(|| panic!("{days}"));
            assert_eq!(date.to_unix_days(), days, "{date}");
        }
        assert_eq!(Date::parse("1970-01-02").map(Date::to_unix_days), Some(1));
    }
    use std::time::Duration;

    fn date(year: u16, month: u8, day: u8) -> Date {
        Date::new(year, month, day).unwrap_or_else(|| panic!("{year}-{month}-{day}"))
    }

    #[test]
    fn parses_exactly_yyyy_mm_dd() {
        assert_eq!(Date::parse("2026-01-31"), Some(date(2026, 1, 31)));
        assert_eq!(Date::parse("2024-02-29"), Some(date(2024, 2, 29)));
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-31",
            "26-01-31",
            "2026-01-31T00:00",
            "2026/01/31",
            "+026-01-31",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(date(2026, 1, 31).to_string(), "2026-01-31");
    }

    #[test]
    fn days_since_the_epoch_become_dates() {
        let cases = [
            (0, date(1970, 1, 1)),
            (-1, date(1969, 12, 31)),
            (59, date(1970, 3, 1)),
            (11_016, date(2000, 2, 29)),
            (20_484, date(2026, 1, 31)),
            (20_485, date(2026, 2, 1)),
        ];
        for (days, expected) in cases {
            assert_eq!(Date::from_unix_days(days), Some(expected), "{days}");
        }
        assert_eq!(Date::from_unix_days(i64::MAX), None);
    }

    #[test]
    fn dates_order_by_day() {
        assert!(date(2026, 1, 31) < date(2026, 2, 1));
        assert!(date(2025, 12, 31) < date(2026, 1, 1));
    }

    #[test]
    fn the_pinned_day_wins_over_the_system_clock() {
        let now = UNIX_EPOCH + Duration::from_secs(20_484 * 86_400 + 3_600);
        assert_eq!(today_from(None, now), Ok(date(2026, 1, 31)));
        assert_eq!(today_from(Some(""), now), Ok(date(2026, 1, 31)));
        assert_eq!(today_from(Some("2030-06-01"), now), Ok(date(2030, 6, 1)));
        let err = today_from(Some("tomorrow"), now).unwrap_err();
        assert!(err.contains("MINPRIV_TODAY='tomorrow'"), "{err}");
    }
}

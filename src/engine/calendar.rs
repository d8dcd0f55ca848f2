//! Calendar dates, weekdays and months, for rates and rules that depend on
//! the day of the week or the month of the year.
//!
//! Proleptic Gregorian calendar; day numbers count from 1970-01-01
//! (H. Hinnant's `days_from_civil` algorithm). Small enough that a date crate
//! would add more than it saves.

use std::fmt;

/// A day of the week, Monday first (index 0) as in ISO 8601.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weekday(u8);

impl Weekday {
    /// Short English names, Monday first, as used in scenario files.
    pub const NAMES: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// Weekday from 0 (Monday) to 6 (Sunday).
    pub fn from_index(index: usize) -> Option<Weekday> {
        (index < 7).then_some(Weekday(index as u8))
    }

    /// Weekday from its short or full English name, any case.
    pub fn from_name(name: &str) -> Option<Weekday> {
        const FULL: [&str; 7] = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        let lower = name.trim().to_ascii_lowercase();
        (0..7)
            .find(|&i| lower == Weekday::NAMES[i] || lower == FULL[i])
            .map(|i| Weekday(i as u8))
    }

    /// 0 for Monday to 6 for Sunday.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A date in the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a date: {reason} (write it as YYYY-MM-DD, e.g. 2025-04-01)")]
pub struct DateError {
    text: String,
    reason: &'static str,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl CalendarDate {
    /// A checked date.
    pub fn new(year: i32, month: u8, day: u8) -> Option<CalendarDate> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(CalendarDate { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<CalendarDate, DateError> {
        let fail = |reason| DateError {
            text: text.to_string(),
            reason,
        };
        let text = text.trim();
        // Exactly four, two and two digits: "+2025-4-1" or "2025-04-01x" are
        // more likely mistakes than dates.
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(fail("not in the form YYYY-MM-DD"));
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().unwrap_or(0);
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        CalendarDate::new(i32::from(year), month as u8, day as u8)
            .ok_or_else(|| fail("no such day in the calendar"))
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 (January) to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn day_number(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a day number (inverse of [`CalendarDate::day_number`]).
    pub fn from_day_number(days: i64) -> CalendarDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        CalendarDate { year, month, day }
    }

    /// The date `days` later (earlier if negative).
    pub fn add_days(self, days: i64) -> CalendarDate {
        CalendarDate::from_day_number(self.day_number() + days)
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3).
        Weekday((self.day_number() + 3).rem_euclid(7) as u8)
    }

    /// Whole years from `start` to this date: the number of anniversaries
    /// of `start` passed (negative before `start`; -1 in the year before).
    pub fn years_since(self, start: CalendarDate) -> i32 {
        let years = self.year - start.year;
        if (self.month, self.day) < (start.month, start.day) {
            years - 1
        } else {
            years
        }
    }

    /// The same day `months` later, clamped to the month's length.
    pub fn add_months(self, months: i64) -> CalendarDate {
        let total = i64::from(self.year) * 12 + i64::from(self.month) - 1 + months;
        let year = total.div_euclid(12) as i32;
        let month = (total.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        CalendarDate { year, month, day }
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let d = CalendarDate::parse("2025-04-01").unwrap();
        assert_eq!(d.weekday(), Weekday::from_name("tue").unwrap());
        assert_eq!(d.day_number(), 20179);
        assert_eq!(CalendarDate::from_day_number(0).to_string(), "1970-01-01");
        assert_eq!(d.add_days(365).to_string(), "2026-04-01");
        assert_eq!(
            CalendarDate::parse("2024-02-29")
                .unwrap()
                .add_days(1)
                .to_string(),
            "2024-03-01"
        );
        assert_eq!(
            CalendarDate::parse("2025-01-31")
                .unwrap()
                .add_months(1)
                .to_string(),
            "2025-02-28"
        );
        assert_eq!(
            CalendarDate::parse("2025-11-15")
                .unwrap()
                .add_months(3)
                .to_string(),
            "2026-02-15"
        );
    }

    #[test]
    fn years_since_counts_anniversaries() {
        let start = CalendarDate::parse("2025-04-01").unwrap();
        let years = |d: &str| CalendarDate::parse(d).unwrap().years_since(start);
        assert_eq!(years("2025-04-01"), 0);
        assert_eq!(years("2026-03-31"), 0);
        assert_eq!(years("2026-04-01"), 1);
        assert_eq!(years("2025-03-31"), -1);
        assert_eq!(years("2024-04-01"), -1);
        assert_eq!(years("2024-03-31"), -2);
    }

    #[test]
    fn round_trips_every_day_over_four_centuries() {
        let start = CalendarDate::new(1900, 1, 1).unwrap().day_number();
        for n in start..start + 146_097 {
            assert_eq!(CalendarDate::from_day_number(n).day_number(), n);
        }
    }

    #[test]
    fn rejects_impossible_dates_with_the_format() {
        let err = CalendarDate::parse("2025-02-30").unwrap_err().to_string();
        assert!(
            err.contains("no such day") && err.contains("YYYY-MM-DD"),
            "{err}"
        );
        assert!(CalendarDate::parse("April").is_err());
        for bad in [
            "+2025-4-1",
            "2025-04-01-junk",
            "2025-4-01",
            "25-04-01",
            "2025/04/01",
        ] {
            let err = CalendarDate::parse(bad).unwrap_err().to_string();
            assert!(err.contains("not in the form YYYY-MM-DD"), "{bad}: {err}");
        }
        assert!(CalendarDate::parse("2025-13-01").is_err());
    }

    #[test]
    fn weekday_names() {
        assert_eq!(Weekday::from_name("Monday").unwrap().index(), 0);
        assert_eq!(Weekday::from_name("SUN").unwrap().index(), 6);
        assert!(Weekday::from_name("funday").is_none());
        assert!(Weekday::from_name("mo").is_none());
    }
}

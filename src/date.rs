//! A calendar date in UTC, `YYYY-MM-DD`: the end of an ignore (`until`). Small on purpose: the
//! guard only parses dates, compares them, counts days between them and reads today's date
//! from the system clock once per run (no date crate for that, see the packaged-size budget).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;
use toml::Value;

/// A proleptic Gregorian date; ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "String")]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    pub const FORMAT: &'static str = "YYYY-MM-DD (UTC), such as \"2027-03-31\"";

    /// The date, when it exists (years 1 to 9999).
    #[must_use]
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Self { year, month, day })
    }

    /// Today in UTC, from the system clock: read once per run by the caller, never by a rule.
    #[must_use]
    pub fn today_utc() -> Self {
        let secs = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        Self::from_days_since_epoch(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Days from this date to `later` (negative when `later` is earlier).
    #[must_use]
    pub fn days_until(self, later: Self) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// The date `days` after this one.
    #[must_use]
    pub fn plus_days(self, days: i64) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    fn days_since_epoch(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The inverse of `days_since_epoch` (`civil_from_days`), clamped to years 1 to 9999.
    fn from_days_since_epoch(days: i64) -> Self {
        let days = days + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
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
        let clamped = u16::try_from(year.clamp(1, 9999)).unwrap_or(1);
        // Month and day are in range by construction.
        Self {
            year: clamped,
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl FromStr for Date {
    type Err = String;

    /// Exactly `YYYY-MM-DD`, a date that exists.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let problem = || format!("`{text}` is not a date written {}", Self::FORMAT);
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
        if !shaped {
            return Err(problem());
        }
        let year = text[0..4].parse().map_err(|_| problem())?;
        let month = text[5..7].parse().map_err(|_| problem())?;
        let day = text[8..10].parse().map_err(|_| problem())?;
        Self::new(year, month, day).ok_or_else(problem)
    }
}

impl TryFrom<Value> for Date {
    type Error = String;

    /// A string, or a TOML date without a time (`until = 2027-03-31`).
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        match value {
            Value::String(text) => text.parse(),
            Value::Datetime(datetime) if datetime.time.is_none() && datetime.offset.is_none() => {
                datetime.to_string().parse()
            }
            other => Err(format!("`{other}` is not a date written {}", Self::FORMAT)),
        }
    }
}

impl From<Date> for String {
    fn from(date: Date) -> Self {
        date.to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn parses_only_dates_that_exist_in_the_one_format() {
        assert_eq!(date("2027-03-31").to_string(), "2027-03-31");
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "2027-02-29",
            "1900-02-29",
            "2027-04-31",
            "2027-13-01",
            "2027-00-10",
            "0000-01-01",
            "2027-3-31",
            "27-03-31",
            "2027/03/31",
            "2027-03-31T00:00",
            " 2027-03-31",
            "+027-03-31",
            "",
        ] {
            assert_eq!(
                bad.parse::<Date>(),
                Err(format!(
                    "`{bad}` is not a date written YYYY-MM-DD (UTC), such as \"2027-03-31\""
                )),
                "{bad}"
            );
        }
        assert_eq!(date("2000-02-29").to_string(), "2000-02-29");
    }

    #[test]
    fn counts_days_across_months_years_and_leap_days() {
        assert_eq!(date("1970-01-01").days_since_epoch(), 0);
        assert_eq!(date("2027-03-17").days_until(date("2027-03-31")), 14);
        assert_eq!(date("2027-03-31").days_until(date("2027-03-17")), -14);
        assert_eq!(date("2024-02-28").days_until(date("2024-03-01")), 2);
        assert_eq!(date("2023-12-31").plus_days(1), date("2024-01-01"));
        assert_eq!(date("2024-02-28").plus_days(1), date("2024-02-29"));
        // Every day of four centuries round-trips through the day count.
        let mut day = date("1970-01-01");
        for _ in 0..146_097 {
            let next = day.plus_days(1);
            assert_eq!(day.days_until(next), 1, "{day}");
            assert!(next > day);
            assert_eq!(next.to_string().parse::<Date>(), Ok(next));
            day = next;
        }
    }

    #[test]
    fn toml_strings_and_toml_dates() {
        #[derive(Deserialize)]
        struct Holder {
            until: Date,
        }
        let read = |source: &str| toml::from_str::<Holder>(source).map(|held| held.until);
        assert_eq!(read("until = \"2027-03-31\"").unwrap(), date("2027-03-31"));
        assert_eq!(read("until = 2027-03-31").unwrap(), date("2027-03-31"));
        let message = |source: &str| read(source).unwrap_err().message().to_string();
        assert_eq!(
            message("until = 2027-03-31T10:00:00Z"),
            "`2027-03-31T10:00:00Z` is not a date written YYYY-MM-DD (UTC), such as \"2027-03-31\""
        );
        assert!(message("until = 20270331").starts_with("`20270331` is not a date"));
    }

    #[test]
    fn today_is_a_real_date() {
        let today = Date::today_utc();
        assert!(today > date("2025-01-01"));
        assert_eq!(today.to_string().parse::<Date>(), Ok(today));
    }
}

//! A civil calendar date stored as days since 1970-01-01.
//!
//! Participation data are dates without time or zone, and the indicators do
//! arithmetic on them (windows of 365 days, overlaps of benefit spells) in hot
//! loops. A plain day number makes that arithmetic a subtraction, is four
//! bytes, and is exactly Arrow's `date32`, so columns cross the Arrow boundary
//! without conversion.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A proleptic Gregorian calendar date, valid from year 1 to 9999.
///
/// # Examples
///
/// ```
/// use finsam_core::Date;
/// let d: Date = "2020-02-28".parse()?;
/// assert_eq!(d.add_days(2).to_string(), "2020-03-01");
/// assert_eq!(d.year(), 2020);
/// assert_eq!(Date::from_ymd(2020, 2, 30), None);
/// # Ok::<(), finsam_core::date::ParseDateError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// The reason a text is not an ISO date (`YYYY-MM-DD`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO date (YYYY-MM-DD): {0:?}")]
pub struct ParseDateError(pub String);

const MIN_DAYS: i32 = -719_162; // 0001-01-01
const MAX_DAYS: i32 = 2_932_896; // 9999-12-31

impl Date {
    /// A day number already known to be within years 1–9999 (the readers
    /// check it once per value).
    pub(crate) const fn from_checked(days: i32) -> Date {
        Date(days)
    }

    /// The date for a year, month (1–12) and day (1–31), or `None` if there is
    /// no such day.
    ///
    /// ```
    /// use finsam_core::Date;
    /// assert!(Date::from_ymd(2024, 2, 29).is_some());
    /// assert!(Date::from_ymd(2023, 2, 29).is_none());
    /// ```
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// The date `days` days after 1970-01-01 (negative: before), or `None`
    /// outside years 1–9999.
    ///
    /// ```
    /// use finsam_core::Date;
    /// assert_eq!(Date::from_days_since_epoch(0).unwrap().to_string(), "1970-01-01");
    /// ```
    pub fn from_days_since_epoch(days: i32) -> Option<Date> {
        (MIN_DAYS..=MAX_DAYS).contains(&days).then_some(Date(days))
    }

    /// Days since 1970-01-01: Arrow's `date32` value.
    ///
    /// ```
    /// use finsam_core::Date;
    /// assert_eq!(Date::from_ymd(1970, 1, 2).unwrap().days_since_epoch(), 1);
    /// ```
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The date `n` days later (earlier if negative), saturating at the
    /// bounds of the calendar.
    ///
    /// ```
    /// use finsam_core::Date;
    /// let d = Date::from_ymd(2020, 12, 31).unwrap();
    /// assert_eq!(d.add_days(1), Date::from_ymd(2021, 1, 1).unwrap());
    /// ```
    pub fn add_days(self, n: i32) -> Date {
        Date(self.0.saturating_add(n).clamp(MIN_DAYS, MAX_DAYS))
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    ///
    /// ```
    /// use finsam_core::Date;
    /// let a = Date::from_ymd(2020, 1, 1).unwrap();
    /// assert_eq!(a.days_until(Date::from_ymd(2021, 1, 1).unwrap()), 366);
    /// ```
    pub fn days_until(self, later: Date) -> i32 {
        later.0 - self.0
    }

    /// The calendar year.
    ///
    /// ```
    /// use finsam_core::Date;
    /// assert_eq!(Date::from_ymd(1999, 12, 31).unwrap().year(), 1999);
    /// ```
    pub fn year(self) -> i32 {
        // The indicators ask for years in their inner loops: between 1900
        // and 2199 a table of 1 January day numbers answers without the
        // divisions of the full conversion.
        let offset = self.0 - YEAR_STARTS[0];
        if offset >= 0 && self.0 < YEAR_STARTS[YEAR_STARTS.len() - 1] {
            let guess = (offset / 366) as usize; // never past the true year
            let mut i = guess;
            while YEAR_STARTS[i + 1] <= self.0 {
                i += 1;
            }
            return TABLE_FIRST_YEAR + i as i32;
        }
        civil_from_days(self.0).0
    }

    /// `(year, month, day)`.
    ///
    /// ```
    /// use finsam_core::Date;
    /// assert_eq!(Date::from_ymd(2017, 6, 5).unwrap().ymd(), (2017, 6, 5));
    /// ```
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// 1 January of `year`, or `None` outside 1–9999.
    ///
    /// ```
    /// use finsam_core::Date;
    /// assert_eq!(Date::first_of_year(2020).unwrap().to_string(), "2020-01-01");
    /// ```
    pub fn first_of_year(year: i32) -> Option<Date> {
        Date::from_ymd(year, 1, 1)
    }

    /// 31 December of `year`, or `None` outside 1–9999.
    ///
    /// ```
    /// use finsam_core::Date;
    /// assert_eq!(Date::last_of_year(2020).unwrap().to_string(), "2020-12-31");
    /// ```
    pub fn last_of_year(year: i32) -> Option<Date> {
        Date::from_ymd(year, 12, 31)
    }

    /// Parses exactly `YYYY-MM-DD`, the only date form the data contract
    /// accepts (Swedish exports use ISO dates; anything else is ambiguous).
    ///
    /// # Errors
    /// [`ParseDateError`] if the text is not ten characters of that form or
    /// names a day that does not exist.
    ///
    /// ```
    /// use finsam_core::Date;
    /// assert!(Date::parse_iso("2021-13-01").is_err());
    /// assert!(Date::parse_iso("2021-1-01").is_err());
    /// ```
    pub fn parse_iso(text: &str) -> Result<Date, ParseDateError> {
        let b = text.as_bytes();
        let err = || ParseDateError(text.to_owned());
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            b[range].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
        };
        let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
            return Err(err());
        };
        Date::from_ymd(y as i32, m, d).ok_or_else(err)
    }
}

const TABLE_FIRST_YEAR: i32 = 1900;

/// Day numbers of 1 January of 1900 ..= 2200.
static YEAR_STARTS: [i32; 301] = {
    let mut t = [0; 301];
    let mut i = 0;
    while i < 301 {
        t[i] = days_from_civil(TABLE_FIRST_YEAR + i as i32, 1, 1);
        i += 1;
    }
    t
};

/// Days in `month` of `year` (Gregorian leap rule).
fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

// The two conversions below are the era-based algorithms published by Howard
// Hinnant ("chrono-Compatible Low-Level Date Algorithms"); they are exact for
// the whole proleptic Gregorian calendar and branch-free.
const fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u32;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe as i32 + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = ParseDateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse_iso(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Date::parse_iso(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_day_numbers() {
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().0, 0);
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap().0, 11_017);
        assert_eq!(Date::from_ymd(1, 1, 1).unwrap().0, MIN_DAYS);
        assert_eq!(Date::from_ymd(9999, 12, 31).unwrap().0, MAX_DAYS);
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in ["", "2020-02-30", "2020/01/01", "20200101", "2020-00-10", "+020-01-01", "2020-01-1 "] {
            assert!(Date::parse_iso(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        // jiff is an independent implementation of the same calendar.
        #[test]
        fn the_year_table_agrees_with_the_conversion(days in -30_000i32..90_000) {
            let d = Date::from_days_since_epoch(days).unwrap();
            prop_assert_eq!(d.year(), civil_from_days(days).0);
        }

        #[test]
        fn agrees_with_jiff(days in MIN_DAYS..=MAX_DAYS) {
            let ours = Date::from_days_since_epoch(days).unwrap();
            let epoch = jiff::civil::date(1970, 1, 1);
            let theirs = epoch.checked_add(jiff::Span::new().days(i64::from(days))).unwrap();
            prop_assert_eq!(ours.to_string(), theirs.to_string());
            prop_assert_eq!(Date::parse_iso(&theirs.to_string()).unwrap(), ours);
        }
    }
}

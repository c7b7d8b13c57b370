//! Swedish personnummer and samordningsnummer: parsed, checked and
//! normalised before anything is derived from them.
//!
//! One person's number is written in several ways: `19800101-1231`,
//! `198001011231`, `800101-1231`, `8001011231`, `800101 1231`. Hashed as
//! text they would give different pseudonyms, so a person would be split in
//! two when a förbund's export is linked with a register extract. A
//! [`Personnummer`] accepts every one of those forms and normalises it to
//! the twelve digits `YYYYMMDDNNNC`; [`Personnummer::pseudonymise`] hashes
//! those twelve digits only.
//!
//! The rules (Skatteverket, *Personnummer*, SKV 704):
//!
//! * ten digits `YYMMDDNNNC` or twelve `YYYYMMDDNNNC`, with an optional
//!   separator before the last four: `-`, or `+` in a ten-digit number of a
//!   person who has turned 100 (twelve-digit numbers take only `-`);
//!   spaces anywhere are ignored;
//! * a ten-digit number's century is the one that makes the person younger
//!   than 100 at the reference date (`-` or no separator), or 100 or older
//!   (`+`);
//! * the date must exist and not lie after the reference date; in a
//!   *samordningsnummer* 60 is added to the day (`701063-2391` is born on
//!   1970-10-03);
//! * the last digit is the Luhn check digit of the other nine of the
//!   ten-digit form.
//!
//! A number that breaks a rule is an [`InvalidPersonnummer`] with the
//! [`reason`](InvalidPersonnummer::reason); neither the error nor `Debug`
//! ever shows the number.
//!
//! ```
//! use finsam_core::personnummer::Personnummer;
//! use finsam_core::Date;
//! let today = Date::from_ymd(2025, 6, 1).unwrap();
//! let forms = ["19800101-1231", "198001011231", "800101-1231", "8001011231", " 800101 - 1231 "];
//! for form in forms {
//!     assert_eq!(Personnummer::parse(form, today)?.as_str(), "198001011231");
//! }
//! // The `+` of a centenarian moves the century back.
//! assert_eq!(Personnummer::parse("250101+1239", today)?.as_str(), "192501011239");
//! # Ok::<(), finsam_core::personnummer::InvalidPersonnummer>(())
//! ```
//!
//! The tests use hand-worked numbers (the arithmetic of each check digit is
//! written out beside it) rather than Skatteverket's open-data list of test
//! personnummer, which could not be downloaded where this was built.

use std::fmt;

use crate::Date;
use crate::model::PersonId;

/// Why a text is not a valid personnummer. The reasons are a public
/// contract: [`code`](Self::code) is stable.
///
/// ```
/// use finsam_core::personnummer::{Personnummer, Reason};
/// use finsam_core::Date;
/// let today = Date::from_ymd(2025, 6, 1).unwrap();
/// assert_eq!(Personnummer::parse("19800101-1234", today).unwrap_err().reason(), Reason::CheckDigit);
/// assert_eq!(Reason::CheckDigit.code(), "check_digit");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Nothing but spaces.
    Empty,
    /// A character other than a digit, `-`, `+` or a space.
    Characters,
    /// Neither 10 nor 12 digits.
    Length,
    /// A separator that is not before the last four digits, more than one
    /// separator, or `+` in a twelve-digit number.
    Separator,
    /// No such date (day 61–91 is a samordningsnummer's day 1–31), or a
    /// date after the reference date.
    Date,
    /// The last digit is not the Luhn check digit of the others.
    CheckDigit,
}

impl Reason {
    /// Every reason, in the order of [`code`](Self::code)'s documentation.
    pub const ALL: [Reason; 6] =
        [Reason::Empty, Reason::Characters, Reason::Length, Reason::Separator, Reason::Date, Reason::CheckDigit];

    /// The stable, machine-readable name of the reason: `empty`,
    /// `characters`, `length`, `separator`, `date` or `check_digit`.
    ///
    /// ```
    /// use finsam_core::personnummer::Reason;
    /// assert_eq!(Reason::Length.code(), "length");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::Characters => "characters",
            Reason::Length => "length",
            Reason::Separator => "separator",
            Reason::Date => "date",
            Reason::CheckDigit => "check_digit",
        }
    }

    /// What the reason means, in words (never the number itself).
    ///
    /// ```
    /// use finsam_core::personnummer::Reason;
    /// assert!(Reason::Date.describe().contains("date"));
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Empty => "the value is empty",
            Reason::Characters => "a character other than a digit, `-`, `+` or a space",
            Reason::Length => "neither 10 nor 12 digits",
            Reason::Separator => {
                "the separator must stand before the last four digits, once (`+` only in the ten-digit form)"
            }
            Reason::Date => "no such date of birth (samordningsnummer: day + 60), or a date after the reference date",
            Reason::CheckDigit => "the check digit does not match (a mistyped digit?)",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A text that is not a valid personnummer or samordningsnummer. It holds
/// the [`Reason`] only, never the text, so it can be logged.
///
/// ```
/// use finsam_core::personnummer::{Personnummer, Reason};
/// use finsam_core::Date;
/// let today = Date::from_ymd(2025, 6, 1).unwrap();
/// let e = Personnummer::parse("19800101-1234", today).unwrap_err();
/// assert_eq!(e.reason(), Reason::CheckDigit);
/// assert!(!e.to_string().contains("1234"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid personnummer: {reason}")]
pub struct InvalidPersonnummer {
    reason: Reason,
}

impl InvalidPersonnummer {
    /// Why the text was refused.
    pub fn reason(&self) -> Reason {
        self.reason
    }
}

fn fail<T>(reason: Reason) -> Result<T, InvalidPersonnummer> {
    Err(InvalidPersonnummer { reason })
}

/// A valid personnummer or samordningsnummer, held as its twelve digits
/// `YYYYMMDDNNNC`.
///
/// `Debug` shows no digit, so a `Personnummer` in a log or a panic message
/// does not leak. There is no `Display`: write [`as_str`](Self::as_str)
/// where the number is meant to be shown.
///
/// ```
/// use finsam_core::personnummer::Personnummer;
/// use finsam_core::Date;
/// let today = Date::from_ymd(2025, 6, 1).unwrap();
/// let p = Personnummer::parse("701063-2391", today)?;
/// assert!(p.is_samordningsnummer());
/// assert_eq!(p.birth_date(), Date::from_ymd(1970, 10, 3).unwrap());
/// assert_eq!(format!("{p:?}"), "Personnummer(<hidden>)");
/// # Ok::<(), finsam_core::personnummer::InvalidPersonnummer>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Personnummer {
    digits: [u8; 12],
}

impl fmt::Debug for Personnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Personnummer(<hidden>)")
    }
}

/// The most characters a personnummer can take with generous spacing; a
/// longer text is refused without being scanned further.
const MAX_CHARS: usize = 32;

impl Personnummer {
    /// Parses any of the accepted forms (see the [module](self)) and checks
    /// the date and the check digit. `reference` is the date at which a
    /// ten-digit number's century is decided (normally today; for an
    /// old extract, its extraction date).
    ///
    /// # Errors
    /// [`InvalidPersonnummer`] with the [`Reason`].
    ///
    /// ```
    /// use finsam_core::personnummer::{Personnummer, Reason};
    /// use finsam_core::Date;
    /// let today = Date::from_ymd(2025, 6, 1).unwrap();
    /// assert_eq!(Personnummer::parse("800101-123", today).unwrap_err().reason(), Reason::Length);
    /// assert_eq!(Personnummer::parse("800230-1237", today).unwrap_err().reason(), Reason::Date);
    /// assert_eq!(Personnummer::parse("8001-011231", today).unwrap_err().reason(), Reason::Separator);
    /// ```
    pub fn parse(text: &str, reference: Date) -> Result<Personnummer, InvalidPersonnummer> {
        // Collect the digits and the position (in digits) of the separator.
        let mut digits = [0u8; 12];
        let mut n = 0usize;
        let mut separator: Option<(u8, usize)> = None;
        let mut chars = 0usize;
        let mut any = false;
        for c in text.chars() {
            chars += 1;
            if chars > MAX_CHARS {
                return fail(Reason::Length);
            }
            match c {
                '0'..='9' => {
                    if n == 12 {
                        return fail(Reason::Length);
                    }
                    digits[n] = c as u8;
                    n += 1;
                    any = true;
                }
                '-' | '+' => {
                    if separator.is_some() {
                        return fail(Reason::Separator);
                    }
                    separator = Some((c as u8, n));
                    any = true;
                }
                ' ' | '\t' | '\u{a0}' => {}
                _ => return fail(Reason::Characters),
            }
        }
        if !any {
            return fail(Reason::Empty);
        }
        if n != 10 && n != 12 {
            return fail(Reason::Length);
        }
        let plus = match separator {
            None => false,
            Some((_, at)) if at != n - 4 => return fail(Reason::Separator),
            Some((b'+', _)) if n == 12 => return fail(Reason::Separator),
            Some((sep, _)) => sep == b'+',
        };
        let short: &[u8] = &digits[n - 10..n];
        let value = |d: &[u8]| d.iter().fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'));
        let month = value(&short[2..4]);
        let day = value(&short[4..6]);
        let birth_day = if day > 60 { day - 60 } else { day };
        let year = if n == 12 {
            value(&digits[0..4]) as i32
        } else {
            let yy = value(&short[0..2]) as i32;
            let (ry, _, _) = reference.ymd();
            let mut year = ry - (ry - yy).rem_euclid(100);
            // Born on a day that has not come yet this century: the century before.
            if Date::from_ymd(year, month, birth_day).is_some_and(|d| d > reference) {
                year -= 100;
            }
            if plus {
                year -= 100;
            }
            year
        };
        let born = match Date::from_ymd(year, month, birth_day) {
            Some(d) if d <= reference => d,
            _ => return fail(Reason::Date),
        };
        if luhn(&short[..9]) != short[9] - b'0' {
            return fail(Reason::CheckDigit);
        }
        let mut out = [0u8; 12];
        let century = (year / 100) as u8;
        out[0] = b'0' + century / 10;
        out[1] = b'0' + century % 10;
        out[2..].copy_from_slice(short);
        debug_assert_eq!(born.year(), year);
        Ok(Personnummer { digits: out })
    }

    /// The twelve digits `YYYYMMDDNNNC`.
    ///
    /// ```
    /// use finsam_core::personnummer::Personnummer;
    /// use finsam_core::Date;
    /// let p = Personnummer::parse("811218-9876", Date::from_ymd(2025, 6, 1).unwrap())?;
    /// assert_eq!(p.as_str(), "198112189876");
    /// # Ok::<(), finsam_core::personnummer::InvalidPersonnummer>(())
    /// ```
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.digits).unwrap_or_else(|_| unreachable!())
    }

    /// `true` for a samordningsnummer (day of month + 60).
    ///
    /// ```
    /// use finsam_core::personnummer::Personnummer;
    /// use finsam_core::Date;
    /// let p = Personnummer::parse("811218-9876", Date::from_ymd(2025, 6, 1).unwrap())?;
    /// assert!(!p.is_samordningsnummer());
    /// # Ok::<(), finsam_core::personnummer::InvalidPersonnummer>(())
    /// ```
    pub fn is_samordningsnummer(&self) -> bool {
        self.digits[6] >= b'6'
    }

    /// The date of birth (for a samordningsnummer, with 60 taken off the day).
    ///
    /// ```
    /// use finsam_core::personnummer::Personnummer;
    /// use finsam_core::Date;
    /// let p = Personnummer::parse("811218-9876", Date::from_ymd(2025, 6, 1).unwrap())?;
    /// assert_eq!(p.birth_date().to_string(), "1981-12-18");
    /// # Ok::<(), finsam_core::personnummer::InvalidPersonnummer>(())
    /// ```
    pub fn birth_date(&self) -> Date {
        let d = |i: usize| u32::from(self.digits[i] - b'0');
        let year = (d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)) as i32;
        let day = d(6) * 10 + d(7);
        let day = if day > 60 { day - 60 } else { day };
        // `parse` checked this date.
        Date::from_ymd(year, d(4) * 10 + d(5), day).unwrap_or_else(|| unreachable!())
    }

    /// The pseudonymous id of this person under `key`: the keyed hash
    /// ([`PersonId::pseudonymise`]) of the twelve digits, so that every
    /// written form of the number gives the same id.
    ///
    /// ```
    /// use finsam_core::personnummer::Personnummer;
    /// use finsam_core::{Date, PersonId};
    /// let today = Date::from_ymd(2025, 6, 1).unwrap();
    /// let a = Personnummer::parse("19800101-1231", today)?.pseudonymise(b"a secret study key");
    /// let b = Personnummer::parse("8001011231", today)?.pseudonymise(b"a secret study key");
    /// assert_eq!(a, b);
    /// assert_eq!(a, PersonId::pseudonymise(b"a secret study key", "198001011231"));
    /// # Ok::<(), finsam_core::personnummer::InvalidPersonnummer>(())
    /// ```
    pub fn pseudonymise(&self, key: &[u8]) -> PersonId {
        PersonId::pseudonymise(key, self.as_str())
    }
}

/// The Luhn check digit of nine ASCII digits: weights 2, 1, 2, 1, …; the
/// digits of each product are added; the check digit brings the sum to a
/// multiple of ten.
fn luhn(nine: &[u8]) -> u8 {
    let sum: u32 = nine
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let p = u32::from(c - b'0') * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Today's date (UTC) from the system clock, the default reference date
/// for a ten-digit number's century.
///
/// ```
/// let today = finsam_core::personnummer::today();
/// assert!(today.year() >= 2025);
/// ```
pub fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i32::try_from(secs / 86_400).unwrap_or(i32::MAX);
    Date::from_days_since_epoch(days).unwrap_or_else(|| Date::from_ymd(9999, 12, 31).unwrap_or_else(|| unreachable!()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_of_the_skatteverket_example() {
        // 811218-987?: 8·2=16→7, 1, 1·2=2, 2, 1·2=2, 8, 9·2=18→9, 8, 7·2=14→5;
        // 7+1+2+2+2+8+9+8+5 = 44; 10 − 4 = 6.
        assert_eq!(luhn(b"811218987"), 6);
    }
}

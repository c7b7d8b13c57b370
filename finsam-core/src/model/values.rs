//! Small validated value types: ids, money in öre, benefit days, omfattning.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident($inner:ty)) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

/// The largest förbund or insats id the readers accept: the two values
/// above it mark unused and total key parts in the tables, so an id equal
/// to one of them would merge with the total row.
pub const MAX_ID: u32 = u32::MAX - 2;

/// [`MAX_ID`]'s range as error messages name it.
pub(crate) const ID_RANGE: &str = "0..=4294967293";

id_type! {
    /// A förbund's id, as the data source numbers them (at most [`MAX_ID`]
    /// when read).
    ///
    /// ```
    /// use finsam_core::ForbundId;
    /// assert_eq!(ForbundId(7).to_string(), "7");
    /// ```
    ForbundId(u32)
}

id_type! {
    /// An insats's id, unique across the data set.
    ///
    /// ```
    /// use finsam_core::InsatsId;
    /// assert_eq!(InsatsId(1001).0, 1001);
    /// ```
    InsatsId(u32)
}

id_type! {
    /// A pseudonymous person id. finsam never needs names or real
    /// personnummer; use [`PersonId::pseudonymise`] to derive one.
    ///
    /// ```
    /// use finsam_core::PersonId;
    /// assert_eq!(PersonId(42).to_string(), "42");
    /// ```
    PersonId(u64)
}

impl PersonId {
    /// Derives a pseudonymous id from an opaque identifier and a secret
    /// key: the first eight bytes (big-endian) of HMAC-SHA-256(key,
    /// identifier), with the top bit cleared so that every id fits the data
    /// contract's `deltagare_id` (0..=2⁶³−1). The same key and identifier
    /// always give the same id; without the key the identifier cannot be
    /// recovered by trying every personnummer. Keep the key secret and the
    /// same within a study. With 63 bits, two of a million persons collide
    /// with a probability of about 5·10⁻⁸.
    ///
    /// The identifier is hashed exactly as given. For a personnummer, parse
    /// it first with [`Personnummer`](crate::personnummer::Personnummer) and
    /// use [`Personnummer::pseudonymise`](crate::personnummer::Personnummer::pseudonymise):
    /// `19800101-1231`, `198001011231` and `800101-1231` are one person, and
    /// only the normalised twelve digits give them one id.
    ///
    /// ```
    /// use finsam_core::PersonId;
    /// use finsam_core::personnummer::Personnummer;
    /// let a = PersonId::pseudonymise(b"study-key", "lopnr-4711");
    /// assert_eq!(a, PersonId::pseudonymise(b"study-key", "lopnr-4711"));
    /// assert_ne!(a, PersonId::pseudonymise(b"other-key", "lopnr-4711"));
    /// assert!(a.0 <= i64::MAX as u64);
    /// let today = finsam_core::Date::from_ymd(2025, 6, 1).unwrap();
    /// let p = Personnummer::parse("800101-1231", today).unwrap();
    /// assert_eq!(p.pseudonymise(b"study-key"), PersonId::pseudonymise(b"study-key", "198001011231"));
    /// ```
    pub fn pseudonymise(key: &[u8], identifier: &str) -> PersonId {
        use hmac::{Hmac, Mac};
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
        mac.update(identifier.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        first[0] &= 0x7F;
        PersonId(u64::from_be_bytes(first))
    }
}

/// An amount of money in öre (1/100 krona). Money is never floating point.
///
/// ```
/// use finsam_core::Ore;
/// let a: Ore = "1 234,50".parse().unwrap();
/// assert_eq!(a, Ore(123_450));
/// assert_eq!(a.to_string(), "1234.50");
/// assert_eq!(Ore::from_kronor(400_000), Ore(40_000_000));
/// assert!("12.345".parse::<Ore>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ore(pub i64);

impl Ore {
    /// Whole kronor.
    pub const fn from_kronor(kr: i64) -> Ore {
        Ore(kr * 100)
    }

    /// Parses kronor with at most two decimals: `1234`, `1234.5`, `-12,50`,
    /// `1 234,50` (a space or non-breaking space as thousands separator).
    pub fn parse_kronor(text: &str) -> Option<Ore> {
        let t = text.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (whole, frac) = match body.find(['.', ',']) {
            Some(i) if i + 1 < body.len() => (&body[..i], &body[i + 1..]),
            Some(_) => return None,
            None => (body, ""),
        };
        let whole: String = whole.chars().filter(|c| *c != ' ' && *c != '\u{a0}').collect();
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let kr: i64 = whole.parse().ok()?;
        let ore: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        let v = kr.checked_mul(100)?.checked_add(ore)?;
        Some(Ore(if neg { -v } else { v }))
    }
}

impl fmt::Display for Ore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl FromStr for Ore {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ore::parse_kronor(s).ok_or_else(|| format!("{s:?} is not an amount in kronor with at most two decimals"))
    }
}

impl Serialize for Ore {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Ore {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(Ore)
    }
}

/// A number of benefit days in steps of a quarter day, held exactly as an
/// integer count of quarter days: a day at 50 % omfattning is half a day.
///
/// ```
/// use finsam_core::Dagar;
/// let d: Dagar = "12.5".parse().unwrap();
/// assert_eq!(d.quarters(), 50);
/// assert_eq!(d.as_f64(), 12.5);
/// assert_eq!(d.to_string(), "12.5");
/// assert!("12.3".parse::<Dagar>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dagar(u32);

impl Dagar {
    /// The most days a window can hold (a leap year).
    pub const MAX: Dagar = Dagar(366 * 4);

    /// From a count of quarter days.
    pub const fn from_quarters(q: u32) -> Dagar {
        Dagar(q)
    }

    /// From whole days.
    pub const fn whole(days: u32) -> Dagar {
        Dagar(days * 4)
    }

    /// The count of quarter days.
    pub const fn quarters(self) -> u32 {
        self.0
    }

    /// The days as a float (exact: quarters are binary fractions).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 4.0
    }

    /// From a float that is a multiple of 0.25 in `0..=366`.
    pub fn from_f64(days: f64) -> Option<Dagar> {
        let q = days * 4.0;
        (q.is_finite() && q >= 0.0 && q.fract() == 0.0 && q <= f64::from(Dagar::MAX.0)).then_some(Dagar(q as u32))
    }

    /// Parses `12`, `12.25`, `12,5` (multiples of 0.25 from 0 to 366).
    pub fn parse(text: &str) -> Option<Dagar> {
        let t = text.trim();
        let (whole, frac) = match t.find(['.', ',']) {
            Some(i) => (&t[..i], &t[i + 1..]),
            None => (t, ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let w: u32 = whole.parse().ok()?;
        let frac = frac.trim_end_matches('0');
        let q = match frac {
            "" => 0,
            "25" => 1,
            "5" => 2,
            "75" => 3,
            _ => return None,
        };
        let d = Dagar(w.checked_mul(4)?.checked_add(q)?);
        (d <= Dagar::MAX).then_some(d)
    }
}

impl fmt::Display for Dagar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frac = ["", ".25", ".5", ".75"][(self.0 % 4) as usize];
        write!(f, "{}{frac}", self.0 / 4)
    }
}

impl FromStr for Dagar {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Dagar::parse(s).ok_or_else(|| format!("{s:?} is not a number of days in steps of 0.25 from 0 to 366"))
    }
}

impl Serialize for Dagar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Dagar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Dagar::from_f64(v)
            .ok_or_else(|| serde::de::Error::custom(format!("{v} is not a number of days in steps of 0.25")))
    }
}

/// The extent (omfattning) of a benefit: a quarter, half, three quarters or
/// all of full time.
///
/// ```
/// use finsam_core::Omfattning;
/// assert_eq!("50".parse::<Omfattning>().unwrap(), Omfattning::Halv);
/// assert_eq!("100 %".parse::<Omfattning>().unwrap().quarters(), 4);
/// assert!("60".parse::<Omfattning>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Omfattning {
    /// 25 %.
    Fjardedel,
    /// 50 %.
    Halv,
    /// 75 %.
    TreFjardedelar,
    /// 100 %.
    Hel,
}

impl Omfattning {
    /// Every extent.
    pub const ALL: [Omfattning; 4] =
        [Omfattning::Fjardedel, Omfattning::Halv, Omfattning::TreFjardedelar, Omfattning::Hel];

    /// The extent in quarters of a day (1–4).
    pub fn quarters(self) -> u32 {
        self as u32 + 1
    }

    /// The extent in percent.
    pub fn percent(self) -> u32 {
        self.quarters() * 25
    }

    /// From a percentage of 25, 50, 75 or 100.
    pub fn from_percent(p: u32) -> Option<Omfattning> {
        match p {
            25 => Some(Omfattning::Fjardedel),
            50 => Some(Omfattning::Halv),
            75 => Some(Omfattning::TreFjardedelar),
            100 => Some(Omfattning::Hel),
            _ => None,
        }
    }

    /// Parses `25`, `50 %`, `75%`, `100`.
    pub fn parse(text: &str) -> Option<Omfattning> {
        let t = text.trim().trim_end_matches('%').trim();
        t.parse::<u32>().ok().and_then(Omfattning::from_percent)
    }
}

impl fmt::Display for Omfattning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.percent().fmt(f)
    }
}

impl FromStr for Omfattning {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Omfattning::parse(s).ok_or_else(|| format!("{s:?} is not an omfattning of 25, 50, 75 or 100 %"))
    }
}

impl Serialize for Omfattning {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.percent())
    }
}

impl<'de> Deserialize<'de> for Omfattning {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = u32::deserialize(d)?;
        Omfattning::from_percent(p).ok_or_else(|| serde::de::Error::custom(format!("{p} is not 25, 50, 75 or 100")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn money_parses_swedish_and_iso_forms() {
        assert_eq!(Ore::parse_kronor("0"), Some(Ore(0)));
        assert_eq!(Ore::parse_kronor("-0,05"), Some(Ore(-5)));
        assert_eq!(Ore::parse_kronor("12.5"), Some(Ore(1250)));
        assert_eq!(Ore::parse_kronor("1\u{a0}000"), Some(Ore(100_000)));
        for bad in ["", "-", "1.2.3", "1e5", "12.", "abc", "99999999999999999999"] {
            assert_eq!(Ore::parse_kronor(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn money_text_round_trips(v in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(Ore::parse_kronor(&Ore(v).to_string()), Some(Ore(v)));
        }

        #[test]
        fn days_text_round_trips(q in 0u32..=366 * 4) {
            let d = Dagar::from_quarters(q);
            prop_assert_eq!(Dagar::parse(&d.to_string()), Some(d));
            prop_assert_eq!(Dagar::from_f64(d.as_f64()), Some(d));
        }
    }
}

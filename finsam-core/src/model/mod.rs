//! The typed Finsam domain model (domain.md §2–3).
//!
//! Rows are small `Copy`-friendly structs with no heap data on the hot
//! paths (sets are bit sets, money is öre, days are quarter days), so that a
//! national-scale `Vec<Deltagande>` is compact and scanned at memory speed.

#[macro_use]
pub mod codes;
pub mod economy;
pub mod kommun;
pub mod survey;
pub mod values;

use serde::{Deserialize, Serialize};

use crate::Date;
pub use codes::*;
pub use economy::*;
pub use kommun::KommunKod;
pub use survey::*;
pub use values::*;

/// A samordningsförbund: a coordination association with a lifetime and
/// member kommuner over time.
///
/// ```
/// use finsam_core::{Date, Forbund, ForbundId, KommunKod, Medlemshandelse, Medlemskap};
/// let d = |s: &str| s.parse::<Date>().unwrap();
/// let f = Forbund {
///     id: ForbundId(1),
///     namn: "Samordningsförbundet Södra Norrbotten".into(),
///     start: d("2020-01-01"),
///     slut: None,
///     medlemskap: vec![
///         Medlemskap { kommun: KommunKod::new(2580).unwrap(), datum: d("2020-01-01"), handelse: Medlemshandelse::Intrade },
///         Medlemskap { kommun: KommunKod::new(2582).unwrap(), datum: d("2021-01-01"), handelse: Medlemshandelse::Intrade },
///     ],
///     foregangare: vec![],
/// };
/// assert_eq!(f.members_on(d("2020-06-30")).len(), 1);
/// assert_eq!(f.members_on(d("2021-06-30")).len(), 2);
/// assert!(f.is_active_in(2021));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forbund {
    /// The id.
    pub id: ForbundId,
    /// The name.
    pub namn: String,
    /// The day the förbund was formed.
    pub start: Date,
    /// The last day it existed (dissolved or merged), if it has ended.
    pub slut: Option<Date>,
    /// Member kommuner over time, as dated join and leave events.
    #[serde(default)]
    pub medlemskap: Vec<Medlemskap>,
    /// The förbund this one was formed from by a merger.
    #[serde(default)]
    pub foregangare: Vec<ForbundId>,
}

/// One membership event: a kommun joins or leaves a förbund on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Medlemskap {
    /// The kommun.
    pub kommun: KommunKod,
    /// The first day the event applies (the first day as member on joining,
    /// the first day no longer a member on leaving).
    pub datum: Date,
    /// Join or leave.
    pub handelse: Medlemshandelse,
}

impl Forbund {
    /// `true` if the förbund existed on any day of `year`.
    pub fn is_active_in(&self, year: i32) -> bool {
        overlaps_year(self.start, self.slut, year)
    }

    /// The member kommuner on `date`, in code order.
    pub fn members_on(&self, date: Date) -> Vec<KommunKod> {
        let mut events: Vec<&Medlemskap> = self.medlemskap.iter().filter(|m| m.datum <= date).collect();
        events.sort_by_key(|m| (m.datum, m.handelse == Medlemshandelse::Intrade));
        let mut members = std::collections::BTreeSet::new();
        for m in events {
            match m.handelse {
                Medlemshandelse::Intrade => members.insert(m.kommun),
                Medlemshandelse::Uttrade => members.remove(&m.kommun),
            };
        }
        members.into_iter().collect()
    }

    /// Each kommun that was a member on some day of `year`, with the number
    /// of days it was (in code order). The days are what a mid-year join or
    /// leave is pro-rated by.
    ///
    /// ```
    /// use finsam_core::{Date, Forbund, ForbundId, KommunKod, Medlemshandelse, Medlemskap};
    /// let d = |s: &str| s.parse::<Date>().unwrap();
    /// let k = |c| KommunKod::new(c).unwrap();
    /// let f = Forbund { id: ForbundId(1), namn: "F".into(), start: d("2020-01-01"), slut: None, foregangare: vec![],
    ///     medlemskap: vec![
    ///         Medlemskap { kommun: k(2580), datum: d("2020-01-01"), handelse: Medlemshandelse::Intrade },
    ///         Medlemskap { kommun: k(2582), datum: d("2021-07-01"), handelse: Medlemshandelse::Intrade },
    ///     ] };
    /// assert_eq!(f.member_days(2021), vec![(k(2580), 365), (k(2582), 184)]);
    /// ```
    pub fn member_days(&self, year: i32) -> Vec<(KommunKod, u32)> {
        let (Some(first), Some(after)) = (Date::from_ymd(year, 1, 1), Date::from_ymd(year + 1, 1, 1)) else {
            return Vec::new();
        };
        let mut days: std::collections::BTreeMap<KommunKod, u32> = std::collections::BTreeMap::new();
        let mut since: std::collections::BTreeMap<KommunKod, Date> =
            self.members_on(first).into_iter().map(|k| (k, first)).collect();
        let mut events: Vec<&Medlemskap> =
            self.medlemskap.iter().filter(|m| m.datum > first && m.datum < after).collect();
        events.sort_by_key(|m| (m.datum, m.handelse == Medlemshandelse::Intrade));
        for m in events {
            match m.handelse {
                Medlemshandelse::Intrade => {
                    since.entry(m.kommun).or_insert(m.datum);
                }
                Medlemshandelse::Uttrade => {
                    if let Some(from) = since.remove(&m.kommun) {
                        *days.entry(m.kommun).or_default() += from.days_until(m.datum).unsigned_abs();
                    }
                }
            }
        }
        for (k, from) in since {
            *days.entry(k).or_default() += from.days_until(after).unsigned_abs();
        }
        days.into_iter().filter(|&(_, d)| d > 0).collect()
    }
}

/// `true` if `start..=slut` (open if `slut` is `None`) meets `year`.
pub(crate) fn overlaps_year(start: Date, slut: Option<Date>, year: i32) -> bool {
    start.year() <= year && slut.is_none_or(|s| s.year() >= year)
}

/// An insats: an intervention financed by a förbund.
///
/// ```
/// use finsam_core::{BehovsgruppSet, Date, ForbundId, Inriktning, Insats, InsatsId};
/// let i = Insats {
///     id: InsatsId(10), forbund: ForbundId(1), namn: "Steget vidare".into(),
///     inriktning: Inriktning::Individ, behovsgrupper: BehovsgruppSet::empty(),
///     start: "2019-03-01".parse().unwrap(), slut: None, budget: None, utfall: None,
/// };
/// assert!(i.is_active_in(2024));
/// assert!(!i.is_active_in(2018));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Insats {
    /// The id, unique in the data set.
    pub id: InsatsId,
    /// The förbund that finances it.
    pub forbund: ForbundId,
    /// The name.
    pub namn: String,
    /// Aimed at individuals or at the parties' cooperation.
    pub inriktning: Inriktning,
    /// The prioritised behovsgrupper it targets (may be none).
    #[serde(default)]
    pub behovsgrupper: BehovsgruppSet,
    /// The first day.
    pub start: Date,
    /// The last day, if it has ended.
    pub slut: Option<Date>,
    /// The total budget, if known.
    pub budget: Option<Ore>,
    /// The total outcome (spent), if known.
    pub utfall: Option<Ore>,
}

impl Insats {
    /// `true` if the insats ran on any day of `year`.
    pub fn is_active_in(&self, year: i32) -> bool {
        overlaps_year(self.start, self.slut, year)
    }
}

/// One participation: one person in one insats from inregistrering to
/// utregistrering (person-level era, up to 2023).
///
/// ```
/// use finsam_core::*;
/// let d = Deltagande {
///     person: PersonId(1), insats: InsatsId(10), kon: Kon::Kvinna, fodelsear: Some(1990),
///     start: "2020-01-15".parse().unwrap(), slut: Some("2020-09-30".parse().unwrap()),
///     forsorjning_fore: ForsorjningSet::of(&[Forsorjning::Sjukpenning]),
///     forsorjning_efter: ForsorjningSet::of(&[Forsorjning::Lon]),
///     utfall: Some(Utfall::Arbete), subventionerad: Some(false),
///     avslutsanledning: Some(Avslutsanledning::Genomford), remittent: Some(Part::Forsakringskassan),
/// };
/// assert!(d.is_ended());
/// assert_eq!(d.age_at_start(), Some(30));
/// assert!(d.is_active_in(2020) && !d.is_active_in(2021));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Deltagande {
    /// The pseudonymous person.
    pub person: PersonId,
    /// The insats.
    pub insats: InsatsId,
    /// Kön as registered.
    pub kon: Kon,
    /// Födelseår, if registered.
    pub fodelsear: Option<u16>,
    /// Inregistrering.
    pub start: Date,
    /// Utregistrering, if the participation has ended.
    pub slut: Option<Date>,
    /// Sources of support before (empty if not registered).
    #[serde(default)]
    pub forsorjning_fore: ForsorjningSet,
    /// Sources of support after (empty if not registered).
    #[serde(default)]
    pub forsorjning_efter: ForsorjningSet,
    /// Status after an ended participation.
    pub utfall: Option<Utfall>,
    /// Whether the work after is subsidised, where the data say.
    pub subventionerad: Option<bool>,
    /// Why it ended.
    pub avslutsanledning: Option<Avslutsanledning>,
    /// The referring party.
    pub remittent: Option<Part>,
}

impl Deltagande {
    /// `true` if the participation has an end date.
    pub fn is_ended(&self) -> bool {
        self.slut.is_some()
    }

    /// `true` if it was registered by mistake (excluded from every indicator).
    pub fn is_felregistrering(&self) -> bool {
        self.avslutsanledning == Some(Avslutsanledning::Felregistrering)
    }

    /// The age reached in the year of start, if födelseår is known.
    pub fn age_at_start(&self) -> Option<i32> {
        self.fodelsear.map(|y| self.start.year() - i32::from(y))
    }

    /// `true` if the participation was started or ongoing on any day of `year`.
    pub fn is_active_in(&self, year: i32) -> bool {
        overlaps_year(self.start, self.slut, year)
    }

    /// The key that identifies a participation for linked data.
    pub fn key(&self) -> DeltagandeKey {
        DeltagandeKey { person: self.person, insats: self.insats, start: self.start }
    }
}

/// What identifies a participation: person, insats and start date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DeltagandeKey {
    /// The person.
    pub person: PersonId,
    /// The insats.
    pub insats: InsatsId,
    /// The start date.
    pub start: Date,
}

/// Anonymous participants (registered without personal data) as a count
/// per insats, year and kön.
///
/// ```
/// use finsam_core::{AnonymaDeltagare, InsatsId, Kon};
/// let a = AnonymaDeltagare { insats: InsatsId(10), ar: 2020, kon: Kon::Man, antal: 7 };
/// assert_eq!(a.antal, 7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AnonymaDeltagare {
    /// The insats.
    pub insats: InsatsId,
    /// The calendar year.
    pub ar: i32,
    /// Kön.
    pub kon: Kon,
    /// The number of anonymous participants.
    pub antal: u32,
}

/// An aggregate row per insats and year (the successor system from 2023,
/// and budget/utfall in any era).
///
/// ```
/// use finsam_core::{InsatsAr, InsatsId, Ore};
/// let r = InsatsAr { insats: InsatsId(10), ar: 2023, budget: Some(Ore::from_kronor(500_000)),
///     utfall: None, budgeterade_deltagare: Some(40), deltagare_kvinnor: Some(20),
///     deltagare_man: Some(15), deltagare_totalt: Some(35) };
/// assert_eq!(r.deltagare(), Some(35));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct InsatsAr {
    /// The insats.
    pub insats: InsatsId,
    /// The calendar year.
    pub ar: i32,
    /// Budget for the year.
    pub budget: Option<Ore>,
    /// Outcome (spent) in the year.
    pub utfall: Option<Ore>,
    /// Budgeted number of participants.
    pub budgeterade_deltagare: Option<u32>,
    /// Participating women (individinriktade insatser).
    pub deltagare_kvinnor: Option<u32>,
    /// Participating men (individinriktade insatser).
    pub deltagare_man: Option<u32>,
    /// All participants (always for strukturövergripande insatser; may
    /// exceed women + men where kön is unknown).
    pub deltagare_totalt: Option<u32>,
}

impl InsatsAr {
    /// The number of participants: the total if given, else women + men
    /// (one of them if only one is given); `None` if the row counts none.
    pub fn deltagare(&self) -> Option<u32> {
        self.deltagare_totalt.or_else(|| match (self.deltagare_kvinnor, self.deltagare_man) {
            (None, None) => None,
            (k, m) => Some(k.unwrap_or(0).saturating_add(m.unwrap_or(0))),
        })
    }
}

/// A person who did not take part, drawn from a register as a comparison
/// for evaluations (`jamforelsepersoner.csv`, optional). Their benefit spells
/// are in `ersattningsperioder` under the same pseudonymous id.
///
/// `forsorjning` is the register's sources of support on `forsorjning_datum`
/// (both optional: a draw from the benefit register alone has neither). A
/// comparison person who also appears in `deltaganden` is valid data (a
/// population draw can include later participants); the evaluation builders
/// leave such persons out of the comparison pool and count them.
///
/// ```
/// use finsam_core::*;
/// let j = Jamforelseperson { person: PersonId(9_000_001), kon: Kon::Kvinna, fodelsear: Some(1985),
///     kommun: KommunKod::new(180), forsorjning: ForsorjningSet::of(&[Forsorjning::Sjukpenning]),
///     forsorjning_datum: Date::from_ymd(2020, 3, 1) };
/// assert_eq!(j.kommun.map(|k| k.name()), Some("Stockholm"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Jamforelseperson {
    /// The pseudonymous id, in the same id space as participants.
    pub person: PersonId,
    /// Kön as registered.
    pub kon: Kon,
    /// Födelseår, if registered.
    pub fodelsear: Option<u16>,
    /// The kommun of residence, if known.
    pub kommun: Option<KommunKod>,
    /// Sources of support on `forsorjning_datum` (empty: not registered).
    #[serde(default)]
    pub forsorjning: ForsorjningSet,
    /// The date `forsorjning` refers to.
    pub forsorjning_datum: Option<Date>,
}

/// A benefit spell from a register: a person had a benefit at an extent
/// from one day to another (both inclusive).
///
/// ```
/// use finsam_core::*;
/// let s = Ersattningsperiod { person: PersonId(1), slag: Ersattningsslag::Sjukpenning,
///     fran: "2020-01-01".parse().unwrap(), till: "2020-01-10".parse().unwrap(),
///     omfattning: Omfattning::Halv };
/// // Ten days at 50 %, of which the window holds the last five.
/// let days = s.days_within("2020-01-06".parse().unwrap(), "2020-12-31".parse().unwrap());
/// assert_eq!(days, Dagar::from_quarters(5 * 2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ersattningsperiod {
    /// The person.
    pub person: PersonId,
    /// The benefit kind.
    pub slag: Ersattningsslag,
    /// The first day.
    pub fran: Date,
    /// The last day (inclusive).
    pub till: Date,
    /// The extent.
    pub omfattning: Omfattning,
}

impl Ersattningsperiod {
    /// The benefit days this spell contributes to the window
    /// `from..=to` (both inclusive), each day weighted by omfattning.
    pub fn days_within(&self, from: Date, to: Date) -> Dagar {
        let first = self.fran.max(from);
        let last = self.till.min(to);
        let days = first.days_until(last) + 1;
        if days <= 0 {
            return Dagar::default();
        }
        Dagar::from_quarters(days as u32 * self.omfattning.quarters())
    }
}

/// Pre-computed benefit days in the windows before and after one
/// participation, for one reporting group (when registers were linked
/// elsewhere and only day counts are delivered).
///
/// ```
/// use finsam_core::*;
/// let w = Ersattningsdagar { person: PersonId(1), insats: InsatsId(10),
///     start: "2020-01-15".parse().unwrap(), grupp: Ersattningsgrupp::SpRp,
///     fore: Dagar::whole(120), efter: Some(Dagar::whole(30)) };
/// assert_eq!(w.fore.as_f64(), 120.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ersattningsdagar {
    /// The person.
    pub person: PersonId,
    /// The insats.
    pub insats: InsatsId,
    /// The participation's start date.
    pub start: Date,
    /// The reporting group.
    pub grupp: Ersattningsgrupp,
    /// Days in the window before.
    pub fore: Dagar,
    /// Days in the window after, if that window has been observed.
    pub efter: Option<Dagar>,
}

impl Ersattningsdagar {
    /// The participation these days belong to.
    pub fn key(&self) -> DeltagandeKey {
        DeltagandeKey { person: self.person, insats: self.insats, start: self.start }
    }
}

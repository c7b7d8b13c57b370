//! Money and the statistics the financing rules use (domain.md §6).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Ersattningsgrupp, ForbundId, KommunKod, Ore};

/// A non-negative quantity with two decimals, held exactly as hundredths:
/// full-year equivalents (helårsekvivalenter) of a försörjningsmått, or a
/// percentage share in a förbundsordning.
///
/// ```
/// use finsam_core::Hundradelar;
/// assert_eq!(Hundradelar::parse("1 234,5"), Some(Hundradelar(123_450)));
/// assert_eq!(Hundradelar::parse("-1"), None);
/// assert_eq!(Hundradelar(123_450).to_string(), "1234.50");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hundradelar(pub i64);

impl Hundradelar {
    /// Parses a non-negative number with at most two decimals (`.` or `,`;
    /// spaces as thousands separators).
    pub fn parse(text: &str) -> Option<Hundradelar> {
        Ore::parse_kronor(text).filter(|o| o.0 >= 0).map(|o| Hundradelar(o.0))
    }

    /// The value as a float (for display and weights only).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Hundradelar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ore(self.0).fmt(f)
    }
}

impl Serialize for Hundradelar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hundradelar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Hundradelar::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a number")))
    }
}

/// The benefit kinds of the försörjningsmått, in the order of
/// [`Kommunstatistik::forsorjningsmatt`].
pub const FORSORJNINGSMATT: [Ersattningsgrupp; 7] = [
    Ersattningsgrupp::SpRp,
    Ersattningsgrupp::Ae,
    Ersattningsgrupp::Sa,
    Ersattningsgrupp::AKassa,
    Ersattningsgrupp::Aktivitetsstod,
    Ersattningsgrupp::Etableringsersattning,
    Ersattningsgrupp::Forsorjningsstod,
];

/// A förbund's economy in one year (`forbund_ekonomi.csv`).
///
/// ```
/// use finsam_core::*;
/// let e = ForbundEkonomi { forbund: ForbundId(1), ar: 2021, budget: Some(Ore::from_kronor(8_000_000)),
///     statlig_tilldelning: Some(Ore::from_kronor(4_000_000)), eget_kapital: Some(Ore::from_kronor(900_000)),
///     administrationskostnad: Some(Ore::from_kronor(1_100_000)) };
/// assert_eq!(e.budget.unwrap().to_string(), "8000000.00");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ForbundEkonomi {
    /// The förbund.
    pub forbund: ForbundId,
    /// The year.
    pub ar: i32,
    /// The total the four parties contribute for the year (split by law §5).
    pub budget: Option<Ore>,
    /// The state's allocation to the förbund for the year.
    pub statlig_tilldelning: Option<Ore>,
    /// The förbund's equity (eget kapital) at the end of the year.
    pub eget_kapital: Option<Ore>,
    /// The förbund's administrative costs in the year (kansli, board,
    /// follow-up), as Uppföljning Finsam reports them.
    pub administrationskostnad: Option<Ore>,
}

/// A kommun's population and försörjningsmått in one year
/// (`kommunstatistik.csv`), as SCB publishes them per kommun.
///
/// ```
/// use finsam_core::*;
/// let s = Kommunstatistik { kommun: KommunKod::new(2580).unwrap(), ar: 2021, invanare: 79_000,
///     invanare_16_64: 50_000, forsorjningsmatt: [Hundradelar(150_000); 7] };
/// assert_eq!(s.forsorjningsmatt_total(), Hundradelar(1_050_000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Kommunstatistik {
    /// The kommun.
    pub kommun: KommunKod,
    /// The year.
    pub ar: i32,
    /// All inhabitants.
    pub invanare: u32,
    /// Inhabitants aged 16–64.
    pub invanare_16_64: u32,
    /// Full-year equivalents per benefit kind, in the order of [`FORSORJNINGSMATT`].
    pub forsorjningsmatt: [Hundradelar; 7],
}

impl Kommunstatistik {
    /// The försörjningsmått: the sum over the benefit kinds.
    pub fn forsorjningsmatt_total(&self) -> Hundradelar {
        Hundradelar(self.forsorjningsmatt.iter().fold(0i64, |a, h| a.saturating_add(h.0)))
    }
}

/// A kommun's share of the kommuner's quarter as set in a förbund's
/// förbundsordning (`kommunandelar.csv`), when it is not by population.
///
/// ```
/// use finsam_core::*;
/// let a = Kommunandel { forbund: ForbundId(1), ar: 2021, kommun: KommunKod::new(2580).unwrap(),
///     andel: Hundradelar::parse("62.5").unwrap() };
/// assert_eq!(a.andel, Hundradelar(6_250));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Kommunandel {
    /// The förbund.
    pub forbund: ForbundId,
    /// The year.
    pub ar: i32,
    /// The kommun.
    pub kommun: KommunKod,
    /// Its share in percent (the shares of a förbund and year are weights:
    /// they are used in proportion to their sum).
    pub andel: Hundradelar,
}

/// What the allocation model ([`finance::allocation`](crate::finance::allocation))
/// needs of one förbund: a domain value, read from `fordelningsunderlag.csv`
/// by the data contract and computed from a data set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationInput {
    /// The förbund.
    pub forbund: ForbundId,
    /// Its name.
    pub namn: String,
    /// Its area: the member kommuner.
    pub kommuner: Vec<KommunKod>,
    /// Inhabitants aged 16–64 in the area.
    pub invanare_16_64: u64,
    /// Full-year equivalents per benefit kind in the area (order of [`FORSORJNINGSMATT`]).
    pub forsorjningsmatt: [Hundradelar; 7],
    /// Last year's allocation (`None` for a new förbund: no floor).
    pub foregaende: Option<Ore>,
    /// Equity from the latest closed accounts (`None`: the equity rule is not applied).
    pub eget_kapital: Option<Ore>,
    /// The budget the equity is measured against (`None`: not applied).
    pub budget: Option<Ore>,
}

impl AllocationInput {
    /// The försörjningsmått: the sum over the benefit kinds.
    pub fn forsorjningsmatt_total(&self) -> Hundradelar {
        Hundradelar(self.forsorjningsmatt.iter().fold(0i64, |a, h| a.saturating_add(h.0)))
    }
}

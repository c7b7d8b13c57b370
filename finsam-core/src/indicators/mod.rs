//! The indicator engine: the figures of the national reports (domain.md §4)
//! from declared definitions, at any level, with intervals and disclosure
//! control.
//!
//! Every indicator is computed through a mergeable [`State`]: built on
//! chunks of the data (in parallel, or over a file read in streaming
//! chunks), merged, then published as [`Table`](crate::report::Table)s.
//! The [`catalogue`] declares each indicator: its id, labels, unit,
//! population, definition and source.

pub mod catalogue;
pub mod context;
pub mod deltagare;
pub mod ekonomi;
pub mod ersattningsdagar;
pub mod forsorjning;
pub mod insatser;
pub mod konsskillnad;
pub(crate) mod parts;
pub mod state;
pub mod stream;
pub mod tackning;
pub mod utfall;

use serde::{Deserialize, Serialize};

pub use catalogue::{IndicatorSpec, catalogue};
pub use context::Context;
pub use state::{Accumulator, Key, State};

use crate::Date;
pub use crate::engine::era::{MixedYear, SeriesBreak, YearSource};
use crate::error::{Error, Result};
use crate::publish::disclosure::Disclosure;
use crate::stats::ProportionMethod;

/// A dimension a table can be split by (the year is always a dimension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// The förbund financing the insats.
    Forbund,
    /// The insats.
    Insats,
    /// Kön.
    Kon,
    /// Age in the year of start, in the configured bands.
    Aldersgrupp,
    /// The behovsgrupper the insats targets (a participation counts in each;
    /// `ingen` if none).
    Behovsgrupp,
    /// The referring party (`okand` if not registered).
    Remittent,
    /// Försörjning before (a participation counts in each source it had;
    /// `ej_registrerad` if none).
    ForsorjningFore,
}

impl Dim {
    /// Every dimension.
    pub const ALL: [Dim; 7] =
        [Dim::Forbund, Dim::Insats, Dim::Kon, Dim::Aldersgrupp, Dim::Behovsgrupp, Dim::Remittent, Dim::ForsorjningFore];

    /// The column name.
    pub fn code(self) -> &'static str {
        match self {
            Dim::Forbund => "forbund",
            Dim::Insats => "insats",
            Dim::Kon => "kon",
            Dim::Aldersgrupp => "aldersgrupp",
            Dim::Behovsgrupp => "behovsgrupp",
            Dim::Remittent => "remittent",
            Dim::ForsorjningFore => "forsorjning_fore",
        }
    }

    /// Parses a column name.
    ///
    /// ```
    /// use finsam_core::indicators::Dim;
    /// assert_eq!(Dim::parse("kon"), Some(Dim::Kon));
    /// ```
    pub fn parse(text: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.code() == text)
    }

    /// Whether a participation can fall in several values (then parts do not
    /// sum to the total, and the dimension cannot be rolled up).
    pub fn is_multi_valued(self) -> bool {
        matches!(self, Dim::Behovsgrupp | Dim::ForsorjningFore)
    }

    /// Whether anonymous participants (known by insats, year and kön only)
    /// can be attributed along this dimension.
    pub fn knows_anonymous(self) -> bool {
        matches!(self, Dim::Forbund | Dim::Insats | Dim::Kon)
    }
}

/// The dimensions a table is split by, besides the year (at most four).
///
/// ```
/// use finsam_core::indicators::{Dim, Split};
/// let s = Split::new(&[Dim::Forbund, Dim::Kon])?;
/// assert_eq!(s.dims(), &[Dim::Forbund, Dim::Kon]);
/// assert!(Split::parse(&["kon", "nonsense"]).is_err());
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Split(pub(crate) Vec<Dim>);

impl Split {
    /// The most dimensions a split can have besides the year.
    pub const MAX: usize = 4;

    /// The national level: by year only.
    pub fn national() -> Split {
        Split(Vec::new())
    }

    /// A split by `dims`, in that order.
    ///
    /// # Errors
    /// `invalid_argument` for more than four dimensions or a repeated one.
    pub fn new(dims: &[Dim]) -> Result<Split> {
        if dims.len() > Split::MAX {
            return Err(Error::InvalidArgument { name: "by", message: format!("at most {} dimensions", Split::MAX) });
        }
        for (i, d) in dims.iter().enumerate() {
            if dims[..i].contains(d) {
                return Err(Error::InvalidArgument { name: "by", message: format!("{} is given twice", d.code()) });
            }
        }
        Ok(Split(dims.to_vec()))
    }

    /// A split from column names.
    ///
    /// # Errors
    /// `invalid_argument` for an unknown name, or as [`Split::new`].
    pub fn parse(names: &[&str]) -> Result<Split> {
        let dims = names
            .iter()
            .map(|n| {
                Dim::parse(n).ok_or_else(|| Error::InvalidArgument {
                    name: "by",
                    message: format!(
                        "{n:?} is not a dimension; use {}",
                        Dim::ALL.iter().map(|d| d.code()).collect::<Vec<_>>().join(", ")
                    ),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Split::new(&dims)
    }

    /// The dimensions.
    pub fn dims(&self) -> &[Dim] {
        &self.0
    }

    /// Whether anonymous participants can be attributed to this split's cells.
    pub fn knows_anonymous(&self) -> bool {
        self.0.iter().all(|d| d.knows_anonymous())
    }
}

/// Age bands by their lower bounds (ages below the first form a band of
/// their own).
///
/// ```
/// use finsam_core::indicators::AgeBands;
/// let b = AgeBands::default();
/// assert_eq!(b.label(b.band_of(Some(27))), "25-29");
/// assert_eq!(b.label(b.band_of(Some(63))), "60+");
/// assert_eq!(b.label(b.band_of(None)), "okand");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgeBands(pub Vec<i32>);

impl Default for AgeBands {
    fn default() -> Self {
        AgeBands(vec![16, 25, 30, 40, 50, 60])
    }
}

impl AgeBands {
    /// The band index of an age (`None`: unknown).
    pub fn band_of(&self, age: Option<i32>) -> u32 {
        match age {
            None => self.0.len() as u32 + 1,
            Some(a) => self.0.iter().take_while(|&&b| b <= a).count() as u32,
        }
    }

    /// The label of a band index.
    pub fn label(&self, band: u32) -> String {
        let b = band as usize;
        match (b, self.0.first()) {
            // No bands: one band of every age, which is no total of others.
            (_, None) => "alla_aldrar".to_owned(),
            (0, Some(first)) => format!("under {first}"),
            _ if b > self.0.len() => "okand".to_owned(),
            _ if b == self.0.len() => format!("{}+", self.0[b - 1]),
            _ => format!("{}-{}", self.0[b - 1], self.0[b].saturating_sub(1)),
        }
    }

    /// Checks that the bounds ascend strictly.
    ///
    /// # Errors
    /// `invalid_argument` otherwise.
    pub fn check(&self) -> Result<()> {
        if self.0.windows(2).all(|w| w[0] < w[1]) {
            Ok(())
        } else {
            Err(Error::InvalidArgument { name: "age_bands", message: format!("bounds must ascend: {:?}", self.0) })
        }
    }
}

/// Where benefit days come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenefitSource {
    /// Pre-computed window days if the data have any, else spells.
    #[default]
    Auto,
    /// Spells, with the configured windows.
    Spells,
    /// Pre-computed days per window, as delivered.
    Precomputed,
}

/// Options of the indicator computations.
///
/// ```
/// use finsam_core::indicators::Config;
/// let c = Config::default();
/// assert_eq!((c.level, c.before_days, c.after_days), (0.95, 365, 365));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The confidence level of intervals.
    pub level: f64,
    /// The interval for proportions.
    pub method: ProportionMethod,
    /// Days in the window before start (ending the day before start).
    pub before_days: u32,
    /// Days in the window after end (starting the day after end).
    pub after_days: u32,
    /// Count a day with any benefit as a whole day (default: a day at 50 %
    /// omfattning counts as half a day).
    pub whole_days: bool,
    /// The age bands.
    pub age_bands: AgeBands,
    /// Disclosure control of published tables.
    pub disclosure: Disclosure,
    /// The cut-off date; default the data's `uttagsdatum`, else the latest
    /// date observed in participations and spells.
    pub uttagsdatum: Option<Date>,
    /// Where benefit days come from.
    pub benefit_source: BenefitSource,
    /// The last day of person-level participation data: SUS closed for
    /// Finsam in April 2023 ([`sus_closed`](crate::engine::era::sus_closed),
    /// the default). A förbund whose own register continued sets it later.
    pub person_level_until: Date,
    /// The source of participant figures for a year that person rows cover
    /// in part and the aggregates in whole (2023); default the aggregates.
    pub mixed_year: MixedYear,
    /// A change between two years of different sources: shown and flagged
    /// (default), or withheld.
    pub series_break: SeriesBreak,
    /// Whether the annual report of a person-level year compares the
    /// insatser adjusted for case mix (its section "Jämförelse av
    /// insatser"; default yes). The comparison fits a model on every
    /// participation of three years, most of the report's time at national
    /// scale, so a report that does not need it can leave it out.
    pub compare_insatser: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            level: 0.95,
            method: ProportionMethod::Wilson,
            before_days: 365,
            after_days: 365,
            whole_days: false,
            age_bands: AgeBands::default(),
            disclosure: Disclosure::default(),
            uttagsdatum: None,
            benefit_source: BenefitSource::Auto,
            person_level_until: crate::engine::era::sus_closed(),
            mixed_year: MixedYear::default(),
            series_break: SeriesBreak::default(),
            compare_insatser: true,
        }
    }
}

impl Config {
    /// Checks the options.
    ///
    /// # Errors
    /// `invalid_argument` for a level outside (0, 1), windows of 0 or more
    /// than 3660 days, or age bands that do not ascend.
    pub fn check(&self) -> Result<()> {
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(Error::InvalidArgument {
                name: "level",
                message: format!("must be in (0, 1), got {}", self.level),
            });
        }
        for (name, days) in [("before_days", self.before_days), ("after_days", self.after_days)] {
            if !(1..=3660).contains(&days) {
                return Err(Error::InvalidArgument { name, message: format!("must be 1..=3660, got {days}") });
            }
        }
        self.age_bands.check()
    }
}

/// A share and its interval by the configured method and level, each
/// withheld with the counts at `deps`.
pub(crate) fn ci_values(k: u64, n: u64, config: &Config, deps: Vec<(usize, usize)>) -> [crate::publish::table::Raw; 3] {
    crate::publish::table::share_values(k, n, config.method, config.level, deps)
}

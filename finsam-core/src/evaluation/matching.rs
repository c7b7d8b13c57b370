//! Propensity scores and matched comparison groups, with the conventions
//! of R's `MatchIt` (4.5): the same matches, weights, subclasses and
//! balance table for the same data and options. The reference is 4.5 with
//! the fixes released in 4.5.3 (a control is never matched twice to one
//! treated unit; distances compared as doubles, which some 4.5.1 builds
//! truncated to integers, ignoring calipers); the tests compare with it on
//! eleven configurations (`finsam-py/tests/reference/matchit.R`).
//!
//! The estimand is the effect on the treated (ATT): each treated unit
//! (a participant) gets comparison units (controls) that resemble it.
//!
//! ```
//! use finsam_core::evaluation::Frame;
//! use finsam_core::evaluation::matching::{match_units, MatchOptions};
//!
//! let frame = Frame::new()
//!     .with_numeric("deltog", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0].map(Some))?
//!     .with_numeric("alder", [25.0, 30.0, 24.0, 50.0, 47.0, 60.0, 33.0, 41.0].map(Some))?;
//! let m = match_units(&frame, &MatchOptions::new("deltog", &["alder"]))?;
//! assert_eq!(m.counts.treated_after, 3);
//! assert_eq!(m.counts.control_after, 3);
//! # Ok::<(), finsam_core::Error>(())
//! ```
//!
//! # MatchIt's conventions, and where they are implemented
//!
//! * Nearest neighbour ([`Method::Nearest`]): all units are sorted by the
//!   distance (ties in data order); treated units are matched one at a
//!   time in [`Order`]; each takes the nearest available control below
//!   and the nearest above it in that sort and keeps the one below when
//!   the two are equally far. With `ratio` k, every treated unit gets its
//!   first control before any gets its second (round by round). A caliper
//!   is in standard deviations (`sd`, n − 1) of the distance.
//! * Weights: a matched treated unit weighs 1, a control the sum of
//!   `1/(controls of its treated unit)` over the treated units it is
//!   matched to; control weights are then scaled to sum to the number of
//!   matched controls.
//! * Subclasses (without replacement): one per matched treated unit,
//!   numbered in the order of the treated unit's 1-based row number *as
//!   text* (`"10"` before `"9"`), as `MatchIt` 4.5 numbers the levels of
//!   its `factor` (4.7 numbers them in row order; only the labels differ).
//!   Rows are counted among the rows used (after dropping missing values),
//!   as in R after `na.omit`.
//! * Exact and coarsened exact matching: strata of equal values (CEM
//!   first bins each numeric covariate into Sturges' number of equal-width
//!   bins); a control weighs `treated/controls` of its stratum, scaled as
//!   above.

use std::cmp::Ordering;

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use super::frame::{Column, Frame, Terms};
use super::glm::{self, Fit};
use crate::error::{Error, Result};

pub use super::balance::{Balance, BalanceRow, BalanceStats};
pub use super::balance::{Effect, balance, effect};

/// A fitted propensity score: the probability of treatment given the
/// covariates, from a logistic regression (`MatchIt`'s `distance =
/// "glm"`).
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::propensity;
/// let f = Frame::new()
///     .with_numeric("t", [0.0, 1.0, 0.0, 1.0, 1.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 2.0, 3.0, 4.0, 5.0, 2.5].map(Some))?;
/// let p = propensity(&f, "t", &["x"])?;
/// assert_eq!(p.fit.names, ["(Intercept)", "x"]);
/// assert!(p.score[1].unwrap() > 0.0 && p.score[1].unwrap() < 1.0);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Propensity {
    /// The logistic regression (coefficients named as R's `model.matrix`).
    pub fit: Fit,
    /// The score of each row of the frame (`None` for a dropped row).
    pub score: Vec<Option<f64>>,
    /// The linear predictor `xᵀβ` of each row (`None` for a dropped row).
    pub linear: Vec<Option<f64>>,
    /// Treated units used.
    pub n_treated: usize,
    /// Control units used.
    pub n_control: usize,
    /// Rows dropped for a missing treatment or covariate.
    pub dropped_missing: usize,
}

/// The propensity score of `treatment` (a 0/1 numeric column) given
/// `covariates` (categorical ones expanded as R's `model.matrix`, first
/// level the reference). Rows with a missing value are dropped and
/// counted.
///
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::propensity;
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let p = propensity(&f, "t", &["x"])?;
/// assert_eq!((p.n_treated, p.n_control, p.dropped_missing), (2, 4, 0));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` for a treatment other than 0/1; `not_identified`
/// without treated or control units; `singular_design` for collinear
/// covariates; `no_overlap` when the covariates separate the groups.
pub fn propensity(frame: &Frame, treatment: &str, covariates: &[&str]) -> Result<Propensity> {
    let sample = Sample::new(frame, treatment, covariates, &[])?;
    sample.propensity(frame, covariates)
}

/// How units are matched.
///
/// ```
/// use finsam_core::evaluation::matching::{MatchOptions, Method};
/// let o = MatchOptions { method: Method::Exact, ..MatchOptions::new("t", &["x"]) };
/// assert_eq!(o.method, Method::Exact);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Greedy nearest neighbour on the distance (`method = "nearest"`).
    Nearest,
    /// Exact matching on every covariate (`method = "exact"`).
    Exact,
    /// Coarsened exact matching (`method = "cem"`): numeric covariates in
    /// Sturges' number of equal-width bins, categories as they are.
    Cem,
}

/// The distance nearest-neighbour matching uses.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, Distance, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let o = MatchOptions { distance: Distance::LinearLogit, caliper: Some(0.2), ..MatchOptions::new("t", &["x"]) };
/// let m = match_units(&f, &o)?;
/// assert!(m.distance[0].unwrap() < 0.0); // a log-odds, not a probability
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distance {
    /// The propensity score (`distance = "glm"`, `link = "logit"`).
    Logit,
    /// Its linear predictor (`link = "linear.logit"`).
    LinearLogit,
}

/// The order in which treated units choose their controls (`m.order`).
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions, Order};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let o = MatchOptions { order: Order::Random, seed: Some(7), ..MatchOptions::new("t", &["x"]) };
/// assert_eq!(match_units(&f, &o)?.weights, match_units(&f, &o)?.weights);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Largest distance first (`MatchIt`'s default).
    Largest,
    /// Smallest distance first.
    Smallest,
    /// In the order of the rows.
    Data,
    /// A random order from [`MatchOptions::seed`] (finsam's own generator:
    /// not R's `set.seed` stream).
    Random,
}

/// The options of [`match_units`], named as `MatchIt`'s arguments.
///
/// ```
/// use finsam_core::evaluation::matching::{MatchOptions, Order};
/// let o = MatchOptions { ratio: 2, caliper: Some(0.2), order: Order::Smallest, ..MatchOptions::new("t", &["x"]) };
/// assert_eq!(o.ratio, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchOptions {
    /// The 0/1 treatment column.
    pub treatment: String,
    /// The covariates of the propensity score (or of the strata).
    pub covariates: Vec<String>,
    /// The matching method.
    pub method: Method,
    /// The distance (nearest neighbour only).
    pub distance: Distance,
    /// Controls per treated unit (nearest neighbour only).
    pub ratio: usize,
    /// Whether a control may be matched to several treated units.
    pub replace: bool,
    /// The caliper in standard deviations of the distance.
    pub caliper: Option<f64>,
    /// Covariates on which matched units must be equal.
    pub exact: Vec<String>,
    /// The order of the treated units.
    pub order: Order,
    /// The seed of [`Order::Random`].
    pub seed: Option<u64>,
}

impl MatchOptions {
    /// `MatchIt`'s defaults: 1:1 nearest neighbour on the propensity score
    /// without replacement, largest score first.
    ///
    /// ```
    /// use finsam_core::evaluation::matching::{MatchOptions, Method, Order};
    /// let o = MatchOptions::new("deltog", &["alder", "kon"]);
    /// assert_eq!((o.method, o.ratio, o.replace, o.order), (Method::Nearest, 1, false, Order::Largest));
    /// ```
    pub fn new(treatment: &str, covariates: &[&str]) -> MatchOptions {
        MatchOptions {
            treatment: treatment.to_owned(),
            covariates: covariates.iter().map(|c| (*c).to_owned()).collect(),
            method: Method::Nearest,
            distance: Distance::Logit,
            ratio: 1,
            replace: false,
            caliper: None,
            exact: Vec::new(),
            order: Order::Largest,
            seed: None,
        }
    }

    fn check(&self) -> Result<()> {
        let bad = |name: &'static str, message: &str| Err(Error::InvalidArgument { name, message: message.into() });
        if self.ratio == 0 {
            return bad("ratio", "must be at least 1");
        }
        if self.caliper.is_some_and(|c| !(c.is_finite() && c > 0.0)) {
            return bad("caliper", "must be a positive number of standard deviations");
        }
        if self.order == Order::Random && self.seed.is_none() {
            return bad("seed", "order=\"random\" needs a seed, so that the match can be reproduced");
        }
        if self.covariates.is_empty() {
            return bad("covariates", "name at least one covariate");
        }
        if self.method != Method::Nearest {
            let nearest_only = [
                ("ratio", self.ratio != 1),
                ("replace", self.replace),
                ("caliper", self.caliper.is_some()),
                ("exact", !self.exact.is_empty()),
                ("distance", self.distance != Distance::Logit),
                ("order", self.order != Order::Largest),
            ];
            if let Some((name, _)) = nearest_only.iter().find(|(_, set)| *set) {
                return bad(name, "applies to method=\"nearest\" only");
            }
        }
        Ok(())
    }
}

/// Sample sizes before and after matching, and the units left out and why.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let o = MatchOptions { caliper: Some(0.1), ..MatchOptions::new("t", &["x"]) };
/// let c = match_units(&f, &o)?.counts;
/// assert_eq!((c.treated_before, c.control_before), (2, 4));
/// assert_eq!(c.treated_after + c.treated_outside_caliper + c.treated_unmatched, 2);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Treated units with every value (before matching).
    pub treated_before: usize,
    /// Control units with every value (before matching).
    pub control_before: usize,
    /// Matched treated units (weight > 0).
    pub treated_after: usize,
    /// Matched control units (weight > 0).
    pub control_after: usize,
    /// Rows dropped for a missing treatment or covariate.
    pub dropped_missing: usize,
    /// Treated units without a control within the caliper.
    pub treated_outside_caliper: usize,
    /// Treated units whose exact stratum holds no control.
    pub treated_no_exact_match: usize,
    /// Control units whose exact stratum holds no treated unit.
    pub control_no_exact_match: usize,
    /// Treated units left unmatched otherwise (the controls ran out).
    pub treated_unmatched: usize,
    /// Control units not chosen (in a stratum with treated units).
    pub control_unmatched: usize,
}

/// The result of [`match_units`]: per row of the frame, whether it was
/// used, its distance, weight and subclass; and the counts.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
/// assert_eq!(m.pairs, [(0, vec![1]), (3, vec![4])]);
/// assert_eq!(m.weights, [1.0, 1.0, 0.0, 1.0, 1.0, 0.0]);
/// assert_eq!(m.subclass[4], Some(2));
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Matching {
    /// The options it was made with.
    pub options: MatchOptions,
    /// The propensity model (nearest neighbour only).
    pub propensity: Option<Propensity>,
    /// The caliper in units of the distance (`caliper × sd`).
    pub caliper_width: Option<f64>,
    /// Treatment of each row (`None` when the row was dropped).
    pub treated: Vec<Option<bool>>,
    /// The distance of each row (nearest neighbour only).
    pub distance: Vec<Option<f64>>,
    /// The matching weight of each row (0 when not matched or dropped).
    pub weights: Vec<f64>,
    /// The subclass of each matched row (`None` when matching with
    /// replacement, where a control can belong to several).
    pub subclass: Vec<Option<u32>>,
    /// Nearest neighbour: each matched treated row with its control rows,
    /// in the order they were chosen (`MatchIt`'s `match.matrix`).
    pub pairs: Vec<(usize, Vec<usize>)>,
    /// Sample sizes and drops.
    pub counts: Counts,
}

/// Matches control units to treated units (see the module documentation
/// for `MatchIt`'s conventions followed).
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let o = MatchOptions { ratio: 2, ..MatchOptions::new("t", &["x"]) };
/// let m = match_units(&f, &o)?;
/// assert_eq!(m.counts.control_after, 4);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` for bad options or a treatment other than 0/1;
/// `not_identified` without treated or control units; `no_overlap` when no
/// treated unit finds a control (caliper, strata); `singular_design` from
/// the propensity model.
pub fn match_units(frame: &Frame, options: &MatchOptions) -> Result<Matching> {
    options.check()?;
    let covariates: Vec<&str> = options.covariates.iter().map(String::as_str).collect();
    let exact: Vec<&str> = options.exact.iter().map(String::as_str).collect();
    let sample = Sample::new(frame, &options.treatment, &covariates, &exact)?;
    let (propensity, distance, strata, caliper_width) = match options.method {
        Method::Nearest => {
            let p = sample.propensity(frame, &covariates)?;
            let d = match options.distance {
                Distance::Logit => &p.score,
                Distance::LinearLogit => &p.linear,
            };
            let d: Vec<f64> = sample.rows.iter().map(|&r| d[r].unwrap_or(f64::NAN)).collect();
            let width = options.caliper.map(|c| c * sd(&d));
            let strata = if exact.is_empty() { None } else { Some(sample.strata(frame, &exact, false)?) };
            (Some(p), Some(d), strata, width)
        }
        Method::Exact => (None, None, Some(sample.strata(frame, &covariates, false)?), None),
        Method::Cem => (None, None, Some(sample.strata(frame, &covariates, true)?), None),
    };
    let n = sample.rows.len();
    let mut counts = Counts {
        treated_before: sample.treated.iter().filter(|t| **t).count(),
        control_before: sample.treated.iter().filter(|t| !**t).count(),
        dropped_missing: frame.rows() - n,
        ..Counts::default()
    };
    let (weights, subclass, pairs) = match &distance {
        Some(d) => {
            let order = treated_order(d, &sample.treated, options.order, options.seed);
            let out = nearest(d, &sample.treated, strata.as_deref(), &order, options, caliper_width);
            let weights = pair_weights(n, &out.matches, &sample.treated);
            let subclass = if options.replace { vec![None; n] } else { pair_subclasses(n, &out.matches) };
            counts.treated_outside_caliper = out.outside_caliper;
            (weights, subclass, out.matches)
        }
        None => {
            let strata = strata.as_deref().unwrap_or(&[]);
            let lead = options.method == Method::Exact && sample.treated.first() == Some(&true);
            let subclass = stratum_subclasses(strata, &sample.treated, lead);
            (stratum_weights(&subclass, &sample.treated), subclass, Vec::new())
        }
    };
    count_outcomes(&mut counts, &weights, &sample.treated, strata.as_deref(), distance.is_some());
    if counts.treated_after == 0 {
        return Err(Error::NoOverlap {
            message: "no treated unit found a control (within the caliper and exact strata)".into(),
        });
    }
    Ok(Matching {
        options: options.clone(),
        propensity,
        caliper_width,
        treated: sample.spread(&sample.treated.iter().map(|&t| Some(t)).collect::<Vec<_>>(), None),
        distance: match &distance {
            Some(d) => sample.spread(&d.iter().map(|&v| Some(v)).collect::<Vec<_>>(), None),
            None => vec![None; frame.rows()],
        },
        weights: sample.spread(&weights, 0.0),
        subclass: sample.spread(&subclass, None),
        pairs: pairs
            .into_iter()
            .map(|(t, cs)| (sample.rows[t], cs.into_iter().map(|c| sample.rows[c]).collect()))
            .collect(),
        counts,
    })
}

/// The rows a method uses: those with a treatment and every covariate.
struct Sample {
    /// Frame row of each sample unit.
    rows: Vec<usize>,
    /// Treatment of each sample unit.
    treated: Vec<bool>,
    /// Rows of the frame.
    frame_rows: usize,
}

impl Sample {
    fn new(frame: &Frame, treatment: &str, covariates: &[&str], exact: &[&str]) -> Result<Sample> {
        let t = treatment_values(frame, treatment)?;
        let mut all: Vec<&str> = covariates.to_vec();
        all.extend(exact.iter().filter(|e| !covariates.contains(e)));
        let mut complete = vec![true; frame.rows()];
        for name in &all {
            let column = frame.column(name)?;
            for (i, ok) in complete.iter_mut().enumerate() {
                *ok &= !column.is_missing(i);
            }
        }
        let rows: Vec<usize> = (0..frame.rows()).filter(|&i| complete[i] && t[i].is_some()).collect();
        let treated: Vec<bool> = rows.iter().map(|&i| t[i] == Some(true)).collect();
        let n1 = treated.iter().filter(|t| **t).count();
        if n1 == 0 || n1 == rows.len() {
            return Err(Error::NotIdentified {
                message: format!(
                    "matching needs treated and control units with every value; found {n1} treated and {} controls",
                    rows.len() - n1
                ),
            });
        }
        Ok(Sample { rows, treated, frame_rows: frame.rows() })
    }

    fn propensity(&self, frame: &Frame, covariates: &[&str]) -> Result<Propensity> {
        let design = frame.design(covariates, Terms::Model)?;
        // Selecting copies the matrix: skip it when every row is used.
        let design = if self.rows.len() == design.rows { design } else { design.select(&self.rows) };
        let y: Vec<f64> = self.treated.iter().map(|&t| f64::from(u8::from(t))).collect();
        let fit = glm::logit(&design, &y, None)?;
        let linear: Vec<Option<f64>> = (0..self.rows.len()).map(|i| Some(fit.predict_linear(design.row(i)))).collect();
        let score: Vec<Option<f64>> = fit.fitted.iter().map(|&p| Some(p)).collect();
        let n1 = self.treated.iter().filter(|t| **t).count();
        Ok(Propensity {
            score: self.spread(&score, None),
            linear: self.spread(&linear, None),
            fit,
            n_treated: n1,
            n_control: self.rows.len() - n1,
            dropped_missing: self.frame_rows - self.rows.len(),
        })
    }

    /// Values per sample unit spread to the frame's rows (`fill` elsewhere).
    fn spread<T: Clone>(&self, values: &[T], fill: T) -> Vec<T> {
        let mut out = vec![fill; self.frame_rows];
        for (&r, v) in self.rows.iter().zip(values) {
            out[r] = v.clone();
        }
        out
    }

    /// A stratum id per sample unit: units in one stratum are equal on
    /// every covariate (numeric ones binned first when `coarsen`).
    fn strata(&self, frame: &Frame, covariates: &[&str], coarsen: bool) -> Result<Vec<u32>> {
        let mut keys: Vec<Vec<u64>> = vec![Vec::with_capacity(covariates.len()); self.rows.len()];
        for name in covariates {
            match frame.column(name)? {
                Column::Categorical { codes, .. } => {
                    for (k, &r) in keys.iter_mut().zip(&self.rows) {
                        k.push(u64::from(codes[r].unwrap_or(u32::MAX)));
                    }
                }
                Column::Numeric(v) => {
                    let x: Vec<f64> = self.rows.iter().map(|&r| v[r].unwrap_or(f64::NAN)).collect();
                    let bins = if coarsen { sturges_bins(&x) } else { x.iter().map(|v| (v + 0.0).to_bits()).collect() };
                    for (k, b) in keys.iter_mut().zip(bins) {
                        k.push(b);
                    }
                }
            }
        }
        let mut ids: rustc_hash::FxHashMap<Vec<u64>, u32> = rustc_hash::FxHashMap::default();
        Ok(keys
            .into_iter()
            .map(|k| {
                let next = ids.len() as u32;
                *ids.entry(k).or_insert(next)
            })
            .collect())
    }
}

/// The 0/1 treatment of each row (`None` when missing).
fn treatment_values(frame: &Frame, treatment: &str) -> Result<Vec<Option<bool>>> {
    let values = frame.numeric(treatment).map_err(|_| Error::InvalidArgument {
        name: "treatment",
        message: format!("`{treatment}` must be a numeric or boolean 0/1 column"),
    })?;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            None => Ok(None),
            Some(x) if *x == 0.0 => Ok(Some(false)),
            Some(x) if *x == 1.0 => Ok(Some(true)),
            Some(x) => Err(Error::InvalidArgument {
                name: "treatment",
                message: format!("row {i}: `{treatment}` is {x}; a treatment is 0 or 1"),
            }),
        })
        .collect()
}

/// The sample standard deviation (n − 1), as R's `sd`.
fn sd(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// CEM's bins of one numeric covariate: Sturges' number
/// `⌈log₂ n + 1⌉` of equal-width bins between the minimum and maximum (as
/// R's `seq(min, max, length.out = b + 1)`), the outer ones open-ended,
/// and R's `findInterval`.
fn sturges_bins(x: &[f64]) -> Vec<u64> {
    let bins = ((x.len() as f64).log2() + 1.0).ceil() as usize;
    let (lo, hi) = x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let step = (hi - lo) / bins as f64;
    let inner: Vec<f64> = (1..bins).map(|k| if lo == hi { lo } else { lo + k as f64 * step }).collect();
    x.iter().map(|v| inner.partition_point(|b| b <= v) as u64).collect()
}

/// The order in which treated sample units are matched (indices into the
/// sample). Sorts are stable, so ties keep the data order, as R's `order`.
fn treated_order(distance: &[f64], treated: &[bool], order: Order, seed: Option<u64>) -> Vec<usize> {
    let mut units: Vec<usize> = (0..treated.len()).filter(|&i| treated[i]).collect();
    match order {
        Order::Data => {}
        // Stable sorts: ties keep the data order, as R's `order`.
        Order::Largest => units.sort_by(|&a, &b| distance[b].partial_cmp(&distance[a]).unwrap_or(Ordering::Equal)),
        Order::Smallest => units.sort_by(|&a, &b| distance[a].partial_cmp(&distance[b]).unwrap_or(Ordering::Equal)),
        Order::Random => {
            let mut rng = Pcg64Mcg::seed_from_u64(seed.unwrap_or(0));
            for i in (1..units.len()).rev() {
                let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                units.swap(i, j);
            }
        }
    }
    units
}

/// What nearest-neighbour matching found.
struct Nearest {
    /// Each matched treated unit with its controls (sample indices), in
    /// the order of the treated units in the data.
    matches: Vec<(usize, Vec<usize>)>,
    /// Treated units left unmatched because of the caliper.
    outside_caliper: usize,
}

/// Greedy nearest-neighbour matching, stratum by stratum.
fn nearest(
    distance: &[f64],
    treated: &[bool],
    strata: Option<&[u32]>,
    order: &[usize],
    options: &MatchOptions,
    caliper: Option<f64>,
) -> Nearest {
    let stratum = |i: usize| strata.map_or(0, |s| s[i] as usize);
    let mut sorted = sorted_controls(distance, treated, strata);
    // Each treated unit's controls, by its place in `order`.
    let mut chosen: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    let mut outside_caliper = 0;
    for round in 0..options.ratio {
        for (k, &t) in order.iter().enumerate() {
            if chosen[k].len() < round {
                continue; // it found nothing in an earlier round; nothing has become closer
            }
            let s = &mut sorted[stratum(t)];
            match s.nearest(distance[t], t, &chosen[k], caliper) {
                Search::Found(p) => {
                    chosen[k].push(s.unit[p] as usize);
                    if !options.replace {
                        s.free.take(p);
                    }
                }
                Search::OutsideCaliper if round == 0 => outside_caliper += 1,
                _ => {}
            }
        }
    }
    let mut matches: Vec<(usize, Vec<usize>)> =
        order.iter().zip(chosen).filter(|(_, c)| !c.is_empty()).map(|(&t, c)| (t, c)).collect();
    matches.sort_unstable_by_key(|(t, _)| *t);
    Nearest { matches, outside_caliper }
}

/// The controls of one stratum sorted by (distance, row), contiguous so
/// that the sort and the searches stay in cache.
struct Sorted {
    /// The distances, ascending.
    key: Vec<f64>,
    /// The sample index of each.
    unit: Vec<u32>,
    /// Which are still available.
    free: Available,
}

/// What one search for a control found.
enum Search {
    /// The position of the chosen control.
    Found(usize),
    /// Controls remain, but none within the caliper.
    OutsideCaliper,
    /// No control remains.
    None,
}

/// Each stratum's controls in `MatchIt`'s order: its stable sort of all
/// units by distance (ties in data order), from which a treated unit
/// looks left and right.
fn sorted_controls(distance: &[f64], treated: &[bool], strata: Option<&[u32]>) -> Vec<Sorted> {
    let count = strata.map_or(1, |s| s.iter().max().map_or(0, |m| *m as usize + 1));
    let mut keyed: Vec<Vec<(f64, u32)>> = vec![Vec::new(); count];
    for i in (0..treated.len()).filter(|&i| !treated[i]) {
        keyed[strata.map_or(0, |s| s[i] as usize)].push((distance[i], i as u32));
    }
    keyed
        .into_iter()
        .map(|mut k| {
            k.sort_unstable_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal).then(a.1.cmp(&b.1)));
            let free = Available::new(k.len());
            let (key, unit) = k.into_iter().unzip();
            Sorted { key, unit, free }
        })
        .collect()
}

impl Sorted {
    /// The nearest available control to a treated unit at distance `d`
    /// (sample index `t`), skipping those it already has: the nearest on
    /// each side, the left one when they are equally far (`MatchIt`).
    fn nearest(&mut self, d: f64, t: usize, have: &[usize], caliper: Option<f64>) -> Search {
        let t = t as u32;
        let at = self.key.partition_point(|&k| k < d);
        let at = at + self.key[at..].iter().zip(&self.unit[at..]).take_while(|(k, u)| **k == d && **u < t).count();
        let (mut left, mut right) = (self.free.left(at.checked_sub(1)), self.free.right(at));
        while let Some(p) = left.filter(|&p| have.contains(&(self.unit[p] as usize))) {
            left = self.free.left(p.checked_sub(1));
        }
        while let Some(p) = right.filter(|&p| have.contains(&(self.unit[p] as usize))) {
            right = self.free.right(p + 1);
        }
        let gap = |p: usize| (self.key[p] - d).abs();
        let within = |p: &usize| caliper.is_none_or(|c| gap(*p) <= c);
        match (left.filter(within), right.filter(within)) {
            (Some(l), Some(r)) => Search::Found(if gap(l) <= gap(r) { l } else { r }),
            (Some(p), None) | (None, Some(p)) => Search::Found(p),
            (None, None) if left.is_some() || right.is_some() => Search::OutsideCaliper,
            (None, None) => Search::None,
        }
    }
}

/// The controls still available in one sorted stratum, with skip links
/// (a union–find over positions with path halving), so that a search
/// passes over used controls in near-constant time instead of walking
/// through them: 20,000 treated against 2,000,000 controls stay fast.
struct Available {
    /// `right[p]`: a position ≥ p that is free or leads on (len = n + 1).
    right: Vec<u32>,
    /// `left[p + 1]`: likewise towards the left; index 0 means none.
    left: Vec<u32>,
}

impl Available {
    fn new(n: usize) -> Available {
        Available { right: (0..=n as u32).collect(), left: (0..=n as u32).collect() }
    }

    /// The first free position ≥ `p`.
    fn right(&mut self, p: usize) -> Option<usize> {
        let n = self.right.len() - 1;
        let mut p = p.min(n);
        while self.right[p] as usize != p {
            let next = self.right[self.right[p] as usize];
            self.right[p] = next;
            p = next as usize;
        }
        (p < n).then_some(p)
    }

    /// The last free position ≤ `p` (`None` for p = none).
    fn left(&mut self, p: Option<usize>) -> Option<usize> {
        let mut q = p.map_or(0, |p| p + 1);
        while self.left[q] as usize != q {
            let next = self.left[self.left[q] as usize];
            self.left[q] = next;
            q = next as usize;
        }
        q.checked_sub(1)
    }

    fn take(&mut self, p: usize) {
        self.right[p] = p as u32 + 1;
        self.left[p + 1] = p as u32;
    }
}

/// `MatchIt`'s weights from a match matrix (`weights.matrix`).
fn pair_weights(n: usize, matches: &[(usize, Vec<usize>)], treated: &[bool]) -> Vec<f64> {
    let mut w = vec![0.0; n];
    for (t, controls) in matches {
        w[*t] = 1.0;
        let share = 1.0 / controls.len() as f64;
        for &c in controls {
            w[c] += share;
        }
    }
    normalise_controls(&mut w, treated);
    w
}

/// Scales control weights to sum to the number of matched controls.
fn normalise_controls(w: &mut [f64], treated: &[bool]) {
    let (sum, matched) =
        (0..w.len()).filter(|&i| !treated[i] && w[i] > 0.0).fold((0.0, 0.0), |(s, k), i| (s + w[i], k + 1.0));
    if sum > 0.0 {
        for i in (0..w.len()).filter(|&i| !treated[i]) {
            w[i] = w[i] * matched / sum;
        }
    }
}

/// Subclasses of pairs, numbered as `MatchIt` 4.5 numbers the levels of
/// `factor(as.character(row))`: by the treated unit's 1-based row number
/// compared as text.
fn pair_subclasses(n: usize, matches: &[(usize, Vec<usize>)]) -> Vec<Option<u32>> {
    let mut labels: Vec<(String, usize)> =
        matches.iter().enumerate().map(|(k, (t, _))| ((t + 1).to_string(), k)).collect();
    labels.sort();
    let mut out = vec![None; n];
    for (number, (_, k)) in labels.iter().enumerate() {
        let (t, controls) = &matches[*k];
        let s = Some(number as u32 + 1);
        out[*t] = s;
        for &c in controls {
            out[c] = s;
        }
    }
    out
}

/// Subclasses of exact or CEM strata holding both groups, numbered by the
/// first appearance of the stratum among units of group `lead`: `MatchIt`'s
/// exact matching intersects the strata of `unique(treat)` (the group of
/// the first unit first), CEM those of `split(xx, treat)` (controls first).
fn stratum_subclasses(strata: &[u32], treated: &[bool], lead: bool) -> Vec<Option<u32>> {
    let count = strata.iter().max().map_or(0, |m| *m as usize + 1);
    let mut has = vec![[false; 2]; count];
    for (s, t) in strata.iter().zip(treated) {
        has[*s as usize][usize::from(*t)] = true;
    }
    let mut number = vec![None; count];
    let mut next = 0u32;
    for (s, t) in strata.iter().zip(treated) {
        let s = *s as usize;
        if *t == lead && has[s][0] && has[s][1] && number[s].is_none() {
            next += 1;
            number[s] = Some(next);
        }
    }
    strata.iter().map(|s| number[*s as usize]).collect()
}

/// `MatchIt`'s ATT weights from subclasses (`weights.subclass`).
fn stratum_weights(subclass: &[Option<u32>], treated: &[bool]) -> Vec<f64> {
    let count = subclass.iter().flatten().max().map_or(0, |m| *m as usize + 1);
    let mut sizes = vec![[0.0f64; 2]; count];
    for (s, t) in subclass.iter().zip(treated) {
        if let Some(s) = s {
            sizes[*s as usize][usize::from(*t)] += 1.0;
        }
    }
    let mut w: Vec<f64> = subclass
        .iter()
        .zip(treated)
        .map(|(s, t)| match (s, t) {
            (None, _) => 0.0,
            (Some(_), true) => 1.0,
            (Some(s), false) => sizes[*s as usize][1] / sizes[*s as usize][0],
        })
        .collect();
    normalise_controls(&mut w, treated);
    w
}

/// Fills the after-matching counts and the reasons units were left out.
fn count_outcomes(counts: &mut Counts, weights: &[f64], treated: &[bool], strata: Option<&[u32]>, nearest: bool) {
    let count = strata.map_or(1, |s| s.iter().max().map_or(0, |m| *m as usize + 1));
    let mut has = vec![[false; 2]; count];
    for (i, t) in treated.iter().enumerate() {
        has[strata.map_or(0, |s| s[i] as usize)][usize::from(*t)] = true;
    }
    for (i, (&w, &t)) in weights.iter().zip(treated).enumerate() {
        let s = strata.map_or(0, |s| s[i] as usize);
        match (w > 0.0, t, has[s][usize::from(!t)]) {
            (true, true, _) => counts.treated_after += 1,
            (true, false, _) => counts.control_after += 1,
            (false, true, false) => counts.treated_no_exact_match += 1,
            (false, false, false) => counts.control_no_exact_match += 1,
            (false, true, true) => counts.treated_unmatched += 1,
            (false, false, true) => counts.control_unmatched += 1,
        }
    }
    if nearest {
        counts.treated_unmatched -= counts.treated_outside_caliper.min(counts.treated_unmatched);
    }
}

impl Matching {
    /// The balance table of `MatchIt`'s `summary()`, before and after
    /// matching (see [`balance`]).
    ///
    /// ```
    /// use finsam_core::evaluation::Frame;
    /// use finsam_core::evaluation::matching::{match_units, MatchOptions};
    /// let f = Frame::new()
    ///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
    ///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
    /// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
    /// assert_eq!(m.balance(&f)?.rows.len(), 2); // distance, x
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn balance(&self, frame: &Frame) -> Result<Balance> {
        balance(frame, self)
    }

    /// The effect on the treated in the matched sample (see [`effect`]).
    ///
    /// ```
    /// use finsam_core::evaluation::Frame;
    /// use finsam_core::evaluation::matching::{match_units, MatchOptions};
    /// let f = Frame::new()
    ///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
    ///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
    /// let f = f.with_numeric("y", [4.0, 2.0, 1.0, 6.0, 3.5, 0.0].map(Some))?;
    /// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
    /// let e = m.effect(&f, "y", &[], 0.95)?;
    /// assert!((e.estimate.estimate - 2.25).abs() < 1e-12);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn effect(&self, frame: &Frame, outcome: &str, covariates: &[&str], level: f64) -> Result<Effect> {
        effect(frame, self, outcome, covariates, level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_links_find_the_nearest_free_positions() {
        let mut a = Available::new(5);
        a.take(2);
        a.take(3);
        assert_eq!(a.right(2), Some(4));
        assert_eq!(a.left(Some(3)), Some(1));
        a.take(4);
        assert_eq!(a.right(2), None);
        a.take(0);
        a.take(1);
        assert_eq!(a.left(Some(4)), None);
        assert_eq!(a.left(None), None);
    }

    #[test]
    fn sturges_bins_follow_findinterval() {
        // n = 8: ⌈log₂ 8 + 1⌉ = 4 bins over [0, 8]: breaks 2, 4, 6.
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0];
        assert_eq!(sturges_bins(&x), [0, 0, 1, 1, 2, 2, 3, 3]);
    }
}

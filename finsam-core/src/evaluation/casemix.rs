//! Which insatser work: case-mix-adjusted comparison of units (insatser,
//! förbund) with funnel limits, empirical-Bayes shrinkage and ranks with
//! intervals.
//!
//! Raw shares to work or studies mislead twice: units serve different
//! people, and small units swing by chance. So:
//!
//! 1. a **case-mix model** (logistic regression for a 0/1 outcome, least
//!    squares for a continuous one) of the outcome on the participants'
//!    background, fitted over all units, gives each participation its
//!    expected value; summed per unit that is `E`, against the observed `O`;
//! 2. the **O/E ratio** with an exact interval (Clopper–Pearson for the
//!    `O` of `n` 0/1 outcomes, times `n/E`), the indirectly standardised
//!    rate `O/E × overall rate`, and the unit's place on a **funnel** of
//!    O/E against `E` with over-dispersion. The funnel's limits are those
//!    of Binomial(n, E/n)/E, not Poisson(E)/E: the outcome (work or
//!    studies, a share of 30–60 %) is common, and Poisson limits would be
//!    far too wide ([`funnel::binary_ratio_funnel`]);
//! 3. the **adjusted difference** `(O − E)/n` with its variance
//!    `Σ μⱼ(1 − μⱼ)/n²` (or `σ̂²/n` for a continuous outcome) is **shrunk**
//!    toward 0 with a normal–normal model, added to the overall rate, and
//!    ranked with intervals.
//!
//! For a continuous outcome the funnel is normal: `(O − E)/n` against
//! `±z·σ̂/√n`, without an over-dispersion adjustment (the shrinkage's τ²
//! plays that part).
//!
//! A unit with fewer participations than the disclosure threshold helps fit
//! the case-mix model but is not compared: the overall rate, the funnel,
//! the shrinkage and the ranks are of the units shown, so that no published
//! figure carries its counts, and the table withholds it whole.
//!
//! ```
//! use finsam_core::evaluation::casemix::{compare_units, CompareOptions};
//! use finsam_core::evaluation::Frame;
//! // Unit "B" takes the harder cases (x = 1) and looks worse raw.
//! let unit = ["A", "A", "A", "A", "B", "B", "B", "B", "C", "C", "C", "C"].repeat(10);
//! let x = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0].repeat(10);
//! let y = [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0].repeat(10);
//! let frame = Frame::new()
//!     .with_categorical("insats", unit.iter().map(|u| Some(*u)))?
//!     .with_numeric("x", x.into_iter().map(Some))?
//!     .with_numeric("y", y.into_iter().map(Some))?;
//! let mut options = CompareOptions::new("y", "insats", &["x"]);
//! options.seed = 1;
//! let c = compare_units(&frame, &options)?;
//! assert_eq!(c.units.len(), 3);
//! let observed: f64 = c.units.iter().map(|u| u.observed).sum();
//! let expected: f64 = c.units.iter().map(|u| u.expected).sum();
//! assert!((observed - expected).abs() < 1e-9, "a logistic model with an intercept reproduces the total");
//! # Ok::<(), finsam_core::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::frame::{Column, Frame, Terms};
use super::funnel::{self, Flag, Overdispersion};
use super::glm;
use super::shrinkage::{self, Rank, Tau2Method};
use crate::error::{Error, Result};
use crate::publish::Table;
use crate::publish::disclosure::Disclosure;
use crate::publish::table::{Builder, Raw, Unit};
use crate::stats;

/// The model of the expected outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeModel {
    /// Logistic regression of a 0/1 outcome.
    Binary,
    /// Least squares of a continuous outcome (benefit-day changes).
    Continuous,
}

/// What to compare and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareOptions {
    /// The outcome column.
    pub outcome: String,
    /// The unit column (insats, förbund, …).
    pub unit: String,
    /// The case-mix covariates.
    pub case_mix: Vec<String>,
    /// The model; by default binary when every outcome is 0 or 1.
    pub model: Option<OutcomeModel>,
    /// Over-dispersion of the funnel.
    pub overdispersion: Overdispersion,
    /// How τ² of the shrinkage is estimated.
    pub shrinkage: Tau2Method,
    /// The level of the intervals.
    pub level: f64,
    /// Draws for the rank intervals.
    pub draws: usize,
    /// The seed of the rank simulation.
    pub seed: u64,
    /// Disclosure control of the table.
    pub disclosure: Disclosure,
    /// Pool the levels of a categorical case-mix covariate with fewer
    /// participations than this (0: never). A level that few can separate
    /// the outcome (all of them 0, say), and the model then has no finite
    /// fit; see [`pool_rare_levels`].
    #[serde(default)]
    pub pool_below: u64,
}

impl CompareOptions {
    /// Options with the defaults: the model chosen from the outcome,
    /// additive over-dispersion, REML shrinkage, level 0.95, 4,000 rank
    /// draws with seed 0, default disclosure control.
    pub fn new(outcome: &str, unit: &str, case_mix: &[&str]) -> CompareOptions {
        CompareOptions {
            outcome: outcome.to_owned(),
            unit: unit.to_owned(),
            case_mix: case_mix.iter().map(|c| (*c).to_owned()).collect(),
            model: None,
            overdispersion: Overdispersion::Additive,
            shrinkage: Tau2Method::Reml,
            level: 0.95,
            draws: 4000,
            seed: 0,
            disclosure: Disclosure::default(),
            pool_below: 0,
        }
    }
}

/// One unit's comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitComparison {
    /// The unit's name.
    pub unit: String,
    /// Participations.
    pub n: u64,
    /// The observed sum of the outcome (O).
    pub observed: f64,
    /// The expected sum under the case-mix model (E).
    pub expected: f64,
    /// O/E (binary) or O − E per participation (continuous), with its
    /// interval.
    pub ratio: (f64, f64, f64),
    /// The adjusted rate or mean: `O/E × overall` (binary) or
    /// `overall + (O − E)/n` (continuous).
    pub adjusted: f64,
    /// The z-score on the funnel (allowing for over-dispersion).
    pub z: f64,
    /// The funnel's 95 % and 99.8 % limits at this unit's size.
    pub limits: ((f64, f64), (f64, f64)),
    /// Where the unit falls on the funnel.
    pub flag: Flag,
    /// The shrunken adjusted rate with its posterior interval.
    pub shrunken: (f64, f64, f64),
    /// The rank (1 = highest) of the shrunken estimate, with its interval.
    pub rank: Rank,
}

/// A comparison of units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The units, sorted by name.
    pub units: Vec<UnitComparison>,
    /// The case-mix model's coefficients by design column.
    pub coefficients: Vec<(String, f64)>,
    /// The model used.
    pub model: OutcomeModel,
    /// The overall rate or mean.
    pub overall: f64,
    /// The funnel's φ̂ and τ̂².
    pub phi: f64,
    /// The funnel's τ̂² (0 unless the additive model was applied).
    pub funnel_tau2: f64,
    /// The shrinkage's τ̂².
    pub shrinkage_tau2: f64,
    /// Rows left out and why.
    pub dropped: Vec<(String, u64)>,
    /// The rare levels pooled, per covariate.
    #[serde(default)]
    pub pooled: Vec<PooledLevels>,
    /// The units below the disclosure threshold, with their participations:
    /// in the case-mix model, but not compared (the overall rate, funnel,
    /// shrinkage and ranks are of [`Comparison::units`]) and withheld whole
    /// in the table.
    #[serde(default)]
    pub withheld: Vec<(String, u64)>,
    /// The options used.
    pub options: CompareOptions,
}

/// The level that rare levels of a case-mix covariate are pooled into. It
/// sorts after every ASCII level, so the reference level (the first) stays
/// an ordinary one.
pub const POOLED_LEVEL: &str = "övriga";

/// Rare levels of one case-mix covariate, pooled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PooledLevels {
    /// The covariate.
    pub covariate: String,
    /// The levels pooled.
    pub levels: Vec<String>,
    /// Their participations together.
    pub rows: u64,
    /// The level they were pooled into: [`POOLED_LEVEL`], or the most
    /// common level when the pooled ones together are still rare.
    pub into: String,
}

/// The frame with the levels of each categorical case-mix covariate that
/// fewer than `options.pool_below` of the rows the model is fitted on take
/// (rows with an outcome, a unit and every covariate) pooled into
/// [`POOLED_LEVEL`] (with that level, if the data have it). When those
/// levels together are still fewer, they join the covariate's most common
/// level instead (a pooled level of three participations would separate
/// the outcome as easily). `None` when nothing is pooled.
///
/// ```
/// use finsam_core::evaluation::casemix::{pool_rare_levels, CompareOptions};
/// use finsam_core::evaluation::Frame;
/// let kon = ["kvinna", "man", "kvinna", "man", "okand", "man"];
/// let frame = Frame::new()
///     .with_categorical("insats", ["A", "A", "B", "B", "A", "B"].iter().map(|u| Some(*u)))?
///     .with_categorical("kon", kon.iter().map(|k| Some(*k)))?
///     .with_numeric("y", [1.0, 0.0, 1.0, 1.0, 0.0, 0.0].into_iter().map(Some))?;
/// let mut options = CompareOptions::new("y", "insats", &["kon"]);
/// options.pool_below = 2;
/// let (_, pooled) = pool_rare_levels(&frame, &options)?.expect("okand is rare");
/// assert_eq!((pooled[0].levels.clone(), pooled[0].rows, pooled[0].into.as_str()), (vec!["okand".to_owned()], 1, "man"));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `missing_column` if a column is not in the frame; `singular_design` if
/// pooling would leave a covariate with one level.
pub fn pool_rare_levels(frame: &Frame, options: &CompareOptions) -> Result<Option<(Frame, Vec<PooledLevels>)>> {
    if options.pool_below == 0 {
        return Ok(None);
    }
    let outcome = frame.numeric(&options.outcome)?;
    let (units, _) = unit_codes(frame, &options.unit)?;
    let covariates: Vec<&str> = options.case_mix.iter().map(String::as_str).collect();
    let columns_used = covariates.iter().map(|c| frame.column(c)).collect::<Result<Vec<_>>>()?;
    let present = |c: &Column, i: usize| match c {
        Column::Numeric(v) => v[i].is_some(),
        Column::Categorical { codes, .. } => codes[i].is_some(),
    };
    // The rows the model is fitted on: complete in every covariate too.
    let counted = |i: usize| outcome[i].is_some() && units[i].is_some() && columns_used.iter().all(|c| present(c, i));
    let mut pooled = Vec::new();
    let mut columns: Vec<(String, Column)> = Vec::new();
    for (k, name) in options.case_mix.iter().enumerate() {
        if options.case_mix[..k].contains(name) {
            continue;
        }
        let Column::Categorical { codes, levels } = frame.column(name)? else { continue };
        let mut counts = vec![0u64; levels.len()];
        for (i, code) in codes.iter().enumerate() {
            if let Some(c) = code.filter(|_| counted(i)) {
                counts[c as usize] += 1;
            }
        }
        let rare: Vec<usize> = (0..levels.len()).filter(|&l| counts[l] < options.pool_below).collect();
        if rare.is_empty() {
            continue;
        }
        let rows: u64 = rare.iter().map(|&l| counts[l]).sum();
        let own_level = rows >= options.pool_below;
        if levels.len() - rare.len() + usize::from(own_level) < 2 {
            return Err(Error::SingularDesign {
                message: format!(
                    "pooling the levels of `{name}` with fewer than {} participations (pool_below) would leave it one level; lower pool_below or leave `{name}` out of the case mix",
                    options.pool_below
                ),
            });
        }
        let most_common = (0..levels.len()).max_by_key(|&l| (counts[l], std::cmp::Reverse(l))).unwrap_or(0);
        let into = if own_level { POOLED_LEVEL.to_owned() } else { levels[most_common].clone() };
        let values = codes.iter().map(|code| {
            code.map(|c| if rare.contains(&(c as usize)) { into.as_str() } else { levels[c as usize].as_str() })
        });
        let column = Frame::new().with_categorical(name, values)?.column(name)?.clone();
        // A level no fitted row takes is dropped without a word: it pools nothing.
        let taken: Vec<String> = rare.iter().filter(|&&l| counts[l] > 0).map(|&l| levels[l].clone()).collect();
        if !taken.is_empty() {
            pooled.push(PooledLevels { covariate: name.clone(), levels: taken, rows, into });
        }
        columns.push((name.clone(), column));
    }
    if columns.is_empty() {
        return Ok(None);
    }
    let mut out = Frame::new();
    for name in frame.names() {
        let column = match columns.iter().find(|(n, _)| n == name) {
            Some((_, c)) => c.clone(),
            None => frame.column(name)?.clone(),
        };
        out = out.with_column(name, column)?;
    }
    Ok(Some((out, pooled)))
}

/// Compares units adjusted for case mix (see the module documentation).
pub fn compare_units(frame: &Frame, options: &CompareOptions) -> Result<Comparison> {
    stats::check_level(options.level)?;
    match pool_rare_levels(frame, options)? {
        Some((pooled_frame, pooled)) => compare_pooled(&pooled_frame, options, pooled),
        None => compare_pooled(frame, options, Vec::new()),
    }
}

/// [`compare_units`] on a frame whose rare levels are already `pooled`.
fn compare_pooled(frame: &Frame, options: &CompareOptions, pooled: Vec<PooledLevels>) -> Result<Comparison> {
    let covariates: Vec<&str> = options.case_mix.iter().map(String::as_str).collect();
    let design = frame.design(&covariates, Terms::Model)?;
    let outcome = frame.numeric(&options.outcome)?;
    let (units, levels) = unit_codes(frame, &options.unit)?;
    let mut dropped = Vec::new();
    let rows: Vec<usize> =
        (0..frame.rows()).filter(|&i| design.complete[i] && outcome[i].is_some() && units[i].is_some()).collect();
    let left_out = (frame.rows() - rows.len()) as u64;
    if left_out > 0 {
        dropped.push(("missing outcome, unit or case-mix covariate".to_owned(), left_out));
    }
    let y: Vec<f64> = rows.iter().map(|&i| outcome[i].unwrap_or(f64::NAN)).collect();
    let model = options.model.unwrap_or(if y.iter().all(|&v| v == 0.0 || v == 1.0) {
        OutcomeModel::Binary
    } else {
        OutcomeModel::Continuous
    });
    let selected = design.select(&rows);
    let fit = match model {
        OutcomeModel::Binary => glm::logit(&selected, &y, None).map_err(|e| match e {
            Error::NoOverlap { message } if options.pool_below == 0 => Error::NoOverlap {
                message: format!("{message}; a rare category can be pooled with others (pool_below)"),
            },
            e => e,
        })?,
        OutcomeModel::Continuous => glm::ols(&selected, &y, None)?,
    };
    let sums = unit_sums(&rows, &units, &y, &fit.fitted, levels.len());
    // Units below the disclosure threshold help fit the case-mix model but
    // are not compared: the overall rate, the funnel and the shrinkage are
    // of the units shown, so no published figure carries their counts.
    let (present, withheld): (Vec<usize>, Vec<usize>) =
        (0..levels.len()).filter(|&u| sums[u].n > 0).partition(|&u| !options.disclosure.is_small(sums[u].n));
    if present.len() < 2 {
        return Err(Error::NotIdentified {
            message: format!(
                "a comparison needs at least two units with participations ({} at or above the disclosure threshold of {})",
                present.len(),
                options.disclosure.threshold
            ),
        });
    }
    let n_total: f64 = present.iter().map(|&u| sums[u].n as f64).sum();
    let overall = present.iter().map(|&u| sums[u].observed).sum::<f64>() / n_total;
    let residual_var = match model {
        OutcomeModel::Binary => 0.0,
        OutcomeModel::Continuous => {
            let rss: f64 = y.iter().zip(&fit.fitted).map(|(a, b)| (a - b).powi(2)).sum();
            rss / (n_total - fit.coefficients.len() as f64).max(1.0)
        }
    };
    // The unit estimate for shrinkage: the adjusted rate, with its variance.
    let (estimate, variance): (Vec<f64>, Vec<f64>) = present
        .iter()
        .map(|&u| {
            let s = &sums[u];
            let n = s.n as f64;
            let v = match model {
                OutcomeModel::Binary => s.bernoulli_var / (n * n),
                OutcomeModel::Continuous => residual_var / n,
            };
            (overall + (s.observed - s.expected) / n, v.max(f64::MIN_POSITIVE))
        })
        .unzip();
    let shrunk = shrinkage::shrink(&estimate, &variance, options.shrinkage, options.level)?;
    let sds: Vec<f64> = shrunk.units.iter().map(|u| u.sd).collect();
    let means: Vec<f64> = shrunk.units.iter().map(|u| u.estimate).collect();
    let ranks = shrinkage::ranks(&means, &sds, options.level, options.draws, options.seed)?;
    let funnel = match model {
        OutcomeModel::Binary => {
            let observed: Vec<f64> = present.iter().map(|&u| sums[u].observed).collect();
            let expected: Vec<f64> = present.iter().map(|&u| sums[u].expected).collect();
            let trials: Vec<f64> = present.iter().map(|&u| sums[u].n as f64).collect();
            Some(funnel::binary_ratio_funnel(&observed, &expected, &trials, options.overdispersion)?)
        }
        OutcomeModel::Continuous => None,
    };
    let z = stats::z(0.5 + options.level / 2.0);
    let units = present
        .iter()
        .enumerate()
        .map(|(j, &u)| {
            let s = &sums[u];
            let n = s.n as f64;
            let (ratio, adjusted, unit_z, limits, flag) = match (&funnel, model) {
                (Some(f), OutcomeModel::Binary) => {
                    let f_unit = &f.units[j];
                    let share = stats::proportion_ci(
                        s.observed.round() as u64,
                        s.n,
                        stats::ProportionMethod::ClopperPearson,
                        options.level,
                    )?;
                    let oe = s.observed / s.expected;
                    (
                        (oe, share.lo * n / s.expected, share.hi * n / s.expected),
                        oe * overall,
                        f_unit.z,
                        (f_unit.limits_95, f_unit.limits_998),
                        f_unit.flag,
                    )
                }
                _ => {
                    let diff = (s.observed - s.expected) / n;
                    let se = variance[j].sqrt();
                    let unit_z = diff / se;
                    let within = |p: f64| (stats::z(1.0 - p) * se, stats::z(p) * se);
                    let (l95, l998) = (within(0.975), within(0.999));
                    let flag = funnel::flag(diff, l95, l998);
                    ((diff, diff - z * se, diff + z * se), overall + diff, unit_z, (l95, l998), flag)
                }
            };
            let post = &shrunk.units[j];
            Ok(UnitComparison {
                unit: levels[u].clone(),
                n: s.n,
                observed: s.observed,
                expected: s.expected,
                ratio,
                adjusted,
                z: unit_z,
                limits,
                flag,
                shrunken: (post.estimate, post.lo, post.hi),
                rank: ranks[j],
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Comparison {
        units,
        coefficients: fit.names.iter().cloned().zip(fit.coefficients.iter().copied()).collect(),
        model,
        overall,
        phi: funnel.as_ref().map_or(1.0, |f| f.phi),
        funnel_tau2: funnel.as_ref().map_or(0.0, |f| f.tau2),
        shrinkage_tau2: shrunk.tau2,
        dropped,
        pooled,
        withheld: withheld.iter().map(|&u| (levels[u].clone(), sums[u].n)).collect(),
        options: options.clone(),
    })
}

/// Per-unit sums: participations, observed and expected outcome, and the
/// Bernoulli variance of the expected.
#[derive(Clone, Copy, Debug, Default)]
struct UnitSums {
    n: u64,
    observed: f64,
    expected: f64,
    bernoulli_var: f64,
}

fn unit_sums(rows: &[usize], units: &[Option<u32>], y: &[f64], fitted: &[f64], count: usize) -> Vec<UnitSums> {
    let mut sums = vec![UnitSums::default(); count];
    for (j, &i) in rows.iter().enumerate() {
        if let Some(u) = units[i] {
            let s = &mut sums[u as usize];
            s.n += 1;
            s.observed += y[j];
            s.expected += fitted[j];
            s.bernoulli_var += fitted[j] * (1.0 - fitted[j]);
        }
    }
    sums
}

/// The unit column's codes and names (a numeric unit column is named by
/// its values).
fn unit_codes(frame: &Frame, name: &str) -> Result<(Vec<Option<u32>>, Vec<String>)> {
    match frame.column(name)? {
        Column::Categorical { codes, levels } => Ok((codes.clone(), levels.clone())),
        Column::Numeric(values) => {
            let mut distinct: Vec<f64> = values.iter().flatten().copied().collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let codes = values
                .iter()
                .map(|v| v.and_then(|x| distinct.binary_search_by(|d| d.total_cmp(&x)).ok()).map(|c| c as u32))
                .collect();
            Ok((codes, distinct.iter().map(|d| d.to_string()).collect()))
        }
    }
}

impl Comparison {
    /// The published table `jamforelse_insatser`: one row per unit with n,
    /// observed, expected, the ratio with its interval, the adjusted rate,
    /// z, the funnel limits, the flag (as a code: 2 above 99.8 %, 1 above
    /// 95 %, 0 within, −1 below 95 %, −2 below 99.8 %), the shrunken
    /// estimate with its interval and the rank with its interval. A unit
    /// with fewer participations than the threshold is withheld whole.
    pub fn table(&self) -> Table {
        let columns = [
            ("n", Unit::Count),
            ("observerat", Unit::Number),
            ("forvantat", Unit::Number),
            ("kvot", Unit::Number),
            ("kvot_lo", Unit::Number),
            ("kvot_hi", Unit::Number),
            ("justerad", Unit::Number),
            ("z", Unit::Number),
            ("grans95_lo", Unit::Number),
            ("grans95_hi", Unit::Number),
            ("grans998_lo", Unit::Number),
            ("grans998_hi", Unit::Number),
            ("flagga", Unit::Number),
            ("krympt", Unit::Number),
            ("krympt_lo", Unit::Number),
            ("krympt_hi", Unit::Number),
            ("rang", Unit::Number),
            ("rang_lo", Unit::Number),
            ("rang_hi", Unit::Number),
        ];
        let mut b = Builder::new(
            "jamforelse_insatser",
            "Jämförelse av enheter justerad för deltagarsammansättning",
            vec![self.options.unit.clone()],
            &columns,
        );
        b.non_additive = vec![0];
        // The units in name order, those below the threshold withheld whole.
        let mut rows: Vec<(&str, Option<&UnitComparison>, u64)> =
            self.units.iter().map(|u| (u.unit.as_str(), Some(u), u.n)).collect();
        rows.extend(self.withheld.iter().map(|(name, n)| (name.as_str(), None, *n)));
        rows.sort_by(|a, b| a.0.cmp(b.0));
        for (name, compared, n) in rows {
            let r = b.table.rows.len();
            let Some(u) = compared else {
                let mut withheld = vec![Raw::Count(n)];
                withheld.extend((1..columns.len()).map(|_| Raw::Derived(f64::NAN, vec![(r, 0)])));
                b.push(vec![name.to_owned()], withheld);
                continue;
            };
            let d = |v: f64| Raw::Derived(v, vec![(r, 0)]);
            let flag = match u.flag {
                Flag::Above998 => 2.0,
                Flag::Above95 => 1.0,
                Flag::Within => 0.0,
                Flag::Below95 => -1.0,
                Flag::Below998 => -2.0,
            };
            b.push(
                vec![u.unit.clone()],
                vec![
                    Raw::Count(u.n),
                    d(u.observed),
                    d(u.expected),
                    d(u.ratio.0),
                    d(u.ratio.1),
                    d(u.ratio.2),
                    d(u.adjusted),
                    d(u.z),
                    d(u.limits.0.0),
                    d(u.limits.0.1),
                    d(u.limits.1.0),
                    d(u.limits.1.1),
                    d(flag),
                    d(u.shrunken.0),
                    d(u.shrunken.1),
                    d(u.shrunken.2),
                    d(u.rank.rank as f64),
                    d(u.rank.lo as f64),
                    d(u.rank.hi as f64),
                ],
            );
        }
        b.table.notes.push(match self.model {
            OutcomeModel::Binary => format!(
                "Förväntat enligt logistisk regression på {}. Kvot = observerat/förväntat med exakt binomialintervall (Clopper–Pearson); trattgränser för kvoten mot förväntat antal ur Binomial(n, förväntat/n) (Spiegelhalter 2005, överspridning φ = {:.3}, τ² = {:.5}).",
                self.options.case_mix.join(", "),
                self.phi,
                self.funnel_tau2
            ),
            OutcomeModel::Continuous => format!(
                "Förväntat enligt linjär regression på {}. Kvot = (observerat − förväntat) per deltagande.",
                self.options.case_mix.join(", ")
            ),
        });
        b.table.notes.push(format!(
            "Krympt = empirisk Bayes mot medelvärdet (τ² = {:.5}); rang 1 = högst, intervall från {} simuleringar (frö {}).",
            self.shrinkage_tau2, self.options.draws, self.options.seed
        ));
        let disclosure = &self.options.disclosure;
        for (why, n) in &self.dropped {
            b.table.notes.push(format!("{} rader utelämnade: {why}.", disclosure.note_count(*n)));
        }
        if !self.withheld.is_empty() {
            b.table.notes.push(format!(
                "{} enheter med färre än {} deltaganden ingår i modellen men jämförs inte.",
                self.withheld.len(),
                disclosure.threshold
            ));
        }
        for p in &self.pooled {
            b.table.notes.push(format!(
                "Ovanliga värden av {} ({}; {} deltaganden) sammanslagna till {} i modellen.",
                p.covariate,
                p.levels.join(", "),
                disclosure.note_count(p.rows),
                p.into
            ));
        }
        b.finish(&self.options.disclosure)
    }
}

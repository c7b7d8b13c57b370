//! Person-level difference-in-differences and event studies: participants
//! against their (matched) comparison persons, outcomes per period relative
//! to the start.
//!
//! The input is a long panel, one row per unit and relative period, with a
//! unit-level treatment indicator and optional weights (the matching
//! weights) and clusters (the matched set, or the unit). For each period
//! `k` the effect is the weighted difference-in-differences against the
//! reference period `r`:
//!
//! `β_k = [ȳ_T(k) − ȳ_T(r)] − [ȳ_C(k) − ȳ_C(r)]`,
//!
//! computed as the weighted least-squares slope of `y_ik − y_ir` on the
//! treatment indicator over the units observed in both periods. In a
//! balanced panel this is the two-way fixed-effects event-study
//! coefficient. Standard errors are cluster-robust (CR1, as R's
//! `sandwich::vcovCL` and statsmodels' `cov_type="cluster"`); intervals use
//! Student's t with clusters − 1 degrees of freedom.
//!
//! ```
//! use finsam_core::evaluation::event_study::{event_study, EventStudyOptions};
//! use finsam_core::evaluation::Frame;
//! // Two treated and two comparison units, periods −1, 0, 1.
//! let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
//! let time = [-1.0, 0.0, 1.0].repeat(4);
//! let treated = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
//! let y = [5.0, 4.0, 2.0, 7.0, 6.0, 3.0, 5.0, 5.0, 5.0, 6.0, 6.0, 7.0];
//! let frame = Frame::new()
//!     .with_numeric("unit", unit.map(Some))?
//!     .with_numeric("time", time.into_iter().map(Some))?
//!     .with_numeric("treated", treated.map(Some))?
//!     .with_numeric("y", y.map(Some))?;
//! let es = event_study(&frame, &EventStudyOptions::new("unit", "time", "treated", "y"))?;
//! // Period 1: treated fell by 3.5 on average, comparisons rose by 0.5.
//! assert_eq!(es.periods[2].time, 1);
//! assert!((es.periods[2].estimate.unwrap().estimate - -4.0).abs() < 1e-12);
//! # Ok::<(), finsam_core::Error>(())
//! ```

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::frame::{Column, Design, Frame};
use super::{Estimate, glm};
use crate::error::{Error, Location, Result};
use crate::publish::Table;
use crate::publish::disclosure::Disclosure;
use crate::publish::table::{Builder, Raw, Unit};

/// Which columns of a long panel hold what, and the settings of an event
/// study or a 2×2 difference-in-differences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventStudyOptions {
    /// The unit (person) id column, numeric or text.
    pub unit: String,
    /// The period column, whole numbers relative to the start (quarters
    /// from −8 to +8 in an analysis panel).
    pub time: String,
    /// The treatment indicator, 0 or 1, the same in every row of a unit.
    pub treated: String,
    /// The outcome; a missing value leaves the unit out of that period.
    pub outcome: String,
    /// Optional unit weights (matching weights); a unit of weight 0 is
    /// unmatched and left out.
    pub weights: Option<String>,
    /// Optional cluster column (the matched set); by default the unit.
    pub cluster: Option<String>,
    /// The reference period (−1: the last period before the start).
    pub reference: i64,
    /// The confidence level of the intervals.
    pub level: f64,
    /// Disclosure control of the published table.
    pub disclosure: Disclosure,
}

impl EventStudyOptions {
    /// Options with the given columns, reference period −1, level 0.95,
    /// no weights, clusters by unit and default disclosure control.
    pub fn new(unit: &str, time: &str, treated: &str, outcome: &str) -> EventStudyOptions {
        EventStudyOptions {
            unit: unit.to_owned(),
            time: time.to_owned(),
            treated: treated.to_owned(),
            outcome: outcome.to_owned(),
            weights: None,
            cluster: None,
            reference: -1,
            level: 0.95,
            disclosure: Disclosure::default(),
        }
    }
}

/// The effect in one period relative to the reference.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodEffect {
    /// The period.
    pub time: i64,
    /// The estimate; `None` for the reference period (0 by definition) and
    /// for a period with no treated or no comparison unit.
    pub estimate: Option<Estimate>,
    /// Treated units observed in this period and the reference period.
    pub n_treated: u64,
    /// Comparison units observed in this period and the reference period.
    pub n_control: u64,
    /// Clusters among them.
    pub clusters: u64,
}

/// An event study: one effect per period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventStudy {
    /// The effects, by period in ascending order (the reference included).
    pub periods: Vec<PeriodEffect>,
    /// Treated units in the panel (weight > 0).
    pub units_treated: u64,
    /// Comparison units in the panel (weight > 0).
    pub units_control: u64,
    /// Units left out and why (`"weight 0 (unmatched)"`).
    pub dropped: Vec<(String, u64)>,
    /// The options used.
    pub options: EventStudyOptions,
}

impl EventStudy {
    /// The published table `event_study`: per period the numbers of
    /// treated and comparison units (withheld when small) and the effect
    /// with its interval (withheld with them).
    pub fn table(&self) -> Table {
        let columns = [
            ("n_behandlade", Unit::Count),
            ("n_jamforelse", Unit::Count),
            ("effekt", Unit::Number),
            ("se", Unit::Number),
            ("lo", Unit::Number),
            ("hi", Unit::Number),
        ];
        let mut b = Builder::new("event_study", "Effekt per period relativt start", vec!["tid".into()], &columns);
        b.non_additive = vec![0, 1];
        for p in &self.periods {
            let r = b.table.rows.len();
            let deps = vec![(r, 0), (r, 1)];
            let value = |f: fn(&Estimate) -> f64| Raw::Derived(p.estimate.as_ref().map_or(f64::NAN, f), deps.clone());
            b.push(
                vec![p.time.to_string()],
                vec![
                    Raw::Count(p.n_treated),
                    Raw::Count(p.n_control),
                    value(|e| e.estimate),
                    value(|e| e.se),
                    value(|e| e.lo),
                    value(|e| e.hi),
                ],
            );
        }
        b.table.notes.push(format!(
            "Referensperiod {}: effekten där är 0 per definition. Intervall {} % med klusterrobusta medelfel (CR1).",
            self.options.reference,
            self.options.level * 100.0
        ));
        for (why, n) in &self.dropped {
            b.table.notes.push(format!("{n} enheter utelämnade: {why}."));
        }
        b.finish(&self.options.disclosure)
    }
}

/// A 2×2 difference-in-differences estimate: the mean of the outcome over
/// the `post` periods less its mean over the `pre` periods, treated
/// against comparison units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DidEstimate {
    /// The estimate with its cluster-robust interval.
    pub estimate: Estimate,
    /// Treated units with every period of both windows.
    pub n_treated: u64,
    /// Comparison units with every period of both windows.
    pub n_control: u64,
    /// Clusters.
    pub clusters: u64,
    /// Units left out and why.
    pub dropped: Vec<(String, u64)>,
}

/// The event study of a long panel (see the module documentation).
///
/// Errors: a missing column, a period that is not a whole number, a
/// treatment other than 0/1 or varying within a unit, a repeated
/// (unit, period) pair or a reference period absent from the panel are
/// typed input errors; a panel without treated or comparison units is
/// `not_identified`.
pub fn event_study(frame: &Frame, options: &EventStudyOptions) -> Result<EventStudy> {
    let panel = Panel::read(frame, options)?;
    let reference = panel.period(options.reference).ok_or_else(|| Error::InvalidArgument {
        name: "reference",
        message: format!("period {} is not in the panel ({:?})", options.reference, panel.times),
    })?;
    let periods = (0..panel.times.len())
        .map(|k| {
            if k == reference {
                let (n_treated, n_control, clusters) = panel.observed(&[reference]);
                return Ok(PeriodEffect { time: panel.times[k], estimate: None, n_treated, n_control, clusters });
            }
            panel.effect(|u| panel.y(u, k) - panel.y(u, reference), &[k, reference], options.level).map(
                |(estimate, n_treated, n_control, clusters)| PeriodEffect {
                    time: panel.times[k],
                    estimate,
                    n_treated,
                    n_control,
                    clusters,
                },
            )
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(EventStudy {
        periods,
        units_treated: panel.units_with(true),
        units_control: panel.units_with(false),
        dropped: panel.dropped.clone(),
        options: options.clone(),
    })
}

/// The 2×2 difference-in-differences of a long panel: the change in the
/// mean outcome from the periods `pre` to the periods `post` (both
/// inclusive ranges), treated against comparison units, over the units
/// observed in every one of those periods.
///
/// ```
/// # use finsam_core::evaluation::event_study::{did_2x2, EventStudyOptions};
/// # use finsam_core::evaluation::Frame;
/// # let unit = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0];
/// # let time = [-1.0, 1.0].repeat(4);
/// # let treated = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
/// # let y = [10.0, 4.0, 8.0, 4.0, 9.0, 8.0, 7.0, 8.0];
/// let frame = Frame::new()
///     .with_numeric("unit", unit.map(Some))?
///     .with_numeric("time", time.into_iter().map(Some))?
///     .with_numeric("treated", treated.map(Some))?
///     .with_numeric("y", y.map(Some))?;
/// let did = did_2x2(&frame, &EventStudyOptions::new("unit", "time", "treated", "y"), (-1, -1), (1, 1))?;
/// assert!((did.estimate.estimate - -5.0).abs() < 1e-12);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn did_2x2(frame: &Frame, options: &EventStudyOptions, pre: (i64, i64), post: (i64, i64)) -> Result<DidEstimate> {
    let panel = Panel::read(frame, options)?;
    let window = |(from, to): (i64, i64), name: &'static str| -> Result<Vec<usize>> {
        let ks: Vec<usize> = (0..panel.times.len()).filter(|&k| (from..=to).contains(&panel.times[k])).collect();
        if ks.is_empty() {
            return Err(Error::InvalidArgument {
                name,
                message: format!("no period of {from}..={to} is in the panel"),
            });
        }
        Ok(ks)
    };
    let (pre_k, post_k) = (window(pre, "pre")?, window(post, "post")?);
    let mean = |u: usize, ks: &[usize]| ks.iter().map(|&k| panel.y(u, k)).sum::<f64>() / ks.len() as f64;
    let all: Vec<usize> = pre_k.iter().chain(&post_k).copied().collect();
    let (estimate, n_treated, n_control, clusters) =
        panel.effect(|u| mean(u, &post_k) - mean(u, &pre_k), &all, options.level)?;
    let estimate = estimate.ok_or_else(|| Error::NotIdentified {
        message: "no treated or no comparison unit is observed in every period of both windows".into(),
    })?;
    Ok(DidEstimate { estimate, n_treated, n_control, clusters, dropped: panel.dropped.clone() })
}

/// A long panel as a dense unit × period matrix.
struct Panel {
    times: Vec<i64>,
    /// `y[u * times.len() + k]`, NaN where not observed.
    y: Vec<f64>,
    treated: Vec<bool>,
    weight: Vec<f64>,
    cluster: Vec<u32>,
    /// Units of positive weight.
    kept: Vec<usize>,
    dropped: Vec<(String, u64)>,
}

impl Panel {
    fn read(frame: &Frame, o: &EventStudyOptions) -> Result<Panel> {
        let rows = frame.rows();
        let at = |column: &str, row: usize| Location::table("frame").row(row as u64).column(column);
        let units = dense_ids(frame, &o.unit)?;
        let time = frame.numeric(&o.time)?;
        let treated = frame.numeric(&o.treated)?;
        let outcome = frame.numeric(&o.outcome)?;
        let weights = o.weights.as_deref().map(|w| frame.numeric(w)).transpose()?;
        let clusters = o.cluster.as_deref().map(|c| dense_ids(frame, c)).transpose()?;
        let mut times: Vec<i64> = Vec::new();
        for (row, t) in time.iter().enumerate() {
            let t = t.ok_or_else(|| Error::MissingValue { at: Box::new(at(&o.time, row)) })?;
            if t.fract() != 0.0 || t.abs() > 1e9 {
                return Err(Error::InvalidNumber {
                    at: Box::new(at(&o.time, row).value(t.to_string())),
                    range: "a whole number of periods".into(),
                });
            }
            times.push(t as i64);
        }
        let mut distinct = times.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let n_units = units.count;
        let n_times = distinct.len();
        let mut y = vec![f64::NAN; n_units * n_times];
        let mut first_row: Vec<Option<usize>> = vec![None; n_units * n_times];
        let mut unit_treated: Vec<Option<bool>> = vec![None; n_units];
        let mut unit_weight: Vec<Option<f64>> = vec![None; n_units];
        let mut unit_cluster: Vec<Option<u32>> = vec![None; n_units];
        for row in 0..rows {
            let u = units.ids[row].ok_or_else(|| Error::MissingValue { at: Box::new(at(&o.unit, row)) })? as usize;
            let k = distinct.binary_search(&times[row]).unwrap_or_default();
            let cell = u * n_times + k;
            if let Some(first) = first_row[cell] {
                return Err(Error::DuplicateKey { at: Box::new(at(&o.time, row)), first_row: first as u64 });
            }
            first_row[cell] = Some(row);
            let d = match treated[row] {
                Some(v) if v == 0.0 || v == 1.0 => v == 1.0,
                Some(v) => {
                    return Err(Error::InvalidNumber {
                        at: Box::new(at(&o.treated, row).value(v.to_string())),
                        range: "0 or 1".into(),
                    });
                }
                None => return Err(Error::MissingValue { at: Box::new(at(&o.treated, row)) }),
            };
            let w = match weights {
                None => 1.0,
                Some(ws) => match ws[row] {
                    Some(w) if w >= 0.0 => w,
                    Some(w) => {
                        return Err(Error::InvalidNumber {
                            at: Box::new(at(o.weights.as_deref().unwrap_or_default(), row).value(w.to_string())),
                            range: "a weight ≥ 0".into(),
                        });
                    }
                    None => {
                        return Err(Error::MissingValue {
                            at: Box::new(at(o.weights.as_deref().unwrap_or_default(), row)),
                        });
                    }
                },
            };
            let c = match &clusters {
                None => u as u32,
                Some(ids) => ids.ids[row].ok_or_else(|| Error::MissingValue {
                    at: Box::new(at(o.cluster.as_deref().unwrap_or_default(), row)),
                })?,
            };
            same_within_unit(&mut unit_treated[u], d, &o.treated, row)?;
            same_within_unit(&mut unit_weight[u], w, o.weights.as_deref().unwrap_or_default(), row)?;
            same_within_unit(&mut unit_cluster[u], c, o.cluster.as_deref().unwrap_or_default(), row)?;
            if let Some(v) = outcome[row] {
                y[cell] = v;
            }
        }
        let weight: Vec<f64> = unit_weight.iter().map(|w| w.unwrap_or(0.0)).collect();
        let kept: Vec<usize> = (0..n_units).filter(|&u| weight[u] > 0.0).collect();
        let unmatched = (n_units - kept.len()) as u64;
        let dropped = if unmatched > 0 { vec![("weight 0 (unmatched)".to_owned(), unmatched)] } else { Vec::new() };
        Ok(Panel {
            times: distinct,
            y,
            treated: unit_treated.iter().map(|t| t.unwrap_or(false)).collect(),
            weight,
            cluster: unit_cluster.iter().map(|c| c.unwrap_or(0)).collect(),
            kept,
            dropped,
        })
    }

    fn period(&self, time: i64) -> Option<usize> {
        self.times.binary_search(&time).ok()
    }

    fn y(&self, unit: usize, k: usize) -> f64 {
        self.y[unit * self.times.len() + k]
    }

    fn units_with(&self, treated: bool) -> u64 {
        self.kept.iter().filter(|&&u| self.treated[u] == treated).count() as u64
    }

    /// The kept units observed in every period of `ks`.
    fn complete(&self, ks: &[usize]) -> Vec<usize> {
        self.kept.iter().copied().filter(|&u| ks.iter().all(|&k| self.y(u, k).is_finite())).collect()
    }

    /// Treated, comparison units and clusters observed in every period of `ks`.
    fn observed(&self, ks: &[usize]) -> (u64, u64, u64) {
        let units = self.complete(ks);
        let treated = units.iter().filter(|&&u| self.treated[u]).count() as u64;
        let mut clusters: Vec<u32> = units.iter().map(|&u| self.cluster[u]).collect();
        clusters.sort_unstable();
        clusters.dedup();
        (treated, units.len() as u64 - treated, clusters.len() as u64)
    }

    /// The weighted least-squares slope of `difference(u)` on treatment
    /// over the units observed in `ks`, with its CR1 interval; `None`
    /// when one of the groups is empty.
    fn effect(
        &self,
        difference: impl Fn(usize) -> f64,
        ks: &[usize],
        level: f64,
    ) -> Result<(Option<Estimate>, u64, u64, u64)> {
        let units = self.complete(ks);
        let (n_treated, n_control, clusters) = self.observed(ks);
        if n_treated == 0 || n_control == 0 {
            return Ok((None, n_treated, n_control, clusters));
        }
        let design = Design {
            rows: units.len(),
            names: vec!["(Intercept)".into(), "treated".into()],
            x: units.iter().flat_map(|&u| [1.0, f64::from(u8::from(self.treated[u]))]).collect(),
            complete: vec![true; units.len()],
            source: vec![None, Some(0)],
        };
        let d: Vec<f64> = units.iter().map(|&u| difference(u)).collect();
        let w: Vec<f64> = units.iter().map(|&u| self.weight[u]).collect();
        let fit = glm::ols(&design, &d, Some(&w))?;
        let ids = dense(&units.iter().map(|&u| self.cluster[u]).collect::<Vec<_>>());
        let v = glm::cluster_robust(&design, &fit, &d, Some(&w), &ids)?;
        let estimate = Estimate::student(fit.coefficients[1], v[3].sqrt(), clusters as f64 - 1.0, level)?;
        Ok((Some(estimate), n_treated, n_control, clusters))
    }
}

/// Checks that a unit-level value is the same in every row of the unit.
fn same_within_unit<T: PartialEq + Copy + ToString>(
    seen: &mut Option<T>,
    value: T,
    column: &str,
    row: usize,
) -> Result<()> {
    match seen {
        Some(first) if *first != value => Err(Error::InvalidArgument {
            name: "panel",
            message: format!(
                "row {row}: `{column}` is {} here but {} in an earlier row of the same unit; it must be constant within a unit",
                value.to_string(),
                first.to_string()
            ),
        }),
        _ => {
            *seen = Some(value);
            Ok(())
        }
    }
}

/// Dense ids `0..count` for the values of a numeric or categorical column
/// (shared with the staggered difference-in-differences).
pub(super) struct DenseIds {
    pub(super) ids: Vec<Option<u32>>,
    pub(super) count: usize,
}

pub(super) fn dense_ids(frame: &Frame, name: &str) -> Result<DenseIds> {
    match frame.column(name)? {
        Column::Categorical { codes, levels } => Ok(DenseIds { ids: codes.clone(), count: levels.len() }),
        Column::Numeric(values) => {
            let mut index: FxHashMap<u64, u32> = FxHashMap::default();
            let ids = values
                .iter()
                .map(|v| {
                    v.map(|x| {
                        let next = index.len() as u32;
                        *index.entry((x + 0.0).to_bits()).or_insert(next)
                    })
                })
                .collect();
            Ok(DenseIds { ids, count: index.len() })
        }
    }
}

/// Renumbers ids densely in order of first appearance.
fn dense(ids: &[u32]) -> Vec<u32> {
    let mut index: FxHashMap<u32, u32> = FxHashMap::default();
    ids.iter()
        .map(|&c| {
            let next = index.len() as u32;
            *index.entry(c).or_insert(next)
        })
        .collect()
}

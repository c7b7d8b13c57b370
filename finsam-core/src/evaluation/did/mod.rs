//! Staggered difference-in-differences: the group-time average treatment
//! effects ATT(g, t) of Callaway & Sant'Anna (2021), their aggregations
//! and the pre-trend test, with the conventions of R's `did` package
//! (`att_gt`, `aggte`) so that an evaluator moving from R gets the same
//! numbers.
//!
//! A *group* `g` is the units first treated in period `g` (0 or missing:
//! never treated). For each group and period `t`, ATT(g, t) is a 2×2
//! difference-in-differences of the group against a comparison group
//! (never treated, or not yet treated by `t`) between `t` and a base
//! period: `g − 1 − anticipation` after the start, and under the default
//! `varying` base period the period just before `t` before it. Each 2×2
//! is estimated by one of `DRDID`'s panel estimators (doubly robust by
//! default, with the covariates taken in the earlier of the two periods,
//! as `did` does), and standard errors come from the influence functions,
//! clustered by unit.
//!
//! ```
//! use finsam_core::evaluation::did::{att_gt, AttGtOptions, Aggregation};
//! use finsam_core::evaluation::Frame;
//! // Four units over three periods; units 1 and 2 are treated from period 3.
//! let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
//! let time = [1.0, 2.0, 3.0].repeat(4);
//! let group = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
//! let y = [1.0, 2.0, 6.0, 2.0, 3.0, 8.0, 1.0, 2.0, 3.0, 3.0, 4.0, 5.0];
//! let frame = Frame::new()
//!     .with_numeric("id", unit.map(Some))?
//!     .with_numeric("t", time.into_iter().map(Some))?
//!     .with_numeric("g", group.map(Some))?
//!     .with_numeric("y", y.map(Some))?;
//! let result = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?;
//! // ATT(3, 3): treated rose by 4.5 from period 2, comparisons by 1.
//! let cell = result.cells.iter().find(|c| c.group == 3.0 && c.time == 3.0).unwrap();
//! assert!((cell.att - 3.5).abs() < 1e-12);
//! let simple = result.aggregate(&Aggregation::Simple)?;
//! assert!((simple.overall.unwrap().estimate - 3.5).abs() < 1e-12);
//! # Ok::<(), finsam_core::Error>(())
//! ```

mod aggregate;
mod bootstrap;
mod drdid;
mod panel;

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

pub use aggregate::{Aggregate, AggregateRow, Aggregation};

use self::drdid::{CellData, CellFit};
use self::panel::Panel;
use super::frame::{Design, Frame};
use super::linalg::Cholesky;
use crate::disclosure::Disclosure;
use crate::error::{Error, Result};
use crate::publish::Table;
use crate::publish::table::{Builder, Raw, Unit};
use crate::stats;

/// Which units a group is compared with.
///
/// ```
/// use finsam_core::evaluation::did::{AttGtOptions, Control};
/// let o = AttGtOptions { control: Control::NotYetTreated, ..AttGtOptions::new("y", "id", "t", "g") };
/// assert_eq!(serde_json::to_string(&o.control).unwrap(), "\"not_yet_treated\"");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// Units never treated in the panel (`did`'s `"nevertreated"`).
    NeverTreated,
    /// Units never treated or not yet treated by the later of the two
    /// periods (+ anticipation) (`did`'s `"notyettreated"`).
    NotYetTreated,
}

/// The 2×2 estimator of each cell (`did`'s `est_method`).
///
/// ```
/// use finsam_core::evaluation::did::{AttGtOptions, Method};
/// let o = AttGtOptions { method: Method::Ipw, ..AttGtOptions::new("y", "id", "t", "g") };
/// assert_ne!(o.method, Method::Dr);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Doubly robust (`DRDID::drdid_panel`), the default.
    Dr,
    /// Normalised inverse probability weighting (`DRDID::std_ipw_did_panel`).
    Ipw,
    /// Outcome regression (`DRDID::reg_did_panel`).
    Reg,
}

/// The base period of the pre-treatment cells (`did`'s `base_period`).
///
/// ```
/// use finsam_core::evaluation::did::{AttGtOptions, BasePeriod};
/// let o = AttGtOptions { base_period: BasePeriod::Universal, ..AttGtOptions::new("y", "id", "t", "g") };
/// assert_eq!(o.base_period, BasePeriod::Universal);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BasePeriod {
    /// Each pre-treatment cell against the period just before it (the
    /// default): short differences, as in `did`.
    Varying,
    /// Every cell of a group against the period before its start
    /// (`g − 1 − anticipation`), an event study's reference; that
    /// period's own cell is 0 with no standard error.
    Universal,
}

/// A multiplier bootstrap of the influence functions (`did`'s
/// `bstrap = TRUE, cband = TRUE`): standard errors from the interquartile
/// range of the draws and a simultaneous critical value for uniform
/// bands.
///
/// ```
/// # use finsam_core::evaluation::did::{att_gt, AttGtOptions};
/// # use finsam_core::evaluation::Frame;
/// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0];
/// # let time = [1.0, 2.0, 3.0].repeat(5);
/// # let group = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// # let y = [1.0, 2.0, 6.0, 2.0, 4.0, 8.0, 1.0, 2.0, 3.0, 3.0, 3.5, 5.0, 2.0, 2.0, 4.0];
/// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
/// #     .with_numeric("t", time.into_iter().map(Some))?
/// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
/// use finsam_core::evaluation::did::Bootstrap;
/// let o = AttGtOptions { bootstrap: Some(Bootstrap { iterations: 199, seed: 7 }), ..AttGtOptions::new("y", "id", "t", "g") };
/// let (a, b) = (att_gt(&frame, &o)?, att_gt(&frame, &o)?);
/// assert_eq!(a.cells, b.cells); // the same seed, the same draws
/// assert!(a.critical_value >= 1.0);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// Draws (`did`'s `biters`, 1000 by default there).
    pub iterations: usize,
    /// The seed of the Mammen weights; the same seed gives the same draws.
    pub seed: u64,
}

/// The columns and settings of [`att_gt`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttGtOptions {
    /// The outcome column.
    pub outcome: String,
    /// The unit id column (numeric or text).
    pub unit: String,
    /// The period column (numeric).
    pub time: String,
    /// The first treated period of the unit; 0 or missing for never
    /// treated; the same in every row of a unit.
    pub group: String,
    /// Covariates (numeric or categorical), taken in the earlier period of
    /// each 2×2 comparison (the base period after the start).
    pub covariates: Vec<String>,
    /// The comparison units.
    pub control: Control,
    /// The 2×2 estimator.
    pub method: Method,
    /// The base period of pre-treatment cells.
    pub base_period: BasePeriod,
    /// Periods of anticipation: a group `g` is taken as affected from
    /// `g − anticipation`.
    pub anticipation: f64,
    /// The confidence level.
    pub level: f64,
    /// An optional multiplier bootstrap; without it standard errors are
    /// analytic and intervals pointwise.
    pub bootstrap: Option<Bootstrap>,
}

impl AttGtOptions {
    /// Options with the given columns and `did`'s defaults: never-treated
    /// comparisons, doubly robust, varying base period, no anticipation,
    /// level 0.95, analytic standard errors.
    ///
    /// ```
    /// use finsam_core::evaluation::did::{AttGtOptions, Method};
    /// let o = AttGtOptions::new("y", "id", "year", "first_treat");
    /// assert_eq!(o.method, Method::Dr);
    /// ```
    pub fn new(outcome: &str, unit: &str, time: &str, group: &str) -> AttGtOptions {
        AttGtOptions {
            outcome: outcome.to_owned(),
            unit: unit.to_owned(),
            time: time.to_owned(),
            group: group.to_owned(),
            covariates: Vec::new(),
            control: Control::NeverTreated,
            method: Method::Dr,
            base_period: BasePeriod::Varying,
            anticipation: 0.0,
            level: 0.95,
            bootstrap: None,
        }
    }

    fn check(&self) -> Result<()> {
        stats::check_level(self.level)?;
        if !(self.anticipation.is_finite() && self.anticipation >= 0.0) {
            return Err(Error::InvalidArgument {
                name: "anticipation",
                message: format!("must be a number of periods ≥ 0, got {}", self.anticipation),
            });
        }
        if self.bootstrap.is_some_and(|b| b.iterations < 2) {
            return Err(Error::InvalidArgument {
                name: "bootstrap",
                message: "the bootstrap needs at least 2 iterations".into(),
            });
        }
        Ok(())
    }
}

/// One group-time average treatment effect.
///
/// ```
/// # use finsam_core::evaluation::did::{att_gt, AttGtOptions};
/// # use finsam_core::evaluation::Frame;
/// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0];
/// # let time = [1.0, 2.0, 3.0].repeat(5);
/// # let group = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// # let y = [1.0, 2.0, 6.0, 2.0, 4.0, 8.0, 1.0, 2.0, 3.0, 3.0, 3.5, 5.0, 2.0, 2.0, 4.0];
/// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
/// #     .with_numeric("t", time.into_iter().map(Some))?
/// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
/// let cell = &att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?.cells[1];
/// assert_eq!((cell.group, cell.time, cell.base, cell.post), (3.0, 3.0, 2.0, true));
/// assert_eq!((cell.n_treated, cell.n_control), (2, 3));
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupTime {
    /// The group (first treated period).
    pub group: f64,
    /// The period.
    pub time: f64,
    /// The base period it is compared with.
    pub base: f64,
    /// Whether `time ≥ group` (a post-treatment cell).
    pub post: bool,
    /// ATT(g, t); exactly 0 in the reference cell of a universal base period.
    pub att: f64,
    /// Its standard error; `None` in the reference cell and when the
    /// influence function vanishes (`did` reports NA there too).
    pub se: Option<f64>,
    /// The interval `att ± c·se` (`c` the critical value of the result);
    /// `None` with `se`.
    pub lo: Option<f64>,
    /// The upper bound.
    pub hi: Option<f64>,
    /// Units of the group.
    pub n_treated: u64,
    /// Comparison units of the cell (0 in the reference cell of a
    /// universal base period, which compares nothing).
    pub n_control: u64,
}

/// A cell as computed: the reference cell of a universal base period, or
/// a fitted 2×2.
#[derive(Clone, Debug)]
enum Fitted {
    Reference,
    Fit(Box<CellFit>),
}

/// Where a cell sits: the group, the periods compared, and which units
/// compare.
#[derive(Clone, Copy, Debug)]
struct Spec {
    group: f64,
    current: usize,
    base: usize,
    /// Not-yet-treated comparisons are treated after this time.
    threshold: f64,
}

impl Spec {
    /// `Some(true)` for a unit of the group, `Some(false)` for a
    /// comparison unit, `None` for a unit outside the cell.
    #[inline]
    fn role(&self, group: f64, control: Control) -> Option<bool> {
        if group == self.group {
            Some(true)
        } else if group == 0.0 || (control == Control::NotYetTreated && group > self.threshold) {
            Some(false)
        } else {
            None
        }
    }

    /// The period whose covariates the cell uses (`did` keeps the earlier).
    fn earlier(&self) -> usize {
        self.current.min(self.base)
    }
}

/// The group-time average treatment effects of a panel: the result of
/// [`att_gt`].
///
/// ```
/// # use finsam_core::evaluation::did::{att_gt, AttGtOptions};
/// # use finsam_core::evaluation::Frame;
/// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0];
/// # let time = [1.0, 2.0, 3.0].repeat(5);
/// # let group = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// # let y = [1.0, 2.0, 6.0, 2.0, 4.0, 8.0, 1.0, 2.0, 3.0, 3.0, 3.5, 5.0, 2.0, 2.0, 4.0];
/// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
/// #     .with_numeric("t", time.into_iter().map(Some))?
/// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
/// let result = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?;
/// assert_eq!((result.units, result.groups.as_slice(), result.periods.len()), (5, &[3.0][..], 3));
/// assert!(result.dropped.is_empty());
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct AttGt {
    /// The cells, by group and then period.
    pub cells: Vec<GroupTime>,
    /// Units in the balanced panel (`did`'s `n`).
    pub units: u64,
    /// The groups estimated.
    pub groups: Vec<f64>,
    /// The periods of the panel.
    pub periods: Vec<f64>,
    /// What was left out and why, as `(reason, count)`.
    pub dropped: Vec<(String, u64)>,
    /// The critical value of the intervals: the normal quantile, or with
    /// the bootstrap the simultaneous (sup-t) critical value of uniform
    /// bands.
    pub critical_value: f64,
    /// The options used (with the bootstrap's seed).
    pub options: AttGtOptions,
    panel: Panel,
    specs: Vec<Spec>,
    fits: Vec<Fitted>,
}

/// The group-time average treatment effects ATT(g, t) of a panel (see the
/// module documentation).
///
/// # Errors
/// Missing columns, a group that varies within a unit, a negative group
/// and a repeated (unit, period) are input errors; bad options are
/// `invalid_argument`. `not_identified`: no never-treated unit with
/// `control = never_treated`, every unit treated in the first period, or
/// a cell without comparison units. `no_overlap`: a propensity score of
/// 0.999 or more (DR, IPW), or every comparison unit trimmed.
/// `singular_design`: collinear covariates. R's `did` leaves such a cell
/// out with a warning and an NA; here the error names the cell.
///
/// ```
/// # use finsam_core::evaluation::did::{att_gt, AttGtOptions, Control};
/// # use finsam_core::evaluation::Frame;
/// let frame = Frame::new()
///     .with_numeric("id", [1.0, 1.0, 2.0, 2.0].map(Some))?
///     .with_numeric("t", [1.0, 2.0, 1.0, 2.0].map(Some))?
///     .with_numeric("g", [2.0, 2.0, 2.0, 2.0].map(Some))?
///     .with_numeric("y", [1.0, 2.0, 3.0, 4.0].map(Some))?;
/// let err = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g")).unwrap_err();
/// assert_eq!(err.code(), "not_identified");
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn att_gt(frame: &Frame, options: &AttGtOptions) -> Result<AttGt> {
    options.check()?;
    let panel = Panel::read(frame, options)?;
    let specs = cell_specs(&panel, options);
    let fitted = fit_cells(&panel, &specs, options)?;
    let n = panel.n as f64;
    let mut cells = Vec::with_capacity(specs.len());
    let mut fits = Vec::with_capacity(specs.len());
    for (spec, (fit, sum_sq, n_treated, n_control)) in specs.iter().zip(fitted) {
        let se = (matches!(fit, Fitted::Fit(_)) && sum_sq.sqrt() / n > SE_FLOOR).then(|| sum_sq.sqrt() / n);
        cells.push(GroupTime {
            group: spec.group,
            time: panel.times[spec.current],
            base: panel.times[spec.base],
            post: spec.group <= panel.times[spec.current],
            att: match &fit {
                Fitted::Reference => 0.0,
                Fitted::Fit(f) => f.att(),
            },
            se,
            lo: None,
            hi: None,
            n_treated,
            n_control,
        });
        fits.push(fit);
    }
    let mut result = AttGt {
        cells,
        units: panel.n as u64,
        groups: panel.groups.clone(),
        periods: panel.times.clone(),
        dropped: panel.dropped.clone(),
        critical_value: stats::z(0.5 + options.level / 2.0),
        options: options.clone(),
        panel,
        specs,
        fits,
    };
    if let Some(b) = options.bootstrap {
        let columns: Vec<Combination> = (0..result.cells.len())
            .filter(|&c| result.cells[c].se.is_some())
            .map(|c| Combination::cell(c, 1.0))
            .collect();
        let draws = result.bootstrap(&columns, b);
        for (cell, se) in result.cells.iter_mut().filter(|c| c.se.is_some()).zip(draws.se) {
            cell.se = se;
        }
        result.critical_value = draws.critical_value.unwrap_or(result.critical_value);
    }
    let c = result.critical_value;
    for cell in &mut result.cells {
        cell.lo = cell.se.map(|se| cell.att - c * se);
        cell.hi = cell.se.map(|se| cell.att + c * se);
    }
    Ok(result)
}

/// `did` replaces a standard error at or below `√ε · 10` by NA: the
/// influence function vanishes (a reference cell, a constant outcome).
const SE_FLOOR: f64 = 1.4901161193847656e-7;

/// The cells of every group, as `did`'s `compute.att_gt` loops over them.
fn cell_specs(panel: &Panel, o: &AttGtOptions) -> Vec<Spec> {
    let times = &panel.times;
    let mut specs = Vec::new();
    for &g in &panel.groups {
        // The last period before the group is affected (R's `pret_g`);
        // it exists because groups treated in the first period are gone.
        let Some(start_base) = times.iter().rposition(|&t| t + o.anticipation < g) else { continue };
        let currents: Range<usize> = match o.base_period {
            BasePeriod::Varying => 1..times.len(),
            BasePeriod::Universal => 0..times.len(),
        };
        for current in currents {
            let post = g <= times[current];
            let base = if post || o.base_period == BasePeriod::Universal { start_base } else { current - 1 };
            let threshold = times[current.max(base)] + o.anticipation;
            specs.push(Spec { group: g, current, base, threshold });
        }
    }
    specs
}

/// What [`fit_cells`] returns per cell: the fit, `Σ IF²`, and the
/// numbers of treated and comparison units.
type CellOutcome = (Fitted, f64, u64, u64);

/// Fits every cell, in parallel over cells: each thread takes the next
/// cell until none is left. The first failing cell (in cell order) is the
/// error.
fn fit_cells(panel: &Panel, specs: &[Spec], o: &AttGtOptions) -> Result<Vec<CellOutcome>> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(specs.len()).max(1);
    let mut out: Vec<Option<Result<CellOutcome>>> = (0..specs.len()).map(|_| None).collect();
    let results: Vec<Vec<(usize, Result<CellOutcome>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(crate::exec::inherit(|| {
                    let mut done = Vec::new();
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        if c >= specs.len() {
                            break done;
                        }
                        done.push((c, crate::exec::check().and_then(|()| fit_cell(panel, &specs[c], o))));
                    }
                }))
            })
            .collect();
        // A worker that panicked takes the estimate with it (never cells missing from it).
        crate::exec::join_all(handles)
    });
    for (c, r) in results.into_iter().flatten() {
        out[c] = Some(r);
    }
    out.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::NotIdentified { message: "a cell was not computed".into() })))
        .collect()
}

/// Fits one cell and sums its squared influence.
fn fit_cell(panel: &Panel, spec: &Spec, o: &AttGtOptions) -> Result<CellOutcome> {
    let where_ = || format!("group {} in period {}", spec.group, panel.times[spec.current]);
    if o.base_period == BasePeriod::Universal && spec.current == spec.base {
        let n_treated = panel.group.iter().filter(|&&g| g == spec.group).count() as u64;
        return Ok((Fitted::Reference, 0.0, n_treated, 0));
    }
    let data = cell_data(panel, spec, o.control);
    let n_treated = data.d.iter().filter(|&&d| d == 1.0).count();
    let n_control = data.d.len() - n_treated;
    if n_control == 0 {
        return Err(Error::NotIdentified {
            message: format!("{}: no comparison units (not yet treated or never treated)", where_()),
        });
    }
    let fit = drdid::fit(o.method, &data, panel.n).map_err(|e| match e {
        Error::NoOverlap { message } => Error::NoOverlap { message: format!("{}: {message}", where_()) },
        Error::SingularDesign { message } => Error::SingularDesign { message: format!("{}: {message}", where_()) },
        Error::NotIdentified { message } => Error::NotIdentified { message: format!("{}: {message}", where_()) },
        other => other,
    })?;
    let att = fit.att();
    if !att.is_finite() {
        return Err(Error::NotIdentified { message: format!("{}: the ATT is not finite", where_()) });
    }
    let sum_sq: f64 = (0..data.d.len()).map(|i| fit.influence(data.d[i] == 1.0, data.dy[i], data.row(i)).powi(2)).sum();
    Ok((Fitted::Fit(Box::new(fit)), sum_sq, n_treated as u64, n_control as u64))
}

/// Gathers a cell's units: the groups that take part are contiguous
/// ranges of units, read straight through (the two periods' outcomes and,
/// with covariates, the earlier period's design rows).
fn cell_data(panel: &Panel, spec: &Spec, control: Control) -> CellData {
    let intercept_only = panel.x.is_none();
    let earlier = spec.earlier();
    let members: Vec<(bool, Range<usize>)> = (0..panel.group_values.len())
        .filter_map(|k| spec.role(panel.group_values[k], control).map(|treated| (treated, panel.group_units(k))))
        .collect();
    let rows: usize = members.iter().map(|(_, r)| r.len()).sum();
    let mut d = Vec::with_capacity(rows);
    let mut dy = Vec::with_capacity(rows);
    let mut x = Vec::with_capacity(if intercept_only { 0 } else { rows * panel.p() });
    for (treated, units) in members {
        let (post, base) =
            (&panel.y[spec.current * panel.n..][units.clone()], &panel.y[spec.base * panel.n..][units.clone()]);
        d.extend(std::iter::repeat_n(if treated { 1.0 } else { 0.0 }, units.len()));
        dy.extend(post.iter().zip(base).map(|(a, b)| a - b));
        if !intercept_only {
            for i in units {
                x.extend_from_slice(panel.x(earlier, i));
            }
        }
    }
    let design = Design {
        rows,
        names: panel.names.clone(),
        x,
        complete: if intercept_only { Vec::new() } else { vec![true; rows] },
        source: panel.source.clone(),
    };
    CellData { d, dy, design, intercept_only }
}

/// A linear combination of cell influence functions, plus the influence
/// of the estimated group shares that weight them (`did`'s `wif`).
#[derive(Clone, Debug, Default)]
pub(super) struct Combination {
    cells: Vec<(usize, f64)>,
    shares: Vec<Shares>,
}

/// The weight-influence term of an aggregation with weights
/// `pg_k / Σ pg` over its cells `k` (groups `g_k`, ATTs `att_k`), scaled.
#[derive(Clone, Debug)]
struct Shares {
    scale: f64,
    /// `(group, pg, att)` per cell of the aggregation.
    terms: Vec<(f64, f64, f64)>,
}

impl Combination {
    fn cell(c: usize, w: f64) -> Combination {
        Combination { cells: vec![(c, w)], shares: Vec::new() }
    }

    /// `self + w · other`.
    fn add(&mut self, other: &Combination, w: f64) {
        self.cells.extend(other.cells.iter().map(|&(c, v)| (c, v * w)));
        self.shares.extend(other.shares.iter().map(|s| Shares { scale: s.scale * w, terms: s.terms.clone() }));
    }
}

impl AttGt {
    /// The influence function of `comb` for the units in `range`, into
    /// `out` (which it overwrites).
    fn influence(&self, comb: &Combination, range: Range<usize>, out: &mut [f64]) {
        out.fill(0.0);
        let panel = &self.panel;
        let control = self.options.control;
        for &(c, w) in &comb.cells {
            let (Fitted::Fit(fit), spec) = (&self.fits[c], &self.specs[c]) else { continue };
            let earlier = spec.earlier();
            for (o, i) in out.iter_mut().zip(range.clone()) {
                if let Some(treated) = spec.role(panel.group[i], control) {
                    let dy = panel.y(spec.current, i) - panel.y(spec.base, i);
                    *o += w * fit.influence(treated, dy, panel.x(earlier, i));
                }
            }
        }
        for s in &comb.shares {
            let by_group = self.share_influence(s);
            for (o, i) in out.iter_mut().zip(range.clone()) {
                *o += by_group[panel.group_index[i] as usize];
            }
        }
    }

    /// `did`'s `wif · att` for a unit of each group value: with
    /// `S = Σ pg_k`, `(Σ_k att_k (1{G=g_k} − pg_k)) / S − (Σ_k (1{G=g_k} − pg_k)) (Σ_k att_k pg_k) / S²`.
    fn share_influence(&self, s: &Shares) -> Vec<f64> {
        let total: f64 = s.terms.iter().map(|t| t.1).sum();
        let weighted: f64 = s.terms.iter().map(|t| t.1 * t.2).sum();
        self.panel
            .group_values
            .iter()
            .map(|&gv| {
                let a: f64 = s.terms.iter().map(|&(g, pg, att)| att * ((g == gv) as u8 as f64 - pg)).sum();
                let b: f64 = s.terms.iter().map(|&(g, pg, _)| (g == gv) as u8 as f64 - pg).sum();
                s.scale * (a / total - b * weighted / (total * total))
            })
            .collect()
    }

    /// The analytic standard error of a combination, `√(Σ IF²) / n`, or
    /// `None` when it vanishes.
    fn analytic_se(&self, comb: &Combination) -> Option<f64> {
        let n = self.panel.n;
        let mut buf = vec![0.0; CHUNK.min(n)];
        let mut sum_sq = 0.0;
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            let out = &mut buf[..end - start];
            self.influence(comb, start..end, out);
            sum_sq += out.iter().map(|v| v * v).sum::<f64>();
        }
        let se = sum_sq.sqrt() / n as f64;
        (se > SE_FLOOR).then_some(se)
    }

    /// The published table `att_gt`: ATT(g, t) with its standard error and
    /// interval, by group and period. Estimates, not counts: no cell is
    /// withheld; an empty standard error is the reference cell or a
    /// vanishing influence function.
    ///
    /// ```
    /// # use finsam_core::evaluation::did::{att_gt, AttGtOptions};
    /// # use finsam_core::evaluation::Frame;
    /// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0];
    /// # let time = [1.0, 2.0, 3.0].repeat(5);
    /// # let group = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    /// # let y = [1.0, 2.0, 6.0, 2.0, 4.0, 8.0, 1.0, 2.0, 3.0, 3.0, 3.5, 5.0, 2.0, 2.0, 4.0];
    /// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
    /// #     .with_numeric("t", time.into_iter().map(Some))?
    /// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
    /// let table = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?.table();
    /// assert_eq!(table.rows.len(), 2);
    /// assert!(table.value(&["3", "3"], "att").is_some());
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn table(&self) -> Table {
        let mut b =
            Builder::new("att_gt", "ATT(g, t) per grupp och period", vec!["group".into(), "time".into()], &COLUMNS);
        for c in &self.cells {
            b.push(vec![key(c.group), key(c.time)], estimate_values(c.att, c.se, c.lo, c.hi));
        }
        b.table.notes.push(self.note());
        for (why, n) in &self.dropped {
            b.table.notes.push(format!("{n} utelämnade: {why}."));
        }
        b.finish(&Disclosure::default())
    }

    fn note(&self) -> String {
        let o = &self.options;
        format!(
            "Callaway & Sant'Anna (2021) som R:s did: {} enheter, jämförelse {:?}, metod {:?}, basperiod {:?}, antecipation {}, intervall {} % ({}; kritiskt värde {:.4}).",
            self.units,
            o.control,
            o.method,
            o.base_period,
            o.anticipation,
            o.level * 100.0,
            match o.bootstrap {
                None => "analytiska medelfel".to_owned(),
                Some(b) =>
                    format!("multiplikator-bootstrap, {} dragningar, frö {}, simultana band", b.iterations, b.seed),
            },
            self.critical_value
        )
    }

    /// `did`'s pre-trend Wald test (`W`, `Wpval` of `summary(att_gt)`):
    /// are the pre-treatment ATT(g, t) (cells with `g > t`) jointly zero?
    /// `W = n · attᵀ V⁻¹ att` with `V` their covariance from the influence
    /// functions (`ΣIF IFᵀ / n`), chi-square with as many degrees of
    /// freedom as cells; cells without a standard error are left out, as
    /// in `did`. The p-value is not rounded (`did` rounds it to 5 decimals).
    ///
    /// # Errors
    /// `not_identified` without pre-treatment cells; `singular_design`
    /// when their covariance is singular.
    ///
    /// ```
    /// # use finsam_core::evaluation::did::{att_gt, AttGtOptions};
    /// # use finsam_core::evaluation::Frame;
    /// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0];
    /// # let time = [1.0, 2.0, 3.0].repeat(5);
    /// # let group = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    /// # let y = [1.0, 2.0, 6.0, 2.0, 4.0, 8.0, 1.0, 2.0, 3.0, 3.0, 3.5, 5.0, 2.0, 2.0, 4.0];
    /// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
    /// #     .with_numeric("t", time.into_iter().map(Some))?
    /// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
    /// let test = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?.pretest()?;
    /// assert_eq!(test.df, 1); // the one pre-treatment cell, ATT(3, 2)
    /// assert!(test.p_value > 0.0 && test.p_value <= 1.0);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn pretest(&self) -> Result<Pretest> {
        let pre: Vec<usize> = (0..self.cells.len())
            .filter(|&c| self.cells[c].group > self.cells[c].time && self.cells[c].se.is_some())
            .collect();
        let k = pre.len();
        if k == 0 {
            return Err(Error::NotIdentified {
                message: "no pre-treatment ATT(g, t) with a standard error: nothing to test".into(),
            });
        }
        let n = self.panel.n;
        let combs: Vec<Combination> = pre.iter().map(|&c| Combination::cell(c, 1.0)).collect();
        let mut v = vec![0.0; k * k];
        let mut block = vec![0.0; k * CHUNK.min(n)];
        for start in (0..n).step_by(CHUNK) {
            let len = (start + CHUNK).min(n) - start;
            for (j, comb) in combs.iter().enumerate() {
                self.influence(comb, start..start + len, &mut block[j * len..(j + 1) * len]);
            }
            for a in 0..k {
                for b in 0..=a {
                    let (x, y) = (&block[a * len..(a + 1) * len], &block[b * len..(b + 1) * len]);
                    v[a * k + b] += x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>();
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                v[b * k + a] = v[a * k + b];
            }
        }
        // W = n · attᵀ (ΣIF IFᵀ / n)⁻¹ att = n² · attᵀ (ΣIF IFᵀ)⁻¹ att.
        let chol = Cholesky::new(&v, k).map_err(|_| Error::SingularDesign {
            message: "the covariance of the pre-treatment ATT(g, t) is singular".into(),
        })?;
        let att: Vec<f64> = pre.iter().map(|&c| self.cells[c].att).collect();
        let solved = chol.solve(&att);
        let nf = n as f64;
        let statistic = nf * nf * att.iter().zip(&solved).map(|(a, s)| a * s).sum::<f64>();
        let p_value = stats::chi_square_sf(statistic, k as f64);
        Ok(Pretest { statistic, df: k as u64, p_value })
    }

    fn bootstrap(&self, columns: &[Combination], b: Bootstrap) -> bootstrap::Draws {
        bootstrap::run(self, columns, b)
    }
}

/// Units per block when influence functions are evaluated in blocks.
const CHUNK: usize = 1 << 14;

/// The pre-trend Wald test of [`AttGt::pretest`]; with one cell,
/// `statistic` is its squared t-ratio.
///
/// ```
/// # use finsam_core::evaluation::did::{att_gt, AttGtOptions};
/// # use finsam_core::evaluation::Frame;
/// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0];
/// # let time = [1.0, 2.0, 3.0].repeat(5);
/// # let group = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// # let y = [1.0, 2.0, 6.0, 2.0, 4.0, 8.0, 1.0, 2.0, 3.0, 3.0, 3.5, 5.0, 2.0, 2.0, 4.0];
/// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
/// #     .with_numeric("t", time.into_iter().map(Some))?
/// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
/// let result = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?;
/// let pre = &result.cells[0];
/// let test = result.pretest()?;
/// assert!((test.statistic - (pre.att / pre.se.unwrap()).powi(2)).abs() < 1e-9);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pretest {
    /// The Wald statistic.
    pub statistic: f64,
    /// Its degrees of freedom: the pre-treatment cells tested.
    pub df: u64,
    /// `P(χ²_df ≥ statistic)`.
    pub p_value: f64,
}

const COLUMNS: [(&str, Unit); 4] =
    [("att", Unit::Number), ("se", Unit::Number), ("lo", Unit::Number), ("hi", Unit::Number)];

/// A period or group as a table key: whole numbers without decimals.
fn key(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { v.to_string() }
}

fn estimate_values(att: f64, se: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> Vec<Raw> {
    let v = |x: Option<f64>| Raw::Derived(x.unwrap_or(f64::NAN), Vec::new());
    vec![v(Some(att)), v(se), v(lo), v(hi)]
}

//! `finsam.evaluation.att_gt`: staggered difference-in-differences.

use std::sync::Arc;

use finsam_core::evaluation::did::{
    self as core, Aggregate, Aggregation, AttGt, AttGtOptions, BasePeriod, Bootstrap, Control, Method, Pretest,
};
use pyo3::prelude::*;

use super::{PyEstimate, frame as to_frame};
use crate::{PyTable, bad_option, detached, level_arg, opt_choice, opt_float, opt_int, to_py_err};

/// Group-time average treatment effects ATT(g, t).
#[pyclass(frozen, module = "finsam.evaluation", name = "AttGt")]
pub(crate) struct PyAttGt {
    inner: Arc<AttGt>,
}

/// `(group, time, att, se)` of one cell; `se` is None in the reference
/// cell of a universal base period.
type CellTuple = (f64, f64, f64, Option<f64>);

#[pymethods]
impl PyAttGt {
    /// The table `att_gt`: `group`, `time`, `att`, `se`, `lo`, `hi`.
    fn table(&self) -> PyTable {
        PyTable { inner: self.inner.table() }
    }

    /// The cells as `[(group, time, att, se)]`, for analysis.
    fn cells(&self) -> Vec<CellTuple> {
        self.inner.cells.iter().map(|c| (c.group, c.time, c.att, c.se)).collect()
    }

    /// Aggregates the cells as R's `did::aggte(type=...)`.
    #[pyo3(signature = (kind, *, min_e = None, max_e = None))]
    fn aggregate(
        &self,
        py: Python<'_>,
        kind: &Bound<'_, PyAny>,
        min_e: Option<Bound<'_, PyAny>>,
        max_e: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyAggregate> {
        let event = |name: &'static str, v: &Option<Bound<'_, PyAny>>| {
            v.as_ref().map(|v| opt_float(name, v, "a number of periods", f64::is_finite)).transpose()
        };
        let aggregation = match opt_choice("kind", kind, &["simple", "group", "dynamic", "calendar"])? {
            "simple" => Aggregation::Simple,
            "group" => Aggregation::Group,
            "calendar" => Aggregation::Calendar,
            _ => Aggregation::Dynamic { min_e: event("min_e", &min_e)?, max_e: event("max_e", &max_e)? },
        };
        if !matches!(aggregation, Aggregation::Dynamic { .. }) && (min_e.is_some() || max_e.is_some()) {
            return Err(bad_option(
                "min_e",
                "given only with kind=\"dynamic\"",
                min_e.as_ref().or(max_e.as_ref()).unwrap_or(kind),
            ));
        }
        let inner = Arc::clone(&self.inner);
        let result = detached(py, move || inner.aggregate(&aggregation))?;
        Ok(PyAggregate { inner: result })
    }

    /// `did`'s pre-trend Wald test on the pre-treatment cells.
    fn pretest(&self, py: Python<'_>) -> PyResult<PyPretest> {
        let inner = Arc::clone(&self.inner);
        let inner = detached(py, move || inner.pretest())?;
        Ok(PyPretest { inner })
    }

    /// Units in the balanced panel.
    #[getter]
    fn units(&self) -> u64 {
        self.inner.units
    }
    /// The groups (first treated periods) estimated.
    #[getter]
    fn groups(&self) -> Vec<f64> {
        self.inner.groups.clone()
    }
    /// The periods of the panel.
    #[getter]
    fn periods(&self) -> Vec<f64> {
        self.inner.periods.clone()
    }
    /// What was left out and why, as `[(reason, count)]`.
    #[getter]
    fn dropped(&self) -> Vec<(String, u64)> {
        self.inner.dropped.clone()
    }
    /// The critical value of the intervals (simultaneous with the bootstrap).
    #[getter]
    fn critical_value(&self) -> f64 {
        self.inner.critical_value
    }
    /// The bootstrap's seed, or None without the bootstrap.
    #[getter]
    fn seed(&self) -> Option<u64> {
        self.inner.options.bootstrap.map(|b| b.seed)
    }

    fn __repr__(&self) -> String {
        format!(
            "AttGt(cells={}, units={}, groups={}, periods={})",
            self.inner.cells.len(),
            self.inner.units,
            self.inner.groups.len(),
            self.inner.periods.len()
        )
    }
}

/// An aggregation of ATT(g, t): `.overall` and `.table()`.
#[pyclass(frozen, module = "finsam.evaluation", name = "Aggregate")]
pub(crate) struct PyAggregate {
    inner: Aggregate,
}

#[pymethods]
impl PyAggregate {
    /// The overall effect (None when its standard error vanishes).
    #[getter]
    fn overall(&self) -> Option<PyEstimate> {
        self.inner.overall.map(PyEstimate::from)
    }
    /// The rows as `[(key, att, se)]` (key: group, event time or period).
    fn rows(&self) -> Vec<(f64, f64, Option<f64>)> {
        self.inner.rows.iter().map(|r| (r.key, r.att, r.se)).collect()
    }
    /// The critical value of the rows' intervals.
    #[getter]
    fn critical_value(&self) -> f64 {
        self.inner.critical_value
    }
    /// The table: one row per group, event time or period and `overall`.
    fn table(&self) -> PyTable {
        PyTable { inner: self.inner.table() }
    }

    fn __repr__(&self) -> String {
        let overall = self.inner.overall.map_or("None".to_owned(), |e| format!("{} (se {})", e.estimate, e.se));
        format!("Aggregate({:?}, overall={overall}, rows={})", self.inner.aggregation, self.inner.rows.len())
    }
}

/// The pre-trend Wald test.
#[pyclass(frozen, module = "finsam.evaluation", name = "Pretest")]
pub(crate) struct PyPretest {
    inner: Pretest,
}

#[pymethods]
impl PyPretest {
    /// The Wald statistic (`did`'s `W`).
    #[getter]
    fn statistic(&self) -> f64 {
        self.inner.statistic
    }
    /// The degrees of freedom: the pre-treatment cells tested.
    #[getter]
    fn df(&self) -> u64 {
        self.inner.df
    }
    /// The chi-square p-value (`did`'s `Wpval`, unrounded).
    #[getter]
    fn p_value(&self) -> f64 {
        self.inner.p_value
    }

    fn __repr__(&self) -> String {
        format!("Pretest(statistic={}, df={}, p_value={})", self.inner.statistic, self.inner.df, self.inner.p_value)
    }
}

/// Group-time average treatment effects (Callaway & Sant'Anna 2021) on a
/// long panel, as R's `did::att_gt`.
#[pyfunction]
#[pyo3(signature = (frame, *, outcome, unit, time, group, covariates = None, control = None, method = None, base_period = None, anticipation = None, level = None, bootstrap = None, seed = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn att_gt(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    outcome: &str,
    unit: &str,
    time: &str,
    group: &str,
    covariates: Option<Vec<String>>,
    control: Option<Bound<'_, PyAny>>,
    method: Option<Bound<'_, PyAny>>,
    base_period: Option<Bound<'_, PyAny>>,
    anticipation: Option<Bound<'_, PyAny>>,
    level: Option<Bound<'_, PyAny>>,
    bootstrap: Option<Bound<'_, PyAny>>,
    seed: Option<Bound<'_, PyAny>>,
) -> PyResult<PyAttGt> {
    let mut o = AttGtOptions::new(outcome, unit, time, group);
    o.covariates = covariates.unwrap_or_default();
    if let Some(v) = &control {
        o.control = match opt_choice("control", v, &["never_treated", "not_yet_treated"])? {
            "never_treated" => Control::NeverTreated,
            _ => Control::NotYetTreated,
        };
    }
    if let Some(v) = &method {
        o.method = match opt_choice("method", v, &["dr", "ipw", "reg"])? {
            "dr" => Method::Dr,
            "ipw" => Method::Ipw,
            _ => Method::Reg,
        };
    }
    if let Some(v) = &base_period {
        o.base_period = match opt_choice("base_period", v, &["varying", "universal"])? {
            "varying" => BasePeriod::Varying,
            _ => BasePeriod::Universal,
        };
    }
    if let Some(v) = &anticipation {
        o.anticipation = opt_float("anticipation", v, "a number of periods ≥ 0", |x| x.is_finite() && x >= 0.0)?;
    }
    if let Some(v) = &level {
        o.level = level_arg(v)?;
    }
    let seed = seed.as_ref().map(|s| opt_int::<u64>("seed", s, 0..=i64::MAX)).transpose()?;
    if let Some(v) = &bootstrap {
        let iterations = opt_int::<usize>("bootstrap", v, 2..=10_000_000)?;
        o.bootstrap = Some(Bootstrap { iterations, seed: seed.unwrap_or_else(fresh_seed) });
    } else if seed.is_some() {
        return Err(to_py_err(
            py,
            &finsam_core::Error::InvalidArgument { name: "seed", message: "given only with bootstrap=".into() },
        ));
    }
    let f = to_frame(frame, "frame")?;
    let inner = detached(py, || core::att_gt(&f, &o))?;
    Ok(PyAttGt { inner: Arc::new(inner) })
}

/// A seed from the clock, recorded in the result, when none is given.
fn fresh_seed() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// Adds the functions and classes.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAttGt>()?;
    m.add_class::<PyAggregate>()?;
    m.add_class::<PyPretest>()?;
    m.add_function(wrap_pyfunction!(att_gt, m)?)?;
    Ok(())
}

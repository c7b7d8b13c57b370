//! `finsam.evaluation.event_study` and `finsam.evaluation.did`.

use finsam_core::evaluation::event_study::{self as es, DidEstimate, EventStudy, EventStudyOptions};
use pyo3::prelude::*;

use super::{PyEstimate, disclosure, frame as to_frame};
use crate::{PyTable, detached, level_arg, opt_int};

/// The result of an event study: `table()` and the per-period effects.
#[pyclass(frozen, module = "finsam.evaluation", name = "EventStudy")]
pub(crate) struct PyEventStudy {
    inner: EventStudy,
}

#[pymethods]
impl PyEventStudy {
    /// The published table `event_study` (counts withheld when small, and
    /// the estimates with them).
    fn table(&self) -> PyTable {
        PyTable { inner: self.inner.table() }
    }

    /// The effect per period as `{time: Estimate | None}` (None for the
    /// reference period and periods without both groups). Not
    /// disclosure-controlled: for analysis, not publication.
    fn effects(&self) -> Vec<(i64, Option<PyEstimate>)> {
        self.inner.periods.iter().map(|p| (p.time, p.estimate.map(PyEstimate::from))).collect()
    }

    /// Treated units in the panel (weight > 0).
    #[getter]
    fn units_treated(&self) -> u64 {
        self.inner.units_treated
    }

    /// Comparison units in the panel (weight > 0).
    #[getter]
    fn units_control(&self) -> u64 {
        self.inner.units_control
    }

    /// Units left out and why, as `[(reason, count)]`.
    #[getter]
    fn dropped(&self) -> Vec<(String, u64)> {
        self.inner.dropped.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "EventStudy(periods={}, units_treated={}, units_control={})",
            self.inner.periods.len(),
            self.inner.units_treated,
            self.inner.units_control
        )
    }
}

/// A 2×2 difference-in-differences estimate with its sample sizes.
#[pyclass(frozen, module = "finsam.evaluation", name = "DidEstimate")]
pub(crate) struct PyDidEstimate {
    inner: DidEstimate,
}

#[pymethods]
impl PyDidEstimate {
    /// The point estimate.
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.estimate.estimate
    }
    /// Its cluster-robust standard error.
    #[getter]
    fn se(&self) -> f64 {
        self.inner.estimate.se
    }
    /// The lower bound of the interval.
    #[getter]
    fn lo(&self) -> f64 {
        self.inner.estimate.lo
    }
    /// The upper bound of the interval.
    #[getter]
    fn hi(&self) -> f64 {
        self.inner.estimate.hi
    }
    /// Treated units observed in every period of both windows.
    #[getter]
    fn n_treated(&self) -> u64 {
        self.inner.n_treated
    }
    /// Comparison units observed in every period of both windows.
    #[getter]
    fn n_control(&self) -> u64 {
        self.inner.n_control
    }
    /// Clusters.
    #[getter]
    fn clusters(&self) -> u64 {
        self.inner.clusters
    }
    /// Units left out and why.
    #[getter]
    fn dropped(&self) -> Vec<(String, u64)> {
        self.inner.dropped.clone()
    }

    fn __repr__(&self) -> String {
        let e = &self.inner.estimate;
        format!(
            "DidEstimate(estimate={}, se={}, lo={}, hi={}, n_treated={}, n_control={})",
            e.estimate, e.se, e.lo, e.hi, self.inner.n_treated, self.inner.n_control
        )
    }
}

/// The options of both functions; an absent option takes its default.
struct Settings<'py> {
    weights: Option<String>,
    cluster: Option<String>,
    reference: Option<Bound<'py, PyAny>>,
    level: Option<Bound<'py, PyAny>>,
    suppress: Option<Bound<'py, PyAny>>,
    threshold: Option<Bound<'py, PyAny>>,
}

impl Settings<'_> {
    fn options(self, unit: &str, time: &str, treated: &str, outcome: &str) -> PyResult<EventStudyOptions> {
        let mut o = EventStudyOptions::new(unit, time, treated, outcome);
        o.weights = self.weights;
        o.cluster = self.cluster;
        if let Some(v) = &self.reference {
            o.reference = opt_int("reference", v, -1_000_000..=1_000_000)?;
        }
        if let Some(v) = &self.level {
            o.level = level_arg(v)?;
        }
        o.disclosure = disclosure(self.suppress.as_ref(), self.threshold.as_ref())?;
        Ok(o)
    }
}

/// A person-level event study on a long panel (one row per unit and
/// period): the effect in each period against the reference period, with
/// intervals clustered by unit (or by `cluster`, e.g. the matched set).
#[pyfunction]
#[pyo3(signature = (frame, *, unit, time, treated, outcome, weights = None, cluster = None, reference = None, level = None, suppress = None, threshold = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn event_study(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    unit: &str,
    time: &str,
    treated: &str,
    outcome: &str,
    weights: Option<String>,
    cluster: Option<String>,
    reference: Option<Bound<'_, PyAny>>,
    level: Option<Bound<'_, PyAny>>,
    suppress: Option<Bound<'_, PyAny>>,
    threshold: Option<Bound<'_, PyAny>>,
) -> PyResult<PyEventStudy> {
    let o =
        Settings { weights, cluster, reference, level, suppress, threshold }.options(unit, time, treated, outcome)?;
    let f = to_frame(frame, "frame")?;
    let inner = detached(py, || es::event_study(&f, &o))?;
    Ok(PyEventStudy { inner })
}

/// A 2×2 difference-in-differences on a long panel: the change in the
/// mean outcome from the `pre` periods to the `post` periods (inclusive
/// `(first, last)` pairs), treated against comparison units.
#[pyfunction]
#[pyo3(signature = (frame, *, unit, time, treated, outcome, pre, post, weights = None, cluster = None, level = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn did(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    unit: &str,
    time: &str,
    treated: &str,
    outcome: &str,
    pre: (i64, i64),
    post: (i64, i64),
    weights: Option<String>,
    cluster: Option<String>,
    level: Option<Bound<'_, PyAny>>,
) -> PyResult<PyDidEstimate> {
    let settings = Settings { weights, cluster, reference: None, level, suppress: None, threshold: None };
    let o = settings.options(unit, time, treated, outcome)?;
    let f = to_frame(frame, "frame")?;
    let inner = detached(py, || es::did_2x2(&f, &o, pre, post))?;
    Ok(PyDidEstimate { inner })
}

/// Adds the functions and classes.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEventStudy>()?;
    m.add_class::<PyDidEstimate>()?;
    m.add_function(wrap_pyfunction!(event_study, m)?)?;
    m.add_function(wrap_pyfunction!(did, m)?)?;
    Ok(())
}

//! `finsam.evaluation.shrink`, `james_stein`, `ranks` and `funnel_limits`.

use finsam_core::evaluation::casemix::{self, CompareOptions, Comparison, OutcomeModel};
use finsam_core::evaluation::data::{AnalysisOptions, analysis_frame};
use finsam_core::evaluation::funnel::{self, FunnelKind, Overdispersion};
use finsam_core::evaluation::shrinkage::{self, Tau2Method};
use pyo3::prelude::*;

use super::{disclosure, frame as to_frame};
use crate::{PyTable, bad_option, detached, level_arg, opt_choice, opt_int, seed_arg};

/// Shrunken unit estimates with the random-effects summary.
#[pyclass(frozen, module = "finsam.evaluation", name = "Shrinkage", get_all)]
pub(crate) struct PyShrinkage {
    /// The posterior means, in input order.
    estimates: Vec<f64>,
    /// Their posterior standard deviations.
    sd: Vec<f64>,
    /// The lower bounds of the posterior intervals.
    lo: Vec<f64>,
    /// The upper bounds of the posterior intervals.
    hi: Vec<f64>,
    /// The weight on each unit's own estimate, τ²/(τ² + vᵢ).
    reliability: Vec<f64>,
    /// The between-unit variance τ².
    tau2: f64,
    /// The pooled mean.
    mean: f64,
    /// Its standard error.
    mean_se: f64,
    /// How τ² was estimated: "dl", "pm" or "reml".
    method: String,
}

#[pymethods]
impl PyShrinkage {
    fn __repr__(&self) -> String {
        format!(
            "Shrinkage(units={}, tau2={}, mean={}, method={:?})",
            self.estimates.len(),
            self.tau2,
            self.mean,
            self.method
        )
    }
}

/// Empirical-Bayes (normal–normal) shrinkage of unit estimates with known
/// variances toward their pooled mean.
#[pyfunction]
#[pyo3(signature = (estimates, variances, *, method = "reml", level = None))]
pub(crate) fn shrink(
    py: Python<'_>,
    estimates: Vec<f64>,
    variances: Vec<f64>,
    method: &str,
    level: Option<Bound<'_, PyAny>>,
) -> PyResult<PyShrinkage> {
    let method_value = method.into_pyobject(py)?;
    let parsed = Tau2Method::parse(opt_choice("method", method_value.as_any(), &["reml", "dl", "pm"])?)
        .ok_or_else(|| bad_option("method", "\"reml\", \"dl\" or \"pm\"", method_value.as_any()))?;
    let level = level.map(|l| level_arg(&l)).transpose()?.unwrap_or(0.95);
    let s = detached(py, || shrinkage::shrink(&estimates, &variances, parsed, level))?;
    Ok(PyShrinkage {
        estimates: s.units.iter().map(|u| u.estimate).collect(),
        sd: s.units.iter().map(|u| u.sd).collect(),
        lo: s.units.iter().map(|u| u.lo).collect(),
        hi: s.units.iter().map(|u| u.hi).collect(),
        reliability: s.units.iter().map(|u| u.reliability).collect(),
        tau2: s.tau2,
        mean: s.mean,
        mean_se: s.mean_se,
        method: method.to_owned(),
    })
}

/// The positive-part James–Stein estimator toward the grand mean, for
/// values with one known common variance (at least four).
#[pyfunction]
pub(crate) fn james_stein(py: Python<'_>, values: Vec<f64>, variance: f64) -> PyResult<Vec<f64>> {
    detached(py, || shrinkage::james_stein(&values, variance))
}

/// Ranks (1 = highest) with intervals from seeded simulation of each unit
/// from N(estimate, sd²): `[(rank, lo, hi)]`.
#[pyfunction]
#[pyo3(signature = (estimates, sds, *, level = None, draws = None, seed = None))]
pub(crate) fn ranks(
    py: Python<'_>,
    estimates: Vec<f64>,
    sds: Vec<f64>,
    level: Option<Bound<'_, PyAny>>,
    draws: Option<Bound<'_, PyAny>>,
    seed: Option<Bound<'_, PyAny>>,
) -> PyResult<Vec<(usize, usize, usize)>> {
    let level = level.map(|l| level_arg(&l)).transpose()?.unwrap_or(0.95);
    let draws: usize = draws.map(|d| opt_int("draws", &d, 1..=10_000_000)).transpose()?.unwrap_or(4000);
    let seed = seed.map(|s| seed_arg(&s)).transpose()?.unwrap_or(0);
    let r = detached(py, || shrinkage::ranks(&estimates, &sds, level, draws, seed))?;
    Ok(r.into_iter().map(|r| (r.rank, r.lo, r.hi)).collect())
}

/// Units placed on a funnel plot, with the limits and the over-dispersion.
#[pyclass(frozen, module = "finsam.evaluation", name = "Funnel")]
pub(crate) struct PyFunnel {
    inner: funnel::Funnel,
}

#[pymethods]
impl PyFunnel {
    /// The units' values (proportions or O/E ratios).
    #[getter]
    fn value(&self) -> Vec<f64> {
        self.inner.units.iter().map(|u| u.value).collect()
    }
    /// The units' z-scores, allowing for the over-dispersion applied.
    #[getter]
    fn z(&self) -> Vec<f64> {
        self.inner.units.iter().map(|u| u.z).collect()
    }
    /// The 95 % limits at each unit's size, `[(lo, hi)]`.
    #[getter]
    fn limits_95(&self) -> Vec<(f64, f64)> {
        self.inner.units.iter().map(|u| u.limits_95).collect()
    }
    /// The 99.8 % limits at each unit's size, `[(lo, hi)]`.
    #[getter]
    fn limits_998(&self) -> Vec<(f64, f64)> {
        self.inner.units.iter().map(|u| u.limits_998).collect()
    }
    /// Where each unit falls: "above_99.8", "above_95", "within", "below_95" or "below_99.8".
    #[getter]
    fn flag(&self) -> Vec<&'static str> {
        self.inner.units.iter().map(|u| u.flag.name()).collect()
    }
    /// The target (the overall proportion, or 1 for ratios).
    #[getter]
    fn target(&self) -> f64 {
        self.inner.target
    }
    /// φ̂ from the winsorised z-scores.
    #[getter]
    fn phi(&self) -> f64 {
        self.inner.phi
    }
    /// τ̂² of the additive model (0 unless applied).
    #[getter]
    fn tau2(&self) -> f64 {
        self.inner.tau2
    }
    /// Whether over-dispersion was applied.
    #[getter]
    fn adjusted(&self) -> bool {
        self.inner.adjusted
    }
    /// The `p`-limit at each of `sizes`, to draw the funnel's curves.
    fn curve(&self, sizes: Vec<f64>, p: f64) -> PyResult<Vec<f64>> {
        let py_err = |e: finsam_core::Error| Python::attach(|py| crate::to_py_err(py, &e));
        sizes.iter().map(|&n| self.inner.limit(n, p).map_err(py_err)).collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "Funnel(units={}, target={}, phi={}, tau2={}, adjusted={})",
            self.inner.units.len(),
            self.inner.target,
            self.inner.phi,
            self.inner.tau2,
            self.inner.adjusted
        )
    }
}

/// Places units on a funnel plot: exact binomial limits for proportions
/// (`size`: participants), Poisson limits for O/E ratios (`kind="ratio"`,
/// `size`: expected counts), or Binomial(n, E/n)/E limits for the O/E
/// ratios of 0/1 outcomes (`kind="binary_ratio"`, `size`: expected counts,
/// `trials`: each unit's number of outcomes; right when the outcome is
/// common, where Poisson limits are far too wide), at 95 % and 99.8 %,
/// widened for over-dispersion as in Spiegelhalter (2005).
#[pyfunction]
#[pyo3(signature = (observed, size, *, kind = "proportion", target = None, overdispersion = "additive", trials = None))]
pub(crate) fn funnel_limits(
    py: Python<'_>,
    observed: Vec<f64>,
    size: Vec<f64>,
    kind: &str,
    target: Option<f64>,
    overdispersion: &str,
    trials: Option<Vec<f64>>,
) -> PyResult<PyFunnel> {
    let kind_value = kind.into_pyobject(py)?;
    let kind = match opt_choice("kind", kind_value.as_any(), &["proportion", "ratio", "binary_ratio"])? {
        "ratio" => FunnelKind::Ratio,
        "binary_ratio" => FunnelKind::BinaryRatio,
        _ => FunnelKind::Proportion,
    };
    let needs_trials = kind == FunnelKind::BinaryRatio;
    if needs_trials != trials.is_some() {
        let message = if needs_trials {
            "each unit's number of outcomes is needed with kind=\"binary_ratio\"".to_owned()
        } else {
            format!("only kind=\"binary_ratio\" takes each unit's number of outcomes (kind is {kind_value})")
        };
        return Err(crate::to_py_err(py, &crate::argument("trials", message)));
    }
    let od_value = overdispersion.into_pyobject(py)?;
    let od = Overdispersion::parse(opt_choice(
        "overdispersion",
        od_value.as_any(),
        &["none", "multiplicative", "additive"],
    )?)
    .unwrap_or_default();
    let inner = detached(py, || match trials {
        Some(trials) => funnel::binary_ratio_funnel(&observed, &size, &trials, od),
        None => funnel::funnel(&observed, &size, kind, target, od),
    })?;
    Ok(PyFunnel { inner })
}

/// A case-mix-adjusted comparison of units.
#[pyclass(frozen, module = "finsam.evaluation", name = "Comparison")]
pub(crate) struct PyComparison {
    inner: Comparison,
}

#[pymethods]
impl PyComparison {
    /// The published table `jamforelse_insatser` (units below the
    /// disclosure threshold withheld whole).
    fn table(&self) -> PyTable {
        PyTable { inner: self.inner.table() }
    }
    /// The case-mix model's coefficients, `[(column, coefficient)]`.
    #[getter]
    fn coefficients(&self) -> Vec<(String, f64)> {
        self.inner.coefficients.clone()
    }
    /// "binary" (logistic) or "continuous" (least squares).
    #[getter]
    fn model(&self) -> &'static str {
        match self.inner.model {
            OutcomeModel::Binary => "binary",
            OutcomeModel::Continuous => "continuous",
        }
    }
    /// The overall rate or mean.
    #[getter]
    fn overall(&self) -> f64 {
        self.inner.overall
    }
    /// The funnel's φ̂.
    #[getter]
    fn phi(&self) -> f64 {
        self.inner.phi
    }
    /// The shrinkage's τ̂².
    #[getter]
    fn tau2(&self) -> f64 {
        self.inner.shrinkage_tau2
    }
    /// Rows left out and why.
    #[getter]
    fn dropped(&self) -> Vec<(String, u64)> {
        self.inner.dropped.clone()
    }
    /// The units below the disclosure threshold, `[(unit, participations)]`:
    /// in the case-mix model, not compared, withheld in the table.
    #[getter]
    fn withheld(&self) -> Vec<(String, u64)> {
        self.inner.withheld.clone()
    }
    /// The rare levels pooled: (covariate, levels, participations, the
    /// level they joined).
    #[getter]
    fn pooled(&self) -> Vec<(String, Vec<String>, u64, String)> {
        self.inner.pooled.iter().map(|p| (p.covariate.clone(), p.levels.clone(), p.rows, p.into.clone())).collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "Comparison(units={}, model={:?}, overall={})",
            self.inner.units.len(),
            self.model(),
            self.inner.overall
        )
    }
}

/// Compares units (insatser by default, or förbund) adjusted for case mix:
/// by default the share to work or studies. Given a `Dataset`, every
/// participation of `years` (`analysis_frame(data, years=years,
/// comparison=False, all_participations=True)`, so a person's second
/// insats counts for that insats); given a frame, its rows. Observed
/// against expected, O/E with exact intervals, funnel limits with
/// over-dispersion, empirical-Bayes shrinkage and ranks with intervals.
/// `pool_below=k` pools the levels of a categorical case-mix covariate with
/// fewer than `k` participations (they could separate the outcome), into
/// `"övriga"`, or into the most common level when they are still fewer than
/// `k` together; `Comparison.pooled` and the table's notes say which.
#[pyfunction]
#[pyo3(signature = (frame, *, case_mix, outcome = "arbete_studier", unit = "insats", years = None, model = None, overdispersion = "additive", tau2 = "reml", level = None, draws = None, seed = None, suppress = None, threshold = None, pool_below = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare_units(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    case_mix: Vec<String>,
    outcome: &str,
    unit: &str,
    years: Option<Bound<'_, PyAny>>,
    model: Option<&str>,
    overdispersion: &str,
    tau2: &str,
    level: Option<Bound<'_, PyAny>>,
    draws: Option<Bound<'_, PyAny>>,
    seed: Option<Bound<'_, PyAny>>,
    suppress: Option<Bound<'_, PyAny>>,
    threshold: Option<Bound<'_, PyAny>>,
    pool_below: Option<Bound<'_, PyAny>>,
) -> PyResult<PyComparison> {
    let names: Vec<&str> = case_mix.iter().map(String::as_str).collect();
    let mut o = CompareOptions::new(outcome, unit, &names);
    o.model = match model {
        None => None,
        Some(m) => Some(match opt_choice("model", m.into_pyobject(py)?.as_any(), &["binary", "continuous"])? {
            "binary" => OutcomeModel::Binary,
            _ => OutcomeModel::Continuous,
        }),
    };
    let od = overdispersion.into_pyobject(py)?;
    o.overdispersion =
        Overdispersion::parse(opt_choice("overdispersion", od.as_any(), &["none", "multiplicative", "additive"])?)
            .unwrap_or_default();
    let t = tau2.into_pyobject(py)?;
    o.shrinkage = Tau2Method::parse(opt_choice("tau2", t.as_any(), &["reml", "dl", "pm"])?).unwrap_or_default();
    if let Some(l) = level {
        o.level = level_arg(&l)?;
    }
    if let Some(d) = draws {
        o.draws = opt_int("draws", &d, 1..=10_000_000)?;
    }
    if let Some(s) = seed {
        o.seed = seed_arg(&s)?;
    }
    o.disclosure = disclosure(suppress.as_ref(), threshold.as_ref())?;
    if let Some(k) = pool_below {
        o.pool_below = opt_int("pool_below", &k, 0..=i64::from(u32::MAX))?;
    }
    let f = match frame.cast::<crate::PyDataset>() {
        Ok(data) => {
            let options = AnalysisOptions {
                years: years.as_ref().map(crate::years_arg).transpose()?,
                comparison: false,
                all_participations: true,
                // Only what the comparison reads: at national scale the
                // rest of the frame is most of the time.
                columns: Some(case_mix.iter().cloned().chain([outcome.to_owned(), unit.to_owned()]).collect()),
                ..AnalysisOptions::default()
            };
            let data = std::sync::Arc::clone(&data.get().inner);
            detached(py, move || analysis_frame(&data, &options).map(|a| a.frame))?
        }
        Err(_) => match years {
            Some(y) => {
                return Err(bad_option("years", "years only with a Dataset (filter a frame's rows instead)", &y));
            }
            None => to_frame(frame, "frame")?,
        },
    };
    let inner = detached(py, || casemix::compare_units(&f, &o))?;
    Ok(PyComparison { inner })
}

/// Adds the functions and classes.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyShrinkage>()?;
    m.add_class::<PyFunnel>()?;
    m.add_class::<PyComparison>()?;
    m.add_function(wrap_pyfunction!(compare_units, m)?)?;
    // The annual report's case mix, so that a user can rerun its comparison.
    m.add("REPORT_CASE_MIX", pyo3::types::PyTuple::new(m.py(), finsam_core::report::COMPARISON_CASE_MIX)?)?;
    m.add_function(wrap_pyfunction!(shrink, m)?)?;
    m.add_function(wrap_pyfunction!(james_stein, m)?)?;
    m.add_function(wrap_pyfunction!(ranks, m)?)?;
    m.add_function(wrap_pyfunction!(funnel_limits, m)?)?;
    Ok(())
}

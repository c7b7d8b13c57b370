//! `finsam.evaluation.propensity` and `finsam.evaluation.match`: thin
//! wrappers of `finsam_core::evaluation::matching`.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use finsam_core::evaluation::Frame;
use finsam_core::evaluation::matching::{self, Distance, MatchOptions, Method, Order};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::batch;
use crate::{PyTable, argument, bad_option, detached, level_arg, opt_bool, opt_choice, opt_float, opt_int, to_py_err};

/// A fitted propensity score (logistic regression of the treatment).
#[pyclass(frozen, module = "finsam.evaluation", name = "Propensity")]
pub(crate) struct PyPropensity {
    inner: matching::Propensity,
}

#[pymethods]
impl PyPropensity {
    /// The coefficients by name, as R's `model.matrix` names them.
    #[getter]
    fn coefficients(&self) -> Vec<(String, f64)> {
        self.inner.fit.names.iter().cloned().zip(self.inner.fit.coefficients.iter().copied()).collect()
    }
    /// The score of each row (`None` for a dropped row).
    #[getter]
    fn score(&self) -> Vec<Option<f64>> {
        self.inner.score.clone()
    }
    /// The linear predictor of each row.
    #[getter]
    fn linear(&self) -> Vec<Option<f64>> {
        self.inner.linear.clone()
    }
    /// Treated units used.
    #[getter]
    fn n_treated(&self) -> usize {
        self.inner.n_treated
    }
    /// Control units used.
    #[getter]
    fn n_control(&self) -> usize {
        self.inner.n_control
    }
    /// Rows dropped for a missing value.
    #[getter]
    fn dropped_missing(&self) -> usize {
        self.inner.dropped_missing
    }
    fn __repr__(&self) -> String {
        format!(
            "Propensity(n_treated={}, n_control={}, dropped_missing={})",
            self.inner.n_treated, self.inner.n_control, self.inner.dropped_missing
        )
    }
}

/// A matched comparison group.
#[pyclass(frozen, module = "finsam.evaluation", name = "Matching")]
pub(crate) struct PyMatching {
    inner: matching::Matching,
    frame: Frame,
    batch: RecordBatch,
}

/// The effect on the treated in a matched sample.
#[pyclass(frozen, module = "finsam.evaluation", name = "MatchedEffect")]
pub(crate) struct PyMatchedEffect {
    inner: matching::Effect,
}

#[pymethods]
impl PyMatchedEffect {
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
    /// The confidence level.
    #[getter]
    fn level(&self) -> f64 {
        self.inner.estimate.level
    }
    /// The residual degrees of freedom of the t interval.
    #[getter]
    fn df(&self) -> f64 {
        self.inner.df
    }
    /// The number of clusters.
    #[getter]
    fn clusters(&self) -> usize {
        self.inner.clusters
    }
    /// Matched treated units used.
    #[getter]
    fn n_treated(&self) -> usize {
        self.inner.n_treated
    }
    /// Matched control units used.
    #[getter]
    fn n_control(&self) -> usize {
        self.inner.n_control
    }
    /// Matched units dropped for a missing outcome or covariate.
    #[getter]
    fn dropped_missing(&self) -> usize {
        self.inner.dropped_missing
    }
    fn __repr__(&self) -> String {
        let e = &self.inner;
        format!(
            "MatchedEffect(estimate={}, se={}, lo={}, hi={}, level={}, n_treated={}, n_control={})",
            e.estimate.estimate,
            e.estimate.se,
            e.estimate.lo,
            e.estimate.hi,
            e.estimate.level,
            e.n_treated,
            e.n_control
        )
    }
}

#[pymethods]
impl PyMatching {
    /// The balance table (`MatchIt`'s `summary()`), one row per covariate
    /// or level.
    fn balance(&self, py: Python<'_>) -> PyResult<PyTable> {
        let b = detached(py, || self.inner.balance(&self.frame))?;
        Ok(PyTable { inner: b.to_table() })
    }

    /// The matched rows of the frame as a `pyarrow.Table` with `weights`
    /// and `subclass` columns added (`MatchIt`'s `match.data()`).
    fn matched<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rows: Vec<u64> =
            (0..self.inner.weights.len()).filter(|&r| self.inner.weights[r] > 0.0).map(|r| r as u64).collect();
        let take = UInt64Array::from(rows.clone());
        let mut columns: Vec<ArrayRef> = self
            .batch
            .columns()
            .iter()
            .map(|c| arrow_select::take::take(c, &take, None))
            .collect::<Result<_, _>>()
            .map_err(|e| to_py_err(py, &argument("frame", e.to_string())))?;
        let weights: Float64Array = rows.iter().map(|&r| Some(self.inner.weights[r as usize])).collect();
        let subclass: UInt32Array = rows.iter().map(|&r| self.inner.subclass[r as usize]).collect();
        columns.push(Arc::new(weights));
        columns.push(Arc::new(subclass));
        let mut fields: Vec<Arc<Field>> = self.batch.schema().fields().iter().cloned().collect();
        fields.push(Arc::new(Field::new("weights", DataType::Float64, false)));
        fields.push(Arc::new(Field::new("subclass", DataType::UInt32, true)));
        let schema = Arc::new(Schema::new(fields));
        let out = RecordBatch::try_new(schema.clone(), columns)
            .map_err(|e| to_py_err(py, &argument("frame", e.to_string())))?;
        pyo3_arrow::PyTable::try_new(vec![out], schema)?.into_pyarrow(py)
    }

    /// The effect on the treated: weighted least squares in the matched
    /// sample, standard errors clustered by subclass (by unit with
    /// replacement), Student t interval.
    #[pyo3(signature = (outcome, *, covariates=None, level=None))]
    fn effect(
        &self,
        py: Python<'_>,
        outcome: &str,
        covariates: Option<&Bound<'_, PyAny>>,
        level: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyMatchedEffect> {
        let covariates = names("covariates", covariates)?;
        let level = level.map(level_arg).transpose()?.unwrap_or(0.95);
        let refs: Vec<&str> = covariates.iter().map(String::as_str).collect();
        let inner = detached(py, || self.inner.effect(&self.frame, outcome, &refs, level))?;
        Ok(PyMatchedEffect { inner })
    }

    /// The distance of each row (`None` when dropped or not used).
    #[getter]
    fn distance(&self) -> Vec<Option<f64>> {
        self.inner.distance.clone()
    }
    /// The matching weight of each row.
    #[getter]
    fn weights(&self) -> Vec<f64> {
        self.inner.weights.clone()
    }
    /// The subclass of each row (`None` when unmatched or with replacement).
    #[getter]
    fn subclass(&self) -> Vec<Option<u32>> {
        self.inner.subclass.clone()
    }
    /// Each matched treated row with its control rows (0-based).
    #[getter]
    fn pairs(&self) -> Vec<(usize, Vec<usize>)> {
        self.inner.pairs.clone()
    }
    /// The caliper in units of the distance.
    #[getter]
    fn caliper_width(&self) -> Option<f64> {
        self.inner.caliper_width
    }
    /// Treated units before matching.
    #[getter]
    fn n_treated_before(&self) -> usize {
        self.inner.counts.treated_before
    }
    /// Control units before matching.
    #[getter]
    fn n_control_before(&self) -> usize {
        self.inner.counts.control_before
    }
    /// Matched treated units.
    #[getter]
    fn n_treated_after(&self) -> usize {
        self.inner.counts.treated_after
    }
    /// Matched control units.
    #[getter]
    fn n_control_after(&self) -> usize {
        self.inner.counts.control_after
    }
    /// Units left out, by reason.
    #[getter]
    fn dropped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.inner.counts;
        let d = PyDict::new(py);
        d.set_item("missing", c.dropped_missing)?;
        d.set_item("treated_outside_caliper", c.treated_outside_caliper)?;
        d.set_item("treated_no_exact_match", c.treated_no_exact_match)?;
        d.set_item("control_no_exact_match", c.control_no_exact_match)?;
        d.set_item("treated_unmatched", c.treated_unmatched)?;
        d.set_item("control_unmatched", c.control_unmatched)?;
        Ok(d)
    }
    /// The options the match was made with.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let o = &self.inner.options;
        let d = PyDict::new(py);
        d.set_item("treatment", &o.treatment)?;
        d.set_item("covariates", &o.covariates)?;
        d.set_item("method", method_name(o.method))?;
        d.set_item("distance", if o.distance == Distance::Logit { "logit" } else { "linear.logit" })?;
        d.set_item("ratio", o.ratio)?;
        d.set_item("replace", o.replace)?;
        d.set_item("caliper", o.caliper)?;
        d.set_item("exact", &o.exact)?;
        d.set_item("order", order_name(o.order))?;
        d.set_item("seed", o.seed)?;
        Ok(d)
    }
    /// The seed of `order="random"`.
    #[getter]
    fn seed(&self) -> Option<u64> {
        self.inner.options.seed
    }
    fn __repr__(&self) -> String {
        let c = &self.inner.counts;
        format!(
            "Matching(method={:?}, treated={}/{}, controls={}/{})",
            method_name(self.inner.options.method),
            c.treated_after,
            c.treated_before,
            c.control_after,
            c.control_before
        )
    }
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Nearest => "nearest",
        Method::Exact => "exact",
        Method::Cem => "cem",
    }
}

fn order_name(o: Order) -> &'static str {
    match o {
        Order::Largest => "largest",
        Order::Smallest => "smallest",
        Order::Data => "data",
        Order::Random => "random",
    }
}

/// A list of column names (a single name is accepted too).
fn names(option: &'static str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(Vec::new()) };
    if let Ok(one) = value.extract::<String>() {
        return Ok(vec![one]);
    }
    value.extract::<Vec<String>>().map_err(|_| bad_option(option, "a column name or a list of column names", value))
}

/// The propensity score of `treatment` given `covariates`.
#[pyfunction]
#[pyo3(signature = (frame, *, treatment, covariates))]
fn propensity(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    treatment: &str,
    covariates: &Bound<'_, PyAny>,
) -> PyResult<PyPropensity> {
    let covariates = names("covariates", Some(covariates))?;
    let frame = super::frame(frame, "frame")?;
    let refs: Vec<&str> = covariates.iter().map(String::as_str).collect();
    let inner = detached(py, || matching::propensity(&frame, treatment, &refs))?;
    Ok(PyPropensity { inner })
}

/// Matches control units to treated units, as R's `MatchIt::matchit`.
#[pyfunction(name = "match")]
#[pyo3(signature = (frame, *, treatment, covariates, method=None, distance=None, ratio=None, replace=None,
                    caliper=None, exact=None, order=None, seed=None))]
#[allow(clippy::too_many_arguments)] // Keyword-only options, as MatchIt's arguments.
fn match_units(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    treatment: &str,
    covariates: &Bound<'_, PyAny>,
    method: Option<&Bound<'_, PyAny>>,
    distance: Option<&Bound<'_, PyAny>>,
    ratio: Option<&Bound<'_, PyAny>>,
    replace: Option<&Bound<'_, PyAny>>,
    caliper: Option<&Bound<'_, PyAny>>,
    exact: Option<&Bound<'_, PyAny>>,
    order: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyMatching> {
    let covariates = names("covariates", Some(covariates))?;
    let mut o = MatchOptions::new(treatment, &covariates.iter().map(String::as_str).collect::<Vec<_>>());
    if let Some(m) = method {
        o.method = match opt_choice("method", m, &["nearest", "exact", "cem"])? {
            "exact" => Method::Exact,
            "cem" => Method::Cem,
            _ => Method::Nearest,
        };
    }
    if let Some(d) = distance {
        o.distance = match opt_choice("distance", d, &["logit", "linear.logit"])? {
            "linear.logit" => Distance::LinearLogit,
            _ => Distance::Logit,
        };
    }
    if let Some(r) = ratio {
        o.ratio = opt_int("ratio", r, 1..=i64::from(u32::MAX))?;
    }
    if let Some(r) = replace {
        o.replace = opt_bool("replace", r)?;
    }
    if let Some(c) = caliper.filter(|c| !c.is_none()) {
        o.caliper =
            Some(opt_float("caliper", c, "a positive number of standard deviations", |x| x.is_finite() && x > 0.0)?);
    }
    o.exact = names("exact", exact)?;
    if let Some(v) = order {
        o.order = match opt_choice("order", v, &["largest", "smallest", "data", "random"])? {
            "smallest" => Order::Smallest,
            "data" => Order::Data,
            "random" => Order::Random,
            _ => Order::Largest,
        };
    }
    if let Some(s) = seed.filter(|s| !s.is_none()) {
        o.seed = Some(opt_int("seed", s, 0..=i64::MAX)?);
    }
    let batch = batch(frame, "frame")?;
    let frame = Frame::from_batch(&batch).map_err(|e| to_py_err(py, &e))?;
    let inner = detached(py, || matching::match_units(&frame, &o))?;
    Ok(PyMatching { inner, frame, batch })
}

/// Adds the matching classes and functions to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPropensity>()?;
    m.add_class::<PyMatching>()?;
    m.add_class::<PyMatchedEffect>()?;
    m.add_function(wrap_pyfunction!(propensity, m)?)?;
    m.add_function(wrap_pyfunction!(match_units, m)?)?;
    Ok(())
}

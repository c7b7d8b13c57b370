//! `finsam.evaluation`: effect estimates (matching, difference-in-
//! differences, staggered event studies). Thin: every number comes from
//! `finsam_core::evaluation`.

mod data;

use finsam_core::disclosure::Disclosure;
use finsam_core::evaluation::{self, Frame};
use pyo3::prelude::*;

use crate::frames::batches;
use crate::{opt_bool, opt_int, to_py_err};

mod compare;
mod did;
mod event_study;
mod matching;

/// An analysis frame from any Arrow source (pandas ≥ 2.2, polars,
/// pyarrow, DuckDB): numeric and boolean columns become numbers, text and
/// categorical ones categories.
pub(crate) fn frame(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Frame> {
    let batch = batch(value, what)?;
    Frame::from_batch(&batch).map_err(|e| to_py_err(value.py(), &e))
}

/// The rows of any Arrow source as one record batch.
pub(crate) fn batch(value: &Bound<'_, PyAny>, what: &str) -> PyResult<arrow_array::RecordBatch> {
    let py = value.py();
    let parts = batches(value, what)?;
    match parts.as_slice() {
        [one] => Ok(one.clone()),
        _ => {
            let schema = match parts.first() {
                Some(b) => b.schema(),
                None => std::sync::Arc::new(arrow_schema::Schema::empty()),
            };
            arrow_select::concat::concat_batches(&schema, &parts).map_err(|e| {
                to_py_err(
                    py,
                    &finsam_core::Error::ArrowType {
                        at: Box::new(finsam_core::Location::table(what)),
                        message: e.to_string(),
                    },
                )
            })
        }
    }
}

/// A point estimate with its standard error and confidence interval.
#[pyclass(frozen, module = "finsam.evaluation", name = "Estimate")]
#[derive(Clone)]
pub(crate) struct PyEstimate {
    /// The point estimate.
    #[pyo3(get)]
    estimate: f64,
    /// Its standard error.
    #[pyo3(get)]
    se: f64,
    /// The lower bound of the interval.
    #[pyo3(get)]
    lo: f64,
    /// The upper bound of the interval.
    #[pyo3(get)]
    hi: f64,
    /// The confidence level.
    #[pyo3(get)]
    level: f64,
}

#[pymethods]
impl PyEstimate {
    fn __repr__(&self) -> String {
        format!(
            "Estimate(estimate={}, se={}, lo={}, hi={}, level={})",
            self.estimate, self.se, self.lo, self.hi, self.level
        )
    }
}

impl From<evaluation::Estimate> for PyEstimate {
    fn from(e: evaluation::Estimate) -> PyEstimate {
        PyEstimate { estimate: e.estimate, se: e.se, lo: e.lo, hi: e.hi, level: e.level }
    }
}

/// Disclosure control from the `suppress=` and `threshold=` options
/// (default: on, threshold 5).
pub(crate) fn disclosure(
    suppress: Option<&Bound<'_, PyAny>>,
    threshold: Option<&Bound<'_, PyAny>>,
) -> PyResult<Disclosure> {
    if suppress.map(|s| opt_bool("suppress", s)).transpose()? == Some(false) {
        return Ok(Disclosure::OFF);
    }
    let mut d = Disclosure::default();
    if let Some(t) = threshold {
        d.threshold = opt_int("threshold", t, 1..=i64::MAX)?;
    }
    Ok(d)
}

/// Adds the evaluation classes and functions to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEstimate>()?;
    compare::register(m)?;
    event_study::register(m)?;
    did::register(m)?;
    matching::register(m)?;
    data::register(m)
}

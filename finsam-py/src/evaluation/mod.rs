//! `finsam.evaluation`: effect estimates (matching, difference-in-
//! differences, staggered event studies). Thin: every number comes from
//! `finsam_core::evaluation`.

mod data;

use finsam_core::evaluation::{self, Frame};
use pyo3::prelude::*;

use crate::frames::batches;
use crate::to_py_err;

/// An analysis frame from any Arrow source (pandas ≥ 2.2, polars,
/// pyarrow, DuckDB): numeric and boolean columns become numbers, text and
/// categorical ones categories.
#[allow(dead_code)] // The estimators' bindings (matching, did) are its callers.
pub(crate) fn frame(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Frame> {
    let py = value.py();
    let parts = batches(value, what)?;
    let batch = match parts.as_slice() {
        [one] => one.clone(),
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
            })?
        }
    };
    Frame::from_batch(&batch).map_err(|e| to_py_err(py, &e))
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

/// Adds the evaluation classes and functions to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEstimate>()?;
    data::register(m)
}

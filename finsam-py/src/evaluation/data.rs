//! `finsam.evaluation.analysis_frame`, `person_panel` and `kommun_panel`:
//! the data of an evaluation as Arrow tables. Thin: the frames are built by
//! `finsam_core::evaluation::data`.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use finsam_core::evaluation::data::{self, AnalysisOptions, PanelOptions, Reference};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::{PyDataset, bad_option, date_arg, detached, frames, opt_bool, opt_int, to_py_err, years};

/// An evaluation frame: the rows as Arrow (numbers as float64, categories
/// dictionary-encoded), the rows left out by reason, and the options used.
#[pyclass(frozen, module = "finsam.evaluation", name = "EvaluationFrame")]
pub(crate) struct PyEvaluationFrame {
    batch: RecordBatch,
    excluded: BTreeMap<String, u64>,
    config: String,
}

#[pymethods]
impl PyEvaluationFrame {
    /// Rows left out, by reason (every reason listed, 0 where none was).
    #[getter]
    fn excluded(&self) -> BTreeMap<String, u64> {
        self.excluded.clone()
    }

    /// The options the frame was built with (with the cut-off in force).
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyModule::import(py, "json")?.getattr("loads")?.call1((self.config.as_str(),))
    }

    /// The column names.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.batch.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "finsam.evaluation.EvaluationFrame(rows={}, columns={})",
            self.batch.num_rows(),
            self.batch.num_columns()
        )
    }

    /// The Arrow PyCapsule stream of the rows.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        frames::stream_capsule(py, self.batch.clone(), requested_schema)
    }

    /// The rows as a `pyarrow.Table`.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let pyarrow = PyModule::import(slf.py(), "pyarrow").map_err(|_| {
            pyo3::exceptions::PyImportError::new_err(
                "to_arrow() and to_pandas() need pyarrow: pip install \"finsam[pandas]\" (or pass the frame to any \
                 library that reads __arrow_c_stream__, e.g. polars.DataFrame(frame))",
            )
        })?;
        pyarrow.getattr("table")?.call1((slf,))
    }

    /// The rows as a pandas DataFrame (categories as `category`, missing
    /// numbers as NaN).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_arrow(slf)?.call_method0("to_pandas")
    }

    /// The rows as a polars DataFrame.
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        PyModule::import(slf.py(), "polars")?.getattr("DataFrame")?.call1((slf,))
    }
}

impl PyEvaluationFrame {
    fn new(
        py: Python<'_>,
        frame: &finsam_core::evaluation::Frame,
        excluded: Vec<(String, u64)>,
        config: String,
    ) -> PyResult<Self> {
        let batch = frame.to_batch().map_err(|e| to_py_err(py, &e))?;
        Ok(PyEvaluationFrame { batch, excluded: excluded.into_iter().collect(), config })
    }
}

/// `reference=`: `"registered"`, `"drawn"` or a date.
fn reference_arg(value: &Bound<'_, PyAny>) -> PyResult<Reference> {
    let accepts = "\"registered\", \"drawn\" or a date (datetime.date or \"YYYY-MM-DD\")";
    match value.extract::<String>().ok().as_deref() {
        Some("registered") => Ok(Reference::Registered),
        Some("drawn") => Ok(Reference::Drawn),
        _ => match date_arg("reference", value) {
            Ok(Some(date)) => Ok(Reference::Fixed(date)),
            _ => Err(bad_option("reference", accepts, value)),
        },
    }
}

fn seed_arg(value: &Bound<'_, PyAny>) -> PyResult<u64> {
    opt_int::<u64>("seed", value, 0..=i64::MAX)
}

fn comparison_arg(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    opt_bool("comparison", value)
}

fn all_participations_arg(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    opt_bool("all_participations", value)
}

fn quarters_before_arg(value: &Bound<'_, PyAny>) -> PyResult<u32> {
    opt_int::<u32>("quarters_before", value, 1..=16)
}

fn quarters_after_arg(value: &Bound<'_, PyAny>) -> PyResult<u32> {
    opt_int::<u32>("quarters_after", value, 1..=16)
}

fn uttagsdatum_arg(value: &Bound<'_, PyAny>) -> PyResult<Option<finsam_core::Date>> {
    date_arg("uttagsdatum", value)
}

/// `years=`: `None` (every year), or a year, pair or range as elsewhere.
fn years_opt(
    py: Python<'_>,
    data: &PyDataset,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<std::ops::RangeInclusive<i32>>> {
    match value {
        Some(v) if !v.is_none() => Ok(Some(years(py, &data.inner, Some(v))?)),
        _ => Ok(None),
    }
}

/// One row per participant and comparison person, with covariates at the
/// reference date and benefit days per quarter around it.
/// `all_participations=True` makes every participation starting within
/// `years` a row (not only each person's first), the population of
/// `compare_units`.
#[pyfunction]
#[pyo3(signature = (
    data, *, years = None, reference = Reference::Registered, seed = 11, comparison = true,
    quarters_before = 8, quarters_after = 9, uttagsdatum = None, all_participations = false
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn analysis_frame(
    py: Python<'_>,
    data: &PyDataset,
    years: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = reference_arg)] reference: Reference,
    #[pyo3(from_py_with = seed_arg)] seed: u64,
    #[pyo3(from_py_with = comparison_arg)] comparison: bool,
    #[pyo3(from_py_with = quarters_before_arg)] quarters_before: u32,
    #[pyo3(from_py_with = quarters_after_arg)] quarters_after: u32,
    #[pyo3(from_py_with = uttagsdatum_arg)] uttagsdatum: Option<finsam_core::Date>,
    #[pyo3(from_py_with = all_participations_arg)] all_participations: bool,
) -> PyResult<PyEvaluationFrame> {
    let options = AnalysisOptions {
        years: years_opt(py, data, years)?,
        reference,
        seed,
        comparison,
        quarters_before,
        quarters_after,
        uttagsdatum,
        all_participations,
        ..AnalysisOptions::default()
    };
    let inner = data.inner.clone();
    let af = detached(py, move || data::analysis_frame(&inner, &options))?;
    let config = serde_json::to_string(&af.config).map_err(|e| to_py_err(py, &e.into()))?;
    PyEvaluationFrame::new(py, &af.frame, af.excluded, config)
}

/// The analysis frame in long form: one row per person and closed quarter
/// (`unit`, `rel_quarter`, `treated`, `outcome`).
#[pyfunction]
#[pyo3(signature = (
    data, *, years = None, reference = Reference::Registered, seed = 11, comparison = true,
    quarters_before = 8, quarters_after = 9, uttagsdatum = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn person_panel(
    py: Python<'_>,
    data: &PyDataset,
    years: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = reference_arg)] reference: Reference,
    #[pyo3(from_py_with = seed_arg)] seed: u64,
    #[pyo3(from_py_with = comparison_arg)] comparison: bool,
    #[pyo3(from_py_with = quarters_before_arg)] quarters_before: u32,
    #[pyo3(from_py_with = quarters_after_arg)] quarters_after: u32,
    #[pyo3(from_py_with = uttagsdatum_arg)] uttagsdatum: Option<finsam_core::Date>,
) -> PyResult<PyEvaluationFrame> {
    let options = AnalysisOptions {
        years: years_opt(py, data, years)?,
        reference,
        seed,
        comparison,
        quarters_before,
        quarters_after,
        uttagsdatum,
        ..AnalysisOptions::default()
    };
    let inner = data.inner.clone();
    let (af, panel) = detached(py, move || {
        let af = data::analysis_frame(&inner, &options)?;
        let panel = af.person_panel()?;
        Ok((af, panel))
    })?;
    let config = serde_json::to_string(&af.config).map_err(|e| to_py_err(py, &e.into()))?;
    PyEvaluationFrame::new(py, &panel, af.excluded, config)
}

/// The kommun × year panel of staggered membership.
#[pyfunction]
#[pyo3(signature = (data, *, years = None))]
pub(crate) fn kommun_panel(
    py: Python<'_>,
    data: &PyDataset,
    years: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyEvaluationFrame> {
    let options = PanelOptions { years: years_opt(py, data, years)? };
    let inner = data.inner.clone();
    let config = serde_json::to_string(&options).map_err(|e| to_py_err(py, &e.into()))?;
    let frame = detached(py, move || data::kommun_panel(&inner, &options))?;
    PyEvaluationFrame::new(py, &frame, Vec::new(), config)
}

/// Adds the classes and functions to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEvaluationFrame>()?;
    m.add_function(wrap_pyfunction!(analysis_frame, m)?)?;
    m.add_function(wrap_pyfunction!(person_panel, m)?)?;
    m.add_function(wrap_pyfunction!(kommun_panel, m)?)?;
    Ok(())
}

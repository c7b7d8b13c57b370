//! The public mergeable state of a flat extract (`finsam.Partial`): count
//! any chunk, merge, ship as bytes or JSON (and pickle, for Dask and
//! multiprocessing), and pass the merged state to any indicator function or
//! to `annual_report` in place of the extract.

use std::sync::Arc;

use arrow_array::RecordBatch;
use finsam_core::engine::Partial;
use finsam_core::indicators::{Config, Split};
use finsam_core::ingest::flat::FlatCsvOptions;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::frames::{FlatReaders, PyExtract, delimiter_arg, read_flat, threads_arg};
use crate::{argument, date_arg, detached, split, to_py_err, years_arg};

/// The mergeable state of a flat extract, or of any chunk of its rows.
///
/// Made by `finsam.partial`; merged with `merge` or `Partial.merge_all`;
/// sent between processes with `to_bytes`/`from_bytes`, `to_json`/`from_json`
/// or pickle; finished by passing it to an indicator function or to
/// `annual_report`, which give the tables of the whole extract. A state
/// read back is checked first.
#[pyclass(frozen, eq, module = "finsam", name = "Partial")]
#[derive(PartialEq)]
pub(crate) struct PyPartial {
    pub(crate) inner: Arc<Partial>,
}

impl PyPartial {
    fn new(inner: Partial) -> PyPartial {
        PyPartial { inner: Arc::new(inner) }
    }
}

#[pymethods]
impl PyPartial {
    /// Rows counted.
    #[getter]
    fn rows(&self) -> u64 {
        self.inner.rows()
    }

    /// The split's dimensions.
    #[getter]
    fn by(&self) -> Vec<&'static str> {
        self.inner.split().dims().iter().map(|d| d.code()).collect()
    }

    /// The first and last year counted.
    #[getter]
    fn years(&self) -> (i32, i32) {
        let y = self.inner.years();
        (*y.start(), *y.end())
    }

    /// The cut-off as "YYYY-MM-DD": the one given, else the latest start or
    /// end date of the rows merged so far (`None` before any row).
    #[getter]
    fn cutoff(&self) -> Option<String> {
        self.inner.cutoff().map(|d| d.to_string())
    }

    /// What every table of the state says about its population.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.inner.notes()
    }

    /// A new state holding the rows of both (of the same extract, counted
    /// with the same `by`, `years` and `uttagsdatum`).
    fn merge(&self, py: Python<'_>, other: &PyPartial) -> PyResult<PyPartial> {
        let (mut merged, other) = (Partial::clone(&self.inner), Partial::clone(&other.inner));
        detached(py, move || merged.merge(other).map(|()| PyPartial::new(merged)))
    }

    /// The merge of every state in `states` (at least one).
    #[staticmethod]
    fn merge_all(py: Python<'_>, states: Vec<PyRef<'_, PyPartial>>) -> PyResult<PyPartial> {
        let mut parts: Vec<Partial> = states.iter().map(|s| Partial::clone(&s.inner)).collect();
        let Some(mut merged) = (!parts.is_empty()).then(|| parts.remove(0)) else {
            return Err(to_py_err(py, &argument("states", "no states to merge".into())));
        };
        detached(py, move || {
            parts.into_iter().try_for_each(|p| merged.merge(p))?;
            Ok(PyPartial::new(merged))
        })
    }

    /// The state in its compact binary form.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = detached(py, || self.inner.to_bytes())?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// A state from `to_bytes`'s output, checked (`InputError`
    /// `invalid_binary` if it is not one).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyPartial> {
        // One copy of the buffer (a `Vec<u8>` argument would take the bytes
        // one Python int at a time), then the checks without the GIL.
        let data = data.to_vec();
        detached(py, move || Partial::from_bytes(&data).map(PyPartial::new))
    }

    /// The state as JSON.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        detached(py, || self.inner.to_json())
    }

    /// A state from `to_json`'s output, checked (`InputError` `invalid_json`
    /// if it is not one).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: String) -> PyResult<PyPartial> {
        detached(py, move || Partial::from_json(&text).map(PyPartial::new))
    }

    /// Pickles as its binary form.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let from_bytes = py.get_type::<PyPartial>().getattr("from_bytes")?;
        Ok((from_bytes, PyTuple::new(py, [self.to_bytes(py)?])?))
    }

    fn __repr__(&self) -> String {
        let (first, last) = self.years();
        format!(
            "finsam.Partial(rows={}, by={:?}, years=({first}, {last}), cutoff={})",
            self.inner.rows(),
            self.by(),
            self.cutoff().unwrap_or_else(|| "None".into())
        )
    }
}

/// The mergeable state of a flat extract or a chunk of it: an `Extract`,
/// a CSV path, or a pandas, polars or pyarrow frame. `years` are required
/// (a chunk cannot know the others'); `by` defaults to förbund and kön,
/// from which every table and the annual report can be finished; `threads`
/// read and count (1 under a scheduler that runs one task per core). A CSV
/// path or a frame is counted as it is read, in one pass: its rows are not
/// held in memory as an `Extract` would hold them.
#[pyfunction]
#[pyo3(signature = (source, *, years, by = None, uttagsdatum = None, threads = 2, delimiter = None))]
#[allow(clippy::too_many_arguments)]
fn partial(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    years: &Bound<'_, PyAny>,
    by: Option<&Bound<'_, PyAny>>,
    uttagsdatum: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = threads_arg)] threads: usize,
    #[pyo3(from_py_with = delimiter_arg)] delimiter: Option<u8>,
) -> PyResult<PyPartial> {
    let years = years_arg(years)?;
    let split = match by {
        Some(by) if !by.is_none() => split(py, Some(by))?,
        _ => Split::parse(&["forbund", "kon"]).map_err(|e| to_py_err(py, &e))?,
    };
    let uttagsdatum = match uttagsdatum {
        Some(value) => date_arg("uttagsdatum", value)?,
        None => None,
    };
    let config = Config { uttagsdatum, ..Config::default() };
    if let Ok(e) = source.cast::<PyExtract>() {
        let extract = Arc::clone(&e.get().inner);
        return detached(py, move || {
            Partial::compute_on(&extract, &split, years, &config, threads).map(PyPartial::new)
        });
    }
    // Counted as it is read: the rows are never held.
    let (split, config) = (&split, &config);
    let readers = FlatReaders {
        csv: Box::new(|path: &std::path::Path, options: &FlatCsvOptions| {
            Partial::from_csv(path, options, split, years.clone(), config)
        }),
        arrow: Box::new(|batches: &[RecordBatch], threads| {
            Partial::from_record_batches(batches, split, years.clone(), config, threads)
        }),
        stream: Box::new(|schema, stream, threads| {
            Partial::from_batch_stream(schema, stream, split, years.clone(), config, threads)
        }),
    };
    read_flat(py, source, threads, delimiter, readers).map(PyPartial::new)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPartial>()?;
    m.add_function(wrap_pyfunction!(partial, m)?)?;
    Ok(())
}

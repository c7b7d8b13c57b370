//! The follow-up's old names, deprecated for one release (`finsam.follow_up`,
//! `finsam.follow_up_state`, `finsam.FollowUp`): the catalogue's indicator
//! tables of a flat extract, computed by the one engine and gathered under
//! the names the follow-up used. The warnings are raised by the Python
//! wrappers, where they point at the caller's line.
#![allow(deprecated)]

use std::sync::Arc;

use finsam_core::engine::Partial;
use finsam_core::followup::FollowUp;
use finsam_core::indicators::Config;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::frames::{FlatReaders, PyExtract, delimiter_arg, read_flat, threads_arg};
use crate::partial::PyPartial;
use crate::{PyTable, config, detached};

/// The follow-up tables of a flat extract (deprecated: the catalogue's
/// indicator tables under the follow-up's old names).
#[pyclass(frozen, module = "finsam", name = "FollowUp")]
struct PyFollowUp {
    inner: FollowUp,
}

fn table(t: &finsam_core::report::Table) -> PyTable {
    PyTable { inner: t.clone() }
}

#[pymethods]
impl PyFollowUp {
    /// Status after ended participations per year, nationally (`utfall`).
    #[getter]
    fn national(&self) -> PyTable {
        table(&self.inner.national)
    }

    /// Status after ended participations per year and kön (`utfall`).
    #[getter]
    fn by_kon(&self) -> PyTable {
        table(&self.inner.by_kon)
    }

    /// Status after ended participations per year and förbund (`utfall`).
    #[getter]
    fn by_forbund(&self) -> PyTable {
        table(&self.inner.by_forbund)
    }

    /// Benefit days before and after per year and kön, with the national
    /// total (`ersattningsdagar`).
    #[getter]
    fn benefit_days(&self) -> PyTable {
        table(&self.inner.benefit_days)
    }

    /// Participants, participations and started ones per year
    /// (`deltagare`).
    #[getter]
    fn started(&self) -> PyTable {
        table(&self.inner.started)
    }

    /// Every table, in order.
    #[getter]
    fn tables(&self) -> Vec<PyTable> {
        self.inner.tables().into_iter().map(table).collect()
    }

    /// Rows read.
    #[getter]
    fn rows(&self) -> u64 {
        self.inner.rows
    }

    /// Every table as Markdown.
    fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }

    fn __repr__(&self) -> String {
        format!("finsam.FollowUp(rows={}, tables={})", self.inner.rows, self.inner.tables().len())
    }
}

/// The state a follow-up is finished from: a `Partial` as it is, else an
/// `Extract` (given, or read from a CSV or Parquet path or a frame)
/// counted by förbund and kön over the years it can report on.
fn follow_up_partial(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    threads: usize,
    delimiter: Option<u8>,
    config: &Config,
) -> PyResult<Arc<Partial>> {
    if let Ok(state) = source.cast::<PyPartial>() {
        return Ok(Arc::clone(&state.get().inner));
    }
    let extract = match source.cast::<PyExtract>() {
        Ok(e) => Arc::clone(&e.get().inner),
        Err(_) => Arc::new(read_flat(py, source, threads, delimiter, FlatReaders::extract())?),
    };
    detached(py, || finsam_core::followup::follow_up_state(&extract, config, threads).map(Arc::new))
}

/// Deprecated (`finsam.follow_up_state` warns): the mergeable state of a
/// flat extract by förbund and kön over the years it can report on, a
/// `Partial`.
#[pyfunction]
#[pyo3(signature = (source, *, threads = 2, delimiter = None))]
fn follow_up_state(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = threads_arg)] threads: usize,
    #[pyo3(from_py_with = delimiter_arg)] delimiter: Option<u8>,
) -> PyResult<PyPartial> {
    let state = follow_up_partial(py, source, threads, delimiter, &Config::default())?;
    Ok(PyPartial { inner: state })
}

/// Deprecated (`finsam.follow_up` warns): the catalogue's tables of a flat
/// extract under the follow-up's old names (see `finsam.FollowUp`).
#[pyfunction]
#[pyo3(signature = (source, *, threads = 2, delimiter = None, **options))]
fn follow_up(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = threads_arg)] threads: usize,
    #[pyo3(from_py_with = delimiter_arg)] delimiter: Option<u8>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyFollowUp> {
    let config = config(options)?;
    let state = follow_up_partial(py, source, threads, delimiter, &config)?;
    let inner = detached(py, || FollowUp::of(&state, &config))?;
    Ok(PyFollowUp { inner })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFollowUp>()?;
    m.add_function(wrap_pyfunction!(follow_up, m)?)?;
    m.add_function(wrap_pyfunction!(follow_up_state, m)?)?;
    Ok(())
}

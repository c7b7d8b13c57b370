//! Python bindings of finsam-core, published as the Python package `finsam`.
//!
//! This crate converts and delegates: arguments become core options, core
//! errors become the exception classes of `finsam.exceptions` (chosen by
//! their stable code), and long calls run with the GIL released. It holds no
//! statistics of its own.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use finsam_core::ingest::{CsvOptions, Encoding, TableMapping};
use finsam_core::synthetic::SyntheticConfig;
use finsam_core::{Dataset, Error, ErrorPolicy, Rules};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

/// Turns a core error into the exception class `finsam.exceptions` maps its
/// code to, with the location as attributes.
fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    match exception(py, error) {
        Ok(value) => PyErr::from_value(value),
        Err(e) => e,
    }
}

fn exception<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyAny>> {
    let exceptions = PyModule::import(py, "finsam.exceptions")?;
    let class = exceptions.getattr("exception_for")?.call1((error.code(),))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", error.code())?;
    if let Some(at) = error.location() {
        kwargs.set_item("path", at.source.as_deref())?;
        kwargs.set_item("line", at.line)?;
        kwargs.set_item("row", at.row)?;
        kwargs.set_item("column", at.column.as_deref())?;
        kwargs.set_item("value", at.value.as_deref())?;
    }
    if let Error::Invalid(report) = error {
        let errors = PyList::empty(py);
        for e in report.errors() {
            errors.append(exception(py, e)?)?;
        }
        kwargs.set_item("errors", errors)?;
        kwargs.set_item("counts", report.counts().iter().collect::<HashMap<_, _>>())?;
        kwargs.set_item("total", report.total())?;
    }
    class.call((error.to_string(),), Some(&kwargs))
}

/// Runs `work` without the GIL and maps its error.
fn detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> finsam_core::Result<T> + Send) -> PyResult<T> {
    py.detach(work).map_err(|e| to_py_err(py, &e))
}

fn argument(name: &'static str, message: String) -> Error {
    Error::InvalidArgument { name, message }
}

fn policy(errors: &str) -> finsam_core::Result<ErrorPolicy> {
    match errors {
        "raise" => Ok(ErrorPolicy::FailFast),
        "collect" => Ok(ErrorPolicy::COLLECT),
        other => Err(argument("errors", format!("must be \"raise\" or \"collect\", got {other:?}"))),
    }
}

fn csv_options(
    encoding: &str,
    delimiter: Option<&str>,
    columns: Option<HashMap<String, HashMap<String, String>>>,
    files: Option<HashMap<String, String>>,
    errors: &str,
) -> finsam_core::Result<CsvOptions> {
    let encoding = match encoding {
        "auto" => Encoding::Auto,
        "utf-8" | "utf8" => Encoding::Utf8,
        "windows-1252" | "cp1252" => Encoding::Windows1252,
        other => {
            return Err(argument(
                "encoding",
                format!("must be \"auto\", \"utf-8\" or \"windows-1252\", got {other:?}"),
            ));
        }
    };
    let mut opts = CsvOptions::default().encoding(encoding).policy(policy(errors)?);
    if let Some(d) = delimiter {
        match d.as_bytes() {
            [b] if b.is_ascii() => opts = opts.delimiter(*b),
            _ => return Err(argument("delimiter", format!("must be one ASCII character, got {d:?}"))),
        }
    }
    let mut tables: HashMap<String, TableMapping> = HashMap::new();
    for (table, map) in columns.unwrap_or_default() {
        let entry = tables.entry(table).or_default();
        for (canonical, header) in map {
            *entry = std::mem::take(entry).column(&canonical, &header);
        }
    }
    for (table, file) in files.unwrap_or_default() {
        let entry = tables.entry(table).or_default();
        *entry = std::mem::take(entry).file(&file);
    }
    let known: Vec<&str> = finsam_core::ingest::tables().iter().map(|t| t.name).collect();
    for (table, mapping) in tables {
        if !known.contains(&table.as_str()) {
            return Err(argument("columns", format!("no table named {table:?}; the tables are {}", known.join(", "))));
        }
        opts = opts.table(&table, mapping);
    }
    Ok(opts)
}

/// Every table of one data delivery, validated.
#[pyclass(frozen, module = "finsam", name = "Dataset")]
struct PyDataset {
    inner: Arc<Dataset>,
}

#[pymethods]
impl PyDataset {
    /// Reads a directory of CSV files in the finsam data contract.
    #[staticmethod]
    #[pyo3(signature = (path, *, encoding = "auto", delimiter = None, columns = None, files = None, errors = "raise"))]
    fn from_csv(
        py: Python<'_>,
        path: PathBuf,
        encoding: &str,
        delimiter: Option<&str>,
        columns: Option<HashMap<String, HashMap<String, String>>>,
        files: Option<HashMap<String, String>>,
        errors: &str,
    ) -> PyResult<Self> {
        let opts = csv_options(encoding, delimiter, columns, files, errors).map_err(|e| to_py_err(py, &e))?;
        let (data, _) = detached(py, || Dataset::read_csv_dir(&path, &opts, &Rules::default()))?;
        Ok(PyDataset { inner: Arc::new(data) })
    }

    /// Reads a data set from JSON (as written by `to_json`) and validates it.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let data = detached(py, || {
            let data = Dataset::from_json(text)?;
            data.validate(&Rules::default(), ErrorPolicy::FailFast)?;
            Ok(data)
        })?;
        Ok(PyDataset { inner: Arc::new(data) })
    }

    /// Checks every validation rule; raises on the first breach, or on all.
    #[pyo3(signature = (*, errors = "raise"))]
    fn validate(&self, py: Python<'_>, errors: &str) -> PyResult<()> {
        let policy = policy(errors).map_err(|e| to_py_err(py, &e))?;
        let data = Arc::clone(&self.inner);
        detached(py, move || data.validate(&Rules::default(), policy))
    }

    /// The descriptive summary per reporting year, as a dict.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let data = Arc::clone(&self.inner);
        let json = detached(py, move || Ok(serde_json::to_string(&data.summary())?))?;
        PyModule::import(py, "json")?.getattr("loads")?.call1((json,))
    }

    /// Writes the data set as CSV files in the contract into `path`.
    fn to_csv(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let data = Arc::clone(&self.inner);
        detached(py, move || data.write_csv_dir(&path))
    }

    /// The whole data set as JSON.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let data = Arc::clone(&self.inner);
        detached(py, move || data.to_json())
    }

    /// Rows per table.
    #[getter]
    fn num_rows(&self) -> HashMap<String, u64> {
        self.inner.summary_rows()
    }

    /// The data's cut-off date, if known.
    #[getter]
    fn uttagsdatum<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .uttagsdatum
            .map(|d| {
                let (y, m, day) = d.ymd();
                PyModule::import(py, "datetime")?.getattr("date")?.call1((y, m, day))
            })
            .transpose()
    }

    fn __repr__(&self) -> String {
        let rows = self.inner.summary_rows();
        format!(
            "finsam.Dataset(forbund={}, insatser={}, deltaganden={}, anonyma_deltagare={}, ersattningsperioder={})",
            rows["forbund"],
            rows["insatser"],
            rows["deltaganden"],
            rows["anonyma_deltagare"],
            rows["ersattningsperioder"]
        )
    }
}

/// The calibrated synthetic national data set (seeded, deterministic).
#[pyfunction]
#[pyo3(signature = (*, scale = 1.0, seed = 2004))]
fn synthetic(py: Python<'_>, scale: f64, seed: u64) -> PyResult<PyDataset> {
    let data = detached(py, || finsam_core::synthetic::generate(&SyntheticConfig { scale, seed }))?;
    Ok(PyDataset { inner: Arc::new(data) })
}

/// The native module behind `finsam`.
#[pymodule]
fn _finsam(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ERROR_CODES", PyTuple::new(m.py(), Error::CODES)?)?;
    m.add_class::<PyDataset>()?;
    m.add_function(wrap_pyfunction!(synthetic, m)?)?;
    Ok(())
}

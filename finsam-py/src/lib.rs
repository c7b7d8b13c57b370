//! Python bindings of finsam-core, published as the Python package `finsam`.
//!
//! This crate converts and delegates: arguments become core options, core
//! errors become the exception classes of `finsam.exceptions` (chosen by
//! their stable code), and long calls run with the GIL released. It holds no
//! statistics of its own.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use finsam_core::indicators::{AgeBands, BenefitSource, Config, MixedYear, SeriesBreak, Split};
use finsam_core::ingest::{CsvOptions, Encoding, TableMapping};
use finsam_core::report::{self, AnnualReport, Table};
use finsam_core::stats::{self, ProportionMethod};
use finsam_core::synthetic::SyntheticConfig;
use finsam_core::{Dataset, Error, ErrorPolicy, ForbundId, InsatsId, LoadSummary, Rules};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

mod evaluation;
mod followup;
mod frames;
mod money;
mod partial;
mod pseudonym;

/// Turns a core error into the exception class `finsam.exceptions` maps its
/// code to, with the location as attributes.
pub(crate) fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
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
    if let Error::Io { path, .. } = error {
        // The file that could not be read or written has no row or column.
        kwargs.set_item("path", path)?;
    }
    if let Error::InvalidPersonnummer { reason, .. } = error {
        kwargs.set_item("reason", reason.code())?;
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

/// Runs `work` without the GIL and maps its error, answering Ctrl-C: the
/// work runs on a thread of its own while this (Python's) thread looks for
/// signals every [`SIGNAL_POLL`]; on `KeyboardInterrupt` the work is asked
/// to stop (it does at its next step, see `finsam_core::exec::Interrupt`),
/// is joined, and the `KeyboardInterrupt` is raised, never a partial result.
pub(crate) fn detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> finsam_core::Result<T> + Send) -> PyResult<T> {
    watched(py, work, None)
}

/// [`detached`], reporting the bytes the work reads to `report` at every
/// look for signals and once at the end. An exception in the report stops
/// the work as Ctrl-C does.
pub(crate) fn watched<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> finsam_core::Result<T> + Send,
    report: Option<&ProgressReport<'_>>,
) -> PyResult<T> {
    let interrupt = finsam_core::exec::Interrupt::new();
    let progress = finsam_core::exec::Progress::new();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let (outcome, raised) = std::thread::scope(|scope| {
        // The sender moves into the worker, so that a worker that panics
        // drops it and the wait below ends (the panic is resumed at the join).
        let (watch, count) = (&interrupt, &progress);
        let worker = scope.spawn(move || {
            let out = watch.run(|| count.run(work));
            let _ = done.send(());
            out
        });
        let mut raised = None;
        let mut finished = finished;
        loop {
            // The receiver goes into the GIL-free wait and comes back out of it.
            let (back, waited) = py.detach(move || {
                let waited = finished.recv_timeout(SIGNAL_POLL);
                (finished, waited)
            });
            finished = back;
            let ended = !matches!(waited, Err(std::sync::mpsc::RecvTimeoutError::Timeout));
            let looked = py.check_signals().and_then(|()| report.map_or(Ok(()), |r| r.update(progress.done())));
            if let Err(e) = looked {
                interrupt.interrupt();
                raised = Some(e);
                break;
            }
            if ended {
                break; // done, or the worker ended without a word (a panic, surfaced at the join)
            }
        }
        // A worker that panicked: its panic reaches the caller (a PanicException).
        let outcome = py.detach(|| worker.join()).unwrap_or_else(|p| std::panic::resume_unwind(p));
        (outcome, raised)
    });
    if let Some(r) = report {
        r.close()?;
    }
    match (raised, outcome) {
        (Some(e), _) => Err(e),
        (None, outcome) => outcome.map_err(|e| to_py_err(py, &e)),
    }
}

/// Where a reading call reports its progress: the caller's function of
/// `(bytes_read, bytes_total)`, or a `tqdm` bar.
pub(crate) enum ProgressReport<'py> {
    Callback(Bound<'py, PyAny>, u64),
    Bar(Bound<'py, PyAny>),
}

impl<'py> ProgressReport<'py> {
    /// The report `progress=` asks for over `total` bytes: `None`/`False`
    /// for none, `True` for a `tqdm` bar (`tqdm.auto`, so a widget in a
    /// notebook and text on a terminal), or a callable.
    pub(crate) fn of(value: Option<&Bound<'py, PyAny>>, total: u64, what: &str) -> PyResult<Option<Self>> {
        let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
        if let Ok(flag) = value.cast::<pyo3::types::PyBool>() {
            if !flag.is_true() {
                return Ok(None);
            }
            let py = value.py();
            let tqdm = PyModule::import(py, "tqdm.auto").map_err(|_| {
                to_py_err(py, &argument("progress", "progress=True draws a tqdm bar: pip install tqdm, or pass a function of (bytes_read, bytes_total)".into()))
            })?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("total", total)?;
            kwargs.set_item("unit", "B")?;
            kwargs.set_item("unit_scale", true)?;
            kwargs.set_item("unit_divisor", 1024)?;
            kwargs.set_item("desc", what)?;
            return Ok(Some(ProgressReport::Bar(tqdm.getattr("tqdm")?.call((), Some(&kwargs))?)));
        }
        if value.is_callable() {
            return Ok(Some(ProgressReport::Callback(value.clone(), total)));
        }
        Err(bad_option("progress", "None, True (a tqdm bar) or a function of (bytes_read, bytes_total)", value))
    }

    fn update(&self, done: u64) -> PyResult<()> {
        match self {
            ProgressReport::Callback(f, total) => f.call1((done, *total)).map(drop),
            ProgressReport::Bar(bar) => {
                bar.setattr("n", done)?;
                bar.call_method0("refresh").map(drop)
            }
        }
    }

    fn close(&self) -> PyResult<()> {
        match self {
            ProgressReport::Callback(..) => Ok(()),
            ProgressReport::Bar(bar) => bar.call_method0("close").map(drop),
        }
    }
}

/// The bytes of the files a reading call will read: a file, or the CSV
/// files of a directory.
pub(crate) fn bytes_to_read(path: &std::path::Path) -> u64 {
    let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    match std::fs::read_dir(path) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
            .map(|p| size(&p))
            .sum(),
        Err(_) => size(path),
    }
}

/// How often a long computation looks for Ctrl-C.
const SIGNAL_POLL: std::time::Duration = std::time::Duration::from_millis(50);

pub(crate) fn argument(name: &'static str, message: String) -> Error {
    Error::InvalidArgument { name, message }
}

pub(crate) fn policy(errors: &str) -> finsam_core::Result<ErrorPolicy> {
    match errors {
        "raise" => Ok(ErrorPolicy::FailFast),
        "collect" => Ok(ErrorPolicy::COLLECT),
        other => Err(argument("errors", format!("must be \"raise\" or \"collect\", got {other:?}"))),
    }
}

/// An `ArgumentError` naming option `name`, what it accepts, and what it got.
pub(crate) fn bad_option(name: &'static str, accepts: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let shown = got.repr().map_or_else(|_| "an unprintable value".to_owned(), |r| r.to_string());
    to_py_err(got.py(), &argument(name, format!("must be {accepts}, got {shown}")))
}

/// A `True`/`False` option. Python's `0` and `1` are refused: `suppress=0`
/// is more likely a threshold typed in the wrong place than a wish to
/// publish small counts.
pub(crate) fn opt_bool(name: &'static str, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    match value.cast::<pyo3::types::PyBool>() {
        Ok(b) => Ok(b.is_true()),
        Err(_) => Err(bad_option(name, "True or False", value)),
    }
}

/// A whole-number option in `range` (a `bool` is not a number here).
pub(crate) fn opt_int<T: TryFrom<i64>>(
    name: &'static str,
    value: &Bound<'_, PyAny>,
    range: std::ops::RangeInclusive<i64>,
) -> PyResult<T> {
    let accepts = || match (*range.start(), *range.end()) {
        (a, i64::MAX) => format!("a whole number ≥ {a}"),
        (a, b) => format!("a whole number from {a} to {b}"),
    };
    if value.is_instance_of::<pyo3::types::PyBool>() || !value.is_instance_of::<pyo3::types::PyInt>() {
        return Err(bad_option(name, &accepts(), value));
    }
    value
        .extract::<i64>()
        .ok()
        .filter(|v| range.contains(v))
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| bad_option(name, &accepts(), value))
}

/// An id or a sequence of ids (Python or numpy integers, not `bool`).
pub(crate) fn ids_arg(name: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    let accepts = "an id or a sequence of ids";
    let id = |v: &Bound<'_, PyAny>| -> PyResult<u32> {
        let index = (!v.is_instance_of::<pyo3::types::PyBool>()).then(|| v.call_method0("__index__").ok()).flatten();
        index.and_then(|i| i.extract::<u32>().ok()).ok_or_else(|| bad_option(name, accepts, value))
    };
    if let Ok(one) = id(value) {
        return Ok(vec![one]);
    }
    if value.is_instance_of::<pyo3::types::PyString>() {
        return Err(bad_option(name, accepts, value));
    }
    let items = value.try_iter().map_err(|_| bad_option(name, accepts, value))?;
    items.map(|item| id(&item?)).collect()
}

/// A number option (`int` or `float`, not `bool`) for which `ok` holds.
pub(crate) fn opt_float(
    name: &'static str,
    value: &Bound<'_, PyAny>,
    accepts: &str,
    ok: impl Fn(f64) -> bool,
) -> PyResult<f64> {
    let number = !value.is_instance_of::<pyo3::types::PyBool>()
        && (value.is_instance_of::<pyo3::types::PyInt>() || value.is_instance_of::<pyo3::types::PyFloat>());
    number
        .then(|| value.extract::<f64>().ok())
        .flatten()
        .filter(|&x| ok(x))
        .ok_or_else(|| bad_option(name, accepts, value))
}

/// A text option that must be one of `choices`.
pub(crate) fn opt_choice<'c>(name: &'static str, value: &Bound<'_, PyAny>, choices: &[&'c str]) -> PyResult<&'c str> {
    let text: Option<String> = value.cast::<pyo3::types::PyString>().ok().and_then(|s| s.extract().ok());
    text.and_then(|t| choices.iter().copied().find(|c| *c == t)).ok_or_else(|| {
        let quoted: Vec<String> = choices.iter().map(|c| format!("{c:?}")).collect();
        bad_option(name, &format!("one of {}", quoted.join(", ")), value)
    })
}

/// The `level=` of an interval: a number strictly between 0 and 1.
pub(crate) fn level_arg(value: &Bound<'_, PyAny>) -> PyResult<f64> {
    opt_float("level", value, "a number between 0 and 1 (exclusive), e.g. 0.95", |x| x > 0.0 && x < 1.0)
}

/// The `method=` of a proportion's interval.
pub(crate) fn method_arg(value: &Bound<'_, PyAny>) -> PyResult<ProportionMethod> {
    let m = opt_choice("method", value, &ProportionMethod::NAMES)?;
    ProportionMethod::parse(m).ok_or_else(|| bad_option("method", "a known interval method", value))
}

/// The CSV options of the `encoding` and `delimiter` keywords.
pub(crate) fn text_options(encoding: &str, delimiter: Option<&str>) -> finsam_core::Result<CsvOptions> {
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
    let mut opts = CsvOptions::default().encoding(encoding);
    if let Some(d) = delimiter {
        match d.as_bytes() {
            [b] if b.is_ascii() => opts = opts.delimiter(*b),
            _ => return Err(argument("delimiter", format!("must be one ASCII character, got {d:?}"))),
        }
    }
    Ok(opts)
}

fn csv_options(
    encoding: &str,
    delimiter: Option<&str>,
    columns: Option<HashMap<String, HashMap<String, String>>>,
    files: Option<HashMap<String, String>>,
    errors: &str,
) -> finsam_core::Result<CsvOptions> {
    let mut opts = text_options(encoding, delimiter)?.policy(policy(errors)?);
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
pub(crate) struct PyDataset {
    pub(crate) inner: Arc<Dataset>,
    /// What `from_csv` read from which file; `None` for other sources.
    load: Option<LoadSummary>,
}

impl PyDataset {
    pub(crate) fn new(data: Dataset) -> Self {
        PyDataset { inner: Arc::new(data), load: None }
    }
}

#[pymethods]
impl PyDataset {
    /// Reads a data set from DataFrames, one per table of the data contract
    /// (`forbund`, `medlemskap`, `insatser`, `deltaganden`, …): pandas
    /// (≥ 2.2), polars, pyarrow or anything exporting the Arrow PyCapsule
    /// interface. `columns` renames columns per table; `errors="collect"`
    /// reports every problem at once; `uttagsdatum` is the cut-off date of
    /// the delivery (a `datetime.date` or `YYYY-MM-DD`; by default the
    /// latest date in the data). Then validates like `from_csv`.
    ///
    /// The tables come as keywords (`deltaganden=df, ...`) or as one
    /// mapping from table name to frame (`from_frames(frames)`), which
    /// type-checks where `**frames` beside the other keywords does not.
    #[staticmethod]
    #[pyo3(signature = (frames = None, /, *, columns = None, errors = "raise", uttagsdatum = None, **tables))]
    fn from_frames(
        py: Python<'_>,
        frames: Option<&Bound<'_, PyAny>>,
        columns: Option<HashMap<String, HashMap<String, String>>>,
        errors: &str,
        uttagsdatum: Option<&Bound<'_, PyAny>>,
        tables: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let tables = frame_tables(py, frames, tables)?;
        let tables = tables.as_ref();
        let cutoff = match uttagsdatum {
            None => None,
            Some(v) => date_arg("uttagsdatum", v)?,
        };
        frames::dataset_from_frames(py, tables, columns, errors, cutoff)
    }

    /// Every table as a `pyarrow.Table`, by name, in the contract's types.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let batches = self.inner.to_arrow().map_err(|e| to_py_err(py, &e))?;
        let out = PyDict::new(py);
        for (name, batch) in batches {
            let schema = batch.schema();
            out.set_item(name, pyo3_arrow::PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)?)?;
        }
        Ok(out)
    }

    /// Reads a directory of CSV files in the finsam data contract.
    #[staticmethod]
    /// `progress`: `True` for a `tqdm` bar of the bytes read, or a function
    /// called with `(bytes_read, bytes_total)` as reading goes on.
    #[pyo3(signature = (path, *, encoding = "auto", delimiter = None, columns = None, files = None, errors = "raise", progress = None))]
    #[allow(clippy::too_many_arguments)]
    fn from_csv(
        py: Python<'_>,
        path: PathBuf,
        encoding: &str,
        delimiter: Option<&str>,
        columns: Option<HashMap<String, HashMap<String, String>>>,
        files: Option<HashMap<String, String>>,
        errors: &str,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let opts = csv_options(encoding, delimiter, columns, files, errors).map_err(|e| to_py_err(py, &e))?;
        let report = ProgressReport::of(progress, bytes_to_read(&path), "reading")?;
        let (data, load) = watched(py, || Dataset::read_csv_dir(&path, &opts, &Rules::default()), report.as_ref())?;
        Ok(PyDataset { inner: Arc::new(data), load: Some(load) })
    }

    /// Reads a directory of Parquet tables in the finsam data contract
    /// (`deltaganden.parquet`, … or a directory `deltaganden/` of part
    /// files), natively and one row group at a time, with the same column
    /// mapping, file names and error policy as `from_csv`.
    #[staticmethod]
    #[pyo3(signature = (path, *, columns = None, files = None, errors = "raise"))]
    fn from_parquet(
        py: Python<'_>,
        path: PathBuf,
        columns: Option<HashMap<String, HashMap<String, String>>>,
        files: Option<HashMap<String, String>>,
        errors: &str,
    ) -> PyResult<Self> {
        let opts = csv_options("auto", None, columns, files, errors).map_err(|e| to_py_err(py, &e))?;
        let (data, load) = detached(py, move || Dataset::read_parquet_dir(&path, &opts, &Rules::default()))?;
        Ok(PyDataset { inner: Arc::new(data), load: Some(load) })
    }

    /// Reads a data set from JSON (as written by `to_json`) and validates it.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let data = detached(py, || {
            let data = Dataset::from_json(text)?;
            data.validate(&Rules::default(), ErrorPolicy::FailFast)?;
            Ok(data)
        })?;
        Ok(PyDataset::new(data))
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

    /// Writes the participations as a flat extract (one row per
    /// participation in individinriktade insatser, with benefit days in the
    /// windows `before_days` / `after_days`, in whole days if `whole_days`,
    /// from `benefit_source`, with the cut-off `uttagsdatum`), the file
    /// `finsam.read_extract` reads.
    #[pyo3(
        signature = (path, *, before_days = None, after_days = None, whole_days = None, benefit_source = None, uttagsdatum = None),
        text_signature = "($self, path, *, before_days=365, after_days=365, whole_days=False, benefit_source='auto', uttagsdatum=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn to_flat_csv(
        &self,
        py: Python<'_>,
        path: PathBuf,
        before_days: Option<&Bound<'_, PyAny>>,
        after_days: Option<&Bound<'_, PyAny>>,
        whole_days: Option<&Bound<'_, PyAny>>,
        benefit_source: Option<&Bound<'_, PyAny>>,
        uttagsdatum: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let options = given(
            py,
            &[
                ("before_days", before_days),
                ("after_days", after_days),
                ("whole_days", whole_days),
                ("benefit_source", benefit_source),
                ("uttagsdatum", uttagsdatum),
            ],
        )?;
        let config = config(Some(&options))?;
        let data = Arc::clone(&self.inner);
        detached(py, move || {
            let batch = finsam_core::engine::Participations::from_dataset(&data, &config)?;
            let io = |source| finsam_core::Error::Io { path: path.display().to_string(), source };
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
            batch.write_flat_csv(&mut out)?;
            std::io::Write::flush(&mut out).map_err(io)
        })
    }

    /// The part of the data set for some förbund (with the förbund they were
    /// formed from by mergers), insatser or years; it remembers the part
    /// (`scope`), so that its tables say what they cover and figures outside
    /// it are refused rather than computed from part of the data.
    ///
    /// `forbund` and `insats` are an id or a sequence of ids; `years` is a
    /// year, a `(first, last)` pair or a `range`. Years keep the
    /// participations active in them: the participation figures of those
    /// years are the whole data set's. The kommun statistics, comparison
    /// persons and the benefit spells of every kept person are kept whole.
    #[pyo3(signature = (*, forbund = None, insats = None, years = None))]
    fn filter(
        &self,
        py: Python<'_>,
        forbund: Option<&Bound<'_, PyAny>>,
        insats: Option<&Bound<'_, PyAny>>,
        years: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDataset> {
        let keep = finsam_core::dataset::Scope {
            forbund: forbund
                .map(|v| ids_arg("forbund", v))
                .transpose()?
                .map(|v| v.into_iter().map(ForbundId).collect()),
            insatser: insats.map(|v| ids_arg("insats", v)).transpose()?.map(|v| v.into_iter().map(InsatsId).collect()),
            years: years.map(years_arg).transpose()?,
            ..Default::default()
        };
        let data = Arc::clone(&self.inner);
        detached(py, move || data.filter(&keep)).map(PyDataset::new)
    }

    /// What the data set was narrowed to by `filter`: a dict of `forbund`
    /// (with predecessors) and `insats` as lists of ids and `years` as a
    /// `(first, last)` pair, each `None` where not narrowed.
    #[getter]
    fn scope<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let scope = &self.inner.scope;
        let out = PyDict::new(py);
        out.set_item("forbund", scope.forbund.as_ref().map(|f| f.iter().map(|id| id.0).collect::<Vec<_>>()))?;
        out.set_item("insats", scope.insatser.as_ref().map(|i| i.iter().map(|id| id.0).collect::<Vec<_>>()))?;
        out.set_item("years", scope.years.as_ref().map(|y| (*y.start(), *y.end())))?;
        Ok(out)
    }

    /// The whole data set as JSON.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let data = Arc::clone(&self.inner);
        detached(py, move || data.to_json())
    }

    /// What `from_csv` read: per file its table, path, detected encoding
    /// and delimiter, unused columns and rows; the files of the directory
    /// that are no table; and the rows of every table. `None` for a data
    /// set not read from CSV.
    #[getter]
    fn load_summary<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(load) = &self.load else { return Ok(None) };
        let rows = self.inner.summary_rows();
        let files = PyList::empty(py);
        for (table, format) in &load.files {
            let f = PyDict::new(py);
            f.set_item("table", table)?;
            f.set_item("file", &format.file)?;
            f.set_item("encoding", &format.encoding)?;
            // Parquet has no delimiter.
            let delimiter =
                (format.encoding != finsam_core::dataset::PARQUET_FORMAT).then(|| format.delimiter.to_string());
            f.set_item("delimiter", delimiter)?;
            f.set_item("ignored_columns", &format.ignored_columns)?;
            f.set_item("rows", rows.get(table).copied().unwrap_or_default())?;
            files.append(f)?;
        }
        let out = PyDict::new(py);
        out.set_item("files", files)?;
        out.set_item("unmatched_files", &load.unmatched_files)?;
        out.set_item("rows", rows)?;
        Ok(Some(out))
    }

    /// The years the delivery counts participants for (from its anonymous
    /// counts and aggregate rows, or else the years participations start),
    /// ascending: the annual reports it can give.
    #[getter]
    fn reporting_years(&self) -> Vec<i32> {
        self.inner.reporting_years().into_iter().collect()
    }

    /// Rows per table, for every table of the data contract.
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

    /// Every column of every table of the contract as a pandas DataFrame:
    /// `table`, `column`, Arrow `type`, `rows`, `missing`, `distinct`, and the
    /// smallest and largest value (`min`, `max`, as text). Needs pandas and
    /// pyarrow.
    fn describe<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        PyModule::import(slf.py(), "finsam._describe")?.getattr("describe")?.call1((slf,))
    }

    /// The data set in a notebook: its cut-off and the rows of every table
    /// of the contract.
    fn _repr_html_(&self) -> String {
        let mut rows: Vec<(String, u64)> = self.inner.summary_rows().into_iter().collect();
        rows.sort();
        let cutoff = self.inner.uttagsdatum.map_or_else(|| "not given".to_owned(), |d| d.to_string());
        let mut out = format!(
            "<table class=\"finsam\"><caption>finsam.Dataset, uttagsdatum {cutoff}</caption><thead><tr><th>table</th><th style=\"text-align:right\">rows</th></tr></thead><tbody>"
        );
        for (table, n) in rows {
            out.push_str(&format!("<tr><td>{table}</td><td style=\"text-align:right\">{n}</td></tr>"));
        }
        out.push_str("</tbody></table>");
        out
    }

    /// Pickling and `copy.deepcopy`, through JSON (validated again when
    /// read back; what `from_csv` read, `load_summary`, is not kept).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let py = slf.py();
        let data = Arc::clone(&slf.get().inner);
        let json = detached(py, move || data.to_json())?;
        Ok((slf.get_type().getattr("from_json")?, (json,)))
    }
}

/// The indicator options, as keyword arguments.
pub(crate) const OPTIONS: &[&str] = &[
    "level",
    "method",
    "before_days",
    "after_days",
    "whole_days",
    "age_bands",
    "suppress",
    "threshold",
    "show_zeros",
    "rounding",
    "uttagsdatum",
    "benefit_source",
    "person_level_until",
    "mixed_year",
    "series_break",
    "compare_insatser",
];

/// The Python names of the choices of `benefit_source`.
const BENEFIT_SOURCES: [(&str, BenefitSource); 3] =
    [("auto", BenefitSource::Auto), ("spells", BenefitSource::Spells), ("precomputed", BenefitSource::Precomputed)];
/// The Python names of the choices of `mixed_year`.
const MIXED_YEARS: [(&str, MixedYear); 2] =
    [("aggregates", MixedYear::Aggregates), ("person_level", MixedYear::PersonLevel)];
/// The Python names of the choices of `series_break`.
const SERIES_BREAKS: [(&str, SeriesBreak); 2] = [("flag", SeriesBreak::Flag), ("withhold", SeriesBreak::Withhold)];

/// The choice of `table` that `value` names.
fn named<T: Copy>(name: &'static str, value: &Bound<'_, PyAny>, table: &[(&'static str, T)]) -> PyResult<T> {
    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
    let chosen = opt_choice(name, value, &names)?;
    Ok(table.iter().find(|(n, _)| *n == chosen).map_or(table[0].1, |(_, v)| *v))
}

/// The Python name of `value` in `table`.
fn name_of<T: PartialEq>(table: &[(&'static str, T)], value: &T) -> &'static str {
    table.iter().find(|(_, v)| v == value).map_or("", |(n, _)| *n)
}

/// The default of every keyword option, by its Python name: what
/// `Config::default()` and `SurveyConfig::default()` hold. The typed
/// signatures of the Python functions state the defaults too, for
/// readers and type checkers; a test keeps the two equal.
#[pyfunction]
fn option_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let c = Config::default();
    let s = finsam_core::survey::SurveyConfig::default();
    let d = PyDict::new(py);
    d.set_item("level", c.level)?;
    d.set_item("method", c.method.name())?;
    d.set_item("before_days", c.before_days)?;
    d.set_item("after_days", c.after_days)?;
    d.set_item("whole_days", c.whole_days)?;
    d.set_item("age_bands", PyTuple::new(py, &c.age_bands.0)?)?;
    d.set_item("suppress", c.disclosure.enabled)?;
    d.set_item("threshold", c.disclosure.threshold)?;
    d.set_item("show_zeros", c.disclosure.show_zeros)?;
    d.set_item("rounding", c.disclosure.rounding)?;
    d.set_item("uttagsdatum", c.uttagsdatum.map(|u| u.to_string()))?;
    d.set_item("benefit_source", name_of(&BENEFIT_SOURCES, &c.benefit_source))?;
    d.set_item("person_level_until", c.person_level_until.to_string())?;
    d.set_item("mixed_year", name_of(&MIXED_YEARS, &c.mixed_year))?;
    d.set_item("series_break", name_of(&SERIES_BREAKS, &c.series_break))?;
    d.set_item("compare_insatser", c.compare_insatser)?;
    d.set_item("scale", (s.skala_min, s.skala_max))?;
    d.set_item("top_box", s.hog_niva)?;
    d.set_item("min_responses", s.min_svar)?;
    Ok(d)
}

/// The keyword options a function was given (`None` for those left out,
/// which keep `Config::default()`'s value), as the dict [`config`] reads.
pub(crate) fn given<'py>(
    py: Python<'py>,
    options: &[(&str, Option<&Bound<'py, PyAny>>)],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, value) in options {
        // `None` is the default only of the options that default to none;
        // for the others it is a value, which `config` refuses.
        match value {
            Some(v) if !(v.is_none() && matches!(*name, "rounding" | "uttagsdatum")) => d.set_item(name, v)?,
            _ => {}
        }
    }
    Ok(d)
}

/// Builds the indicator options from keyword arguments.
pub(crate) fn config(options: Option<&Bound<'_, PyDict>>) -> PyResult<Config> {
    config_with(options, &[])
}

/// Builds the indicator options from keyword arguments; `also` are the
/// caller's own options, named with the indicator options when a keyword
/// is unknown. Every bad value is an `ArgumentError` naming the option and
/// what it accepts.
pub(crate) fn config_with(options: Option<&Bound<'_, PyDict>>, also: &[&str]) -> PyResult<Config> {
    let mut c = Config::default();
    let Some(options) = options else { return Ok(c) };
    let py = options.py();
    for (key, value) in options.iter() {
        let key: String = key.extract()?;
        match key.as_str() {
            "level" => c.level = level_arg(&value)?,
            "method" => c.method = method_arg(&value)?,
            "before_days" => c.before_days = opt_int("before_days", &value, 1..=3660)?,
            "after_days" => c.after_days = opt_int("after_days", &value, 1..=3660)?,
            "whole_days" => c.whole_days = opt_bool("whole_days", &value)?,
            "compare_insatser" => c.compare_insatser = opt_bool("compare_insatser", &value)?,
            "age_bands" => {
                let accepts = "a list of ascending ages from 0 to 150 (the lower bounds of the bands)";
                let items = match value.cast::<PyList>() {
                    Ok(list) => list.iter().collect::<Vec<_>>(),
                    Err(_) => match value.cast::<PyTuple>() {
                        Ok(tuple) => tuple.iter().collect(),
                        Err(_) => return Err(bad_option("age_bands", accepts, &value)),
                    },
                };
                let bands = items
                    .iter()
                    .map(|v| opt_int::<i32>("age_bands", v, 0..=150))
                    .collect::<PyResult<Vec<i32>>>()
                    .map_err(|_| bad_option("age_bands", accepts, &value))?;
                if !bands.windows(2).all(|w| w[0] < w[1]) {
                    return Err(bad_option("age_bands", accepts, &value));
                }
                c.age_bands = AgeBands(bands);
            }
            "suppress" => c.disclosure.enabled = opt_bool("suppress", &value)?,
            // A threshold of 0 would withhold nothing while `suppress` says otherwise.
            "threshold" => c.disclosure.threshold = opt_int("threshold", &value, 1..=i64::MAX)?,
            "show_zeros" => c.disclosure.show_zeros = opt_bool("show_zeros", &value)?,
            "rounding" => {
                c.disclosure.rounding = if value.is_none() {
                    None
                } else {
                    Some(opt_int("rounding", &value, 1..=i64::MAX).map_err(|_| {
                        bad_option("rounding", "None or a whole number ≥ 1 (the base counts are rounded to)", &value)
                    })?)
                }
            }
            "uttagsdatum" => c.uttagsdatum = date_arg("uttagsdatum", &value)?,
            "benefit_source" => c.benefit_source = named("benefit_source", &value, &BENEFIT_SOURCES)?,
            "person_level_until" => {
                let accepts = "a datetime.date or a \"YYYY-MM-DD\" string";
                c.person_level_until = date_arg("person_level_until", &value)
                    .ok()
                    .flatten()
                    .ok_or_else(|| bad_option("person_level_until", accepts, &value))?;
            }
            "mixed_year" => c.mixed_year = named("mixed_year", &value, &MIXED_YEARS)?,
            "series_break" => c.series_break = named("series_break", &value, &SERIES_BREAKS)?,
            other => {
                let mut known: Vec<&str> = OPTIONS.iter().chain(also).copied().collect();
                known.sort_unstable();
                let message = format!("unknown option {other:?}; the options are {}", known.join(", "));
                return Err(to_py_err(py, &argument("options", message)));
            }
        }
    }
    c.check().map_err(|e| to_py_err(py, &e))?;
    Ok(c)
}

/// The tables of `Dataset.from_frames`: the mapping given first, then the
/// keywords; a table named twice is refused rather than one of them dropped.
fn frame_tables<'py>(
    py: Python<'py>,
    frames: Option<&Bound<'py, PyAny>>,
    keywords: Option<&Bound<'py, PyDict>>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let Some(frames) = frames.filter(|f| !f.is_none()) else { return Ok(keywords.cloned()) };
    let accepts = "a mapping from table name to frame, e.g. {\"deltaganden\": df}";
    let mapping = frames.cast::<pyo3::types::PyMapping>().map_err(|_| bad_option("frames", accepts, frames))?;
    let out = PyDict::new(py);
    for item in mapping.items()?.iter() {
        let (name, frame): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        if !name.is_instance_of::<pyo3::types::PyString>() {
            return Err(bad_option("frames", accepts, frames));
        }
        out.set_item(name, frame)?;
    }
    for (name, frame) in keywords.iter().flat_map(|k| k.iter()) {
        if out.contains(&name)? {
            let message = format!("the table {name} is given both in the mapping and as a keyword");
            return Err(to_py_err(py, &argument("frames", message)));
        }
        out.set_item(name, frame)?;
    }
    Ok(Some(out))
}

/// An optional date: `None`, a `datetime.date` or `"YYYY-MM-DD"`.
pub(crate) fn date_arg(name: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Option<finsam_core::Date>> {
    if value.is_none() {
        return Ok(None);
    }
    let accepts = "None, a datetime.date, a datetime or pandas.Timestamp at midnight, or a \"YYYY-MM-DD\" string";
    let datetime = PyModule::import(value.py(), "datetime")?;
    let text: String = if value.is_instance(&datetime.getattr("datetime")?)? {
        // A datetime (or pandas.Timestamp) is a day only at midnight: a time
        // of day would be dropped silently. One with a time zone is the
        // civil date in its own zone, as `date()` gives it.
        let midnight = value.call_method0("time")?.eq(datetime.getattr("time")?.call0()?)?;
        if !midnight {
            return Err(bad_option(name, accepts, value));
        }
        value.call_method0("date")?.call_method0("isoformat")?.extract()?
    } else if value.is_instance(&datetime.getattr("date")?)? {
        value.call_method0("isoformat")?.extract()?
    } else if let Ok(s) = value.cast::<pyo3::types::PyString>() {
        s.extract()?
    } else {
        return Err(bad_option(name, accepts, value));
    };
    text.parse().map(Some).map_err(|_| bad_option(name, accepts, value))
}

/// The years of a call: an int, a `(first, last)` pair, a `range` with
/// step 1, or all reporting years of the data. An empty span or a range
/// with another step is refused: honouring only some of its years would
/// silently widen or narrow the report.
pub(crate) fn years(
    py: Python<'_>,
    data: &Dataset,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<std::ops::RangeInclusive<i32>> {
    years_or(value, || {
        let all = data.reporting_years();
        match (all.first(), all.last()) {
            (Some(&a), Some(&b)) => Ok(a..=b),
            _ => Err(to_py_err(py, &argument("years", "the data have no reporting year; give years=".into()))),
        }
    })
}

/// [`years`] with the years `all` gives when none are asked for.
pub(crate) fn years_or(
    value: Option<&Bound<'_, PyAny>>,
    all: impl FnOnce() -> PyResult<std::ops::RangeInclusive<i32>>,
) -> PyResult<std::ops::RangeInclusive<i32>> {
    match value {
        Some(v) => years_arg(v),
        None => all(),
    }
}

/// A `years=` argument: an int, a `(first, last)` pair or a `range` with step 1.
pub(crate) fn years_arg(v: &Bound<'_, PyAny>) -> PyResult<std::ops::RangeInclusive<i32>> {
    let accepts = "a year, a (first, last) pair or a range(first, last + 1) with step 1";
    let year =
        |x: &Bound<'_, PyAny>| opt_int::<i32>("years", x, 1900..=2100).map_err(|_| bad_option("years", accepts, v));
    let span = if let Ok(r) = v.cast::<pyo3::types::PyRange>() {
        let step: i64 = r.getattr("step")?.extract()?;
        if step != 1 {
            return Err(bad_option("years", &format!("{accepts} (a step of {step} is not honoured)"), v));
        }
        let (start, stop) = (r.getattr("start")?, r.getattr("stop")?);
        let last: i64 = stop.extract::<i64>()? - 1;
        (year(&start)?, i32::try_from(last).map_err(|_| bad_option("years", accepts, v))?)
    } else if let Ok(t) = v.cast::<PyTuple>() {
        match t.len() {
            2 => (year(&t.get_item(0)?)?, year(&t.get_item(1)?)?),
            _ => return Err(bad_option("years", accepts, v)),
        }
    } else {
        let y = year(v)?;
        (y, y)
    };
    if span.0 > span.1 {
        return Err(bad_option("years", &format!("{accepts}, not empty"), v));
    }
    Ok(span.0..=span.1)
}

/// The `by=` of an indicator: one dimension as a string, or a list of them.
pub(crate) fn by_names(by: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let accepts = "a dimension name or a list of them";
    let Some(by) = by else { return Ok(Vec::new()) };
    if by.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(s) = by.cast::<pyo3::types::PyString>() {
        return Ok(vec![s.extract()?]);
    }
    let items: Vec<Bound<'_, PyAny>> = match (by.cast::<PyList>(), by.cast::<PyTuple>()) {
        (Ok(l), _) => l.iter().collect(),
        (_, Ok(t)) => t.iter().collect(),
        _ => return Err(bad_option("by", accepts, by)),
    };
    items
        .iter()
        .map(|i| i.cast::<pyo3::types::PyString>().map_err(|_| bad_option("by", accepts, by))?.extract())
        .collect()
}

pub(crate) fn split(py: Python<'_>, by: Option<&Bound<'_, PyAny>>) -> PyResult<Split> {
    let names = by_names(by)?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Split::parse(&names).map_err(|e| to_py_err(py, &e))
}

/// A published table: withheld cells are `None` with a reason.
#[pyclass(frozen, module = "finsam", name = "Table")]
pub(crate) struct PyTable {
    pub(crate) inner: Table,
}

#[pymethods]
impl PyTable {
    /// The indicator's id in the catalogue.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The title.
    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }

    /// The key columns.
    #[getter]
    fn keys(&self) -> Vec<String> {
        self.inner.keys.clone()
    }

    /// The value columns.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Notes: exclusions, definitions, interval methods.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.inner.notes.clone()
    }

    /// The rows as dicts, as the table's frames hold them: years and ids
    /// as ints, a total key (`alla`) as `None` with `summerat` naming the
    /// keys the row sums over, counts and öre as ints, other values as
    /// floats, `None` if withheld, and `<column>_reason` for each value.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let batch = self.inner.to_record_batch().map_err(|e| to_py_err(py, &e))?;
        let out = PyList::empty(py);
        for row in 0..batch.num_rows() {
            let d = PyDict::new(py);
            for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
                d.set_item(field.name(), frames::cell_to_py(py, column.as_ref(), row)?)?;
            }
            out.append(d)?;
        }
        Ok(out)
    }

    /// The value of `column` in the row with `key`, or `None` if the cell
    /// is withheld. A column the table does not have, a key of the wrong
    /// length or a key no row has is an `ArgumentError` (never `None`,
    /// which would read as "withheld").
    fn value(&self, py: Python<'_>, key: Vec<Bound<'_, PyAny>>, column: &str) -> PyResult<Option<f64>> {
        let t = &self.inner;
        // As the frames hold keys: a year or id as an int, a total as None
        // (or its label, "alla"), codes as text.
        let key = key
            .iter()
            .map(|k| {
                let total = k.is_none() || k.get_type().name()? == "NAType";
                if total {
                    // None, or pandas' NA: a total row's key in a frame.
                    Ok(finsam_core::publish::table::TOTAL.to_owned())
                } else if k.is_instance_of::<pyo3::types::PyBool>() {
                    Err(bad_option("key", "a list of key values: ints, strings or None (a total)", k))
                } else if k.hasattr("__index__")? {
                    // Python's and numpy's integers.
                    Ok(k.call_method0("__index__")?.extract::<i64>()?.to_string())
                } else if let Ok(x) = k.cast::<pyo3::types::PyFloat>().map(|f| f.value()) {
                    // A period of a staggered design, as to_dicts gives it.
                    Ok(if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { x.to_string() })
                } else {
                    k.extract::<String>()
                        .map_err(|_| bad_option("key", "a list of key values: ints, strings or None (a total)", k))
                }
            })
            .collect::<PyResult<Vec<String>>>()?;
        let bad = |name: &'static str, message: String| to_py_err(py, &argument(name, message));
        if !t.columns.iter().any(|c| c.name == column) {
            let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            return Err(bad(
                "column",
                format!("{column:?} is not a column of {}; the columns are {}", t.id, names.join(", ")),
            ));
        }
        if key.len() != t.keys.len() {
            return Err(bad(
                "key",
                format!(
                    "{key:?} has {} values; the table's key is {} ({})",
                    key.len(),
                    t.keys.len(),
                    t.keys.join(", ")
                ),
            ));
        }
        let key: Vec<&str> = key.iter().map(String::as_str).collect();
        match t.get(&key, column) {
            Some(cell) => Ok(cell.value()),
            None => Err(bad("key", format!("no row of {} has the key {key:?} ({})", t.id, t.keys.join(", ")))),
        }
    }

    /// The table as Markdown (withheld cells are `..`).
    fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }

    /// The table as CSV (`;`-separated).
    fn to_csv(&self) -> String {
        self.inner.to_csv()
    }

    /// The table as JSON.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| to_py_err(py, &e.into()))
    }

    /// The Arrow PyCapsule stream of the table: the key columns typed by
    /// name (years and ids as int64, a total null) with `forbund_namn` /
    /// `insats_namn` beside the ids, `summerat` (the keys a total row sums
    /// over), the value columns with withheld cells null, then
    /// `<column>_reason`; pass the table to `pyarrow.table`,
    /// `polars.DataFrame` or any Arrow consumer.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, pyo3::types::PyCapsule>>,
    ) -> PyResult<Bound<'py, pyo3::types::PyCapsule>> {
        let batch = self.inner.to_record_batch().map_err(|e| to_py_err(py, &e))?;
        frames::stream_capsule(py, batch, requested_schema)
    }

    /// The table as a `pyarrow.Table` (the columns of `__arrow_c_stream__`);
    /// `totals=False` leaves out the total rows, `reasons=False` the
    /// `<column>_reason` columns. Units, notes, the title and the finsam
    /// version are the schema's metadata (`finsam.*`).
    #[pyo3(signature = (*, totals = true, reasons = true))]
    fn to_arrow<'py>(&self, py: Python<'py>, totals: bool, reasons: bool) -> PyResult<Bound<'py, PyAny>> {
        PyModule::import(py, "pyarrow").map_err(|_| {
            pyo3::exceptions::PyImportError::new_err(
                "to_arrow() and to_pandas() need pyarrow: pip install \"finsam[pandas]\" (or pass the table to any \
                 library that reads __arrow_c_stream__, e.g. polars.DataFrame(table))",
            )
        })?;
        let batch = self.batch(py, totals, reasons)?;
        let schema = batch.schema();
        pyo3_arrow::PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
    }

    /// The table as a pandas DataFrame, with the options of `to_arrow`.
    /// Integer columns (years, ids, counts, öre) are always pandas'
    /// nullable `Int64`, whether or not a cell is withheld, so a column's
    /// dtype does not depend on the data; withheld cells are `<NA>` (`NaN`
    /// in float columns), with a reason column. `DataFrame.attrs["finsam"]`
    /// holds the id, title, notes, units and finsam version.
    #[pyo3(signature = (*, totals = true, reasons = true))]
    fn to_pandas<'py>(&self, py: Python<'py>, totals: bool, reasons: bool) -> PyResult<Bound<'py, PyAny>> {
        let table = self.to_arrow(py, totals, reasons)?;
        let int64 = PyModule::import(py, "pyarrow")?.getattr("int64")?.call0()?;
        let nullable = PyModule::import(py, "pandas")?.getattr("Int64Dtype")?.call0()?;
        let mapping = PyDict::new(py);
        mapping.set_item(int64, nullable)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("types_mapper", mapping.getattr("get")?)?;
        let frame = table.call_method("to_pandas", (), Some(&kwargs))?;
        frame.getattr("attrs")?.set_item("finsam", self.attrs(py)?)?;
        Ok(frame)
    }

    /// The table as a polars DataFrame, with the options of `to_arrow`
    /// (withheld cells are null, with a reason column).
    #[pyo3(signature = (*, totals = true, reasons = true))]
    fn to_polars<'py>(&self, py: Python<'py>, totals: bool, reasons: bool) -> PyResult<Bound<'py, PyAny>> {
        let stream = frames::ArrowStream::new(self.batch(py, totals, reasons)?);
        PyModule::import(py, "polars")?.getattr("DataFrame")?.call1((stream,))
    }

    fn __len__(&self) -> usize {
        self.inner.rows.len()
    }

    fn __repr__(&self) -> String {
        format!("finsam.Table(id={:?}, keys={:?}, rows={})", self.inner.id, self.inner.keys, self.inner.rows.len())
    }

    /// The table in a notebook: its first and last rows (at most
    /// [`PREVIEW_ROWS`]), withheld cells as `..` with the reason on hover.
    fn _repr_html_(&self) -> String {
        self.inner.to_html(Some(PREVIEW_ROWS))
    }

    /// The table as Markdown for a notebook, previewed as `_repr_html_`.
    fn _repr_markdown_(&self) -> String {
        self.inner.markdown_rows(Some(PREVIEW_ROWS))
    }

    /// A table from `to_json`'s output.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyTable> {
        let inner = serde_json::from_str(text).map_err(|e| to_py_err(py, &e.into()))?;
        Ok(PyTable { inner })
    }

    /// Pickling and `copy.deepcopy`, through JSON.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let py = slf.py();
        let json = serde_json::to_string(&slf.get().inner).map_err(|e| to_py_err(py, &e.into()))?;
        Ok((slf.get_type().getattr("from_json")?, (json,)))
    }
}

impl PyTable {
    fn batch(&self, py: Python<'_>, totals: bool, reasons: bool) -> PyResult<arrow_array::RecordBatch> {
        let options = finsam_core::arrow::FrameOptions { totals, reasons };
        self.inner.to_record_batch_with(options).map_err(|e| to_py_err(py, &e))
    }

    /// What a frame of the table carries beside its rows (pandas' `attrs`).
    fn attrs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &self.inner.id)?;
        d.set_item("title", &self.inner.title)?;
        d.set_item("notes", self.inner.notes.clone())?;
        let units = PyDict::new(py);
        for c in &self.inner.columns {
            units.set_item(&c.name, c.unit.code())?;
        }
        d.set_item("units", units)?;
        d.set_item("version", env!("CARGO_PKG_VERSION"))?;
        Ok(d)
    }
}

/// Rows a table shows in a notebook before it elides the middle ones.
const PREVIEW_ROWS: usize = 40;
/// Rows each table of a report shows in a notebook.
const REPORT_PREVIEW_ROWS: usize = 10;

/// The annual report: every table for one year.
#[pyclass(frozen, module = "finsam", name = "AnnualReport")]
struct PyAnnualReport {
    inner: AnnualReport,
}

#[pymethods]
impl PyAnnualReport {
    /// The year.
    #[getter]
    fn year(&self) -> i32 {
        self.inner.ar
    }

    /// The source of the year's participant figures: ``"personniva"``
    /// (person-level data) or ``"aggregat"`` (the aggregates of the aggregate
    /// era; the report then has no person-level sections and says so in
    /// ``notes``).
    #[getter]
    fn era(&self) -> &'static str {
        self.inner.era.code()
    }

    /// The tables, in report order.
    #[getter]
    fn tables(&self) -> Vec<PyTable> {
        self.inner.tables.iter().map(|t| PyTable { inner: t.clone() }).collect()
    }

    /// What the report says about its source (for a flat extract: the
    /// sections it has no data for).
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.inner.notes.clone()
    }

    /// The report as Markdown for readers: Swedish labels, a section per
    /// subject; numbers `locale="plain"` (`23000`, `33.2 %`) or `"sv"`
    /// (`23 000`, `33,2 %`).
    #[pyo3(signature = (locale = "plain"))]
    fn to_markdown(&self, py: Python<'_>, locale: &str) -> PyResult<String> {
        let locale = finsam_core::publish::labels::Locale::parse(locale)
            .ok_or_else(|| to_py_err(py, &argument("locale", format!("{locale:?}: use \"plain\" or \"sv\""))))?;
        Ok(self.inner.to_markdown_with(locale))
    }

    /// The report as CSV.
    fn to_csv(&self) -> String {
        self.inner.to_csv()
    }

    /// The report as JSON.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_json().map_err(|e| to_py_err(py, &e))
    }

    /// The report as one self-contained HTML page for readers: a summary of
    /// the headline figures with their intervals, a chart per section
    /// (inline SVG), the tables in Swedish beneath them, and the
    /// definitions; no script, nothing fetched. `beside`, the national
    /// report of the same year, puts the national figures beside a
    /// förbund's.
    /// `earlier`, the reports of earlier years of the same data and
    /// options, adds a section that follows participants and the share to
    /// work or studies by kön over the years, each year's values as its own
    /// report publishes them.
    #[pyo3(signature = (beside = None, earlier = None))]
    fn to_html_page(
        &self,
        py: Python<'_>,
        beside: Option<PyRef<'_, PyAnnualReport>>,
        earlier: Option<Vec<PyRef<'_, PyAnnualReport>>>,
    ) -> String {
        let beside = beside.as_ref().map(|b| &b.inner);
        let earlier: Vec<AnnualReport> = earlier.iter().flatten().map(|r| r.inner.clone()).collect();
        py.detach(|| self.inner.to_html_page_with(beside, &earlier))
    }

    /// The report as an Excel workbook (the bytes of an `.xlsx` file): a
    /// sheet about the report, one sheet per table (Swedish labels over the
    /// code names, numbers with formats, withheld cells as `..` with the
    /// reason in a note, frozen headers) and the definitions.
    fn to_xlsx<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        let bytes = py.detach(|| self.inner.to_xlsx()).map_err(|e| to_py_err(py, &e))?;
        Ok(pyo3::types::PyBytes::new(py, &bytes))
    }

    /// Writes the workbook of `to_xlsx` to `path`.
    fn to_excel(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let bytes = py.detach(|| self.inner.to_xlsx()).map_err(|e| to_py_err(py, &e))?;
        std::fs::write(&path, bytes)
            .map_err(|source| to_py_err(py, &finsam_core::Error::Io { path: path.display().to_string(), source }))
    }

    fn __repr__(&self) -> String {
        format!(
            "finsam.AnnualReport(year={}, era={:?}, tables={})",
            self.inner.ar,
            self.inner.era.code(),
            self.inner.tables.len()
        )
    }

    /// The name of each table, in report order, distinct within the report:
    /// the indicator's id, with the level for an indicator shown at several
    /// (`"utfall"` nationally, `"utfall_per_kon"`, `"utfall_per_forbund"`).
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names()
    }

    /// The table named `name` (see `names`); a `KeyError` naming the
    /// tables if the report has none of that name.
    fn __getitem__(&self, name: &str) -> PyResult<PyTable> {
        match self.inner.table(name) {
            Some(t) => Ok(PyTable { inner: t.clone() }),
            None => Err(pyo3::exceptions::PyKeyError::new_err(format!(
                "{name:?}: the report's tables are {}",
                self.inner.names().join(", ")
            ))),
        }
    }

    fn __contains__(&self, name: &str) -> bool {
        self.inner.table(name).is_some()
    }

    fn __len__(&self) -> usize {
        self.inner.tables.len()
    }

    /// The report in a notebook: every table's first and last rows.
    fn _repr_html_(&self) -> String {
        self.inner.to_html(Some(REPORT_PREVIEW_ROWS))
    }

    /// The report as Markdown for a notebook.
    fn _repr_markdown_(&self) -> String {
        self.inner.to_markdown()
    }

    /// A report from `to_json`'s output.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyAnnualReport> {
        let inner = serde_json::from_str(text).map_err(|e| to_py_err(py, &e.into()))?;
        Ok(PyAnnualReport { inner })
    }

    /// Pickling and `copy.deepcopy`, through JSON.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let py = slf.py();
        let json = slf.get().inner.to_json().map_err(|e| to_py_err(py, &e))?;
        Ok((slf.get_type().getattr("from_json")?, (json,)))
    }
}

type TableFn = fn(report::Source<'_>, &Split, std::ops::RangeInclusive<i32>, &Config) -> finsam_core::Result<Table>;

/// A data set or a flat extract, held for a computation without the GIL.
enum OwnedSource {
    Data(Arc<Dataset>),
    Extract(Arc<finsam_core::engine::Extract>),
    Partial(Arc<finsam_core::engine::Partial>),
}

impl OwnedSource {
    fn of(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<OwnedSource> {
        if let Ok(d) = data.cast::<PyDataset>() {
            return Ok(OwnedSource::Data(Arc::clone(&d.get().inner)));
        }
        if let Ok(e) = data.cast::<frames::PyExtract>() {
            return Ok(OwnedSource::Extract(Arc::clone(&e.get().inner)));
        }
        if let Ok(p) = data.cast::<partial::PyPartial>() {
            return Ok(OwnedSource::Partial(Arc::clone(&p.get().inner)));
        }
        let found = data.get_type().name()?;
        let message = format!(
            "expected a finsam.Dataset, a finsam.Extract (finsam.read_extract) or a finsam.Partial (finsam.partial), got {found}"
        );
        Err(to_py_err(py, &argument("data", message)))
    }

    fn source(&self) -> report::Source<'_> {
        match self {
            OwnedSource::Data(d) => report::Source::Data(d),
            OwnedSource::Extract(e) => report::Source::Extract(e),
            OwnedSource::Partial(p) => report::Source::Partial(p),
        }
    }
}

fn indicator(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    by: Option<&Bound<'_, PyAny>>,
    years_arg: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
    compute: TableFn,
) -> PyResult<PyTable> {
    let config = config(options)?;
    let split = split(py, by)?;
    let owned = OwnedSource::of(py, data)?;
    let years = match &owned {
        OwnedSource::Data(d) => years(py, d, years_arg)?,
        OwnedSource::Extract(_) | OwnedSource::Partial(_) => {
            years_or(years_arg, || owned.source().years(&config).map_err(|e| to_py_err(py, &e)))?
        }
    };
    let table = detached(py, move || compute(owned.source(), &split, years, &config))?;
    Ok(PyTable { inner: table })
}

/// Defines a Python function for an indicator table of `finsam_core::report`.
macro_rules! indicator_fn {
    ($(#[$doc:meta])* $name:ident => $compute:path) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (data, *, by = None, years = None, **options))]
        fn $name(
            py: Python<'_>,
            data: &Bound<'_, PyAny>,
            by: Option<&Bound<'_, PyAny>>,
            years: Option<&Bound<'_, PyAny>>,
            options: Option<&Bound<'_, PyDict>>,
        ) -> PyResult<PyTable> {
            indicator(py, data, by, years, options, |s, split, y, c| $compute(s, split, y, c))
        }
    };
}

indicator_fn!(
    /// Participants per year: persons, anonymous, participations, change.
    participants => report::participants
);
indicator_fn!(
    /// Status after ended participations: headline shares with intervals.
    outcome_rates => report::outcomes
);
indicator_fn!(
    /// Status after ended participations: every status with its interval.
    outcome_categories => report::outcome_categories
);
indicator_fn!(
    /// Benefit days before and after with the paired t-interval.
    benefit_days => report::benefit_days
);
indicator_fn!(
    /// Försörjning before → after.
    transitions => report::transitions
);
indicator_fn!(
    /// Men − women in the shares to work or studies (Newcombe's interval;
    /// shares, and the difference in percentage points when rendered).
    gender_gap => report::gender_gap
);
indicator_fn!(
    /// Men − women in the mean change of benefit days (Welch's interval).
    gender_gap_days => report::gender_gap_days
);

/// The annual report for `year` of a data set, or of a flat extract (its
/// participation sections, with a note naming the others).
#[pyfunction]
#[pyo3(signature = (data, year, **options))]
fn annual_report(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    year: i32,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyAnnualReport> {
    let config = config(options)?;
    let owned = OwnedSource::of(py, data)?;
    let report = detached(py, move || report::annual_report(owned.source(), year, &config))?;
    Ok(PyAnnualReport { inner: report })
}

/// The change of the headline shares from `year - 1` to `year` (Newcombe's interval).
#[pyfunction]
#[pyo3(signature = (data, year, *, by = None, **options))]
fn outcome_change(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    year: i32,
    by: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyTable> {
    let config = config(options)?;
    let split = split(py, by)?;
    let owned = OwnedSource::of(py, data)?;
    let table = detached(py, move || report::outcome_change(owned.source(), &split, year, &config))?;
    Ok(PyTable { inner: table })
}

/// The indicator catalogue: one dict per indicator.
#[pyfunction]
fn catalogue(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for i in finsam_core::indicators::catalogue() {
        let d = PyDict::new(py);
        d.set_item("id", i.id)?;
        d.set_item("label_sv", i.label_sv)?;
        d.set_item("label_en", i.label_en)?;
        d.set_item("unit", i.unit)?;
        d.set_item("population", i.population)?;
        d.set_item("definition", i.definition)?;
        d.set_item("source", i.source)?;
        d.set_item("eras", i.eras)?;
        out.append(d)?;
    }
    Ok(out)
}

/// A confidence interval with its estimate.
#[pyclass(frozen, module = "finsam.stats", name = "Interval")]
struct PyInterval {
    #[pyo3(get)]
    estimate: f64,
    #[pyo3(get)]
    lo: f64,
    #[pyo3(get)]
    hi: f64,
}

#[pymethods]
impl PyInterval {
    /// An interval from its estimate and limits (as `__reduce__` rebuilds it).
    #[new]
    fn new(estimate: f64, lo: f64, hi: f64) -> Self {
        PyInterval { estimate, lo, hi }
    }

    fn __repr__(&self) -> String {
        format!("Interval(estimate={}, lo={}, hi={})", self.estimate, self.lo, self.hi)
    }

    /// `lo, hi = interval`, as statsmodels' `proportion_confint` returns them.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyTuple::new(py, [self.lo, self.hi])?.as_any().try_iter().map(Bound::into_any)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.estimate.to_bits(), self.lo.to_bits(), self.hi.to_bits()).hash(&mut h);
        h.finish()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyInterval>().is_ok_and(|o| {
            let o = o.get();
            (o.estimate, o.lo, o.hi) == (self.estimate, self.lo, self.hi)
        })
    }

    /// Pickling and `copy.deepcopy`: the three numbers.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (f64, f64, f64))> {
        let i = slf.get();
        Ok((slf.get_type().into_any(), (i.estimate, i.lo, i.hi)))
    }
}

impl From<finsam_core::stats::Interval> for PyInterval {
    fn from(i: finsam_core::stats::Interval) -> Self {
        PyInterval { estimate: i.estimate, lo: i.lo, hi: i.hi }
    }
}

/// A confidence interval for the proportion `k / n`.
#[pyfunction]
#[pyo3(
    signature = (k, n, *, method = ProportionMethod::Wilson, level = 0.95),
    text_signature = "(k, n, *, method='wilson', level=0.95)"
)]
fn proportion_ci(
    py: Python<'_>,
    k: u64,
    n: u64,
    #[pyo3(from_py_with = method_arg)] method: ProportionMethod,
    #[pyo3(from_py_with = level_arg)] level: f64,
) -> PyResult<PyInterval> {
    stats::proportion_ci(k, n, method, level).map(Into::into).map_err(|e| to_py_err(py, &e))
}

/// Intervals for the proportions `k[i] / n[i]`, as `(estimates, lo, hi)`
/// (what `finsam.stats.proportion_ci` returns for arrays).
#[pyfunction]
#[pyo3(signature = (k, n, *, method = ProportionMethod::Wilson, level = 0.95))]
#[allow(clippy::type_complexity)]
fn proportion_cis(
    py: Python<'_>,
    k: Vec<u64>,
    n: Vec<u64>,
    #[pyo3(from_py_with = method_arg)] method: ProportionMethod,
    #[pyo3(from_py_with = level_arg)] level: f64,
) -> PyResult<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    if k.len() != n.len() {
        let message = format!("k has {} values and n {}: give one n per k", k.len(), n.len());
        return Err(to_py_err(py, &argument("n", message)));
    }
    let mut out = (Vec::with_capacity(k.len()), Vec::with_capacity(k.len()), Vec::with_capacity(k.len()));
    for (i, (&k, &n)) in k.iter().zip(&n).enumerate() {
        let ci = stats::proportion_ci(k, n, method, level)
            .map_err(|e| to_py_err(py, &argument("k", format!("at position {i} (k = {k}, n = {n}): {e}"))))?;
        out.0.push(ci.estimate);
        out.1.push(ci.lo);
        out.2.push(ci.hi);
    }
    Ok(out)
}

/// The paired t-interval of after − before.
#[pyfunction]
#[pyo3(signature = (before, after, *, level = 0.95))]
fn paired_mean_ci(
    py: Python<'_>,
    before: Vec<f64>,
    after: Vec<f64>,
    #[pyo3(from_py_with = level_arg)] level: f64,
) -> PyResult<PyInterval> {
    stats::paired_mean_ci(&before, &after, level).map(Into::into).map_err(|e| to_py_err(py, &e))
}

/// Newcombe's interval for `k1/n1 − k2/n2`.
#[pyfunction]
#[pyo3(signature = (k1, n1, k2, n2, *, level = 0.95))]
fn newcombe_diff(
    py: Python<'_>,
    k1: u64,
    n1: u64,
    k2: u64,
    n2: u64,
    #[pyo3(from_py_with = level_arg)] level: f64,
) -> PyResult<PyInterval> {
    stats::newcombe_diff(k1, n1, k2, n2, level).map(Into::into).map_err(|e| to_py_err(py, &e))
}

/// Welch's interval for the difference of the means of `a` and `b`.
#[pyfunction]
#[pyo3(signature = (a, b, *, level = 0.95))]
fn welch_diff(
    py: Python<'_>,
    a: Vec<f64>,
    b: Vec<f64>,
    #[pyo3(from_py_with = level_arg)] level: f64,
) -> PyResult<PyInterval> {
    stats::welch_diff(stats::Moments::of(&a), stats::Moments::of(&b), level)
        .map(Into::into)
        .map_err(|e| to_py_err(py, &e))
}

/// The calibrated synthetic national data set (seeded, deterministic),
/// with `comparison` comparison persons per participant of 2017–2022.
#[pyfunction]
#[pyo3(signature = (*, scale = 1.0, seed = 2004, comparison = 4.0))]
fn synthetic(
    py: Python<'_>,
    #[pyo3(from_py_with = scale_arg)] scale: f64,
    #[pyo3(from_py_with = seed_arg)] seed: u64,
    #[pyo3(from_py_with = comparison_arg)] comparison: f64,
) -> PyResult<PyDataset> {
    let evaluation = finsam_core::synthetic::EvaluationConfig { comparison };
    let (data, _) =
        detached(py, || finsam_core::synthetic::generate_with(&SyntheticConfig { scale, seed }, &evaluation))?;
    Ok(PyDataset::new(data))
}

/// The effects planted in `synthetic(scale=, seed=)` and realised in its
/// participants (see `finsam_core::synthetic::TrueEffects`), as a dict.
#[pyfunction]
#[pyo3(signature = (*, scale = 1.0, seed = 2004))]
fn synthetic_true_effects<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = scale_arg)] scale: f64,
    #[pyo3(from_py_with = seed_arg)] seed: u64,
) -> PyResult<Bound<'py, PyAny>> {
    // The realised effects do not depend on the size of the comparison pool.
    let evaluation = finsam_core::synthetic::EvaluationConfig { comparison: 0.0 };
    let (_, truth) =
        detached(py, || finsam_core::synthetic::generate_with(&SyntheticConfig { scale, seed }, &evaluation))?;
    let json = serde_json::json!({
        "realised": truth,
        "parameters": finsam_core::synthetic::TRUE_EFFECTS,
    });
    PyModule::import(py, "json")?.getattr("loads")?.call1((json.to_string(),))
}

fn comparison_arg(value: &Bound<'_, PyAny>) -> PyResult<f64> {
    opt_float("comparison", value, "a number from 0 to 100 (0: no comparison persons)", |x| (0.0..=100.0).contains(&x))
}

fn scale_arg(value: &Bound<'_, PyAny>) -> PyResult<f64> {
    opt_float("scale", value, "a positive number (1.0 is the national volume)", |x| x.is_finite() && x > 0.0)
}

pub(crate) fn seed_arg(value: &Bound<'_, PyAny>) -> PyResult<u64> {
    let whole = value.is_instance_of::<pyo3::types::PyInt>() && !value.is_instance_of::<pyo3::types::PyBool>();
    whole
        .then(|| value.extract::<u64>().ok())
        .flatten()
        .ok_or_else(|| bad_option("seed", "a whole number from 0 to 18446744073709551615", value))
}

/// The native module behind `finsam`.
#[pymodule]
fn _finsam(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ERROR_CODES", PyTuple::new(m.py(), Error::CODES)?)?;
    m.add_class::<PyDataset>()?;
    m.add_class::<PyTable>()?;
    m.add_class::<PyAnnualReport>()?;
    m.add_class::<PyInterval>()?;
    evaluation::register(m)?;
    frames::register(m)?;
    followup::register(m)?;
    money::register(m)?;
    partial::register(m)?;
    pseudonym::register(m)?;
    m.add_function(wrap_pyfunction!(synthetic, m)?)?;
    m.add_function(wrap_pyfunction!(option_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(outcome_change, m)?)?;
    m.add_function(wrap_pyfunction!(proportion_cis, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_true_effects, m)?)?;
    m.add_function(wrap_pyfunction!(participants, m)?)?;
    m.add_function(wrap_pyfunction!(outcome_rates, m)?)?;
    m.add_function(wrap_pyfunction!(outcome_categories, m)?)?;
    m.add_function(wrap_pyfunction!(benefit_days, m)?)?;
    m.add_function(wrap_pyfunction!(transitions, m)?)?;
    m.add_function(wrap_pyfunction!(gender_gap, m)?)?;
    m.add_function(wrap_pyfunction!(gender_gap_days, m)?)?;
    m.add_function(wrap_pyfunction!(annual_report, m)?)?;
    m.add_function(wrap_pyfunction!(catalogue, m)?)?;
    m.add_function(wrap_pyfunction!(proportion_ci, m)?)?;
    m.add_function(wrap_pyfunction!(paired_mean_ci, m)?)?;
    m.add_function(wrap_pyfunction!(newcombe_diff, m)?)?;
    m.add_function(wrap_pyfunction!(welch_diff, m)?)?;
    Ok(())
}

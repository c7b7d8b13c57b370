//! DataFrames in and out through the Arrow PyCapsule interface, and flat
//! extracts read from a path or a frame (`read_extract`).
//!
//! Frames are read through `__arrow_c_stream__` / `__arrow_c_array__`
//! (pandas ≥ 2.2, polars, pyarrow, DuckDB, …): the columns arrive as Arrow
//! arrays without a copy on the Python side, and the core reads them in
//! place. Tables go out the same way.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchReader, StructArray};
use arrow_schema::SchemaRef;
use finsam_core::arrow::BatchStream;
use finsam_core::engine::Extract;
use finsam_core::ingest::TableMapping;
use finsam_core::ingest::flat::FlatCsvOptions;
use finsam_core::{Dataset, Error, Location, Rules};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};
use pyo3_arrow::ffi::{ArrayIterator, to_stream_pycapsule};
use pyo3_arrow::input::AnyRecordBatch;

use crate::{PyDataset, argument, bad_option, detached, opt_int, policy, to_py_err};

/// `threads=`: how many threads read a CSV extract.
pub(crate) fn threads_arg(value: &Bound<'_, PyAny>) -> PyResult<usize> {
    opt_int("threads", value, 1..=1024)
}

/// `delimiter=`: one ASCII character, or `None` to detect it.
pub(crate) fn delimiter_arg(value: &Bound<'_, PyAny>) -> PyResult<Option<u8>> {
    if value.is_none() {
        return Ok(None);
    }
    let text: Option<String> = value.cast::<pyo3::types::PyString>().ok().and_then(|s| s.extract().ok());
    match text.as_deref().map(str::as_bytes) {
        Some([b]) if b.is_ascii() => Ok(Some(*b)),
        _ => Err(bad_option("delimiter", "one ASCII character such as \";\", or None to detect it", value)),
    }
}

/// Exports one record batch as an Arrow C stream capsule.
pub(crate) fn stream_capsule<'py>(
    py: Python<'py>,
    batch: RecordBatch,
    requested_schema: Option<Bound<'py, PyCapsule>>,
) -> PyResult<Bound<'py, PyCapsule>> {
    // The stream's schema is a struct field: the batch's metadata goes on it.
    let field = Arc::new(
        arrow_schema::Field::new_struct("", batch.schema().fields().clone(), false)
            .with_metadata(batch.schema().metadata().clone()),
    );
    let array: arrow_array::ArrayRef = Arc::new(StructArray::from(batch));
    let reader = Box::new(ArrayIterator::new(std::iter::once(Ok(array)), field));
    Ok(to_stream_pycapsule(py, reader, requested_schema)?)
}

/// `source` as an object that exports the Arrow PyCapsule interface, or
/// `None` if it is no Arrow source: a polars `LazyFrame` is collected with
/// polars' streaming engine, a `pyarrow.dataset.Dataset` or `Scanner`
/// becomes its record-batch reader (read batch by batch), and a duckdb
/// relation its record-batch reader; frames that export the interface
/// themselves (pandas, pyarrow, recent duckdb) are taken as they are, and a
/// polars `DataFrame` as a `pyarrow.Table` of its buffers if it can be
/// ([`polars_as_pyarrow`]).
///
/// With it, whether it is a stream to pull one batch at a time (a reader,
/// a scanner, a cursor) rather than a frame in memory.
fn arrow_exporter<'py>(source: &Bound<'py, PyAny>) -> PyResult<Option<(Bound<'py, PyAny>, bool)>> {
    let exports = |o: &Bound<'py, PyAny>| -> PyResult<bool> {
        Ok(o.hasattr("__arrow_c_stream__")? || o.hasattr("__arrow_c_array__")?)
    };
    let module: String = source.get_type().module()?.extract()?;
    if let Some(table) = polars_as_pyarrow(source)? {
        return Ok(Some((table, false)));
    }
    if exports(source)? {
        let kind = source.get_type().name()?.to_string();
        return Ok(Some((source.clone(), kind.contains("Reader") || module.starts_with("duckdb"))));
    }
    let mut streamed = true;
    let converted = if module.starts_with("polars") && source.hasattr("collect")? {
        streamed = false;
        let kwargs = PyDict::new(source.py());
        kwargs.set_item("engine", "streaming")?;
        // polars before 1.23 has no `engine`: its default collect then.
        let frame = match source.call_method("collect", (), Some(&kwargs)) {
            Ok(frame) => frame,
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyTypeError>(source.py()) => {
                source.call_method0("collect")?
            }
            Err(e) => return Err(e),
        };
        polars_as_pyarrow(&frame)?.unwrap_or(frame)
    } else if module.starts_with("pyarrow") && source.hasattr("scanner")? {
        source.call_method0("scanner")?.call_method0("to_reader")?
    } else if module.starts_with("pyarrow") && source.hasattr("to_reader")? {
        source.call_method0("to_reader")?
    } else if module.starts_with("duckdb") && source.hasattr("fetch_record_batch")? {
        source.call_method0("fetch_record_batch")?
    } else {
        return Ok(None);
    };
    Ok(exports(&converted)?.then_some((converted, streamed)))
}

/// A polars `DataFrame` as a `pyarrow.Table` of the same buffers, if
/// pyarrow is installed: polars' own `__arrow_c_stream__` converts every
/// string column to the oldest Arrow layout first (on 10 million rows of
/// the peer benchmark 0.32 s and 0.8 GB more memory), while `to_arrow` at
/// polars' newest compatibility level hands its string views over as they
/// are (0.06 s). `None` for anything but a polars `DataFrame`, and when the
/// conversion fails for any reason (no pyarrow, a pyarrow before 16 that
/// has no string views, a polars without `CompatLevel`): the frame's own
/// stream is read then, and says what is wrong with the frame if anything
/// is. An interrupt is never swallowed.
fn polars_as_pyarrow<'py>(frame: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = frame.py();
    let kind = frame.get_type();
    let module: String = kind.module()?.extract()?;
    if !module.starts_with("polars") || kind.name()? != "DataFrame" {
        return Ok(None);
    }
    let table = py.import("polars").and_then(|pl| {
        let kwargs = PyDict::new(py);
        kwargs.set_item("compat_level", pl.getattr("CompatLevel")?.call_method0("newest")?)?;
        frame.call_method("to_arrow", (), Some(&kwargs))
    });
    match table {
        Ok(table) => Ok(Some(table)),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyException>(py) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A record batch that any Arrow consumer reads through the PyCapsule
/// stream interface (how a table reaches polars without pyarrow).
#[pyclass(frozen, module = "finsam")]
pub(crate) struct ArrowStream {
    batch: RecordBatch,
}

impl ArrowStream {
    pub(crate) fn new(batch: RecordBatch) -> ArrowStream {
        ArrowStream { batch }
    }
}

#[pymethods]
impl ArrowStream {
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        stream_capsule(py, self.batch.clone(), requested_schema)
    }
}

/// The value at `row` of a column of a table's record batch, as Python
/// holds it: `int`, `float`, `bool`, `str` or `None`.
pub(crate) fn cell_to_py<'py>(
    py: Python<'py>,
    column: &dyn arrow_array::Array,
    row: usize,
) -> PyResult<Bound<'py, PyAny>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    if column.is_null(row) {
        return Ok(py.None().into_bound(py));
    }
    Ok(match column.data_type() {
        arrow_schema::DataType::Int64 => column.as_primitive::<Int64Type>().value(row).into_pyobject(py)?.into_any(),
        arrow_schema::DataType::Float64 => {
            column.as_primitive::<Float64Type>().value(row).into_pyobject(py)?.into_any()
        }
        arrow_schema::DataType::Boolean => column.as_boolean().value(row).into_pyobject(py)?.to_owned().into_any(),
        _ => match column.as_string_opt::<i32>() {
            Some(text) => text.value(row).into_pyobject(py)?.into_any(),
            None => {
                let message = format!("a table column of Arrow type {}", column.data_type());
                return Err(pyo3::exceptions::PyTypeError::new_err(message));
            }
        },
    })
}

/// The `ArgumentError` for a `source` that exports no Arrow data.
fn not_arrow(source: &Bound<'_, PyAny>, what: &str) -> PyErr {
    let kind = source.get_type().name().map_or_else(|_| "object".to_owned(), |n| n.to_string());
    to_py_err(
        source.py(),
        &argument(
            "frame",
            format!(
                "{what}: a {kind} does not export Arrow data; pass a pandas (≥ 2.2), polars (DataFrame or \
                 LazyFrame), pyarrow (Table, RecordBatchReader, dataset or scanner) or duckdb frame"
            ),
        ),
    )
}

/// The record batches of a frame-like object (anything exporting the Arrow
/// PyCapsule interface), or an `ArgumentError` naming `what`.
pub(crate) fn batches(frame: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<RecordBatch>> {
    Ok(batches_and_schema(frame, what)?.0)
}

/// As [`batches`], with the stream's schema: a stream of no batches still
/// has its columns (an empty pandas frame with columns is a valid extract
/// of no rows; one without columns lacks the required ones).
fn batches_and_schema(frame: &Bound<'_, PyAny>, what: &str) -> PyResult<(Vec<RecordBatch>, SchemaRef)> {
    let reader = reader_of(frame, what)?;
    let schema = reader.schema();
    let arrow_error = |message: String| Error::ArrowType { at: Box::new(Location::table(what)), message };
    let batches =
        reader.collect::<Result<Vec<_>, _>>().map_err(|e| to_py_err(frame.py(), &arrow_error(e.to_string())))?;
    Ok((batches, schema))
}

/// The record-batch stream of a frame-like object, not yet read (see
/// [`arrow_exporter`] for what is accepted), or an `ArgumentError`
/// naming `what`.
fn reader_of(frame: &Bound<'_, PyAny>, what: &str) -> PyResult<Box<dyn RecordBatchReader + Send>> {
    let py = frame.py();
    let Some((frame, _)) = arrow_exporter(frame)? else { return Err(not_arrow(frame, what)) };
    let arrow_error = |message: String| Error::ArrowType { at: Box::new(Location::table(what)), message };
    frame
        .extract::<AnyRecordBatch>()
        .and_then(|r| r.into_reader())
        .map_err(|e| to_py_err(py, &arrow_error(e.to_string())))
}

/// The stream of one table of `Dataset.from_frames`. A duckdb relation is
/// read whole when it is opened: opening the next table's query on the same
/// connection would end its stream.
fn table_stream(frame: &Bound<'_, PyAny>, name: &str) -> PyResult<BatchStream> {
    let module: String = frame.get_type().module()?.extract()?;
    if module.starts_with("duckdb") {
        return Ok(Box::new(batches(frame, name)?.into_iter().map(Ok)));
    }
    Ok(Box::new(reader_of(frame, name)?))
}

/// `Dataset.from_frames`: one frame per table of the data contract.
pub(crate) fn dataset_from_frames(
    py: Python<'_>,
    tables: Option<&Bound<'_, PyDict>>,
    columns: Option<HashMap<String, HashMap<String, String>>>,
    errors: &str,
    uttagsdatum: Option<finsam_core::Date>,
) -> PyResult<PyDataset> {
    let known: Vec<&str> = finsam_core::ingest::tables().iter().map(|t| t.name).collect();
    // Each table is read as a stream, one batch at a time, when its turn
    // comes: a scanner over Parquet files is never collected whole.
    let mut frames: BTreeMap<String, finsam_core::arrow::BatchStream> = BTreeMap::new();
    for (name, frame) in tables.into_iter().flat_map(|t| t.iter()) {
        let name: String = name.extract()?;
        if !known.contains(&name.as_str()) {
            let message = format!("no table named {name:?}; the tables are {}", known.join(", "));
            return Err(to_py_err(py, &argument("tables", message)));
        }
        if !frame.is_none() {
            frames.insert(name.clone(), table_stream(&frame, &name)?);
        }
    }
    let mut mapping: BTreeMap<String, TableMapping> = BTreeMap::new();
    for (table, map) in columns.unwrap_or_default() {
        if !known.contains(&table.as_str()) {
            let message = format!("no table named {table:?}; the tables are {}", known.join(", "));
            return Err(to_py_err(py, &argument("columns", message)));
        }
        let entry = mapping.entry(table).or_default();
        for (canonical, header) in map {
            *entry = std::mem::take(entry).column(&canonical, &header);
        }
    }
    let policy = policy(errors).map_err(|e| to_py_err(py, &e))?;
    let mut data = detached(py, move || Dataset::from_arrow_streams(frames, &mapping, policy, &Rules::default()))?;
    if uttagsdatum.is_some() {
        data.uttagsdatum = uttagsdatum;
    }
    Ok(PyDataset::new(data))
}

/// The readers of a flat extract into `T`: from a CSV path, from Arrow
/// record batches in memory, and from a stream of batches (a reader, a
/// scanner, a Parquet file) that keeps none once read. One of them is used.
pub(crate) struct FlatReaders<'a, T> {
    pub(crate) csv: CsvReader<'a, T>,
    pub(crate) arrow: ArrowReader<'a, T>,
    pub(crate) stream: StreamReader<'a, T>,
}

/// Reads a CSV file with the options given.
pub(crate) type CsvReader<'a, T> =
    Box<dyn FnOnce(&std::path::Path, &FlatCsvOptions) -> finsam_core::Result<T> + Send + 'a>;
/// Reads record batches in memory on the threads given.
pub(crate) type ArrowReader<'a, T> = Box<dyn FnOnce(&[RecordBatch], usize) -> finsam_core::Result<T> + Send + 'a>;
/// Reads a stream of record batches on the threads given.
pub(crate) type StreamReader<'a, T> =
    Box<dyn FnOnce(SchemaRef, BatchStream, usize) -> finsam_core::Result<T> + Send + 'a>;

impl FlatReaders<'static, Extract> {
    /// The readers into an [`Extract`].
    pub(crate) fn extract() -> Self {
        FlatReaders {
            csv: Box::new(Extract::from_csv),
            arrow: Box::new(Extract::from_record_batches),
            stream: Box::new(Extract::from_batch_stream),
        }
    }
}

/// Reads a flat extract from a CSV path or a frame by `readers`.
pub(crate) fn read_flat<T: Send>(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    threads: usize,
    delimiter: Option<u8>,
    readers: FlatReaders<'_, T>,
) -> PyResult<T> {
    read_flat_watched(py, source, threads, delimiter, readers, None)
}

/// [`read_flat`], reporting the bytes of a CSV file read to `progress`
/// (see `ProgressReport::of`; a frame in memory has none to report).
pub(crate) fn read_flat_watched<T: Send>(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    threads: usize,
    delimiter: Option<u8>,
    readers: FlatReaders<'_, T>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<T> {
    if let Ok(path) = source.extract::<PathBuf>() {
        if finsam_core::ingest::parquet::is_parquet(&path) {
            let read = readers.stream;
            return detached(py, move || {
                let (schema, stream) = finsam_core::ingest::parquet::batch_stream(&path)?;
                read(schema, stream, threads).map_err(|e| finsam_core::ingest::parquet::at_path(e, &path))
            });
        }
        let options = FlatCsvOptions { threads, delimiter, ..FlatCsvOptions::default() };
        let report = crate::ProgressReport::of(progress, crate::bytes_to_read(&path), "reading")?;
        return crate::watched(py, || (readers.csv)(&path, &options), report.as_ref());
    }
    let Some((exporter, streamed)) = arrow_exporter(source)? else { return Err(not_arrow(source, "frame")) };
    if streamed {
        // A reader, scanner or cursor: pulled one batch at a time.
        let reader = reader_of(&exporter, "frame")?;
        let schema = reader.schema();
        return detached(py, move || (readers.stream)(schema, Box::new(reader), threads));
    }
    let (mut frame, schema) = batches_and_schema(&exporter, "frame")?;
    if frame.is_empty() {
        frame.push(RecordBatch::new_empty(schema));
    }
    detached(py, move || (readers.arrow)(&frame, threads))
}

/// The participations of a flat extract, in memory: the indicator functions
/// (`outcome_rates`, `benefit_days`, …) take it in place of a `Dataset` and
/// publish the same tables, with notes on what an extract cannot say.
#[pyclass(frozen, module = "finsam", name = "Extract")]
pub(crate) struct PyExtract {
    pub(crate) inner: Arc<Extract>,
}

#[pymethods]
impl PyExtract {
    /// Rows read.
    #[getter]
    fn rows(&self) -> u64 {
        self.inner.rows()
    }

    /// The benefit groups with days in the extract (their codes).
    #[getter]
    fn groups(&self) -> Vec<&'static str> {
        self.inner.groups().iter().map(|g| g.code()).collect()
    }

    /// The latest start or end date: the cut-off unless `uttagsdatum=` is given.
    #[getter]
    fn latest(&self) -> String {
        self.inner.latest().to_string()
    }

    /// What every table of the extract says about its population.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.inner.notes()
    }

    fn __repr__(&self) -> String {
        format!("finsam.Extract(rows={}, latest={})", self.inner.rows(), self.inner.latest())
    }
}

/// Reads a flat extract (a CSV or Parquet path, a directory of Parquet part
/// files, or a pandas, polars or pyarrow frame) for the indicator functions, under the field, row and repeat rules of the flat readers.
/// `progress`: `True` for a `tqdm` bar of the bytes of a CSV file read, or
/// a function called with `(bytes_read, bytes_total)` (a CSV file only; a
/// Parquet path or a frame reports none).
#[pyfunction]
#[pyo3(signature = (source, *, threads = 2, delimiter = None, progress = None))]
fn read_extract(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = threads_arg)] threads: usize,
    #[pyo3(from_py_with = delimiter_arg)] delimiter: Option<u8>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyExtract> {
    let readers = FlatReaders::extract();
    Ok(PyExtract { inner: Arc::new(read_flat_watched(py, source, threads, delimiter, readers, progress)?) })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyExtract>()?;
    m.add_function(wrap_pyfunction!(read_extract, m)?)?;
    Ok(())
}

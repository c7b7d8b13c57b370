//! Parquet read natively, one row group at a time: a table is a file or a
//! directory of part files (as Spark, pyarrow and polars write them), and
//! each decoded batch is read into rows and dropped before the next is
//! decoded, so a table never sits in memory twice.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use crate::arrow::BatchStream;

use crate::arrow::read_batch_from;
use crate::dataset::{Listing, Loaded, TableSource, load, read_metadata};
use crate::error::{Error, Location, Result, ValidationReport};
use crate::ingest::csv::{CsvOptions, FileFormat, fold_name};
use crate::ingest::table::Record;
use crate::{Dataset, LoadSummary, Rules};

/// Rows per decoded batch: large enough to amortise the per-batch work,
/// small enough that a batch of the widest table stays a few megabytes.
const BATCH_ROWS: usize = 64 * 1024;

/// The Parquet files of `path`: the file itself, or the files of a
/// directory and its subdirectories in path order, leaving out hidden and
/// marker files (`.crc`, `_SUCCESS`, `_metadata`), as Spark and pyarrow
/// write them.
///
/// # Errors
/// `io` if `path` cannot be read; `invalid_parquet` for a directory
/// without Parquet files.
pub fn parquet_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let kind = entry.file_type().map_err(|e| Error::io(&entry.path(), e))?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if name.to_ascii_lowercase().ends_with(".parquet") {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(invalid(path, "a directory without Parquet files (*.parquet)".into()));
    }
    Ok(files)
}

/// Calls `each` with every record batch of the Parquet file or directory
/// `path` in order, with the file it comes from and the index of its first
/// row in that file (0-based). One row group is decoded at a time; the
/// interrupt is checked between batches.
///
/// ```
/// # use std::sync::Arc;
/// # use arrow_array::{ArrayRef, Int64Array, RecordBatch};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.parquet");
/// let batch = RecordBatch::try_from_iter([("x", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef)]).unwrap();
/// let mut writer = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
/// writer.write(&batch).unwrap();
/// writer.close().unwrap();
/// let mut rows = 0u64;
/// finsam_core::ingest::parquet::for_each_batch(&path, |batch, _file, first| {
///     assert_eq!(first, rows);
///     rows += batch.num_rows() as u64;
///     Ok(())
/// })?;
/// assert_eq!(rows, 3);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `io` for a file that cannot be opened, `invalid_parquet` for one that
/// is not Parquet or cannot be decoded (naming the file), or what `each`
/// returns.
pub fn for_each_batch(path: &Path, mut each: impl FnMut(&RecordBatch, &str, u64) -> Result<()>) -> Result<()> {
    for file in parquet_files(path)? {
        let mut first_row = 0u64;
        let name = file.display().to_string();
        for batch in open(&file)? {
            crate::exec::check()?;
            let batch = batch.map_err(|e| invalid(&file, e.to_string()))?;
            each(&batch, &name, first_row)?;
            first_row += batch.num_rows() as u64;
        }
    }
    Ok(())
}

/// The record batches of the Parquet file or directory `path` as a stream
/// with its schema (the first file's): one row group is decoded at a time,
/// and each part file is opened when the one before is read. An error is
/// `invalid_parquet` naming its file, carried in the stream as an Arrow
/// external error (the flat readers give it back as it is).
///
/// # Errors
/// `io` or `invalid_parquet` if the first file cannot be opened.
pub fn batch_stream(path: &Path) -> Result<(SchemaRef, BatchStream)> {
    let mut files = parquet_files(path)?.into_iter();
    let Some(first_file) = files.next() else {
        return Err(invalid(path, "no Parquet files".into()));
    };
    let first = open(&first_file)?;
    let schema = first.schema();
    let later = files.flat_map(|file| -> Box<dyn Iterator<Item = _> + Send> {
        match open(&file) {
            Ok(reader) => Box::new(decoded(reader, file)),
            Err(e) => Box::new(std::iter::once(Err(ArrowError::ExternalError(Box::new(e))))),
        }
    });
    let stream = decoded(first, first_file).chain(later);
    Ok((schema, Box::new(stream)))
}

/// The batches of one file's reader, its errors as `invalid_parquet`.
fn decoded(
    reader: ParquetRecordBatchReader,
    file: PathBuf,
) -> impl Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send {
    reader.map(move |batch| batch.map_err(|e| ArrowError::ExternalError(Box::new(invalid(&file, e.to_string())))))
}

fn open(file: &Path) -> Result<ParquetRecordBatchReader> {
    let handle = File::open(file).map_err(|e| Error::io(file, e))?;
    ParquetRecordBatchReaderBuilder::try_new(handle)
        .and_then(|b| b.with_batch_size(BATCH_ROWS).build())
        .map_err(|e| invalid(file, e.to_string()))
}

/// `e` with `path` as its source in place of the batches' table (`frame`),
/// for errors of a reader of batches read from `path`.
pub fn at_path(mut e: Error, path: &Path) -> Error {
    if let Some(at) = e.location_mut()
        && at.source.as_deref().is_none_or(|s| s.starts_with("table "))
    {
        at.source = Some(path.display().to_string());
    }
    e
}

/// `true` if `path` is a directory (of part files) or a file that begins
/// with Parquet's signature.
pub fn is_parquet(path: &Path) -> bool {
    if path.is_dir() {
        return true;
    }
    let mut head = [0u8; 4];
    File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok() && &head == b"PAR1"
}

fn invalid(path: &Path, message: String) -> Error {
    Error::InvalidParquet { at: Box::new(Location::file(path.display().to_string())), message }
}

/// A directory of Parquet tables in the data contract.
struct ParquetSource<'a> {
    listing: Listing<'a>,
    opts: &'a CsvOptions,
    summary: LoadSummary,
}

impl ParquetSource<'_> {
    /// The file or directory of table `name`: `<name>.parquet`, or a
    /// directory `<name>` of part files (or the name the mapping gives).
    ///
    /// # Errors
    /// `duplicate_file` if two entries are the table.
    fn find(&mut self, name: &'static str) -> Result<Option<PathBuf>> {
        let mapped = self.opts.mapping(name).and_then(|m| m.file.clone());
        let keys: Vec<String> = match &mapped {
            Some(file) => vec![fold_name(file)],
            None => vec![fold_name(&format!("{name}.parquet")), fold_name(name)],
        };
        self.listing.find(name, &keys, mapped.as_deref())
    }
}

impl TableSource for ParquetSource<'_> {
    fn read<T: Record>(&mut self, report: &mut ValidationReport) -> Result<Loaded<T>> {
        let name = T::SPEC.name;
        let found = self.find(name);
        let path = match Loaded::path_of(found, self.opts.skip.contains(name), report)? {
            Ok(path) => path,
            Err(table) => return Ok(table),
        };
        let mapping = self.opts.mapping(name);
        let mut rows = Vec::new();
        let mut columns: Option<Vec<String>> = None;
        let read = for_each_batch(&path, |batch, file, first_row| {
            columns.get_or_insert_with(|| batch.schema().fields().iter().map(|f| f.name().clone()).collect());
            rows.extend(read_batch_from::<T>(batch, mapping, first_row, file, report)?);
            Ok(())
        });
        match read {
            Ok(()) => {}
            Err(e @ (Error::Io { .. } | Error::Interrupted)) => return Err(e),
            // A file that cannot be read is one error among the data's.
            Err(e) => {
                report.push(e)?;
                return Ok(Loaded { rows: Vec::new(), origin: None, present: true });
            }
        }
        let names = columns.unwrap_or_default();
        let source = path.display().to_string();
        let ignored = match crate::ingest::csv::resolve_columns(T::SPEC, &names, mapping, &source) {
            Ok((_, ignored)) => ignored,
            Err(_) => Vec::new(),
        };
        let format = FileFormat {
            file: source,
            encoding: crate::dataset::PARQUET_FORMAT.into(),
            delimiter: ',',
            ignored_columns: ignored,
        };
        self.summary.files.push((name.to_owned(), format));
        Ok(Loaded { rows, origin: None, present: true })
    }
}

impl Dataset {
    /// Reads a directory of Parquet tables in the data contract: each table
    /// is `<table>.parquet` (`deltaganden.parquet`, …) or a directory
    /// `<table>/` of part files, matched as [`read_csv_dir`](Dataset::read_csv_dir)
    /// matches CSV files, with the same column mapping, skipped tables and
    /// `dataset.json`. Each file is read one row group at a time; the data
    /// set is then validated with `rules`. Errors name the file and the
    /// row within it (0-based).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use finsam_core::{Dataset, Rules, ingest::CsvOptions, synthetic::{generate, SyntheticConfig}};
    /// let data = generate(&SyntheticConfig { scale: 0.02, ..Default::default() })?;
    /// let dir = tempfile::tempdir().unwrap();
    /// for (name, batch) in data.to_arrow()? {
    ///     let file = std::fs::File::create(dir.path().join(format!("{name}.parquet"))).unwrap();
    ///     let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    ///     writer.write(&batch).unwrap();
    ///     writer.close().unwrap();
    /// }
    /// let (back, summary) = Dataset::read_parquet_dir(dir.path(), &CsvOptions::default(), &Rules::default())?;
    /// assert_eq!(back.deltaganden, data.deltaganden);
    /// assert!(summary.unmatched_files.is_empty());
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`read_csv_dir`](Dataset::read_csv_dir), with `invalid_parquet` for
    /// a file that is not Parquet or cannot be decoded.
    pub fn read_parquet_dir(dir: &Path, opts: &CsvOptions, rules: &Rules) -> Result<(Dataset, LoadSummary)> {
        if !dir.is_dir() {
            return Err(Error::io(dir, std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory")));
        }
        let mut source = ParquetSource { listing: Listing::new(dir, true)?, opts, summary: LoadSummary::default() };
        let mut data = load(&mut source, opts.policy, rules)?;
        read_metadata(dir)?.apply(&mut data);
        let mut summary = source.summary;
        summary.unmatched_files = source.listing.unmatched();
        Ok((data, summary))
    }
}

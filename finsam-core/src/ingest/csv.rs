//! Streaming CSV reading and writing of the data contract.
//!
//! Files are read record by record from a buffered reader, never slurped: a
//! 1 GB export needs memory for the typed rows only. The delimiter (`;`, `,`
//! or tab) and the encoding (UTF-8 with or without BOM, or Windows-1252, as
//! Swedish Excel writes it) are detected from the first 64 KiB unless given.
//! Fields are decoded one at a time: ASCII fields are never copied.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Write};
use std::marker::PhantomData;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::table::{FieldSink, FieldSource, Record, TableSpec};
use crate::Date;
use crate::error::{Error, ErrorPolicy, Location, Result};
use crate::model::codes::normalise;
use crate::model::{Dagar, Ore};

const SNIFF_BYTES: u64 = 64 * 1024;

/// The text encoding of a CSV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// Detect: a UTF-8 BOM means UTF-8; otherwise the first 64 KiB decide.
    /// They are UTF-8 if they hold any valid multi-byte UTF-8 sequence (as
    /// `ö` is in UTF-8), or no byte ≥ 0x80 at all; they are Windows-1252
    /// only if they hold bytes ≥ 0x80 and not one valid multi-byte UTF-8
    /// sequence. So one stray invalid byte in a UTF-8 file is an
    /// `invalid_encoding` error at its line, not a reason to read every
    /// `å`, `ä` and `ö` of the file as two wrong letters; and Swedish text
    /// in Windows-1252 (`ö` alone is 0xF6) practically never forms a valid
    /// UTF-8 sequence. If a later line is not valid in the detected
    /// encoding, reading fails with `invalid_encoding` naming the line,
    /// never with mangled text.
    #[default]
    Auto,
    /// UTF-8 (a BOM is skipped).
    #[serde(rename = "utf-8")]
    Utf8,
    /// Windows-1252 (Swedish Excel's "CSV (semikolonavgränsad)").
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// How the headers of one table's file map to the contract.
///
/// ```
/// use finsam_core::ingest::TableMapping;
/// let m = TableMapping::default().column("deltagare_id", "LopNr").file("deltagare_2020.csv");
/// assert_eq!(m.columns["deltagare_id"], "LopNr");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableMapping {
    /// The file name in a data set directory, if not `<table>.csv`.
    #[serde(default)]
    pub file: Option<String>,
    /// Contract column → header in the file, for the columns named differently.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

impl TableMapping {
    /// Maps the contract column `canonical` to the file's header `header`.
    pub fn column(mut self, canonical: &str, header: &str) -> Self {
        self.columns.insert(canonical.to_owned(), header.to_owned());
        self
    }

    /// Reads the table from `file` instead of `<table>.csv`.
    pub fn file(mut self, file: &str) -> Self {
        self.file = Some(file.to_owned());
        self
    }
}

/// Options for reading CSV.
///
/// A column mapping can be kept as JSON beside the export:
///
/// ```
/// use finsam_core::ingest::CsvOptions;
/// let opts: CsvOptions = serde_json::from_str(r#"{
///     "encoding": "windows-1252",
///     "tables": {"deltaganden": {"columns": {"deltagare_id": "LopNr", "kon": "Kön"}}}
/// }"#).unwrap();
/// assert_eq!(opts.tables["deltaganden"].columns["kon"], "Kön");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// The delimiter; `None` detects `;`, `,` or tab from the header line.
    pub delimiter: Option<u8>,
    /// The encoding.
    pub encoding: Encoding,
    /// Stop at the first error, or collect them all.
    pub policy: ErrorPolicy,
    /// Per table (by name, e.g. `deltaganden`): file name and header mapping.
    pub tables: BTreeMap<String, TableMapping>,
    /// Tables not to read from a directory (e.g. `deltaganden` when it is
    /// streamed in chunks instead).
    pub skip: std::collections::BTreeSet<String>,
}

impl CsvOptions {
    /// Sets the error policy.
    pub fn policy(mut self, policy: ErrorPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the encoding.
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Sets the delimiter.
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    /// Sets the mapping of one table.
    pub fn table(mut self, table: &str, mapping: TableMapping) -> Self {
        self.tables.insert(table.to_owned(), mapping);
        self
    }

    pub(crate) fn mapping(&self, table: &str) -> Option<&TableMapping> {
        self.tables.get(table)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decoder {
    Utf8,
    Windows1252,
}

impl Decoder {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Decoder::Utf8 => "UTF-8",
            Decoder::Windows1252 => "Windows-1252",
        }
    }

    pub(crate) fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Decoder::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Decoder::Windows1252 => Some(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0),
        }
    }

    pub(crate) fn lossy(self, bytes: &[u8]) -> String {
        match self {
            Decoder::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Decoder::Windows1252 => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
        }
    }
}

/// What was detected about a file, for the load summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFormat {
    /// The file (its path, or the name given to a reader).
    pub file: String,
    /// The encoding used: `UTF-8` or `Windows-1252`.
    pub encoding: String,
    /// The delimiter used.
    pub delimiter: char,
    /// Headers in the file that the contract does not use (they are not read).
    pub ignored_columns: Vec<String>,
}

/// Reads the rows of one table from CSV, one at a time.
///
/// ```
/// use finsam_core::ingest::{CsvOptions, CsvReader};
/// use finsam_core::AnonymaDeltagare;
/// let text = "insats_id;ar;kon;antal\n10;2020;K;4\n10;2020;M;3\n";
/// let rows: Vec<AnonymaDeltagare> = CsvReader::from_reader(text.as_bytes(), "anonyma.csv", &CsvOptions::default())?
///     .collect::<Result<_, _>>()?;
/// assert_eq!(rows.len(), 2);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub struct CsvReader<T> {
    reader: csv::Reader<Box<dyn Read + Send>>,
    source: String,
    headers: Vec<String>,
    positions: Vec<Option<usize>>,
    decoder: Decoder,
    format: FileFormat,
    /// The current record as bytes, or (`utf8` true) as validated text.
    record: csv::ByteRecord,
    text: csv::StringRecord,
    utf8: bool,
    row: u64,
    line: u64,
    /// Added to the csv crate's line of a record (see [`record_line`]).
    line_shift: u64,
    _row_type: PhantomData<fn() -> T>,
}

impl<T: Record> CsvReader<T> {
    /// Opens `path` for reading rows of `T`.
    ///
    /// # Errors
    /// `io` if the file cannot be opened; `missing_column`,
    /// `duplicate_column` or `invalid_encoding` for the header.
    pub fn open(path: &Path, opts: &CsvOptions) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Self::from_reader(file, &path.display().to_string(), opts)
    }

    /// Reads rows of `T` from any reader; `source` names it in errors.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub fn from_reader(reader: impl Read + Send + 'static, source: &str, opts: &CsvOptions) -> Result<Self> {
        let Sniffed { reader: chained, decoder, delimiter, crlf, .. } = sniff(reader, source, opts)?;
        let mut csv_reader =
            csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(chained);

        let mut header_record = csv::ByteRecord::new();
        let got = csv_reader.read_byte_record(&mut header_record).map_err(|e| csv_error(e, source))?;
        let headers = if got { decode_headers(&header_record, decoder, source)? } else { Vec::new() };
        let mapping = opts.mapping(T::SPEC.name);
        let (positions, ignored) = resolve_columns(T::SPEC, &headers, mapping, source)?;
        Ok(CsvReader {
            reader: csv_reader,
            source: source.to_owned(),
            headers,
            positions,
            decoder,
            format: FileFormat {
                file: source.to_owned(),
                encoding: decoder.name().to_owned(),
                delimiter: char::from(delimiter),
                ignored_columns: ignored,
            },
            record: csv::ByteRecord::new(),
            text: csv::StringRecord::new(),
            utf8: false,
            row: 0,
            line: 1,
            line_shift: u64::from(crlf),
            _row_type: PhantomData,
        })
    }

    /// What was detected about the file.
    pub fn format(&self) -> &FileFormat {
        &self.format
    }

    /// The 1-based line where the last record returned starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    fn next_row(&mut self) -> Option<Result<T>> {
        // Asked to stop: before a record is read, so none is read and lost.
        if self.row.is_multiple_of(65_536)
            && let Err(e) = crate::exec::check()
        {
            return Some(Err(e));
        }
        if self.utf8 {
            self.record = std::mem::take(&mut self.text).into_byte_record();
            self.utf8 = false;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Err(e) => {
                self.line += 1;
                Some(Err(csv_error(e, &self.source)))
            }
            Ok(true) => {
                self.line = record_line(&self.record, self.line, self.line_shift);
                let row = self.row;
                self.row += 1;
                if self.record.len() == 1 && self.record.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace)) {
                    // A blank line carries no data; csv reports it as one empty field.
                    return self.next_row();
                }
                if self.record.len() != self.headers.len() {
                    return Some(Err(Error::WrongFieldCount {
                        at: Box::new(Location::file(&self.source).line(self.line).row(row)),
                        expected: self.headers.len() as u64,
                        found: self.record.len() as u64,
                    }));
                }
                if self.decoder == Decoder::Utf8 {
                    // Validate the record's text once, not field by field.
                    match csv::StringRecord::from_byte_record(std::mem::take(&mut self.record)) {
                        Ok(text) => {
                            self.text = text;
                            self.utf8 = true;
                        }
                        Err(e) => self.record = e.into_byte_record(),
                    }
                }
                let fields = CsvFields { reader: self, row };
                Some(T::read(&fields))
            }
        }
    }
}

impl<T: Record> Iterator for CsvReader<T> {
    type Item = Result<T>;
    fn next(&mut self) -> Option<Result<T>> {
        self.next_row()
    }
}

/// A CSV stream with what was detected from its first 64 KiB.
pub(crate) struct Sniffed {
    /// The stream: the sample (without a BOM), then the rest.
    pub(crate) reader: Box<dyn Read + Send>,
    /// The encoding, as given or detected.
    pub(crate) decoder: Decoder,
    /// The delimiter, as given or detected.
    pub(crate) delimiter: u8,
    /// The stream began with a UTF-8 byte order mark.
    pub(crate) bom: bool,
    /// The first line ends in `\r\n`.
    pub(crate) crlf: bool,
}

/// Refuses a file whose first bytes are the signature of a binary format
/// (Parquet, Arrow IPC, a zip archive such as an Excel workbook, gzip, …):
/// parsed as text it would give a misleading error at best, and at worst
/// a "header" of binary garbage.
///
/// ```
/// use finsam_core::ingest::csv::refuse_binary;
/// assert!(refuse_binary(b"PAR1\x15\x04", "x.csv").unwrap_err().to_string().contains("Parquet"));
/// assert!(refuse_binary(b"deltagare_id;forbund_id\n", "x.csv").is_ok());
/// ```
///
/// # Errors
/// `not_csv` naming the format and how to read it.
pub fn refuse_binary(head: &[u8], source: &str) -> Result<()> {
    const FRAME: &str = "read it with polars or pyarrow and pass the frame instead";
    let signatures: [(&[u8], &str, &str); 7] = [
        (
            b"PAR1",
            "a Parquet file",
            "read it as Parquet: Dataset::read_parquet_dir or Extract::from_parquet (in Python Dataset.from_parquet, or read_extract and partial, which take Parquet paths)",
        ),
        (b"ARROW1", "an Arrow IPC (Feather) file", FRAME),
        (
            b"PK\x03\x04",
            "a zip archive (such as an Excel .xlsx workbook)",
            "save the sheet as CSV, or unpack the archive",
        ),
        (b"\xD0\xCF\x11\xE0", "an Excel 97-2003 workbook (.xls)", "save the sheet as CSV"),
        (b"\x1F\x8B", "a gzip-compressed file", "decompress it first (gunzip)"),
        (b"\x28\xB5\x2F\xFD", "a zstd-compressed file", "decompress it first (unzstd)"),
        (b"SQLite format 3\0", "an SQLite database", "export the table as CSV"),
    ];
    match signatures.iter().find(|(magic, _, _)| head.starts_with(magic)) {
        Some(&(_, format, advice)) => Err(Error::NotCsv { at: Box::new(Location::file(source)), format, advice }),
        None => Ok(()),
    }
}

/// Reads the first 64 KiB of `reader` and decides its encoding and
/// delimiter as `opts` asks (see [`Encoding::Auto`]); every reader of CSV
/// starts here.
pub(crate) fn sniff(reader: impl Read + Send + 'static, source: &str, opts: &CsvOptions) -> Result<Sniffed> {
    let mut reader = BufReader::with_capacity(256 * 1024, crate::exec::Counted::new(reader));
    let mut head = Vec::with_capacity(SNIFF_BYTES as usize);
    (&mut reader).take(SNIFF_BYTES).read_to_end(&mut head).map_err(|e| Error::io(Path::new(source), e))?;
    refuse_binary(&head, source)?;
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    if bom {
        head.drain(..3);
    }
    let decoder = match opts.encoding {
        Encoding::Utf8 => Decoder::Utf8,
        Encoding::Windows1252 => Decoder::Windows1252,
        Encoding::Auto if bom => Decoder::Utf8,
        Encoding::Auto => sniff_encoding(&head),
    };
    let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(&head));
    let crlf = head.iter().position(|&b| b == b'\n').is_some_and(|i| i > 0 && head[i - 1] == b'\r');
    Ok(Sniffed { reader: Box::new(Cursor::new(head).chain(reader)), decoder, delimiter, bom, crlf })
}

/// The header record as text, trimmed; `invalid_encoding` names the column
/// by its position.
pub(crate) fn decode_headers(record: &csv::ByteRecord, decoder: Decoder, source: &str) -> Result<Vec<String>> {
    record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            decoder.decode(h).map(|s| s.trim().to_owned()).ok_or_else(|| Error::InvalidEncoding {
                at: Box::new(Location::file(source).line(1).column(format!("#{}", i + 1)).value(decoder.lossy(h))),
                encoding: decoder.name(),
            })
        })
        .collect()
}

/// The 1-based line where `record` starts. The csv crate counts a line at
/// each `\n` it consumes, but after a record ended by `\r\n` it consumes
/// the `\n` only when it reads the next record, after taking that record's
/// position: in a file with Windows line endings every record after the
/// header would be named one line too early. `shift` is 1 for such a file
/// (its first line ends in `\r\n`, see [`Sniffed::crlf`]), else 0.
pub(crate) fn record_line(record: &csv::ByteRecord, previous: u64, shift: u64) -> u64 {
    record.position().map_or(previous + 1, |p| p.line() + shift)
}

/// The csv crate reads bytes with flexible field counts, so the only
/// error it can report here is an I/O error.
pub(crate) fn csv_error(e: csv::Error, source: &str) -> Error {
    let io = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
    };
    Error::io(Path::new(source), io)
}

/// The rule of [`Encoding::Auto`] without a BOM: UTF-8 if the sample has a
/// valid multi-byte UTF-8 sequence or no byte ≥ 0x80; Windows-1252 only if
/// it has bytes ≥ 0x80 and no valid multi-byte sequence. A sequence cut by
/// the end of a full sample is neither evidence: the rest of it lies
/// beyond the sample.
fn sniff_encoding(head: &[u8]) -> Decoder {
    let full = head.len() as u64 >= SNIFF_BYTES - 3;
    let mut multi_byte = false;
    let mut invalid = false;
    let mut chunks = head.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        multi_byte |= !chunk.valid().is_ascii();
        let bad = chunk.invalid();
        // Only the last chunk can end in an incomplete sequence (`error_len` is `None`).
        let cut_at_end =
            full && chunks.peek().is_none() && std::str::from_utf8(bad).is_err_and(|e| e.error_len().is_none());
        invalid |= !bad.is_empty() && !cut_at_end;
    }
    if multi_byte || !invalid { Decoder::Utf8 } else { Decoder::Windows1252 }
}

/// The most frequent of `;`, `,` and tab outside quotes on the header line;
/// `;` on a tie, as Swedish exports use it.
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in head.iter().take_while(|&&b| b != b'\n') {
        match b {
            b'"' => in_quotes = !in_quotes,
            b';' if !in_quotes => counts[0] += 1,
            b',' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b',', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    if counts[best] == 0 { b';' } else { candidates[best] }
}

/// A header or file name folded for matching: case, Swedish diacritics and
/// separators (` `, `-`, `_`, `.`) do not matter, so `Kön`, `Förbund ID` and
/// `forbund_id` match, and `Deltaganden.CSV` is `deltaganden.csv`. Every
/// reader of named columns (CSV and Arrow, contract and flat extract) and
/// of the files of a directory folds with it.
pub(crate) fn fold_name(h: &str) -> String {
    let mut buf = [0u8; 64];
    match normalise(h, &mut buf) {
        Some(k) => String::from_utf8_lossy(k).into_owned(),
        None => h.trim().to_lowercase(),
    }
}

/// The position of the one folded header equal to `key`, or `Err` with
/// the position of a second one (a used column must not be ambiguous).
pub(crate) fn find_header(keys: &[String], key: &str) -> std::result::Result<Option<usize>, usize> {
    let mut found = keys.iter().enumerate().filter(|(_, k)| *k == key).map(|(i, _)| i);
    let first = found.next();
    match found.next() {
        Some(second) => Err(second),
        None => Ok(first),
    }
}

/// For each contract column, its index in the file; and the file's unused headers.
pub(crate) fn resolve_columns(
    spec: &TableSpec,
    headers: &[String],
    mapping: Option<&TableMapping>,
    source: &str,
) -> Result<(Vec<Option<usize>>, Vec<String>)> {
    let keys: Vec<String> = headers.iter().map(|h| fold_name(h)).collect();
    let mut used = vec![false; headers.len()];
    let mut positions = Vec::with_capacity(spec.columns.len());
    for column in spec.columns {
        let wanted = mapping.and_then(|m| m.columns.get(column.name)).map_or(column.name, String::as_str);
        let first = find_header(&keys, &fold_name(wanted)).map_err(|second| Error::DuplicateColumn {
            at: Box::new(Location::file(source).line(1).column(headers[second].clone())),
        })?;
        if first.is_none() && column.required {
            return Err(Error::MissingColumn {
                at: Box::new(Location::file(source).line(1).column(wanted)),
                found: headers.join(", "),
            });
        }
        if let Some(i) = first {
            used[i] = true;
        }
        positions.push(first);
    }
    let ignored = headers.iter().zip(used).filter(|(_, u)| !u).map(|(h, _)| h.clone()).collect();
    Ok((positions, ignored))
}

struct CsvFields<'r, T> {
    reader: &'r CsvReader<T>,
    row: u64,
}

impl<T> CsvFields<'_, T> {
    fn raw(&self, col: usize) -> Option<&[u8]> {
        let r = self.reader;
        let i = r.positions[col]?;
        if r.utf8 { r.text.get(i).map(str::as_bytes) } else { r.record.get(i) }
    }
}

impl<T> FieldSource for CsvFields<'_, T> {
    fn at(&self, col: usize) -> Location {
        let r = self.reader;
        let mut at = Location::file(&r.source).line(r.line).row(self.row);
        if let Some(i) = r.positions[col] {
            at = at.column(r.headers[i].clone());
        }
        if let Some(raw) = self.raw(col) {
            at = at.value(r.decoder.lossy(raw).trim());
        }
        at
    }

    fn text(&self, col: usize) -> Result<Option<Cow<'_, str>>> {
        let Some(raw) = self.raw(col) else {
            return Ok(None);
        };
        let decoded = self.reader.decoder.decode(raw).ok_or_else(|| Error::InvalidEncoding {
            at: Box::new(self.at(col)),
            encoding: self.reader.decoder.name(),
        })?;
        let trimmed = match decoded {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
        };
        Ok((!trimmed.is_empty()).then_some(trimmed))
    }
}

/// Reads every row of `T` from `path`, applying the policy to each error.
/// Returns the rows and the 1-based line of each.
pub(crate) fn read_all<T: Record>(
    path: &Path,
    opts: &CsvOptions,
    report: &mut crate::ValidationReport,
) -> Result<(Vec<T>, Vec<u64>, FileFormat)> {
    let mut reader = CsvReader::<T>::open(path, opts)?;
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    while let Some(item) = reader.next() {
        if let Some(row) = report.check(item)? {
            rows.push(row);
            lines.push(reader.line());
        }
    }
    Ok((rows, lines, reader.format.clone()))
}

/// Writes rows of one table as CSV (`;`-separated, UTF-8, canonical headers,
/// ISO dates, kronor with two decimals).
///
/// ```
/// use finsam_core::ingest::write_csv;
/// use finsam_core::{AnonymaDeltagare, InsatsId, Kon};
/// let rows = [AnonymaDeltagare { insats: InsatsId(10), ar: 2020, kon: Kon::Kvinna, antal: 4 }];
/// let mut out = Vec::new();
/// write_csv(&mut out, &rows)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "insats_id;ar;kon;antal\n10;2020;kvinna;4\n");
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `io` if writing fails.
pub fn write_csv<'a, T: Record + 'a, W: Write>(out: W, rows: impl IntoIterator<Item = &'a T>) -> Result<()> {
    let mut sink =
        CsvSink { writer: csv::WriterBuilder::new().delimiter(b';').from_writer(out), buf: String::new(), error: None };
    let header: Vec<&str> = T::SPEC.columns.iter().map(|c| c.name).collect();
    sink.writer.write_record(&header).map_err(write_error)?;
    for row in rows {
        row.write(&mut sink);
        if let Some(e) = sink.error.take() {
            return Err(write_error(e));
        }
        sink.writer.write_record(None::<&[u8]>).map_err(write_error)?;
    }
    sink.writer.flush().map_err(|e| Error::io(Path::new("<csv output>"), e))
}

fn write_error(e: csv::Error) -> Error {
    csv_error(e, "<csv output>")
}

struct CsvSink<W: Write> {
    writer: csv::Writer<W>,
    buf: String,
    error: Option<csv::Error>,
}

impl<W: Write> CsvSink<W> {
    fn field(&mut self, value: Option<std::fmt::Arguments<'_>>) {
        use std::fmt::Write as _;
        self.buf.clear();
        if let Some(args) = value {
            let _ = self.buf.write_fmt(args);
        }
        if let Err(e) = self.writer.write_field(self.buf.as_bytes()) {
            self.error.get_or_insert(e);
        }
    }
}

impl<W: Write> FieldSink for CsvSink<W> {
    fn int(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.field(Some(format_args!("{v}"))),
            None => self.field(None),
        }
    }
    fn date(&mut self, v: Option<Date>) {
        match v {
            Some(v) => self.field(Some(format_args!("{v}"))),
            None => self.field(None),
        }
    }
    fn text(&mut self, v: Option<&str>) {
        match v {
            Some(v) => self.field(Some(format_args!("{v}"))),
            None => self.field(None),
        }
    }
    fn bool(&mut self, v: Option<bool>) {
        self.text(v.map(|b| if b { "ja" } else { "nej" }));
    }
    fn money(&mut self, v: Option<Ore>) {
        match v {
            Some(v) => self.field(Some(format_args!("{v}"))),
            None => self.field(None),
        }
    }
    fn days(&mut self, v: Option<Dagar>) {
        match v {
            Some(v) => self.field(Some(format_args!("{v}"))),
            None => self.field(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_detected_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,2;3"), b';');
        assert_eq!(sniff_delimiter(b"a,b,\"c;d\"\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter(b"single\n"), b';');
    }

    #[test]
    fn encoding_is_sniffed() {
        assert_eq!(sniff_encoding("kön;år\n".as_bytes()), Decoder::Utf8);
        assert_eq!(sniff_encoding(b"k\xF6n;\xE5r\n"), Decoder::Windows1252);
        assert_eq!(sniff_encoding(b"kon;ar\n"), Decoder::Utf8);
        // Valid multi-byte UTF-8 and one stray byte: UTF-8 (the byte is an error where it is).
        assert_eq!(sniff_encoding(b"k\xC3\xB6n;\xF6\n"), Decoder::Utf8);
        // A character cut by the end of a full sample is no evidence either way.
        let mut head = vec![b'a'; SNIFF_BYTES as usize - 1];
        head.push(0xC3);
        assert_eq!(sniff_encoding(&head), Decoder::Utf8);
        // In a short file the same byte is all there is: Windows-1252 (Ã).
        assert_eq!(sniff_encoding(b"a\xC3"), Decoder::Windows1252);
    }
}

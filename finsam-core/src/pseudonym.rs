//! Keyed pseudonymisation of a personnummer column, in a CSV stream or in
//! Arrow record batches.
//!
//! Each value of the column is parsed as a [`Personnummer`] (every written
//! form of one number gives the same twelve digits) and replaced by its
//! [`PersonId`]: the first 63 bits of HMAC-SHA-256(key, twelve digits),
//! written as a whole number, which is what the data contract's
//! `deltagare_id` holds. Every other column is kept as it is: in CSV the
//! bytes of every other field (quoting is redone where a field needs it),
//! the delimiter, the encoding, a byte order mark and the line ending; in
//! Arrow every other column, the schema's metadata and the field's
//! metadata.
//!
//! A value that is not a valid personnummer is never hashed. It is reported
//! with its line and row (never its value), and the caller chooses: fail
//! (at the first, or after collecting every one, see [`ErrorPolicy`]), or
//! write the row to a separate reject file and go on.
//!
//! # Why a key
//!
//! There are only about 40 million possible personnummer (a date of birth
//! in the last 120 years × 1000 serial numbers, with the check digit given).
//! A plain hash such as SHA-256 of the number is therefore no protection:
//! anyone can hash all of them in minutes and look every pseudonym up. With
//! HMAC the pseudonyms can only be computed by whoever holds the key, so the
//! key must be long and random (at least [`PseudonymKey::MIN_BYTES`]
//! bytes, e.g. `openssl rand -hex 32 > study.key`), kept apart from the
//! pseudonymised data, readable only by the person who pseudonymises, and
//! the same for every extract of one study (so that the pseudonyms link).
//! It is read from a file or an environment variable, never from a command
//! line (where other users and the shell's history can see it), and it is
//! never written to a log: [`PseudonymKey`]'s `Debug` hides it.
//!
//! ```
//! use finsam_core::pseudonym::{PseudonymKey, PseudonymOptions, pseudonymise_csv};
//! use finsam_core::Date;
//! let key = PseudonymKey::new(b"0123456789abcdef0123456789abcdef".to_vec())?;
//! let opts = PseudonymOptions::new("personnummer").reference_date(Date::from_ymd(2025, 6, 1).unwrap());
//! let input = "personnummer;kon\n19800101-1231;K\n8001011231;K\n";
//! let mut out = Vec::new();
//! let summary = pseudonymise_csv(input.as_bytes(), "in.csv", &mut out, None, &key, &opts)?;
//! assert_eq!(summary.pseudonymised, 2);
//! let text = String::from_utf8(out).unwrap();
//! let ids: Vec<&str> = text.lines().skip(1).map(|l| l.split(';').next().unwrap()).collect();
//! assert_eq!(ids[0], ids[1]); // two forms of one number, one pseudonym
//! # Ok::<(), finsam_core::Error>(())
//! ```

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorPolicy, Location, Result, ValidationReport};
use crate::ingest::Encoding;
use crate::ingest::csv::{CsvOptions, csv_error, decode_headers, fold_name, record_line, sniff};
use crate::model::PersonId;
use crate::personnummer::{self, Personnummer, Reason};
use crate::{Date, ingest::csv::Decoder};

/// A secret key for [`PersonId`]s. `Debug` shows its length only; the
/// bytes are overwritten with zeros when it is dropped.
///
/// ```
/// use finsam_core::pseudonym::PseudonymKey;
/// let key = PseudonymKey::new(b"0123456789abcdef".to_vec())?;
/// assert_eq!(format!("{key:?}"), "PseudonymKey(16 bytes)");
/// assert!(PseudonymKey::new(b"short".to_vec()).is_err());
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub struct PseudonymKey {
    bytes: Vec<u8>,
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PseudonymKey({} bytes)", self.bytes.len())
    }
}

impl Drop for PseudonymKey {
    fn drop(&mut self) {
        self.bytes.fill(0);
    }
}

impl PseudonymKey {
    /// The shortest key accepted: 16 bytes (128 bits).
    pub const MIN_BYTES: usize = 16;

    /// A key of these bytes.
    ///
    /// # Errors
    /// `invalid_argument` if it is shorter than [`MIN_BYTES`](Self::MIN_BYTES).
    ///
    /// ```
    /// use finsam_core::pseudonym::PseudonymKey;
    /// assert_eq!(PseudonymKey::new(vec![7; 15]).unwrap_err().code(), "invalid_argument");
    /// ```
    pub fn new(bytes: Vec<u8>) -> Result<PseudonymKey> {
        let key = PseudonymKey { bytes };
        if key.bytes.len() < Self::MIN_BYTES {
            return Err(Error::InvalidArgument {
                name: "key",
                message: format!(
                    "a key of {} bytes is too short to be secret; use at least {} random bytes (e.g. `openssl rand \
                     -hex 32`)",
                    key.bytes.len(),
                    Self::MIN_BYTES
                ),
            });
        }
        Ok(key)
    }

    /// The key in a file: its bytes, without one final line ending (`\n`
    /// or `\r\n`) such as an editor or `openssl rand -hex 32 > key` adds.
    ///
    /// # Errors
    /// `io` if the file cannot be read; `invalid_argument` if the key is
    /// too short.
    ///
    /// ```
    /// use finsam_core::pseudonym::PseudonymKey;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("study.key");
    /// std::fs::write(&path, "0123456789abcdef\n").unwrap();
    /// let from_file = PseudonymKey::from_file(&path)?;
    /// assert_eq!(from_file.as_bytes(), b"0123456789abcdef");
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn from_file(path: &Path) -> Result<PseudonymKey> {
        let mut bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        if bytes.ends_with(b"\n") {
            bytes.pop();
            if bytes.ends_with(b"\r") {
                bytes.pop();
            }
        }
        PseudonymKey::new(bytes)
    }

    /// The key in an environment variable (its UTF-8 text).
    ///
    /// # Errors
    /// `invalid_argument` if the variable is not set, not UTF-8, or too
    /// short. The message names the variable, never its value.
    ///
    /// ```
    /// use finsam_core::pseudonym::PseudonymKey;
    /// let e = PseudonymKey::from_env("FINSAM_NO_SUCH_VARIABLE").unwrap_err();
    /// assert!(e.to_string().contains("FINSAM_NO_SUCH_VARIABLE"));
    /// ```
    pub fn from_env(variable: &str) -> Result<PseudonymKey> {
        let refuse = |why: &str| Error::InvalidArgument {
            name: "key_env",
            message: format!("the environment variable {variable} {why}"),
        };
        match std::env::var_os(variable) {
            None => Err(refuse("is not set")),
            Some(value) => match value.into_string() {
                Ok(text) => PseudonymKey::new(text.into_bytes()),
                Err(_) => Err(refuse("is not valid UTF-8")),
            },
        }
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The pseudonym of a valid personnummer under this key.
    ///
    /// ```
    /// use finsam_core::pseudonym::PseudonymKey;
    /// use finsam_core::personnummer::Personnummer;
    /// use finsam_core::Date;
    /// let key = PseudonymKey::new(b"0123456789abcdef".to_vec())?;
    /// let p = Personnummer::parse("811218-9876", Date::from_ymd(2025, 6, 1).unwrap()).unwrap();
    /// assert_eq!(key.pseudonym(&p), p.pseudonymise(b"0123456789abcdef"));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn pseudonym(&self, number: &Personnummer) -> PersonId {
        number.pseudonymise(&self.bytes)
    }
}

/// What to pseudonymise and how.
///
/// ```
/// use finsam_core::pseudonym::PseudonymOptions;
/// use finsam_core::ErrorPolicy;
/// let opts = PseudonymOptions::new("pnr").policy(ErrorPolicy::COLLECT).delimiter(b',');
/// assert_eq!(opts.column, "pnr");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PseudonymOptions {
    /// The column holding the personnummer (matched as the readers match
    /// headers: case, Swedish diacritics and separators do not matter).
    pub column: String,
    /// The date that decides a ten-digit number's century; `None`: today.
    pub reference_date: Option<Date>,
    /// How the file is read, as every reader reads it: encoding and
    /// delimiter (detected by default), and the error policy. When invalid
    /// numbers fail the run, the policy says whether to stop at the first or
    /// collect them all; structural errors (a record with the wrong number
    /// of fields) follow it too.
    pub csv: CsvOptions,
}

impl PseudonymOptions {
    /// Pseudonymise `column`, failing at the first invalid number.
    pub fn new(column: &str) -> PseudonymOptions {
        PseudonymOptions { column: column.to_owned(), reference_date: None, csv: CsvOptions::default() }
    }

    /// Sets the reference date.
    pub fn reference_date(mut self, date: Date) -> Self {
        self.reference_date = Some(date);
        self
    }

    /// Sets the error policy.
    pub fn policy(mut self, policy: ErrorPolicy) -> Self {
        self.csv = self.csv.policy(policy);
        self
    }

    /// Sets the CSV encoding.
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.csv = self.csv.encoding(encoding);
        self
    }

    /// Sets the CSV delimiter.
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.csv = self.csv.delimiter(delimiter);
        self
    }

    fn reference(&self) -> Date {
        self.reference_date.unwrap_or_else(personnummer::today)
    }
}

/// What a pseudonymisation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PseudonymSummary {
    /// Data rows read (blank lines are not rows).
    pub rows: u64,
    /// Rows written with a pseudonym.
    pub pseudonymised: u64,
    /// Rows written to the reject output.
    pub rejected: u64,
}

/// The name of the reject file's added columns: the 1-based line of the
/// row in the input, and the [`Reason`] code.
pub const REJECT_COLUMNS: [&str; 2] = ["finsam_line", "finsam_reason"];

/// Pseudonymises the column of a CSV stream, record by record.
///
/// With `rejects` given, rows with an invalid number go there unchanged
/// (they still hold the real number: treat the file as the input is
/// treated), with two columns added ([`REJECT_COLUMNS`]: the input line and
/// the reason); otherwise an invalid number is an `invalid_personnummer`
/// error naming its line, row and column, under `opts.csv.policy`. Under
/// `Collect` the output is incomplete when an error is returned: discard it
/// ([`pseudonymise_csv_file`] does).
///
/// # Errors
/// `io`; `missing_column` / `duplicate_column` for the column;
/// `invalid_encoding` for a header; `wrong_field_count`;
/// `invalid_personnummer`; `invalid_data` collecting them.
///
/// ```
/// use finsam_core::pseudonym::{PseudonymKey, PseudonymOptions, pseudonymise_csv};
/// use finsam_core::Date;
/// let key = PseudonymKey::new(b"0123456789abcdef".to_vec())?;
/// let opts = PseudonymOptions::new("pnr").reference_date(Date::from_ymd(2025, 6, 1).unwrap());
/// let input = "pnr,ort\n19800101-1234,Umeå\n811218-9876,\"Luleå, C\"\n";
/// let (mut out, mut rejects) = (Vec::new(), Vec::new());
/// let s = pseudonymise_csv(input.as_bytes(), "in.csv", &mut out, Some(&mut rejects), &key, &opts)?;
/// assert_eq!((s.rows, s.pseudonymised, s.rejected), (2, 1, 1));
/// assert_eq!(String::from_utf8(rejects).unwrap(), "pnr,ort,finsam_line,finsam_reason\n19800101-1234,Umeå,2,check_digit\n");
/// assert!(String::from_utf8(out).unwrap().ends_with(",\"Luleå, C\"\n"));
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn pseudonymise_csv(
    input: impl Read + Send + 'static,
    source: &str,
    mut output: impl Write,
    rejects: Option<&mut dyn Write>,
    key: &PseudonymKey,
    opts: &PseudonymOptions,
) -> Result<PseudonymSummary> {
    let sniffed = sniff(input, source, &opts.csv)?;
    let (decoder, delimiter) = (sniffed.decoder, sniffed.delimiter);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(sniffed.reader);
    let mut header = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut header).map_err(|e| csv_error(e, source))? {
        header.clear();
    }
    let headers = decode_headers(&header, decoder, source)?;
    let col = find_column(&headers, &opts.column, source)?;

    let out_name = OUTPUT_NAME;
    let writer = |w| csv_writer(w, sniffed.bom, sniffed.crlf, delimiter);
    let write_err = |e: csv::Error| csv_error(e, out_name);
    let mut out = writer(&mut output as &mut dyn Write)?;
    out.write_byte_record(&header).map_err(write_err)?;
    let mut rejects = match rejects {
        Some(w) => {
            let mut r = writer(w)?;
            let mut h = header.clone();
            for c in REJECT_COLUMNS {
                h.push_field(c.as_bytes());
            }
            r.write_byte_record(&h).map_err(write_err)?;
            Some(r)
        }
        None => None,
    };

    let reference = opts.reference();
    let mut report = ValidationReport::new(opts.csv.policy);
    let mut summary = PseudonymSummary::default();
    let mut record = csv::ByteRecord::new();
    let mut id = String::with_capacity(20);
    let mut row = 0u64;
    let mut line = 1u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Err(e) => return Err(csv_error(e, source)),
            Ok(true) => {}
        }
        line = record_line(&record, line, u64::from(sniffed.crlf));
        let this_row = row;
        row += 1;
        if record.len() == 1 && record.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue; // a blank line, as the readers skip it
        }
        summary.rows += 1;
        let at = || Location::file(source).line(line).row(this_row);
        if record.len() != headers.len() {
            report.push(Error::WrongFieldCount {
                at: Box::new(at()),
                expected: headers.len() as u64,
                found: record.len() as u64,
            })?;
            continue;
        }
        match parse_field(&record[col], decoder, reference) {
            Ok(number) => {
                id.clear();
                use std::fmt::Write as _;
                let _ = write!(id, "{}", key.pseudonym(&number));
                for (i, field) in record.iter().enumerate() {
                    out.write_field(if i == col { id.as_bytes() } else { field }).map_err(write_err)?;
                }
                out.write_record(None::<&[u8]>).map_err(write_err)?;
                summary.pseudonymised += 1;
            }
            Err(reason) => match rejects.as_mut() {
                Some(r) => {
                    let mut rejected = record.clone();
                    rejected.push_field(line.to_string().as_bytes());
                    rejected.push_field(reason.code().as_bytes());
                    r.write_byte_record(&rejected).map_err(write_err)?;
                    summary.rejected += 1;
                }
                None => report
                    .push(Error::InvalidPersonnummer { at: Box::new(at().column(headers[col].clone())), reason })?,
            },
        }
    }
    out.flush().map_err(|e| Error::io(Path::new(out_name), e))?;
    if let Some(r) = rejects.as_mut() {
        r.flush().map_err(|e| Error::io(Path::new(out_name), e))?;
    }
    report.into_result(summary)
}

/// How errors name the output until the file variant names the file.
const OUTPUT_NAME: &str = "<pseudonymised output>";

/// A CSV writer in the input's dialect: its BOM, line ending and delimiter.
fn csv_writer(w: &mut dyn Write, bom: bool, crlf: bool, delimiter: u8) -> Result<csv::Writer<&mut dyn Write>> {
    if bom {
        w.write_all(b"\xEF\xBB\xBF").map_err(|e| Error::io(Path::new(OUTPUT_NAME), e))?;
    }
    let terminator = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
    Ok(csv::WriterBuilder::new().delimiter(delimiter).terminator(terminator).from_writer(w))
}

/// The position of `column` among `headers`, matched as the readers match.
fn find_column(headers: &[String], column: &str, source: &str) -> Result<usize> {
    let wanted = fold_name(column);
    let mut found = headers.iter().enumerate().filter(|(_, h)| fold_name(h) == wanted).map(|(i, _)| i);
    let first = found.next();
    if let Some(second) = found.next() {
        return Err(Error::DuplicateColumn {
            at: Box::new(Location::file(source).line(1).column(headers[second].clone())),
        });
    }
    first.ok_or_else(|| Error::MissingColumn {
        at: Box::new(Location::file(source).line(1).column(column)),
        found: headers.join(", "),
    })
}

/// A raw CSV field as a personnummer: text that cannot be decoded holds a
/// character a personnummer cannot have.
fn parse_field(raw: &[u8], decoder: Decoder, reference: Date) -> std::result::Result<Personnummer, Reason> {
    let text = decoder.decode(raw).ok_or(Reason::Characters)?;
    Personnummer::parse(&text, reference).map_err(|e| e.reason())
}

/// Pseudonymises the column of the CSV file `input` into `output` (and the
/// rows with invalid numbers into `rejects`, if given). Both are written
/// beside their final path and renamed into place only when the whole input
/// has been read without error, so a failed run leaves no half-written file.
///
/// # Errors
/// As [`pseudonymise_csv`]; `invalid_argument` if two of the paths are the
/// same file.
///
/// ```
/// use finsam_core::pseudonym::{PseudonymKey, PseudonymOptions, pseudonymise_csv_file};
/// use finsam_core::Date;
/// let dir = tempfile::tempdir().unwrap();
/// let (input, output) = (dir.path().join("in.csv"), dir.path().join("out.csv"));
/// std::fs::write(&input, "pnr;kon\n800101-1231;M\n800101-1234;K\n").unwrap();
/// let key = PseudonymKey::new(b"0123456789abcdef".to_vec())?;
/// let opts = PseudonymOptions::new("pnr").reference_date(Date::from_ymd(2025, 6, 1).unwrap());
/// let e = pseudonymise_csv_file(&input, &output, None, &key, &opts).unwrap_err();
/// assert_eq!(e.code(), "invalid_personnummer");
/// assert_eq!(e.location().unwrap().line, Some(3));
/// assert!(!output.exists());
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn pseudonymise_csv_file(
    input: &Path,
    output: &Path,
    rejects: Option<&Path>,
    key: &PseudonymKey,
    opts: &PseudonymOptions,
) -> Result<PseudonymSummary> {
    let same = |a: &Path, b: &Path| a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y);
    let mut paths = vec![("input", input), ("output", output)];
    paths.extend(rejects.map(|r| ("reject", r)));
    for (i, (a_name, a)) in paths.iter().enumerate() {
        for (b_name, b) in &paths[i + 1..] {
            if same(a, b) {
                return Err(Error::InvalidArgument {
                    name: "output",
                    message: format!("the {a_name} and the {b_name} are the same file ({})", a.display()),
                });
            }
        }
    }
    let file = std::fs::File::open(input).map_err(|e| Error::io(input, e))?;
    let out_tmp = Partial::create(output)?;
    let reject_tmp = rejects.map(Partial::create).transpose()?;
    let mut out_file = std::io::BufWriter::new(&out_tmp.file);
    let mut reject_file = reject_tmp.as_ref().map(|r| std::io::BufWriter::new(&r.file));
    let summary = pseudonymise_csv(
        file,
        &input.display().to_string(),
        &mut out_file,
        reject_file.as_mut().map(|w| w as &mut dyn Write),
        key,
        opts,
    );
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            return Err(match e {
                Error::Io { path, source } if path == OUTPUT_NAME => {
                    Error::Io { path: output.display().to_string(), source }
                }
                other => other,
            });
        }
    };
    drop(out_file);
    drop(reject_file);
    out_tmp.commit()?;
    if let Some(r) = reject_tmp {
        r.commit()?;
    }
    Ok(summary)
}

/// A file written beside its final path, removed unless committed.
struct Partial {
    file: std::fs::File,
    tmp: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Partial {
    fn create(target: &Path) -> Result<Partial> {
        let name = target.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let tmp = target.with_file_name(format!(".{name}.finsam-partial-{}", std::process::id()));
        let file = std::fs::File::create(&tmp).map_err(|e| Error::io(target, e))?;
        Ok(Partial { file, tmp, target: target.to_owned(), done: false })
    }

    fn commit(mut self) -> Result<()> {
        self.file.sync_all().map_err(|e| Error::io(&self.target, e))?;
        std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(feature = "arrow")]
pub use self::arrow::{OnInvalid, Pseudonymised, Rejected, pseudonymise_batches};

#[cfg(feature = "arrow")]
mod arrow {
    use std::borrow::Cow;
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int64Type, UInt64Type};
    use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};

    use super::{PseudonymKey, PseudonymOptions};
    use crate::error::{Error, Location, Result, ValidationReport};
    use crate::personnummer::{Personnummer, Reason};

    /// What to do with a row whose number is invalid.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum OnInvalid {
        /// Return an `invalid_personnummer` error (under the options' policy).
        #[default]
        Fail,
        /// Leave the row out of the output and list it in
        /// [`Pseudonymised::rejected`].
        Reject,
    }

    /// A row left out because its number is invalid.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Rejected {
        /// The 0-based row across all input batches.
        pub row: u64,
        /// Why.
        pub reason: Reason,
    }

    /// The pseudonymised batches and the rows left out.
    #[derive(Clone, Debug)]
    pub struct Pseudonymised {
        /// The input batches with the column replaced by `Int64` pseudonyms.
        pub batches: Vec<RecordBatch>,
        /// The rows left out (only with [`OnInvalid::Reject`]).
        pub rejected: Vec<Rejected>,
    }

    /// Pseudonymises `opts.column` of record batches. The column may hold
    /// text (`Utf8`, `LargeUtf8`, `Utf8View`, or a dictionary of them) or
    /// 64-bit integers (a ten-digit number that lost a leading zero is then
    /// too short: refused, not guessed). It becomes an `Int64` column of the
    /// same name, nullability and metadata; every other column and the
    /// schema's metadata are kept. A null is an invalid number (`empty`).
    ///
    /// # Errors
    /// `missing_column` / `duplicate_column`; `arrow_type` for a column of
    /// another type; `invalid_personnummer` (row and column, never the
    /// value) or `invalid_data` under [`OnInvalid::Fail`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// use finsam_core::pseudonym::{OnInvalid, PseudonymKey, PseudonymOptions, pseudonymise_batches};
    /// use finsam_core::Date;
    /// let batch = RecordBatch::try_from_iter([
    ///     ("pnr", Arc::new(StringArray::from(vec!["800101-1231", "800101-1234"])) as _),
    ///     ("kon", Arc::new(StringArray::from(vec!["M", "K"])) as _),
    /// ]).unwrap();
    /// let key = PseudonymKey::new(b"0123456789abcdef".to_vec())?;
    /// let opts = PseudonymOptions::new("pnr").reference_date(Date::from_ymd(2025, 6, 1).unwrap());
    /// let out = pseudonymise_batches(&[batch], &key, &opts, OnInvalid::Reject)?;
    /// assert_eq!(out.batches[0].num_rows(), 1);
    /// assert_eq!(out.rejected[0].row, 1);
    /// let ids = out.batches[0].column(0).as_any().downcast_ref::<Int64Array>().unwrap();
    /// assert!(ids.value(0) >= 0);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn pseudonymise_batches(
        batches: &[RecordBatch],
        key: &PseudonymKey,
        opts: &PseudonymOptions,
        on_invalid: OnInvalid,
    ) -> Result<Pseudonymised> {
        let reference = opts.reference();
        let mut report = ValidationReport::new(opts.csv.policy);
        let mut rejected = Vec::new();
        let mut out = Vec::with_capacity(batches.len());
        let mut first_row = 0u64;
        for batch in batches {
            let schema = batch.schema();
            let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            let col = super::find_column(&names, &opts.column, "table frame")?;
            let at = |row: u64| Location::table("frame").row(row).column(names[col].clone());
            let array = batch.column(col);
            let texts = Texts::new(array.as_ref()).ok_or_else(|| Error::ArrowType {
                at: Box::new(Location::table("frame").column(names[col].clone())),
                message: format!("a personnummer column must hold text or 64-bit integers, not {}", array.data_type()),
            })?;
            let nulls = array.logical_nulls();
            let mut ids = Vec::with_capacity(batch.num_rows());
            let mut keep = Vec::with_capacity(batch.num_rows());
            for i in 0..batch.num_rows() {
                let row = first_row + i as u64;
                let parsed = match texts.get(i) {
                    _ if nulls.as_ref().is_some_and(|n| n.is_null(i)) => Err(Reason::Empty),
                    text => Personnummer::parse(&text, reference).map_err(|e| e.reason()),
                };
                match parsed {
                    Ok(number) => {
                        // The top bit is always clear (see `PersonId::pseudonymise`).
                        ids.push(key.pseudonym(&number).0 as i64);
                        keep.push(true);
                    }
                    Err(reason) => {
                        ids.push(0);
                        keep.push(false);
                        match on_invalid {
                            OnInvalid::Reject => rejected.push(Rejected { row, reason }),
                            OnInvalid::Fail => {
                                report.push(Error::InvalidPersonnummer { at: Box::new(at(row)), reason })?
                            }
                        }
                    }
                }
            }
            first_row += batch.num_rows() as u64;
            let field = schema.field(col);
            let new_field =
                Field::new(field.name(), DataType::Int64, field.is_nullable()).with_metadata(field.metadata().clone());
            let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
            fields[col] = Arc::new(new_field);
            let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
            columns[col] = Arc::new(Int64Array::from(ids));
            let new_schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
            let replaced = RecordBatch::try_new(new_schema, columns)
                .map_err(|e| Error::ArrowType { at: Box::new(Location::table("frame")), message: e.to_string() })?;
            let replaced = if keep.iter().all(|k| *k) {
                replaced
            } else {
                arrow_select::filter::filter_record_batch(&replaced, &BooleanArray::from(keep))
                    .map_err(|e| Error::ArrowType { at: Box::new(Location::table("frame")), message: e.to_string() })?
            };
            out.push(replaced);
        }
        report.into_result(Pseudonymised { batches: out, rejected })
    }

    /// The values of a text or integer column as text.
    enum Texts<'a> {
        Utf8(&'a arrow_array::StringArray),
        Large(&'a arrow_array::LargeStringArray),
        View(&'a arrow_array::StringViewArray),
        I64(&'a arrow_array::PrimitiveArray<Int64Type>),
        U64(&'a arrow_array::PrimitiveArray<UInt64Type>),
        Dict(Vec<usize>, Box<Texts<'a>>),
    }

    impl<'a> Texts<'a> {
        fn new(array: &'a dyn Array) -> Option<Texts<'a>> {
            Some(match array.data_type() {
                DataType::Utf8 => Texts::Utf8(array.as_string::<i32>()),
                DataType::LargeUtf8 => Texts::Large(array.as_string::<i64>()),
                DataType::Utf8View => Texts::View(array.as_string_view()),
                DataType::Int64 => Texts::I64(array.as_primitive::<Int64Type>()),
                DataType::UInt64 => Texts::U64(array.as_primitive::<UInt64Type>()),
                DataType::Dictionary(_, _) => {
                    let dict = array.as_any_dictionary();
                    let values = Box::new(Texts::new(dict.values().as_ref())?);
                    // `normalized_keys` panics on an empty dictionary; then
                    // every key is null (or out of range: read as empty).
                    let keys = if dict.values().is_empty() { vec![0; array.len()] } else { dict.normalized_keys() };
                    Texts::Dict(keys, values)
                }
                _ => return None,
            })
        }

        /// The value at `i` (the caller checks nulls first).
        fn get(&self, i: usize) -> Cow<'a, str> {
            match self {
                Texts::Utf8(a) => Cow::Borrowed(a.value(i)),
                Texts::Large(a) => Cow::Borrowed(a.value(i)),
                Texts::View(a) => Cow::Borrowed(a.value(i)),
                Texts::I64(a) => Cow::Owned(a.value(i).to_string()),
                Texts::U64(a) => Cow::Owned(a.value(i).to_string()),
                Texts::Dict(keys, values) => match keys.get(i) {
                    Some(&k) if k < values.len() => values.get(k),
                    _ => Cow::Borrowed(""),
                },
            }
        }

        fn len(&self) -> usize {
            match self {
                Texts::Utf8(a) => a.len(),
                Texts::Large(a) => a.len(),
                Texts::View(a) => a.len(),
                Texts::I64(a) => a.len(),
                Texts::U64(a) => a.len(),
                Texts::Dict(keys, _) => keys.len(),
            }
        }
    }
}

//! Typed errors with stable codes, and the validation report.
//!
//! Every error names where it was found ([`Location`]: file or table, line or
//! row, column, value) and has a stable snake_case [`Error::code`] that is a
//! public contract: scripts and the Python exception classes match on it.
//! Readers take an [`ErrorPolicy`]: stop at the first error, or collect all
//! of them into a [`ValidationReport`]. Nothing is ever dropped or coerced
//! silently.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a problem was found. Every part is optional because not every
/// source has every part (an in-memory table has rows but no file lines).
///
/// ```
/// use finsam_core::Location;
/// let at = Location::file("deltaganden.csv").line(7).column("kon").value("X");
/// assert_eq!(at.to_string(), "deltaganden.csv, line 7, column `kon`, value \"X\"");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The file path, or the table name for in-memory data.
    pub source: Option<String>,
    /// The 1-based line in the file where the record starts.
    pub line: Option<u64>,
    /// The 0-based row (record) index within its table.
    pub row: Option<u64>,
    /// The column (the header as it appears in the source).
    pub column: Option<String>,
    /// The offending value, as text: at most its first
    /// [`MAX_VALUE_CHARS`](Location::MAX_VALUE_CHARS) characters, followed
    /// by `…` when it was longer (see [`value_chars`](Location::value_chars)).
    pub value: Option<String>,
    /// The length in characters of the value as found, when `value` holds
    /// only its beginning; `None` when `value` is whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_chars: Option<u64>,
}

impl Location {
    /// A location in a file (or a table named like one).
    pub fn file(source: impl Into<String>) -> Location {
        Location { source: Some(source.into()), ..Location::default() }
    }

    /// A location in an in-memory table.
    ///
    /// ```
    /// use finsam_core::Location;
    /// assert_eq!(Location::table("insatser").row(3).to_string(), "table insatser, row 3");
    /// ```
    pub fn table(name: &str) -> Location {
        Location { source: Some(format!("table {name}")), ..Location::default() }
    }

    /// With the 1-based line number.
    pub fn line(mut self, line: u64) -> Location {
        self.line = Some(line);
        self
    }

    /// With the 0-based row index.
    pub fn row(mut self, row: u64) -> Location {
        self.row = Some(row);
        self
    }

    /// With the column name.
    pub fn column(mut self, column: impl Into<String>) -> Location {
        self.column = Some(column.into());
        self
    }

    /// The most characters of a value a location keeps.
    pub const MAX_VALUE_CHARS: usize = 80;

    /// With the offending value. A value longer than
    /// [`MAX_VALUE_CHARS`](Self::MAX_VALUE_CHARS) is cut there (at a
    /// character boundary) and its full length kept in
    /// [`value_chars`](Self::value_chars): messages stay readable, and a
    /// report of thousands of errors on 100 kB fields does not hold them all.
    ///
    /// ```
    /// use finsam_core::Location;
    /// let at = Location::file("a.csv").value("å".repeat(100_000));
    /// assert_eq!(at.value.as_deref().map(|v| v.chars().count()), Some(81));
    /// assert_eq!(at.value_chars, Some(100_000));
    /// assert!(at.to_string().ends_with("…\" (100000 characters)"));
    /// ```
    pub fn value(mut self, value: impl Into<String>) -> Location {
        let mut value = value.into();
        self.value_chars = None;
        if let Some((cut, _)) = value.char_indices().nth(Self::MAX_VALUE_CHARS) {
            self.value_chars = Some(value.chars().count() as u64);
            value.truncate(cut);
            value.push('…');
        }
        self.value = Some(value);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(s) = &self.source {
            parts.push(s.clone());
        }
        if let Some(l) = self.line {
            parts.push(format!("line {l}"));
        }
        if let Some(r) = self.row {
            parts.push(format!("row {r}"));
        }
        if let Some(c) = &self.column {
            parts.push(format!("column `{c}`"));
        }
        match (&self.value, self.value_chars) {
            (Some(v), Some(n)) => parts.push(format!("value {v:?} ({n} characters)")),
            (Some(v), None) => parts.push(format!("value {v:?}")),
            _ => {}
        }
        if parts.is_empty() {
            return f.write_str("(unknown location)");
        }
        f.write_str(&parts.join(", "))
    }
}

/// Matches every variant that has a location, binding it to `$at`.
macro_rules! with_location {
    ($error:expr, $at:ident => $found:expr) => {
        match $error {
            Error::InvalidEncoding { at: $at, .. }
            | Error::NotCsv { at: $at, .. }
            | Error::InvalidParquet { at: $at, .. }
            | Error::MissingColumn { at: $at, .. }
            | Error::DuplicateColumn { at: $at }
            | Error::DuplicateFile { at: $at, .. }
            | Error::WrongFieldCount { at: $at, .. }
            | Error::MissingValue { at: $at }
            | Error::InvalidDate { at: $at }
            | Error::InvalidNumber { at: $at, .. }
            | Error::InvalidCode { at: $at, .. }
            | Error::InvalidKommunkod { at: $at }
            | Error::InvalidAmount { at: $at }
            | Error::InvalidDays { at: $at }
            | Error::InvalidBool { at: $at }
            | Error::DuplicateId { at: $at, .. }
            | Error::DuplicateKey { at: $at, .. }
            | Error::DuplicateRow { at: $at, .. }
            | Error::UnknownForbund { at: $at }
            | Error::UnknownInsats { at: $at }
            | Error::UnknownDeltagande { at: $at }
            | Error::EndBeforeStart { at: $at, .. }
            | Error::OutsideInsatsLifetime { at: $at, .. }
            | Error::ImplausibleBirthYear { at: $at, .. }
            | Error::OutcomeWithoutEnd { at: $at }
            | Error::MembershipConflict { at: $at, .. }
            | Error::ForbundMismatch { at: $at, .. }
            | Error::InconsistentCounts { at: $at, .. }
            | Error::InconsistentQuestionnaire { at: $at, .. }
            | Error::AnswerOutOfScale { at: $at, .. }
            | Error::MissingStatistics { at: $at, .. }
            | Error::ArrowType { at: $at, .. }
            | Error::InvalidPersonnummer { at: $at, .. } => $found,
            _ => None,
        }
    };
}

/// Every error finsam returns. Each variant has a stable [`code`](Error::code).
///
/// ```
/// use finsam_core::{Error, Location};
/// let e = Error::MissingValue { at: Box::new(Location::file("a.csv").line(2).column("startdatum")) };
/// assert_eq!(e.code(), "missing_value");
/// assert!(e.to_string().contains("a.csv, line 2"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The computation was asked to stop ([`exec::Interrupt`](crate::exec::Interrupt)).
    #[error("interrupted: the computation was asked to stop")]
    Interrupted,
    /// A file given as CSV that is another format (its first bytes are
    /// that format's signature): refused before it is parsed as text.
    #[error("{at}: this is {format}, not CSV text; {advice}")]
    NotCsv {
        /// The file.
        at: Box<Location>,
        /// What the file is ("a Parquet file").
        format: &'static str,
        /// How to read it instead.
        advice: &'static str,
    },
    /// A file read as Parquet that is not Parquet, or that cannot be
    /// decoded (corrupt, truncated, or compressed with a codec finsam is
    /// not built with, such as brotli).
    #[error("{at}: not a readable Parquet file: {message}")]
    InvalidParquet {
        /// The file.
        at: Box<Location>,
        /// What the Parquet reader said.
        message: String,
    },
    /// Bytes that are not valid in the file's text encoding.
    #[error("{at}: bytes that are not valid {encoding}; set the encoding explicitly if the file is not {encoding}")]
    InvalidEncoding {
        /// Where.
        at: Box<Location>,
        /// The encoding the file was read as.
        encoding: &'static str,
    },
    /// The CSV file lacks a column the contract requires.
    #[error("{at}: missing required column (the header row has: {found})")]
    MissingColumn {
        /// The file and the expected header.
        at: Box<Location>,
        /// The headers that were found.
        found: String,
    },
    /// Two files in a data set directory are the same table once their
    /// names are folded (e.g. `deltaganden.csv` and `Deltaganden.csv`).
    #[error(
        "{at}: {other} is table `{table}` too (file names are matched ignoring case and diacritics); keep one of them"
    )]
    DuplicateFile {
        /// The first file.
        at: Box<Location>,
        /// The second file.
        other: String,
        /// The table both match.
        table: &'static str,
    },
    /// A header appears twice.
    #[error("{at}: the column appears twice in the header")]
    DuplicateColumn {
        /// The file and the header.
        at: Box<Location>,
    },
    /// A record has another number of fields than the header.
    #[error("{at}: {found} fields where the header has {expected}")]
    WrongFieldCount {
        /// Where.
        at: Box<Location>,
        /// Fields in the header.
        expected: u64,
        /// Fields in this record.
        found: u64,
    },
    /// A required value is empty.
    #[error("{at}: a value is required")]
    MissingValue {
        /// Where.
        at: Box<Location>,
    },
    /// Not an ISO date.
    #[error("{at}: not a date of the form YYYY-MM-DD")]
    InvalidDate {
        /// Where.
        at: Box<Location>,
    },
    /// Not a whole number, or out of the column's range.
    #[error("{at}: not a whole number in the range {range}")]
    InvalidNumber {
        /// Where.
        at: Box<Location>,
        /// The accepted range, as text.
        range: String,
    },
    /// Not one of the values of a code list.
    #[error("{at}: not a valid {kind}; expected one of {expected}")]
    InvalidCode {
        /// Where.
        at: Box<Location>,
        /// The code list (e.g. `kön`).
        kind: &'static str,
        /// Its canonical codes.
        expected: String,
    },
    /// Not one of SCB's 290 four-digit kommunkoder.
    #[error("{at}: not one of SCB's kommunkoder (four digits, e.g. 0180 for Stockholm)")]
    InvalidKommunkod {
        /// Where.
        at: Box<Location>,
    },
    /// Not an amount in kronor with at most two decimals.
    #[error("{at}: not an amount in kronor with at most two decimals (e.g. 1234.50)")]
    InvalidAmount {
        /// Where.
        at: Box<Location>,
    },
    /// Not a number of days in steps of a quarter day.
    #[error("{at}: not a number of days in steps of 0.25 from 0 to 366")]
    InvalidDays {
        /// Where.
        at: Box<Location>,
    },
    /// Not a yes/no value.
    #[error("{at}: not a yes/no value (ja, nej, true, false, 1, 0)")]
    InvalidBool {
        /// Where.
        at: Box<Location>,
    },
    /// Two rows share an id that must be unique.
    #[error("{at}: the id is already used by row {first_row}")]
    DuplicateId {
        /// The second row.
        at: Box<Location>,
        /// The first row with the id.
        first_row: u64,
    },
    /// Two rows share a key that must be unique (e.g. insats × year × kön).
    #[error("{at}: the key is already used by row {first_row}")]
    DuplicateKey {
        /// The second row.
        at: Box<Location>,
        /// The first row with the key.
        first_row: u64,
    },
    /// A row repeats another exactly.
    #[error("{at}: an exact duplicate of row {first_row}{}", first_line.map_or(String::new(), |l| format!(" (line {l})")))]
    DuplicateRow {
        /// The second row.
        at: Box<Location>,
        /// The first row (0-based, as [`Location::row`]).
        first_row: u64,
        /// The line where the first row starts, when the reader knows it
        /// (the flat-extract reader does).
        first_line: Option<u64>,
    },
    /// A reference to a förbund that is not in the data set.
    #[error("{at}: no förbund with this id")]
    UnknownForbund {
        /// Where.
        at: Box<Location>,
    },
    /// A reference to an insats that is not in the data set.
    #[error("{at}: no insats with this id")]
    UnknownInsats {
        /// Where.
        at: Box<Location>,
    },
    /// Pre-computed benefit days for a participation that is not in the data set.
    #[error("{at}: no deltagande with this person, insats and start date")]
    UnknownDeltagande {
        /// Where.
        at: Box<Location>,
    },
    /// An end date before its start date.
    #[error("{at}: ends before it starts ({start})")]
    EndBeforeStart {
        /// Where (the end date).
        at: Box<Location>,
        /// The start date.
        start: String,
    },
    /// A participation outside its insats's lifetime (beyond the tolerance).
    #[error("{at}: outside the insats's lifetime {insats_start}..{insats_end} (tolerance {tolerance_days} days)")]
    OutsideInsatsLifetime {
        /// Where.
        at: Box<Location>,
        /// The insats's start date.
        insats_start: String,
        /// The insats's end date, or `open`.
        insats_end: String,
        /// The tolerance applied.
        tolerance_days: u32,
    },
    /// A birth year that gives an age outside the plausible range at start.
    #[error("{at}: age {age} at start is outside the plausible {min_age}..={max_age}")]
    ImplausibleBirthYear {
        /// Where.
        at: Box<Location>,
        /// The implied age at start.
        age: i32,
        /// The lowest plausible age.
        min_age: i32,
        /// The highest plausible age.
        max_age: i32,
    },
    /// A status after, or avslutsanledning, on a participation that has not ended.
    #[error("{at}: an outcome is given but the participation has no end date")]
    OutcomeWithoutEnd {
        /// Where.
        at: Box<Location>,
    },
    /// Membership events that contradict each other or the förbund's lifetime.
    #[error("{at}: {message}")]
    MembershipConflict {
        /// Where.
        at: Box<Location>,
        /// What contradicts what.
        message: String,
    },
    /// A row's förbund differs from the förbund of its insats.
    #[error("{at}: the insats belongs to förbund {expected}")]
    ForbundMismatch {
        /// Where.
        at: Box<Location>,
        /// The insats's förbund.
        expected: u32,
    },
    /// Counts that cannot all be true (e.g. women + men > total).
    #[error("{at}: {message}")]
    InconsistentCounts {
        /// Where.
        at: Box<Location>,
        /// What does not add up.
        message: String,
    },
    /// The rows of one questionnaire disagree on its förbund, year,
    /// respondent group or kön.
    #[error("{at}: {message}")]
    InconsistentQuestionnaire {
        /// Where.
        at: Box<Location>,
        /// What differs from which row.
        message: String,
    },
    /// An answer outside the configured agreement scale.
    #[error("{at}: the answer is outside the scale {min}..={max}")]
    AnswerOutOfScale {
        /// Where.
        at: Box<Location>,
        /// The scale's lowest point.
        min: u8,
        /// The scale's highest point.
        max: u8,
    },
    /// A figure a computation needs is not in the data (e.g. the population
    /// of a member kommun in the year of a budget split).
    #[error("{at}: {message}")]
    MissingStatistics {
        /// Where (the table and key that would hold it).
        at: Box<Location>,
        /// What is missing and what needs it.
        message: String,
    },
    /// The allocation rules cannot all hold with the given total (e.g. the
    /// base amounts, or the floors of the 10 % rule, exceed it).
    #[error("allocation infeasible: {message}")]
    AllocationInfeasible {
        /// Which rule, with the amounts.
        message: String,
    },
    /// Malformed JSON.
    #[error("invalid JSON: {message}")]
    InvalidJson {
        /// serde_json's description with line and column.
        message: String,
    },
    /// Bytes that are not a finsam state of this version, or fail its checks.
    #[error("invalid binary state: {message}")]
    InvalidBinary {
        /// What is wrong with the bytes.
        message: String,
    },
    /// An Arrow column of a type that cannot hold the field.
    #[error("{at}: {message}")]
    ArrowType {
        /// Where.
        at: Box<Location>,
        /// What was expected.
        message: String,
    },
    /// An argument outside its domain (e.g. a negative scale).
    #[error("invalid argument `{name}`: {message}")]
    InvalidArgument {
        /// The argument.
        name: &'static str,
        /// Why.
        message: String,
    },
    /// Several errors, collected under [`ErrorPolicy::Collect`].
    #[error("{0}")]
    Invalid(ValidationReport),
    /// Not a valid personnummer or samordningsnummer (see
    /// [`personnummer`](crate::personnummer)). The location never holds
    /// the value: a personnummer does not belong in a log.
    #[error("{at}: not a valid personnummer: {reason}")]
    InvalidPersonnummer {
        /// Where (file, line, row, column; no value).
        at: Box<Location>,
        /// Why: length, date, check digit, ….
        reason: crate::personnummer::Reason,
    },
    /// An effect or model parameter the data cannot identify: no treated
    /// or no comparison units left, a group without a pre-period, an
    /// outcome that does not vary (see [`evaluation`](crate::evaluation)).
    #[error("not identified: {message}")]
    NotIdentified {
        /// What cannot be estimated, and why.
        message: String,
    },
    /// Treated and comparison units do not overlap: no comparison unit
    /// within the caliper or exact strata, or propensity scores that
    /// separate the groups perfectly.
    #[error("no overlap: {message}")]
    NoOverlap {
        /// Where the overlap fails.
        message: String,
    },
    /// A design matrix without full column rank (collinear covariates, a
    /// category with one level only), or a model that does not converge.
    #[error("singular design: {message}")]
    SingularDesign {
        /// Which columns or which model.
        message: String,
    },
}

impl Error {
    /// The stable, machine-readable code of this kind of error.
    ///
    /// ```
    /// use finsam_core::Error;
    /// let e = Error::InvalidArgument { name: "scale", message: "must be positive".into() };
    /// assert_eq!(e.code(), "invalid_argument");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::InvalidEncoding { .. } => "invalid_encoding",
            Error::NotCsv { .. } => "not_csv",
            Error::InvalidParquet { .. } => "invalid_parquet",
            Error::Interrupted => "interrupted",
            Error::MissingColumn { .. } => "missing_column",
            Error::DuplicateColumn { .. } => "duplicate_column",
            Error::DuplicateFile { .. } => "duplicate_file",
            Error::WrongFieldCount { .. } => "wrong_field_count",
            Error::MissingValue { .. } => "missing_value",
            Error::InvalidDate { .. } => "invalid_date",
            Error::InvalidNumber { .. } => "invalid_number",
            Error::InvalidCode { .. } => "invalid_code",
            Error::InvalidKommunkod { .. } => "invalid_kommunkod",
            Error::InvalidAmount { .. } => "invalid_amount",
            Error::InvalidDays { .. } => "invalid_days",
            Error::InvalidBool { .. } => "invalid_bool",
            Error::DuplicateId { .. } => "duplicate_id",
            Error::DuplicateKey { .. } => "duplicate_key",
            Error::DuplicateRow { .. } => "duplicate_row",
            Error::UnknownForbund { .. } => "unknown_forbund",
            Error::UnknownInsats { .. } => "unknown_insats",
            Error::UnknownDeltagande { .. } => "unknown_deltagande",
            Error::EndBeforeStart { .. } => "end_before_start",
            Error::OutsideInsatsLifetime { .. } => "outside_insats_lifetime",
            Error::ImplausibleBirthYear { .. } => "implausible_birth_year",
            Error::OutcomeWithoutEnd { .. } => "outcome_without_end",
            Error::MembershipConflict { .. } => "membership_conflict",
            Error::ForbundMismatch { .. } => "forbund_mismatch",
            Error::InconsistentCounts { .. } => "inconsistent_counts",
            Error::InconsistentQuestionnaire { .. } => "inconsistent_questionnaire",
            Error::AnswerOutOfScale { .. } => "answer_out_of_scale",
            Error::MissingStatistics { .. } => "missing_statistics",
            Error::AllocationInfeasible { .. } => "allocation_infeasible",
            Error::InvalidJson { .. } => "invalid_json",
            Error::InvalidBinary { .. } => "invalid_binary",
            Error::ArrowType { .. } => "arrow_type",
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::Invalid(_) => "invalid_data",
            Error::InvalidPersonnummer { .. } => "invalid_personnummer",
            Error::NotIdentified { .. } => "not_identified",
            Error::NoOverlap { .. } => "no_overlap",
            Error::SingularDesign { .. } => "singular_design",
        }
    }

    /// Every code [`Error::code`] can return, for documentation and for
    /// bindings that map codes to exception classes.
    pub const CODES: &'static [&'static str] = &[
        "io",
        "interrupted",
        "not_csv",
        "invalid_parquet",
        "invalid_encoding",
        "missing_column",
        "duplicate_column",
        "duplicate_file",
        "wrong_field_count",
        "missing_value",
        "invalid_date",
        "invalid_number",
        "invalid_code",
        "invalid_kommunkod",
        "invalid_amount",
        "invalid_days",
        "invalid_bool",
        "duplicate_id",
        "duplicate_key",
        "duplicate_row",
        "unknown_forbund",
        "unknown_insats",
        "unknown_deltagande",
        "end_before_start",
        "outside_insats_lifetime",
        "implausible_birth_year",
        "outcome_without_end",
        "membership_conflict",
        "forbund_mismatch",
        "inconsistent_counts",
        "inconsistent_questionnaire",
        "answer_out_of_scale",
        "missing_statistics",
        "allocation_infeasible",
        "invalid_json",
        "invalid_binary",
        "arrow_type",
        "invalid_argument",
        "invalid_data",
        "invalid_personnummer",
        "not_identified",
        "no_overlap",
        "singular_design",
    ];

    /// Where the error was found, if it has a location.
    pub fn location(&self) -> Option<&Location> {
        with_location!(self, at => Some(&**at))
    }

    pub(crate) fn location_mut(&mut self) -> Option<&mut Location> {
        with_location!(self, at => Some(&mut **at))
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Error {
        Error::Io { path: path.display().to_string(), source }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::InvalidJson { message: e.to_string() }
    }
}

/// A `Result` with finsam's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a reader does on bad input.
///
/// ```
/// use finsam_core::ErrorPolicy;
/// assert_eq!(ErrorPolicy::default(), ErrorPolicy::FailFast);
/// let collect = ErrorPolicy::Collect { max_kept: 1000 };
/// # let _ = collect;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorPolicy {
    /// Stop at the first error and return it.
    #[default]
    FailFast,
    /// Read everything and return every error in one [`ValidationReport`]
    /// (as [`Error::Invalid`]). The first `max_kept` errors are kept in full;
    /// beyond that they are still counted, by code, so a badly broken 1 GB
    /// file cannot exhaust memory.
    Collect {
        /// How many errors are kept in full.
        max_kept: usize,
    },
}

impl ErrorPolicy {
    /// Collect errors, keeping the first 10,000 in full.
    pub const COLLECT: ErrorPolicy = ErrorPolicy::Collect { max_kept: 10_000 };
}

/// Every problem found in a data set: the errors kept in full and a count of
/// all errors by code.
///
/// ```
/// use finsam_core::{Error, ErrorPolicy, Location, ValidationReport};
/// let mut report = ValidationReport::new(ErrorPolicy::COLLECT);
/// report.push(Error::MissingValue { at: Box::new(Location::file("a.csv").line(2)) }).unwrap();
/// assert_eq!(report.total(), 1);
/// assert_eq!(report.counts()["missing_value"], 1);
/// ```
#[derive(Debug, Default)]
pub struct ValidationReport {
    errors: Vec<Error>,
    counts: BTreeMap<&'static str, u64>,
    total: u64,
    max_kept: usize,
    fail_fast: bool,
}

impl ValidationReport {
    /// An empty report that applies `policy` on [`push`](Self::push).
    pub fn new(policy: ErrorPolicy) -> ValidationReport {
        match policy {
            ErrorPolicy::FailFast => ValidationReport { fail_fast: true, max_kept: 1, ..Default::default() },
            ErrorPolicy::Collect { max_kept } => ValidationReport { max_kept, ..Default::default() },
        }
    }

    /// Records an error.
    ///
    /// # Errors
    /// Under [`ErrorPolicy::FailFast`] the error itself is returned, so that
    /// `?` stops the reader; `interrupted` is returned under every policy.
    pub fn push(&mut self, error: Error) -> Result<()> {
        // A computation asked to stop is not a problem of the data to
        // collect: it ends the read whatever the policy.
        if self.fail_fast || matches!(error, Error::Interrupted) {
            return Err(error);
        }
        *self.counts.entry(error.code()).or_default() += 1;
        self.total += 1;
        if self.errors.len() < self.max_kept {
            self.errors.push(error);
        }
        Ok(())
    }

    /// Records the error of `result`, if any, and returns its value.
    ///
    /// # Errors
    /// As [`push`](Self::push).
    pub fn check<T>(&mut self, result: Result<T>) -> Result<Option<T>> {
        match result {
            Ok(v) => Ok(Some(v)),
            Err(e) => self.push(e).map(|()| None),
        }
    }

    /// All errors found, including those not kept in full.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// `true` if no error was found.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The errors kept in full, in the order found.
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }

    /// The number of errors by code.
    pub fn counts(&self) -> &BTreeMap<&'static str, u64> {
        &self.counts
    }

    /// Adds every error of `other` (keeping this report's limit).
    pub fn absorb(&mut self, other: ValidationReport) {
        for (code, n) in other.counts {
            *self.counts.entry(code).or_default() += n;
        }
        self.total += other.total;
        let room = self.max_kept.saturating_sub(self.errors.len());
        self.errors.extend(other.errors.into_iter().take(room));
    }

    /// Rewrites every kept error (e.g. to turn a table row into a file line).
    pub(crate) fn map_errors(&mut self, mut f: impl FnMut(Error) -> Error) {
        self.errors = std::mem::take(&mut self.errors).into_iter().map(&mut f).collect();
    }

    /// `Ok(value)` if the report is empty, else the report as an error.
    ///
    /// # Errors
    /// [`Error::Invalid`] with this report when it holds any error.
    pub fn into_result<T>(self, value: T) -> Result<T> {
        if self.is_empty() { Ok(value) } else { Err(Error::Invalid(self)) }
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let by_code: Vec<String> = self.counts.iter().map(|(c, n)| format!("{c}: {n}")).collect();
        write!(f, "{} error(s) ({})", self.total, by_code.join(", "))?;
        for e in self.errors.iter().take(20) {
            write!(f, "\n  [{}] {e}", e.code())?;
        }
        if self.total > 20 {
            write!(f, "\n  … and {} more", self.total - 20)?;
        }
        Ok(())
    }
}

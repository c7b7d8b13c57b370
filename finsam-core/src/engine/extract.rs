//! A flat extract in memory: its rows as [`Participations`] batches, read
//! by the flat readers ([`ingest::flat`](crate::ingest::flat)) under the
//! contract's field and row rules, and counted by the same builder as a [`Dataset`](crate::Dataset). The
//! indicator functions of [`report`](crate::report) take it in place of a
//! data set ([`report::Source`](crate::report::Source)), so an indicator has
//! one definition whatever the source.

use std::ops::RangeInclusive;
use std::path::Path;

use super::Partial;
use super::Participations;
use super::participations::WindowPair;
use crate::Date;
use crate::error::{Error, Location, Result};
use crate::indicators::{Config, Split, State};
use crate::ingest::flat::{FlatCsvOptions, FlatSink, NO_DATE, NO_DAYS, NO_STATUS, Rows, check_rows};
use crate::model::{Avslutsanledning, Ersattningsgrupp, Kon, Utfall};

/// The participations of a flat extract (see the [module](self)).
///
/// ```
/// use finsam_core::engine::Extract;
/// use finsam_core::indicators::{Config, Split};
/// let csv = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter;avslutsanledning;sp_rp_fore;sp_rp_efter\n\
///            1;7;K;2021-02-01;2021-10-31;arbete;genomford;120;40\n\
///            2;7;M;2021-03-15;2021-04-01;;felregistrering;;\n\
///            3;7;M;2021-03-15;;;;200;\n";
/// let extract = Extract::from_csv_reader(csv.as_bytes(), "extract.csv", &Default::default())?;
/// assert_eq!((extract.rows(), extract.latest().to_string()), (3, "2021-10-31".to_owned()));
/// let config = Config { disclosure: finsam_core::publish::disclosure::Disclosure::OFF, ..Config::default() };
/// let t = finsam_core::report::outcomes(&extract, &Split::national(), 2021..=2021, &config)?;
/// assert_eq!(t.value(&["2021"], "n"), Some(1.0));
/// assert_eq!(t.value(&["2021"], "felregistrering"), Some(1.0));
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extract {
    batches: Vec<Participations>,
    groups: Vec<Ersattningsgrupp>,
    tally: Tally,
}

/// What a reader of a flat extract counts of the rows themselves, whatever
/// it does with them (keeps them as an [`Extract`], or counts them into a
/// state as they come).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Tally {
    pub(crate) rows: u64,
    pub(crate) without_avslutsanledning: u64,
    /// The latest start or end date (day number), if any row.
    pub(crate) latest: Option<i32>,
}

impl Tally {
    /// Counts a batch of rows.
    pub(crate) fn add(&mut self, rows: &Rows) {
        let latest = rows.start.iter().chain(rows.slut.iter().filter(|&&d| d != NO_DATE)).copied().max();
        self.latest = self.latest.max(latest);
        self.rows += rows.len() as u64;
        if !rows.avslut_known {
            self.without_avslutsanledning += rows.len() as u64;
        }
    }

    /// Adds the tally of other rows.
    pub(crate) fn absorb(&mut self, other: Tally) {
        self.rows += other.rows;
        self.without_avslutsanledning += other.without_avslutsanledning;
        self.latest = self.latest.max(other.latest);
    }

    pub(crate) fn latest_date(&self) -> Option<Date> {
        self.latest.map(Date::from_checked)
    }
}

impl Extract {
    /// Reads a flat extract from a CSV file (UTF-8 with or without BOM, or
    /// Windows-1252; `;`, `,` or tab separated; the columns of
    /// [`ingest::flat`](crate::ingest::flat)), in blocks parsed on
    /// `options.threads` workers.
    ///
    /// # Errors
    /// `io` if the file cannot be read; `missing_column`,
    /// `wrong_field_count`, `missing_value`, `invalid_number`,
    /// `invalid_date`, `invalid_code`, `invalid_days`, `end_before_start` or
    /// `outcome_without_end` with the file, line, column and value of the
    /// first bad row; then `duplicate_row` for the first row that repeats
    /// an earlier one exactly (every field, used or not), naming both lines.
    pub fn from_csv(path: &Path, options: &FlatCsvOptions) -> Result<Extract> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Extract::from_csv_reader(file, &path.display().to_string(), options)
    }

    /// Reads a flat extract from any reader; `source` names it in errors.
    ///
    /// # Errors
    /// As [`from_csv`](Self::from_csv).
    pub fn from_csv_reader(reader: impl std::io::Read, source: &str, options: &FlatCsvOptions) -> Result<Extract> {
        crate::ingest::flat::read_csv(reader, source, options, &())
    }

    /// Reads a flat extract from record batches (the columns of
    /// [`ingest::flat`](crate::ingest::flat)). Integer columns may be of any
    /// width, dates `date32`, `date64`, timestamps at midnight (in the
    /// column's own zone, UTC when it has none: as the contract reader) or
    /// `YYYY-MM-DD` text, codes any string type or a dictionary of strings,
    /// days integers or floats in quarter days. Column names are folded as
    /// in CSV (`Kön`, `Förbund ID`). `threads` workers read slices of rows
    /// in parallel.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
    /// use finsam_core::engine::Extract;
    /// let batch = RecordBatch::try_from_iter([
    ///     ("deltagare_id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
    ///     ("forbund_id", Arc::new(Int64Array::from(vec![3, 3])) as ArrayRef),
    ///     ("kon", Arc::new(StringArray::from(vec!["K", "M"])) as ArrayRef),
    ///     ("startdatum", Arc::new(Date32Array::from(vec![18_000, 18_100])) as ArrayRef),
    ///     ("slutdatum", Arc::new(Date32Array::from(vec![Some(18_200), None])) as ArrayRef),
    ///     ("status_efter", Arc::new(StringArray::from(vec![Some("studier"), None])) as ArrayRef),
    /// ])
    /// .unwrap();
    /// assert_eq!(Extract::from_record_batches(&[batch], 2)?.rows(), 2);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `missing_column` (also for no batches at all: without a schema there
    /// are no columns), `arrow_type` for a column of an unusable type or an
    /// unknown time zone, and the value errors of [`from_csv`](Self::from_csv),
    /// naming the row; then `duplicate_row` for the first row that repeats
    /// an earlier one in every column, used or not (as [`from_csv`](Self::from_csv)
    /// judges a file's records). A stream's schema with no rows is a batch of no rows.
    #[cfg(feature = "arrow")]
    pub fn from_record_batches(batches: &[arrow_array::RecordBatch], threads: usize) -> Result<Extract> {
        crate::ingest::flat::read_batches(batches, threads, &())
    }

    /// Reads a flat extract from a Parquet file or a directory of part
    /// files natively, one row group at a time, on `threads` workers, as
    /// [`from_batch_stream`](Self::from_batch_stream) reads a stream: no
    /// decoded batch is kept once read. Errors name the path and the row
    /// (0-based, counted across the part files of a directory).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
    /// let batch = RecordBatch::try_from_iter([
    ///     ("deltagare_id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
    ///     ("forbund_id", Arc::new(Int64Array::from(vec![3, 3])) as ArrayRef),
    ///     ("kon", Arc::new(StringArray::from(vec!["K", "M"])) as ArrayRef),
    ///     ("startdatum", Arc::new(Date32Array::from(vec![18_000, 18_100])) as ArrayRef),
    ///     ("slutdatum", Arc::new(Date32Array::from(vec![Some(18_200), None])) as ArrayRef),
    ///     ("status_efter", Arc::new(StringArray::from(vec![Some("studier"), None])) as ArrayRef),
    /// ])
    /// .unwrap();
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("extract.parquet");
    /// let mut writer = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
    /// writer.write(&batch).unwrap();
    /// writer.close().unwrap();
    /// assert_eq!(finsam_core::engine::Extract::from_parquet(&path, 2)?.rows(), 2);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `invalid_parquet` for a file that is not Parquet or cannot be
    /// decoded, and the errors of [`from_record_batches`](Self::from_record_batches).
    #[cfg(feature = "parquet")]
    pub fn from_parquet(path: &Path, threads: usize) -> Result<Extract> {
        let (schema, stream) = crate::ingest::parquet::batch_stream(path)?;
        Extract::from_batch_stream(schema, stream, threads).map_err(|e| crate::ingest::parquet::at_path(e, path))
    }

    /// Reads a flat extract from a stream of record batches with `schema`
    /// (a Parquet reader, a database cursor, a scanner), as
    /// [`from_record_batches`](Self::from_record_batches) reads batches, but
    /// keeping no batch once read: exact repeats are found by a hash of every
    /// column of each row in Arrow's row format (88 bits, in a 16-byte key
    /// with the row's position, as the CSV reader hashes its records). An
    /// error of the stream is `arrow_type` at the rows read before it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
    /// use finsam_core::{arrow::BatchStream, engine::Extract};
    /// let batch = RecordBatch::try_from_iter([
    ///     ("deltagare_id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
    ///     ("forbund_id", Arc::new(Int64Array::from(vec![3, 3])) as ArrayRef),
    ///     ("kon", Arc::new(StringArray::from(vec!["K", "M"])) as ArrayRef),
    ///     ("startdatum", Arc::new(Date32Array::from(vec![18_000, 18_100])) as ArrayRef),
    ///     ("slutdatum", Arc::new(Date32Array::from(vec![Some(18_200), None])) as ArrayRef),
    ///     ("status_efter", Arc::new(StringArray::from(vec![Some("studier"), None])) as ArrayRef),
    /// ])
    /// .unwrap();
    /// let schema = batch.schema();
    /// let twice: BatchStream = Box::new(vec![Ok(batch.clone()), Ok(batch)].into_iter());
    /// let e = Extract::from_batch_stream(schema, twice, 2).unwrap_err();
    /// assert_eq!((e.code(), e.location().and_then(|at| at.row)), ("duplicate_row", Some(2)));
    /// ```
    ///
    /// # Errors
    /// As [`from_record_batches`](Self::from_record_batches).
    #[cfg(feature = "arrow")]
    pub fn from_batch_stream(
        schema: arrow_schema::SchemaRef,
        stream: crate::arrow::BatchStream,
        threads: usize,
    ) -> Result<Extract> {
        crate::ingest::flat::read_stream(schema, stream, threads, crate::ingest::flat::Repeats::WholeRow, 0, &())
    }

    /// Rows read.
    pub fn rows(&self) -> u64 {
        self.tally.rows
    }

    /// The benefit groups with days in the extract.
    pub fn groups(&self) -> &[Ersattningsgrupp] {
        &self.groups
    }

    /// The latest start or end date in the extract: the cut-off unless the
    /// options set one (an extract does not carry its own).
    pub fn latest(&self) -> Date {
        Date::from_checked(self.tally.latest.unwrap_or(0))
    }

    /// The earliest year of start.
    pub fn first_year(&self) -> Option<i32> {
        self.batches.iter().filter_map(|b| b.first_start).min()
    }

    /// What a table of this extract says about its population: the
    /// catalogue's rule as far as the extract's columns let it be applied.
    pub fn notes(&self) -> Vec<String> {
        population_notes(self.tally.rows, self.tally.without_avslutsanledning)
    }

    /// The state of `split` over `years`, counted on two threads (see
    /// [`Partial`] for a state of a chunk, to merge with others).
    ///
    /// # Errors
    /// As [`Partial::compute`].
    pub fn state(&self, split: &Split, years: RangeInclusive<i32>, config: &Config) -> Result<State> {
        Partial::compute(self, split, years.clone(), config)?.into_state_for(split, &years)
    }

    pub(crate) fn batches(&self) -> &[Participations] {
        &self.batches
    }

    pub(crate) fn tally(&self) -> Tally {
        self.tally
    }
}

/// What a table of a flat extract of `rows` rows says about its population,
/// `without_avslutsanledning` of them read without that column.
pub(crate) fn population_notes(rows: u64, without_avslutsanledning: u64) -> Vec<String> {
    let mut notes = vec![
        "Source: a flat extract. It does not say which insatser are individinriktade: the catalogue's population is assumed, not checked; benefit days are as delivered in the extract.".to_owned(),
    ];
    if without_avslutsanledning > 0 {
        notes.push(format!(
            "{without_avslutsanledning} of {rows} rows came without an avslutsanledning column: felregistrering among them could not be excluded."
        ));
    }
    notes
}

impl FlatSink for Extract {
    type Plan = ();

    fn empty(groups: &[Ersattningsgrupp], _: &()) -> Self {
        Extract { groups: groups.to_vec(), ..Extract::default() }
    }

    fn add_rows(&mut self, rows: &Rows, locate: &dyn Fn(usize, &str, String) -> Location) -> Result<()> {
        let batch = participations_of(rows, locate, &self.groups, &mut self.tally)?;
        self.batches.push(batch);
        Ok(())
    }

    fn merge_all(parts: Vec<Self>, groups: &[Ersattningsgrupp], _: &()) -> Result<Self> {
        let mut out = Extract::empty(groups, &());
        for p in parts {
            out.batches.extend(p.batches);
            out.tally.absorb(p.tally);
        }
        Ok(out)
    }
}

/// A reader's batch of rows, checked by the row rules ([`check_rows`]), as
/// participations of the benefit `groups`, and counted in `tally`: what
/// every sink of a flat extract does with the rows it is given.
pub(crate) fn participations_of(
    rows: &Rows,
    locate: &dyn Fn(usize, &str, String) -> Location,
    groups: &[Ersattningsgrupp],
    tally: &mut Tally,
) -> Result<Participations> {
    check_rows(rows, locate)?;
    tally.add(rows);
    Ok(Participations::from_flat_rows(rows, groups))
}

impl Participations {
    /// A batch of flat-extract rows (checked by [`check_rows`]). An ended
    /// row with a value before but none after in some benefit group has an
    /// open after-window, as delivered days have.
    pub(crate) fn from_flat_rows(rows: &Rows, groups: &[Ersattningsgrupp]) -> Participations {
        let n = rows.len();
        let decode = |v: u8, all: &[Utfall]| (v != NO_STATUS).then(|| all[usize::from(v)]);
        let mut out = Participations {
            person: rows.id.iter().map(|&id| id as u64).collect(),
            forbund: rows.forbund.clone(),
            kon: rows.kon.iter().map(|&k| Kon::ALL[usize::from(k)]).collect(),
            start: rows.start.iter().map(|&d| Date::from_checked(d)).collect(),
            slut: rows.slut.iter().map(|&d| (d != NO_DATE).then(|| Date::from_checked(d))).collect(),
            utfall: rows.status.iter().map(|&s| decode(s, Utfall::ALL)).collect(),
            avslutsanledning: rows
                .avslut
                .iter()
                .map(|&a| (a != NO_STATUS).then(|| Avslutsanledning::ALL[usize::from(a)]))
                .collect(),
            open: vec![false; n],
            groups: groups.to_vec(),
            window: vec![super::participations::NO_WINDOW; n],
            first_start: rows.start.iter().min().map(|&d| Date::from_checked(d).year()),
            ..Participations::default()
        };
        let value = |q: i64| (q != NO_DAYS).then_some(q);
        let ended = rows.slut.iter().filter(|&&d| d != NO_DATE).count();
        out.days.reserve_exact(ended * groups.len());
        for i in 0..n {
            if rows.slut[i] == NO_DATE || out.is_felregistrering(i) {
                continue;
            }
            out.window[i] = (out.days.len() / groups.len().max(1)) as u32;
            for [fore, efter] in &rows.days {
                let pair = WindowPair::new(value(fore[i]), value(efter[i]));
                out.open[i] |= matches!((pair.fore(), pair.efter()), (Some(_), None));
                out.days.push(pair);
            }
        }
        out
    }
}

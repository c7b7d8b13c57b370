//! Reading a flat extract from Arrow record batches in place: columns are
//! read where they lie (no copy of the frame), one slice of rows at a time,
//! on worker threads whose states are merged.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, Schema, SchemaRef};

use super::repeats::{first_repeat, key, repeat_groups, row_hash, words_hash};
use super::{CodeMemo, FlatSink, NO_DATE, NO_DAYS, NO_STATUS, Rows, code_error, flat_columns};
use crate::arrow::BatchStream;
use crate::arrow::{Timestamps, dictionary_keys};
use crate::error::{Error, Location, Result};
use crate::model::{Avslutsanledning, Coded, Dagar, Ersattningsgrupp, Kon, Utfall};

/// Rows per slice handed to a worker.
const SLICE: usize = 1 << 15;

/// Reads a flat extract from record batches into the sink `S`, on `threads`
/// workers. The batches are in memory already, so repeats are found by a
/// hash of the fields read and confirmed against every column.
pub(crate) fn read_batches<S: FlatSink>(batches: &[RecordBatch], threads: usize, plan: &S::Plan) -> Result<S> {
    let schema = batches.first().map_or_else(|| Arc::new(Schema::empty()), RecordBatch::schema);
    // A stream owns its batches (cheap: they share their buffers).
    #[allow(clippy::unnecessary_to_owned)]
    let stream: BatchStream = Box::new(batches.to_vec().into_iter().map(Ok));
    let expected_rows = batches.iter().map(RecordBatch::num_rows).sum();
    read_stream(schema, stream, threads, Repeats::Confirmed, expected_rows, plan)
}

/// How a reader finds rows that repeat another in every column.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeats {
    /// By a hash of the fields read, each candidate confirmed against every
    /// column of the batches, which are kept (they are in memory anyway).
    Confirmed,
    /// By a hash of every column of the row in Arrow's row format (88 bits
    /// of it are kept beside the row's position),
    /// which needs no confirmation (as the CSV reader hashes a record's
    /// bytes): the batches are dropped once read.
    WholeRow,
}

/// Reads a flat extract from a stream of record batches with `schema` into
/// the sink `S`: this thread pulls the batches and cuts them into slices,
/// `threads` workers read the slices. Under [`Repeats::WholeRow`] no batch
/// is kept once read. `expected_rows` is how many rows are expected, if
/// known (0 otherwise), so that the workers make room once.
pub(crate) fn read_stream<S: FlatSink>(
    schema: SchemaRef,
    stream: BatchStream,
    threads: usize,
    repeats: Repeats,
    expected_rows: usize,
    plan: &S::Plan,
) -> Result<S> {
    let layout = Layout::of(&schema)?;
    let whole_row = match repeats {
        Repeats::WholeRow => Some(WholeRow::of(&schema)?),
        Repeats::Confirmed => None,
    };
    let threads = threads.max(1);
    let share = expected_rows.div_ceil(threads);
    let (sender, receiver) = mpsc::sync_channel::<(RecordBatch, u64)>(threads * 2);
    // Only the workers hold the receiver: once every one has stopped,
    // sending fails instead of blocking on a full channel.
    let receiver = Arc::new(Mutex::new(receiver));
    let receivers: Vec<_> = (0..threads).map(|_| Arc::clone(&receiver)).collect();
    drop(receiver);
    let failed = AtomicBool::new(false);
    let (pulled, results) = std::thread::scope(|scope| {
        let work = |receiver: Arc<Mutex<mpsc::Receiver<(RecordBatch, u64)>>>| -> Result<(S, Vec<u128>)> {
            let mut state = S::empty(&layout.groups, plan);
            let mut rows = Rows::new(layout.groups.len(), layout.avslutsanledning.is_some());
            let mut codes = Codes { kon: CodeMemo::new(), status: CodeMemo::new(), avslut: CodeMemo::new() };
            let mut keys = Vec::with_capacity(share);
            loop {
                // A poisoned lock means a worker panicked: join_all reports it.
                let next = receiver.lock().map_err(|_| Error::Interrupted)?.recv();
                let Ok((slice, first_row)) = next else {
                    state.seal();
                    return Ok((state, keys));
                };
                let read = (|| {
                    crate::exec::check()?;
                    rows.clear();
                    layout.read(&slice, first_row, &mut rows, &mut codes)?;
                    let locate = |r: usize, column: &str, value: String| {
                        Location::table("frame").row(first_row + r as u64).column(column).value(value)
                    };
                    state.add_rows(&rows, &locate)?;
                    match &whole_row {
                        Some(hasher) => hasher.keys(&slice, first_row, &mut keys),
                        None => {
                            read_keys(&rows, first_row, &mut keys);
                            Ok(())
                        }
                    }
                })();
                if let Err(e) = read {
                    failed.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        };
        let handles: Vec<_> =
            receivers.into_iter().map(|receiver| scope.spawn(crate::exec::inherit(move || work(receiver)))).collect();
        let pulled = pull(&schema, stream, &sender, &failed, repeats == Repeats::Confirmed);
        drop(sender);
        (pulled, crate::exec::join_all(handles))
    });
    let (parts, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    let mut errors: Vec<Error> = errors.into_iter().filter_map(Result::err).collect();
    let kept = match pulled {
        Ok(kept) => kept,
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    };
    // The earliest in the frame (every error of the rows has its row).
    if let Some(e) = errors.into_iter().min_by_key(|e| e.location().and_then(|l| l.row).unwrap_or(u64::MAX)) {
        return Err(e);
    }
    let (states, keys): (Vec<S>, Vec<Vec<u128>>) = parts.into_iter().filter_map(Result::ok).unzip();
    let groups = repeat_groups(keys, threads);
    let repeat = match repeats {
        // Equal hashes of the fields read are candidates; every column decides.
        Repeats::Confirmed => first_repeat(&groups, |a, b| same_row(&kept, a, b)),
        Repeats::WholeRow => first_repeat(&groups, |_, _| true),
    };
    if let Some((first, second)) = repeat {
        return Err(Error::DuplicateRow {
            at: Box::new(Location::table("frame").row(second)),
            first_row: first,
            first_line: None,
        });
    }
    S::merge_all(states, &layout.groups, plan)
}

/// Pulls the batches of `stream`, checks each has `schema`, and sends them
/// in slices (with the index of their first row) until the stream ends or
/// a worker has failed; returns the slices if `keep`.
fn pull(
    schema: &SchemaRef,
    stream: BatchStream,
    sender: &mpsc::SyncSender<(RecordBatch, u64)>,
    failed: &AtomicBool,
    keep: bool,
) -> Result<Vec<(RecordBatch, u64)>> {
    let mut kept = Vec::new();
    let mut row = 0u64;
    for batch in stream {
        if failed.load(Ordering::Relaxed) {
            break;
        }
        crate::exec::check()?;
        let at = || Box::new(Location::table("frame").row(row));
        let batch = batch.map_err(|e| {
            // A file's own error (a Parquet page that cannot be decoded) is at
            // the rows read before it, so that the earliest error wins.
            let mut e = stream_error(e, at());
            if let Some(loc) = e.location_mut()
                && loc.row.is_none()
            {
                loc.row = Some(row);
            }
            e
        })?;
        if batch.schema().fields() != schema.fields() {
            return Err(Error::ArrowType { at: at(), message: "the batches have different schemas".into() });
        }
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = SLICE.min(batch.num_rows() - offset);
            let slice = (batch.slice(offset, len), row + offset as u64);
            if keep {
                kept.push(slice.clone());
            }
            if failed.load(Ordering::Relaxed) || sender.send(slice).is_err() {
                // Every worker has stopped: one failed, and says why.
                return Ok(kept);
            }
            offset += len;
        }
        row += batch.num_rows() as u64;
    }
    Ok(kept)
}

/// The error of a stream at `at`: finsam's own error if the stream carries
/// one (a Parquet reader's `invalid_parquet`), else `arrow_type`.
pub(crate) fn stream_error(e: arrow_schema::ArrowError, at: Box<Location>) -> Error {
    match e {
        arrow_schema::ArrowError::ExternalError(inner) => match inner.downcast::<Error>() {
            Ok(own) => *own,
            Err(other) => Error::ArrowType { at, message: format!("the stream failed: {other}") },
        },
        other => Error::ArrowType { at, message: format!("the stream failed: {other}") },
    }
}

/// Hashes whole rows in Arrow's row format, in which two rows are equal
/// exactly when every column is (each in its own type).
struct WholeRow {
    converter: RowConverter,
}

impl WholeRow {
    fn of(schema: &Schema) -> Result<WholeRow> {
        let fields = schema.fields().iter().map(|f| SortField::new(f.data_type().clone())).collect();
        let converter = RowConverter::new(fields).map_err(|e| Error::ArrowType {
            at: Box::new(Location::table("frame")),
            message: format!("a column cannot be compared row by row: {e}"),
        })?;
        Ok(WholeRow { converter })
    }

    /// The keys of the rows of `slice`, whose first row is `first_row`.
    fn keys(&self, slice: &RecordBatch, first_row: u64, out: &mut Vec<u128>) -> Result<()> {
        let rows = self.converter.convert_columns(slice.columns()).map_err(|e| Error::ArrowType {
            at: Box::new(Location::table("frame").row(first_row)),
            message: e.to_string(),
        })?;
        out.extend(rows.iter().enumerate().map(|(r, row)| key(row_hash(row.as_ref()), first_row + r as u64)));
        Ok(())
    }
}

/// The repeat keys of the rows of one slice (whose first row is row
/// `first_row` of the frame), from the fields read.
fn read_keys(rows: &Rows, first_row: u64, out: &mut Vec<u128>) {
    let mut words: Vec<u64> = Vec::with_capacity(4 + 2 * rows.days.len());
    for r in 0..rows.id.len() {
        words.clear();
        // Small fields packed into one word: förbund (32 bits), dates (2 × 32 bits packed
        // with kön and status in a second word) keep the hash short.
        words.push(rows.id[r] as u64);
        words.push(
            u64::from(rows.avslut[r]) << 48
                | u64::from(rows.forbund[r]) << 16
                | u64::from(rows.kon[r]) << 8
                | u64::from(rows.status[r]),
        );
        words.push((rows.start[r] as u32 as u64) << 32 | rows.slut[r] as u32 as u64);
        words.extend(rows.days.iter().flat_map(|[before, after]| [before[r] as u64, after[r] as u64]));
        out.push(key(words_hash(&words), first_row + r as u64));
    }
}

/// Whether rows `a` and `b` of the frame (cut into `slices`) are equal in
/// every column, used or not, by Arrow's logical equality.
fn same_row(slices: &[(RecordBatch, u64)], a: u64, b: u64) -> bool {
    let at = |row: u64| {
        let i = slices.partition_point(|(_, first)| *first <= row) - 1;
        (&slices[i].0, (row - slices[i].1) as usize)
    };
    let ((sa, ra), (sb, rb)) = (at(a), at(b));
    (0..sa.num_columns()).all(|c| sa.column(c).slice(ra, 1).to_data() == sb.column(c).slice(rb, 1).to_data())
}

/// Column positions of a schema.
struct Layout {
    /// The column names as the frame spells them (for errors).
    names: Vec<String>,
    required: [usize; 6],
    avslutsanledning: Option<usize>,
    days: Vec<(usize, usize)>,
    groups: Vec<Ersattningsgrupp>,
}

impl Layout {
    fn of(schema: &Schema) -> Result<Layout> {
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let columns = flat_columns(&names, &|| Location::table("frame"))?;
        Ok(Layout {
            names,
            required: columns.required,
            avslutsanledning: columns.avslutsanledning,
            days: columns.days.iter().map(|d| (d.1, d.2)).collect(),
            groups: columns.days.iter().map(|d| d.0).collect(),
        })
    }

    fn read(&self, batch: &RecordBatch, first_row: u64, rows: &mut Rows, codes: &mut Codes) -> Result<()> {
        let col = |i: usize| Input { array: batch.column(i).as_ref(), name: &self.names[i], first_row };
        let [id, forbund, k, start, slut, st] = self.required;
        col(id).ints(&mut rows.id, true)?;
        let mut f = Vec::with_capacity(batch.num_rows());
        col(forbund).ints(&mut f, true)?;
        for (r, v) in f.into_iter().enumerate() {
            let v = u32::try_from(v)
                .ok()
                .filter(|&v| v <= crate::model::MAX_ID)
                .ok_or_else(|| col(forbund).error_at(r, v.to_string(), crate::model::ID_RANGE))?;
            rows.forbund.push(v);
        }
        col(k).codes(&mut rows.kon, &mut codes.kon, false)?;
        col(start).dates(&mut rows.start, false)?;
        col(slut).dates(&mut rows.slut, true)?;
        col(st).codes(&mut rows.status, &mut codes.status, true)?;
        match self.avslutsanledning {
            Some(a) => col(a).codes(&mut rows.avslut, &mut codes.avslut, true)?,
            None => rows.avslut.resize(rows.id.len(), NO_STATUS),
        }
        for (g, &(before, after)) in self.days.iter().enumerate() {
            col(before).days(&mut rows.days[g][0])?;
            col(after).days(&mut rows.days[g][1])?;
        }
        Ok(())
    }
}

/// The code memos of one reader thread.
struct Codes {
    kon: CodeMemo<Kon>,
    status: CodeMemo<Utfall>,
    avslut: CodeMemo<Avslutsanledning>,
}

/// One column of a slice.
struct Input<'a> {
    array: &'a dyn Array,
    name: &'a str,
    first_row: u64,
}

/// Calls `$f(typed_array, $out)` for any integer type; `None` for others.
macro_rules! each_int {
    ($array:expr, $f:ident, $out:expr) => {
        match $array.data_type() {
            DataType::Int8 => Some($f($array.as_primitive::<Int8Type>(), $out)),
            DataType::Int16 => Some($f($array.as_primitive::<Int16Type>(), $out)),
            DataType::Int32 => Some($f($array.as_primitive::<Int32Type>(), $out)),
            DataType::Int64 => Some($f($array.as_primitive::<Int64Type>(), $out)),
            DataType::UInt8 => Some($f($array.as_primitive::<UInt8Type>(), $out)),
            DataType::UInt16 => Some($f($array.as_primitive::<UInt16Type>(), $out)),
            DataType::UInt32 => Some($f($array.as_primitive::<UInt32Type>(), $out)),
            DataType::UInt64 => Some($f($array.as_primitive::<UInt64Type>(), $out)),
            _ => None,
        }
    };
}

/// Appends the values as `i64`; `Err((row, value))` at the first that does
/// not fit. Values under nulls are unspecified: they are never an error.
fn widen<T: ArrowPrimitiveType>(
    a: &arrow_array::PrimitiveArray<T>,
    out: &mut Vec<i64>,
) -> std::result::Result<(), (usize, String)>
where
    T::Native: TryInto<i64> + std::fmt::Display,
{
    for (r, &v) in a.values().iter().enumerate() {
        match v.try_into() {
            Ok(v) => out.push(v),
            Err(_) if a.is_null(r) => out.push(0),
            Err(_) => return Err((r, v.to_string())),
        }
    }
    Ok(())
}

impl Input<'_> {
    fn at(&self, row: usize) -> Location {
        Location::table("frame").row(self.first_row + row as u64).column(self.name)
    }

    fn type_error(&self, expected: &str) -> Error {
        Error::ArrowType {
            at: Box::new(Location::table("frame").column(self.name)),
            message: format!("expected {expected}, found Arrow type {}", self.array.data_type()),
        }
    }

    fn error_at(&self, row: usize, value: String, range: &str) -> Error {
        Error::InvalidNumber { at: Box::new(self.at(row).value(value)), range: range.to_owned() }
    }

    fn missing(&self, row: usize) -> Error {
        Error::MissingValue { at: Box::new(self.at(row)) }
    }

    /// The first null row, if the column must not have any. Logical
    /// nulls: a dictionary key pointing at a null value is one too, and so
    /// is every row of a column of Arrow type null.
    fn check_nulls(&self) -> Result<()> {
        match self.array.logical_nulls() {
            Some(nulls) if nulls.null_count() > 0 => {
                Err(self.missing((0..nulls.len()).find(|&i| nulls.is_null(i)).unwrap_or(0)))
            }
            _ => Ok(()),
        }
    }

    /// Whole numbers (integers, or floats that are whole).
    fn ints(&self, out: &mut Vec<i64>, required: bool) -> Result<()> {
        if required {
            self.check_nulls()?;
        }
        if let Some(done) = each_int!(self.array, widen, out) {
            return done.map_err(|(r, v)| self.error_at(r, v, "a 64-bit integer"));
        }
        if let Some(a) = self.array.as_primitive_opt::<Float64Type>() {
            for (r, &v) in a.values().iter().enumerate() {
                if v.fract() != 0.0 || !v.is_finite() || v.abs() > 9.0e15 {
                    return Err(self.error_at(r, v.to_string(), "whole numbers"));
                }
                out.push(v as i64);
            }
            return Ok(());
        }
        Err(self.type_error("an integer column"))
    }

    /// Day numbers; nulls become `NO_DATE` if `nullable`.
    fn dates(&self, out: &mut Vec<i32>, nullable: bool) -> Result<()> {
        if !nullable {
            self.check_nulls()?;
        }
        let start = out.len();
        let column = || Location::table("frame").column(self.name);
        if let Some(instants) = Timestamps::of(self.array, &column) {
            let (values, timestamps) = instants?;
            for (r, &t) in values.iter().enumerate() {
                out.push(match timestamps.day(t) {
                    Some(day) => day,
                    None if self.array.is_null(r) => NO_DATE,
                    None => {
                        return Err(Error::InvalidDate { at: Box::new(self.at(r).value(timestamps.display(t))) });
                    }
                });
            }
        } else {
            match self.array.data_type() {
                DataType::Date32 => out.extend_from_slice(self.array.as_primitive::<Date32Type>().values()),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                    for r in 0..self.array.len() {
                        out.push(match text_at(self.array, r) {
                            None => NO_DATE,
                            Some(t) => crate::Date::parse_iso(t.trim())
                                .map_err(|_| Error::InvalidDate { at: Box::new(self.at(r).value(t)) })?
                                .days_since_epoch(),
                        });
                    }
                }
                DataType::Null => out.resize(start + self.array.len(), NO_DATE),
                _ => return Err(self.type_error("a date, timestamp or YYYY-MM-DD text column")),
            }
        }
        if let Some(nulls) = self.array.nulls() {
            for r in (0..nulls.len()).filter(|&r| nulls.is_null(r)) {
                out[start + r] = NO_DATE;
            }
        }
        // Day numbers outside years 1-9999 are not dates: checked at every
        // position that is not null, so a value equal to the no-date marker
        // (i32::MIN in a date32 column) is refused too, not read as missing.
        let nulls = self.array.logical_nulls();
        let is_null = |r: usize| nulls.as_ref().is_some_and(|n| n.is_null(r));
        if let Some(r) = out[start..]
            .iter()
            .enumerate()
            .position(|(r, &d)| !is_null(r) && crate::Date::from_days_since_epoch(d).is_none())
        {
            let value = format!("day {} after 1970-01-01", out[start + r]);
            return Err(Error::InvalidDate { at: Box::new(self.at(r).value(value)) });
        }
        Ok(())
    }

    /// Codes of `T` as their index; nulls become `NO_STATUS` if `nullable`.
    fn codes<T: Coded>(&self, out: &mut Vec<u8>, memo: &mut CodeMemo<T>, nullable: bool) -> Result<()> {
        if !nullable {
            self.check_nulls()?;
        }
        let bad = |r: usize, text: &str| code_error::<T>(self.at(r).value(text));
        if let DataType::Dictionary(_, value_type) = self.array.data_type() {
            if !matches!(**value_type, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
                return Err(self.type_error("a string or dictionary-of-strings column"));
            }
            let dict = self.array.as_any_dictionary_opt().ok_or_else(|| self.type_error("a string dictionary"))?;
            let keys = dictionary_keys(self.array).map_err(|expected| self.type_error(expected))?;
            let values = dict.values();
            // Each entry of the dictionary parsed once: its code, or its text
            // if it is not one (an error only if a row uses it); `None` if null.
            let codes: Vec<Option<std::result::Result<u8, &str>>> = (0..values.len())
                .map(|v| {
                    let text = text_at(values.as_ref(), v).filter(|t| !(nullable && t.trim().is_empty()));
                    text.map(|t| memo.get(t.as_bytes()).map(T::index).ok_or(t))
                })
                .collect();
            for (r, &key) in keys.iter().enumerate() {
                out.push(match codes.get(key) {
                    _ if self.array.is_null(r) => NO_STATUS,
                    Some(Some(Ok(c))) => *c,
                    Some(Some(Err(t))) => return Err(bad(r, t)),
                    // A null entry (a required column was checked for those).
                    Some(None) | None => NO_STATUS,
                });
            }
            return Ok(());
        }
        if let DataType::Null = self.array.data_type() {
            out.resize(out.len() + self.array.len(), NO_STATUS);
            return Ok(());
        }
        let nulls = self.array.nulls();
        // An empty text in a column that may be empty is no value, as an
        // empty CSV field is (pandas and pyarrow's CSV reader write it so).
        let empty = |bytes: &[u8]| nullable && bytes.trim_ascii().is_empty();
        let mut push = |r: usize, bytes: &[u8]| -> Result<()> {
            out.push(match nulls.is_some_and(|n| n.is_null(r)) || empty(bytes) {
                true => NO_STATUS,
                false => memo.get(bytes).ok_or_else(|| bad(r, &String::from_utf8_lossy(bytes)))?.index(),
            });
            Ok(())
        };
        match self.array.data_type() {
            DataType::Utf8View => {
                let a = self.array.as_string_view();
                for (r, &view) in a.views().iter().enumerate() {
                    if nulls.is_some_and(|n| n.is_null(r)) || empty(a.value(r).as_bytes()) {
                        out.push(NO_STATUS);
                        continue;
                    }
                    let text = || a.value(r).as_bytes();
                    let code = memo.get_view(view, text).ok_or_else(|| bad(r, a.value(r)))?;
                    out.push(code.index());
                }
            }
            DataType::Utf8 => {
                for (r, v) in self.array.as_string::<i32>().iter().enumerate() {
                    push(r, v.unwrap_or_default().as_bytes())?;
                }
            }
            DataType::LargeUtf8 => {
                for (r, v) in self.array.as_string::<i64>().iter().enumerate() {
                    push(r, v.unwrap_or_default().as_bytes())?;
                }
            }
            _ => return Err(self.type_error("a string or dictionary column")),
        }
        Ok(())
    }

    /// Quarter days; nulls become `NO_DAYS`.
    fn days(&self, out: &mut Vec<i64>) -> Result<()> {
        let start = out.len();
        let bad = |r: usize, v: String| Error::InvalidDays { at: Box::new(self.at(r).value(v)) };
        let is_null = |r: usize| self.array.nulls().is_some_and(|n| n.is_null(r));
        if let Some(done) = each_int!(self.array, widen, out) {
            done.map_err(|(r, v)| bad(r, v))?;
            for (r, v) in out[start..].iter_mut().enumerate() {
                // Values under nulls are unspecified: check them after masking.
                if (0..=366).contains(v) {
                    *v *= 4;
                } else if !is_null(r) {
                    return Err(bad(r, v.to_string()));
                }
            }
        } else if let Some(a) = self.array.as_primitive_opt::<Float64Type>() {
            for (r, &v) in a.values().iter().enumerate() {
                if is_null(r) || v.is_nan() {
                    out.push(NO_DAYS);
                } else {
                    out.push(i64::from(Dagar::from_f64(v).ok_or_else(|| bad(r, v.to_string()))?.quarters()));
                }
            }
        } else if let DataType::Null = self.array.data_type() {
            out.resize(start + self.array.len(), NO_DAYS);
        } else {
            return Err(self.type_error("an integer or float column of days"));
        }
        if let Some(nulls) = self.array.nulls() {
            for r in (0..nulls.len()).filter(|&r| nulls.is_null(r)) {
                out[start + r] = NO_DAYS;
            }
        }
        Ok(())
    }
}

/// The text of row `r` of a string column (`None` if null).
fn text_at(array: &dyn Array, r: usize) -> Option<&str> {
    if array.is_null(r) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(r)),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(r)),
        DataType::Utf8View => Some(array.as_string_view().value(r)),
        _ => None,
    }
}

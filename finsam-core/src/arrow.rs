//! Arrow `RecordBatch` import and export of every table (feature `arrow`).
//!
//! Export writes the contract's types: Int64, Date32, Utf8, Boolean,
//! Decimal128(18, 2) for money (the value is öre) and Float64 for days.
//! Import is lenient about *representation* and strict about *values*: any
//! integer width, Date32/Date64/Timestamp at midnight, any string layout
//! (Utf8, LargeUtf8, Utf8View, dictionary), and money as Decimal128 or exact
//! Float64, are read; a value that does not fit is an error naming the table,
//! row and column, never a coercion.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::{Error, ErrorPolicy, Location, Result, ValidationReport};
use crate::ingest::TableMapping;
use crate::ingest::table::{DeltagandeRad, FieldSink, FieldSource, ForbundRad, Kind, MedlemskapRad, Record, TableSpec};
use crate::model::{Dagar, Ore};
use crate::publish::table::TOTAL;
use crate::{Dataset, Date};

fn data_type(kind: Kind) -> DataType {
    match kind {
        Kind::Int => DataType::Int64,
        Kind::Date => DataType::Date32,
        Kind::Text => DataType::Utf8,
        Kind::Bool => DataType::Boolean,
        Kind::Money | Kind::Decimal => DataType::Decimal128(18, 2),
        Kind::Days => DataType::Float64,
    }
}

/// The Arrow schema finsam writes for a table.
///
/// ```
/// use finsam_core::{arrow::schema, Insats, ingest::Record};
/// let s = schema(Insats::SPEC);
/// assert_eq!(s.field(0).name(), "insats_id");
/// ```
pub fn schema(spec: &TableSpec) -> SchemaRef {
    let fields: Vec<Field> = spec.columns.iter().map(|c| Field::new(c.name, data_type(c.kind), !c.required)).collect();
    Arc::new(Schema::new(fields))
}

/// Rows of a table as one record batch.
///
/// ```
/// use finsam_core::{arrow, AnonymaDeltagare, InsatsId, Kon, ErrorPolicy};
/// let rows = vec![AnonymaDeltagare { insats: InsatsId(10), ar: 2020, kon: Kon::Man, antal: 3 }];
/// let batch = arrow::to_record_batch(&rows)?;
/// assert_eq!(batch.num_rows(), 1);
/// let back: Vec<AnonymaDeltagare> = arrow::from_record_batch(&batch, None, ErrorPolicy::FailFast)?;
/// assert_eq!(back, rows);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `arrow_type` only if Arrow rejects the arrays (it does not for valid rows).
pub fn to_record_batch<T: Record>(rows: &[T]) -> Result<RecordBatch> {
    let mut sink = BatchSink::new(T::SPEC, rows.len());
    for row in rows {
        sink.column = 0;
        row.write(&mut sink);
    }
    let arrays: Vec<ArrayRef> = sink.builders.into_iter().map(Builder::finish).collect();
    RecordBatch::try_new(schema(T::SPEC), arrays)
        .map_err(|e| Error::ArrowType { at: Box::new(Location::table(T::SPEC.name)), message: e.to_string() })
}

/// Reads the rows of a table from a record batch. Columns are matched by
/// name as in CSV (case, diacritics and separators ignored; `mapping` renames).
///
/// # Errors
/// `missing_column`, `arrow_type`, or any value error, under `policy`.
pub fn from_record_batch<T: Record>(
    batch: &RecordBatch,
    mapping: Option<&TableMapping>,
    policy: ErrorPolicy,
) -> Result<Vec<T>> {
    let mut report = ValidationReport::new(policy);
    let rows = read_batch::<T>(batch, mapping, 0, &mut report)?;
    report.into_result(rows)
}

/// Reads the rows of a table delivered as several record batches (as a
/// stream delivers them); rows are numbered across the batches.
///
/// # Errors
/// As [`from_record_batch`].
pub fn from_record_batches<T: Record>(
    batches: &[RecordBatch],
    mapping: Option<&TableMapping>,
    policy: ErrorPolicy,
) -> Result<Vec<T>> {
    let mut report = ValidationReport::new(policy);
    let (mut rows, mut read) = (Vec::new(), 0u64);
    for batch in batches {
        rows.extend(read_batch::<T>(batch, mapping, read, &mut report)?);
        read += batch.num_rows() as u64;
    }
    report.into_result(rows)
}

/// Reads `batch` whose first row is row `offset` of its table.
pub(crate) fn read_batch<T: Record>(
    batch: &RecordBatch,
    mapping: Option<&TableMapping>,
    offset: u64,
    report: &mut ValidationReport,
) -> Result<Vec<T>> {
    read_batch_from(batch, mapping, offset, &format!("table {}", T::SPEC.name), report)
}

/// Reads `batch` whose first row is row `offset` of `source` (which errors
/// name: `table deltaganden`, or the path of a file).
pub(crate) fn read_batch_from<T: Record>(
    batch: &RecordBatch,
    mapping: Option<&TableMapping>,
    offset: u64,
    source: &str,
    report: &mut ValidationReport,
) -> Result<Vec<T>> {
    let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
    let (positions, _ignored) = crate::ingest::csv::resolve_columns(T::SPEC, &names, mapping, source)?;
    let columns: Vec<Column<'_>> = positions
        .iter()
        .zip(T::SPEC.columns)
        .map(|(p, spec)| match p {
            None => Ok(Column::Absent),
            Some(i) => {
                Column::new(batch.column(*i).as_ref(), spec.kind, &|| Location::file(source).column(names[*i].clone()))
            }
        })
        .collect::<Result<_>>()?;
    let headers: Vec<&str> = T::SPEC.columns.iter().map(|c| c.name).collect();
    let mut rows = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let row = ArrowRow { source, columns: &columns, headers: &headers, index: i, row: offset + i as u64 };
        if let Some(r) = report.check(T::read(&row))? {
            rows.push(r);
        }
    }
    Ok(rows)
}

/// One input column, resolved once per batch.
enum Column<'a> {
    Absent,
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    Utf8View(&'a arrow_array::StringViewArray),
    Dictionary {
        keys: Vec<usize>,
        array: &'a dyn Array,
        values: Box<Column<'a>>,
    },
    Int(Vec<Option<i64>>, Option<&'static str>),
    Date32(&'a arrow_array::Date32Array),
    /// Date64 and Timestamp columns: the array (for its nulls), its values
    /// and how they become dates.
    Instants(&'a dyn Array, &'a [i64], Timestamps),
    Bool(&'a arrow_array::BooleanArray),
    Decimal(&'a arrow_array::Decimal128Array, i8),
    Float(Vec<Option<f64>>),
}

macro_rules! ints {
    ($array:expr, $($t:ty),+) => {{
        let a = $array;
        $(
            if let Some(p) = a.as_primitive_opt::<$t>() {
                return Ok(Column::Int(p.iter().map(|v| v.map(|v| v as i64)).collect(), None));
            }
        )+
    }};
}

impl<'a> Column<'a> {
    /// The column of `array`; `at` names it in errors.
    fn new(array: &'a dyn Array, kind: Kind, at: &dyn Fn() -> Location) -> Result<Column<'a>> {
        if let Some(s) = array.as_string_opt::<i32>() {
            return Ok(Column::Utf8(s));
        }
        if let Some(s) = array.as_string_opt::<i64>() {
            return Ok(Column::LargeUtf8(s));
        }
        if let Some(s) = array.as_string_view_opt() {
            return Ok(Column::Utf8View(s));
        }
        if let Some(d) = array.as_any_dictionary_opt() {
            let values = Column::new(d.values().as_ref(), kind, at)?;
            let keys = dictionary_keys(array)
                .map_err(|message| Error::ArrowType { at: Box::new(at()), message: message.to_owned() })?;
            return Ok(Column::Dictionary { keys, array, values: Box::new(values) });
        }
        ints!(array, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type);
        if let Some(p) = array.as_primitive_opt::<UInt64Type>() {
            // Values above i64::MAX are reported per row, not wrapped.
            let big = p.iter().flatten().any(|v| v > i64::MAX as u64);
            let values = p.iter().map(|v| v.map(|v| v.min(i64::MAX as u64) as i64)).collect();
            return Ok(Column::Int(values, big.then_some("an unsigned value above 2^63 - 1")));
        }
        if let Some(d) = array.as_primitive_opt::<Date32Type>() {
            return Ok(Column::Date32(d));
        }
        if let Some(instants) = Timestamps::of(array, at) {
            let (values, timestamps) = instants?;
            return Ok(Column::Instants(array, values, timestamps));
        }
        if let Some(b) = array.as_boolean_opt() {
            return Ok(Column::Bool(b));
        }
        if let (Some(d), DataType::Decimal128(_, scale)) =
            (array.as_primitive_opt::<Decimal128Type>(), array.data_type())
        {
            return Ok(Column::Decimal(d, *scale));
        }
        if let Some(f) = array.as_primitive_opt::<Float64Type>() {
            return Ok(Column::Float(f.iter().collect()));
        }
        if let Some(f) = array.as_primitive_opt::<Float32Type>() {
            return Ok(Column::Float(f.iter().map(|v| v.map(f64::from)).collect()));
        }
        if array.null_count() == array.len() {
            return Ok(Column::Int(vec![None; array.len()], None));
        }
        Err(Error::ArrowType {
            at: Box::new(at()),
            message: format!("an Arrow column of type {} cannot hold {:?} values", array.data_type(), kind),
        })
    }

    fn is_null(&self, i: usize) -> bool {
        match self {
            Column::Absent => true,
            Column::Utf8(a) => a.is_null(i),
            Column::LargeUtf8(a) => a.is_null(i),
            Column::Utf8View(a) => a.is_null(i),
            Column::Dictionary { keys, array, values } => array.is_null(i) || values.is_null(keys[i]),
            Column::Int(v, _) => v[i].is_none(),
            Column::Date32(a) => a.is_null(i),
            Column::Instants(a, ..) => a.is_null(i),
            Column::Bool(a) => a.is_null(i),
            Column::Decimal(a, _) => a.is_null(i),
            Column::Float(v) => v[i].is_none(),
        }
    }

    /// The value as text (numbers formatted), for text columns and messages.
    fn text(&self, i: usize) -> Option<Cow<'_, str>> {
        if self.is_null(i) {
            return None;
        }
        Some(match self {
            Column::Utf8(a) => Cow::Borrowed(a.value(i)),
            Column::LargeUtf8(a) => Cow::Borrowed(a.value(i)),
            Column::Utf8View(a) => Cow::Borrowed(a.value(i)),
            Column::Dictionary { keys, values, .. } => return values.text(keys[i]),
            Column::Int(v, _) => Cow::Owned(v[i]?.to_string()),
            Column::Date32(a) => Cow::Owned(
                Date::from_days_since_epoch(a.value(i)).map_or_else(|| a.value(i).to_string(), |d| d.to_string()),
            ),
            Column::Instants(_, v, timestamps) => Cow::Owned(timestamps.display(v[i])),
            Column::Bool(a) => Cow::Borrowed(if a.value(i) { "true" } else { "false" }),
            Column::Decimal(a, scale) => Cow::Owned(format_decimal(a.value(i), *scale)),
            Column::Float(v) => Cow::Owned(v[i]?.to_string()),
            Column::Absent => return None,
        })
    }
}

fn format_decimal(v: i128, scale: i8) -> String {
    if scale <= 0 {
        return (v * 10i128.pow(u32::from(scale.unsigned_abs()))).to_string();
    }
    let p = 10i128.pow(scale as u32);
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:0width$}", (v / p).abs(), (v % p).abs(), width = scale as usize)
}

/// The keys of a dictionary array as indices into its values, each checked
/// to lie within them (a null key may hold anything: it reads as 0). Shared by
/// both Arrow readers, so that no key can index past the dictionary.
pub(crate) fn dictionary_keys(array: &dyn Array) -> std::result::Result<Vec<usize>, &'static str> {
    let dict = array.as_any_dictionary_opt().ok_or("a dictionary")?;
    let n = dict.values().len();
    let mut keys = if n == 0 { vec![0; array.len()] } else { dict.normalized_keys() };
    for (i, k) in keys.iter_mut().enumerate() {
        if array.is_null(i) {
            *k = 0;
        } else if *k >= n {
            return Err("dictionary keys within the dictionary");
        }
    }
    Ok(keys)
}

/// How the instants of a Date64 or Timestamp column become dates, shared by
/// both Arrow readers so that they agree: an instant is a date when it is a
/// midnight in the column's own zone (UTC for a column without one), and
/// the date is its civil date there. pandas and pyarrow store a zoned date
/// as the UTC instant of its local midnight, so midnight 2021-01-01 in
/// Europe/Stockholm is 2021-01-01, not 2020-12-31 as its UTC day would be.
pub(crate) struct Timestamps {
    /// Ticks per second: 1 for seconds up to 10⁹ for nanoseconds.
    per_second: i64,
    zone: Zone,
}

/// The zone of a timestamp column.
enum Zone {
    /// None (and Date64): the instants are UTC.
    Naive,
    /// A fixed offset from UTC (`+01:00`).
    Fixed(jiff::tz::Offset),
    /// A zone of the time-zone database, with its changes of offset.
    Named(jiff::tz::TimeZone),
}

impl Zone {
    fn parse(name: &str) -> Option<Zone> {
        if let Some(offset) = parse_offset(name.as_bytes()) {
            return Some(Zone::Fixed(offset));
        }
        // The bundled database, not the machine's: the same data give the
        // same dates on every machine, also one without /usr/share/zoneinfo.
        static DB: std::sync::OnceLock<jiff::tz::TimeZoneDatabase> = std::sync::OnceLock::new();
        DB.get_or_init(jiff::tz::TimeZoneDatabase::bundled).get(name).ok().map(Zone::Named)
    }
}

/// An offset as Arrow writes them: `+HH:MM`, `+HHMM` or `+HH` (or `-`).
fn parse_offset(text: &[u8]) -> Option<jiff::tz::Offset> {
    let (sign, rest) = match text.split_first()? {
        (b'+', rest) => (1, rest),
        (b'-', rest) => (-1, rest),
        _ => return None,
    };
    let (h, m): (&[u8], &[u8]) = match rest {
        [_, _] => (rest, b"00"),
        [_, _, b':', _, _] => (&rest[..2], &rest[3..]),
        [_, _, _, _] => (&rest[..2], &rest[2..]),
        _ => return None,
    };
    let number = |d: &[u8]| d.iter().try_fold(0i32, |n, &b| b.is_ascii_digit().then(|| n * 10 + i32::from(b - b'0')));
    let (h, m) = (number(h)?, number(m)?);
    if m >= 60 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

impl Timestamps {
    /// The values of a Date64 or Timestamp array (nulls not masked) and how
    /// they become dates; `None` for an array of another type.
    ///
    /// # Errors
    /// `arrow_type` at `at`, with the zone as the value, for a zone that is
    /// neither an offset nor in the time-zone database.
    pub(crate) fn of<'a>(array: &'a dyn Array, at: &dyn Fn() -> Location) -> Option<Result<(&'a [i64], Timestamps)>> {
        let (values, per_second, zone): (&[i64], i64, Option<&str>) = match array.data_type() {
            DataType::Date64 => (array.as_primitive::<Date64Type>().values(), 1_000, None),
            DataType::Timestamp(unit, zone) => {
                let (values, per_second): (&[i64], i64) = match unit {
                    TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().values(), 1),
                    TimeUnit::Millisecond => (array.as_primitive::<TimestampMillisecondType>().values(), 1_000),
                    TimeUnit::Microsecond => (array.as_primitive::<TimestampMicrosecondType>().values(), 1_000_000),
                    TimeUnit::Nanosecond => (array.as_primitive::<TimestampNanosecondType>().values(), 1_000_000_000),
                };
                (values, per_second, zone.as_deref())
            }
            _ => return None,
        };
        let zone = match zone {
            None => Ok(Zone::Naive),
            Some(name) => Zone::parse(name).ok_or_else(|| Error::ArrowType {
                at: Box::new(at().value(name)),
                message: format!(
                    "unknown time zone {name:?}: expected a name of the time-zone database such as \
                     Europe/Stockholm, or an offset such as +01:00"
                ),
            }),
        };
        Some(zone.map(|zone| (values, Timestamps { per_second, zone })))
    }

    /// The day number of `t` if it is a midnight in the zone and a date of
    /// years 1–9999.
    #[inline]
    pub(crate) fn day(&self, t: i64) -> Option<i32> {
        let offset = match &self.zone {
            Zone::Naive => 0,
            Zone::Fixed(offset) => offset.seconds(),
            Zone::Named(tz) => {
                tz.to_offset(jiff::Timestamp::from_second(t.div_euclid(self.per_second)).ok()?).seconds()
            }
        };
        let per_day = 86_400 * self.per_second;
        let local = t.checked_add(i64::from(offset) * self.per_second)?;
        if local.rem_euclid(per_day) != 0 {
            return None;
        }
        let day = i32::try_from(local.div_euclid(per_day)).ok()?;
        Date::from_days_since_epoch(day).map(|_| day)
    }

    /// `t` as a date-time in the zone, for messages (`2021-01-01T12:00:00`,
    /// with the offset and zone when the column has one).
    pub(crate) fn display(&self, t: i64) -> String {
        let nanos = t.rem_euclid(self.per_second) * (1_000_000_000 / self.per_second);
        let Ok(instant) = jiff::Timestamp::new(t.div_euclid(self.per_second), nanos as i32) else {
            return format!("{t} × 1/{} s after 1970-01-01T00:00:00Z", self.per_second);
        };
        match &self.zone {
            Zone::Naive => instant.to_zoned(jiff::tz::TimeZone::UTC).datetime().to_string(),
            Zone::Fixed(offset) => {
                let s = offset.seconds();
                let sign = if s < 0 { '-' } else { '+' };
                let datetime = offset.to_datetime(instant);
                format!("{datetime}{sign}{:02}:{:02}", s.abs() / 3600, s.abs() % 3600 / 60)
            }
            Zone::Named(tz) => instant.to_zoned(tz.clone()).to_string(),
        }
    }
}

struct ArrowRow<'c, 'a> {
    source: &'c str,
    columns: &'c [Column<'a>],
    headers: &'c [&'static str],
    index: usize,
    row: u64,
}

impl ArrowRow<'_, '_> {
    fn col(&self, col: usize) -> &Column<'_> {
        &self.columns[col]
    }

    fn err_type(&self, col: usize, expected: &str) -> Error {
        Error::ArrowType { at: Box::new(self.at(col)), message: format!("expected {expected}") }
    }
}

impl FieldSource for ArrowRow<'_, '_> {
    fn at(&self, col: usize) -> Location {
        let mut at = Location::file(self.source).row(self.row).column(self.headers[col]);
        if let Some(v) = self.columns[col].text(self.index) {
            at = at.value(v.into_owned());
        }
        at
    }

    fn text(&self, col: usize) -> Result<Option<Cow<'_, str>>> {
        Ok(self.columns[col]
            .text(self.index)
            .map(|t| match t {
                Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
                Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
            })
            .filter(|t| !t.is_empty()))
    }

    fn int(&self, col: usize) -> Result<Option<i64>> {
        match self.col(col) {
            Column::Int(v, overflow) => match (v[self.index], overflow) {
                (Some(x), Some(what)) if x == i64::MAX => Err(Error::InvalidNumber {
                    at: Box::new(self.at(col)),
                    range: format!("of 64-bit integers, not {what}"),
                }),
                (x, _) => Ok(x),
            },
            Column::Float(v) => match v[self.index] {
                None => Ok(None),
                Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Some(x as i64)),
                Some(_) => Err(Error::InvalidNumber { at: Box::new(self.at(col)), range: "of whole numbers".into() }),
            },
            _ => self.text_int(col),
        }
    }

    fn date(&self, col: usize) -> Result<Option<Date>> {
        let invalid = || Error::InvalidDate { at: Box::new(self.at(col)) };
        let i = self.index;
        match self.col(col) {
            Column::Date32(a) => {
                (!a.is_null(i)).then(|| Date::from_days_since_epoch(a.value(i)).ok_or_else(invalid)).transpose()
            }
            Column::Instants(a, v, timestamps) => (!a.is_null(i))
                .then(|| timestamps.day(v[i]).and_then(Date::from_days_since_epoch).ok_or_else(invalid))
                .transpose(),
            Column::Int(..) | Column::Bool(_) | Column::Decimal(..) | Column::Float(_) => {
                Err(self.err_type(col, "a date (Date32, Date64, Timestamp or ISO text)"))
            }
            _ => self.text(col)?.map(|t| Date::parse_iso(&t).map_err(|_| invalid())).transpose(),
        }
    }

    fn bool(&self, col: usize) -> Result<Option<bool>> {
        match self.col(col) {
            Column::Bool(a) => Ok((!a.is_null(self.index)).then(|| a.value(self.index))),
            _ => self.text_bool(col),
        }
    }

    fn money(&self, col: usize) -> Result<Option<Ore>> {
        let invalid = || Error::InvalidAmount { at: Box::new(self.at(col)) };
        let i = self.index;
        match self.col(col) {
            Column::Decimal(a, scale) => {
                (!a.is_null(i)).then(|| decimal_to_ore(a.value(i), *scale).ok_or_else(invalid)).transpose()
            }
            Column::Int(v, _) => v[i].map(|kr| kr.checked_mul(100).map(Ore).ok_or_else(invalid)).transpose(),
            Column::Float(v) => v[i]
                .map(|kr| {
                    let ore = (kr * 100.0).round();
                    ((kr * 100.0 - ore).abs() < 1e-6 && ore.abs() < 9.0e15)
                        .then_some(Ore(ore as i64))
                        .ok_or_else(invalid)
                })
                .transpose(),
            _ => self.text(col)?.map(|t| Ore::parse_kronor(&t).ok_or_else(invalid)).transpose(),
        }
    }

    fn days(&self, col: usize) -> Result<Option<Dagar>> {
        let invalid = || Error::InvalidDays { at: Box::new(self.at(col)) };
        match self.col(col) {
            Column::Float(v) => v[self.index].map(|d| Dagar::from_f64(d).ok_or_else(invalid)).transpose(),
            Column::Int(v, _) => v[self.index]
                .map(|d| u32::try_from(d).ok().and_then(|d| Dagar::from_f64(f64::from(d))).ok_or_else(invalid))
                .transpose(),
            _ => self.text(col)?.map(|t| Dagar::parse(&t).ok_or_else(invalid)).transpose(),
        }
    }
}

impl ArrowRow<'_, '_> {
    fn text_int(&self, col: usize) -> Result<Option<i64>> {
        self.text(col)?
            .map(|t| {
                t.parse::<i64>().map_err(|_| Error::InvalidNumber {
                    at: Box::new(self.at(col)),
                    range: "of 64-bit integers".into(),
                })
            })
            .transpose()
    }

    fn text_bool(&self, col: usize) -> Result<Option<bool>> {
        struct Text<'r, 'c, 'a>(&'r ArrowRow<'c, 'a>);
        impl FieldSource for Text<'_, '_, '_> {
            fn at(&self, col: usize) -> Location {
                self.0.at(col)
            }
            fn text(&self, col: usize) -> Result<Option<Cow<'_, str>>> {
                self.0.text(col)
            }
        }
        Text(self).bool(col)
    }
}

fn decimal_to_ore(v: i128, scale: i8) -> Option<Ore> {
    let ore = match scale {
        s if s <= 2 => v.checked_mul(10i128.checked_pow(u32::from((2 - s) as u8))?)?,
        s => {
            let p = 10i128.checked_pow((s - 2) as u32)?;
            (v % p == 0).then_some(v / p)?
        }
    };
    i64::try_from(ore).ok().map(Ore)
}

enum Builder {
    Int(Int64Builder),
    Date(Date32Builder),
    Text(StringBuilder),
    Bool(BooleanBuilder),
    Money(Decimal128Builder),
    Days(Float64Builder),
}

impl Builder {
    fn finish(self) -> ArrayRef {
        match self {
            Builder::Int(mut b) => Arc::new(b.finish()),
            Builder::Date(mut b) => Arc::new(b.finish()),
            Builder::Text(mut b) => Arc::new(b.finish()),
            Builder::Bool(mut b) => Arc::new(b.finish()),
            Builder::Money(mut b) => Arc::new(b.finish()),
            Builder::Days(mut b) => Arc::new(b.finish()),
        }
    }
}

struct BatchSink {
    builders: Vec<Builder>,
    column: usize,
}

impl BatchSink {
    fn new(spec: &TableSpec, rows: usize) -> Self {
        let builders = spec
            .columns
            .iter()
            .map(|c| match c.kind {
                Kind::Int => Builder::Int(Int64Builder::with_capacity(rows)),
                Kind::Date => Builder::Date(Date32Builder::with_capacity(rows)),
                Kind::Text => Builder::Text(StringBuilder::with_capacity(rows, rows * 8)),
                Kind::Bool => Builder::Bool(BooleanBuilder::with_capacity(rows)),
                Kind::Money | Kind::Decimal => {
                    Builder::Money(Decimal128Builder::with_capacity(rows).with_data_type(DataType::Decimal128(18, 2)))
                }
                Kind::Days => Builder::Days(Float64Builder::with_capacity(rows)),
            })
            .collect();
        BatchSink { builders, column: 0 }
    }

    fn next(&mut self) -> &mut Builder {
        let b = &mut self.builders[self.column];
        self.column += 1;
        b
    }
}

impl FieldSink for BatchSink {
    fn int(&mut self, v: Option<i64>) {
        if let Builder::Int(b) = self.next() {
            b.append_option(v);
        }
    }
    fn date(&mut self, v: Option<Date>) {
        if let Builder::Date(b) = self.next() {
            b.append_option(v.map(Date::days_since_epoch));
        }
    }
    fn text(&mut self, v: Option<&str>) {
        if let Builder::Text(b) = self.next() {
            b.append_option(v);
        }
    }
    fn bool(&mut self, v: Option<bool>) {
        if let Builder::Bool(b) = self.next() {
            b.append_option(v);
        }
    }
    fn money(&mut self, v: Option<Ore>) {
        if let Builder::Money(b) = self.next() {
            b.append_option(v.map(|o| i128::from(o.0)));
        }
    }
    fn days(&mut self, v: Option<Dagar>) {
        if let Builder::Days(b) = self.next() {
            b.append_option(v.map(Dagar::as_f64));
        }
    }
}

/// Record batches of one table, possibly several (as a stream delivers them).
pub type Batches = Vec<RecordBatch>;

/// A stream of record batches of one table, read one batch at a time
/// (a Parquet scanner, a database cursor, a frame exported as a stream).
pub type BatchStream = Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send>;

/// The tables of a data set as streams: each batch becomes typed rows and is
/// dropped before the next is pulled, so a table never sits in memory twice.
struct ArrowSource<'t> {
    tables: BTreeMap<String, BatchStream>,
    mapping: &'t BTreeMap<String, TableMapping>,
}

impl crate::dataset::TableSource for ArrowSource<'_> {
    fn read<T: Record>(&mut self, report: &mut ValidationReport) -> Result<crate::dataset::Loaded<T>> {
        let name = T::SPEC.name;
        let Some(stream) = self.tables.remove(name) else {
            return Ok(crate::dataset::Loaded { rows: Vec::new(), origin: None, present: false });
        };
        let (mut rows, mut read) = (Vec::new(), 0u64);
        for batch in stream {
            crate::exec::check()?;
            let batch =
                batch.map_err(|e| crate::ingest::flat::stream_error(e, Box::new(Location::table(name).row(read))))?;
            // Rows are numbered as read: under the collect policy a row in
            // error is not kept, and the rows after it keep their numbers.
            rows.extend(read_batch::<T>(&batch, self.mapping.get(name), read, report)?);
            read += batch.num_rows() as u64;
        }
        Ok(crate::dataset::Loaded { rows, origin: None, present: true })
    }
}

impl Dataset {
    /// Reads a data set from record batches by table name (the names and
    /// columns of the CSV contract; `mapping` renames columns per table),
    /// then validates it like [`Dataset::read_csv_dir`]. Errors name the
    /// table and row.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use finsam_core::{synthetic::{generate, SyntheticConfig}, Dataset, ErrorPolicy, Rules};
    /// let data = generate(&SyntheticConfig { scale: 0.02, ..Default::default() })?;
    /// let tables: BTreeMap<String, Vec<_>> =
    ///     data.to_arrow()?.into_iter().map(|(k, v)| (k.to_owned(), vec![v])).collect();
    /// let back = Dataset::from_arrow(&tables, &BTreeMap::new(), ErrorPolicy::FailFast, &Rules::default())?;
    /// assert_eq!(back.deltaganden, data.deltaganden);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Under `policy`, the first error or all of them.
    pub fn from_arrow(
        tables: &BTreeMap<String, Batches>,
        mapping: &BTreeMap<String, TableMapping>,
        policy: ErrorPolicy,
        rules: &crate::Rules,
    ) -> Result<Dataset> {
        let streams = tables
            .iter()
            .map(|(name, batches)| {
                let stream: BatchStream = Box::new(batches.clone().into_iter().map(Ok));
                (name.clone(), stream)
            })
            .collect();
        Dataset::from_arrow_streams(streams, mapping, policy, rules)
    }

    /// [`from_arrow`](Self::from_arrow) from streams of batches, each read
    /// one batch at a time: a batch becomes typed rows and is dropped before
    /// the next is pulled. An error of a stream is `arrow_type` naming its
    /// table and the rows read before it.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use finsam_core::{arrow::BatchStream, synthetic::{generate, SyntheticConfig}, Dataset, ErrorPolicy, Rules};
    /// let data = generate(&SyntheticConfig { scale: 0.02, ..Default::default() })?;
    /// let streams: BTreeMap<String, BatchStream> = data
    ///     .to_arrow()?
    ///     .into_iter()
    ///     .map(|(k, v)| {
    ///         // Batches of 100 rows, as a scanner would deliver them.
    ///         let parts: Vec<_> = (0..v.num_rows()).step_by(100).map(|i| v.slice(i, 100.min(v.num_rows() - i))).collect();
    ///         (k.to_owned(), Box::new(parts.into_iter().map(Ok)) as BatchStream)
    ///     })
    ///     .collect();
    /// let back = Dataset::from_arrow_streams(streams, &BTreeMap::new(), ErrorPolicy::FailFast, &Rules::default())?;
    /// assert_eq!(back.ersattningsperioder, data.ersattningsperioder);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_arrow`](Self::from_arrow).
    pub fn from_arrow_streams(
        tables: BTreeMap<String, BatchStream>,
        mapping: &BTreeMap<String, TableMapping>,
        policy: ErrorPolicy,
        rules: &crate::Rules,
    ) -> Result<Dataset> {
        crate::dataset::load(&mut ArrowSource { tables, mapping }, policy, rules)
    }

    /// Every table as a record batch, by table name (`forbund`,
    /// `medlemskap`, `insatser`, `deltaganden`, …), in the contract's types.
    ///
    /// ```
    /// use finsam_core::synthetic::{generate, SyntheticConfig};
    /// let data = generate(&SyntheticConfig { scale: 0.02, ..Default::default() })?;
    /// let tables = data.to_arrow()?;
    /// assert_eq!(tables["deltaganden"].num_rows(), data.deltaganden.len());
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `arrow_type` only if Arrow rejects the arrays.
    pub fn to_arrow(&self) -> Result<BTreeMap<&'static str, RecordBatch>> {
        let rows = crate::dataset::ContractRows::of(self);
        Ok(BTreeMap::from([
            (ForbundRad::SPEC.name, to_record_batch(&rows.forbund)?),
            (MedlemskapRad::SPEC.name, to_record_batch(&rows.medlemskap)?),
            (crate::Insats::SPEC.name, to_record_batch(&self.insatser)?),
            (DeltagandeRad::SPEC.name, to_record_batch(&rows.deltaganden)?),
            (crate::AnonymaDeltagare::SPEC.name, to_record_batch(&self.anonyma_deltagare)?),
            (crate::InsatsAr::SPEC.name, to_record_batch(&self.insats_ar)?),
            (crate::Ersattningsperiod::SPEC.name, to_record_batch(&self.ersattningsperioder)?),
            (crate::Ersattningsdagar::SPEC.name, to_record_batch(&self.ersattningsdagar)?),
            (crate::EnkatSvar::SPEC.name, to_record_batch(&self.enkatsvar)?),
            (crate::ForbundEkonomi::SPEC.name, to_record_batch(&self.forbund_ekonomi)?),
            (crate::Kommunstatistik::SPEC.name, to_record_batch(&self.kommunstatistik)?),
            (crate::Kommunandel::SPEC.name, to_record_batch(&self.kommunandelar)?),
            (crate::Jamforelseperson::SPEC.name, to_record_batch(&self.jamforelsepersoner)?),
        ]))
    }
}

/// What a frame of a table holds besides its keys and values.
///
/// ```
/// use finsam_core::arrow::FrameOptions;
/// let lean = FrameOptions { totals: false, reasons: false };
/// assert!(FrameOptions::default().totals && FrameOptions::default().reasons);
/// # let _ = lean;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameOptions {
    /// Keep the total rows (a key `alla`); without them only the finest
    /// rows remain.
    pub totals: bool,
    /// Keep a `<column>_reason` column beside every value column.
    pub reasons: bool,
}

impl Default for FrameOptions {
    fn default() -> Self {
        FrameOptions { totals: true, reasons: true }
    }
}

/// The Arrow type of a key column, by its name, so that a table's schema
/// does not depend on its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    /// Years and ids (`ar`, `forbund`, `insats`; event times): `int64`.
    Integer,
    /// The periods and groups of a staggered design, which R's `did` takes
    /// as numbers: `float64`.
    Number,
    /// Codes and labels: `utf8`.
    Text,
}

impl KeyKind {
    /// Whether a table keyed by `name` has total rows over it: the
    /// dimensions of the indicator and money tables, and the periods and
    /// groups of a staggered design (whose aggregations have an `overall`
    /// row). A table with one of them has a `summerat` column (also where
    /// no row happens to be a total).
    pub(crate) fn has_totals(name: &str) -> bool {
        matches!(
            name,
            "kon"
                | "forbund"
                | "insats"
                | "grupp"
                | "betalare"
                | "aldersgrupp"
                | "remittent"
                | "status"
                | "group"
                | "time"
                | "event_time"
        )
    }

    /// Whether `value` of the key `name` is a total (or subtotal) of other
    /// rows: `alla` of a dimension with totals, a staggered design's
    /// `overall`, and `individ` of the economy's groups (behovsgrupp +
    /// individ_ovriga). Any other value is a label, also the text `alla`
    /// of a key without totals (a user's survey indicator so named).
    pub(crate) fn is_total(name: &str, value: &str) -> bool {
        KeyKind::is_null_total(name, value) || (name, value) == ("grupp", "individ")
    }

    /// Whether `value` is a total whose key a frame shows as null: `alla`
    /// and `overall`. A subtotal keeps its label (`individ`), so that it
    /// stays apart from the total (both have `summerat = "grupp"`).
    fn is_null_total(name: &str, value: &str) -> bool {
        match (name, value) {
            ("group" | "time" | "event_time", "overall") => true,
            (_, TOTAL) => KeyKind::has_totals(name),
            _ => false,
        }
    }

    fn of(name: &str) -> KeyKind {
        match name {
            "ar" | "forbund" | "insats" | "tid" | "event_time" => KeyKind::Integer,
            "group" | "time" => KeyKind::Number,
            _ => KeyKind::Text,
        }
    }
}

impl crate::publish::Table {
    /// Whether `row` sums other rows of the table (a total in some key).
    fn is_total_row(&self, row: &crate::publish::Row) -> bool {
        self.keys.iter().zip(&row.key).any(|(k, v)| KeyKind::is_total(k, v))
    }

    /// The table as a record batch, with every row and a reason column per
    /// value column ([`FrameOptions::default`]); see
    /// [`to_record_batch_with`](Self::to_record_batch_with).
    ///
    /// ```
    /// use finsam_core::indicators::{Config, Split};
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let t = finsam_core::report::outcomes(&data, &Split::parse(&["kon"])?, 2020..=2020, &Config::default())?;
    /// let batch = t.to_record_batch()?;
    /// assert_eq!(batch.schema().field(0).name(), "ar");
    /// assert_eq!(batch.num_rows(), t.rows.len());
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`to_record_batch_with`](Self::to_record_batch_with).
    pub fn to_record_batch(&self) -> Result<RecordBatch> {
        self.to_record_batch_with(FrameOptions::default())
    }

    /// The table as a record batch whose schema depends on the table's
    /// kind, never on its rows:
    ///
    /// - the key columns, typed by name: years and ids (`ar`, `forbund`,
    ///   `insats`) as `int64`, codes and labels as `utf8`; after `forbund`
    ///   and `insats` their names, `forbund_namn` and `insats_namn` (null
    ///   where the source has none, as a flat extract). A total (`alla`)
    ///   is null, so a key keeps its type, and `summerat` (`utf8`) names
    ///   the keys a row sums over (`""` for the finest rows, `"kon"`,
    ///   `"forbund,kon"`, …; a national row of a table by kön is `"kon"`).
    ///   Tables keyed by a dimension with totals (kön, förbund, insats,
    ///   grupp, a staggered design's periods, …) have it; a subtotal
    ///   (`individ` of the economy's groups) keeps its label and is marked
    ///   in `summerat` (and left out by `totals: false`), and a
    ///   denominator row that is no sum (`efter = alla` of the transitions)
    ///   keeps its label;
    /// - each value column with withheld cells null: `int64` for counts
    ///   ([`Unit::Count`](crate::report::Unit::Count),
    ///   [`Unit::Tally`](crate::report::Unit::Tally)) and money in öre
    ///   ([`Unit::Ore`](crate::report::Unit::Ore)), `bool` for flags,
    ///   `float64` for every other unit; the unit is the field's metadata
    ///   `finsam.unit`;
    /// - `<name>_reason` (`utf8`, null where the cell is shown) per value
    ///   column, if `options.reasons`.
    ///
    /// The schema's metadata holds `finsam.id`, `finsam.title`,
    /// `finsam.notes` (a JSON list) and `finsam.version`. A key of a name
    /// typed as an integer whose values are not whole numbers (a unit
    /// column a caller named `insats` but filled with names) is `utf8`.
    ///
    /// ```
    /// use arrow_array::cast::AsArray;
    /// use finsam_core::arrow::FrameOptions;
    /// use finsam_core::indicators::{Config, Split};
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let t = finsam_core::report::outcomes(&data, &Split::parse(&["forbund"])?, 2020..=2020, &Config::default())?;
    /// let batch = t.to_record_batch()?;
    /// let forbund = batch.column_by_name("forbund").unwrap();
    /// assert_eq!(forbund.data_type(), &arrow_schema::DataType::Int64);
    /// assert_eq!(forbund.null_count(), 1); // the national row
    /// let summed = batch.column_by_name("summerat").unwrap().as_string::<i32>();
    /// assert_eq!(summed.iter().filter(|s| *s == Some("forbund")).count(), 1);
    /// let lean = t.to_record_batch_with(FrameOptions { totals: false, reasons: false })?;
    /// assert_eq!(lean.num_rows(), t.rows.len() - 1);
    /// assert!(lean.column_by_name("n_reason").is_none());
    /// assert_eq!(lean.schema().metadata()["finsam.id"], "utfall");
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `arrow_type` if a count or amount is not a whole number that fits
    /// `int64` (it is never truncated), or if Arrow rejects the arrays.
    pub fn to_record_batch_with(&self, options: FrameOptions) -> Result<RecordBatch> {
        use arrow_array::{BooleanArray, Float64Array, Int64Array, StringArray};
        let rows: Vec<&crate::publish::Row> =
            self.rows.iter().filter(|r| options.totals || !self.is_total_row(r)).collect();
        let mut fields: Vec<Field> = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (k, name) in self.keys.iter().enumerate() {
            let values: Vec<Option<&str>> =
                rows.iter().map(|r| Some(r.key[k].as_str()).filter(|v| !KeyKind::is_null_total(name, v))).collect();
            // `None` if a value is not a number (a total is `Some(None)`).
            let ints: Option<Vec<Option<i64>>> =
                values.iter().map(|v| v.map_or(Some(None), |t| t.parse().ok().map(Some))).collect();
            let numbers: Option<Vec<Option<f64>>> =
                values.iter().map(|v| v.map_or(Some(None), |t| t.parse().ok().map(Some))).collect();
            let array: ArrayRef = match (KeyKind::of(name), ints, numbers) {
                (KeyKind::Integer, Some(ints), _) => Arc::new(Int64Array::from(ints)),
                (KeyKind::Number, _, Some(numbers)) => Arc::new(Float64Array::from(numbers)),
                _ => Arc::new(StringArray::from(values.clone())),
            };
            fields.push(Field::new(name, array.data_type().clone(), true));
            columns.push(array);
            if crate::publish::table::NAMED_KEYS.contains(&name.as_str()) {
                // Beside the id, its name (null for a total, or where the source has none).
                let names = self.names.get(name);
                let named = StringArray::from_iter(
                    values.iter().map(|v| v.and_then(|id| names.and_then(|n| n.get(id))).map(String::as_str)),
                );
                fields.push(Field::new(format!("{name}_namn"), DataType::Utf8, true));
                columns.push(Arc::new(named));
            }
        }
        if self.keys.iter().any(|k| KeyKind::has_totals(k)) {
            let summed = StringArray::from_iter_values(rows.iter().map(|r| {
                let over: Vec<&str> = self
                    .keys
                    .iter()
                    .zip(&r.key)
                    .filter(|(k, v)| KeyKind::is_total(k, v))
                    .map(|(k, _)| k.as_str())
                    .collect();
                over.join(",")
            }));
            fields.push(Field::new("summerat", DataType::Utf8, false));
            columns.push(Arc::new(summed));
        }
        for (c, column) in self.columns.iter().enumerate() {
            use crate::publish::Unit;
            let values = rows.iter().map(|r| r.values[c].value());
            let whole = match column.unit {
                // Counts and money are whole numbers: integers in every frame library.
                Unit::Count | Unit::Tally | Unit::Ore => true,
                Unit::Share | Unit::Percent | Unit::Days | Unit::ShareDifference | Unit::Number | Unit::Flag => false,
            };
            let array: ArrayRef = if column.unit == Unit::Flag {
                Arc::new(BooleanArray::from_iter(values.map(|v| v.map(|x| x != 0.0))))
            } else if whole {
                let ints = values
                    .enumerate()
                    .map(|(row, v)| v.map(|x| whole_number(x, &self.id, row, &column.name)).transpose())
                    .collect::<Result<Int64Array>>()?;
                Arc::new(ints)
            } else {
                Arc::new(Float64Array::from_iter(values))
            };
            let field = Field::new(&column.name, array.data_type().clone(), true)
                .with_metadata([("finsam.unit".to_owned(), column.unit.code().to_owned())].into());
            fields.push(field);
            columns.push(array);
        }
        if options.reasons {
            for (c, column) in self.columns.iter().enumerate() {
                let reasons = StringArray::from_iter(rows.iter().map(|r| r.values[c].reason().map(|r| r.code())));
                fields.push(Field::new(format!("{}_reason", column.name), DataType::Utf8, true));
                columns.push(Arc::new(reasons));
            }
        }
        let metadata = std::collections::HashMap::from([
            ("finsam.id".to_owned(), self.id.clone()),
            ("finsam.title".to_owned(), self.title.clone()),
            ("finsam.notes".to_owned(), serde_json::to_string(&self.notes)?),
            ("finsam.version".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
        ]);
        RecordBatch::try_new(Arc::new(Schema::new_with_metadata(fields, metadata)), columns)
            .map_err(|e| Error::ArrowType { at: Box::new(Location::table(&self.id)), message: e.to_string() })
    }
}

/// `x` as an `int64`, or `arrow_type` if it is not a whole number in range:
/// a count of 3.5 is a bug to report, not a 3 to print.
fn whole_number(x: f64, table: &str, row: usize, column: &str) -> Result<i64> {
    // 2^63 as f64 is exact; every finite whole number below it fits.
    if x.fract() == 0.0 && x >= -(2f64.powi(63)) && x < 2f64.powi(63) {
        Ok(x as i64)
    } else {
        Err(Error::ArrowType {
            at: Box::new(Location::table(table).row(row as u64).column(column).value(x.to_string())),
            message: "a count or amount that is not a whole number fitting int64".into(),
        })
    }
}

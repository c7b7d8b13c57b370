//! The analysis frame: named numeric and categorical columns, one row per
//! unit (a person, a person-quarter, a kommun-year), and the design
//! matrices the estimators build from it.
//!
//! Categories are kept as codes into sorted levels, as R's `factor` keeps
//! them, so that the reference level and the order of indicator columns
//! are those of R's `model.matrix`.

use rustc_hash::FxHashMap;

use crate::error::{Error, Location, Result};

/// One column of a [`Frame`]. A missing value is `None`.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Numbers (never NaN or infinite; a missing value is `None`).
    Numeric(Vec<Option<f64>>),
    /// Categories: a code per row into `levels`, which are sorted.
    Categorical {
        /// The code of each row (`None` when missing).
        codes: Vec<Option<u32>>,
        /// The levels in sorted order; code `i` is `levels[i]`.
        levels: Vec<String>,
    },
}

impl Column {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Categorical { codes, .. } => codes.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Column::Numeric(v) => v[i].is_none(),
            Column::Categorical { codes, .. } => codes[i].is_none(),
        }
    }
}

/// Named columns of equal length: the input of every estimator.
///
/// ```
/// use finsam_core::evaluation::{Column, Frame};
/// let f = Frame::new()
///     .with_categorical("kon", [Some("Man"), Some("Kvinna"), None])?
///     .with_numeric("alder", [Some(34.0), Some(51.0), Some(28.0)])?;
/// assert_eq!(f.rows(), 3);
/// let Column::Categorical { codes, levels } = f.column("kon")? else { unreachable!() };
/// assert_eq!(levels, &["Kvinna", "Man"]);
/// assert_eq!(codes, &[Some(1), Some(0), None]);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    names: Vec<String>,
    columns: Vec<Column>,
    rows: Option<usize>,
}

/// Which indicator columns a categorical covariate expands to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terms {
    /// A model matrix as R's `model.matrix(~ x1 + x2)`: an intercept
    /// column `(Intercept)`, then each covariate; a categorical one as an
    /// indicator per level but the first (treatment contrasts).
    Model,
    /// Every level of a categorical covariate as its own indicator and no
    /// intercept, as in balance tables (`MatchIt`'s `summary`).
    AllLevels,
}

/// A dense design matrix (row-major) built from a [`Frame`].
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// The number of rows (all rows of the frame, complete or not).
    pub rows: usize,
    /// The column names: a numeric covariate by its name, an indicator as
    /// the covariate's name followed by the level (`konMan`), as R names
    /// them.
    pub names: Vec<String>,
    /// The values, row-major: row `i` is `x[i * names.len()..][..names.len()]`.
    /// A row with a missing covariate holds zeros there; see `complete`.
    pub x: Vec<f64>,
    /// Whether each row has every covariate.
    pub complete: Vec<bool>,
    /// For each column, the covariate (index into the `covariates` asked
    /// for) it comes from; `None` for the intercept.
    pub source: Vec<Option<usize>>,
}

impl Design {
    /// The number of columns.
    pub fn cols(&self) -> usize {
        self.names.len()
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        let p = self.cols();
        &self.x[i * p..(i + 1) * p]
    }

    /// The rows with every covariate, in order.
    pub fn complete_rows(&self) -> Vec<usize> {
        (0..self.rows).filter(|&i| self.complete[i]).collect()
    }

    /// The design restricted to `rows` (in that order).
    pub fn select(&self, rows: &[usize]) -> Design {
        let p = self.cols();
        let mut x = Vec::with_capacity(rows.len() * p);
        for &i in rows {
            x.extend_from_slice(self.row(i));
        }
        Design {
            rows: rows.len(),
            names: self.names.clone(),
            x,
            complete: rows.iter().map(|&i| self.complete[i]).collect(),
            source: self.source.clone(),
        }
    }
}

impl Frame {
    /// An empty frame.
    pub fn new() -> Frame {
        Frame::default()
    }

    /// The number of rows (0 for a frame without columns).
    pub fn rows(&self) -> usize {
        self.rows.unwrap_or(0)
    }

    /// The column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The frame with one more numeric column. A value that is NaN is
    /// missing (as pandas writes a missing float); an infinite one is an
    /// `invalid_number` error naming the row.
    pub fn with_numeric(self, name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Result<Frame> {
        let values = values.into_iter();
        let mut out = Vec::with_capacity(values.size_hint().0);
        for (row, v) in values.enumerate() {
            out.push(match v {
                Some(x) if x.is_nan() => None,
                Some(x) if x.is_infinite() => {
                    return Err(Error::InvalidNumber {
                        at: Box::new(Location::table("frame").row(row as u64).column(name).value(x.to_string())),
                        range: "a finite number".into(),
                    });
                }
                other => other,
            });
        }
        self.with_column(name, Column::Numeric(out))
    }

    /// The frame with one more categorical column; the levels are sorted.
    pub fn with_categorical<S: AsRef<str>>(
        self,
        name: &str,
        values: impl IntoIterator<Item = Option<S>>,
    ) -> Result<Frame> {
        self.with_column(name, categorical(values))
    }

    /// The frame with one more column, built elsewhere. A categorical
    /// column's levels must be sorted and its codes in range.
    pub fn with_column(mut self, name: &str, column: Column) -> Result<Frame> {
        if self.names.iter().any(|n| n == name) {
            return Err(Error::DuplicateColumn { at: Box::new(Location::table("frame").column(name)) });
        }
        if let Column::Categorical { codes, levels } = &column {
            let sorted = levels.windows(2).all(|w| w[0] < w[1]);
            let in_range = codes.iter().flatten().all(|&c| (c as usize) < levels.len());
            if !sorted || !in_range {
                return Err(Error::InvalidArgument {
                    name: "column",
                    message: format!("categorical column `{name}` needs sorted, distinct levels and codes within them"),
                });
            }
        }
        match self.rows {
            Some(n) if n != column.len() => {
                return Err(Error::InvalidArgument {
                    name: "column",
                    message: format!("column `{name}` has {} rows, the frame {n}", column.len()),
                });
            }
            _ => self.rows = Some(column.len()),
        }
        self.names.push(name.to_owned());
        self.columns.push(column);
        Ok(self)
    }

    /// The column called `name`; a `missing_column` error if there is none.
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.names.iter().position(|n| n == name).map(|i| &self.columns[i]).ok_or_else(|| Error::MissingColumn {
            at: Box::new(Location::table("frame").column(name)),
            found: self.names.join(", "),
        })
    }

    /// The numeric column called `name`; an `invalid_argument` error if it
    /// is categorical.
    pub fn numeric(&self, name: &str) -> Result<&[Option<f64>]> {
        match self.column(name)? {
            Column::Numeric(v) => Ok(v),
            Column::Categorical { .. } => Err(Error::InvalidArgument {
                name: "column",
                message: format!("`{name}` must be numeric, it holds categories"),
            }),
        }
    }

    /// The design matrix of `covariates` (see [`Terms`]). Rows with a
    /// missing covariate are marked in [`Design::complete`]; the caller
    /// decides whether they are dropped, and reports it.
    ///
    /// ```
    /// use finsam_core::evaluation::{glm::Terms, Frame};
    /// let f = Frame::new()
    ///     .with_categorical("kon", [Some("Man"), Some("Kvinna"), Some("Man")])?
    ///     .with_numeric("alder", [Some(34.0), None, Some(28.0)])?;
    /// let d = f.design(&["kon", "alder"], Terms::Model)?;
    /// assert_eq!(d.names, ["(Intercept)", "konMan", "alder"]);
    /// assert_eq!(d.row(0), [1.0, 1.0, 34.0]);
    /// assert_eq!(d.complete, [true, false, true]);
    /// let b = f.design(&["kon"], Terms::AllLevels)?;
    /// assert_eq!(b.names, ["konKvinna", "konMan"]);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn design(&self, covariates: &[&str], terms: Terms) -> Result<Design> {
        let columns = covariates.iter().map(|c| self.column(c)).collect::<Result<Vec<_>>>()?;
        let mut names = Vec::new();
        let mut source = Vec::new();
        if terms == Terms::Model {
            names.push("(Intercept)".to_owned());
            source.push(None);
        }
        for (k, (name, column)) in covariates.iter().zip(&columns).enumerate() {
            match column {
                Column::Numeric(_) => {
                    names.push((*name).to_owned());
                    source.push(Some(k));
                }
                Column::Categorical { levels, .. } => {
                    let skip = usize::from(terms == Terms::Model);
                    if terms == Terms::Model && levels.len() < 2 {
                        return Err(Error::SingularDesign {
                            message: format!("`{name}` has {} level(s); a covariate needs two", levels.len()),
                        });
                    }
                    for level in &levels[skip..] {
                        names.push(format!("{name}{level}"));
                        source.push(Some(k));
                    }
                }
            }
        }
        let rows = self.rows();
        let p = names.len();
        let mut x = vec![0.0; rows * p];
        let mut complete = vec![true; rows];
        for (i, (out, ok)) in x.chunks_exact_mut(p.max(1)).zip(&mut complete).enumerate().take(rows) {
            let mut j = 0;
            if terms == Terms::Model {
                out[0] = 1.0;
                j = 1;
            }
            for column in &columns {
                match column {
                    Column::Numeric(v) => {
                        match v[i] {
                            Some(value) => out[j] = value,
                            None => *ok = false,
                        }
                        j += 1;
                    }
                    Column::Categorical { codes, levels } => {
                        let skip = usize::from(terms == Terms::Model);
                        match codes[i] {
                            Some(c) if (c as usize) >= skip => out[j + c as usize - skip] = 1.0,
                            Some(_) => {}
                            None => *ok = false,
                        }
                        j += levels.len() - skip;
                    }
                }
            }
        }
        Ok(Design { rows, names, x, complete, source })
    }
}

/// A categorical column from text values, with sorted levels.
fn categorical<S: AsRef<str>>(values: impl IntoIterator<Item = Option<S>>) -> Column {
    let mut index: FxHashMap<String, u32> = FxHashMap::default();
    let mut levels: Vec<String> = Vec::new();
    let codes = values
        .into_iter()
        .map(|v| {
            v.map(|s| {
                let s = s.as_ref();
                if let Some(&c) = index.get(s) {
                    return c;
                }
                let c = levels.len() as u32;
                levels.push(s.to_owned());
                index.insert(s.to_owned(), c);
                c
            })
        })
        .collect();
    let order = sorted_order(&levels);
    categorical_sorted(codes, levels, &order)
}

/// Codes of first appearance for the distinct keys of `values`, and those
/// keys in that order. Each row costs a hash of its key.
fn key_codes<K: Copy + Eq + std::hash::Hash>(
    values: impl IntoIterator<Item = Option<K>>,
) -> (Vec<Option<u32>>, Vec<K>) {
    let mut index: FxHashMap<K, u32> = FxHashMap::default();
    let mut keys: Vec<K> = Vec::new();
    let codes = values
        .into_iter()
        .map(|v| {
            v.map(|k| {
                *index.entry(k).or_insert_with(|| {
                    keys.push(k);
                    (keys.len() - 1) as u32
                })
            })
        })
        .collect();
    (codes, keys)
}

/// A categorical column of keys (codes, bands) named by `name`: only the
/// distinct keys are named, so a column of millions of rows needs no text
/// per row. Keys with the same name share a level.
pub(crate) fn categorical_keys<K: Copy + Eq + std::hash::Hash>(
    values: impl IntoIterator<Item = Option<K>>,
    name: impl Fn(K) -> String,
) -> Column {
    let (codes, keys) = key_codes(values);
    let levels: Vec<String> = keys.into_iter().map(name).collect();
    let order = sorted_order(&levels);
    categorical_sorted(codes, levels, &order)
}

/// A categorical column of numeric ids, named by their decimal text. The
/// levels are put in text order by comparing numbers, not text: the
/// decimal text of `k` with `d` digits sorts as `k·10^(20−d)` and then `d`
/// ("1" < "10" < "9"), so a column of a million person ids sorts no
/// strings.
pub(crate) fn categorical_ids(values: impl IntoIterator<Item = Option<u64>>) -> Column {
    let (codes, ids) = key_codes(values);
    let text_order = |k: u64| {
        let digits = k.checked_ilog10().map_or(1, |l| l + 1);
        (u128::from(k) * 10u128.pow(20 - digits), digits)
    };
    let keys: Vec<(u128, u32)> = ids.iter().map(|&k| text_order(k)).collect();
    let order = sorted_order(&keys);
    categorical_sorted(codes, ids.iter().map(u64::to_string).collect(), &order)
}

/// The indices of `keys` in sorted order, the keys compared beside their
/// indices (sorting bare indices would look each key up per compare).
fn sorted_order<T: Ord + Clone>(keys: &[T]) -> Vec<u32> {
    let mut keyed: Vec<(T, u32)> = keys.iter().cloned().zip(0..).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Remaps codes to the levels in `order` (the level indices sorted by
/// name), merging levels of equal name, so that the levels are sorted and
/// distinct.
fn categorical_sorted(codes: Vec<Option<u32>>, levels: Vec<String>, order: &[u32]) -> Column {
    let mut new_code = vec![0u32; levels.len()];
    let mut sorted: Vec<String> = Vec::with_capacity(levels.len());
    for &old in order {
        let name = &levels[old as usize];
        if sorted.last() != Some(name) {
            sorted.push(name.clone());
        }
        new_code[old as usize] = (sorted.len() - 1) as u32;
    }
    let codes = codes.into_iter().map(|c| c.map(|c| new_code[c as usize])).collect();
    Column::Categorical { codes, levels: sorted }
}

#[cfg(feature = "arrow")]
mod arrow_io {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_array::{Array, ArrayRef, DictionaryArray, Float64Array, Int32Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::{Column, Frame};
    use crate::error::{Error, Location, Result};

    impl Frame {
        /// A frame from Arrow columns: integers, floats and booleans
        /// (as 0/1) become numeric columns, text and dictionary-encoded
        /// text categorical ones. A float NaN is missing, like a null.
        /// Any other type is an `arrow_type` error naming the column.
        pub fn from_batch(batch: &RecordBatch) -> Result<Frame> {
            let mut frame = Frame::new();
            for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
                frame = frame.with_column(field.name(), column(field.name(), array)?)?;
            }
            if frame.rows.is_none() {
                frame.rows = Some(batch.num_rows());
            }
            Ok(frame)
        }

        /// The frame as an Arrow batch: a numeric column becomes `Float64`
        /// (whole numbers too, so that a column's type never depends on its
        /// values), a categorical one `Dictionary<Int32, Utf8>` with the
        /// levels in their sorted order, so that [`Frame::from_batch`] gives
        /// the same frame back. A missing value is a null.
        ///
        /// ```
        /// use finsam_core::evaluation::Frame;
        /// let f = Frame::new()
        ///     .with_categorical("kon", [Some("Man"), None])?
        ///     .with_numeric("alder", [Some(34.0), None])?;
        /// let batch = f.to_batch()?;
        /// assert_eq!(batch.num_rows(), 2);
        /// assert_eq!(Frame::from_batch(&batch)?, f);
        /// # Ok::<(), finsam_core::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// An `arrow_type` error if Arrow rejects the columns (it cannot
        /// for a frame built through its constructors).
        pub fn to_batch(&self) -> Result<RecordBatch> {
            let mut fields = Vec::with_capacity(self.names.len());
            let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.names.len());
            for (name, column) in self.names.iter().zip(&self.columns) {
                let array: ArrayRef = match column {
                    Column::Numeric(v) => Arc::new(Float64Array::from(v.clone())),
                    Column::Categorical { codes, levels } => {
                        let keys = Int32Array::from(
                            codes.iter().map(|c| c.map(|c| i32::try_from(c).unwrap_or(i32::MAX))).collect::<Vec<_>>(),
                        );
                        let values = Arc::new(StringArray::from_iter_values(levels));
                        let dict =
                            DictionaryArray::<Int32Type>::try_new(keys, values).map_err(|e| arrow_error(name, e))?;
                        Arc::new(dict)
                    }
                };
                fields.push(Field::new(name, array.data_type().clone(), true));
                arrays.push(array);
            }
            let schema = Arc::new(Schema::new(fields));
            let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(self.rows()));
            RecordBatch::try_new_with_options(schema, arrays, &options).map_err(|e| arrow_error("", e))
        }
    }

    /// An Arrow error as an `arrow_type` error naming the column.
    fn arrow_error(name: &str, e: arrow_schema::ArrowError) -> Error {
        Error::ArrowType { at: Box::new(Location::table("frame").column(name)), message: e.to_string() }
    }

    fn column(name: &str, array: &ArrayRef) -> Result<Column> {
        let numeric = |f: &dyn Fn(usize) -> f64| -> Column {
            Column::Numeric(
                (0..array.len())
                    .map(|i| if array.is_null(i) { None } else { Some(f(i)) }.filter(|v| !v.is_nan()))
                    .collect(),
            )
        };
        let out = match array.data_type() {
            DataType::Int8 => numeric(&|i| array.as_primitive::<Int8Type>().value(i) as f64),
            DataType::Int16 => numeric(&|i| array.as_primitive::<Int16Type>().value(i) as f64),
            DataType::Int32 => numeric(&|i| array.as_primitive::<Int32Type>().value(i) as f64),
            DataType::Int64 => numeric(&|i| array.as_primitive::<Int64Type>().value(i) as f64),
            DataType::UInt8 => numeric(&|i| array.as_primitive::<UInt8Type>().value(i) as f64),
            DataType::UInt16 => numeric(&|i| array.as_primitive::<UInt16Type>().value(i) as f64),
            DataType::UInt32 => numeric(&|i| array.as_primitive::<UInt32Type>().value(i) as f64),
            DataType::UInt64 => numeric(&|i| array.as_primitive::<UInt64Type>().value(i) as f64),
            DataType::Float32 => numeric(&|i| array.as_primitive::<Float32Type>().value(i) as f64),
            DataType::Float64 => numeric(&|i| array.as_primitive::<Float64Type>().value(i)),
            DataType::Boolean => numeric(&|i| f64::from(u8::from(array.as_boolean().value(i)))),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
                return Ok(super::categorical(arrow_cast_text(name, array)?));
            }
            other => {
                return Err(Error::ArrowType {
                    at: Box::new(Location::table("frame").column(name)),
                    message: format!("a covariate must be numeric, boolean or text, not {other}"),
                });
            }
        };
        if let Column::Numeric(v) = &out
            && let Some(row) = v.iter().position(|x| x.is_some_and(f64::is_infinite))
        {
            return Err(Error::InvalidNumber {
                at: Box::new(Location::table("frame").row(row as u64).column(name).value("inf")),
                range: "a finite number".into(),
            });
        }
        Ok(out)
    }

    /// The values of a text or dictionary-of-text column.
    fn arrow_cast_text(name: &str, array: &ArrayRef) -> Result<Vec<Option<String>>> {
        let not_text = || Error::ArrowType {
            at: Box::new(Location::table("frame").column(name)),
            message: format!("a categorical covariate must hold text, not {}", array.data_type()),
        };
        let get = |values: &ArrayRef, i: usize| -> Result<String> {
            match values.data_type() {
                DataType::Utf8 => Ok(values.as_string::<i32>().value(i).to_owned()),
                DataType::LargeUtf8 => Ok(values.as_string::<i64>().value(i).to_owned()),
                DataType::Utf8View => Ok(values.as_string_view().value(i).to_owned()),
                _ => Err(not_text()),
            }
        };
        let mut out = Vec::with_capacity(array.len());
        if let DataType::Dictionary(_, _) = array.data_type() {
            let values = array.as_any_dictionary().values();
            let keys = crate::arrow::dictionary_keys(array.as_ref()).map_err(|expected| Error::ArrowType {
                at: Box::new(Location::table("frame").column(name)),
                message: format!("expected {expected}"),
            })?;
            for (i, &key) in keys.iter().enumerate() {
                out.push(if array.is_null(i) || values.is_null(key) { None } else { Some(get(values, key)?) });
            }
        } else {
            for i in 0..array.len() {
                out.push(if array.is_null(i) { None } else { Some(get(array, i)?) });
            }
        }
        Ok(out)
    }
}

#[cfg(all(test, feature = "arrow"))]
mod tests {
    use super::Frame;

    #[test]
    fn a_categorical_column_of_nulls_round_trips_through_arrow() {
        // Found with an analysis frame without comparison persons: `kommun`
        // is all missing, and its dictionary has no values.
        let frame = Frame::new().with_categorical("kommun", [None::<&str>, None, None]).unwrap();
        let back = Frame::from_batch(&frame.to_batch().unwrap()).unwrap();
        assert_eq!(back, frame);
    }
}

#[cfg(test)]
mod categorical_tests {
    use super::{Frame, categorical_ids, categorical_keys};

    #[test]
    fn ids_coded_as_numbers_give_the_column_their_text_gives() {
        let ids = [Some(9u64), Some(10), None, Some(1), Some(100), Some(u64::MAX), Some(0), Some(10), Some(19)];
        let by_text = Frame::new().with_categorical("id", ids.map(|i| i.map(|i| i.to_string()))).unwrap();
        let by_number = Frame::new().with_column("id", categorical_ids(ids)).unwrap();
        assert_eq!(by_number, by_text);
    }

    #[test]
    fn keys_with_the_same_name_share_a_level() {
        // Two age bands can both be called "alla" (no band limits): one level.
        let column = categorical_keys([Some(0u32), Some(7), Some(0), None], |_| "alla".to_owned());
        let frame = Frame::new().with_column("band", column).unwrap();
        let text = Frame::new().with_categorical("band", [Some("alla"), Some("alla"), Some("alla"), None]).unwrap();
        assert_eq!(frame, text);
    }
}

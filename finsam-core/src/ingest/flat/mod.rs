//! Readers of a flat participation extract: one row per participation
//! with its förbund and the benefit days before and after as columns.
//!
//! This is the shape most förbund and researchers already hold (an export of
//! SUS or of the förbund's own register joined with Försäkringskassan's
//! days), and the shape of `../shared/peer-bench`. The columns
//! ([`COLUMNS`], plus any pair `<grupp>_fore` / `<grupp>_efter` for an
//! [`Ersattningsgrupp`] code such as `sp_rp`, `ae`, `se`):
//!
//! | column | content |
//! |---|---|
//! | `deltagare_id` | the pseudonymous person (whole number) |
//! | `forbund_id` | the förbund (whole number) |
//! | `kon` | kön (`K`/`M`/`kvinna`/`man`/…, see [`Kon`](crate::model::Kon)) |
//! | `startdatum` | inregistrering (`YYYY-MM-DD`) |
//! | `slutdatum` | utregistrering, empty while ongoing |
//! | `status_efter` | status after (see [`Utfall`]), empty while ongoing |
//! | `avslutsanledning` | optional: the reason it ended (`felregistrering` excludes the row from every count) |
//! | `<grupp>_fore`, `<grupp>_efter` | benefit days in the windows before and after (0–366, quarter days allowed); `_efter` empty while its window is open |
//!
//! Other columns are ignored. The readers (a block-parallel CSV reader and
//! an Arrow reader for record batches in memory or streamed) apply the
//! field rules, the row rules (a status needs an end; the end is not before
//! the start) and the repeat rule (an exact repeat of a row is refused,
//! naming both) and hand each batch of rows to a sink: the participations of an
//! [`Extract`](crate::engine::Extract), or a
//! [`Partial`](crate::engine::Partial) counted as the rows come. The
//! indicators are computed from either by the one engine.
//!
//! ```
//! use finsam_core::engine::Extract;
//! let csv = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter;sp_rp_fore;sp_rp_efter\n\
//!            1;7;K;2021-02-01;2021-10-31;arbete;120;40\n\
//!            2;7;M;2021-03-15;;;200;\n";
//! let extract = Extract::from_csv_reader(csv.as_bytes(), "extract.csv", &Default::default())?;
//! assert_eq!(extract.rows(), 2);
//! # Ok::<(), finsam_core::Error>(())
//! ```

mod csv;
mod repeats;

#[cfg(feature = "arrow")]
mod arrow;

pub use csv::FlatCsvOptions;
pub(crate) use csv::read_csv;

#[cfg(feature = "arrow")]
pub(crate) use arrow::{Repeats, read_batches, read_stream, stream_error};

use crate::error::{Error, Location, Result};
use crate::model::{Coded, Ersattningsgrupp, Utfall};

/// The required columns of a flat extract, in the contract's names.
pub const COLUMNS: [&str; 6] = ["deltagare_id", "forbund_id", "kon", "startdatum", "slutdatum", "status_efter"];

/// No date (an ongoing participation).
pub(crate) const NO_DATE: i32 = i32::MIN;
/// No status registered.
pub(crate) const NO_STATUS: u8 = u8::MAX;
/// No benefit-day value.
pub(crate) const NO_DAYS: i64 = i64::MIN;

/// A batch of rows, column by column, with codes already parsed. Readers
/// fill one batch at a time and reuse it, so the hot loop allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub(crate) id: Vec<i64>,
    pub(crate) forbund: Vec<u32>,
    pub(crate) kon: Vec<u8>,
    pub(crate) start: Vec<i32>,
    pub(crate) slut: Vec<i32>,
    pub(crate) status: Vec<u8>,
    /// Avslutsanledning ([`Avslutsanledning`](crate::model::Avslutsanledning) as `u8`, [`NO_STATUS`] if none
    /// or the source has no such column).
    pub(crate) avslut: Vec<u8>,
    /// Whether the source has an `avslutsanledning` column.
    pub(crate) avslut_known: bool,
    /// Quarter days: per benefit group, before then after.
    pub(crate) days: Vec<[Vec<i64>; 2]>,
}

impl Rows {
    pub(crate) fn new(groups: usize, avslut_known: bool) -> Rows {
        Rows { days: (0..groups).map(|_| [Vec::new(), Vec::new()]).collect(), avslut_known, ..Rows::default() }
    }

    pub(crate) fn clear(&mut self) {
        self.id.clear();
        self.forbund.clear();
        self.kon.clear();
        self.start.clear();
        self.slut.clear();
        self.status.clear();
        self.avslut.clear();
        for [f, e] in &mut self.days {
            f.clear();
            e.clear();
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.id.len()
    }
}

/// What the flat readers fill: the participations of
/// an [`Extract`](crate::engine::Extract), or a
/// [`Partial`](crate::engine::Partial) counted as the rows come. Readers
/// give every worker its own sink and merge them at the end.
pub(crate) trait FlatSink: Sized + Send {
    /// What every worker's sink is made from (nothing, or the query a sink
    /// counts for).
    type Plan: Sync;
    /// An empty sink for `groups`.
    fn empty(groups: &[Ersattningsgrupp], plan: &Self::Plan) -> Self;
    /// Adds a batch of rows; `locate` names a row for errors.
    fn add_rows(&mut self, rows: &Rows, locate: &dyn Fn(usize, &str, String) -> Location) -> Result<()>;
    /// Called by each worker once its rows are added, on its own thread:
    /// work that is the worker's own to finish.
    fn seal(&mut self) {}
    /// The sinks of every worker as one.
    fn merge_all(parts: Vec<Self>, groups: &[Ersattningsgrupp], plan: &Self::Plan) -> Result<Self>;
}

/// The row rules of a flat extract: a status needs an end
/// (`outcome_without_end`), and the end is not before the start
/// (`end_before_start`). The first row that breaks one is the error.
pub(crate) fn check_rows(rows: &Rows, locate: &dyn Fn(usize, &str, String) -> Location) -> Result<()> {
    for i in 0..rows.len() {
        let (start, slut, status) = (rows.start[i], rows.slut[i], rows.status[i]);
        if slut == NO_DATE && status != NO_STATUS {
            return Err(Error::OutcomeWithoutEnd {
                at: Box::new(locate(i, "status_efter", Utfall::ALL[status as usize].code().to_owned())),
            });
        }
        if slut != NO_DATE && slut < start {
            return Err(Error::EndBeforeStart {
                at: Box::new(locate(i, "slutdatum", crate::Date::from_checked(slut).to_string())),
                start: crate::Date::from_checked(start).to_string(),
            });
        }
    }
    Ok(())
}

/// Where the columns of a flat extract are, by position.
pub(crate) struct FlatColumns {
    /// The [`COLUMNS`], in that order.
    pub(crate) required: [usize; 6],
    /// The optional `avslutsanledning` column.
    pub(crate) avslutsanledning: Option<usize>,
    /// Each benefit group with a `<grupp>_fore` and a `<grupp>_efter`
    /// column: (group, before, after).
    pub(crate) days: Vec<(Ersattningsgrupp, usize, usize)>,
}

/// Resolves the headers of a flat extract (CSV or Arrow) as the contract
/// readers do: folded by [`fold_name`](crate::ingest::csv::fold_name), so
/// `Kön`, `Förbund ID` and `SP/RP före` are found; unused headers (an
/// Excel export's empty trailing ones too) are ignored, even repeated; a used
/// one must appear once. `at` is the location of the header.
///
/// # Errors
/// `missing_column` for the first required column absent, `duplicate_column`
/// for a used column that appears twice.
pub(crate) fn flat_columns(headers: &[String], at: &dyn Fn() -> Location) -> Result<FlatColumns> {
    use crate::ingest::csv::{find_header, fold_name};
    let keys: Vec<String> = headers.iter().map(|h| fold_name(h)).collect();
    let find = |key: &str| {
        find_header(&keys, key)
            .map_err(|second| Error::DuplicateColumn { at: Box::new(at().column(headers[second].clone())) })
    };
    let mut required = [0; 6];
    for (slot, name) in required.iter_mut().zip(COLUMNS) {
        *slot = find(name)?
            .ok_or_else(|| Error::MissingColumn { at: Box::new(at().column(name)), found: headers.join(", ") })?;
    }
    // Benefit groups in header order; a group's stem may be an alias (`se`).
    let mut days: Vec<(Ersattningsgrupp, usize, usize)> = Vec::new();
    for key in &keys {
        let Some(stem) = key.strip_suffix("_fore") else { continue };
        let Some(group) = Ersattningsgrupp::parse(stem) else { continue };
        if let (Some(before), Some(after)) = (find(key)?, find(&format!("{stem}_efter"))?)
            && !days.iter().any(|d| d.0 == group)
        {
            days.push((group, before, after));
        }
    }
    let avslutsanledning = find("avslutsanledning")?;
    Ok(FlatColumns { required, avslutsanledning, days })
}

/// A small memo of parsed codes: the columns hold a handful of distinct
/// short strings, so comparing them as one 128-bit word with the last few
/// seen beats parsing (and a hash).
pub(crate) struct CodeMemo<T> {
    seen: Vec<(u128, T)>,
    /// Arrow string views of up to 12 bytes (the view is the text).
    #[cfg(feature = "arrow")]
    short_views: Vec<(u128, T)>,
    /// Arrow string views of codes longer than 12 bytes: (length and
    /// prefix, the whole code, the value).
    #[cfg(feature = "arrow")]
    long_views: Vec<(u64, Box<[u8]>, T)>,
}

impl<T: Coded> CodeMemo<T> {
    pub(crate) fn new() -> Self {
        CodeMemo {
            seen: Vec::new(),
            #[cfg(feature = "arrow")]
            short_views: Vec::new(),
            #[cfg(feature = "arrow")]
            long_views: Vec::new(),
        }
    }

    /// The code of `bytes`, or `None` if they are not one.
    #[inline]
    pub(crate) fn get(&mut self, bytes: &[u8]) -> Option<T> {
        let key = pack(bytes);
        if let Some((_, v)) = key.and_then(|key| self.seen.iter().find(|(k, _)| *k == key)) {
            return Some(*v);
        }
        let v = T::parse(&decode_field(bytes))?;
        if let (Some(key), true) = (key, self.seen.len() < 32) {
            self.seen.push((key, v));
        }
        Some(v)
    }

    /// The code of an Arrow string view (`bytes` gives its text): a view of
    /// up to 12 bytes holds the text itself, so it is its own key; longer
    /// ones are matched on length and prefix, then compared.
    #[cfg(feature = "arrow")]
    #[inline]
    pub(crate) fn get_view<'b>(&mut self, view: u128, bytes: impl FnOnce() -> &'b [u8]) -> Option<T> {
        let len = view as u32;
        if len <= 12 {
            if let Some((_, v)) = self.short_views.iter().find(|(k, _)| *k == view) {
                return Some(*v);
            }
            let v = T::parse(&decode_field(bytes()))?;
            if self.short_views.len() < 32 {
                self.short_views.push((view, v));
            }
            return Some(v);
        }
        let head = view as u64;
        let text = bytes();
        if let Some((_, _, v)) = self.long_views.iter().find(|(h, b, _)| *h == head && **b == *text) {
            return Some(*v);
        }
        let v = T::parse(&decode_field(text))?;
        if self.long_views.len() < 32 {
            self.long_views.push((head, text.into(), v));
        }
        Some(v)
    }
}

/// Up to 15 bytes and their length in one word.
#[inline]
fn pack(bytes: &[u8]) -> Option<u128> {
    if bytes.len() > 15 {
        return None;
    }
    let mut word = bytes.len() as u128;
    for (i, &b) in bytes.iter().enumerate() {
        word |= u128::from(b) << (8 * (i + 1));
    }
    Some(word)
}

/// The error for a text that is not a code of `T`.
pub(crate) fn code_error<T: Coded>(at: Location) -> Error {
    Error::InvalidCode { at: Box::new(at), kind: T::KIND, expected: T::expected() }
}

/// A field as text: UTF-8, or else Windows-1252 (the other encoding Swedish
/// exports come in), so that `arbetssökande` reads either way.
pub(crate) fn decode_field(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

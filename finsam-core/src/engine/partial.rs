//! The public mergeable state of a flat extract: count any chunk of rows,
//! merge the partial results in any order, ship them between processes
//! (JSON or a compact binary form) and finish them into any indicator table
//! or the annual report, with the figures of the whole extract read at once.
//!
//! What makes chunks independent is the cut-off. An extract's cut-off is
//! its latest date unless the caller gives one, and no chunk knows the
//! latest date of the others. So a chunk counts its ongoing participations
//! through the last asked year and remembers its latest date; the finish
//! drops the years after the latest date of all chunks. No participation
//! starts or ends in those years, so the years kept hold exactly the counts
//! of the whole extract under its own cut-off.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::Extract;
use super::build::{Builder, Query};
use super::extract::{Tally, participations_of};
use crate::Date;
use crate::error::Location;
use crate::error::{Error, Result};
use crate::indicators::state::{Accumulator, Key};
use crate::indicators::{Config, Dim, Split, State};
use crate::ingest::flat::{FlatSink, Rows};
use crate::model::Ersattningsgrupp;

/// The most rows a state holds (a trillion): far above any register, far
/// below the counts at which merging states could overflow.
const MAX_ROWS: u64 = 1_000_000_000_000;

/// The first bytes of [`Partial::to_bytes`]: a name and a format version.
const MAGIC: &[u8; 8] = b"FINSAMP\x01";

/// The mergeable state of a flat extract or of any chunk of it (see the
/// [module](self)).
///
/// ```
/// use finsam_core::engine::{Extract, Partial};
/// use finsam_core::indicators::{Config, Split};
/// use finsam_core::report;
/// let head = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n";
/// let a = format!("{head}1;7;K;2021-02-01;2021-10-31;arbete\n2;7;M;2021-03-15;;\n");
/// let b = format!("{head}3;8;K;2020-05-01;2022-01-20;studier\n");
/// let read = |csv: &str| Extract::from_csv_reader(csv.as_bytes(), "chunk.csv", &Default::default());
/// let (split, config) = (Split::parse(&["forbund", "kon"])?, Config::default());
/// let mut state = Partial::compute(&read(&a)?, &split, 2020..=2022, &config)?;
/// let other = Partial::from_bytes(&Partial::compute(&read(&b)?, &split, 2020..=2022, &config)?.to_bytes()?)?;
/// state.merge(other)?;
/// let whole = read(&format!("{a}3;8;K;2020-05-01;2022-01-20;studier\n"))?;
/// let by_kon = Split::parse(&["kon"])?;
/// assert_eq!(
///     report::participants(&state, &by_kon, 2021..=2022, &config)?,
///     report::participants(&whole, &by_kon, 2021..=2022, &config)?,
/// );
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// A deserialised state is checked before use (its split, years, cell keys
/// and counts against one another and against the rows read), so a damaged
/// or edited one is an error, never a panic or a wrong number.
///
/// Each row must be in exactly one chunk: a reader refuses a row repeated
/// within one extract, but two chunks cannot see each other's rows, so a
/// row in both is counted twice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PartialData")]
pub struct Partial {
    state: State,
    years: RangeInclusive<i32>,
    /// The cut-off the caller gave, if any (else the latest date seen).
    uttagsdatum: Option<Date>,
    /// The latest start or end date seen.
    latest: Option<Date>,
    groups: Vec<Ersattningsgrupp>,
    rows: u64,
    without_avslutsanledning: u64,
}

/// A [`Partial`] as serialised, before it is checked.
#[derive(Deserialize)]
struct PartialData {
    state: State,
    years: RangeInclusive<i32>,
    uttagsdatum: Option<Date>,
    latest: Option<Date>,
    groups: Vec<Ersattningsgrupp>,
    rows: u64,
    without_avslutsanledning: u64,
}

impl Partial {
    /// The state of `extract` split by `split` over `years`, with the
    /// persons of each cell (for distinct counts); `config.uttagsdatum`
    /// fixes the cut-off, else it is the latest date of all merged chunks.
    ///
    /// # Errors
    /// `invalid_argument` for a dimension a flat extract has no column for
    /// (only förbund and kön are), an empty range of years, or invalid options.
    pub fn compute(extract: &Extract, split: &Split, years: RangeInclusive<i32>, config: &Config) -> Result<Partial> {
        Partial::compute_with(extract, split, years, config, true, 2)
    }

    /// [`compute`](Self::compute) on `threads` threads (1 where a scheduler
    /// such as Dask already runs one task per core).
    ///
    /// # Errors
    /// As [`compute`](Self::compute).
    pub fn compute_on(
        extract: &Extract,
        split: &Split,
        years: RangeInclusive<i32>,
        config: &Config,
        threads: usize,
    ) -> Result<Partial> {
        Partial::compute_with(extract, split, years, config, true, threads)
    }

    /// [`compute`](Self::compute), collecting persons only if `persons`
    /// (a state without them is for tables that count none and never
    /// leaves the crate).
    pub(crate) fn compute_with(
        extract: &Extract,
        split: &Split,
        years: RangeInclusive<i32>,
        config: &Config,
        persons: bool,
        threads: usize,
    ) -> Result<Partial> {
        let query = query(split, &years, config, persons)?;
        let parts = crate::exec::map_chunks(extract.batches(), threads, |_, batches| {
            let mut builder = Builder::new(&query);
            for b in batches {
                crate::exec::check()?;
                builder.add(b);
            }
            builder.seal();
            Ok(builder)
        });
        let parts = parts.into_iter().collect::<Result<Vec<_>>>()?;
        let state = Builder::finish_all(&query, parts, threads);
        Ok(Partial::of(state, years, config, extract.groups(), extract.tally()))
    }

    /// Reads a flat extract from a CSV file and counts it in the same pass
    /// (see [`Partial::from_batch_stream`]): the state of
    /// [`Extract::from_csv`] then [`compute_on`](Self::compute_on), without
    /// the extract's rows in memory.
    ///
    /// ```
    /// use finsam_core::engine::{Extract, Partial};
    /// use finsam_core::indicators::{Config, Split};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("extract.csv");
    /// std::fs::write(&path, "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n1;7;K;2021-02-01;2021-10-31;arbete\n2;7;M;2021-03-15;;\n").unwrap();
    /// let (split, config) = (Split::parse(&["forbund", "kon"])?, Config::default());
    /// let counted = Partial::from_csv(&path, &Default::default(), &split, 2020..=2022, &config)?;
    /// let read = Extract::from_csv(&path, &Default::default())?;
    /// assert_eq!(counted, Partial::compute(&read, &split, 2020..=2022, &config)?);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`Extract::from_csv`] and of [`compute`](Self::compute).
    pub fn from_csv(
        path: &std::path::Path,
        options: &crate::ingest::flat::FlatCsvOptions,
        split: &Split,
        years: RangeInclusive<i32>,
        config: &Config,
    ) -> Result<Partial> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Partial::from_csv_reader(file, &path.display().to_string(), options, split, years, config)
    }

    /// [`from_csv`](Self::from_csv) from any reader; `source` names it in
    /// errors.
    ///
    /// ```
    /// use finsam_core::engine::Partial;
    /// use finsam_core::indicators::{Config, Split};
    /// let csv = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n1;7;K;2021-02-01;2021-10-31;arbete\n";
    /// let (split, config) = (Split::parse(&["kon"])?, Config::default());
    /// let counted = Partial::from_csv_reader(csv.as_bytes(), "chunk.csv", &Default::default(), &split, 2021..=2021, &config)?;
    /// assert_eq!(counted.rows(), 1);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_csv`](Self::from_csv).
    pub fn from_csv_reader(
        reader: impl std::io::Read,
        source: &str,
        options: &crate::ingest::flat::FlatCsvOptions,
        split: &Split,
        years: RangeInclusive<i32>,
        config: &Config,
    ) -> Result<Partial> {
        let query = query(split, &years, config, true)?;
        let counted: Counting<'_> = crate::ingest::flat::read_csv(reader, source, options, &&query)?;
        Ok(counted.finish(&query, years, config, options.threads))
    }

    /// Reads a flat extract from Arrow record batches in memory and counts
    /// it in the same pass, on `threads` workers: the state of
    /// [`Extract::from_record_batches`] then [`compute_on`](Self::compute_on),
    /// without a copy of the rows.
    ///
    /// # Errors
    /// Those of [`Extract::from_record_batches`] and of [`compute`](Self::compute).
    #[cfg(feature = "arrow")]
    pub fn from_record_batches(
        batches: &[arrow_array::RecordBatch],
        split: &Split,
        years: RangeInclusive<i32>,
        config: &Config,
        threads: usize,
    ) -> Result<Partial> {
        let query = query(split, &years, config, true)?;
        let counted: Counting<'_> = crate::ingest::flat::read_batches(batches, threads, &&query)?;
        Ok(counted.finish(&query, years, config, threads))
    }

    /// Reads a flat extract from a stream of record batches (a Parquet
    /// file, a scanner, a database cursor) and counts each batch as it
    /// comes, on `threads` workers that each count into their own builder:
    /// no row is kept once counted, so memory holds the state and a 16-byte
    /// key per row for the repeat rule, not the extract. The state equals
    /// [`Extract::from_batch_stream`] then [`compute_on`](Self::compute_on);
    /// the years must be given before reading, as for any chunk (see the
    /// [module](self)).
    ///
    /// # Errors
    /// Those of [`Extract::from_batch_stream`] and of [`compute`](Self::compute).
    #[cfg(feature = "arrow")]
    pub fn from_batch_stream(
        schema: arrow_schema::SchemaRef,
        stream: crate::arrow::BatchStream,
        split: &Split,
        years: RangeInclusive<i32>,
        config: &Config,
        threads: usize,
    ) -> Result<Partial> {
        let query = query(split, &years, config, true)?;
        let repeats = crate::ingest::flat::Repeats::WholeRow;
        let counted: Counting<'_> = crate::ingest::flat::read_stream(schema, stream, threads, repeats, 0, &&query)?;
        Ok(counted.finish(&query, years, config, threads))
    }

    /// The state of `state`, counted over `years` under `config` from rows
    /// of benefit `groups` that `tally` counts.
    fn of(
        state: State,
        years: RangeInclusive<i32>,
        config: &Config,
        groups: &[Ersattningsgrupp],
        tally: Tally,
    ) -> Partial {
        Partial {
            state,
            years,
            uttagsdatum: config.uttagsdatum,
            latest: tally.latest_date(),
            groups: sorted_groups(groups),
            rows: tally.rows,
            without_avslutsanledning: tally.without_avslutsanledning,
        }
    }

    /// Adds the counts of `other`, a state of other rows of the same extract.
    ///
    /// # Errors
    /// `invalid_argument` if the states differ in split, years, cut-off or
    /// benefit columns (they were computed with different options or from
    /// different extracts).
    pub fn merge(&mut self, other: Partial) -> Result<()> {
        let differ = |what: &str| Error::InvalidArgument {
            name: "other",
            message: format!("cannot merge states computed with different {what}"),
        };
        if self.state.split() != other.state.split() {
            return Err(differ("splits (by)"));
        }
        if self.years != other.years {
            return Err(differ("years"));
        }
        if self.uttagsdatum != other.uttagsdatum {
            return Err(differ("cut-off dates (uttagsdatum)"));
        }
        if self.groups != other.groups {
            return Err(differ("benefit-day columns"));
        }
        let rows = self.rows.checked_add(other.rows).filter(|&r| r <= MAX_ROWS);
        let Some(rows) = rows else {
            let message = format!("the states together hold more than {MAX_ROWS} rows");
            return Err(Error::InvalidArgument { name: "other", message });
        };
        self.state.merge_unchecked(other.state);
        self.latest = self.latest.max(other.latest);
        self.rows = rows;
        self.without_avslutsanledning += other.without_avslutsanledning;
        Ok(())
    }

    /// The split.
    pub fn split(&self) -> &Split {
        self.state.split()
    }

    /// The years counted.
    pub fn years(&self) -> RangeInclusive<i32> {
        self.years.clone()
    }

    /// Rows read into the state.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The benefit groups with days in the extract.
    pub fn groups(&self) -> &[Ersattningsgrupp] {
        &self.groups
    }

    /// The cut-off: the one given, else the latest start or end date seen
    /// (`None` for a state of no rows).
    pub fn cutoff(&self) -> Option<Date> {
        self.uttagsdatum.or(self.latest)
    }

    /// What the tables of this state say about its population (as
    /// [`Extract::notes`]).
    pub fn notes(&self) -> Vec<String> {
        super::extract::population_notes(self.rows, self.without_avslutsanledning)
    }

    /// The years the state can report on: its years, from the first year of
    /// start (the year after its first year if rows began before it) to the
    /// year of the cut-off.
    ///
    /// # Errors
    /// `invalid_argument` if the state holds no participations.
    pub fn report_years(&self) -> Result<RangeInclusive<i32>> {
        let (Some(first), Some(cutoff)) = (self.state.first_start(), self.cutoff()) else {
            return Err(Error::InvalidArgument { name: "years", message: "the state holds no participations".into() });
        };
        // Rows that began before the state's years leave the first year
        // without the year before it, which the change of a participant
        // table needs: the years offered begin after it.
        let first = if first < *self.years.start() { self.years.start() + 1 } else { first };
        let last = cutoff.year().min(*self.years.end());
        if first > last {
            return Err(Error::InvalidArgument {
                name: "years",
                message: format!(
                    "the state holds no complete year to report on: it counts {:?} with the cut-off {cutoff}",
                    self.years
                ),
            });
        }
        Ok(first..=last)
    }

    /// The counts for `split` over `years`: rolled up from this state's
    /// split, the years after the cut-off left out, with the person sets
    /// only if `persons`.
    ///
    /// # Errors
    /// `invalid_argument` if `years` are not in the state, or `split` is not
    /// this state's split or a coarser one in the same order.
    pub(crate) fn state_for(&self, split: &Split, years: &RangeInclusive<i32>, persons: bool) -> Result<State> {
        self.check_holds(years)?;
        let last = self.last_year();
        let keep = |k: &Key| years.contains(&k.ar) && k.ar <= last;
        if self.state.split() == split {
            return Ok(self.state.select(keep, persons));
        }
        self.state.rollup_selected(split, keep, persons).map_err(|_| not_coarser(self.state.split()))
    }

    /// [`state_for`](Self::state_for) with the person sets, consuming the
    /// state (they are moved, not copied).
    pub(crate) fn into_state_for(self, split: &Split, years: &RangeInclusive<i32>) -> Result<State> {
        self.check_holds(years)?;
        let last = self.last_year();
        let mut state = self.state;
        state.retain(|k| years.contains(&k.ar) && k.ar <= last);
        roll_up(state, split)
    }

    /// Whether the state holds every count of `years`.
    fn check_holds(&self, years: &RangeInclusive<i32>) -> Result<()> {
        // Years before the first start hold no counts in any state: a table
        // may ask for them (the year before its first, for a change).
        let holds_from = match self.state.first_start() {
            Some(first) if first >= *self.years.start() => i32::MIN,
            _ => *self.years.start(),
        };
        if *years.start() >= holds_from && years.end() <= self.years.end() {
            return Ok(());
        }
        Err(Error::InvalidArgument {
            name: "years",
            message: format!(
                "the table needs {}–{} but the state holds {}–{} (a change from the previous year needs that year too): compute the state over more years",
                years.start(),
                years.end(),
                self.years.start(),
                self.years.end()
            ),
        })
    }

    /// The year of the cut-off: later years are dropped at the finish.
    fn last_year(&self) -> i32 {
        self.cutoff().map_or(i32::MIN, Date::year)
    }

    /// The state as JSON.
    ///
    /// # Errors
    /// Never in practice (every field serialises).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }

    /// A state from [`to_json`](Self::to_json)'s output, checked.
    ///
    /// # Errors
    /// `invalid_json` for malformed JSON or a state that fails the checks.
    pub fn from_json(text: &str) -> Result<Partial> {
        Ok(serde_json::from_str(text)?)
    }

    /// The state in a compact binary form: a versioned header, then the
    /// fields in postcard's documented wire format (variable-length
    /// integers), about a sixth of the JSON.
    ///
    /// # Errors
    /// Never in practice (every field serialises).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = MAGIC.to_vec();
        postcard::to_io(self, &mut out).map_err(|e| invalid_binary(e.to_string()))?;
        Ok(out)
    }

    /// A state from [`to_bytes`](Self::to_bytes)'s output, checked.
    ///
    /// # Errors
    /// `invalid_binary` for bytes that are not a state of this version, are
    /// cut short or followed by more, or fail the checks.
    pub fn from_bytes(bytes: &[u8]) -> Result<Partial> {
        let Some(body) = bytes.strip_prefix(MAGIC.as_slice()) else {
            return Err(invalid_binary("not a finsam state of this version (wrong header)".into()));
        };
        let (state, rest) = postcard::take_from_bytes::<Partial>(body).map_err(|e| invalid_binary(e.to_string()))?;
        if !rest.is_empty() {
            return Err(invalid_binary(format!("{} bytes after the state", rest.len())));
        }
        Ok(state)
    }
}

/// The query of a state of `split` over `years` under `config`, checked.
fn query<'q>(split: &'q Split, years: &RangeInclusive<i32>, config: &'q Config, persons: bool) -> Result<Query<'q>> {
    config.check()?;
    check_split(split)?;
    let last_day = Date::last_of_year(*years.end()).filter(|_| !years.is_empty() && *years.start() >= 1);
    let Some(last_day) = last_day else {
        return Err(Error::InvalidArgument { name: "years", message: format!("invalid range {years:?}") });
    };
    let cutoff = config.uttagsdatum.unwrap_or(last_day);
    Ok(Query { split, years: years.clone(), cutoff, bands: &config.age_bands, persons })
}

/// A reader's sink that counts each batch of rows as it is read, in the
/// worker that read it, and keeps no row: every worker has its own builder,
/// and the builders are finished together at the end.
struct Counting<'q> {
    /// What this sink counts into.
    builder: Builder<'q>,
    /// The builders of the workers merged into this sink.
    merged: Vec<Builder<'q>>,
    groups: Vec<Ersattningsgrupp>,
    tally: Tally,
}

impl Counting<'_> {
    /// The state of every worker's counts.
    fn finish(mut self, query: &Query<'_>, years: RangeInclusive<i32>, config: &Config, threads: usize) -> Partial {
        self.merged.push(self.builder);
        let state = Builder::finish_all(query, self.merged, threads.max(1));
        Partial::of(state, years, config, &self.groups, self.tally)
    }
}

impl<'q> FlatSink for Counting<'q> {
    type Plan = &'q Query<'q>;

    fn empty(groups: &[Ersattningsgrupp], query: &&'q Query<'q>) -> Self {
        let builder = Builder::new(query);
        Counting { builder, merged: Vec::new(), groups: groups.to_vec(), tally: Tally::default() }
    }

    fn add_rows(&mut self, rows: &Rows, locate: &dyn Fn(usize, &str, String) -> Location) -> Result<()> {
        let batch = participations_of(rows, locate, &self.groups, &mut self.tally)?;
        self.builder.add(&batch);
        Ok(())
    }

    fn seal(&mut self) {
        self.builder.seal();
    }

    fn merge_all(parts: Vec<Self>, groups: &[Ersattningsgrupp], query: &&'q Query<'q>) -> Result<Self> {
        let mut out = Counting::empty(groups, query);
        for p in parts {
            out.merged.push(p.builder);
            out.merged.extend(p.merged);
            out.tally.absorb(p.tally);
        }
        Ok(out)
    }
}

/// The benefit groups in one order whatever the order of the columns, so
/// that states of chunks with the columns in another order merge.
fn sorted_groups(groups: &[Ersattningsgrupp]) -> Vec<Ersattningsgrupp> {
    let mut groups = groups.to_vec();
    groups.sort_unstable();
    groups.dedup();
    groups
}

fn invalid_binary(message: String) -> Error {
    Error::InvalidBinary { message }
}

/// `state` rolled up to `split` (as it is if that is its own split).
fn roll_up(state: State, split: &Split) -> Result<State> {
    if state.split() == split {
        return Ok(state);
    }
    state.rollup(split).map_err(|_| not_coarser(state.split()))
}

/// The error for a table split other than the state's or a coarser one.
fn not_coarser(split: &Split) -> Error {
    Error::InvalidArgument {
        name: "by",
        message: format!(
            "the state is split by {}; it gives tables by those dimensions or fewer, in that order",
            dim_names(split)
        ),
    }
}

fn dim_names(split: &Split) -> String {
    if split.dims().is_empty() {
        return "year only".into();
    }
    split.dims().iter().map(|d| d.code()).collect::<Vec<_>>().join(", ")
}

/// A flat extract has columns for förbund and kön only.
fn check_split(split: &Split) -> Result<()> {
    match split.dims().iter().find(|d| !matches!(d, Dim::Forbund | Dim::Kon)) {
        Some(d) => Err(Error::InvalidArgument {
            name: "by",
            message: format!("a flat extract has no column for {}; it can be split by forbund and kon", d.code()),
        }),
        None => Ok(()),
    }
}

impl TryFrom<PartialData> for Partial {
    type Error = String;

    fn try_from(d: PartialData) -> std::result::Result<Partial, String> {
        check(&d).map_err(|what| format!("not a finsam state: {what}"))?;
        let PartialData { state, years, uttagsdatum, latest, groups, rows, without_avslutsanledning } = d;
        Ok(Partial { state, years, uttagsdatum, latest, groups, rows, without_avslutsanledning })
    }
}

/// Checks what the readers and the builder guarantee of a state.
fn check(d: &PartialData) -> std::result::Result<(), String> {
    check_split(d.state.split()).map_err(|e| e.to_string())?;
    Split::new(d.state.split().dims()).map_err(|e| e.to_string())?;
    if d.years.is_empty() || *d.years.start() < 1 || *d.years.end() > 9999 {
        return Err(format!("years {:?}", d.years));
    }
    if !d.groups.windows(2).all(|w| w[0] < w[1]) {
        return Err("benefit groups repeated or out of order".into());
    }
    // More rows than any register holds would let merged counts overflow.
    if d.rows > MAX_ROWS {
        return Err(format!("{} rows, more than {MAX_ROWS}", d.rows));
    }
    if d.without_avslutsanledning > d.rows || d.state.unknown_insats() > 0 {
        return Err("more rows without avslutsanledning than rows, or unknown insatser".into());
    }
    match (d.rows, d.latest, d.state.first_start()) {
        (0, None, None) => {}
        (1.., Some(latest), Some(first)) if first <= latest.year() => {}
        _ => return Err("rows, latest date and first year of start do not agree".into()),
    }
    let (mut started, mut ended) = (0u64, 0u64);
    for (key, acc) in d.state.cells() {
        if !d.years.contains(&key.ar) {
            return Err(format!("a cell of {} outside the years {:?}", key.ar, d.years));
        }
        started = started.saturating_add(acc.startade);
        ended = ended.saturating_add(check_cell(acc, &d.groups, d.rows)?);
    }
    // Every row starts once and ends once, in one cell of one year.
    if started > d.rows || ended > d.rows {
        return Err(format!("{started} started and {ended} ended in its cells but {} rows", d.rows));
    }
    Ok(())
}

/// Checks one cell's counts against one another and against the rows;
/// returns its ended participations.
fn check_cell(acc: &Accumulator, groups: &[Ersattningsgrupp], rows: u64) -> std::result::Result<u64, String> {
    let with_status = acc.utfall.iter().try_fold(0u64, |sum, &n| sum.checked_add(n));
    let ended = with_status.and_then(|n| n.checked_add(acc.utan_status)).filter(|&e| e <= rows);
    let Some(ended) = ended else { return Err("more ended participations in a cell than rows".into()) };
    let within = |n: u64| n <= ended;
    if acc.startade > acc.deltaganden || acc.deltaganden > rows || acc.felregistrering > rows || acc.anonyma > 0 {
        return Err("a cell's started, participations or felregistrering exceed its rows".into());
    }
    if !within(acc.oppet_efterfonster) || !acc.fore.iter().chain(acc.overgang.iter().flatten()).all(|&n| within(n)) {
        return Err("a cell's before/after counts exceed its ended participations".into());
    }
    for (g, days) in Ersattningsgrupp::ALL.iter().zip(&acc.dagar) {
        // Quarter days: a window holds at most 366 days, so a difference at
        // most that many and its square at most that squared.
        const MAX_QUARTERS: i128 = 366 * 4;
        let n = i128::from(days.n);
        let sums_fit = [days.fore, days.efter].iter().all(|&s| (0..=n * MAX_QUARTERS).contains(&i128::from(s)));
        let spread = i128::from(days.efter) - i128::from(days.fore);
        let squares_fit = (0..=n * MAX_QUARTERS * MAX_QUARTERS).contains(&days.diff_sq)
            && days.diff_sq.saturating_mul(n) >= spread * spread;
        if (days.n > 0 && !groups.contains(g)) || !within(days.n) || !sums_fit || !squares_fit {
            return Err(format!("benefit days of {} do not add up", g.code()));
        }
    }
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter;sp_rp_fore;sp_rp_efter\n\
                       1;7;K;2021-02-01;2021-10-31;arbete;120;40\n\
                       2;7;M;2020-03-15;;;;\n\
                       3;8;K;2020-05-01;2022-01-20;studier;10;0\n";

    fn partial(csv: &str, years: RangeInclusive<i32>) -> Partial {
        let extract = Extract::from_csv_reader(csv.as_bytes(), "t.csv", &Default::default()).unwrap();
        Partial::compute(&extract, &Split::parse(&["forbund", "kon"]).unwrap(), years, &Config::default()).unwrap()
    }

    #[test]
    fn json_and_bytes_round_trip() {
        let p = partial(CSV, 2020..=2023);
        assert_eq!(Partial::from_json(&p.to_json().unwrap()).unwrap(), p);
        let bytes = p.to_bytes().unwrap();
        assert_eq!(Partial::from_bytes(&bytes).unwrap(), p);
        assert!(bytes.len() * 8 < p.to_json().unwrap().len(), "{} bytes", bytes.len());
    }

    #[test]
    fn damaged_bytes_are_an_error() {
        let bytes = partial(CSV, 2020..=2023).to_bytes().unwrap();
        for cut in 0..bytes.len() {
            let err = Partial::from_bytes(&bytes[..cut]).unwrap_err();
            assert_eq!(err.code(), "invalid_binary", "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Partial::from_bytes(&longer).unwrap_err().code(), "invalid_binary");
        // Flipping any one byte gives an error or a state that passed every check.
        for i in MAGIC.len()..bytes.len() {
            let mut edited = bytes.clone();
            edited[i] ^= 0x5a;
            if let Ok(p) = Partial::from_bytes(&edited) {
                assert!(p.rows() > 0);
            }
        }
    }

    #[test]
    fn edited_json_is_refused() {
        let json = partial(CSV, 2020..=2023).to_json().unwrap();
        for (from, to) in [
            ("\"rows\":3", "\"rows\":1"),
            ("\"rows\":3", "\"rows\":0"),
            ("[\"forbund\",\"kon\"]", "[\"kon\",\"kon\"]"),
            ("[\"forbund\",\"kon\"]", "[\"forbund\",\"aldersgrupp\"]"),
            ("\"years\":{\"start\":2020,\"end\":2023}", "\"years\":{\"start\":2021,\"end\":2023}"),
            ("\"personer\":[1]", "\"personer\":[1,1]"),
        ] {
            assert!(json.contains(from), "{from} not in {json}");
            let err = Partial::from_json(&json.replacen(from, to, 1)).unwrap_err();
            assert_eq!(err.code(), "invalid_json", "{from} → {to}");
        }
    }

    #[test]
    fn chunks_with_the_benefit_columns_in_another_order_merge_and_read_back() {
        let a = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter;ae_fore;ae_efter;sp_rp_fore;sp_rp_efter\n\
                 1;7;K;2021-02-01;2021-10-31;arbete;1;2;120;40\n";
        let b = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter;sp_rp_fore;sp_rp_efter;ae_fore;ae_efter\n\
                 2;7;M;2021-03-01;2021-09-30;studier;10;0;3;4\n";
        let (mut left, right) = (partial(a, 2020..=2022), partial(b, 2020..=2022));
        assert_eq!(Partial::from_bytes(&left.to_bytes().unwrap()).unwrap(), left);
        assert_eq!(Partial::from_json(&right.to_json().unwrap()).unwrap(), right);
        left.merge(right).unwrap();
        assert_eq!(left.rows(), 2);
    }

    #[test]
    fn counts_that_would_overflow_are_refused() {
        let json = partial(CSV, 2020..=2023).to_json().unwrap();
        for (from, to) in [
            ("\"utfall\":[1,0,", "\"utfall\":[18446744073709551615,1,"),
            ("\"diff_sq\":102400", "\"diff_sq\":100000000000000000000000000000000000000"),
            ("\"fore\":480", "\"fore\":-9223372036854775808"),
            ("\"rows\":3", "\"rows\":18446744073709551615"),
        ] {
            assert!(json.contains(from), "{from} not in {json}");
            assert_eq!(Partial::from_json(&json.replacen(from, to, 1)).unwrap_err().code(), "invalid_json", "{to}");
        }
    }

    #[test]
    fn merged_states_of_more_rows_than_any_register_are_refused() {
        let json = partial(CSV, 2020..=2023).to_json().unwrap();
        let big = Partial::from_json(&json.replacen("\"rows\":3", "\"rows\":600000000000", 1)).unwrap();
        let mut sum = big.clone();
        assert_eq!(sum.merge(big).unwrap_err().code(), "invalid_argument");
        assert_eq!(sum.rows(), 600_000_000_000, "a refused merge leaves the state as it was");
    }

    #[test]
    fn the_years_offered_have_the_year_before_when_rows_began_earlier() {
        // Rows from 2020; a state of 2021–2023 offers 2022–2022 (the cut-off's
        // year): 2021 would lack 2020 for its change.
        let p = partial(CSV, 2021..=2023);
        assert_eq!(p.report_years().unwrap(), 2022..=2022);
        assert_eq!(partial(CSV, 2020..=2023).report_years().unwrap(), 2020..=2022);
        let config = Config { uttagsdatum: Date::from_ymd(2019, 6, 30), ..Config::default() };
        let extract = Extract::from_csv_reader(CSV.as_bytes(), "t.csv", &Default::default()).unwrap();
        let early = Partial::compute(&extract, &Split::national(), 2020..=2023, &config).unwrap();
        assert!(early.report_years().is_err());
    }

    #[test]
    fn one_thread_or_several_count_the_same() {
        let extract = Extract::from_csv_reader(CSV.as_bytes(), "t.csv", &Default::default()).unwrap();
        let split = Split::parse(&["forbund", "kon"]).unwrap();
        let one = Partial::compute_on(&extract, &split, 2020..=2023, &Config::default(), 1).unwrap();
        assert_eq!(one, Partial::compute_on(&extract, &split, 2020..=2023, &Config::default(), 4).unwrap());
        assert_eq!(one, partial(CSV, 2020..=2023));
    }

    #[test]
    fn merge_refuses_states_of_other_options() {
        let mut a = partial(CSV, 2020..=2023);
        let err = a.merge(partial(CSV, 2020..=2022)).unwrap_err();
        assert!(err.to_string().contains("different years"), "{err}");
    }

    #[test]
    fn years_after_the_cutoff_are_dropped_at_the_finish() {
        let p = partial(CSV, 2020..=2025);
        assert_eq!(p.cutoff().map(|d| d.to_string()), Some("2022-01-20".into()));
        let state = p.state_for(&Split::national(), &(2020..=2025), true).unwrap();
        assert_eq!(state.cells().keys().map(|k| k.ar).collect::<Vec<_>>(), [2020, 2021, 2022]);
        assert!(p.state_for(&Split::parse(&["kon", "forbund"]).unwrap(), &(2020..=2021), true).is_err());
        // A table may ask for years before the first start (they hold nothing),
        // not for years before the state's own when rows started earlier.
        assert!(p.state_for(&Split::national(), &(2019..=2021), true).is_ok());
        assert!(partial(CSV, 2021..=2023).state_for(&Split::national(), &(2020..=2021), true).is_err());
    }
}

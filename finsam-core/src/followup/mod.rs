//! Follow-up from a flat participation extract: one row per participation
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
//! | `kon` | kön (`K`/`M`/`kvinna`/`man`/…, see [`Kon`]) |
//! | `startdatum` | inregistrering (`YYYY-MM-DD`) |
//! | `slutdatum` | utregistrering, empty while ongoing |
//! | `status_efter` | status after (see [`Utfall`]), empty while ongoing |
//! | `<grupp>_fore`, `<grupp>_efter` | benefit days in the windows before and after (0–366, quarter days allowed); `_efter` empty while its window is open |
//!
//! Other columns are ignored. The indicators (computed in one pass, from a
//! mergeable [`FollowUpState`]):
//!
//! * **Ended participations** per year of `slutdatum`, nationally, per kön
//!   and per förbund: the number ended, the distinct persons among them,
//!   ended without a status (excluded from the shares), and the shares to
//!   work or studies and to work, studies or job seeking among those with a
//!   status, each with an interval ([`Config::method`], [`Config::level`]).
//! * **Benefit days** per year of `slutdatum`, nationally and per kön: for
//!   each benefit group, the mean change after − before with a paired
//!   t-interval, over ended participations with both values; those without
//!   (the after-window still open) are excluded and counted in the notes.
//! * **Started participations** per year of `startdatum`, with the change
//!   from the previous year in percent.
//!
//! Every count passes disclosure control ([`Config::disclosure`]): the
//! national, kön and förbund rows of a year form one table with margins, so
//! a withheld förbund cannot be recovered from the national figure.
//!
//! ```
//! use finsam_core::followup::FollowUpState;
//! use finsam_core::indicators::Config;
//! let csv = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter;sp_rp_fore;sp_rp_efter\n\
//!            1;7;K;2021-02-01;2021-10-31;arbete;120;40\n\
//!            2;7;M;2021-03-15;;;200;\n";
//! let state = FollowUpState::from_csv_reader(csv.as_bytes(), "extract.csv", &Default::default())?;
//! let report = state.finish(&Config { disclosure: finsam_core::disclosure::Disclosure::OFF, ..Config::default() })?;
//! assert_eq!(report.national.value(&["2021"], "n_avslutade"), Some(1.0));
//! assert_eq!(report.benefit_days.value(&["2021", "alla"], "sp_rp_medel"), Some(-80.0));
//! assert_eq!(report.started.value(&["2021"], "n_startade"), Some(2.0));
//! # Ok::<(), finsam_core::Error>(())
//! ```

mod csv;
mod distinct;
mod repeats;

#[cfg(feature = "arrow")]
mod arrow;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use csv::FlatCsvOptions;
pub(crate) use csv::read_csv;

#[cfg(feature = "arrow")]
pub(crate) use arrow::{Repeats, read_batches, read_stream, stream_error};

use crate::error::{Error, Location, Result};
use crate::indicators::Config;
use crate::indicators::ci_values;
use crate::model::{Avslutsanledning, Coded, Ersattningsgrupp, Kon, Utfall};
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};
use crate::stats::{Moments, mean_ci};

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
    /// Avslutsanledning ([`Avslutsanledning`] as `u8`, [`NO_STATUS`] if none
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

/// Benefit days of one group in one cell, in quarter days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaysSums {
    /// Ended participations with both values.
    pub n: u64,
    /// Ended participations lacking a value (after-window open), excluded.
    pub missing: u64,
    /// Σ (after − before).
    pub sum: i64,
    /// Σ (after − before)².
    pub sum_sq: i128,
}

/// The counts of one cell (year × förbund × kön).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Participations started in the year.
    pub startade: u64,
    /// Participations ended in the year.
    pub avslutade: u64,
    /// Ended in the year without a status.
    pub utan_status: u64,
    /// Registered by mistake (avslutsanledning `felregistrering`), by year of
    /// slutdatum (of startdatum if none): excluded from every other count,
    /// as the catalogue excludes them.
    #[serde(default)]
    pub felregistrering: u64,
    /// Ended in the year, by status ([`Utfall::ALL`] order).
    pub utfall: [u64; 8],
    /// Benefit days per group of the state.
    pub dagar: Vec<DaysSums>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.startade += o.startade;
        self.avslutade += o.avslutade;
        self.utan_status += o.utan_status;
        self.felregistrering += o.felregistrering;
        for (a, b) in self.utfall.iter_mut().zip(&o.utfall) {
            *a += b;
        }
        for (a, b) in self.dagar.iter_mut().zip(&o.dagar) {
            a.n += b.n;
            a.missing += b.missing;
            a.sum += b.sum;
            a.sum_sq += b.sum_sq;
        }
    }

    fn with_status(&self) -> u64 {
        self.avslutade - self.utan_status
    }

    fn share_counts(&self) -> (u64, u64) {
        let u = |s: Utfall| self.utfall[s as usize];
        let ws = u(Utfall::Arbete) + u(Utfall::Studier);
        (ws, ws + u(Utfall::Arbetssokande))
    }
}

/// A cell: year, förbund and kön.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CellKey {
    /// The year (of `slutdatum` for ended counts, of `startdatum` for starts).
    pub ar: i32,
    /// The förbund.
    pub forbund: u32,
    /// Kön ([`Kon::ALL`] order).
    pub kon: u8,
}

impl CellKey {
    fn packed(self) -> u64 {
        // 24 bits of year (offset), 32 of förbund, 8 of kön.
        let year = (i64::from(self.ar) + (1 << 23)) as u64 & 0xFF_FFFF;
        (year << 40) | (u64::from(self.forbund) << 8) | u64::from(self.kon)
    }
}

/// The persons of ended participations and their cells, for the distinct
/// counts (two columns: 12 bytes a participation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Persons {
    pub(crate) ids: Vec<i64>,
    pub(crate) cells: Vec<u32>,
}

/// The mergeable state of the follow-up: integer counts per cell and the
/// persons of ended participations. Merging two states gives the state of
/// the union of their rows exactly, so extracts can be read in parts (per
/// förbund, per year, per file) and combined, also across processes (the
/// state serialises with serde).
///
/// ```
/// use finsam_core::followup::FollowUpState;
/// let head = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n";
/// let a = format!("{head}1;1;K;2022-01-10;2022-05-01;arbete\n");
/// let b = format!("{head}1;2;K;2022-06-10;2022-09-01;studier\n");
/// let mut state = FollowUpState::from_csv_reader(a.as_bytes(), "a.csv", &Default::default())?;
/// state.merge(FollowUpState::from_csv_reader(b.as_bytes(), "b.csv", &Default::default())?)?;
/// assert_eq!(state.rows(), 2);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// A deserialised state is checked before use (cell keys and indices in
/// range, counts that add up, one person per ended participation), so a
/// damaged or edited one is an `invalid_json` error, never a panic or a
/// wrong number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StateData")]
pub struct FollowUpState {
    groups: Vec<Ersattningsgrupp>,
    cells: Vec<CellKey>,
    counts: Vec<Counts>,
    persons: Persons,
    rows: u64,
    /// Rows read from sources without an `avslutsanledning` column (their
    /// felregistrering cannot be excluded).
    #[serde(default)]
    without_avslutsanledning: u64,
    #[serde(skip)]
    index: FxHashMap<u64, u32>,
    /// Dense förbund number per förbund id (see [`FollowUpState::cell_of`]).
    #[serde(skip)]
    fast_forbund: Vec<u32>,
    /// Cell per (dense förbund, year, kön).
    #[serde(skip)]
    fast_slots: Vec<u32>,
}

/// A [`FollowUpState`] as serialised, before it is checked: every number
/// in it can have been edited, so [`FollowUpState`]'s `TryFrom` checks what
/// the readers guarantee:
///
/// * one count per cell, each cell's key once, its year a year of a date
///   (1–9999) and its kön one of [`Kon::ALL`];
/// * per cell: ended without status plus ended per status equals ended;
///   per benefit group, with values plus without equals ended, and the sums
///   are sums of at most ended differences of at most ±366 days (squares
///   non-negative and at least the square of the sum over the count);
/// * one person per ended participation, in its cell (so persons per cell
///   equal ended), and started over all cells equals the rows read.
#[derive(Deserialize)]
struct StateData {
    groups: Vec<Ersattningsgrupp>,
    cells: Vec<CellKey>,
    counts: Vec<Counts>,
    persons: Persons,
    rows: u64,
    #[serde(default)]
    without_avslutsanledning: u64,
}

impl TryFrom<StateData> for FollowUpState {
    type Error = String;

    fn try_from(data: StateData) -> std::result::Result<FollowUpState, String> {
        let StateData { groups, cells, counts, persons, rows, without_avslutsanledning } = data;
        let invalid = |what: String| Err(format!("not a follow-up state: {what}"));
        if cells.len() != counts.len() || cells.len() > u32::MAX as usize {
            return invalid(format!("{} cells but {} counts", cells.len(), counts.len()));
        }
        if persons.ids.len() != persons.cells.len() {
            return invalid(format!("{} person ids but {} person cells", persons.ids.len(), persons.cells.len()));
        }
        let mut persons_per_cell = vec![0u64; cells.len()];
        for &c in &persons.cells {
            match persons_per_cell.get_mut(c as usize) {
                Some(n) => *n += 1,
                None => return invalid(format!("a person in cell {c} of {}", cells.len())),
            }
        }
        let mut started = 0u64;
        let max_day = 366 * 4;
        for (i, (key, c)) in cells.iter().zip(&counts).enumerate() {
            if !(1..=9999).contains(&key.ar) || usize::from(key.kon) >= Kon::ALL.len() {
                return invalid(format!("cell {i} has year {} and kön {}", key.ar, key.kon));
            }
            let by_status = c.utfall.iter().try_fold(c.utan_status, |a, &b| a.checked_add(b));
            if by_status != Some(c.avslutade) || persons_per_cell[i] != c.avslutade {
                return invalid(format!(
                    "cell {i} has {} ended, {} persons, and {} without status plus {:?} by status",
                    c.avslutade, persons_per_cell[i], c.utan_status, c.utfall
                ));
            }
            if c.dagar.len() != groups.len() {
                return invalid(format!("cell {i} has days of {} groups, the state {}", c.dagar.len(), groups.len()));
            }
            for d in &c.dagar {
                let n = i128::from(d.n);
                let (sum, sum_sq) = (i128::from(d.sum), d.sum_sq);
                let consistent = d.n.checked_add(d.missing) == Some(c.avslutade)
                    && sum.abs() <= n * max_day
                    && (0..=n * max_day * max_day).contains(&sum_sq)
                    && sum.checked_mul(sum).is_some_and(|s2| s2 <= sum_sq.saturating_mul(n));
                if !consistent {
                    return invalid(format!("cell {i} has inconsistent benefit days {d:?}"));
                }
            }
            started = match started.checked_add(c.startade).and_then(|s| s.checked_add(c.felregistrering)) {
                Some(s) => s,
                None => return invalid("more started participations than fit in 64 bits".into()),
            };
        }
        if started != rows || without_avslutsanledning > rows {
            return invalid(format!(
                "{started} started and felregistrerade participations, {without_avslutsanledning} without avslutsanledning, but {rows} rows"
            ));
        }
        let mut state = FollowUpState {
            groups,
            cells,
            counts,
            persons,
            rows,
            without_avslutsanledning,
            index: FxHashMap::default(),
            fast_forbund: Vec::new(),
            fast_slots: Vec::new(),
        };
        state.rebuild_index();
        if state.index.len() != state.cells.len() {
            return invalid("a cell appears twice".into());
        }
        Ok(state)
    }
}

const NONE: u32 = u32::MAX;
const FAST_FORBUND: u32 = 1 << 16;
const FAST_FIRST_YEAR: i32 = 1900;
const FAST_YEARS: i32 = 300;
const FAST_SLOTS_PER_FORBUND: usize = FAST_YEARS as usize * 3;

impl FollowUpState {
    /// An empty state measuring benefit days of `groups`.
    pub fn new(groups: &[Ersattningsgrupp]) -> FollowUpState {
        FollowUpState {
            groups: groups.to_vec(),
            cells: Vec::new(),
            counts: Vec::new(),
            persons: Persons::default(),
            rows: 0,
            without_avslutsanledning: 0,
            index: FxHashMap::default(),
            fast_forbund: Vec::new(),
            fast_slots: Vec::new(),
        }
    }

    /// Makes room for `rows` more ended participations (readers that know
    /// their size call it once instead of growing step by step).
    pub(crate) fn reserve(&mut self, rows: usize) {
        self.persons.ids.reserve(rows);
        self.persons.cells.reserve(rows);
    }

    /// Merges states, reusing the largest as the base (its persons are not
    /// copied).
    pub(crate) fn merge_all(states: Vec<FollowUpState>, groups: &[Ersattningsgrupp]) -> Result<FollowUpState> {
        let mut states = states;
        states.sort_by_key(|s| std::cmp::Reverse(s.persons.ids.len()));
        let mut iter = states.into_iter();
        let mut base = iter.next().unwrap_or_else(|| FollowUpState::new(groups));
        for s in iter {
            base.merge(s)?;
        }
        Ok(base)
    }

    /// The benefit groups measured.
    pub fn groups(&self) -> &[Ersattningsgrupp] {
        &self.groups
    }

    /// Rows read.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The cells and their counts, in key order.
    pub fn cells(&self) -> BTreeMap<CellKey, &Counts> {
        self.cells.iter().copied().zip(&self.counts).collect()
    }

    fn cell(&mut self, key: CellKey) -> u32 {
        if self.index.len() != self.cells.len() {
            // Deserialised states come without their index.
            self.rebuild_index();
        }
        let packed = key.packed();
        if let Some(&i) = self.index.get(&packed) {
            return i;
        }
        let i = self.cells.len() as u32;
        self.cells.push(key);
        self.counts.push(Counts { dagar: vec![DaysSums::default(); self.groups.len()], ..Counts::default() });
        self.index.insert(packed, i);
        i
    }

    /// [`cell`](Self::cell) through a direct table for the common case
    /// (förbund ids below 65,536, years 1900–2199): the hot loop then
    /// indexes an array instead of hashing.
    #[inline]
    fn cell_of(&mut self, ar: i32, forbund: u32, kon: u8) -> u32 {
        let year = ar - FAST_FIRST_YEAR;
        if forbund < FAST_FORBUND && (0..FAST_YEARS).contains(&year) {
            let f = forbund as usize;
            if f >= self.fast_forbund.len() {
                self.fast_forbund.resize(f + 1, NONE);
            }
            if self.fast_forbund[f] == NONE {
                self.fast_forbund[f] = (self.fast_slots.len() / FAST_SLOTS_PER_FORBUND) as u32;
                self.fast_slots.resize(self.fast_slots.len() + FAST_SLOTS_PER_FORBUND, NONE);
            }
            let slot = self.fast_forbund[f] as usize * FAST_SLOTS_PER_FORBUND + year as usize * 3 + usize::from(kon);
            if self.fast_slots[slot] == NONE {
                self.fast_slots[slot] = self.cell(CellKey { ar, forbund, kon });
            }
            return self.fast_slots[slot];
        }
        self.cell(CellKey { ar, forbund, kon })
    }

    /// Adds a batch of rows; `locate` names a row for errors.
    pub(crate) fn add_rows(&mut self, rows: &Rows, locate: &dyn Fn(usize, &str, String) -> Location) -> Result<()> {
        check_rows(rows, locate)?;
        for i in 0..rows.len() {
            let (start, slut, status) = (rows.start[i], rows.slut[i], rows.status[i]);
            let (forbund, kon) = (rows.forbund[i], rows.kon[i]);
            if rows.avslut[i] == Avslutsanledning::Felregistrering as u8 {
                let year = crate::Date::from_checked(if slut == NO_DATE { start } else { slut }).year();
                let cell = self.cell_of(year, forbund, kon);
                self.counts[cell as usize].felregistrering += 1;
                continue;
            }
            let start_cell = self.cell_of(crate::Date::from_checked(start).year(), forbund, kon);
            self.counts[start_cell as usize].startade += 1;
            if slut == NO_DATE {
                continue;
            }
            let cell = self.cell_of(crate::Date::from_checked(slut).year(), forbund, kon);
            let counts = &mut self.counts[cell as usize];
            counts.avslutade += 1;
            match status {
                NO_STATUS => counts.utan_status += 1,
                s => counts.utfall[s as usize] += 1,
            }
            for (sums, [fore, efter]) in counts.dagar.iter_mut().zip(&rows.days) {
                let (f, e) = (fore[i], efter[i]);
                if f == NO_DAYS || e == NO_DAYS {
                    sums.missing += 1;
                } else {
                    let d = e - f;
                    sums.n += 1;
                    sums.sum += d;
                    sums.sum_sq += i128::from(d * d);
                }
            }
            self.persons.ids.push(rows.id[i]);
            self.persons.cells.push(cell);
        }
        self.rows += rows.len() as u64;
        if !rows.avslut_known {
            self.without_avslutsanledning += rows.len() as u64;
        }
        Ok(())
    }

    /// Adds the cells and persons of `other`.
    ///
    /// # Errors
    /// `invalid_argument` if the states measure different benefit groups.
    pub fn merge(&mut self, other: FollowUpState) -> Result<()> {
        if self.groups != other.groups {
            return Err(Error::InvalidArgument {
                name: "other",
                message: format!(
                    "the states measure different benefit groups ({:?} and {:?})",
                    self.groups, other.groups
                ),
            });
        }
        // Every count is at most the rows read, so sums cannot overflow
        // when the rows do not.
        if self.rows.checked_add(other.rows).is_none() {
            return Err(Error::InvalidArgument {
                name: "other",
                message: format!("the states hold {} and {} rows: more than 2^64 together", self.rows, other.rows),
            });
        }
        let remap: Vec<u32> = other.cells.iter().map(|&k| self.cell(k)).collect();
        for (k, c) in other.counts.iter().enumerate() {
            self.counts[remap[k] as usize].add(c);
        }
        self.persons.ids.extend_from_slice(&other.persons.ids);
        self.persons.cells.extend(other.persons.cells.iter().map(|&c| remap[c as usize]));
        self.rows += other.rows;
        self.without_avslutsanledning += other.without_avslutsanledning;
        Ok(())
    }

    fn rebuild_index(&mut self) {
        self.index = self.cells.iter().enumerate().map(|(i, k)| (k.packed(), i as u32)).collect();
    }

    /// The published tables, with intervals and disclosure control by
    /// `config`.
    ///
    /// # Errors
    /// `invalid_argument` if the configuration is invalid.
    pub fn finish(&self, config: &Config) -> Result<FollowUp> {
        config.check()?;
        let distinct = distinct::count(&self.cells, &self.persons);
        let ended = self.ended_tables(config, &distinct);
        Ok(FollowUp {
            national: ended.0,
            by_kon: ended.1,
            by_forbund: ended.2,
            benefit_days: self.benefit_table(config),
            started: self.started_table(config),
            rows: self.rows,
        })
    }

    /// Counts summed over cells, by a key derived from each cell.
    fn rollup<K: Ord>(&self, key: impl Fn(&CellKey) -> K) -> BTreeMap<K, Counts> {
        let mut out: BTreeMap<K, Counts> = BTreeMap::new();
        for (k, c) in self.cells.iter().zip(&self.counts) {
            out.entry(key(k))
                .or_insert_with(|| Counts { dagar: vec![DaysSums::default(); self.groups.len()], ..Counts::default() })
                .add(c);
        }
        out
    }

    /// What the tables say about their population: the catalogue's rule
    /// (individinriktade insatser, felregistrering excluded) as far as the
    /// extract's columns let it be applied.
    fn population_notes(&self) -> Vec<String> {
        let mut notes = vec![
            "A flat extract does not say which insatser are individinriktade: the catalogue's population is assumed, not checked.".to_owned(),
        ];
        let felregistrering: u64 = self.counts.iter().map(|c| c.felregistrering).sum();
        if felregistrering > 0 {
            notes.push(format!(
                "Excluded from every count: {felregistrering} participations registered by mistake (felregistrering)."
            ));
        }
        if self.without_avslutsanledning > 0 {
            notes.push(format!(
                "{} of {} rows came without an avslutsanledning column: felregistrering among them could not be excluded.",
                self.without_avslutsanledning, self.rows
            ));
        }
        notes
    }

    fn ended_tables(&self, config: &Config, distinct: &distinct::Distinct) -> (Table, Table, Table) {
        // One problem per year: the national row is the margin of both the
        // kön rows and the förbund rows.
        let by_kon = self.rollup(|k| (k.ar, Some(k.kon), None));
        let by_forbund = self.rollup(|k| (k.ar, None, Some(k.forbund)));
        let national = self.rollup(|k| (k.ar, None::<u8>, None::<u32>));
        let mut b = Builder::new(
            "uppfoljning_avslutade",
            "Avslutade deltaganden och sysselsättning efter",
            vec!["ar".into(), "kon".into(), "forbund".into()],
            &[
                ("n_avslutade", Unit::Count),
                ("n_deltagare", Unit::Count),
                ("utan_status", Unit::Count),
                ("andel_arbete_studier", Unit::Share),
                ("andel_arbete_studier_lo", Unit::Share),
                ("andel_arbete_studier_hi", Unit::Share),
                ("andel_arbete_studier_sokande", Unit::Share),
                ("andel_arbete_studier_sokande_lo", Unit::Share),
                ("andel_arbete_studier_sokande_hi", Unit::Share),
            ],
        );
        b.non_additive = vec![1];
        let mut total_row: BTreeMap<i32, usize> = BTreeMap::new();
        let mut parts: BTreeMap<(i32, bool), Vec<usize>> = BTreeMap::new();
        for (key, c) in national.iter().chain(&by_kon).chain(&by_forbund) {
            if c.avslutade == 0 {
                continue;
            }
            let (ar, kon, forbund) = *key;
            let persons = match (kon, forbund) {
                (Some(k), _) => distinct.kon.get(&(ar, k)),
                (_, Some(f)) => distinct.forbund.get(&(ar, f)),
                _ => distinct.national.get(&ar),
            };
            let row = b.table.rows.len();
            let (ws, wss) = c.share_counts();
            let mut values =
                vec![Raw::Count(c.avslutade), Raw::Count(persons.copied().unwrap_or(0)), Raw::Count(c.utan_status)];
            values.extend(ci_values(ws, c.with_status(), config, vec![(row, 0)]));
            values.extend(ci_values(wss, c.with_status(), config, vec![(row, 0)]));
            let label = |v: Option<u32>, f: &dyn Fn(u32) -> String| v.map_or("alla".to_owned(), f);
            let kon_label = label(kon.map(u32::from), &|k| Kon::ALL[k as usize].code().to_owned());
            b.push(vec![ar.to_string(), kon_label, label(forbund, &|f| f.to_string())], values);
            match (kon, forbund) {
                (None, None) => {
                    total_row.insert(ar, row);
                }
                (Some(_), _) => parts.entry((ar, true)).or_default().push(row),
                (_, Some(_)) => parts.entry((ar, false)).or_default().push(row),
            }
        }
        for ((ar, _), rows) in parts {
            if let Some(&t) = total_row.get(&ar) {
                b.margins.push((rows, t));
            }
        }
        b.table.notes.push(format!(
            "Year of slutdatum. Shares among ended participations with a status; intervals: {:?} at {:.0} %.",
            config.method,
            config.level * 100.0
        ));
        b.table.notes.extend(self.population_notes());
        let table = b.finish(&config.disclosure);
        split_ended(table)
    }

    fn benefit_table(&self, config: &Config) -> Table {
        let mut columns: Vec<(String, Unit)> = Vec::new();
        for g in &self.groups {
            let c = g.code();
            columns.push((format!("n_{c}"), Unit::Count));
            for s in ["medel", "medel_lo", "medel_hi"] {
                columns.push((format!("{c}_{s}"), Unit::Days));
            }
        }
        let names: Vec<(&str, Unit)> = columns.iter().map(|(n, u)| (n.as_str(), *u)).collect();
        let mut b = Builder::new(
            "uppfoljning_ersattningsdagar",
            "Förändring i ersättningsdagar (efter − före)",
            vec!["ar".into(), "kon".into()],
            &names,
        );
        let by_kon = self.rollup(|k| (k.ar, Some(k.kon)));
        let national = self.rollup(|k| (k.ar, None::<u8>));
        let mut totals: BTreeMap<i32, usize> = BTreeMap::new();
        let mut parts: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
        let mut missing = vec![0u64; self.groups.len()];
        for (&(ar, kon), c) in national.iter().chain(&by_kon) {
            if c.avslutade == 0 {
                continue;
            }
            let row = b.table.rows.len();
            let mut values = Vec::new();
            for (g, sums) in c.dagar.iter().enumerate() {
                let col = g * 4;
                values.push(Raw::Count(sums.n));
                let moments = Moments::from_sums(sums.n, i128::from(sums.sum), sums.sum_sq, 4.0);
                // The mean needs one value, the interval two.
                let (lo, hi) = mean_ci(moments, config.level).map_or((f64::NAN, f64::NAN), |i| (i.lo, i.hi));
                let m = moments.mean;
                values.extend([m, lo, hi].map(|v| Raw::Derived(v, vec![(row, col)])));
                if kon.is_none() {
                    missing[g] += sums.missing;
                }
            }
            let kon_label = kon.map_or("alla".to_owned(), |k| Kon::ALL[k as usize].code().to_owned());
            b.push(vec![ar.to_string(), kon_label], values);
            match kon {
                None => {
                    totals.insert(ar, row);
                }
                Some(_) => parts.entry(ar).or_default().push(row),
            }
        }
        for (ar, rows) in parts {
            if let Some(&t) = totals.get(&ar) {
                b.margins.push((rows, t));
            }
        }
        b.table.notes.push(format!(
            "Year of slutdatum. Mean of after − before over ended participations with both values, paired t-interval at {:.0} %.",
            config.level * 100.0
        ));
        b.table.notes.extend(self.population_notes());
        for (g, m) in self.groups.iter().zip(&missing) {
            if *m > 0 {
                b.table.notes.push(format!(
                    "Excluded from {}: {m} ended participations without a value before or after (after-window not closed).",
                    g.code()
                ));
            }
        }
        b.finish(&config.disclosure)
    }

    fn started_table(&self, config: &Config) -> Table {
        let by_year = self.rollup(|k| k.ar);
        let mut b = Builder::new(
            "uppfoljning_startade",
            "Startade deltaganden",
            vec!["ar".into()],
            &[("n_startade", Unit::Count), ("forandring_procent", Unit::Percent)],
        );
        let mut previous: Option<(i32, u64, usize)> = None;
        for (&ar, c) in &by_year {
            if c.startade == 0 {
                continue;
            }
            let row = b.table.rows.len();
            let change = match previous {
                Some((p, n, r)) if p == ar - 1 => {
                    Raw::Derived((c.startade as f64 / n as f64 - 1.0) * 100.0, vec![(row, 0), (r, 0)])
                }
                _ => Raw::Derived(f64::NAN, vec![(row, 0)]),
            };
            b.push(vec![ar.to_string()], vec![Raw::Count(c.startade), change]);
            previous = Some((ar, c.startade, row));
        }
        b.table.notes.push("Year of startdatum; every participation, ended or ongoing.".to_owned());
        b.table.notes.extend(self.population_notes());
        b.finish(&config.disclosure)
    }
}

/// What the flat readers fill: the follow-up state, the participations of
/// an [`Extract`](crate::engine::Extract), or a
/// [`Partial`](crate::engine::Partial) counted as the rows come. Readers
/// give every worker its own sink and merge them at the end.
pub(crate) trait FlatSink: Sized + Send {
    /// What every worker's sink is made from (nothing, or the query a sink
    /// counts for).
    type Plan: Sync;
    /// An empty sink for `groups`.
    fn empty(groups: &[Ersattningsgrupp], plan: &Self::Plan) -> Self;
    /// Makes room for `rows` more rows.
    fn reserve(&mut self, _rows: usize) {}
    /// Adds a batch of rows; `locate` names a row for errors.
    fn add_rows(&mut self, rows: &Rows, locate: &dyn Fn(usize, &str, String) -> Location) -> Result<()>;
    /// Called by each worker once its rows are added, on its own thread:
    /// work that is the worker's own to finish.
    fn seal(&mut self) {}
    /// The sinks of every worker as one.
    fn merge_all(parts: Vec<Self>, groups: &[Ersattningsgrupp], plan: &Self::Plan) -> Result<Self>;
}

impl FlatSink for FollowUpState {
    type Plan = ();

    fn empty(groups: &[Ersattningsgrupp], _: &()) -> Self {
        FollowUpState::new(groups)
    }

    fn reserve(&mut self, rows: usize) {
        FollowUpState::reserve(self, rows);
    }

    fn add_rows(&mut self, rows: &Rows, locate: &dyn Fn(usize, &str, String) -> Location) -> Result<()> {
        FollowUpState::add_rows(self, rows, locate)
    }

    fn merge_all(parts: Vec<Self>, groups: &[Ersattningsgrupp], _: &()) -> Result<Self> {
        FollowUpState::merge_all(parts, groups)
    }
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

/// Splits the protected table of ended participations into its national,
/// kön and förbund parts.
fn split_ended(table: Table) -> (Table, Table, Table) {
    let part = |id: &str, title: &str, keep: &[usize], pick: &dyn Fn(&[String]) -> bool| {
        let mut t = Table {
            names: Default::default(),
            id: id.to_owned(),
            title: title.to_owned(),
            keys: keep.iter().map(|&i| table.keys[i].clone()).collect(),
            columns: table.columns.clone(),
            rows: Vec::new(),
            notes: table.notes.clone(),
        };
        for r in table.rows.iter().filter(|r| pick(&r.key)) {
            let key = keep.iter().map(|&i| r.key[i].clone()).collect();
            t.rows.push(crate::publish::Row { key, values: r.values.clone() });
        }
        t
    };
    let alla = |s: &String| s == "alla";
    (
        part("uppfoljning_avslutade", "Avslutade deltaganden, riket", &[0], &|k| alla(&k[1]) && alla(&k[2])),
        part("uppfoljning_avslutade_kon", "Avslutade deltaganden per kön", &[0, 1], &|k| !alla(&k[1])),
        part("uppfoljning_avslutade_forbund", "Avslutade deltaganden per förbund", &[0, 2], &|k| !alla(&k[2])),
    )
}

/// The follow-up tables of a flat extract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// Ended participations per year, nationally.
    pub national: Table,
    /// Ended participations per year and kön.
    pub by_kon: Table,
    /// Ended participations per year and förbund.
    pub by_forbund: Table,
    /// Change in benefit days per year, nationally (`alla`) and per kön.
    pub benefit_days: Table,
    /// Started participations per year.
    pub started: Table,
    /// Rows read.
    pub rows: u64,
}

impl FollowUp {
    /// The tables in order.
    pub fn tables(&self) -> [&Table; 5] {
        [&self.national, &self.by_kon, &self.by_forbund, &self.benefit_days, &self.started]
    }

    /// Every table as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("## Uppföljning ({} rader)\n\n", self.rows);
        for t in self.tables() {
            out.push_str(&t.to_markdown());
            out.push('\n');
        }
        out
    }
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
    short_views: Vec<(u128, T)>,
    /// Arrow string views of codes longer than 12 bytes: (length and
    /// prefix, the whole code, the value).
    long_views: Vec<(u64, Box<[u8]>, T)>,
}

impl<T: Coded> CodeMemo<T> {
    pub(crate) fn new() -> Self {
        CodeMemo { seen: Vec::new(), short_views: Vec::new(), long_views: Vec::new() }
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

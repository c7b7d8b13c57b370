//! The mergeable state behind every indicator.
//!
//! A [`State`] holds one [`Accumulator`] per cell ([`Key`]: year and split
//! values). Every accumulator is a set of integer counts and sums (benefit
//! days in quarter days, their squares in 128 bits) plus a sorted set of
//! person ids, so merging is exact, associative and commutative: the state
//! of two chunks merged equals the state of their union, bit for bit. The
//! state serialises with serde, so partial results can travel between
//! processes or machines.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::context::Context;
use super::{Dim, Split};
use crate::engine::Participations;
use crate::engine::build::{Builder, Query};
use crate::engine::participations::PersonRange;
use crate::error::{Error, Result};
use crate::model::*;

/// A cell: the year and the value of each split dimension (`u32::MAX` where
/// unused). Values are ids (förbund, insats) or indices into a code list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    /// The calendar year.
    pub ar: i32,
    /// The split values, in the split's order.
    pub parts: [u32; Split::MAX],
}

/// Unused key part.
pub const UNUSED: u32 = u32::MAX;

/// Benefit days of one reporting group in one cell, in quarter days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaysAcc {
    /// Participations measured.
    pub n: u64,
    /// Σ days before.
    pub fore: i64,
    /// Σ days after.
    pub efter: i64,
    /// Σ (after − before)².
    pub diff_sq: i128,
}

impl DaysAcc {
    pub(crate) fn add(&mut self, fore: i64, efter: i64) {
        self.n += 1;
        self.fore += fore;
        self.efter += efter;
        let d = i128::from(efter - fore);
        self.diff_sq += d * d;
    }

    fn merge(&mut self, o: &DaysAcc) {
        self.n += o.n;
        self.fore += o.fore;
        self.efter += o.efter;
        self.diff_sq += o.diff_sq;
    }

    /// The moments of after − before, in days.
    pub fn diff_moments(&self) -> crate::stats::Moments {
        let sum = i128::from(self.efter - self.fore);
        crate::stats::Moments::from_sums(self.n, sum, self.diff_sq, 4.0)
    }
}

/// Sources of support: the twelve of [`Forsorjning::ALL`] and "not registered".
pub const SOURCES: usize = 13;

/// Everything counted in one cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accumulator {
    /// Participations started or ongoing in the year.
    pub deltaganden: u64,
    /// Participations started in the year.
    pub startade: u64,
    /// Distinct persons (sorted, without repeats once finished).
    #[serde(with = "compact::deltas")]
    pub personer: Vec<u64>,
    /// Anonymous participants.
    pub anonyma: u64,
    /// Participations ended in the year, by status after ([`Utfall::ALL`]).
    #[serde(with = "compact::sparse")]
    pub utfall: [u64; 8],
    /// Ended in the year with no status registered (excluded from shares).
    pub utan_status: u64,
    /// Ended in the year and registered by mistake (excluded from everything).
    pub felregistrering: u64,
    /// Benefit days by reporting group ([`Ersattningsgrupp::ALL`]).
    #[serde(with = "compact::sparse")]
    pub dagar: [DaysAcc; 8],
    /// Ended in the year with the after-window still open at the cut-off.
    pub oppet_efterfonster: u64,
    /// Ended participations with each source before (13: none registered).
    #[serde(with = "compact::sparse")]
    pub fore: [u64; SOURCES],
    /// Ended participations with source `i` before and `j` after.
    #[serde(with = "compact::sparse")]
    pub overgang: [[u64; SOURCES]; SOURCES],
}

impl Default for Accumulator {
    fn default() -> Self {
        Accumulator {
            deltaganden: 0,
            startade: 0,
            personer: Vec::new(),
            anonyma: 0,
            utfall: [0; 8],
            utan_status: 0,
            felregistrering: 0,
            dagar: [DaysAcc::default(); 8],
            oppet_efterfonster: 0,
            fore: [0; SOURCES],
            overgang: [[0; SOURCES]; SOURCES],
        }
    }
}

impl Accumulator {
    /// Distinct persons plus anonymous participants.
    pub fn deltagare(&self) -> u64 {
        self.personer.len() as u64 + self.anonyma
    }

    /// Ended participations with a status (the denominator of outcome shares).
    pub fn med_status(&self) -> u64 {
        self.utfall.iter().sum()
    }

    /// Adds `other` (person sets are united).
    pub fn merge(&mut self, other: &Accumulator) {
        self.deltaganden += other.deltaganden;
        self.startade += other.startade;
        self.personer = union_sorted(&self.personer, &other.personer);
        self.anonyma += other.anonyma;
        for (a, b) in self.utfall.iter_mut().zip(&other.utfall) {
            *a += b;
        }
        self.utan_status += other.utan_status;
        self.felregistrering += other.felregistrering;
        for (a, b) in self.dagar.iter_mut().zip(&other.dagar) {
            a.merge(b);
        }
        self.oppet_efterfonster += other.oppet_efterfonster;
        for (a, b) in self.fore.iter_mut().zip(&other.fore) {
            *a += b;
        }
        for (ra, rb) in self.overgang.iter_mut().zip(&other.overgang) {
            for (a, b) in ra.iter_mut().zip(rb) {
                *a += b;
            }
        }
    }

    fn finish(&mut self) {
        crate::engine::radix::sort_dedup(&mut self.personer);
    }

    /// The merge of many accumulators at once: counts are summed; the person
    /// sets of a few parts are merged as the sorted lists they are, those of
    /// many are concatenated and sorted once (merging them pairwise would copy
    /// the growing union again for every part).
    /// Without the person sets unless `persons`.
    fn merge_all(parts: &[&Accumulator], persons: bool) -> Accumulator {
        const MERGE_UP_TO: usize = 4;
        let mut out = Accumulator::default();
        for p in parts {
            out.merge(&p.clone_without_persons());
        }
        if !persons {
            return out;
        }
        if parts.len() <= MERGE_UP_TO {
            out.personer = parts.iter().fold(Vec::new(), |union, p| union_sorted(&union, &p.personer));
            return out;
        }
        let mut persons = Vec::with_capacity(parts.iter().map(|p| p.personer.len()).sum());
        for p in parts {
            persons.extend_from_slice(&p.personer);
        }
        crate::engine::radix::sort_dedup(&mut persons);
        out.personer = persons;
        out
    }

    /// Adds `other`'s counts and appends its persons, unsorted (for
    /// [`finish`](Self::finish) to sort once).
    pub(crate) fn absorb(&mut self, mut other: Accumulator) {
        let mut persons = std::mem::take(&mut self.personer);
        persons.append(&mut other.personer);
        self.merge(&other);
        self.personer = persons;
    }

    fn clone_without_persons(&self) -> Accumulator {
        Accumulator {
            deltaganden: self.deltaganden,
            startade: self.startade,
            personer: Vec::new(),
            anonyma: self.anonyma,
            utfall: self.utfall,
            utan_status: self.utan_status,
            felregistrering: self.felregistrering,
            dagar: self.dagar,
            oppet_efterfonster: self.oppet_efterfonster,
            fore: self.fore,
            overgang: self.overgang,
        }
    }
}

/// The binary forms of an accumulator's fields (JSON keeps them as they are,
/// for people to read): most of a cell's arrays are zeros, and its persons
/// are sorted ids whose differences are small, so a binary state sends the
/// non-zero entries with their indices and the persons as differences, each
/// a variable-length integer.
mod compact {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Arrays as `(index, value)` pairs of their non-default entries.
    pub(super) mod sparse {
        use super::*;

        pub(crate) fn serialize<S, T, const N: usize>(values: &[T; N], s: S) -> Result<S::Ok, S::Error>
        where
            S: Serializer,
            T: Serialize + Default + PartialEq,
            [T; N]: Serialize,
        {
            if s.is_human_readable() {
                return values.serialize(s);
            }
            let zero = T::default();
            let entries: Vec<(u8, &T)> =
                values.iter().enumerate().filter(|(_, v)| **v != zero).map(|(i, v)| (i as u8, v)).collect();
            entries.serialize(s)
        }

        pub(crate) fn deserialize<'de, D, T, const N: usize>(d: D) -> Result<[T; N], D::Error>
        where
            D: Deserializer<'de>,
            T: Deserialize<'de> + Default + Copy,
            [T; N]: Deserialize<'de>,
        {
            if d.is_human_readable() {
                return <[T; N]>::deserialize(d);
            }
            let mut out = [T::default(); N];
            let mut next = 0;
            for (i, v) in Vec::<(u8, T)>::deserialize(d)? {
                let i = usize::from(i);
                if i < next || i >= N {
                    return Err(D::Error::custom(format!("array index {i} repeated, out of order or past {N}")));
                }
                out[i] = v;
                next = i + 1;
            }
            Ok(out)
        }
    }

    /// Sorted ids as the first and the differences that follow (wrapping,
    /// so that any list comes back as it was).
    pub(super) mod deltas {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(ids: &[u64], s: S) -> Result<S::Ok, S::Error> {
            if s.is_human_readable() {
                return ids.serialize(s);
            }
            s.collect_seq(
                std::iter::once(0).chain(ids.iter().copied()).zip(ids).map(|(prev, &id)| id.wrapping_sub(prev)),
            )
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
            let binary = !d.is_human_readable();
            let mut ids = Vec::<u64>::deserialize(d)?;
            if binary {
                let mut prev = 0u64;
                for id in &mut ids {
                    prev = prev.wrapping_add(*id);
                    *id = prev;
                }
            }
            Ok(ids)
        }
    }
}

fn union_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The mergeable state of every indicator for one split.
///
/// ```
/// use finsam_core::indicators::{Config, Context, Split, State};
/// let data = finsam_core::synthetic::generate(&finsam_core::synthetic::SyntheticConfig { scale: 0.05, ..Default::default() })?;
/// let config = Config::default();
/// let ctx = Context::new(&data, &config, 2019..=2020)?;
/// let split = Split::parse(&["kon"])?;
/// let (a, b) = data.deltaganden.split_at(data.deltaganden.len() / 2);
/// let mut left = State::compute(&split, &ctx, a, &[]);
/// left.merge(State::compute(&split, &ctx, b, &[]))?;
/// assert_eq!(left, State::compute(&split, &ctx, &data.deltaganden, &[]));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// A deserialised state is checked before use (a valid split, cell keys that
/// fit it, persons sorted without repeats and no more than the cell's
/// participations), so an edited one is an error, never a wrong union.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StateData")]
pub struct State {
    split: Split,
    #[serde(with = "cells_as_pairs")]
    cells: BTreeMap<Key, Accumulator>,
    /// Participations whose insats is not in the context (counted, not used;
    /// validated data have none).
    unknown_insats: u64,
    /// The earliest year in which a participation seen started (whether or
    /// not it fell in the computed years): where the data begin.
    #[serde(default)]
    first_start: Option<i32>,
}

/// A [`State`] as serialised, before it is checked.
#[derive(Deserialize)]
struct StateData {
    split: Split,
    #[serde(with = "cells_as_pairs")]
    cells: BTreeMap<Key, Accumulator>,
    unknown_insats: u64,
    #[serde(default)]
    first_start: Option<i32>,
}

impl TryFrom<StateData> for State {
    type Error = String;

    fn try_from(d: StateData) -> std::result::Result<State, String> {
        let invalid = |what: String| Err(format!("not a finsam state: {what}"));
        if let Err(e) = Split::new(d.split.dims()) {
            return invalid(e.to_string());
        }
        for (key, acc) in &d.cells {
            if !key_fits(key, &d.split) {
                return invalid(format!("cell key {:?} does not fit the split", key.parts));
            }
            if !acc.personer.windows(2).all(|w| w[0] < w[1]) {
                return invalid(format!("the persons of the cell of {} are unsorted or repeated", key.ar));
            }
            if acc.startade > acc.deltaganden || acc.personer.len() as u64 > acc.deltaganden {
                return invalid(format!("the cell of {} has more started or persons than participations", key.ar));
            }
        }
        let StateData { split, cells, unknown_insats, first_start } = d;
        Ok(State { split, cells, unknown_insats, first_start })
    }
}

/// Whether `key`'s parts are values of `split`'s dimensions (and unused
/// beyond them).
fn key_fits(key: &Key, split: &Split) -> bool {
    key.parts.iter().enumerate().all(|(i, &part)| match split.dims().get(i) {
        None => part == UNUSED,
        Some(Dim::Kon) => (part as usize) < Kon::ALL.len(),
        Some(Dim::Behovsgrupp) => (part as usize) <= Behovsgrupp::ALL.len(),
        Some(Dim::Remittent) => (part as usize) <= Part::ALL.len(),
        Some(Dim::ForsorjningFore) => (part as usize) <= Forsorjning::ALL.len(),
        // Ids are any u32 (a reader accepts förbund id u32::MAX too).
        Some(Dim::Forbund | Dim::Insats | Dim::Aldersgrupp) => true,
    })
}

mod cells_as_pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::{Accumulator, Key};

    pub(super) fn serialize<S: Serializer>(cells: &BTreeMap<Key, Accumulator>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(cells.iter())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<Key, Accumulator>, D::Error> {
        Ok(Vec::<(Key, Accumulator)>::deserialize(d)?.into_iter().collect())
    }
}

impl State {
    /// An empty state for `split`.
    pub fn new(split: Split) -> State {
        State { split, cells: BTreeMap::new(), unknown_insats: 0, first_start: None }
    }

    /// The state of `deltaganden` and `anonyma` under `ctx`, finished.
    pub fn compute(
        split: &Split,
        ctx: &Context<'_>,
        deltaganden: &[Deltagande],
        anonyma: &[AnonymaDeltagare],
    ) -> State {
        State::compute_with(split, ctx, deltaganden, anonyma, true)
    }

    /// [`compute`](Self::compute), collecting the persons of each cell only
    /// if `persons` (a state without them is for tables that count none).
    pub(crate) fn compute_with(
        split: &Split,
        ctx: &Context<'_>,
        deltaganden: &[Deltagande],
        anonyma: &[AnonymaDeltagare],
        persons: bool,
    ) -> State {
        State::compute_of(split, ctx, deltaganden, anonyma, persons, &PersonRange::ALL)
    }

    /// [`compute_with`](Self::compute_with) of the rows of the persons in `range`.
    fn compute_of(
        split: &Split,
        ctx: &Context<'_>,
        deltaganden: &[Deltagande],
        anonyma: &[AnonymaDeltagare],
        persons: bool,
        range: &PersonRange,
    ) -> State {
        let batch = Participations::from_rows_of(ctx, deltaganden, range);
        let years = ctx.years.clone();
        let query = Query { split, years, cutoff: ctx.uttagsdatum, bands: &ctx.config.age_bands, persons };
        let mut builder = Builder::new(&query);
        builder.add(&batch);
        builder.add_anonyma(anonyma, |id| ctx.insatser.get(&id).map(|i| i.forbund));
        builder.finish()
    }

    /// A finished state of `cells` (their person sets sorted here).
    pub(crate) fn from_cells(
        split: Split,
        cells: impl IntoIterator<Item = (Key, Accumulator)>,
        unknown_insats: u64,
        first_start: Option<i32>,
    ) -> State {
        let mut cells: BTreeMap<Key, Accumulator> = cells.into_iter().collect();
        cells.values_mut().for_each(Accumulator::finish);
        State { split, cells, unknown_insats, first_start }
    }

    /// [`compute`](Self::compute) on up to `threads` threads (at least one)
    /// in parallel, merged.
    /// Each thread takes the rows of its own range of persons, so the
    /// threads' person sets are disjoint and ordered, and merging them is
    /// appending one after the other instead of merging sorted lists.
    pub fn compute_parallel(
        split: &Split,
        ctx: &Context<'_>,
        deltaganden: &[Deltagande],
        anonyma: &[AnonymaDeltagare],
        threads: usize,
    ) -> State {
        State::compute_parallel_with(split, ctx, deltaganden, anonyma, threads, true)
    }

    /// [`compute_parallel`](Self::compute_parallel) with or without persons
    /// (see [`compute_with`](Self::compute_with)).
    pub(crate) fn compute_parallel_with(
        split: &Split,
        ctx: &Context<'_>,
        deltaganden: &[Deltagande],
        anonyma: &[AnonymaDeltagare],
        threads: usize,
        persons: bool,
    ) -> State {
        let ranges = PersonRange::cut(deltaganden.iter().map(|d| d.person.0), threads);
        let states = crate::exec::map_chunks(&ranges, ranges.len(), |i, range| {
            let anonyma = if i == 0 { anonyma } else { &[] };
            State::compute_of(split, ctx, deltaganden, anonyma, persons, &range[0])
        });
        let mut total = State::new(split.clone());
        for s in states {
            total.append_later_persons(s);
        }
        total
    }

    /// Adds the cells of `other`, whose persons all come after this state's
    /// (the next range of persons): person sets are appended, not merged.
    fn append_later_persons(&mut self, other: State) {
        self.add_cells(other, |mine, theirs| {
            debug_assert!(mine.personer.last() < theirs.personer.first() || theirs.personer.is_empty());
            mine.absorb(theirs);
        });
    }

    /// Adds the counts of `other`, its cells to this state's by `add`.
    fn add_cells(&mut self, other: State, add: impl Fn(&mut Accumulator, Accumulator)) {
        self.unknown_insats += other.unknown_insats;
        self.first_start = self.first_start.into_iter().chain(other.first_start).min();
        for (k, v) in other.cells {
            match self.cells.get_mut(&k) {
                Some(mine) => add(mine, v),
                None => {
                    self.cells.insert(k, v);
                }
            }
        }
    }

    /// The split.
    pub fn split(&self) -> &Split {
        &self.split
    }

    /// The cells, in key order.
    pub fn cells(&self) -> &BTreeMap<Key, Accumulator> {
        &self.cells
    }

    /// The cells, in key order, moved out (their person sets not copied).
    pub(crate) fn into_cells(self) -> BTreeMap<Key, Accumulator> {
        self.cells
    }

    /// Adds the cells of `other`.
    ///
    /// # Errors
    /// `invalid_argument` if the states have different splits.
    pub fn merge(&mut self, other: State) -> Result<()> {
        if self.split != other.split {
            return Err(Error::InvalidArgument {
                name: "other",
                message: "cannot merge states of different splits".into(),
            });
        }
        self.merge_unchecked(other);
        Ok(())
    }

    /// Keeps the cells whose key passes `keep`.
    pub(crate) fn retain(&mut self, keep: impl Fn(&Key) -> bool) {
        self.cells.retain(|k, _| keep(k));
    }

    /// A copy of the cells whose key passes `keep`, with their person sets
    /// only if `persons` (the tables that count none need not copy them).
    pub(crate) fn select(&self, keep: impl Fn(&Key) -> bool, persons: bool) -> State {
        let copy = |acc: &Accumulator| if persons { acc.clone() } else { acc.clone_without_persons() };
        let cells = self.cells.iter().filter(|(k, _)| keep(k)).map(|(k, v)| (*k, copy(v))).collect();
        State { split: self.split.clone(), cells, unknown_insats: self.unknown_insats, first_start: self.first_start }
    }

    /// This state with only the cells of `year`.
    pub fn retain_year(mut self, year: i32) -> State {
        self.cells.retain(|k, _| k.ar == year);
        self
    }

    /// The cells of `year` without their person sets (for tables that do not
    /// count persons), copied.
    pub fn year_without_persons(&self, year: i32) -> State {
        let cells =
            self.cells.iter().filter(|(k, _)| k.ar == year).map(|(k, v)| (*k, v.clone_without_persons())).collect();
        State { split: self.split.clone(), cells, unknown_insats: self.unknown_insats, first_start: self.first_start }
    }

    /// Keeps the cells of the years `keep` accepts.
    pub(crate) fn retain_years(&mut self, keep: impl Fn(i32) -> bool) {
        self.cells.retain(|k, _| keep(k.ar));
    }

    /// Participations left out because their insats is unknown.
    pub fn unknown_insats(&self) -> u64 {
        self.unknown_insats
    }

    /// The earliest year in which a participation seen started.
    pub fn first_start(&self) -> Option<i32> {
        self.first_start
    }

    pub(crate) fn merge_unchecked(&mut self, other: State) {
        self.add_cells(other, |mine, theirs| mine.merge(&theirs));
    }

    /// The state of a coarser split: `to` keeps some of this split's
    /// dimensions, in the same order; cells that differ only in the dropped
    /// dimensions are merged.
    ///
    /// # Errors
    /// `invalid_argument` if `to` is not a sub-split, or drops a multi-valued
    /// dimension (whose cells overlap, so their sum would count twice).
    pub fn rollup(&self, to: &Split) -> Result<State> {
        self.rollup_selected(to, |_| true, true)
    }

    /// [`rollup`](Self::rollup) of the cells `keep` accepts, with the person
    /// sets only if `persons` (nothing is copied that the result drops).
    pub(crate) fn rollup_selected(&self, to: &Split, keep: impl Fn(&Key) -> bool, persons: bool) -> Result<State> {
        let mut positions = Vec::with_capacity(to.dims().len());
        let mut last = None;
        for d in to.dims() {
            let p = self.split.dims().iter().position(|x| x == d);
            match p {
                Some(p) if last.is_none_or(|l| p > l) => {
                    positions.push(p);
                    last = Some(p);
                }
                _ => {
                    return Err(Error::InvalidArgument {
                        name: "to",
                        message: "not a sub-split in the same order".into(),
                    });
                }
            }
        }
        if let Some(d) = self.split.dims().iter().find(|d| d.is_multi_valued() && !to.dims().contains(d)) {
            return Err(Error::InvalidArgument { name: "to", message: format!("cannot roll up over {}", d.code()) });
        }
        let mut groups: BTreeMap<Key, Vec<&Accumulator>> = BTreeMap::new();
        for (k, v) in self.cells.iter().filter(|(k, _)| keep(k)) {
            let mut parts = [UNUSED; Split::MAX];
            for (i, &p) in positions.iter().enumerate() {
                parts[i] = k.parts[p];
            }
            groups.entry(Key { ar: k.ar, parts }).or_default().push(v);
        }
        // The groups are independent: two threads each merge a share of them,
        // balanced by the persons they hold (the bulk of the work).
        let groups: Vec<(Key, Vec<&Accumulator>)> = groups.into_iter().collect();
        let weight = |g: &(Key, Vec<&Accumulator>)| g.1.iter().map(|a| a.personer.len() + 1).sum::<usize>();
        let shares = crate::exec::balanced(&groups, crate::exec::threads_for(&groups, 2, weight), weight);
        let merged = crate::exec::map_chunks(&shares, shares.len(), |_, share| {
            share[0].iter().map(|&(k, ref parts)| (k, Accumulator::merge_all(parts, persons))).collect::<Vec<_>>()
        });
        let cells = merged.into_iter().flatten().collect();
        Ok(State { split: to.clone(), cells, unknown_insats: self.unknown_insats, first_start: self.first_start })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        let mut acc = Accumulator { deltaganden: 3, startade: 2, personer: vec![4, 9], ..Accumulator::default() };
        acc.utfall[0] = 1;
        let key = Key { ar: 2021, parts: [1, UNUSED, UNUSED, UNUSED] };
        State::from_cells(Split::new(&[Dim::Kon]).expect("split"), [(key, acc)], 0, Some(2020))
    }

    #[test]
    fn a_state_round_trips_and_an_edited_one_is_refused() {
        let json = serde_json::to_string(&state()).expect("json");
        assert_eq!(serde_json::from_str::<State>(&json).expect("read back"), state());
        for (from, to) in [
            ("\"personer\":[4,9]", "\"personer\":[9,4]"),
            ("\"personer\":[4,9]", "\"personer\":[4,4]"),
            ("\"deltaganden\":3", "\"deltaganden\":1"),
            ("\"parts\":[1,", "\"parts\":[7,"),
            ("[\"kon\"]", "[\"kon\",\"kon\"]"),
            ("4294967295]", "5]"),
        ] {
            assert!(json.contains(from), "{from} not in {json}");
            let edited = json.replacen(from, to, 1);
            let err = serde_json::from_str::<State>(&edited).expect_err(&edited);
            assert!(err.to_string().contains("not a finsam state"), "{err}");
        }
    }
}

//! The one state builder: [`Participations`] in, a [`State`] out, for any
//! split. Grouping (the cell keys of a row), population (the rows counted in
//! a year) and measures (the accumulator of a cell) are kept apart so that
//! every source of participations is counted by the same code.

use std::ops::RangeInclusive;

use rustc_hash::FxHashMap;

use super::Participations;
use crate::Date;
use crate::indicators::state::{Accumulator, Key, SOURCES, UNUSED};
use crate::indicators::{AgeBands, Dim, Split, State};
use crate::model::{AnonymaDeltagare, Behovsgrupp, ForbundId, Forsorjning, ForsorjningSet, InsatsId, Part};

/// What a state is computed for: the split, the years and the cut-off date
/// (ongoing participations count up to its year).
pub(crate) struct Query<'q> {
    pub(crate) split: &'q Split,
    pub(crate) years: RangeInclusive<i32>,
    pub(crate) cutoff: Date,
    pub(crate) bands: &'q AgeBands,
    /// Whether to collect the persons of each cell (only the tables that
    /// count distinct persons need them; the rest skip the work).
    pub(crate) persons: bool,
}

// A group's split values are packed into one `u128` key.
const _: () = assert!(Split::MAX <= 4);

/// No cell yet.
const NO_CELL: u32 = u32::MAX;

/// The persons a builder streams before it deals them out to their cells
/// (48 MB of stream).
const DEAL_EVERY: usize = 1 << 22;

/// The cells of one group (one combination of split values), by year:
/// `cells[year - base]` is the cell's index in the builder, or [`NO_CELL`].
#[derive(Default)]
struct GroupYears {
    base: i32,
    cells: Vec<u32>,
}

/// Builds a state batch by batch. A row's split values are mapped to a dense
/// group id once (one hash lookup per row, not one per row and year), and a
/// group's cells are found by year offset.
pub(crate) struct Builder<'q> {
    query: &'q Query<'q>,
    /// The group id of each combination of split values (packed into one
    /// word: one short hash, not one per value), and its values.
    groups: FxHashMap<u128, u32>,
    group_parts: Vec<[u32; Split::MAX]>,
    by_group: Vec<GroupYears>,
    /// The cells, and their keys, in order of creation.
    cells: Vec<Accumulator>,
    cell_keys: Vec<Key>,
    /// What every covered year adds to a cell, apart from the rest of its
    /// accumulator (which only ended rows touch): participations and
    /// starts. Small and dense, they stay in cache.
    active: Vec<[u64; 2]>,
    /// The persons of every cell, in the order counted: one stream of ids
    /// and one of their cells, dealt out to the cells every
    /// [`DEAL_EVERY`] persons ([`Builder::deal`]) and at the end
    /// ([`Builder::seal`]).
    persons: Vec<u64>,
    person_cells: Vec<u32>,
    /// The persons dealt out so far, per cell ([`Builder::deal`]).
    dealt: Vec<Vec<u64>>,
    /// How many streamed persons make a deal ([`DEAL_EVERY`]; fewer in tests).
    deal_every: usize,
    /// Likewise what most ended rows add: see [`EndedCounts`].
    ended: Vec<EndedCounts>,
    unknown_insats: u64,
    first_start: Option<i32>,
    /// Per dimension of the split, the row's values (several for a
    /// multi-valued dimension), and every combination of them.
    values: Vec<Vec<u32>>,
    keys: Vec<[u32; Split::MAX]>,
    /// The group id of each of `keys`.
    key_groups: Vec<u32>,
    before: Vec<usize>,
    after: Vec<usize>,
}

impl<'q> Builder<'q> {
    pub(crate) fn new(query: &'q Query<'q>) -> Self {
        Builder {
            query,
            groups: FxHashMap::default(),
            group_parts: Vec::new(),
            by_group: Vec::new(),
            cells: Vec::new(),
            cell_keys: Vec::new(),
            active: Vec::new(),
            persons: Vec::new(),
            person_cells: Vec::new(),
            dealt: Vec::new(),
            deal_every: DEAL_EVERY,
            ended: Vec::new(),
            unknown_insats: 0,
            first_start: None,
            values: vec![Vec::new(); query.split.dims().len()],
            keys: Vec::new(),
            key_groups: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Counts the participations of `p`.
    pub(crate) fn add(&mut self, p: &Participations) {
        self.unknown_insats += p.unknown_insats();
        self.first_start = self.first_start.into_iter().chain(p.first_start).min();
        let (first, last) = (*self.query.years.start(), *self.query.years.end());
        for i in 0..p.len() {
            let start_year = p.start[i].year();
            let end_year = p.slut[i].unwrap_or(self.query.cutoff).year().min(last);
            let ended_in = p.slut[i].map(|s| s.year()).filter(|y| (first..=last).contains(y));
            if start_year.max(first) > end_year && ended_in.is_none() {
                continue;
            }
            self.keys_of(p, i);
            if p.is_felregistrering(i) {
                if let Some(y) = ended_in {
                    for k in 0..self.keys.len() {
                        self.cell(y, k).felregistrering += 1;
                    }
                }
                continue;
            }
            let persons = self.query.persons;
            for year in start_year.max(first)..=end_year {
                for k in 0..self.keys.len() {
                    let at = self.cell_of(self.key_groups[k], year);
                    self.active[at][0] += 1;
                    self.active[at][1] += u64::from(year == start_year);
                    if persons {
                        self.persons.push(p.person[i]);
                        self.person_cells.push(at as u32);
                    }
                }
            }
            if let Some(year) = ended_in {
                self.ended(p, i, year);
            }
        }
        // Dealt out now and then, the streams stay short: a cell's list
        // then grows in a few large steps, and the streams and the lists
        // are never both whole in memory.
        if self.persons.len() >= self.deal_every {
            self.deal();
        }
    }

    /// Fills `self.keys` with every combination of row `i`'s split values.
    fn keys_of(&mut self, p: &Participations, i: usize) {
        for (v, &dim) in self.query.split.dims().iter().enumerate() {
            values_of(dim, p, i, self.query.bands, &mut self.values[v]);
        }
        self.keys.clear();
        self.keys.push([UNUSED; Split::MAX]);
        for (v, vals) in self.values.iter().enumerate() {
            if let [only] = vals[..] {
                self.keys.iter_mut().for_each(|k| k[v] = only);
            } else {
                let base = std::mem::take(&mut self.keys);
                for k in base {
                    for &value in vals {
                        let mut k = k;
                        k[v] = value;
                        self.keys.push(k);
                    }
                }
            }
        }
        self.key_groups.clear();
        for k in 0..self.keys.len() {
            let group = self.group(self.keys[k]);
            self.key_groups.push(group);
        }
    }

    /// The dense id of the group with split values `parts`.
    fn group(&mut self, parts: [u32; Split::MAX]) -> u32 {
        let next = self.group_parts.len() as u32;
        let packed = parts.iter().fold(0u128, |word, &p| word << 32 | u128::from(p));
        let id = *self.groups.entry(packed).or_insert(next);
        if id == next {
            self.group_parts.push(parts);
            self.by_group.push(GroupYears::default());
        }
        id
    }

    /// Counts an ended participation in its cells of `year`: the status, the
    /// benefit days (or an open after-window) and försörjning before → after.
    fn ended(&mut self, p: &Participations, i: usize, year: i32) {
        let (fore, efter) = p.forsorjning(i);
        let unregistered = fore.is_empty() && efter.is_empty();
        source_indices(fore, &mut self.before);
        source_indices(efter, &mut self.after);
        let (before, after) = (std::mem::take(&mut self.before), std::mem::take(&mut self.after));
        for k in 0..self.keys.len() {
            let at = self.cell_of(self.key_groups[k], year);
            let counts = &mut self.ended[at];
            counts.status[p.utfall[i].map_or(EndedCounts::NO_STATUS, |u| u as usize)] += 1;
            counts.unregistered += u64::from(unregistered);
            counts.open += u64::from(p.open[i]);
            let cell = &mut self.cells[at];
            if !p.open[i] {
                for (group, days) in p.groups.iter().zip(p.window_days(i)) {
                    if let (Some(fore), Some(efter)) = (days.fore(), days.efter()) {
                        cell.dagar[*group as usize].add(fore, efter);
                    }
                }
            }
            if unregistered {
                continue;
            }
            for &b in &before {
                cell.fore[b] += 1;
                for &a in &after {
                    cell.overgang[b][a] += 1;
                }
            }
        }
        (self.before, self.after) = (before, after);
    }

    /// The cell of `year` for the row's `key`-th combination of values.
    fn cell(&mut self, year: i32, key: usize) -> &mut Accumulator {
        let at = self.cell_of(self.key_groups[key], year);
        &mut self.cells[at]
    }

    /// The index of `group`'s cell of `year`, made if new.
    fn cell_of(&mut self, group: u32, year: i32) -> usize {
        let years = &mut self.by_group[group as usize];
        if years.cells.is_empty() {
            years.base = year;
        } else if year < years.base {
            let before = (i64::from(years.base) - i64::from(year)) as usize;
            years.cells.splice(0..0, std::iter::repeat_n(NO_CELL, before));
            years.base = year;
        }
        let offset = (i64::from(year) - i64::from(years.base)) as usize;
        if offset >= years.cells.len() {
            years.cells.resize(offset + 1, NO_CELL);
        }
        if years.cells[offset] == NO_CELL {
            years.cells[offset] = self.cells.len() as u32;
            self.cells.push(Accumulator::default());
            self.active.push([0; 2]);
            self.ended.push(EndedCounts::default());
            self.cell_keys.push(Key { ar: year, parts: self.group_parts[group as usize] });
        }
        years.cells[offset] as usize
    }

    /// Counts anonymous participants (known by insats, year and kön);
    /// `forbund_of` gives an insats's förbund, `None` if it is unknown.
    pub(crate) fn add_anonyma(
        &mut self,
        rows: &[AnonymaDeltagare],
        forbund_of: impl Fn(InsatsId) -> Option<ForbundId>,
    ) {
        if !self.query.split.knows_anonymous() {
            return;
        }
        for a in rows {
            if !self.query.years.contains(&a.ar) {
                continue;
            }
            let Some(forbund) = forbund_of(a.insats) else { continue };
            let mut parts = [UNUSED; Split::MAX];
            for (v, dim) in self.query.split.dims().iter().enumerate() {
                parts[v] = match dim {
                    Dim::Forbund => forbund.0,
                    Dim::Insats => a.insats.0,
                    _ => a.kon as u32,
                };
            }
            let group = self.group(parts);
            let at = self.cell_of(group, a.ar);
            self.cells[at].anonyma += u64::from(a.antal);
        }
    }

    pub(crate) fn finish(self) -> State {
        let (split, unknown_insats, first_start) = (self.query.split.clone(), self.unknown_insats, self.first_start);
        State::from_cells(split, self.into_cells(), unknown_insats, first_start)
    }

    /// The state of several builders of one query (workers' shares of the
    /// rows): their cells are joined unsorted and each person set is sorted
    /// once (on `threads` threads), not once per worker and again to merge.
    pub(crate) fn finish_all(query: &Query<'_>, builders: Vec<Builder<'q>>, threads: usize) -> State {
        let mut unknown_insats = 0;
        let mut first_start: Option<i32> = None;
        let mut cells: FxHashMap<Key, Accumulator> = FxHashMap::default();
        for b in builders {
            unknown_insats += b.unknown_insats;
            first_start = first_start.into_iter().chain(b.first_start).min();
            for (key, acc) in b.into_cells() {
                match cells.get_mut(&key) {
                    Some(mine) => mine.absorb(acc),
                    None => {
                        cells.insert(key, acc);
                    }
                }
            }
        }
        let mut cells: Vec<(Key, Accumulator)> = cells.into_iter().collect();
        let sort = |(_, acc): &mut (Key, Accumulator)| crate::engine::radix::sort_dedup(&mut acc.personer);
        crate::exec::for_each_balanced(&mut cells, threads, |(_, acc)| acc.personer.len(), sort);
        State::from_cells(query.split.clone(), cells, unknown_insats, first_start)
    }

    /// Deals the persons counted so far and frees the streams. A worker
    /// calls it when its share of the rows is counted, so that the dealing
    /// runs on every worker's thread rather than on the one that joins
    /// them, and the streams are not held while the workers are joined;
    /// finishing a builder calls it too.
    pub(crate) fn seal(&mut self) {
        self.deal();
        (self.persons, self.person_cells) = (Vec::new(), Vec::new());
    }

    /// Deals the persons counted so far out to their cells' lists: each
    /// list makes room for its new persons at most once per deal (exactly
    /// on the first, by doubling after, so that many deals do not copy the
    /// lists again each time), and the persons are copied straight into
    /// it. Pushing onto one list per cell as the rows come costs more
    /// (thousands of lists growing in turn, each growth a copy into fresh
    /// memory); so does dealing into fresh lists and appending them. The
    /// streams keep their capacity for the next rows.
    fn deal(&mut self) {
        self.dealt.resize_with(self.cells.len(), Vec::new);
        let mut sizes = vec![0usize; self.cells.len()];
        self.person_cells.iter().for_each(|&c| sizes[c as usize] += 1);
        for (list, more) in self.dealt.iter_mut().zip(sizes) {
            list.reserve(more);
        }
        for (&person, &cell) in self.persons.iter().zip(&self.person_cells) {
            self.dealt[cell as usize].push(person);
        }
        self.persons.clear();
        self.person_cells.clear();
    }

    /// The cells with every count in place, persons unsorted.
    fn into_cells(mut self) -> impl Iterator<Item = (Key, Accumulator)> {
        self.seal();
        let accumulators = self.cells.into_iter().zip(self.active).zip(self.dealt).zip(self.ended);
        self.cell_keys.into_iter().zip(accumulators.map(|(((mut acc, [deltaganden, startade]), persons), ended)| {
            (acc.deltaganden, acc.startade, acc.personer) = (deltaganden, startade, persons);
            ended.add_to(&mut acc);
            acc
        }))
    }
}

/// The counts that almost every ended row adds to its cell, kept apart from
/// the cell's large accumulator (whose status, transition and benefit-day
/// arrays span some 1.6 kB): small and dense, they stay in cache.
#[derive(Clone, Copy, Default)]
struct EndedCounts {
    /// By status (as [`Accumulator::utfall`]), then none registered.
    status: [u64; STATUSES + 1],
    /// Ended with the after-window open.
    open: u64,
    /// Ended with no source of support registered before or after: the
    /// transition from "none" to "none".
    unregistered: u64,
}

/// The statuses an accumulator counts.
const STATUSES: usize = 8;
const _: () = assert!(crate::model::Utfall::ALL.len() <= STATUSES);

impl EndedCounts {
    const NO_STATUS: usize = STATUSES;

    fn add_to(&self, acc: &mut Accumulator) {
        for (total, n) in acc.utfall.iter_mut().zip(&self.status) {
            *total += n;
        }
        acc.utan_status += self.status[Self::NO_STATUS];
        acc.oppet_efterfonster += self.open;
        acc.fore[SOURCES - 1] += self.unregistered;
        acc.overgang[SOURCES - 1][SOURCES - 1] += self.unregistered;
    }
}

/// The values row `i` takes along one dimension (several for multi-valued
/// dimensions).
fn values_of(dim: Dim, p: &Participations, i: usize, bands: &AgeBands, out: &mut Vec<u32>) {
    out.clear();
    match dim {
        Dim::Forbund => out.push(p.forbund[i]),
        Dim::Insats => out.push(p.insats(i)),
        Dim::Kon => out.push(p.kon[i] as u32),
        Dim::Aldersgrupp => {
            out.push(bands.band_of(p.fodelsear(i).map(|y| p.start[i].year() - i32::from(y))));
        }
        Dim::Remittent => out.push(p.remittent(i).map_or(Part::ALL.len() as u32, |r| r as u32)),
        Dim::Behovsgrupp => {
            out.extend(p.behov(i).iter().map(|b| b as u32));
            if out.is_empty() {
                out.push(Behovsgrupp::ALL.len() as u32);
            }
        }
        Dim::ForsorjningFore => {
            out.extend(p.forsorjning(i).0.iter().map(|f| f as u32));
            if out.is_empty() {
                out.push(Forsorjning::ALL.len() as u32);
            }
        }
    }
}

/// The accumulator indices of a set of sources (the last: none registered).
fn source_indices(set: ForsorjningSet, out: &mut Vec<usize>) {
    out.clear();
    out.extend(set.iter().map(|f| f as usize));
    if out.is_empty() {
        out.push(SOURCES - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Extract;
    use crate::indicators::Config;

    fn batches(csv: &str) -> Vec<Participations> {
        let head = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n";
        let extract = Extract::from_csv_reader(format!("{head}{csv}").as_bytes(), "t.csv", &Default::default());
        extract.expect("extract").batches().to_vec()
    }

    #[test]
    fn persons_dealt_out_in_several_steps_are_those_dealt_out_once() {
        let first = batches("5;7;K;2020-02-01;2021-10-31;arbete\n3;7;M;2021-03-15;;\n");
        // New cells (another förbund) after the first deal, a person again,
        // and a person added to a cell whose list holds persons already.
        let second = batches(
            "5;8;K;2019-05-01;2020-01-20;studier\n3;7;M;2020-01-15;2020-03-01;annat\n9;7;K;2020-06-01;2020-08-01;arbete\n",
        );
        let (split, config) = (Split::parse(&["forbund", "kon"]).expect("split"), Config::default());
        let cutoff = Date::from_ymd(2021, 12, 31).expect("date");
        let query = Query { split: &split, years: 2019..=2021, cutoff, bands: &config.age_bands, persons: true };
        let (mut once, mut in_steps) = (Builder::new(&query), Builder::new(&query));
        for b in first.iter().chain(&second) {
            once.add(b);
        }
        // Dealt after every batch, sealed twice in between.
        in_steps.deal_every = 1;
        first.iter().for_each(|b| in_steps.add(b));
        in_steps.seal();
        in_steps.seal();
        second.iter().for_each(|b| in_steps.add(b));
        // The lists as dealt, not yet deduplicated: a person dealt twice
        // would show here and vanish in the finished state.
        let dealt = |b: &mut Builder<'_>| -> std::collections::BTreeMap<Key, Vec<u64>> {
            b.seal();
            let sorted = |list: &Vec<u64>| {
                let mut list = list.clone();
                list.sort_unstable();
                list
            };
            b.cell_keys.iter().zip(&b.dealt).map(|(k, list)| (*k, sorted(list))).collect()
        };
        assert_eq!(dealt(&mut once), dealt(&mut in_steps));
        let (once, in_steps) = (once.finish(), in_steps.finish());
        assert_eq!(once, in_steps);
        let persons_2020: Vec<u64> =
            once.cells().iter().filter(|(k, _)| k.ar == 2020).flat_map(|(_, a)| a.personer.clone()).collect();
        assert_eq!(persons_2020, [5, 9, 3, 5], "förbund 7 kvinna, 7 man, 8 kvinna");
    }
}

//! Publishing indicators as tables with intervals and disclosure control,
//! and the annual report.
//!
//! Each function computes one indicator of the [catalogue](crate::indicators::catalogue)
//! for a [`Split`] and years, and returns a [`Table`] in which every count
//! of persons has passed primary and complementary suppression and every
//! share or mean whose denominator is withheld is withheld too. Tables split
//! by single-valued dimensions carry total rows (`alla`) so the margins are
//! explicit and protected.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::ops::RangeInclusive;

use serde::Serialize;

/// The published table types, at their former path (they live in [`publish`](crate::publish)).
pub use crate::publish::table;
pub use crate::publish::{Column, Row, Table, Unit};

use crate::engine::{Extract, Partial};
use crate::error::{Error, Result};
use crate::indicators::ci_values;
use crate::indicators::state::{Accumulator, Key, SOURCES, UNUSED};
use crate::indicators::{Config, Context, Dim, Split, State};
use crate::model::*;
use crate::publish::table::{Builder, CountId, Raw, finish_together};
use crate::stats::{mean_ci, newcombe_diff, welch_diff};
use crate::{Dataset, Date};

/// A key part that stands for "all values" (a total row).
const ALLA: u32 = u32::MAX - 1;

/// Where the participations of an indicator come from: a data set, a flat
/// extract, or the merged state of an extract's chunks. Every indicator
/// function takes any of them (`&Dataset`, `&Extract` and `&Partial`
/// convert), counts it with the one state builder and publishes the same
/// table; an extract's tables add notes on what it cannot say.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    /// A data set in the contract.
    Data(&'a Dataset),
    /// A flat extract.
    Extract(&'a Extract),
    /// The mergeable state of a flat extract (or of its chunks, merged).
    Partial(&'a Partial),
}

impl<'a> From<&'a Dataset> for Source<'a> {
    fn from(data: &'a Dataset) -> Self {
        Source::Data(data)
    }
}

impl<'a> From<&'a Extract> for Source<'a> {
    fn from(extract: &'a Extract) -> Self {
        Source::Extract(extract)
    }
}

impl<'a> From<&'a Partial> for Source<'a> {
    fn from(partial: &'a Partial) -> Self {
        Source::Partial(partial)
    }
}

impl Source<'_> {
    /// The years the source can report on: from its first participation
    /// data to the year of the cut-off (see [`data_years`]).
    ///
    /// # Errors
    /// `invalid_argument` if the source holds no dated rows.
    pub fn years(self, config: &Config) -> Result<RangeInclusive<i32>> {
        match self {
            Source::Data(data) => data_years(data, config),
            Source::Extract(e) => {
                let cutoff = config.uttagsdatum.unwrap_or_else(|| e.latest());
                e.first_year().map(|first| first..=cutoff.year().max(first)).ok_or_else(|| Error::InvalidArgument {
                    name: "years",
                    message: "the extract holds no participations to report on".into(),
                })
            }
            Source::Partial(p) => p.report_years(),
        }
    }

    /// Whether the source is a flat extract (read whole or as a state).
    fn is_flat(self) -> bool {
        !matches!(self, Source::Data(_))
    }
}

/// A state with what its tables need to know of the source.
struct Computed {
    state: State,
    /// The benefit groups with data.
    groups: Vec<Ersattningsgrupp>,
    cutoff: Date,
    /// The complete reporting years (see [`complete_years`]).
    complete: std::collections::BTreeSet<i32>,
    /// What the source's tables must say about it.
    notes: Vec<String>,
}

/// The state of `split` over `state_years` of `source`, after checking the
/// asked `years` against what the source can report on; with the persons of
/// each cell only if `persons` (the tables that count none skip them).
fn computed(
    source: Source<'_>,
    split: &Split,
    years: &RangeInclusive<i32>,
    state_years: RangeInclusive<i32>,
    config: &Config,
    persons: bool,
) -> Result<Computed> {
    check_years(source, config, years)?;
    match source {
        Source::Data(data) => {
            let ctx = Context::new(data, config, state_years)?;
            let rows = (&data.deltaganden, &data.anonyma_deltagare);
            let state = State::compute_parallel_with(split, &ctx, rows.0, rows.1, 2, persons);
            let complete = complete_years(data, &state, ctx.uttagsdatum);
            Ok(Computed { state, groups: ctx.groups.clone(), cutoff: ctx.uttagsdatum, complete, notes: Vec::new() })
        }
        Source::Extract(extract) => {
            let partial = Partial::compute_with(extract, split, state_years.clone(), config, persons)?;
            let cutoff = partial_cutoff(&partial, config)?;
            let (groups, notes) = (partial.groups().to_vec(), partial.notes());
            let state = partial.into_state_for(split, &state_years)?;
            let complete = observed_complete_years(&state, cutoff);
            Ok(Computed { state, groups, cutoff, complete, notes })
        }
        Source::Partial(partial) => from_partial(partial, split, &state_years, config, persons),
    }
}

/// The counts of `partial` for `split` over `state_years`, at its cut-off.
fn from_partial(
    partial: &Partial,
    split: &Split,
    state_years: &RangeInclusive<i32>,
    config: &Config,
    persons: bool,
) -> Result<Computed> {
    let cutoff = partial_cutoff(partial, config)?;
    let state = partial.state_for(split, state_years, persons)?;
    let complete = observed_complete_years(&state, cutoff);
    Ok(Computed { state, groups: partial.groups().to_vec(), cutoff, complete, notes: partial.notes() })
}

/// The cut-off of `partial`, which the options may not contradict.
fn partial_cutoff(partial: &Partial, config: &Config) -> Result<Date> {
    match (partial.cutoff(), config.uttagsdatum) {
        (Some(own), Some(asked)) if own != asked => Err(Error::InvalidArgument {
            name: "uttagsdatum",
            message: format!(
                "the state was counted with the cut-off {own}, not {asked}: compute it with uttagsdatum={asked}"
            ),
        }),
        (Some(own), _) => Ok(own),
        (None, _) => Err(Error::InvalidArgument { name: "years", message: "the state holds no participations".into() }),
    }
}

impl Computed {
    /// `builder`'s table with the source's notes, disclosure-controlled.
    fn finish(&self, mut builder: Builder, config: &Config) -> Table {
        builder.table.notes.extend(self.notes.iter().cloned());
        builder.finish(&config.disclosure)
    }
}

/// Computes the state of `split` over `years` of a data set or an extract
/// (validating the options).
///
/// # Errors
/// `invalid_argument` for invalid options or years.
pub fn compute<'a>(
    source: impl Into<Source<'a>>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<State> {
    Ok(computed(source.into(), split, &years, years.clone(), config, true)?.state)
}

/// Labels of key values.
struct Labels<'a> {
    config: &'a Config,
}

impl Labels<'_> {
    fn label(&self, dim: Dim, v: u32) -> String {
        if v == ALLA {
            return "alla".to_owned();
        }
        let code = |all: &[&'static str], none: &str| all.get(v as usize).map_or(none.to_owned(), |c| (*c).to_owned());
        match dim {
            Dim::Forbund | Dim::Insats => v.to_string(),
            Dim::Kon => code(&Kon::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(), "okand"),
            Dim::Aldersgrupp => self.config.age_bands.label(v),
            Dim::Behovsgrupp => code(&Behovsgrupp::ALL.iter().map(|b| b.code()).collect::<Vec<_>>(), "ingen"),
            Dim::Remittent => code(&Part::ALL.iter().map(|p| p.code()).collect::<Vec<_>>(), "okand"),
            Dim::ForsorjningFore => {
                code(&Forsorjning::ALL.iter().map(|f| f.code()).collect::<Vec<_>>(), "ej_registrerad")
            }
        }
    }

    fn key(&self, split: &Split, k: &Key) -> Vec<String> {
        std::iter::once(k.ar.to_string())
            .chain(split.dims().iter().enumerate().map(|(i, &d)| self.label(d, k.parts[i])))
            .collect()
    }
}

/// The id of the count `measure` in cell `k` of a table split by `split`.
fn count_id(measure: impl Into<String>, split: &Split, k: &Key) -> CountId {
    let mut parts = vec![ALLA; Dim::ALL.len()];
    for (i, &d) in split.dims().iter().enumerate() {
        parts[d as usize] = k.parts[i];
    }
    CountId { measure: measure.into(), ar: k.ar, parts }
}

/// The years a data set can report on: from the first year with
/// participation data (participations, anonymous counts, aggregate rows or,
/// when participations are streamed, insatser) to the year of the cut-off.
///
/// # Errors
/// `invalid_argument` if the cut-off is unknown or the data hold no dated rows.
pub fn data_years(data: &Dataset, config: &Config) -> Result<RangeInclusive<i32>> {
    let cutoff = config.uttagsdatum.or(data.uttagsdatum).or_else(|| {
        let ends = data.deltaganden.iter().map(|d| d.slut.unwrap_or(d.start));
        ends.chain(data.ersattningsperioder.iter().map(|s| s.till)).max()
    });
    let first = data
        .deltaganden
        .iter()
        .map(|d| d.start.year())
        .chain(data.anonyma_deltagare.iter().map(|a| a.ar))
        .chain(data.insats_ar.iter().map(|r| r.ar))
        .min()
        .or_else(|| data.insatser.iter().map(|i| i.start.year()).min());
    match (first, cutoff) {
        (Some(first), Some(cutoff)) => Ok(first..=cutoff.year().max(first)),
        _ => Err(Error::InvalidArgument {
            name: "years",
            message: "the data hold no dated participations, counts or insatser to report on".into(),
        }),
    }
}

/// Refuses years the data cannot speak for: an empty range, or years
/// before the first data or after the cut-off.
fn check_years(source: Source<'_>, config: &Config, years: &RangeInclusive<i32>) -> Result<()> {
    if years.is_empty() {
        return Err(Error::InvalidArgument { name: "years", message: format!("empty range {years:?}") });
    }
    let valid = source.years(config)?;
    if valid.contains(years.start()) && valid.contains(years.end()) {
        return Ok(());
    }
    let asked = if years.start() == years.end() { years.start().to_string() } else { format!("{years:?}") };
    Err(Error::InvalidArgument {
        name: "years",
        message: format!(
            "{asked} is outside the data: valid years are {}–{} (from the first participation data to the cut-off)",
            valid.start(),
            valid.end()
        ),
    })
}

/// The complete reporting years. A delivery with anonymous counts or
/// aggregate rows counts participants for exactly its reporting years
/// ([`Dataset::reporting_years`]); without them, the years observed in the
/// participations less the first (participations that began before the
/// data do not appear in it). Either way, less years not closed by the
/// cut-off. A change from the previous year is only shown between two
/// complete years.
fn complete_years(data: &Dataset, state: &State, cutoff: Date) -> std::collections::BTreeSet<i32> {
    if data.anonyma_deltagare.is_empty() && data.insats_ar.iter().all(|r| r.deltagare().is_none()) {
        return observed_complete_years(state, cutoff);
    }
    let counted = data.reporting_years();
    counted.into_iter().filter(|&y| Date::last_of_year(y).is_some_and(|d| d <= cutoff)).collect()
}

/// The years observed in `state` less the first, and less years not closed
/// by the cut-off (for sources without reporting years of their own).
fn observed_complete_years(state: &State, cutoff: Date) -> std::collections::BTreeSet<i32> {
    let observed: std::collections::BTreeSet<i32> = state.cells().keys().map(|k| k.ar).collect();
    let first = observed.iter().copied().chain(state.first_start()).min();
    observed
        .into_iter()
        .filter(|&y| first.is_some_and(|f| y > f))
        .filter(|&y| Date::last_of_year(y).is_some_and(|d| d <= cutoff))
        .collect()
}

fn key_columns(split: &Split) -> Vec<String> {
    std::iter::once("ar".to_owned()).chain(split.dims().iter().map(|d| d.code().to_owned())).collect()
}

/// The cells of `state` and, for every subset of its single-valued
/// dimensions, the totals over them (`ALLA` in their place).
fn with_totals(state: &State) -> Result<BTreeMap<Key, Accumulator>> {
    let dims = state.split().dims();
    let droppable: Vec<usize> = (0..dims.len()).filter(|&i| !dims[i].is_multi_valued()).collect();
    let mut out = BTreeMap::new();
    for mask in 0u32..(1 << droppable.len()) {
        let dropped: Vec<usize> =
            droppable.iter().enumerate().filter(|(b, _)| mask & (1 << b) != 0).map(|(_, &i)| i).collect();
        let kept: Vec<usize> = (0..dims.len()).filter(|i| !dropped.contains(i)).collect();
        let target = Split::new(&kept.iter().map(|&i| dims[i]).collect::<Vec<_>>())?;
        for (k, acc) in state.rollup(&target)?.cells() {
            let mut parts = [UNUSED; Split::MAX];
            for (j, &i) in kept.iter().enumerate() {
                parts[i] = k.parts[j];
            }
            for &i in &dropped {
                parts[i] = ALLA;
            }
            out.insert(Key { ar: k.ar, parts }, acc.clone());
        }
    }
    Ok(out)
}

/// Margins among rows keyed by `keys` (with an extra key `sub` per row for
/// tables that repeat each cell, e.g. per status): parts that differ from a
/// total row only in one single-valued dimension set to `ALLA`.
fn margins<S: Ord + Copy + std::hash::Hash>(rows: &[(Key, S)], dims: &[Dim]) -> Vec<(Vec<usize>, usize)> {
    let index: HashMap<(Key, S), usize> = rows.iter().enumerate().map(|(i, &(k, s))| ((k, s), i)).collect();
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (r, &(k, s)) in rows.iter().enumerate() {
        for (i, d) in dims.iter().enumerate() {
            if d.is_multi_valued() || k.parts[i] == ALLA {
                continue;
            }
            let mut total = k;
            total.parts[i] = ALLA;
            if let Some(&t) = index.get(&(total, s)) {
                groups.entry(t * dims.len() + i).or_default().push(r);
            }
        }
    }
    groups.into_iter().map(|(g, parts)| (parts, g / dims.len().max(1))).collect()
}

fn share(k: u64, n: u64) -> f64 {
    if n == 0 { f64::NAN } else { k as f64 / n as f64 }
}

/// Participants per year: persons, anonymous, participations, started, and
/// the change in participants from the previous year.
///
/// # Errors
/// `invalid_argument` for invalid options.
pub fn participants<'a>(
    source: impl Into<Source<'a>>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<Table> {
    let state_years = years.start().saturating_sub(1)..=*years.end();
    let source = source.into();
    let c = computed(source, split, &years, state_years, config, true)?;
    let mut b = participants_table(&c.state, &years, &c.complete, config)?;
    if source.is_flat() {
        b.table.notes.push(EXTRACT_HAS_NO_ANONYMOUS.into());
    }
    Ok(c.finish(b, config))
}

fn participants_table(
    state: &State,
    years: &RangeInclusive<i32>,
    complete: &std::collections::BTreeSet<i32>,
    config: &Config,
) -> Result<Builder> {
    let split = state.split();
    let labels = Labels { config };
    let cells = with_totals(state)?;
    let rows: Vec<(Key, ())> = cells
        .keys()
        .filter(|k| years.contains(&k.ar) || years.contains(&k.ar.saturating_add(1)))
        .map(|&k| (k, ()))
        .collect();
    let mut b = Builder::new(
        "deltagare",
        "Deltagare i individinriktade insatser",
        key_columns(split),
        &[
            ("deltagare", Unit::Count),
            ("personer", Unit::Count),
            ("anonyma", Unit::Count),
            ("deltaganden", Unit::Count),
            ("startade", Unit::Count),
            ("forandring_procent", Unit::Percent),
        ],
    );
    let index: HashMap<Key, usize> = rows.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect();
    for (k, _) in &rows {
        let acc = &cells[k];
        let prev = Key { ar: k.ar.saturating_sub(1), ..*k };
        let comparable = complete.contains(&k.ar) && complete.contains(&prev.ar);
        let change = match (index.get(&prev), cells.get(&prev)) {
            (Some(&p), Some(before)) if comparable && before.deltagare() > 0 => Raw::Derived(
                (acc.deltagare() as f64 - before.deltagare() as f64) / before.deltagare() as f64 * 100.0,
                vec![(index[k], 0), (p, 0)],
            ),
            _ => Raw::Derived(f64::NAN, vec![]),
        };
        let r = b.push(
            labels.key(split, k),
            vec![
                Raw::Count(acc.deltagare()),
                Raw::Count(acc.personer.len() as u64),
                Raw::Count(acc.anonyma),
                Raw::Count(acc.deltaganden),
                Raw::Count(acc.startade),
                change,
            ],
        );
        for (c, measure) in ["deltagare", "personer", "anonyma", "deltaganden", "startade"].into_iter().enumerate() {
            b.ids.push(((r, c), count_id(measure, split, k)));
        }
        if !years.contains(&k.ar) {
            b.unpublished.push(r);
        }
    }
    b.margins = margins(&rows, split.dims());
    b.relations = vec![(vec![1, 2], 0)]; // deltagare = personer + anonyma
    if !split.knows_anonymous() {
        b.table.notes.push(
            "Anonymous participants are known by insats, year and kön only and are not added in this split.".into(),
        );
    }
    let shown: Vec<i32> = years.clone().filter(|y| complete.contains(y) && complete.contains(&(y - 1))).collect();
    if shown.len() < years.clone().count() {
        b.table.notes.push(format!(
            "forandring_procent is withheld (not_computable) unless both years are complete reporting years of the data ({}); the first year of the data and years not closed by the cut-off are not.",
            year_list(complete)
        ));
    }
    Ok(b)
}

fn year_list(years: &std::collections::BTreeSet<i32>) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if years.len() as i64 == i64::from(b - a) + 1 => format!("{a}–{b}"),
        (Some(_), Some(_)) => years.iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
        _ => "none".to_owned(),
    }
}

/// Status after ended participations: the headline shares with intervals.
///
/// # Errors
/// `invalid_argument` for invalid options.
pub fn outcomes<'a>(
    source: impl Into<Source<'a>>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<Table> {
    let c = computed(source.into(), split, &years, years.clone(), config, false)?;
    Ok(c.finish(outcomes_table(&c.state, config)?, config))
}

fn outcomes_table(state: &State, config: &Config) -> Result<Builder> {
    let split = state.split();
    let labels = Labels { config };
    let cells = with_totals(state)?;
    let rows: Vec<(Key, ())> = cells.keys().map(|&k| (k, ())).collect();
    let mut b = Builder::new(
        "utfall",
        "Sysselsättning efter avslutad insats",
        key_columns(split),
        &[
            ("n", Unit::Count),
            ("utan_status", Unit::Count),
            ("felregistrering", Unit::Count),
            ("andel_arbete_studier", Unit::Share),
            ("lo", Unit::Share),
            ("hi", Unit::Share),
            ("andel_arbete_studier_sokande", Unit::Share),
            ("lo_sokande", Unit::Share),
            ("hi_sokande", Unit::Share),
        ],
    );
    for (r, (k, _)) in rows.iter().enumerate() {
        let acc = &cells[k];
        let n = acc.med_status();
        let ws = acc.utfall[Utfall::Arbete as usize] + acc.utfall[Utfall::Studier as usize];
        let wss = ws + acc.utfall[Utfall::Arbetssokande as usize];
        let mut values = vec![Raw::Count(n), Raw::Count(acc.utan_status), Raw::Count(acc.felregistrering)];
        values.extend(ci_values(ws, n, config, vec![(r, 0)]));
        values.extend(ci_values(wss, n, config, vec![(r, 0)]));
        b.push(labels.key(split, k), values);
        for (c, measure) in ["med_status", "utan_status", "felregistrering"].into_iter().enumerate() {
            b.ids.push(((r, c), count_id(measure, split, k)));
        }
    }
    b.margins = margins(&rows, split.dims());
    b.table.notes.push(interval_note(config));
    Ok(b)
}

fn interval_note(config: &Config) -> String {
    format!(
        "Intervals: {:?} at {:.0} %. Excluded from the shares: no status registered (utan_status) and felregistrering.",
        config.method,
        config.level * 100.0
    )
}

/// Status after ended participations: every status with its count, share
/// and interval (the statuses of a cell sum to its `alla` row).
///
/// # Errors
/// `invalid_argument` for invalid options.
pub fn outcome_categories<'a>(
    source: impl Into<Source<'a>>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<Table> {
    let c = computed(source.into(), split, &years, years.clone(), config, false)?;
    let state = &c.state;
    let labels = Labels { config };
    let cells = with_totals(state)?;
    let mut keys = key_columns(split);
    keys.push("status".into());
    let mut b = Builder::new(
        "utfall",
        "Sysselsättning efter avslutad insats, per status",
        keys,
        &[("antal", Unit::Count), ("andel", Unit::Share), ("lo", Unit::Share), ("hi", Unit::Share)],
    );
    let statuses = Utfall::ALL.len();
    let mut rows: Vec<(Key, usize)> = Vec::new();
    for &k in cells.keys() {
        for s in 0..=statuses {
            rows.push((k, s));
        }
    }
    for (r, &(k, s)) in rows.iter().enumerate() {
        let acc = &cells[&k];
        let n = acc.med_status();
        let total_row = r - s + statuses;
        let mut key = labels.key(split, &k);
        let (count, label) =
            if s == statuses { (n, "alla".to_owned()) } else { (acc.utfall[s], Utfall::ALL[s].code().to_owned()) };
        key.push(label);
        let mut values = vec![Raw::Count(count)];
        values.extend(ci_values(count, n, config, vec![(r, 0), (total_row, 0)]));
        b.push(key, values);
    }
    let mut m = margins(&rows, split.dims());
    for (r, &(_, s)) in rows.iter().enumerate() {
        if s == 0 {
            m.push(((r..r + statuses).collect(), r + statuses));
        }
    }
    b.margins = m;
    b.table.notes.push(interval_note(config));
    Ok(c.finish(b, config))
}

/// Benefit days before and after, per reporting group, with the paired
/// t-interval of the mean difference.
///
/// # Errors
/// `invalid_argument` for invalid options.
pub fn benefit_days<'a>(
    source: impl Into<Source<'a>>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<Table> {
    let c = computed(source.into(), split, &years, years.clone(), config, false)?;
    Ok(c.finish(benefit_table(&c.state, &c.groups, c.cutoff, config)?, config))
}

fn benefit_table(state: &State, groups: &[Ersattningsgrupp], cutoff: Date, config: &Config) -> Result<Builder> {
    let split = state.split();
    let labels = Labels { config };
    let cells = with_totals(state)?;
    let mut keys = key_columns(split);
    keys.push("grupp".into());
    let mut b = Builder::new(
        "ersattningsdagar",
        "Dagar med ersättning före och efter",
        keys,
        &[
            ("n", Unit::Count),
            ("medel_fore", Unit::Days),
            ("medel_efter", Unit::Days),
            ("medel_skillnad", Unit::Days),
            ("lo", Unit::Days),
            ("hi", Unit::Days),
            ("oppet_efterfonster", Unit::Count),
        ],
    );
    let mut rows: Vec<(Key, Ersattningsgrupp)> = Vec::new();
    for &k in cells.keys() {
        for &g in groups {
            rows.push((k, g));
        }
    }
    for (r, &(k, g)) in rows.iter().enumerate() {
        let acc = &cells[&k];
        let d = &acc.dagar[g as usize];
        let n = d.n as f64;
        let dep = vec![(r, 0)];
        let (lo, hi) = mean_ci(d.diff_moments(), config.level).map_or((f64::NAN, f64::NAN), |ci| (ci.lo, ci.hi));
        let mut key = labels.key(split, &k);
        key.push(g.code().to_owned());
        b.push(
            key,
            vec![
                Raw::Count(d.n),
                Raw::Derived(d.fore as f64 / 4.0 / n, dep.clone()),
                Raw::Derived(d.efter as f64 / 4.0 / n, dep.clone()),
                Raw::Derived((d.efter - d.fore) as f64 / 4.0 / n, dep.clone()),
                Raw::Derived(lo, dep.clone()),
                Raw::Derived(hi, dep),
                Raw::Count(acc.oppet_efterfonster),
            ],
        );
        b.ids.push(((r, 0), count_id(format!("dagar_n:{}", g.code()), split, &k)));
        b.ids.push(((r, 6), count_id("oppet_efterfonster", split, &k)));
    }
    b.margins = margins(&rows, split.dims());
    b.table.notes.push(format!(
        "Windows: {} days before start, {} days after end; {}. Cut-off {cutoff}: participations whose after-window had not closed are excluded and counted (oppet_efterfonster). Interval: paired t at {:.0} %.",
        config.before_days,
        config.after_days,
        if config.whole_days { "any day with a benefit counts as a whole day" } else { "a day at 50 % counts as half a day" },
        config.level * 100.0
    ));
    Ok(b)
}

/// Försörjning before → after: of those with source X before, the share with
/// each source after.
///
/// # Errors
/// `invalid_argument` for invalid options.
/// `invalid_argument` for an extract too: it has no försörjning columns.
pub fn transitions<'a>(
    source: impl Into<Source<'a>>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<Table> {
    let source = source.into();
    if let Source::Extract(_) = source {
        return Err(Error::InvalidArgument {
            name: "data",
            message: "a flat extract has no försörjning before and after: transitions need a data set".into(),
        });
    }
    let c = computed(source, split, &years, years.clone(), config, false)?;
    Ok(c.finish(transitions_table(&c.state, config)?, config))
}

fn source_label(i: usize) -> &'static str {
    Forsorjning::ALL.get(i).map_or("ej_registrerad", |f| f.code())
}

fn transitions_table(state: &State, config: &Config) -> Result<Builder> {
    let split = state.split();
    let labels = Labels { config };
    let cells = with_totals(state)?;
    let mut keys = key_columns(split);
    keys.extend(["fore".to_owned(), "efter".to_owned()]);
    let mut b = Builder::new(
        "forsorjning_overgang",
        "Försörjning före och efter",
        keys,
        &[("antal", Unit::Count), ("andel", Unit::Share)],
    );
    // Per source before: a row per source after, then the row `alla` with
    // everyone who had the source before (the denominator).
    let mut rows: Vec<(Key, (usize, usize))> = Vec::new();
    for (&k, acc) in &cells {
        for before in (0..SOURCES).filter(|&s| acc.fore[s] > 0) {
            for after in 0..=SOURCES {
                rows.push((k, (before, after)));
            }
        }
    }
    for (r, &(k, (before, after))) in rows.iter().enumerate() {
        let acc = &cells[&k];
        let n = acc.fore[before];
        let count = if after == SOURCES { n } else { acc.overgang[before][after] };
        let denominator_row = r - after + SOURCES;
        let mut key = labels.key(split, &k);
        key.extend([
            source_label(before).to_owned(),
            if after == SOURCES { "alla".to_owned() } else { source_label(after).to_owned() },
        ]);
        b.push(key, vec![Raw::Count(count), Raw::Derived(share(count, n), vec![(r, 0), (denominator_row, 0)])]);
        let measure = if after == SOURCES { format!("fore:{before}") } else { format!("overgang:{before}:{after}") };
        b.ids.push(((r, 0), count_id(measure, split, &k)));
    }
    b.margins = margins(&rows, split.dims());
    b.table.notes.push(
        "A participation with several sources counts under each, so the shares after a source need not sum to one."
            .into(),
    );
    Ok(b)
}

/// Men − women in the outcome shares, with Newcombe's hybrid score interval
/// of the difference (in percentage points when rendered). `split` must not
/// contain kön.
///
/// # Errors
/// `invalid_argument` if `split` contains kön, or for invalid options or years.
pub fn gender_gap<'a>(
    source: impl Into<Source<'a>>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<Table> {
    let c = gender_gap_state(source.into(), split, years, config)?;
    Ok(c.finish(gender_gap_shares(&c.state, config)?, config))
}

/// Men − women in the mean change of benefit days (after − before) per
/// reporting group, with Welch's interval. `split` must not contain kön.
///
/// # Errors
/// `invalid_argument` if `split` contains kön, or for invalid options or years.
pub fn gender_gap_days<'a>(
    source: impl Into<Source<'a>>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<Table> {
    let c = gender_gap_state(source.into(), split, years, config)?;
    Ok(c.finish(gender_gap_days_table(&c.state, &c.groups, config)?, config))
}

fn gender_gap_state(
    source: Source<'_>,
    split: &Split,
    years: RangeInclusive<i32>,
    config: &Config,
) -> Result<Computed> {
    if split.dims().contains(&Dim::Kon) {
        return Err(Error::InvalidArgument { name: "by", message: "a gender gap is split by kön already".into() });
    }
    let mut dims = split.dims().to_vec();
    dims.push(Dim::Kon);
    computed(source, &Split::new(&dims)?, &years, years.clone(), config, false)
}

/// The rows of a gender-gap table: per cell of the split without kön, per
/// measure, the cells of men and women (the split's last dimension is kön).
struct GenderRows {
    base: Split,
    cells: BTreeMap<Key, Accumulator>,
    rows: Vec<(Key, usize)>,
}

impl GenderRows {
    fn new(state: &State, measures: usize) -> Result<GenderRows> {
        let dims = state.split().dims();
        let base = Split::new(&dims[..dims.len() - 1])?;
        let cells = with_totals(state)?;
        let kon_at = dims.len() - 1;
        let rows =
            cells.keys().filter(|k| k.parts[kon_at] == ALLA).flat_map(|k| (0..measures).map(|m| (*k, m))).collect();
        Ok(GenderRows { base, cells, rows })
    }

    /// The key of kön `kon` in the cell `k` of the base split.
    fn key_of(&self, k: &Key, kon: Kon) -> Key {
        let mut parts = k.parts;
        parts[self.base.dims().len()] = kon as u32;
        Key { parts, ..*k }
    }

    fn of(&self, k: &Key, kon: Kon) -> &Accumulator {
        static EMPTY: std::sync::LazyLock<Accumulator> = std::sync::LazyLock::new(Accumulator::default);
        self.cells.get(&self.key_of(k, kon)).unwrap_or(&EMPTY)
    }

    fn builder(&self, id: &str, title: &str, measure_key: &str, unit: Unit, difference: Unit) -> Builder {
        let mut keys = key_columns(&self.base);
        keys.push(measure_key.into());
        Builder::new(
            id,
            title,
            keys,
            &[
                ("n_man", Unit::Count),
                ("n_kvinnor", Unit::Count),
                ("man", unit),
                ("kvinnor", unit),
                ("skillnad", difference),
                ("lo", difference),
                ("hi", difference),
            ],
        )
    }

    /// Links the n of men and women in row `r` to the count `measure` of
    /// their cells, which other tables of a report publish too.
    fn link(&self, b: &mut Builder, r: usize, split: &Split, k: &Key, measure: &str) {
        b.ids.push(((r, 0), count_id(measure, split, &self.key_of(k, Kon::Man))));
        b.ids.push(((r, 1), count_id(measure, split, &self.key_of(k, Kon::Kvinna))));
    }

    fn finish(&self, mut b: Builder, note: String) -> Builder {
        b.margins = margins(&self.rows, self.base.dims());
        b.table.notes.push(note);
        b.table.notes.push("Persons whose kön is not registered (okand) are in neither group.".into());
        b
    }
}

/// Three values derived from the counts of a row, each withheld with them.
fn estimate_values(first: f64, second: f64, ci: Option<crate::stats::Interval>, deps: &[(usize, usize)]) -> [Raw; 5] {
    let d = || deps.to_vec();
    [
        Raw::Derived(first, d()),
        Raw::Derived(second, d()),
        Raw::Derived(ci.map_or(f64::NAN, |c| c.estimate), d()),
        Raw::Derived(ci.map_or(f64::NAN, |c| c.lo), d()),
        Raw::Derived(ci.map_or(f64::NAN, |c| c.hi), d()),
    ]
}

fn gender_gap_shares(state: &State, config: &Config) -> Result<Builder> {
    const MEASURES: [&str; 2] = ["arbete_studier", "arbete_studier_sokande"];
    let g = GenderRows::new(state, MEASURES.len())?;
    let labels = Labels { config };
    let mut b = g.builder(
        "konsskillnad",
        "Skillnad mellan män och kvinnor i andel till arbete eller studier (män − kvinnor)",
        "matt",
        Unit::Share,
        Unit::ShareDifference,
    );
    for (r, &(k, m)) in g.rows.iter().enumerate() {
        let (men, women) = (g.of(&k, Kon::Man), g.of(&k, Kon::Kvinna));
        let k_of = |a: &Accumulator| {
            let ws = a.utfall[Utfall::Arbete as usize] + a.utfall[Utfall::Studier as usize];
            if m == 0 { ws } else { ws + a.utfall[Utfall::Arbetssokande as usize] }
        };
        let (km, nm, kw, nw) = (k_of(men), men.med_status(), k_of(women), women.med_status());
        let ci = newcombe_diff(km, nm, kw, nw, config.level).ok();
        let mut values = vec![Raw::Count(nm), Raw::Count(nw)];
        values.extend(estimate_values(share(km, nm), share(kw, nw), ci, &[(r, 0), (r, 1)]));
        let mut key = labels.key(&g.base, &k);
        key.push(MEASURES[m].to_owned());
        b.push(key, values);
        g.link(&mut b, r, state.split(), &k, "med_status");
    }
    let note = format!(
        "Shares of ended participations with a registered status; the difference men − women in percentage points with Newcombe's hybrid score interval at {:.0} %.",
        config.level * 100.0
    );
    Ok(g.finish(b, note))
}

fn gender_gap_days_table(state: &State, groups: &[Ersattningsgrupp], config: &Config) -> Result<Builder> {
    let g = GenderRows::new(state, groups.len())?;
    let labels = Labels { config };
    let mut b = g.builder(
        "konsskillnad_dagar",
        "Skillnad mellan män och kvinnor i förändrade dagar med ersättning (män − kvinnor)",
        "grupp",
        Unit::Days,
        Unit::Days,
    );
    for (r, &(k, m)) in g.rows.iter().enumerate() {
        let group = groups[m];
        let (dm, dw) = (
            g.of(&k, Kon::Man).dagar[group as usize].diff_moments(),
            g.of(&k, Kon::Kvinna).dagar[group as usize].diff_moments(),
        );
        let ci = welch_diff(dm, dw, config.level).ok();
        let mut values = vec![Raw::Count(dm.n), Raw::Count(dw.n)];
        values.extend(estimate_values(dm.mean, dw.mean, ci, &[(r, 0), (r, 1)]));
        let mut key = labels.key(&g.base, &k);
        key.push(group.code().to_owned());
        b.push(key, values);
        g.link(&mut b, r, state.split(), &k, &format!("dagar_n:{}", group.code()));
    }
    let note = format!(
        "Mean change in benefit days (after − before) of men and of women, and the difference men − women with Welch's interval at {:.0} %.",
        config.level * 100.0
    );
    Ok(g.finish(b, note))
}

/// Insatser active per year (national, or per förbund with `by_forbund`):
/// by inriktning, the structural share, those aimed at behovsgrupper and
/// their share of the individinriktade, and participants in structural ones.
///
/// # Errors
/// `invalid_argument` for an empty range of years.
pub fn insatser(data: &Dataset, by_forbund: bool, years: RangeInclusive<i32>, config: &Config) -> Result<Table> {
    check_years(data.into(), config, &years)?;
    Ok(insatser_table(data, by_forbund, years).finish(&config.disclosure))
}

fn insatser_table(data: &Dataset, by_forbund: bool, years: RangeInclusive<i32>) -> Builder {
    let mut keys = vec!["ar".to_owned()];
    if by_forbund {
        keys.push("forbund".into());
    }
    let mut b = Builder::new(
        "insatser",
        "Insatser",
        keys,
        &[
            ("individ", Unit::Tally),
            ("struktur", Unit::Tally),
            ("andel_struktur", Unit::Share),
            ("behovsgrupp", Unit::Tally),
            ("andel_behovsgrupp", Unit::Share),
            ("deltagare_struktur", Unit::Count),
        ],
    );
    let structural: HashMap<InsatsId, ForbundId> =
        data.insatser.iter().filter(|i| i.inriktning == Inriktning::Struktur).map(|i| (i.id, i.forbund)).collect();
    let mut rows: Vec<(Key, ())> = Vec::new();
    let mut counts: BTreeMap<Key, [u64; 4]> = BTreeMap::new();
    for year in years.clone() {
        let mut bump = |forbund: u32, f: &dyn Fn(&mut [u64; 4])| {
            for part in [ALLA, forbund] {
                if part != ALLA && !by_forbund {
                    continue;
                }
                let mut parts = [UNUSED; Split::MAX];
                parts[0] = part;
                f(counts.entry(Key { ar: year, parts }).or_insert([0; 4]));
            }
        };
        for i in data.insatser.iter().filter(|i| i.is_active_in(year)) {
            let individ = i.inriktning == Inriktning::Individ;
            let behov = individ && !i.behovsgrupper.is_empty();
            bump(i.forbund.0, &|c| {
                c[0] += u64::from(individ);
                c[1] += u64::from(!individ);
                c[2] += u64::from(behov);
            });
        }
        for r in data.insats_ar.iter().filter(|r| r.ar == year) {
            if let (Some(f), Some(n)) = (structural.get(&r.insats), r.deltagare()) {
                bump(f.0, &|c| c[3] += u64::from(n));
            }
        }
    }
    for (k, c) in &counts {
        let r = rows.len();
        rows.push((*k, ()));
        let mut key = vec![k.ar.to_string()];
        if by_forbund {
            key.push(if k.parts[0] == ALLA { "alla".into() } else { k.parts[0].to_string() });
        }
        b.push(
            key,
            vec![
                Raw::Count(c[0]),
                Raw::Count(c[1]),
                Raw::Derived(share(c[1], c[0] + c[1]), vec![(r, 0), (r, 1)]),
                Raw::Count(c[2]),
                Raw::Derived(share(c[2], c[0]), vec![(r, 0)]),
                Raw::Count(c[3]),
            ],
        );
        let split = if by_forbund { Split(vec![Dim::Forbund]) } else { Split::national() };
        b.ids.push(((r, 5), count_id("deltagare_struktur", &split, k)));
    }
    let dims: &[Dim] = if by_forbund { &[Dim::Forbund] } else { &[] };
    b.margins = margins(&rows, dims);
    b.table.notes.push("Active: on any day of the year. andel_behovsgrupp is of the individinriktade insatser.".into());
    b
}

/// Förbund and member kommuner on 31 December of each year.
///
/// # Errors
/// `invalid_argument` for an empty range of years.
pub fn coverage(data: &Dataset, years: RangeInclusive<i32>) -> Result<Table> {
    check_years(data.into(), &Config::default(), &years)?;
    let mut b = Builder::new(
        "tackning",
        "Förbund och medlemskommuner den 31 december",
        vec!["ar".into()],
        &[("forbund", Unit::Tally), ("medlemskommuner", Unit::Tally)],
    );
    for year in years {
        let Some(dec31) = Date::last_of_year(year) else { continue };
        let active: Vec<&Forbund> =
            data.forbund.iter().filter(|f| f.start <= dec31 && f.slut.is_none_or(|s| s >= dec31)).collect();
        let kommuner: std::collections::BTreeSet<KommunKod> = active.iter().flat_map(|f| f.members_on(dec31)).collect();
        b.push(vec![year.to_string()], vec![Raw::Count(active.len() as u64), Raw::Count(kommuner.len() as u64)]);
    }
    Ok(b.finish(&crate::disclosure::Disclosure::OFF))
}

/// The lineage of förbund formed by mergers: each merger's date, the new
/// förbund and those it was formed from.
pub fn lineage(data: &Dataset) -> Vec<Merger> {
    let names: HashMap<ForbundId, &str> = data.forbund.iter().map(|f| (f.id, f.namn.as_str())).collect();
    let mut out: Vec<Merger> = data
        .forbund
        .iter()
        .filter(|f| !f.foregangare.is_empty())
        .map(|f| Merger {
            datum: f.start,
            forbund: f.id,
            namn: f.namn.clone(),
            foregangare: f.foregangare.iter().map(|p| (*p, names.get(p).copied().unwrap_or("").to_owned())).collect(),
        })
        .collect();
    out.sort_by_key(|m| (m.datum, m.forbund));
    out
}

/// A förbund formed by a merger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Merger {
    /// The day the new förbund started.
    pub datum: Date,
    /// The new förbund.
    pub forbund: ForbundId,
    /// Its name.
    pub namn: String,
    /// The förbund it was formed from, with their names.
    pub foregangare: Vec<(ForbundId, String)>,
}

/// The annual report: every table for one year, nationally, per förbund and
/// by kön.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnnualReport {
    /// The year.
    pub ar: i32,
    /// The cut-off date used.
    pub uttagsdatum: Date,
    /// The options used.
    pub config: Config,
    /// The tables, in report order.
    pub tables: Vec<Table>,
    /// Mergers of förbund up to the year.
    pub sammanslagningar: Vec<Merger>,
    /// Participations left out because their insats is unknown (0 for validated data).
    pub okand_insats: u64,
    /// What the report says about its source (for a flat extract: the
    /// sections it has no data for).
    pub notes: Vec<String>,
}

/// Computes the annual report for `year` in one pass over the participations
/// (split by förbund and kön, rolled up to the national and single splits).
///
/// ```
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let report = finsam_core::report::annual_report(&data, 2020, &Default::default())?;
/// let t = &report.tables[0];
/// assert_eq!(t.value(&["2020"], "deltagare"), Some(24_867.0));
/// assert!(report.to_markdown().contains("Sysselsättning efter avslutad insats"));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// A flat extract gives the participation sections (participants, outcomes,
/// benefit days, gender gaps) and says which it cannot give.
///
/// # Errors
/// `invalid_argument` for invalid options.
pub fn annual_report<'a>(source: impl Into<Source<'a>>, year: i32, config: &Config) -> Result<AnnualReport> {
    let source = source.into();
    check_years(source, config, &(year..=year))?;
    let years = year.saturating_sub(1)..=year;
    match source {
        Source::Data(data) => {
            let ctx = Context::new(data, config, years)?;
            let state = State::compute_parallel(&report_split(), &ctx, &data.deltaganden, &data.anonyma_deltagare, 2);
            let from = ReportSource { source, config, cutoff: ctx.uttagsdatum, groups: &ctx.groups, notes: Vec::new() };
            report_from_state(&from, year, &state)
        }
        Source::Extract(extract) => {
            let partial = Partial::compute(extract, &report_split(), years.clone(), config)?;
            let (cutoff, groups, notes) =
                (partial_cutoff(&partial, config)?, partial.groups().to_vec(), partial.notes());
            let state = partial.into_state_for(&report_split(), &years)?;
            report_from_state(&ReportSource { source, config, cutoff, groups: &groups, notes }, year, &state)
        }
        Source::Partial(partial) => {
            let cutoff = partial_cutoff(partial, config)?;
            let state = partial.state_for(&report_split(), &years, true)?;
            let from = ReportSource { source, config, cutoff, groups: partial.groups(), notes: partial.notes() };
            report_from_state(&from, year, &state)
        }
    }
}

/// The annual report of a directory in the data contract whose
/// participation file is streamed in chunks on `threads` threads (for files
/// larger than memory); the other tables are read and validated as usual,
/// and the participations get every rule of the in-memory path
/// ([`State::compute_csv`]), so the two paths accept and refuse the same data.
///
/// # Errors
/// As [`Dataset::read_csv_dir`] for the other tables and
/// [`State::compute_csv`] for the participations.
pub fn annual_report_csv(
    dir: &std::path::Path,
    year: i32,
    config: &Config,
    opts: &crate::ingest::CsvOptions,
    rules: &crate::Rules,
    threads: usize,
) -> Result<AnnualReport> {
    let mut without = opts.clone();
    without.skip.insert("deltaganden".into());
    let (data, _) = Dataset::read_csv_dir(dir, &without, rules)?;
    check_years((&data).into(), config, &(year..=year))?;
    let ctx = Context::new(&data, config, year.saturating_sub(1)..=year)?;
    let file = opts.mapping("deltaganden").and_then(|m| m.file.clone()).unwrap_or_else(|| "deltaganden.csv".into());
    let stream = crate::indicators::stream::Stream {
        split: &report_split(),
        ctx: &ctx,
        data: &data,
        rules,
        chunk_rows: crate::indicators::stream::CHUNK_ROWS,
        threads: threads.max(1),
    };
    let state = stream.run(&dir.join(file), opts, &|e| data.locate(e))?;
    let from = ReportSource {
        source: (&data).into(),
        config,
        cutoff: ctx.uttagsdatum,
        groups: &ctx.groups,
        notes: Vec::new(),
    };
    report_from_state(&from, year, &state)
}

/// The split the annual report is computed at and rolled up from.
fn report_split() -> Split {
    Split(vec![Dim::Forbund, Dim::Kon])
}

/// What the annual report needs to know of its source besides the state.
struct ReportSource<'a> {
    source: Source<'a>,
    config: &'a Config,
    cutoff: Date,
    groups: &'a [Ersattningsgrupp],
    /// What every table of the source says about it.
    notes: Vec<String>,
}

/// What the participant tables of a flat extract say of anonymous participants.
const EXTRACT_HAS_NO_ANONYMOUS: &str = "A flat extract has no anonymous participants: deltagare are the persons.";

/// The sections a flat extract has no data for, named in its report.
const NOT_IN_AN_EXTRACT: &str = "insatser, coverage, försörjning before and after, surveys, financing and mergers";

fn report_from_state(from: &ReportSource<'_>, year: i32, state: &State) -> Result<AnnualReport> {
    let (config, cutoff, groups) = (from.config, from.cutoff, from.groups);
    let data = match from.source {
        Source::Data(data) => Some(data),
        Source::Extract(_) | Source::Partial(_) => None,
    };
    // The national cells from the three kön cells of a year, not from every
    // förbund's: their person sets are merged as lists instead of sorted.
    let by_kon = state.rollup(&Split::new(&[Dim::Kon])?)?;
    let national = by_kon.rollup(&Split::national())?;
    let by_forbund = state.rollup(&Split::new(&[Dim::Forbund])?)?;
    let years = year..=year;
    let complete = match data {
        Some(data) => complete_years(data, state, cutoff),
        None => observed_complete_years(state, cutoff),
    };
    let mut builders = vec![
        participants_table(&national, &years, &complete, config)?,
        participants_table(&by_kon, &years, &complete, config)?,
        participants_table(&by_forbund, &years, &complete, config)?,
    ];
    if let Some(data) = data {
        builders.push(insatser_table(data, false, years.clone()));
        builders.push(insatser_table(data, true, years.clone()));
    }
    // Outcomes and benefit days are of participations ended in the year itself;
    // their tables need no person sets.
    let current = |s: &State| s.year_without_persons(year);
    let (national, by_kon, by_forbund) = (current(&national), current(&by_kon), current(&by_forbund));
    builders.push(outcomes_table(&national, config)?);
    builders.push(outcomes_table(&by_kon, config)?);
    builders.push(outcomes_table(&by_forbund, config)?);
    builders.push(benefit_table(&national, groups, cutoff, config)?);
    builders.push(benefit_table(&by_kon, groups, cutoff, config)?);
    if data.is_some() {
        builders.push(transitions_table(&national, config)?);
    }
    builders.push(gender_gap_shares(&by_kon, config)?);
    builders.push(gender_gap_days_table(&by_kon, groups, config)?);
    let mut notes = Vec::new();
    if from.source.is_flat() {
        for b in &mut builders {
            b.table.notes.extend(from.notes.iter().cloned());
        }
        for b in &mut builders[..3] {
            b.table.notes.push(EXTRACT_HAS_NO_ANONYMOUS.into());
        }
        notes.push(format!(
            "Source: a flat extract. Not in this report, for an extract has no data on them: {NOT_IN_AN_EXTRACT}."
        ));
    }
    // The participation tables publish the same counts several times (a
    // national figure is the `alla` row of the kön table, the n of men in the
    // gender gap is the n of men in the outcomes): one disclosure problem.
    let mut tables = finish_together(builders, &config.disclosure);
    let mut sammanslagningar = Vec::new();
    if let Some(data) = data {
        tables.push(coverage(data, year..=year)?);
        tables.extend(crate::survey::report_tables(data, year, &crate::survey::SurveyConfig::from_config(config))?);
        tables.extend(money_tables(data, year)?);
        sammanslagningar = lineage(data).into_iter().filter(|m| m.datum.year() <= year).collect();
    }
    Ok(AnnualReport {
        ar: year,
        uttagsdatum: cutoff,
        config: config.clone(),
        tables,
        sammanslagningar,
        okand_insats: state.unknown_insats(),
        notes,
    })
}

/// The financing section: the §5 split of every förbund with a budget for
/// `year`, and the state's allocation model for `year` when the kommun
/// statistics of the year before are there.
fn money_tables(data: &Dataset, year: i32) -> Result<Vec<Table>> {
    let mut out = Vec::new();
    let splits = crate::finance::financing(data, year)?;
    if !splits.is_empty() {
        out.push(crate::finance::split::financing_table(&splits));
    }
    if data.kommunstatistik.iter().any(|s| s.ar == year - 1) {
        let inputs = crate::finance::allocation::allocation_inputs(data, year)?;
        if !inputs.is_empty() {
            let params = crate::finance::AllocationParams::default();
            out.push(crate::finance::allocate(year, &inputs, &params)?.to_table());
        }
    }
    Ok(out)
}

impl AnnualReport {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# Finsam årsrapport {}\n\nCut-off (uttagsdatum): {}. Intervals at {:.0} % ({:?}). Disclosure control: {}.\n\n",
            self.ar,
            self.uttagsdatum,
            self.config.level * 100.0,
            self.config.method,
            if self.config.disclosure.enabled {
                format!(
                    "counts below {} withheld (..), with complementary suppression",
                    self.config.disclosure.threshold
                )
            } else {
                "off".to_owned()
            }
        );
        for note in &self.notes {
            let _ = writeln!(out, "{note}\n");
        }
        for t in &self.tables {
            out.push_str(&t.to_markdown());
            out.push('\n');
        }
        if !self.sammanslagningar.is_empty() {
            out.push_str("### Sammanslagningar av förbund\n\n| datum | förbund | bildat av |\n|---|---|---|\n");
            for m in &self.sammanslagningar {
                let from: Vec<String> = m.foregangare.iter().map(|(id, n)| format!("{n} ({id})")).collect();
                let _ = writeln!(out, "| {} | {} ({}) | {} |", m.datum, m.namn, m.forbund, from.join(", "));
            }
        }
        if self.okand_insats > 0 {
            let _ =
                writeln!(out, "\n{} participations were left out because their insats is unknown.", self.okand_insats);
        }
        out
    }

    /// Every table as CSV, concatenated with a `# table: <id> (<title>)` line before each.
    pub fn to_csv(&self) -> String {
        self.tables
            .iter()
            .map(|t| format!("# table: {} ({})\n{}", t.id, t.title, t.to_csv()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The report as JSON.
    ///
    /// # Errors
    /// `invalid_json` only if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

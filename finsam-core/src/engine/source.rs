//! Where the participations of an indicator come from (a data set, a flat
//! extract, or the merged state of an extract's chunks), and the state of a
//! split computed from any of them with what its tables need to know of the
//! source: the one entry of every indicator function.

use std::borrow::Cow;
use std::ops::RangeInclusive;

use crate::engine::era::{Eras, YearSource};
use crate::engine::{Extract, Partial};
use crate::error::{Error, Result};
use crate::indicators::{Config, Context, Split, State};
use crate::model::*;
use crate::publish::Table;
use crate::publish::table::Builder;
use crate::{Dataset, Date};

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
    pub(crate) fn is_flat(self) -> bool {
        !matches!(self, Source::Data(_))
    }
}

/// A state with what its tables need to know of the source.
pub(crate) struct Computed {
    pub(crate) state: State,
    /// The benefit groups with data.
    pub(crate) groups: Vec<Ersattningsgrupp>,
    pub(crate) cutoff: Date,
    /// The complete reporting years (see [`complete_years`]).
    pub(crate) complete: std::collections::BTreeSet<i32>,
    /// What the source's tables must say about it.
    pub(crate) notes: Vec<String>,
    /// The source of each year's figures.
    pub(crate) eras: Eras,
    /// What a table of person-level figures must say of the asked years
    /// (aggregate years without figures; a year covered in part).
    pub(crate) person_notes: Vec<String>,
    /// The names of the source's förbund and insatser (none for an extract).
    pub(crate) names: crate::publish::table::KeyNames,
}

/// The state of `split` over `state_years` of `source`, after checking the
/// asked `years` against what the source can report on; with the persons of
/// each cell only if `persons` (the tables that count none skip them).
pub(crate) fn computed(
    source: Source<'_>,
    split: &Split,
    years: &RangeInclusive<i32>,
    state_years: RangeInclusive<i32>,
    config: &Config,
    persons: bool,
) -> Result<Computed> {
    check_years(source, config, years)?;
    let mut c = match source {
        Source::Data(data) => {
            let ctx = Context::new(data, config, state_years)?;
            let rows = (&data.deltaganden, &data.anonyma_deltagare);
            let state = State::compute_parallel_with(split, &ctx, rows.0, rows.1, 2, persons);
            let complete = complete_years(data, &state, ctx.uttagsdatum);
            let eras = Eras::of(data, config, ctx.uttagsdatum);
            let (groups, cutoff) = (ctx.groups.clone(), ctx.uttagsdatum);
            let names = data.key_names();
            Computed { state, groups, cutoff, complete, notes: Vec::new(), eras, person_notes: Vec::new(), names }
        }
        Source::Extract(extract) => {
            let partial = Partial::compute_with(extract, split, state_years.clone(), config, persons, 2)?;
            partial_counts(Cow::Owned(partial), split, &state_years, config, persons)?.computed(config)
        }
        Source::Partial(partial) => {
            partial_counts(Cow::Borrowed(partial), split, &state_years, config, persons)?.computed(config)
        }
    };
    // An aggregate year has no person-level figures: the person rows of part
    // of it are not the year.
    c.state.retain_years(|ar| c.eras.source(ar) == YearSource::PersonLevel);
    c.person_notes = c.eras.person_level_notes(years);
    Ok(c)
}

/// What the tables of a partial state need: its counts for a split and
/// years, its cut-off, benefit groups and notes.
pub(crate) struct PartialCounts {
    pub(crate) state: State,
    pub(crate) cutoff: Date,
    pub(crate) groups: Vec<Ersattningsgrupp>,
    pub(crate) notes: Vec<String>,
}

/// The counts of `partial` for `split` over `years`, at its cut-off; an
/// owned state gives up its person sets instead of copying them.
pub(crate) fn partial_counts(
    partial: Cow<'_, Partial>,
    split: &Split,
    years: &RangeInclusive<i32>,
    config: &Config,
    persons: bool,
) -> Result<PartialCounts> {
    let cutoff = partial_cutoff(&partial, config)?;
    let (groups, notes) = (partial.groups().to_vec(), partial.notes());
    let state = match partial {
        Cow::Owned(owned) => owned.into_state_for(split, years)?,
        Cow::Borrowed(borrowed) => borrowed.state_for(split, years, persons)?,
    };
    Ok(PartialCounts { state, cutoff, groups, notes })
}

impl PartialCounts {
    /// The counts with what their tables need to know under `config`.
    fn computed(self, config: &Config) -> Computed {
        let p = self;
        let complete = observed_complete_years(&p.state, p.cutoff);
        let eras = Eras::person_level(p.cutoff, config);
        Computed {
            state: p.state,
            groups: p.groups,
            cutoff: p.cutoff,
            complete,
            notes: p.notes,
            eras,
            person_notes: Vec::new(),
            names: Default::default(),
        }
    }
}

/// The cut-off of `partial`, which the options may not contradict.
pub(crate) fn partial_cutoff(partial: &Partial, config: &Config) -> Result<Date> {
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
    /// `builder`'s table of person-level figures with the source's notes
    /// and what it says of aggregate years, disclosure-controlled.
    pub(crate) fn finish(&self, mut builder: Builder, config: &Config) -> Table {
        builder.table.notes.extend(self.person_notes.iter().cloned());
        self.finish_participants(builder, config)
    }

    /// `builder`'s participant table (whose aggregate years have figures)
    /// with the source's notes, disclosure-controlled.
    pub(crate) fn finish_participants(&self, mut builder: Builder, config: &Config) -> Table {
        builder.table.notes.extend(self.notes.iter().cloned());
        let mut table = builder.finish(&config.disclosure);
        self.names.apply(&mut table);
        table
    }
}

/// Computes the state of `split` over `years` of a data set or an extract
/// (validating the options). The years of the aggregate era
/// ([`era`](crate::engine::era)) have no cells: their person rows are of
/// part of a year at most.
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

/// The years a data set can report on: from the first year with
/// participation data (participations, anonymous counts, aggregate rows or,
/// when participations are streamed, insatser) to the year of the cut-off,
/// or to the last year whose aggregates count participants of
/// individinriktade insatser if later (the aggregate era).
///
/// # Errors
/// `invalid_argument` if the cut-off is unknown or the data hold no dated rows.
pub fn data_years(data: &Dataset, config: &Config) -> Result<RangeInclusive<i32>> {
    let cutoff = Context::cutoff(data, config).ok();
    let first = data
        .deltaganden
        .iter()
        .map(|d| d.start.year())
        .chain(data.anonyma_deltagare.iter().map(|a| a.ar))
        .chain(data.insats_ar.iter().map(|r| r.ar))
        .min()
        .or_else(|| data.insatser.iter().map(|i| i.start.year()).min());
    // The aggregates of Uppföljning Finsam count years after the person-level cut-off.
    let last_aggregate = crate::engine::era::participant_aggregate_years(data).last().copied();
    let (first, last) = match (first, cutoff) {
        (Some(first), Some(cutoff)) => (first, cutoff.year().max(first).max(last_aggregate.unwrap_or(first))),
        _ => {
            return Err(Error::InvalidArgument {
                name: "years",
                message: "the data hold no dated participations, counts or insatser to report on".into(),
            });
        }
    };
    // A data set narrowed to some years holds whole figures for those only.
    match &data.scope.years {
        Some(kept) if (*kept.start()).max(first) <= (*kept.end()).min(last) => {
            Ok((*kept.start()).max(first)..=(*kept.end()).min(last))
        }
        Some(kept) => Err(Error::InvalidArgument {
            name: "years",
            message: format!("the data set was narrowed to {kept:?}, where it holds no data to report on"),
        }),
        None => Ok(first..=last),
    }
}

/// Refuses years the data cannot speak for: an empty range, or years
/// before the first data or after the cut-off.
pub(crate) fn check_years(source: Source<'_>, config: &Config, years: &RangeInclusive<i32>) -> Result<()> {
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
            "{asked} is outside the data: valid years are {}–{} (from the first participation data to the cut-off or the last year of aggregates)",
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
pub(crate) fn complete_years(data: &Dataset, state: &State, cutoff: Date) -> std::collections::BTreeSet<i32> {
    let years = if data.anonyma_deltagare.is_empty() && data.insats_ar.iter().all(|r| r.deltagare().is_none()) {
        observed_complete_years(state, cutoff)
    } else {
        let counted = data.reporting_years();
        counted.into_iter().filter(|&y| Date::last_of_year(y).is_some_and(|d| d <= cutoff)).collect()
    };
    // Outside a narrowed data set's years, a year holds only the
    // participations that reach into them.
    years.into_iter().filter(|&y| data.scope.has_year(y)).collect()
}

/// The years observed in `state` less the first, and less years not closed
/// by the cut-off (for sources without reporting years of their own).
pub(crate) fn observed_complete_years(state: &State, cutoff: Date) -> std::collections::BTreeSet<i32> {
    let observed: std::collections::BTreeSet<i32> = state.cells().keys().map(|k| k.ar).collect();
    let first = observed.iter().copied().chain(state.first_start()).min();
    observed
        .into_iter()
        .filter(|&y| first.is_some_and(|f| y > f))
        .filter(|&y| Date::last_of_year(y).is_some_and(|d| d <= cutoff))
        .collect()
}

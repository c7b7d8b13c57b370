//! `deltagare`: participants per year (persons, anonymous, participations,
//! started) and the change from the previous year.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeInclusive;

use super::catalogue::{IndicatorSpec, REPORTS};
use super::parts::*;
use super::state::{Accumulator, Key};
use super::{Config, Split};
use crate::engine::era::{EraCounts, SeriesBreak, YearSource, year_list};
use crate::engine::source::*;
use crate::error::Result;
use crate::publish::disclosure::Reason;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};

/// The catalogue entry of `deltagare`.
pub const SPEC: IndicatorSpec = IndicatorSpec {
    id: "deltagare",
    label_sv: "Deltagare i individinriktade insatser",
    label_en: "Participants in individual-level interventions",
    unit: "participants",
    population: "Person-level years: participations in individinriktade insatser started or ongoing on any day of the year; felregistrering excluded. Anonymous participants are added where the split allows (year, förbund, insats, kön); otherwise they cannot be attributed and are not added. Years of the aggregate era (from 2023): the aggregate rows of individinriktade insatser.",
    definition: "Person-level years: distinct persons plus anonymous participants; also participations, participations started in the year. Aggregate years: the participants the aggregates count, summed over insatser (a person in two counts in each), by förbund, insats and kön only. The change from the previous year in percent, flagged (brott_i_serien) where the two years come from different sources.",
    source: REPORTS,
    eras: "Both: person-level years from the participations (and anonymous counts); aggregate years from the aggregate rows, by förbund, insats and kön only.",
};

/// Participants per year: persons, anonymous, participations, started, and
/// the change in participants from the previous year. Years of the
/// aggregate era take their participants from the aggregates per insats
/// ([`era`](crate::engine::era)); a change between years of different
/// sources is flagged in `brott_i_serien`.
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
    let c = computed(source, split, &years, state_years.clone(), config, true)?;
    let era = EraCounts::of(source, split, &state_years, &c.eras);
    let cells = with_totals(&c.state)?;
    let cells = cells.iter().map(|(k, acc)| (*k, acc)).collect();
    let mut b = participants_table(split, &cells, &years, &c.complete, config, &era)?;
    if source.is_flat() {
        b.table.notes.push(EXTRACT_HAS_NO_ANONYMOUS.into());
    }
    Ok(c.finish_participants(b, config))
}

/// The participants of a year: from the person-level cells, or from the
/// aggregates in a year of the aggregate era.
pub(crate) fn participants_table(
    split: &Split,
    person_cells: &BTreeMap<Key, &Accumulator>,
    years: &RangeInclusive<i32>,
    complete: &BTreeSet<i32>,
    config: &Config,
    era: &EraCounts,
) -> Result<Builder> {
    let labels = Labels { config };
    let eras = &era.eras;
    let wanted = |ar: i32| years.contains(&ar) || years.contains(&ar.saturating_add(1));
    let mut counts: BTreeMap<Key, Participants<'_>> = person_cells
        .iter()
        .filter(|(k, _)| wanted(k.ar) && eras.source(k.ar) == YearSource::PersonLevel)
        .map(|(k, &acc)| (*k, Participants::Persons(acc)))
        .collect();
    counts.extend(era.aggregates.iter().filter(|(k, _)| wanted(k.ar)).map(|(k, &n)| (*k, Participants::Aggregate(n))));
    let rows: Vec<(Key, ())> = counts.keys().map(|&k| (k, ())).collect();
    // A year counts for a change when its source counts all of it.
    let whole_year = |ar: i32| match eras.source(ar) {
        YearSource::PersonLevel => complete.contains(&ar) && eras.person_level_whole(ar),
        // The aggregates are a year's figures, delivered when it has closed.
        YearSource::Aggregates => true,
    };
    let mut b = Builder::new(
        SPEC.id,
        SPEC.label_sv,
        key_columns(split),
        &[
            ("deltagare", Unit::Count),
            ("personer", Unit::Count),
            ("anonyma", Unit::Count),
            ("deltaganden", Unit::Count),
            ("startade", Unit::Count),
            ("forandring_procent", Unit::Percent),
            ("brott_i_serien", Unit::Flag),
        ],
    );
    let index: HashMap<Key, usize> = rows.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect();
    let mut flagged = false;
    for (k, count) in &counts {
        let prev = Key { ar: k.ar.saturating_sub(1), ..*k };
        let comparable = whole_year(k.ar) && whole_year(prev.ar);
        let broken = eras.is_break(k.ar) && counts.contains_key(&prev);
        flagged |= broken && years.contains(&k.ar);
        let change = match (index.get(&prev), counts.get(&prev)) {
            (Some(_), Some(_)) if comparable && broken && config.series_break == SeriesBreak::Withhold => {
                Raw::Withheld(Reason::SeriesBreak)
            }
            (Some(&p), Some(before)) if comparable && before.deltagare() > 0 => Raw::Derived(
                (count.deltagare() as f64 - before.deltagare() as f64) / before.deltagare() as f64 * 100.0,
                vec![(index[k], 0), (p, 0)],
            ),
            _ => Raw::Derived(f64::NAN, vec![]),
        };
        let mut values = count.values();
        values.push(change);
        values.push(Raw::Derived(f64::from(u8::from(broken)), vec![]));
        let r = b.push(labels.key(split, k), values);
        // The aggregates' sum over insatser is another count than persons plus anonymous.
        let measures: &[&str] = match count {
            Participants::Persons(_) => &["deltagare", "personer", "anonyma", "deltaganden", "startade"],
            Participants::Aggregate(_) => &["deltagare_aggregat"],
        };
        for (c, measure) in measures.iter().enumerate() {
            b.ids.push(((r, c), count_id(*measure, split, k)));
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
        let aggregate = eras.aggregate_years_in(years);
        if !aggregate.is_empty() {
            b.table.notes.push(format!(
                "No participants for {}: the aggregates of those years count them by förbund, insats and kön only.",
                year_list(&aggregate)
            ));
        }
    }
    b.table.notes.extend(eras.source_note(years));
    b.table.notes.extend(eras.coverage_notes(years));
    if flagged {
        b.table.notes.push(match config.series_break {
            SeriesBreak::Flag => "brott_i_serien = 1: the year and the year before come from different sources (person-level participations and the aggregates per insats), so forandring_procent compares unlike counts.".into(),
            SeriesBreak::Withhold => "forandring_procent is withheld (series_break) where the year and the year before come from different sources.".into(),
        });
    }
    let shown: Vec<i32> = years.clone().filter(|&y| whole_year(y) && whole_year(y - 1)).collect();
    if shown.len() < years.clone().count() {
        let counted: BTreeSet<i32> =
            complete.iter().copied().filter(|&y| whole_year(y)).chain(eras.counted_aggregate_years()).collect();
        b.table.notes.push(format!(
            "forandring_procent is withheld (not_computable) unless both years are complete reporting years of the data ({}); the first year of the data and person-level years not closed by the cut-off or the end of person-level data are not.",
            year_list(&counted)
        ));
    }
    Ok(b)
}

/// What a participant row counts: a person-level cell, or the aggregates.
enum Participants<'a> {
    Persons(&'a Accumulator),
    Aggregate(u64),
}

impl Participants<'_> {
    fn deltagare(&self) -> u64 {
        match self {
            Participants::Persons(acc) => acc.deltagare(),
            Participants::Aggregate(n) => *n,
        }
    }

    /// deltagare, personer, anonyma, deltaganden and startade.
    fn values(&self) -> Vec<Raw> {
        match self {
            Participants::Persons(acc) => vec![
                Raw::Count(acc.deltagare()),
                Raw::Count(acc.personer.len() as u64),
                Raw::Count(acc.anonyma),
                Raw::Count(acc.deltaganden),
                Raw::Count(acc.startade),
            ],
            Participants::Aggregate(n) => {
                let absent = || Raw::Withheld(Reason::NotInSource);
                vec![Raw::Count(*n), absent(), absent(), absent(), absent()]
            }
        }
    }
}

/// What the participant tables of a flat extract say of anonymous participants.
pub(crate) const EXTRACT_HAS_NO_ANONYMOUS: &str =
    "A flat extract has no anonymous participants: deltagare are the persons.";

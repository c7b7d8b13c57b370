//! `deltagare`: participants per year (persons, anonymous, participations,
//! started) and the change from the previous year.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use super::catalogue::{IndicatorSpec, REPORTS};
use super::parts::*;
use super::state::Key;
use super::{Config, Split, State};
use crate::engine::source::*;
use crate::error::Result;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};

/// The catalogue entry of `deltagare`.
pub const SPEC: IndicatorSpec = IndicatorSpec {
    id: "deltagare",
    label_sv: "Deltagare i individinriktade insatser",
    label_en: "Participants in individual-level interventions",
    unit: "persons",
    population: "Participations in individinriktade insatser started or ongoing on any day of the year; felregistrering excluded. Anonymous participants are added where the split allows (year, förbund, insats, kön); otherwise they cannot be attributed and are not added.",
    definition: "Distinct persons plus anonymous participants; also participations, participations started in the year, and the change in participants from the previous year in percent.",
    source: REPORTS,
};

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

pub(crate) fn participants_table(
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

pub(crate) fn year_list(years: &std::collections::BTreeSet<i32>) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if years.len() as i64 == i64::from(b - a) + 1 => format!("{a}–{b}"),
        (Some(_), Some(_)) => years.iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
        _ => "none".to_owned(),
    }
}

/// What the participant tables of a flat extract say of anonymous participants.
pub(crate) const EXTRACT_HAS_NO_ANONYMOUS: &str =
    "A flat extract has no anonymous participants: deltagare are the persons.";

//! `forsorjning_overgang`: försörjning before → after.

use std::ops::RangeInclusive;

use super::catalogue::{IndicatorSpec, REPORTS};
use super::parts::*;
use super::state::{Key, SOURCES};
use super::{Config, Split, State};
use crate::engine::source::*;
use crate::error::{Error, Result};
use crate::model::*;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};

/// The catalogue entry of `forsorjning_overgang`.
pub const SPEC: IndicatorSpec = IndicatorSpec {
    id: "forsorjning_overgang",
    label_sv: "Försörjning före och efter",
    label_en: "Source of support before and after",
    unit: "share",
    population: "Participations as for utfall.",
    definition: "Of those with source X before, the share with each source Y after. A participation with several sources counts under each; rows therefore need not sum to one.",
    source: REPORTS,
    eras: "Person-level years only: absent, with a note, for years of the aggregate era.",
};

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

pub(crate) fn source_label(i: usize) -> &'static str {
    Forsorjning::ALL.get(i).map_or("ej_registrerad", |f| f.code())
}

pub(crate) fn transitions_table(state: &State, config: &Config) -> Result<Builder> {
    let split = state.split();
    let labels = Labels { config };
    let cells = with_totals(state)?;
    let mut keys = key_columns(split);
    keys.extend(["fore".to_owned(), "efter".to_owned()]);
    let mut b = Builder::new(SPEC.id, SPEC.label_sv, keys, &[("antal", Unit::Count), ("andel", Unit::Share)]);
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

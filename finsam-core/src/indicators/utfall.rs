//! `utfall`: status after ended participations, the headline shares and
//! every status, with intervals.

use std::ops::RangeInclusive;

use super::catalogue::{IndicatorSpec, REPORTS};
use super::parts::*;
use super::state::Key;
use super::{Config, Split, State, ci_values};
use crate::engine::source::*;
use crate::error::Result;
use crate::model::*;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};

/// The catalogue entry of `utfall`.
pub const SPEC: IndicatorSpec = IndicatorSpec {
    id: "utfall",
    label_sv: "Sysselsättning efter avslutad insats",
    label_en: "Status after an ended participation",
    unit: "share",
    population: "Participations with personal data in individinriktade insatser ended in the year. Excluded and counted: felregistrering (from everything) and those with no status registered (from the shares).",
    definition: "The share in förvärvsarbete or studier, and in förvärvsarbete, studier or aktivt arbetssökande, of those with a registered status; also each status. Intervals: Wilson by default (Clopper–Pearson and Agresti–Coull on request).",
    source: REPORTS,
    eras: "Person-level years only: absent, with a note, for years of the aggregate era.",
};

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

pub(crate) fn outcomes_table(state: &State, config: &Config) -> Result<Builder> {
    let split = state.split();
    let labels = Labels { config };
    let cells = with_totals(state)?;
    let rows: Vec<(Key, ())> = cells.keys().map(|&k| (k, ())).collect();
    let mut b = Builder::new(
        SPEC.id,
        SPEC.label_sv,
        key_columns(split),
        &[
            ("n", Unit::Count),
            ("utan_status", Unit::Count),
            ("felregistrering", Unit::Count),
            ("andel_arbete_studier", Unit::Share),
            ("andel_arbete_studier_lo", Unit::Share),
            ("andel_arbete_studier_hi", Unit::Share),
            ("andel_arbete_studier_sokande", Unit::Share),
            ("andel_arbete_studier_sokande_lo", Unit::Share),
            ("andel_arbete_studier_sokande_hi", Unit::Share),
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

pub(crate) fn interval_note(config: &Config) -> String {
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
        SPEC.id,
        &format!("{}, per status", SPEC.label_sv),
        keys,
        &[("antal", Unit::Count), ("andel", Unit::Share), ("andel_lo", Unit::Share), ("andel_hi", Unit::Share)],
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

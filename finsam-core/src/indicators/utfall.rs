//! `utfall`: status after ended participations, the headline shares and
//! every status, with intervals.

use std::ops::RangeInclusive;

use super::catalogue::{IndicatorSpec, REPORTS};
use super::parts::*;
use super::state::Key;
use super::{Accumulator, Config, Split, State, YearSource, ci_values};
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
    definition: "The share in förvärvsarbete or studier, and in förvärvsarbete, studier or aktivt arbetssökande, of those with a registered status; also each status. Intervals: Wilson by default (Clopper–Pearson and Agresti–Coull on request). The numerators (n_arbete_studier, n_arbete_studier_sokande) are shown beside the shares so that differences can be tested; they are share × n, which the share and n show already, so they are withheld with the share.",
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
            ("n_arbete_studier", Unit::Count),
            ("n_arbete_studier_sokande", Unit::Count),
        ],
    );
    for (r, (k, _)) in rows.iter().enumerate() {
        let acc = &cells[k];
        let n = acc.med_status();
        let (ws, wss) = (successes(acc, false), successes(acc, true));
        let mut values = vec![Raw::Count(n), Raw::Count(acc.utan_status), Raw::Count(acc.felregistrering)];
        values.extend(ci_values(ws, n, config, vec![(r, 0)]));
        values.extend(ci_values(wss, n, config, vec![(r, 0)]));
        // The numerators: share × n, which the share and its n show
        // already, so they are shown and withheld with the share (rounded
        // as n is, if counts are rounded), for users to test differences.
        let numerator = |k: u64| Raw::Derived(config.disclosure.rounded(k) as f64, vec![(r, 0)]);
        values.extend([numerator(ws), numerator(wss)]);
        b.push(labels.key(split, k), values);
        for (c, measure) in ["med_status", "utan_status", "felregistrering"].into_iter().enumerate() {
            b.ids.push(((r, c), count_id(measure, split, k)));
        }
    }
    b.margins = margins(&rows, split.dims());
    b.table.notes.push(interval_note(config));
    Ok(b)
}

/// The catalogue entry of `utfall_forandring`.
pub const SPEC_CHANGE: IndicatorSpec = IndicatorSpec {
    id: "utfall_forandring",
    label_sv: "Förändring i sysselsättning efter avslutad insats",
    label_en: "Change in the status after an ended participation",
    unit: "share difference",
    population: "As utfall, in the year and the year before.",
    definition: "Per cell, the shares to work or studies (and to work, studies or job seeking) in the year and the year before, and their difference (the year − the year before) with Newcombe's hybrid score interval for two independent proportions. Both denominators are shown as counts, so that the difference can be tested further; a share whose denominator is withheld is withheld, and so is the difference.",
    source: REPORTS,
    eras: "Person-level years only: both years must be person-level.",
};

/// The change of the headline shares from `year − 1` to `year`, per cell
/// of `split`, with Newcombe's interval for the difference of two
/// independent proportions (as statsmodels' `confint_proportions_2indep`
/// with `method="newcomb"`).
///
/// ```
/// use finsam_core::indicators::{Config, Split};
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = finsam_core::report::outcome_change(&data, &Split::parse(&["kon"])?, 2021, &Config::default())?;
/// let now = t.value(&["2021", "alla"], "andel_arbete_studier").unwrap();
/// let before = t.value(&["2021", "alla"], "andel_arbete_studier_fg").unwrap();
/// assert!((t.value(&["2021", "alla"], "andel_arbete_studier_diff").unwrap() - (now - before)).abs() < 1e-15);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` for invalid options, or a year whose previous year
/// the source cannot report on.
pub fn outcome_change<'a>(source: impl Into<Source<'a>>, split: &Split, year: i32, config: &Config) -> Result<Table> {
    let years = year.saturating_sub(1)..=year;
    let c = computed(source.into(), split, &years, years.clone(), config, false)?;
    // Both years whole and person-level: a year the data cover in part (the
    // first, one not closed, one of the aggregate era) would show a change
    // that is not one.
    if let Some(y) = [year - 1, year].into_iter().find(|y| {
        !c.complete.contains(y) || !c.eras.person_level_whole(*y) || c.eras.source(*y) != YearSource::PersonLevel
    }) {
        return Err(crate::error::Error::InvalidArgument {
            name: "year",
            message: format!(
                "the change from {} to {year} needs both years whole in person-level data, and {y} is not (the first year of the data, a year not closed by the cut-off, or one of the aggregate era)",
                year - 1
            ),
        });
    }
    Ok(c.finish(change_table(&c.state, year, config)?, config))
}

fn change_table(state: &State, year: i32, config: &Config) -> Result<Builder> {
    let split = state.split();
    let cells = with_totals(state)?;
    // A row for every cell of either year: a cell the year before has and
    // this year lacks is a row too (n = 0), or the total minus the rows
    // shown would give its count away.
    let keys: std::collections::BTreeSet<Key> =
        cells.keys().filter(|k| k.ar == year || k.ar == year - 1).map(|&k| Key { ar: year, ..k }).collect();
    let rows: Vec<(Key, ())> = keys.into_iter().map(|k| (k, ())).collect();
    let mut b = Builder::new(
        SPEC_CHANGE.id,
        &format!("{} från {}", SPEC_CHANGE.label_sv, year - 1),
        key_columns(split),
        &[
            ("n", Unit::Count),
            ("n_fg", Unit::Count),
            ("andel_arbete_studier", Unit::Share),
            ("andel_arbete_studier_fg", Unit::Share),
            ("andel_arbete_studier_diff", Unit::ShareDifference),
            ("andel_arbete_studier_diff_lo", Unit::ShareDifference),
            ("andel_arbete_studier_diff_hi", Unit::ShareDifference),
            ("andel_arbete_studier_sokande", Unit::Share),
            ("andel_arbete_studier_sokande_fg", Unit::Share),
            ("andel_arbete_studier_sokande_diff", Unit::ShareDifference),
            ("andel_arbete_studier_sokande_diff_lo", Unit::ShareDifference),
            ("andel_arbete_studier_sokande_diff_hi", Unit::ShareDifference),
        ],
    );
    let labels = Labels { config };
    let empty = Accumulator::default();
    for (r, (k, _)) in rows.iter().enumerate() {
        let before_key = Key { ar: year - 1, ..*k };
        let (now, before) = (cells.get(k).unwrap_or(&empty), cells.get(&before_key).unwrap_or(&empty));
        let (n, n_fg) = (now.med_status(), before.med_status());
        let mut values = vec![Raw::Count(n), Raw::Count(n_fg)];
        for with_seeking in [false, true] {
            let (k1, k2) = (successes(now, with_seeking), successes(before, with_seeking));
            let both = vec![(r, 0), (r, 1)];
            let ci = crate::stats::newcombe_diff(k1, n, k2, n_fg, config.level).ok();
            values.push(Raw::Derived(share(k1, n), vec![(r, 0)]));
            values.push(Raw::Derived(share(k2, n_fg), vec![(r, 1)]));
            values.extend(
                [ci.map(|i| i.estimate), ci.map(|i| i.lo), ci.map(|i| i.hi)]
                    .map(|v| Raw::Derived(v.unwrap_or(f64::NAN), both.clone())),
            );
        }
        b.push(labels.key(split, k), values);
        b.ids.push(((r, 0), count_id("med_status", split, k)));
        b.ids.push(((r, 1), count_id("med_status", split, &before_key)));
    }
    b.margins = margins(&rows, split.dims());
    b.table.notes.push(format!(
        "Year {year} − year {}: shares of ended participations with a status, the difference with Newcombe's hybrid score interval at {:.0} %. Excluded from the shares: no status registered and felregistrering.",
        year - 1,
        config.level * 100.0
    ));
    Ok(b)
}

/// Ended participations to work or studies (and job seeking, if `with_seeking`).
pub(crate) fn successes(acc: &Accumulator, with_seeking: bool) -> u64 {
    let ws = acc.utfall[Utfall::Arbete as usize] + acc.utfall[Utfall::Studier as usize];
    if with_seeking { ws + acc.utfall[Utfall::Arbetssokande as usize] } else { ws }
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

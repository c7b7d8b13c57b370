//! `ersattningsdagar`: benefit days before and after ended participations,
//! per reporting group, with the paired interval of the change.

use std::ops::RangeInclusive;

use super::catalogue::IndicatorSpec;
use super::parts::*;
use super::state::Key;
use super::{Config, Split, State};
use crate::Date;
use crate::engine::source::*;
use crate::error::Result;
use crate::model::*;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};
use crate::stats::mean_ci;

/// The catalogue entry of `ersattningsdagar`.
pub const SPEC: IndicatorSpec = IndicatorSpec {
    id: "ersattningsdagar",
    label_sv: "Dagar med ersättning före och efter",
    label_en: "Benefit days before and after",
    unit: "days",
    population: "Participations as for utfall whose after-window has closed by the cut-off date; those still open are excluded and counted.",
    definition: "Per reporting group (SP+RP, AE, SA, and any other present): the mean days in the window before start (default the 365 days ending the day before start) and after end (default the 365 days starting the day after end), and the paired mean difference after − before with a t-interval. From spells, a day at 50 % counts as half a day (choice; whole-day counting on request); or from pre-computed window days.",
    source: "FK återrapport 2020 (domain.md §4.4); windows and partial days are finsam's documented choice",
    eras: "Person-level years only: absent, with a note, for years of the aggregate era.",
};

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

pub(crate) fn benefit_table(
    state: &State,
    groups: &[Ersattningsgrupp],
    cutoff: Date,
    config: &Config,
) -> Result<Builder> {
    let split = state.split();
    let labels = Labels { config };
    let cells = with_totals(state)?;
    let mut keys = key_columns(split);
    keys.push("grupp".into());
    let mut b = Builder::new(
        SPEC.id,
        SPEC.label_sv,
        keys,
        &[
            ("n", Unit::Count),
            ("medel_fore", Unit::Days),
            ("medel_efter", Unit::Days),
            ("medel_diff", Unit::Days),
            ("medel_diff_lo", Unit::Days),
            ("medel_diff_hi", Unit::Days),
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

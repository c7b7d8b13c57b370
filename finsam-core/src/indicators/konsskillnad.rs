//! `konsskillnad` and `konsskillnad_dagar`: men − women in the outcome
//! shares and in the change of benefit days.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use super::catalogue::{IndicatorSpec, REPORTS};
use super::parts::*;
use super::state::{Accumulator, Key};
use super::{Config, Dim, Split, State};
use crate::engine::source::*;
use crate::error::{Error, Result};
use crate::model::*;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};
use crate::stats::{newcombe_diff, welch_diff};

/// The catalogue entry of `konsskillnad_dagar`.
pub const SPEC_DAGAR: IndicatorSpec = IndicatorSpec {
    id: "konsskillnad_dagar",
    label_sv: "Skillnad mellan män och kvinnor i förändrade dagar med ersättning",
    label_en: "Difference between men and women in the change of benefit days",
    unit: "days",
    population: "As for ersattningsdagar, men and women; persons whose kön is not registered are in neither group.",
    definition: "Per reporting group, the mean change in benefit days (after − before) of men and of women, and men − women with Welch's interval.",
    source: REPORTS,
    eras: "Person-level years only: absent, with a note, for years of the aggregate era.",
};

/// The catalogue entry of `konsskillnad`.
pub const SPEC: IndicatorSpec = IndicatorSpec {
    id: "konsskillnad",
    label_sv: "Skillnad mellan män och kvinnor i andel till arbete eller studier",
    label_en: "Difference between men and women in the share to work or studies",
    unit: "share; difference in percentage points",
    population: "As for utfall, men and women; persons whose kön is not registered are in neither group.",
    definition: "The shares of men and of women in förvärvsarbete or studier (and with aktivt arbetssökande), and men − women with Newcombe's hybrid score interval.",
    source: REPORTS,
    eras: "Person-level years only: absent, with a note, for years of the aggregate era.",
};

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

pub(crate) fn gender_gap_state(
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
pub(crate) struct GenderRows {
    base: Split,
    cells: BTreeMap<Key, Accumulator>,
    rows: Vec<(Key, usize)>,
}

impl GenderRows {
    pub(crate) fn new(state: &State, measures: usize) -> Result<GenderRows> {
        let dims = state.split().dims();
        let base = Split::new(&dims[..dims.len() - 1])?;
        let cells = with_totals(state)?;
        let kon_at = dims.len() - 1;
        let rows =
            cells.keys().filter(|k| k.parts[kon_at] == ALLA).flat_map(|k| (0..measures).map(|m| (*k, m))).collect();
        Ok(GenderRows { base, cells, rows })
    }

    /// The key of kön `kon` in the cell `k` of the base split.
    pub(crate) fn key_of(&self, k: &Key, kon: Kon) -> Key {
        let mut parts = k.parts;
        parts[self.base.dims().len()] = kon as u32;
        Key { parts, ..*k }
    }

    pub(crate) fn of(&self, k: &Key, kon: Kon) -> &Accumulator {
        static EMPTY: std::sync::LazyLock<Accumulator> = std::sync::LazyLock::new(Accumulator::default);
        self.cells.get(&self.key_of(k, kon)).unwrap_or(&EMPTY)
    }

    pub(crate) fn builder(&self, id: &str, title: &str, measure_key: &str, unit: Unit, difference: Unit) -> Builder {
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
                ("diff", difference),
                ("diff_lo", difference),
                ("diff_hi", difference),
            ],
        )
    }

    /// Links the n of men and women in row `r` to the count `measure` of
    /// their cells, which other tables of a report publish too.
    pub(crate) fn link(&self, b: &mut Builder, r: usize, split: &Split, k: &Key, measure: &str) {
        b.ids.push(((r, 0), count_id(measure, split, &self.key_of(k, Kon::Man))));
        b.ids.push(((r, 1), count_id(measure, split, &self.key_of(k, Kon::Kvinna))));
    }

    pub(crate) fn finish(&self, mut b: Builder, note: String) -> Builder {
        b.margins = margins(&self.rows, self.base.dims());
        b.table.notes.push(note);
        b.table.notes.push("Persons whose kön is not registered (okand) are in neither group.".into());
        b
    }
}

/// Three values derived from the counts of a row, each withheld with them.
pub(crate) fn estimate_values(
    first: f64,
    second: f64,
    ci: Option<crate::stats::Interval>,
    deps: &[(usize, usize)],
) -> [Raw; 5] {
    let d = || deps.to_vec();
    [
        Raw::Derived(first, d()),
        Raw::Derived(second, d()),
        Raw::Derived(ci.map_or(f64::NAN, |c| c.estimate), d()),
        Raw::Derived(ci.map_or(f64::NAN, |c| c.lo), d()),
        Raw::Derived(ci.map_or(f64::NAN, |c| c.hi), d()),
    ]
}

pub(crate) fn gender_gap_shares(state: &State, config: &Config) -> Result<Builder> {
    const MEASURES: [&str; 2] = ["arbete_studier", "arbete_studier_sokande"];
    let g = GenderRows::new(state, MEASURES.len())?;
    let labels = Labels { config };
    let mut b =
        g.builder(SPEC.id, &format!("{} (män − kvinnor)", SPEC.label_sv), "matt", Unit::Share, Unit::ShareDifference);
    for (r, &(k, m)) in g.rows.iter().enumerate() {
        let (men, women) = (g.of(&k, Kon::Man), g.of(&k, Kon::Kvinna));
        let k_of = |a: &Accumulator| super::utfall::successes(a, m == 1);
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

pub(crate) fn gender_gap_days_table(state: &State, groups: &[Ersattningsgrupp], config: &Config) -> Result<Builder> {
    let g = GenderRows::new(state, groups.len())?;
    let labels = Labels { config };
    let mut b =
        g.builder(SPEC_DAGAR.id, &format!("{} (män − kvinnor)", SPEC_DAGAR.label_sv), "grupp", Unit::Days, Unit::Days);
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

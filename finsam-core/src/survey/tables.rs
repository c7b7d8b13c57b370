//! The published survey tables: indicator values, the change from the
//! previous year and the comparison of respondent groups, with disclosure
//! control.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;

use super::state::*;
use super::*;
use crate::Dataset;
use crate::error::Result;
use crate::publish::disclosure::{Cell, Reason};
use crate::publish::table::{Builder, CountId, Raw};
use crate::publish::{Table, Unit};
use crate::stats::{mean_ci, newcombe_diff, welch_diff};

pub(crate) fn group_of(g: u8) -> Respondentgrupp {
    Respondentgrupp::ALL[g as usize]
}

pub(crate) fn kon_label(k: u32) -> String {
    if k == ALLA { "alla".into() } else { Kon::ALL[k as usize].code().into() }
}

pub(crate) fn forbund_label(f: u32) -> String {
    if f == ALLA { "alla".into() } else { f.to_string() }
}

/// The indicator values of `years`: per year, respondent group and
/// indicator, and per förbund and/or kön as `split` asks, with total rows.
///
/// # Errors
/// As [`SurveyState::compute`].
pub fn indicators(
    data: &Dataset,
    years: RangeInclusive<i32>,
    split: SurveySplit,
    config: &SurveyConfig,
) -> Result<Table> {
    Ok(data.named(indicator_table(&SurveyState::compute(data, years, config)?, split)))
}

pub(crate) fn indicator_table(state: &SurveyState, split: SurveySplit) -> Table {
    let built = indicator_builder(state, split);
    let mut tables = crate::publish::table::finish_together(vec![built.builder], &state.config.disclosure);
    let mut table = tables.pop().unwrap_or_else(|| unreachable!("one builder gives one table"));
    withhold_few(&mut table, &built.few);
    table
}

/// An indicator table before disclosure control: the builder, the row of
/// each cell, and the rows with too few responses for their values.
pub(crate) struct IndicatorRows {
    pub(crate) builder: Builder,
    pub(crate) index: HashMap<CellKey, usize>,
    pub(crate) few: Vec<usize>,
}

/// Withholds the values (not the counts) of rows from too few responses.
pub(crate) fn withhold_few(table: &mut Table, few: &[usize]) {
    for &r in few {
        for v in table.rows[r].values.iter_mut().skip(3) {
            *v = Cell::Suppressed(Reason::FewResponses);
        }
    }
}

pub(crate) fn indicator_builder(state: &SurveyState, split: SurveySplit) -> IndicatorRows {
    let config = &state.config;
    let mut b = Builder::new(
        "enkatindikatorer",
        "NNS-indikatorer: medelvärde och andel höga svar",
        split.key_columns(),
        &[
            ("n", Unit::Count),
            ("vet_ej", Unit::Count),
            ("ej_svar", Unit::Count),
            ("medel", Unit::Number),
            ("medel_lo", Unit::Number),
            ("medel_hi", Unit::Number),
            ("andel_hog", Unit::Share),
            ("andel_hog_lo", Unit::Share),
            ("andel_hog_hi", Unit::Share),
        ],
    );
    let mut index: HashMap<CellKey, usize> = HashMap::new();
    let mut few: Vec<usize> = Vec::new();
    for (&key, sums) in &state.cells {
        if !split.includes(key.1, key.3) {
            continue;
        }
        let label = split.label(key, config);
        let r = b.raw.len();
        let mut values = vec![Raw::Count(sums.n), Raw::Count(sums.vet_ej), Raw::Count(sums.ej_svar)];
        values.extend(mean_values(sums, state.unit, config.level, r));
        values.extend(crate::publish::table::share_values(sums.hog, sums.n, config.method, config.level, vec![(r, 0)]));
        b.push(label, values);
        index.insert(key, r);
        let (ar, f, g, k, i) = key;
        for (c, measure) in ["n", "vet_ej", "ej_svar"].into_iter().enumerate() {
            let id = CountId { measure: format!("enkat:{measure}:{g}:{i}"), ar, parts: vec![f, k] };
            b.ids.push(((r, c), id));
        }
        if sums.n < config.min_svar {
            few.push(r);
        }
    }
    // Each förbund's and each kön's rows add up to the `alla` row.
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (&(ar, f, g, k, i), &r) in &index {
        if f != ALLA
            && let Some(&t) = index.get(&(ar, ALLA, g, k, i))
        {
            groups.entry(t * 2).or_default().push(r);
        }
        if k != ALLA
            && let Some(&t) = index.get(&(ar, f, g, ALLA, i))
        {
            groups.entry(t * 2 + 1).or_default().push(r);
        }
    }
    b.margins = groups.into_iter().map(|(g, parts)| (parts, g / 2)).collect();
    b.table.notes.push(format!(
        "Score: the mean of a questionnaire's answers on the indicator's items (scale {}–{}); \"vet ej\" and unanswered items are not scores, and questionnaires with none on the scale are counted in vet_ej / ej_svar. medel with a t-interval; andel_hog = share of scores ≥ {} ({:?}), at {:.0} %. Values from fewer than {} responses are withheld (few_responses).",
        config.skala_min, config.skala_max, config.hog_niva, config.method, config.level * 100.0, config.min_svar
    ));
    IndicatorRows { builder: b, index, few }
}

/// The mean and its t-interval, withheld with the n at `(row, 0)`.
pub(crate) fn mean_values(sums: &CellSums, unit: i128, level: f64, row: usize) -> [Raw; 3] {
    let deps = || vec![(row, 0)];
    match mean_ci(sums.moments(unit), level) {
        Ok(ci) => [Raw::Derived(ci.estimate, deps()), Raw::Derived(ci.lo, deps()), Raw::Derived(ci.hi, deps())],
        Err(_) => {
            let mean = sums.moments(unit).mean;
            [Raw::Derived(mean, deps()), Raw::Derived(f64::NAN, deps()), Raw::Derived(f64::NAN, deps())]
        }
    }
}

/// The change from `year − 1` to `year` per respondent group and indicator
/// (and förbund and/or kön as `split` asks): the difference of means with
/// Welch's interval and of top-box shares with Newcombe's.
///
/// ```
/// use finsam_core::survey::{self, SurveyConfig, SurveySplit};
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = survey::change(&data, 2021, SurveySplit::default(), &SurveyConfig::default())?;
/// assert!(t.value(&["2021", "deltagare_avslut", "nojdhet"], "medel_diff").is_some());
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// As [`SurveyState::compute`].
pub fn change(data: &Dataset, year: i32, split: SurveySplit, config: &SurveyConfig) -> Result<Table> {
    let state = SurveyState::compute(data, year - 1..=year, config)?;
    Ok(data.named(change_table(&state, year, split, &HashSet::new())))
}

/// `withheld`: cells whose respondent count another table of the same
/// publication withholds; their differences are withheld too, since an
/// interval's width gives its n away.
pub(crate) fn change_table(state: &SurveyState, year: i32, split: SurveySplit, withheld: &HashSet<CellKey>) -> Table {
    let config = &state.config;
    let mut rows = Vec::new();
    for (&(ar, f, g, k, i), now) in state.cells.range((year, 0, 0, 0, 0)..(year + 1, 0, 0, 0, 0)) {
        if ar != year || !split.includes(f, k) {
            continue;
        }
        let before = state.cells.get(&(year - 1, f, g, k, i)).copied().unwrap_or_default();
        let key = split.label((ar, f, g, k, i), config);
        let values = if withheld.contains(&(ar, f, g, k, i)) {
            vec![Cell::Suppressed(Reason::Denominator); 10]
        } else {
            difference_cells(now, &before, state.unit, config)
        };
        rows.push(crate::publish::Row { key, values });
    }
    Table {
        names: Default::default(),
        id: "enkatindikatorer_forandring".into(),
        title: format!("NNS-indikatorer: förändring från {}", year - 1),
        keys: split.key_columns(),
        columns: difference_columns("fg"),
        rows,
        notes: vec![format!(
            "This year − last year: means with Welch's interval, top-box shares with Newcombe's hybrid score interval, at {:.0} %. Withheld (few_responses) when either year has fewer than {} responses.",
            config.level * 100.0,
            config.min_svar
        )],
    }
}

pub(crate) fn difference_columns(other: &str) -> Vec<crate::publish::Column> {
    let c = |name: String, unit| crate::publish::Column { name, unit };
    vec![
        c("medel".into(), Unit::Number),
        c(format!("medel_{other}"), Unit::Number),
        c("medel_diff".into(), Unit::Number),
        c("medel_diff_lo".into(), Unit::Number),
        c("medel_diff_hi".into(), Unit::Number),
        c("andel_hog".into(), Unit::Share),
        c(format!("andel_hog_{other}"), Unit::Share),
        c("andel_diff".into(), Unit::ShareDifference),
        c("andel_diff_lo".into(), Unit::ShareDifference),
        c("andel_diff_hi".into(), Unit::ShareDifference),
    ]
}

/// The difference `a − b` of two cells' means and shares with intervals;
/// withheld if either has fewer responses than the minimum (or than the
/// disclosure threshold, as its counts would be).
pub(crate) fn difference_cells(a: &CellSums, b: &CellSums, unit: i128, config: &SurveyConfig) -> Vec<Cell<f64>> {
    let minimum = config.min_svar.max(if config.disclosure.enabled { config.disclosure.threshold } else { 0 });
    if a.n < minimum || b.n < minimum {
        return vec![Cell::Suppressed(Reason::FewResponses); 10];
    }
    let shown = |x: f64| if x.is_finite() { Cell::Shown(x) } else { Cell::Suppressed(Reason::NotComputable) };
    let (ma, mb) = (a.moments(unit), b.moments(unit));
    let means = welch_diff(ma, mb, config.level).map_or([f64::NAN; 3], |ci| [ci.estimate, ci.lo, ci.hi]);
    let shares =
        newcombe_diff(a.hog, a.n, b.hog, b.n, config.level).map_or([f64::NAN; 3], |ci| [ci.estimate, ci.lo, ci.hi]);
    let share = |k: u64, n: u64| k as f64 / n as f64;
    [
        ma.mean,
        mb.mean,
        means[0],
        means[1],
        means[2],
        share(a.hog, a.n),
        share(b.hog, b.n),
        shares[0],
        shares[1],
        shares[2],
    ]
    .into_iter()
    .map(shown)
    .collect()
}

/// Each förbund against the rest of the country in `year`, per respondent
/// group and indicator: both values, the national value, and the
/// difference förbund − rest with intervals.
///
/// ```
/// use finsam_core::survey::{self, SurveyConfig};
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = survey::comparison(&data, 2021, &SurveyConfig::default())?;
/// assert_eq!(t.keys, vec!["ar", "forbund", "respondentgrupp", "indikator"]);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// As [`SurveyState::compute`]; `invalid_argument` for a data set narrowed
/// to some förbund ([`Dataset::filter`]), which lacks the rest of the country.
pub fn comparison(data: &Dataset, year: i32, config: &SurveyConfig) -> Result<Table> {
    data.scope.require_nation("the comparison with the rest of the country")?;
    Ok(data.named(comparison_table(&SurveyState::compute(data, year..=year, config)?, year, &HashSet::new())))
}

/// `withheld`: as for [`change_table`].
pub(crate) fn comparison_table(state: &SurveyState, year: i32, withheld: &HashSet<CellKey>) -> Table {
    let config = &state.config;
    let mut rows = Vec::new();
    for (&(ar, f, g, k, i), own) in &state.cells {
        if ar != year || f == ALLA || k != ALLA {
            continue;
        }
        let national = state.cells.get(&(ar, ALLA, g, ALLA, i)).copied().unwrap_or_default();
        let rest = CellSums {
            n: national.n - own.n,
            sum: national.sum - own.sum,
            sum_sq: national.sum_sq - own.sum_sq,
            hog: national.hog - own.hog,
            vet_ej: national.vet_ej - own.vet_ej,
            ej_svar: national.ej_svar - own.ej_svar,
        };
        let mut values = if withheld.contains(&(ar, f, g, k, i)) {
            vec![Cell::Suppressed(Reason::Denominator); 10]
        } else {
            difference_cells(own, &rest, state.unit, config)
        };
        let national_mean = national.moments(state.unit).mean;
        values.insert(
            2,
            if national.n >= config.min_svar {
                Cell::Shown(national_mean)
            } else {
                Cell::Suppressed(Reason::FewResponses)
            },
        );
        let key =
            vec![ar.to_string(), f.to_string(), group_of(g).code().into(), config.indikatorer[i as usize].id.clone()];
        rows.push(crate::publish::Row { key, values });
    }
    let mut columns = difference_columns("ovriga");
    columns.insert(2, crate::publish::Column { name: "medel_riket".into(), unit: Unit::Number });
    Table {
        names: Default::default(),
        id: "enkatindikatorer_jamforelse".into(),
        title: "NNS-indikatorer: förbundet jämfört med övriga landet".into(),
        keys: vec!["ar".into(), "forbund".into(), "respondentgrupp".into(), "indikator".into()],
        columns,
        rows,
        notes: vec![format!(
            "Förbund − the rest of the country (independent samples): means with Welch's interval, top-box shares with Newcombe's, at {:.0} %; medel_riket is the national mean including the förbund. Withheld (few_responses) below {} responses.",
            config.level * 100.0,
            config.min_svar
        )],
    }
}

/// The survey section of the annual report: national values by group and
/// kön, values per förbund by group, the change from the previous year and
/// each förbund against the rest of the country. Empty if the data have no
/// answers for `year`.
///
/// # Errors
/// As [`SurveyState::compute`].
pub fn report_tables(data: &Dataset, year: i32, config: &SurveyConfig) -> Result<Vec<Table>> {
    if !data.enkatsvar.iter().any(|a| a.ar == year) {
        return Ok(Vec::new());
    }
    let state = SurveyState::compute(data, year - 1..=year, config)?;
    let current = SurveyState {
        config: state.config.clone(),
        unit: state.unit,
        cells: state.cells.iter().filter(|(k, _)| k.0 == year).map(|(k, v)| (*k, *v)).collect(),
    };
    // The two indicator tables share their national rows: one disclosure problem.
    let parts = [SurveySplit { forbund: false, kon: true }, SurveySplit { forbund: true, kon: false }]
        .map(|split| indicator_builder(&current, split));
    let [by_kon, by_forbund] = parts;
    let (indices, few) = ([by_kon.index, by_forbund.index], [by_kon.few, by_forbund.few]);
    let mut tables =
        crate::publish::table::finish_together(vec![by_kon.builder, by_forbund.builder], &config.disclosure);
    let mut withheld: HashSet<CellKey> = HashSet::new();
    for ((table, index), few) in tables.iter_mut().zip(&indices).zip(&few) {
        withhold_few(table, few);
        withheld.extend(index.iter().filter(|(_, r)| table.rows[**r].values[0].value().is_none()).map(|(k, _)| *k));
    }
    tables.push(change_table(&state, year, SurveySplit::default(), &withheld));
    // The rest of the country is not in a data set narrowed to some förbund.
    if !data.scope.is_part_of_nation() {
        tables.push(comparison_table(&current, year, &withheld));
    }
    Ok(tables)
}

//! `insatsekonomi` and `forbundsekonomi`: the indicators of the aggregate
//! rows and the förbund economies, which both eras of data give (domain.md
//! §3): budget and utfall of insatser with their participants, and each
//! förbund's allocation, administrative costs and equity against the
//! recommended level.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeInclusive;

use super::catalogue::IndicatorSpec;
use super::parts::{ALLA, count_id, with_alla};
use super::state::{Key, UNUSED};
use super::{Config, Dim, Split};
use crate::Dataset;
use crate::engine::source::check_years;
use crate::error::{Error, Result};
use crate::finance::EquityRule;
use crate::model::*;
use crate::publish::disclosure::Reason;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};

/// The catalogue entry of `insatsekonomi`.
pub const SPEC_INSATSER: IndicatorSpec = IndicatorSpec {
    id: "insatsekonomi",
    label_sv: "Budget, utfall och deltagare i insatser",
    label_en: "Budget, outcome and participants of interventions",
    unit: "öre; participants",
    population: "Aggregate rows (insats_ar) of the year, by the insats's inriktning; behovsgrupp: the individinriktade insatser aimed at at least one prioritised behovsgrupp, individ_ovriga: the other individinriktade.",
    definition: "Per group (individ, split into behovsgrupp and individ_ovriga; struktur; alla): insatser with a row, budget and utfall summed, utfall as a share of the budget and of the alla group's utfall (where the money went), participants counted by the aggregates, budgeted participants, participants against budgeted and utfall per participant (whole öre). A sum is shown only where every row of the group gives the value.",
    source: "Uppföljning Finsam (domain.md §3); finsam's choice of ratios",
    eras: "Both: the aggregate rows, which hold budget and utfall in both eras; participants only where the rows count them (individinriktade insatser from 2023).",
};

/// The catalogue entry of `forbundsekonomi`.
pub const SPEC_FORBUND: IndicatorSpec = IndicatorSpec {
    id: "forbundsekonomi",
    label_sv: "Förbundens ekonomi",
    label_en: "The förbund's finances",
    unit: "öre",
    population: "Förbund with an economy row (forbund_ekonomi) for the year.",
    definition: "Per förbund: the budget, the state's allocation, the administrative costs and their share of the budget, the equity at year end, the recommended level (by default 20 % of the budget, the allocation model's equity rule) and whether the equity is above it; the alla row sums them and counts the förbund above.",
    source: "Fördelningsmodell för statens medelstilldelning (FK 2015; domain.md §6)",
    eras: "Both: the förbund economies.",
};

/// The groups of `insatsekonomi`, in table order.
/// behovsgrupp and individ_ovriga split individ (so that neither can be
/// derived from individ alone); individ and struktur sum to alla.
const GROUPS: [&str; 5] = ["individ", "behovsgrupp", "individ_ovriga", "struktur", "alla"];
const INDIVID: usize = 0;
const BEHOVSGRUPP: usize = 1;
const INDIVID_OVRIGA: usize = 2;
const STRUKTUR: usize = 3;
const ALL_GROUPS: usize = 4;

/// The sums of one group's rows, with how many rows give each value.
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    insatser: u64,
    budget: (i64, u64),
    utfall: (i64, u64),
    deltagare: (u64, u64),
    budgeterade: (u64, u64),
}

impl Sums {
    fn add(&mut self, r: &InsatsAr) {
        self.insatser += 1;
        if let Some(b) = r.budget {
            self.budget = (self.budget.0 + b.0, self.budget.1 + 1);
        }
        if let Some(u) = r.utfall {
            self.utfall = (self.utfall.0 + u.0, self.utfall.1 + 1);
        }
        if let Some(n) = r.deltagare() {
            self.deltagare = (self.deltagare.0 + u64::from(n), self.deltagare.1 + 1);
        }
        if let Some(n) = r.budgeterade_deltagare {
            self.budgeterade = (self.budgeterade.0 + u64::from(n), self.budgeterade.1 + 1);
        }
    }

    /// A sum, if every row of the group gives the value: a sum over some
    /// of them is not the group's, and with the rest published it would
    /// give away theirs.
    fn whole<T: Copy>(&self, (sum, rows): (T, u64)) -> Option<T> {
        (rows == self.insatser && rows > 0).then_some(sum)
    }
}

/// Budget, utfall and participants of insatser per year, by group
/// (individ, struktur, behovsgrupp, alla), nationally or by `by` (förbund,
/// insats or both; an insats has one row, in its own group). Participant
/// counts pass disclosure control; what is derived from a withheld count
/// is withheld with it.
///
/// ```
/// use finsam_core::indicators::{Config, Split};
/// use finsam_core::indicators::ekonomi::insats_economy;
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = insats_economy(&data, &Split::national(), 2024..=2024, &Config::default())?;
/// let (individ, struktur, alla) = (t.value(&["2024", "individ"], "utfall"), t.value(&["2024", "struktur"], "utfall"),
///     t.value(&["2024", "alla"], "utfall"));
/// assert_eq!(individ.unwrap() + struktur.unwrap(), alla.unwrap());
/// assert_eq!(t.value(&["2024", "individ"], "deltagare"), Some(21_600.0));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` for years outside the data or a split by anything
/// but förbund and insats.
pub fn insats_economy(data: &Dataset, by: &Split, years: RangeInclusive<i32>, config: &Config) -> Result<Table> {
    check_years(data.into(), config, &years)?;
    Ok(data.named(insats_economy_table(data, by, &years)?.finish(&config.disclosure)))
}

pub(crate) fn insats_economy_table(data: &Dataset, by: &Split, years: &RangeInclusive<i32>) -> Result<Builder> {
    if let Some(d) = by.dims().iter().find(|d| !matches!(d, Dim::Forbund | Dim::Insats)) {
        return Err(Error::InvalidArgument {
            name: "by",
            message: format!("{} is not in the aggregate rows: split by forbund or insats", d.code()),
        });
    }
    let insatser: HashMap<InsatsId, &Insats> = data.insatser.iter().map(|i| (i.id, i)).collect();
    let per_insats = by.dims().contains(&Dim::Insats);
    // (year, key parts, group) → sums; the key parts are ALLA where totalled.
    let mut cells: BTreeMap<(i32, Vec<u32>, usize), Sums> = BTreeMap::new();
    let mut without_money = 0;
    for r in data.insats_ar.iter().filter(|r| years.contains(&r.ar)) {
        let Some(insats) = insatser.get(&r.insats) else { continue };
        without_money += u64::from(r.budget.is_none() || r.utfall.is_none());
        let own = if insats.inriktning == Inriktning::Individ { INDIVID } else { STRUKTUR };
        let mut groups = vec![own];
        if !per_insats {
            groups.push(ALL_GROUPS);
            if own == INDIVID {
                groups.push(if insats.behovsgrupper.is_empty() { INDIVID_OVRIGA } else { BEHOVSGRUPP });
            }
        }
        let parts: Vec<u32> =
            by.dims().iter().map(|d| if *d == Dim::Forbund { insats.forbund.0 } else { insats.id.0 }).collect();
        // An insats is its own unit: no totals when the split has one.
        let keys: Vec<Vec<u32>> = if per_insats { vec![parts.clone()] } else { with_alla(&parts).collect() };
        for keys in keys {
            for &g in &groups {
                cells.entry((r.ar, keys.clone(), g)).or_default().add(r);
            }
        }
    }
    let mut keys = vec!["ar".to_owned()];
    keys.extend(by.dims().iter().map(|d| d.code().to_owned()));
    keys.push("grupp".into());
    let mut b = Builder::new(
        SPEC_INSATSER.id,
        SPEC_INSATSER.label_sv,
        keys,
        &[
            ("insatser", Unit::Tally),
            ("budget", Unit::Ore),
            ("utfall", Unit::Ore),
            ("utfall_andel_av_budget", Unit::Share),
            ("andel_av_utfall", Unit::Share),
            ("deltagare", Unit::Count),
            ("budgeterade_deltagare", Unit::Tally),
            ("deltagare_andel_av_budgeterade", Unit::Share),
            ("utfall_per_deltagare", Unit::Ore),
        ],
    );
    let index: HashMap<(i32, Vec<u32>, usize), usize> = cells.keys().enumerate().map(|(i, k)| (k.clone(), i)).collect();
    for ((ar, parts, g), s) in &cells {
        let r = b.table.rows.len();
        let total = cells.get(&(*ar, parts.clone(), ALL_GROUPS));
        let mut key = vec![ar.to_string()];
        key.extend(parts.iter().map(|&p| if p == ALLA { "alla".to_owned() } else { p.to_string() }));
        key.push(GROUPS[*g].to_owned());
        b.push(key, row_values(s, total, r, per_insats));
        // The same counts as the participant tables (aggregate years) and the insatser tables publish.
        let measure = match *g {
            INDIVID => "deltagare_aggregat".to_owned(),
            STRUKTUR => "deltagare_struktur".to_owned(),
            other => format!("insatsekonomi_deltagare_{}", GROUPS[other]),
        };
        let mut key_parts = [UNUSED; Split::MAX];
        key_parts[..parts.len()].copy_from_slice(parts);
        b.ids.push(((r, 5), count_id(measure, by, &Key { ar: *ar, parts: key_parts })));
    }
    b.margins = economy_margins(&cells, &index, by.dims().len(), per_insats);
    b.table.notes.push("behovsgrupp is the individinriktade insatser aimed at a prioritised behovsgrupp and individ_ovriga the rest of them: together they are individ. deltagare are counted per insats (a person in two insatser counts in each); withheld as not_in_source unless every row of the group counts participants (individinriktade insatser do not before 2023, so neither does alla then).".into());
    if without_money > 0 {
        b.table.notes.push(format!(
            "{without_money} insats rows lack budget or utfall: a sum (and what is computed from it) is shown only where every row of the group gives the value."
        ));
    }
    Ok(b)
}

fn row_values(s: &Sums, total: Option<&Sums>, r: usize, per_insats: bool) -> Vec<Raw> {
    let nan = || Raw::Derived(f64::NAN, vec![]);
    let ratio = |a: Option<f64>, b: Option<f64>, deps: Vec<(usize, usize)>| match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => Raw::Derived(a / b, deps),
        _ => Raw::Derived(f64::NAN, deps),
    };
    let (budget, utfall) = (s.whole(s.budget), s.whole(s.utfall));
    let deltagare = s.whole(s.deltagare);
    let budgeterade = s.whole(s.budgeterade);
    let all_utfall = total.filter(|_| !per_insats).and_then(|t| t.whole(t.utfall));
    let per_deltagare = match (utfall, deltagare) {
        (Some(u), Some(n)) if n > 0 => Raw::Derived((u as f64 / n as f64).round(), vec![(r, 5)]),
        _ => Raw::Derived(f64::NAN, vec![(r, 5)]),
    };
    let float = |v: Option<i64>| v.map(|v| v as f64);
    vec![
        Raw::Count(s.insatser),
        budget.map_or_else(nan, |b| Raw::Derived(b as f64, vec![])),
        utfall.map_or_else(nan, |u| Raw::Derived(u as f64, vec![])),
        ratio(float(utfall), float(budget), vec![]),
        ratio(float(utfall), float(all_utfall), vec![]),
        deltagare.map_or(Raw::Withheld(Reason::NotInSource), Raw::Count),
        budgeterade.map_or_else(nan, Raw::Count),
        ratio(deltagare.map(|n| n as f64), budgeterade.map(|b| b as f64), vec![(r, 5)]),
        per_deltagare,
    ]
}

/// The rows that sum to another: individ + struktur = alla in each key,
/// and the parts of a key along one dimension to its total (per group).
fn economy_margins(
    cells: &BTreeMap<(i32, Vec<u32>, usize), Sums>,
    index: &HashMap<(i32, Vec<u32>, usize), usize>,
    dims: usize,
    per_insats: bool,
) -> Vec<(Vec<usize>, usize)> {
    let mut groups: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (ar, parts, g) in cells.keys() {
        let row = index[&(*ar, parts.clone(), *g)];
        let whole = match *g {
            INDIVID | STRUKTUR => Some(ALL_GROUPS),
            BEHOVSGRUPP | INDIVID_OVRIGA => Some(INDIVID),
            _ => None,
        };
        if let (false, Some(whole)) = (per_insats, whole)
            && let Some(&t) = index.get(&(*ar, parts.clone(), whole))
        {
            groups.entry((t, dims)).or_default().push(row);
        }
        for d in 0..dims {
            if parts[d] == ALLA || per_insats {
                continue;
            }
            let mut total = parts.clone();
            total[d] = ALLA;
            if let Some(&t) = index.get(&(*ar, total, *g)) {
                groups.entry((t, d)).or_default().push(row);
            }
        }
    }
    groups.into_iter().map(|((t, _), parts)| (parts, t)).collect()
}

/// Each förbund's economy per year: budget, the state's allocation,
/// administrative costs and their share, equity against the recommended
/// level of `rule` (the allocation model's, by default), and an `alla` row
/// with the sums and the förbund above the level.
///
/// ```
/// use finsam_core::indicators::Config;
/// use finsam_core::indicators::ekonomi::forbund_economy;
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = forbund_economy(&data, 2024..=2024, &Default::default(), &Config::default())?;
/// assert_eq!(t.value(&["2024", "alla"], "statlig_tilldelning"), Some(33_900_000_000.0)); // 339 million kr in öre
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` for years outside the data.
pub fn forbund_economy(
    data: &Dataset,
    years: RangeInclusive<i32>,
    rule: &EquityRule,
    config: &Config,
) -> Result<Table> {
    check_years(data.into(), config, &years)?;
    Ok(data.named(forbund_economy_table(data, &years, rule).finish(&config.disclosure)))
}

pub(crate) fn forbund_economy_table(data: &Dataset, years: &RangeInclusive<i32>, rule: &EquityRule) -> Builder {
    let mut b = Builder::new(
        SPEC_FORBUND.id,
        SPEC_FORBUND.label_sv,
        vec!["ar".into(), "forbund".into()],
        &[
            ("forbund_antal", Unit::Tally),
            ("budget", Unit::Ore),
            ("statlig_tilldelning", Unit::Ore),
            ("administrationskostnad", Unit::Ore),
            ("administrationsandel", Unit::Share),
            ("eget_kapital", Unit::Ore),
            ("rekommenderad_niva", Unit::Ore),
            ("eget_kapital_andel", Unit::Share),
            ("over_rekommenderad_niva", Unit::Tally),
        ],
    );
    let years_present: BTreeSet<i32> =
        data.forbund_ekonomi.iter().map(|e| e.ar).filter(|y| years.contains(y)).collect();
    for year in years_present {
        let mut rows: Vec<&ForbundEkonomi> = data.forbund_ekonomi.iter().filter(|e| e.ar == year).collect();
        rows.sort_by_key(|e| e.forbund);
        // förbund, budget, allocation, administration, equity, the förbund's levels, those above
        let mut totals = [0i64; 7];
        let mut complete = [true; 4];
        for e in &rows {
            let level = e.budget.map(|b| rule.level(b));
            let above = match (e.eget_kapital, level) {
                (Some(k), Some(l)) => Some(k > l),
                _ => None,
            };
            let money = [e.budget, e.statlig_tilldelning, e.administrationskostnad, e.eget_kapital];
            for (i, v) in money.iter().enumerate() {
                totals[i + 1] += v.map_or(0, |o| o.0);
                complete[i] &= v.is_some();
            }
            totals[0] += 1;
            totals[5] += level.map_or(0, |l| l.0);
            totals[6] += i64::from(above == Some(true));
            b.push(vec![year.to_string(), e.forbund.0.to_string()], money_values(1, money, level, above));
        }
        let sum = |i: usize| complete[i - 1].then_some(Ore(totals[i]));
        // The national level is the förbund's levels summed (a staircase's step is per förbund).
        let level = complete[0].then_some(Ore(totals[5]));
        let above = (complete[0] && complete[3]).then_some(totals[6] as u64);
        let mut values = money_values(totals[0] as u64, [sum(1), sum(2), sum(3), sum(4)], level, None);
        values[8] = above.map_or(Raw::Derived(f64::NAN, vec![]), Raw::Count);
        b.push(vec![year.to_string(), "alla".into()], values);
    }
    b.table.notes.push(
        "rekommenderad_niva is the equity rule's level for the budget; over_rekommenderad_niva is 1 for a förbund whose equity is above it, and the number of such förbund in the alla row. A sum is withheld (not_computable) if a förbund lacks the value.".into(),
    );
    b
}

fn money_values(forbund: u64, money: [Option<Ore>; 4], level: Option<Ore>, above: Option<bool>) -> Vec<Raw> {
    let amount = |o: Option<Ore>| Raw::Derived(o.map_or(f64::NAN, |o| o.0 as f64), vec![]);
    let share = |a: Option<Ore>, b: Option<Ore>| match (a, b) {
        (Some(a), Some(b)) if b.0 != 0 => Raw::Derived(a.0 as f64 / b.0 as f64, vec![]),
        _ => Raw::Derived(f64::NAN, vec![]),
    };
    let [budget, tilldelning, administration, kapital] = money;
    vec![
        Raw::Count(forbund),
        amount(budget),
        amount(tilldelning),
        amount(administration),
        share(administration, budget),
        amount(kapital),
        amount(level),
        share(kapital, budget),
        above.map_or(Raw::Derived(f64::NAN, vec![]), |a| Raw::Count(u64::from(a))),
    ]
}

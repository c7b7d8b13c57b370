//! The state's allocation among förbund (the model of 2015, in use from 2016).
//!
//! # The steps
//!
//! 1. **Base.** Every förbund gets the base amount (400,000 kr).
//! 2. **Model.** The rest of the state's total is split 75 : 25; the 75 %
//!    among the förbund by their försörjningsmått (full-year equivalents of
//!    SP/RP, AE, SA, a-kassa, aktivitetsstöd, etableringsersättning and
//!    försörjningsstöd over the förbund's area), the 25 % by their
//!    inhabitants aged 16–64. Base + both parts is the *model amount*.
//! 3. **Equity.** A förbund whose equity (eget kapital) exceeds the
//!    recommended level, a percentage of its budget set by a staircase
//!    ([`EquityRule`]), has its model amount reduced by a share of the excess
//!    (by default one half: the state's part of the money), at most to 0.
//!    Such a förbund is not protected by the 10 % rule (the model's text:
//!    "omfattas inte av 10-procentspärren").
//! 4. **The 10 % rule and redistribution.** The rest of the total (after
//!    the reduced förbund) goes to the other förbund: each gets the base and
//!    a part of what remains in proportion to its model amount above the
//!    base, except that none gets less than 90 % of last year's allocation
//!    (rounded up to the öre). Förbund held at that floor are taken out and
//!    the others' parts computed again, until none is below its floor. So the
//!    floors are paid for, and the equity reductions shared out, in
//!    proportion to the model; the total is always exactly the state's total.
//!
//! Every amount is whole öre split with [`apportion`], so the allocations
//! sum exactly to the total. The result keeps every step per förbund
//! ([`AllocationRow`]) and [`Allocation::to_table`] shows them.
//!
//! The default staircase is one step, 20 % of the budget, and is finsam's
//! assumption: enter the national council's current recommendation as
//! [`EquityStep`]s.

use serde::{Deserialize, Serialize};

use super::apportion;
use crate::Dataset;
use crate::error::{Error, Result};
use crate::model::*;
use crate::publish::disclosure::{Cell, Reason};
use crate::publish::{Column, Row, Table, Unit};

/// One step of the equity staircase: for budgets up to `budget_upto` (the
/// last step: any budget), the recommended equity is at most
/// `max_procent` % of the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquityStep {
    /// The largest budget the step applies to (`None`: no limit).
    pub budget_upto: Option<Ore>,
    /// The recommended maximum equity in percent of the budget.
    pub max_procent: u32,
}

/// The equity rule: the recommended level and how much of the excess is
/// taken from the allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EquityRule {
    /// The staircase, in increasing `budget_upto`; the first step whose
    /// limit the budget does not exceed applies.
    pub steps: Vec<EquityStep>,
    /// The percentage of the excess taken from the allocation.
    pub minskning_procent: u32,
}

impl Default for EquityRule {
    fn default() -> Self {
        EquityRule { steps: vec![EquityStep { budget_upto: None, max_procent: 20 }], minskning_procent: 50 }
    }
}

impl EquityRule {
    /// The recommended level for a budget.
    ///
    /// ```
    /// use finsam_core::{finance::EquityRule, Ore};
    /// assert_eq!(EquityRule::default().level(Ore::from_kronor(5_000_000)), Ore::from_kronor(1_000_000));
    /// ```
    pub fn level(&self, budget: Ore) -> Ore {
        let step = self.steps.iter().find(|s| s.budget_upto.is_none_or(|u| budget <= u));
        let procent = step.or(self.steps.last()).map_or(0, |s| s.max_procent);
        Ore(((i128::from(budget.0) * i128::from(procent)) / 100) as i64)
    }
}

/// The parameters of the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AllocationParams {
    /// The state's total for the year (339 million kr for many years).
    pub total: Ore,
    /// The base amount per förbund.
    pub grundbelopp: Ore,
    /// The percentage of the rest split by försörjningsmått (the rest of it by population).
    pub forsorjning_procent: u32,
    /// The largest fall from last year's allocation, in percent.
    pub max_minskning_procent: u32,
    /// The equity rule (`None`: not applied).
    pub eget_kapital: Option<EquityRule>,
}

impl Default for AllocationParams {
    fn default() -> Self {
        AllocationParams {
            total: Ore::from_kronor(339_000_000),
            grundbelopp: Ore::from_kronor(400_000),
            forsorjning_procent: 75,
            max_minskning_procent: 10,
            eget_kapital: Some(EquityRule::default()),
        }
    }
}

/// Every step of one förbund's allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllocationRow {
    /// The förbund.
    pub forbund: ForbundId,
    /// Its name.
    pub namn: String,
    /// The number of member kommuner in its area.
    pub kommuner: usize,
    /// Inhabitants aged 16–64.
    pub invanare_16_64: u64,
    /// The försörjningsmått.
    pub forsorjningsmatt: Hundradelar,
    /// Step 1: the base amount.
    pub grund: Ore,
    /// Step 2: the part by försörjningsmått.
    pub forsorjningsdel: Ore,
    /// Step 2: the part by population.
    pub befolkningsdel: Ore,
    /// Step 2: base + both parts.
    pub modell: Ore,
    /// Last year's allocation.
    pub foregaende: Option<Ore>,
    /// The floor of the 10 % rule (`None`: no last year, or not protected because of equity).
    pub golv: Option<Ore>,
    /// Step 3: the recommended equity level.
    pub rimlig_niva: Option<Ore>,
    /// Step 3: the equity.
    pub eget_kapital: Option<Ore>,
    /// Step 3: the reduction for equity above the level.
    pub minskning: Ore,
    /// Step 4: `true` if held at the floor of the 10 % rule.
    pub sparr: bool,
    /// The allocation.
    pub tilldelning: Ore,
}

impl AllocationRow {
    /// Step 4: what the redistribution added or took: the allocation minus
    /// (model − equity reduction).
    pub fn omfordelning(&self) -> Ore {
        Ore(self.tilldelning.0 - (self.modell.0 - self.minskning.0))
    }

    /// The change from last year in percent.
    pub fn forandring_procent(&self) -> Option<f64> {
        self.foregaende.filter(|f| f.0 > 0).map(|f| (self.tilldelning.0 - f.0) as f64 / f.0 as f64 * 100.0)
    }
}

/// The allocation of one year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allocation {
    /// The year allocated.
    pub ar: i32,
    /// The parameters used.
    pub params: AllocationParams,
    /// One row per förbund, in input order.
    pub rows: Vec<AllocationRow>,
    /// How many rounds of the 10 % rule it took.
    pub rundor: u32,
}

/// Allocates `params.total` among `inputs` (see the [module docs](self)).
///
/// # Examples
/// ```
/// use finsam_core::finance::{allocate, AllocationInput, AllocationParams};
/// use finsam_core::{ForbundId, Hundradelar, Ore};
/// let input = |id, pop, fm, last: Option<i64>| AllocationInput {
///     forbund: ForbundId(id), namn: format!("F{id}"), kommuner: vec![], invanare_16_64: pop,
///     forsorjningsmatt: [Hundradelar(fm), Hundradelar(0), Hundradelar(0), Hundradelar(0), Hundradelar(0), Hundradelar(0), Hundradelar(0)],
///     foregaende: last.map(Ore::from_kronor), eget_kapital: None, budget: None };
/// let params = AllocationParams { total: Ore::from_kronor(2_800_000), eget_kapital: None, ..Default::default() };
/// // Rest 2,000,000 kr: 1,500,000 by försörjningsmått 3 : 1, 500,000 by population 1 : 1.
/// let a = allocate(2021, &[input(1, 1000, 300, None), input(2, 1000, 100, Some(1_400_000))], &params)?;
/// // Model: F1 400,000 + 1,125,000 + 250,000; F2 400,000 + 375,000 + 250,000 = 1,025,000,
/// // below 90 % of 1,400,000 = 1,260,000: F2 is held there and F1 gets the rest.
/// assert_eq!(a.rows[1].tilldelning, Ore::from_kronor(1_260_000));
/// assert_eq!(a.rows[0].tilldelning, Ore::from_kronor(1_540_000));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` for no förbund, percentages above 100, or a
/// försörjningsmått or population that is 0 in total;
/// `allocation_infeasible` if the base amounts, or the floors of the 10 %
/// rule, exceed the total, or if every förbund is reduced for equity (the
/// reductions would have no one to go to).
pub fn allocate(ar: i32, inputs: &[AllocationInput], params: &AllocationParams) -> Result<Allocation> {
    check(inputs, params)?;
    let n = inputs.len() as i128;
    let base = params.grundbelopp;
    // In 128 bits: n base amounts of any size cannot overflow.
    let rest = i128::from(params.total.0) - n * i128::from(base.0);
    if rest < 0 {
        return Err(Error::AllocationInfeasible {
            message: format!("{n} base amounts of {base} kr exceed the total {} kr", params.total),
        });
    }
    let rest = Ore(rest as i64); // 0 ≤ rest ≤ total
    let pots =
        apportion(rest, &[u128::from(params.forsorjning_procent), u128::from(100 - params.forsorjning_procent)])?;
    let fm_weights: Vec<u128> =
        inputs.iter().map(|i| i.forsorjningsmatt.iter().map(|h| h.0.max(0) as u128).sum()).collect();
    let by_fm = apportion(pots[0], &fm_weights)?;
    let by_pop = apportion(pots[1], &inputs.iter().map(|i| u128::from(i.invanare_16_64)).collect::<Vec<_>>())?;
    let mut rows: Vec<AllocationRow> =
        inputs.iter().zip(by_fm.iter().zip(&by_pop)).map(|(i, (&f, &p))| model_row(i, base, f, p, params)).collect();
    let rundor = redistribute(&mut rows, params)?;
    Ok(Allocation { ar, params: params.clone(), rows, rundor })
}

fn check(inputs: &[AllocationInput], params: &AllocationParams) -> Result<()> {
    let argument = |name, message: String| Err(Error::InvalidArgument { name, message });
    if inputs.is_empty() {
        return argument("inputs", "no förbund to allocate to".into());
    }
    if params.forsorjning_procent > 100 || params.max_minskning_procent > 100 {
        return argument("params", "percentages must be in 0..=100".into());
    }
    if params.eget_kapital.as_ref().is_some_and(|e| e.minskning_procent > 100 || e.steps.is_empty()) {
        return argument("eget_kapital", "the reduction must be in 0..=100 % and the staircase needs a step".into());
    }
    if params.total.0 < 0 || params.grundbelopp.0 < 0 {
        return argument("params", "the total and the base amount must not be negative".into());
    }
    Ok(())
}

/// Steps 1–3 for one förbund.
fn model_row(i: &AllocationInput, base: Ore, f: Ore, p: Ore, params: &AllocationParams) -> AllocationRow {
    let modell = Ore(base.0 + f.0 + p.0);
    let rule = params.eget_kapital.as_ref();
    let rimlig_niva = rule.zip(i.budget).map(|(r, b)| r.level(b));
    let minskning = match (rule, rimlig_niva, i.eget_kapital) {
        (Some(r), Some(level), Some(equity)) if equity > level => {
            let taken = (i128::from(equity.0 - level.0) * i128::from(r.minskning_procent)) / 100;
            Ore((taken as i64).min(modell.0))
        }
        _ => Ore(0),
    };
    let over_level = above_level(rimlig_niva, i.eget_kapital);
    let floor_procent = i128::from(100 - params.max_minskning_procent);
    let golv = i.foregaende.filter(|_| !over_level).map(|f| Ore(((i128::from(f.0) * floor_procent + 99) / 100) as i64));
    AllocationRow {
        forbund: i.forbund,
        namn: i.namn.clone(),
        kommuner: i.kommuner.len(),
        invanare_16_64: i.invanare_16_64,
        forsorjningsmatt: i.forsorjningsmatt_total(),
        grund: base,
        forsorjningsdel: f,
        befolkningsdel: p,
        modell,
        foregaende: i.foregaende,
        golv,
        rimlig_niva,
        eget_kapital: i.eget_kapital,
        minskning,
        sparr: false,
        tilldelning: Ore(modell.0 - minskning.0),
    }
}

/// Step 4: shares the total among the förbund not reduced for equity, in
/// proportion to their model amount above the base, holding those who would
/// fall below their floor at it. Returns the rounds taken.
fn redistribute(rows: &mut [AllocationRow], params: &AllocationParams) -> Result<u32> {
    let reduced: Vec<bool> = rows.iter().map(|r| above_level(r.rimlig_niva, r.eget_kapital)).collect();
    // The reduced förbund keep at most their model amounts, whose sum is the total.
    let pool =
        params.total.0 - rows.iter().zip(&reduced).filter(|(_, e)| **e).map(|(r, _)| r.tilldelning.0).sum::<i64>();
    let base = params.grundbelopp.0;
    let mut rounds = 0;
    loop {
        rounds += 1;
        let free: Vec<usize> = (0..rows.len()).filter(|&i| !reduced[i] && !rows[i].sparr).collect();
        // In 128 bits: the floors come from last year's amounts as given, and
        // their sum must not overflow into a wrong answer.
        let held: i128 = rows.iter().filter(|r| r.sparr).filter_map(|r| r.golv).map(|g| i128::from(g.0)).sum();
        let avail = i128::from(pool) - held - i128::from(base) * free.len() as i128;
        if avail < 0 {
            return Err(Error::AllocationInfeasible {
                message: format!(
                    "the floors of the {} % rule ({held} öre) and the base amounts leave {avail} öre to share",
                    params.max_minskning_procent,
                ),
            });
        }
        let avail = avail as i64; // 0 ≤ avail ≤ pool
        if free.is_empty() {
            let held_rows: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].sparr).collect();
            if held_rows.is_empty() && avail > 0 {
                return Err(Error::AllocationInfeasible {
                    message: format!(
                        "every förbund is above the recommended equity level, so the {} kr taken cannot be shared out",
                        Ore(avail)
                    ),
                });
            }
            let extra = apportion(Ore(avail), &held_rows.iter().map(|&i| variable(&rows[i])).collect::<Vec<_>>())?;
            for (&i, e) in held_rows.iter().zip(extra) {
                rows[i].tilldelning = Ore(rows[i].golv.map_or(0, |g| g.0) + e.0);
            }
            return Ok(rounds);
        }
        let weights: Vec<u128> = free.iter().map(|&i| variable(&rows[i])).collect();
        let parts = if weights.iter().all(|&w| w == 0) {
            apportion(Ore(avail), &vec![1; free.len()])?
        } else {
            apportion(Ore(avail), &weights)?
        };
        let mut newly_held = false;
        for (&i, part) in free.iter().zip(&parts) {
            let amount = Ore(base + part.0);
            if rows[i].golv.is_some_and(|g| amount < g) {
                rows[i].sparr = true;
                newly_held = true;
            }
        }
        if !newly_held {
            for (&i, part) in free.iter().zip(parts) {
                rows[i].tilldelning = Ore(base + part.0);
            }
            for r in rows.iter_mut().filter(|r| r.sparr) {
                r.tilldelning = r.golv.unwrap_or(r.tilldelning);
            }
            return Ok(rounds);
        }
    }
}

/// `true` if the equity is known and above the recommended level: the
/// förbund is reduced for it and not protected by the floor.
fn above_level(level: Option<Ore>, equity: Option<Ore>) -> bool {
    matches!((level, equity), (Some(l), Some(e)) if e > l)
}

/// A förbund's model amount above the base: its weight in the redistribution.
fn variable(r: &AllocationRow) -> u128 {
    (r.forsorjningsdel.0 + r.befolkningsdel.0).max(0) as u128
}

/// The model's inputs for `year` from a data set:
///
/// - the förbund that exist on 1 January of `year`, with their member
///   kommuner that day as the area;
/// - inhabitants 16–64 and försörjningsmått summed over the area from
///   `kommunstatistik` of `year − 1` (the latest year known when the
///   allocation is decided in the autumn before);
/// - last year's allocation from `forbund_ekonomi` of `year − 1`; for a
///   förbund formed by a merger, the sum of its predecessors';
/// - equity and the budget it is measured against from `forbund_ekonomi` of
///   `year − 2` (the latest closed accounts), summed over predecessors in
///   the same way.
///
/// ```
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let inputs = finsam_core::finance::allocation::allocation_inputs(&data, 2021)?;
/// assert_eq!(inputs.len(), 76);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `missing_statistics` for a member kommun without statistics for `year − 1`;
/// `membership_conflict` if a kommun is in the area of two förbund (its
/// statistics would be counted twice: give förbund-level inputs instead);
/// `invalid_argument` for a data set narrowed to some förbund by
/// [`Dataset::filter`].
pub fn allocation_inputs(data: &Dataset, year: i32) -> Result<Vec<AllocationInput>> {
    data.scope.require_nation("the state's allocation (it divides the national sum among every förbund)")?;
    let Some(first) = crate::Date::from_ymd(year, 1, 1) else {
        return Err(Error::InvalidArgument { name: "year", message: format!("{year} is not a calendar year") });
    };
    let stats: std::collections::HashMap<KommunKod, &Kommunstatistik> =
        data.kommunstatistik.iter().filter(|s| s.ar == year - 1).map(|s| (s.kommun, s)).collect();
    let economy = |id: ForbundId, ar: i32| data.forbund_ekonomi.iter().find(|e| e.forbund == id && e.ar == ar);
    let mut owner: std::collections::HashMap<KommunKod, ForbundId> = std::collections::HashMap::new();
    let mut inputs = Vec::new();
    for f in data.forbund.iter().filter(|f| f.start <= first && f.slut.is_none_or(|s| s >= first)) {
        let kommuner = f.members_on(first);
        let mut pop = 0u64;
        let mut fm = [Hundradelar(0); 7];
        for &k in &kommuner {
            if let Some(other) = owner.insert(k, f.id) {
                return Err(Error::MembershipConflict {
                    at: Box::new(crate::Location::table("medlemskap").column("kommunkod").value(k.to_string())),
                    message: format!("kommun {k} is in the area of förbund {other} and {} on {first}", f.id),
                });
            }
            let s = stats.get(&k).ok_or_else(|| Error::MissingStatistics {
                at: Box::new(crate::Location::table("kommunstatistik").value(format!("{k} {}", year - 1))),
                message: format!("the allocation for {year} needs the statistics of kommun {k} for {}", year - 1),
            })?;
            pop += u64::from(s.invanare_16_64);
            for (sum, v) in fm.iter_mut().zip(s.forsorjningsmatt) {
                sum.0 = sum.0.saturating_add(v.0);
            }
        }
        // A förbund formed by a merger inherits its predecessors' figures.
        let lineage: Vec<ForbundId> = if f.foregangare.is_empty() { vec![f.id] } else { f.foregangare.clone() };
        let summed = |ar: i32, pick: fn(&ForbundEkonomi) -> Option<Ore>| -> Option<Ore> {
            let own = economy(f.id, ar).and_then(pick);
            own.or_else(|| {
                let parts: Option<Vec<Ore>> = lineage.iter().map(|&p| economy(p, ar).and_then(pick)).collect();
                parts.map(|v| Ore(v.iter().map(|o| o.0).sum()))
            })
        };
        inputs.push(AllocationInput {
            forbund: f.id,
            namn: f.namn.clone(),
            kommuner,
            invanare_16_64: pop,
            forsorjningsmatt: fm,
            foregaende: summed(year - 1, |e| e.statlig_tilldelning),
            eget_kapital: summed(year - 2, |e| e.eget_kapital),
            budget: summed(year - 2, |e| e.budget),
        });
    }
    Ok(inputs)
}

/// Reads förbund-level inputs from a CSV file (`;` or `,`, UTF-8 or
/// Windows-1252; columns of [`fordelningsunderlag`](crate::ingest::table)
/// : `forbund_id`, `namn`, `invanare_16_64`, `fm_sp_rp` … `fm_forsorjningsstod`,
/// `foregaende`, `eget_kapital`, `budget`), for areas that do not follow
/// whole kommuner.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("underlag.csv");
/// std::fs::write(&path, "forbund_id;invanare_16_64;fm_sp_rp;fm_ae;fm_sa;fm_a_kassa;fm_aktivitetsstod;fm_etableringsersattning;fm_forsorjningsstod;foregaende\n1;5000;10.5;1;2;3;4;5;6;1000000\n2;3000;8;0;0;0;0;0;0;\n").unwrap();
/// let inputs = finsam_core::finance::allocation::inputs_from_csv(&path, &Default::default())?;
/// assert_eq!(inputs[0].forsorjningsmatt_total().0, 3_150);
/// assert_eq!(inputs[1].foregaende, None);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// As the data-contract readers: file, line, column and value of the first
/// bad field (or all of them under [`ErrorPolicy::Collect`](crate::ErrorPolicy)).
pub fn inputs_from_csv(path: &std::path::Path, opts: &crate::ingest::CsvOptions) -> Result<Vec<AllocationInput>> {
    let mut report = crate::ValidationReport::new(opts.policy);
    let (rows, _, _) = crate::ingest::csv::read_all::<AllocationInput>(path, opts, &mut report)?;
    report.into_result(rows)
}

impl Allocation {
    /// The explanation table: one row per förbund with every step, and a
    /// total row. Money columns are öre; a step that does not apply (no last
    /// year, no equity figures) is withheld as `not_computable`, never 0.
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let inputs = finsam_core::finance::allocation::allocation_inputs(&data, 2021)?;
    /// let a = finsam_core::finance::allocate(2021, &inputs, &Default::default())?;
    /// let t = a.to_table();
    /// assert_eq!(t.value(&["2021", "alla"], "tilldelning"), Some(339_000_000.0 * 100.0));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn to_table(&self) -> Table {
        let money = |o: Ore| Cell::Shown(o.0 as f64);
        let optional = |o: Option<Ore>| o.map_or(Cell::Suppressed(Reason::NotComputable), money);
        let mut rows: Vec<Row> = self
            .rows
            .iter()
            .map(|r| Row {
                key: vec![self.ar.to_string(), r.forbund.to_string()],
                values: vec![
                    Cell::Shown(r.kommuner as f64),
                    Cell::Shown(r.invanare_16_64 as f64),
                    Cell::Shown(r.forsorjningsmatt.as_f64()),
                    money(r.grund),
                    money(r.forsorjningsdel),
                    money(r.befolkningsdel),
                    money(r.modell),
                    optional(r.rimlig_niva),
                    optional(r.eget_kapital),
                    money(r.minskning),
                    optional(r.foregaende),
                    optional(r.golv),
                    Cell::Shown(f64::from(u8::from(r.sparr))),
                    money(r.omfordelning()),
                    money(r.tilldelning),
                    r.forandring_procent().map_or(Cell::Suppressed(Reason::NotComputable), Cell::Shown),
                ],
            })
            .collect();
        let sum = |f: fn(&AllocationRow) -> i64| Cell::Shown(self.rows.iter().map(f).sum::<i64>() as f64);
        let withheld = Cell::Suppressed(Reason::NotComputable);
        rows.push(Row {
            key: vec![self.ar.to_string(), "alla".into()],
            values: vec![
                Cell::Shown(self.rows.iter().map(|r| r.kommuner).sum::<usize>() as f64),
                Cell::Shown(self.rows.iter().map(|r| r.invanare_16_64).sum::<u64>() as f64),
                Cell::Shown(self.rows.iter().map(|r| r.forsorjningsmatt.0).sum::<i64>() as f64 / 100.0),
                sum(|r| r.grund.0),
                sum(|r| r.forsorjningsdel.0),
                sum(|r| r.befolkningsdel.0),
                sum(|r| r.modell.0),
                withheld,
                withheld,
                sum(|r| r.minskning.0),
                withheld,
                withheld,
                Cell::Shown(self.rows.iter().filter(|r| r.sparr).count() as f64),
                sum(|r| r.omfordelning().0),
                sum(|r| r.tilldelning.0),
                withheld,
            ],
        });
        let column = |name: &str, unit| Column { name: name.to_owned(), unit };
        let p = &self.params;
        Table {
            names: Default::default(),
            id: "statlig_fordelning".into(),
            title: "Statens fördelning mellan förbund".into(),
            keys: vec!["ar".into(), "forbund".into()],
            columns: vec![
                column("kommuner", Unit::Tally),
                column("invanare_16_64", Unit::Tally),
                column("forsorjningsmatt", Unit::Number),
                column("grund", Unit::Ore),
                column("forsorjningsdel", Unit::Ore),
                column("befolkningsdel", Unit::Ore),
                column("modell", Unit::Ore),
                column("rimlig_niva", Unit::Ore),
                column("eget_kapital", Unit::Ore),
                column("minskning", Unit::Ore),
                column("foregaende", Unit::Ore),
                column("golv", Unit::Ore),
                column("sparr", Unit::Tally),
                column("omfordelning", Unit::Ore),
                column("tilldelning", Unit::Ore),
                column("forandring_procent", Unit::Percent),
            ],
            rows,
            notes: vec![format!(
                "Total {} kr. Steps: base {} kr per förbund; the rest {} % by försörjningsmått and {} % by inhabitants 16–64 (modell); equity above the recommended level reduces the model amount by {} of the excess (minskning) and lifts the {} % floor; the rest is shared in proportion to the model above the base, none below {} % of last year (golv, sparr = 1), in {} round(s). omfordelning = tilldelning − (modell − minskning). Amounts in whole öre that sum exactly to the total.",
                p.total,
                p.grundbelopp,
                p.forsorjning_procent,
                100 - p.forsorjning_procent,
                p.eget_kapital.as_ref().map_or("none (rule off)".to_owned(), |e| format!("{} %", e.minskning_procent)),
                p.max_minskning_procent,
                100 - p.max_minskning_procent,
                self.rundor
            )],
        }
    }
}

//! Synthetic kommun statistics, förbund economies and the state's
//! allocation (domain.md §6).

use super::Sampler;
use crate::Dataset;
use crate::error::Result;
use crate::finance::allocation::{AllocationParams, allocate, allocation_inputs};
use crate::model::*;

/// The years of kommun statistics (the allocation of 2016 uses 2015).
const STAT_YEARS: std::ops::RangeInclusive<i32> = 2015..=2023;
/// The years of förbund economies and state allocations.
pub(super) const ECONOMY_YEARS: std::ops::RangeInclusive<i32> = 2016..=2023;
/// Sweden's population in 2015 (SCB: about 9.85 million) and its yearly growth.
const POPULATION_2015: f64 = 9_850_000.0;
const GROWTH: f64 = 0.009;
/// The largest kommuner's inhabitants in 2015 (SCB, rounded), the rest drawn.
const LARGEST: [(u16, f64); 4] = [(180, 924_000.0), (1480, 549_000.0), (1280, 323_000.0), (380, 210_000.0)];
/// The försörjningsmått per inhabitant 16–64 and its split over the benefit
/// kinds (assumed: about 600,000 full-year equivalents nationally).
const FM_RATE: f64 = 0.096;
const FM_MIX: [f64; 7] = [0.17, 0.04, 0.33, 0.15, 0.15, 0.05, 0.11];

/// Population and försörjningsmått per kommun and year.
pub(super) fn statistics(rng: &mut Sampler) -> Vec<Kommunstatistik> {
    let kommuner: Vec<KommunKod> = KommunKod::all().collect();
    let fixed: f64 = LARGEST.iter().map(|l| l.1).sum();
    let drawn: Vec<f64> = kommuner.iter().map(|_| rng.lognormal(0.9)).collect();
    let drawn_total: f64 =
        kommuner.iter().zip(&drawn).filter(|(k, _)| !LARGEST.iter().any(|l| l.0 == k.code())).map(|(_, d)| d).sum();
    let mut rows = Vec::new();
    for (k, d) in kommuner.iter().zip(drawn) {
        let base =
            LARGEST.iter().find(|l| l.0 == k.code()).map_or(d / drawn_total * (POPULATION_2015 - fixed), |l| l.1);
        let working_share = 0.55 + 0.1 * rng.uniform();
        let need = FM_RATE * rng.lognormal(0.25);
        let own_growth = GROWTH + rng.normal(0.0, 0.006);
        for ar in STAT_YEARS {
            let invanare = base * (1.0 + own_growth).powi(ar - 2015);
            let working = invanare * working_share;
            let fm = working * need * (1.0 + 0.02 * rng.normal(0.0, 1.0));
            let mut forsorjningsmatt = [Hundradelar(0); 7];
            for (slot, share) in forsorjningsmatt.iter_mut().zip(FM_MIX) {
                *slot = Hundradelar((fm * share * 100.0).round().max(0.0) as i64);
            }
            rows.push(Kommunstatistik {
                kommun: *k,
                ar,
                invanare: invanare.round().max(1.0) as u32,
                invanare_16_64: working.round().max(1.0) as u32,
                forsorjningsmatt,
            });
        }
    }
    rows
}

/// Each year's state allocation by the model (339 million kr), the budget
/// (the state's allocation is half of it) and the equity at year end, drawn
/// around 12 % of the budget so that some förbund exceed the recommended
/// level. Also förbundsordning shares for one förbund (Södra Norrbotten:
/// Luleå 45 %, Piteå 25 %, Boden 20 %, Älvsbyn 10 %, any other member 5 %).
pub(super) fn finances(
    rng: &mut Sampler,
    forbund: &[Forbund],
    kommunstatistik: Vec<Kommunstatistik>,
) -> Result<(Vec<ForbundEkonomi>, Vec<Kommunstatistik>, Vec<Kommunandel>)> {
    let mut data = Dataset { forbund: forbund.to_vec(), kommunstatistik, ..Dataset::default() };
    for ar in ECONOMY_YEARS {
        year_economy(rng, &mut data, ar)?;
    }
    let shares = shares_of_sodra_norrbotten(forbund, ECONOMY_YEARS);
    Ok((data.forbund_ekonomi, data.kommunstatistik, shares))
}

/// Adds `ar`'s allocation by the model, budgets and equities to `data`
/// (which holds the förbund, the kommun statistics of the year before and
/// the economies of earlier years).
pub(super) fn year_economy(rng: &mut Sampler, data: &mut Dataset, ar: i32) -> Result<()> {
    let inputs = allocation_inputs(data, ar)?;
    let allocation = allocate(ar, &inputs, &AllocationParams::default())?;
    for row in &allocation.rows {
        let budget = Ore(row.tilldelning.0 * 2);
        let equity = (budget.0 as f64 * (0.12 + rng.normal(0.0, 0.05)).max(0.0)).round() as i64;
        data.forbund_ekonomi.push(ForbundEkonomi {
            forbund: row.forbund,
            ar,
            budget: Some(budget),
            statlig_tilldelning: Some(row.tilldelning),
            eget_kapital: Some(Ore(equity)),
            administrationskostnad: Some(administration(row.forbund, budget)),
        });
    }
    Ok(())
}

/// A förbund's administrative costs: 12–20 % of its budget by förbund
/// (assumed; fixed per förbund, drawn from no random stream so that no
/// other draw moved), to whole kronor. The insats budgets are then fitted
/// to what is left ([`fit_insats_budgets`]).
fn administration(forbund: ForbundId, budget: Ore) -> Ore {
    let share = 0.12 + 0.08 * (f64::from(forbund.0) * 0.618_033_988_749_895).fract();
    Ore::from_kronor((budget.0 as f64 * share / 100.0).round() as i64)
}

/// The kommun statistics of `years` after the calibrated ones, continuing
/// each kommun's path as [`kommuner`](super::kommuner) does backwards:
/// inhabitants at its own growth rate (from its calibrated years), its
/// 16–64 share of the last calibrated year, and its mean försörjningsmått
/// per inhabitant 16–64 of the calibrated years per benefit kind, with 2 %
/// yearly noise. No kommun's trend changes, so the planted effect of
/// membership stays the only difference between kommuner.
pub(super) fn grown_statistics(
    rng: &mut Sampler,
    rows: &[Kommunstatistik],
    years: std::ops::RangeInclusive<i32>,
) -> Vec<Kommunstatistik> {
    let mut by_kommun: std::collections::BTreeMap<KommunKod, Vec<&Kommunstatistik>> = Default::default();
    for s in rows.iter().filter(|s| STAT_YEARS.contains(&s.ar)) {
        by_kommun.entry(s.kommun).or_default().push(s);
    }
    let mut out = Vec::new();
    for (kommun, mut own) in by_kommun {
        own.sort_by_key(|s| s.ar);
        let (Some(first), Some(last)) = (own.first(), own.last()) else { continue };
        let span = f64::from(last.ar - first.ar).max(1.0);
        let growth = (f64::from(last.invanare) / f64::from(first.invanare.max(1))).powf(1.0 / span);
        let working_share = f64::from(last.invanare_16_64) / f64::from(last.invanare.max(1));
        let mut per_working = [0.0; 7];
        for s in &own {
            for (sum, fm) in per_working.iter_mut().zip(s.forsorjningsmatt) {
                *sum += fm.0 as f64 / f64::from(s.invanare_16_64.max(1)) / own.len() as f64;
            }
        }
        for ar in years.clone() {
            let invanare = f64::from(last.invanare) * growth.powi(ar - last.ar);
            let working = invanare * working_share;
            let noise = 1.0 + 0.02 * rng.normal(0.0, 1.0);
            let mut forsorjningsmatt = [Hundradelar(0); 7];
            for (slot, rate) in forsorjningsmatt.iter_mut().zip(per_working) {
                *slot = Hundradelar((rate * working * noise).round().max(0.0) as i64);
            }
            out.push(Kommunstatistik {
                kommun,
                ar,
                invanare: invanare.round().max(1.0) as u32,
                invanare_16_64: working.round().max(1.0) as u32,
                forsorjningsmatt,
            });
        }
    }
    out
}

pub(super) fn shares_of_sodra_norrbotten(
    forbund: &[Forbund],
    years: std::ops::RangeInclusive<i32>,
) -> Vec<Kommunandel> {
    const SHARES: [(u16, i64); 4] = [(2580, 4_500), (2581, 2_500), (2582, 2_000), (2560, 1_000)];
    let Some(f) = forbund.iter().find(|f| f.namn == "Samordningsförbundet Södra Norrbotten") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ar in years.filter(|&ar| f.is_active_in(ar)) {
        for (kommun, _) in f.member_days(ar) {
            // Other kommuner that join it in the data (seeded) get 5 %.
            let andel = SHARES.iter().find(|s| s.0 == kommun.code()).map_or(500, |s| s.1);
            out.push(Kommunandel { forbund: f.id, ar, kommun, andel: Hundradelar(andel) });
        }
    }
    out
}

/// Scales the insats rows of each förbund and year so that their budgets
/// sum (to within a krona per row) to what the förbund's budget leaves
/// after its administrative costs
/// (the draws give only the insatser's relative sizes), utfall with them,
/// and sets each insats's lifetime budget and (for an ended insats) utfall
/// to the sums of its rows. Deterministic: it draws no random numbers.
pub(super) fn fit_insats_budgets(data: &mut Dataset) {
    use std::collections::HashMap;
    let forbund_of: HashMap<InsatsId, ForbundId> = data.insatser.iter().map(|i| (i.id, i.forbund)).collect();
    let mut drawn: HashMap<(ForbundId, i32), i64> = HashMap::new();
    for r in &data.insats_ar {
        if let (Some(&f), Some(b)) = (forbund_of.get(&r.insats), r.budget) {
            *drawn.entry((f, r.ar)).or_default() += b.0;
        }
    }
    let available: HashMap<(ForbundId, i32), i64> = data
        .forbund_ekonomi
        .iter()
        .filter_map(|e| Some(((e.forbund, e.ar), e.budget?.0 - e.administrationskostnad.map_or(0, |a| a.0))))
        .collect();
    for r in &mut data.insats_ar {
        let Some(&f) = forbund_of.get(&r.insats) else { continue };
        let (Some(&target), Some(&sum)) = (available.get(&(f, r.ar)), drawn.get(&(f, r.ar))) else { continue };
        if sum <= 0 {
            continue;
        }
        let factor = target.max(0) as f64 / sum as f64;
        r.budget = r.budget.map(|b| Ore::from_kronor((b.0 as f64 * factor / 100.0).round() as i64));
        r.utfall = r.utfall.map(|u| Ore((u.0 as f64 * factor).round() as i64));
    }
    let mut totals: HashMap<InsatsId, (i64, i64)> = HashMap::new();
    for r in &data.insats_ar {
        let t = totals.entry(r.insats).or_default();
        t.0 += r.budget.map_or(0, |o| o.0);
        t.1 += r.utfall.map_or(0, |o| o.0);
    }
    for i in &mut data.insatser {
        if let Some(&(budget, utfall)) = totals.get(&i.id) {
            i.budget = Some(Ore(budget));
            i.utfall = i.slut.is_some().then_some(Ore(utfall));
        }
    }
}

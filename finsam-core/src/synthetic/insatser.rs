//! Insatser: individinriktade and structural, their lifetimes and
//! behovsgrupper, and their yearly rows (budgets, anonymous counts).

use std::collections::HashMap;

use super::casemix::Profile;
use super::*;
use crate::model::*;

/// An insats with the weight that sets its share of participants, and its
/// planted case mix and effect ([`casemix`](super::casemix)).
pub(crate) struct Planned {
    pub(crate) insats: Insats,
    pub(crate) weight: f64,
    pub(crate) profile: Profile,
}

/// Insatser active per year as in [`targets`]: each year some continue,
/// the rest end during the previous year, and new ones start to reach the
/// target. Insatser of a förbund that ends end with it.
pub(crate) fn build_insatser(rng: &mut Sampler, forbund: &[Forbund]) -> Vec<Planned> {
    let mut all: Vec<Planned> = Vec::new();
    for inriktning in [Inriktning::Individ, Inriktning::Struktur] {
        let mut active: Vec<usize> = Vec::new();
        for year in WARMUP_YEAR..=*YEARS.end() {
            let t = target(year);
            // target() gives 2017's figures for the warm-up year; start a little below them.
            let share = if year == WARMUP_YEAR { 0.95 } else { 1.0 };
            let count = if inriktning == Inriktning::Individ { t.insatser_individ } else { t.insatser_struktur };
            let wanted = (f64::from(count) * share).round() as usize;
            let jan1 = date(year, 1, 1);
            let mut eligible: Vec<usize> = active
                .iter()
                .copied()
                .filter(|&i| forbund_of(forbund, &all[i].insats).slut.is_none_or(|s| s >= jan1))
                .collect();
            rng.shuffle(&mut eligible);
            let keep = ((eligible.len() as f64 * 0.8).round() as usize).min(wanted);
            for &i in &eligible[keep..] {
                end_insats(rng, &mut all[i].insats, forbund, year - 1);
            }
            for &i in active.iter().filter(|i| !eligible.contains(i)) {
                end_insats(rng, &mut all[i].insats, forbund, year - 1);
            }
            let mut next: Vec<usize> = eligible[..keep].to_vec();
            for _ in keep..wanted {
                next.push(all.len());
                all.push(new_insats(rng, forbund, inriktning, year, all.len()));
            }
            active = next;
        }
    }
    all
}

/// The published count of individinriktade insatser aimed at behovsgrupper
/// (417 of 1,087 in 2020, domain.md §9).
pub(crate) const BEHOVSGRUPP_INSATSER: (i32, usize) = (2020, 417);

/// Persons with no registered kön, per 1,024 (about 0.3 %).
pub(crate) const UNKNOWN_KON_PER_1024: u64 = 3;

/// Sets the behovsgrupper of the individinriktade insatser active in the
/// reference year so that exactly the published number are aimed at one:
/// the draw at creation gives about 38 %, but which insatser survive into
/// the year is random, so the count is corrected afterwards (removing or
/// adding groups on insatser drawn at random among those active then).
pub(crate) fn calibrate_behovsgrupper(rng: &mut Sampler, insatser: &mut [Planned]) {
    let (year, target) = BEHOVSGRUPP_INSATSER;
    let active: Vec<usize> = (0..insatser.len())
        .filter(|&i| insatser[i].insats.inriktning == Inriktning::Individ && insatser[i].insats.is_active_in(year))
        .collect();
    let (mut with, mut without): (Vec<usize>, Vec<usize>) =
        active.into_iter().partition(|&i| !insatser[i].insats.behovsgrupper.is_empty());
    while with.len() > target {
        let i = with.swap_remove(rng.below(with.len()));
        insatser[i].insats.behovsgrupper = BehovsgruppSet::empty();
    }
    while with.len() < target && !without.is_empty() {
        let i = without.swap_remove(rng.below(without.len()));
        insatser[i].insats.behovsgrupper.insert(Behovsgrupp::ALL[rng.below(3)]);
        with.push(i);
    }
}

pub(crate) fn forbund_of<'f>(forbund: &'f [Forbund], i: &Insats) -> &'f Forbund {
    &forbund[(i.forbund.0 - 1) as usize]
}

pub(crate) fn end_insats(rng: &mut Sampler, insats: &mut Insats, forbund: &[Forbund], year: i32) {
    let earliest = insats.start.add_days(90).max(date(year, 1, 1));
    let latest = date(year, 12, 31).min(forbund_of(forbund, insats).slut.unwrap_or(date(9999, 12, 31)));
    let span = earliest.days_until(latest).max(0);
    insats.slut = Some(earliest.add_days(rng.below(span as usize + 1) as i32).min(latest).max(insats.start));
}

pub(crate) fn new_insats(
    rng: &mut Sampler,
    forbund: &[Forbund],
    inriktning: Inriktning,
    year: i32,
    n: usize,
) -> Planned {
    let start = rng.day_in(year);
    let active: Vec<&Forbund> =
        forbund.iter().filter(|f| f.start <= start && f.slut.is_none_or(|s| s >= start)).collect();
    let weights: Vec<f64> = active.iter().map(|f| f.members_on(start).len().max(1) as f64).collect();
    let f = active[rng.weighted(&weights)];
    let mut behovsgrupper = BehovsgruppSet::empty();
    if inriktning == Inriktning::Individ && rng.chance(0.38) {
        behovsgrupper.insert(Behovsgrupp::ALL[rng.below(3)]);
        if rng.chance(0.3) {
            behovsgrupper.insert(Behovsgrupp::ALL[rng.below(3)]);
        }
    }
    const NAMES: [&str; 10] = [
        "Steget vidare",
        "Vägen till arbete",
        "Samverkansteam",
        "Aktivitetshuset",
        "Unga i fokus",
        "Arbetsträning",
        "Kompetenslyftet",
        "Hälsa och arbete",
        "Nästa steg",
        "Gemensam kartläggning",
    ];
    Planned {
        insats: Insats {
            id: InsatsId(1000 + n as u32),
            forbund: f.id,
            namn: format!("{} {}", NAMES[rng.below(NAMES.len())], short_name(f)),
            inriktning,
            behovsgrupper,
            start,
            slut: None,
            budget: None,
            utfall: None,
        },
        weight: rng.lognormal(0.8),
        profile: Profile::NEUTRAL,
    }
}

/// Anonymous participants per year, spread over the individinriktade
/// insatser active that year by weight, and over kön.
pub(crate) fn anonymous_counts(rng: &mut Sampler, scale: f64, insatser: &[Planned]) -> Vec<AnonymaDeltagare> {
    let mut rows = Vec::new();
    for year in YEARS {
        let t = target(year);
        let total = (f64::from(t.deltagare_totalt) * scale).round()
            - (f64::from(t.deltagare_totalt) * (1.0 - t.andel_anonyma) * scale).round();
        let active: Vec<&Planned> = insatser
            .iter()
            .filter(|p| p.insats.inriktning == Inriktning::Individ && p.insats.is_active_in(year))
            .collect();
        let weights: Vec<f64> = active.iter().map(|p| p.weight).collect();
        for (p, n) in active.iter().zip(largest_remainder(&weights, total.max(0.0) as u64)) {
            let women = rng.round(n as f64 * WOMEN).min(n as u32);
            for (kon, antal) in [(Kon::Kvinna, women), (Kon::Man, n as u32 - women)] {
                if antal > 0 {
                    rows.push(AnonymaDeltagare { insats: p.insats.id, ar: year, kon, antal });
                }
            }
        }
    }
    rows
}

/// Budget and outcome per insats and year, budgeted participants, and the
/// participants counted in strukturövergripande insatser; the insatser get
/// their totals.
pub(crate) fn yearly_rows(rng: &mut Sampler, scale: f64, mut insatser: Vec<Planned>) -> (Vec<InsatsAr>, Vec<Planned>) {
    let mut rows = Vec::new();
    let mut totals: HashMap<InsatsId, (i64, i64)> = HashMap::new();
    for year in YEARS {
        let active: Vec<usize> = (0..insatser.len()).filter(|&i| insatser[i].insats.is_active_in(year)).collect();
        let structural: Vec<usize> =
            active.iter().copied().filter(|&i| insatser[i].insats.inriktning == Inriktning::Struktur).collect();
        let weights: Vec<f64> = structural.iter().map(|&i| insatser[i].weight).collect();
        let counts: HashMap<usize, u64> = structural
            .iter()
            .copied()
            .zip(largest_remainder(&weights, (f64::from(target(year).deltagare_struktur) * scale).round() as u64))
            .collect();
        for i in active {
            let p = &insatser[i];
            let row = InsatsAr { deltagare_totalt: counts.get(&i).map(|&n| n as u32), ..money_row(rng, p, year) };
            let t = totals.entry(p.insats.id).or_default();
            t.0 += row.budget.map_or(0, |o| o.0);
            t.1 += row.utfall.map_or(0, |o| o.0);
            rows.push(row);
        }
    }
    for p in &mut insatser {
        if let Some(&(budget, utfall)) = totals.get(&p.insats.id) {
            p.insats.budget = Some(Ore(budget));
            p.insats.utfall = p.insats.slut.is_some().then_some(Ore(utfall));
        }
    }
    (rows, insatser)
}

/// An insats's row for `year` with its budget, utfall (75–102 % of the
/// budget) and, for an individinriktad insats, budgeted participants; no
/// participant counts.
pub(crate) fn money_row(rng: &mut Sampler, p: &Planned, year: i32) -> InsatsAr {
    let individ = p.insats.inriktning == Inriktning::Individ;
    let base = if individ { 1_400_000.0 } else { 250_000.0 };
    let budget = Ore::from_kronor(((base * p.weight.sqrt() * rng.lognormal(0.3)) / 1000.0).round() as i64 * 1000);
    let utfall = Ore((budget.0 as f64 * (0.75 + 0.27 * rng.uniform())).round() as i64);
    InsatsAr {
        insats: p.insats.id,
        ar: year,
        budget: Some(budget),
        utfall: Some(utfall),
        budgeterade_deltagare: individ.then(|| (p.weight * 25.0).round().max(5.0) as u32),
        deltagare_kvinnor: None,
        deltagare_man: None,
        deltagare_totalt: None,
    }
}

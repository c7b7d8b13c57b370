//! The aggregate era (domain.md §3): what Uppföljning Finsam holds for
//! 2023–2025 per insats and year (budget, utfall, budgeted participants,
//! participants by kön in individinriktade insatser and in total in
//! strukturövergripande ones), and the förbund economies and kommun
//! statistics of those years.
//!
//! The person-level rows end with SUS ([`close_person_level`]): no
//! participation starts after 2022 in the synthetic data, one still running
//! when SUS closed has no end in it, and the participant figures of 2023 on
//! are the aggregates'. Everything here is drawn from its own random stream, after
//! every other part of the data set, so the person-level years are exactly
//! those of a data set without it. Participant counts scale with `scale`,
//! money does not (it is the national structure), so utfall per participant
//! is realistic (about 20,000 kr) at `scale = 1` only.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::economy::{grown_statistics, shares_of_sodra_norrbotten, year_economy};
use super::{Sampler, WOMEN, largest_remainder};
use crate::Dataset;
use crate::error::Result;
use crate::model::*;

/// The years of the aggregate era in the synthetic data.
pub const AGGREGATE_YEARS: std::ops::RangeInclusive<i32> = 2023..=2025;

/// What an aggregate year is calibrated to. No figure of these years is
/// published in domain.md §9; all are assumed, continuing the series.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AggregateTarget {
    /// The year.
    pub ar: i32,
    /// Participants of individinriktade insatser, summed over insatser (a
    /// person in two insatser counts in each, as in the aggregates).
    pub deltagare_individ: u32,
    /// Participants of strukturövergripande insatser.
    pub deltagare_struktur: u32,
    /// The share of women among the participants of individinriktade insatser.
    pub andel_kvinnor: f64,
    /// Where the figures come from.
    pub assumed: &'static str,
}

const AGGREGATE_TARGETS: [AggregateTarget; 3] = [
    AggregateTarget {
        ar: 2023,
        deltagare_individ: 22_200,
        deltagare_struktur: 32_000,
        andel_kvinnor: WOMEN,
        assumed: "all: 2022's 23,000 participants falling toward the about 21,400 a year of the early 2020s (§9); the women's share of the person-level years",
    },
    AggregateTarget {
        ar: 2024,
        deltagare_individ: 21_600,
        deltagare_struktur: 31_000,
        andel_kvinnor: WOMEN,
        assumed: "all, as for 2023",
    },
    AggregateTarget {
        ar: 2025,
        deltagare_individ: 21_400,
        deltagare_struktur: 30_500,
        andel_kvinnor: WOMEN,
        assumed: "all: about 21,400 a year (§9)",
    },
];

/// The calibration targets of the aggregate years, all assumed.
///
/// ```
/// let t = finsam_core::synthetic::aggregate_targets();
/// assert_eq!(t.iter().map(|t| t.ar).collect::<Vec<_>>(), vec![2023, 2024, 2025]);
/// ```
pub fn aggregate_targets() -> &'static [AggregateTarget] {
    &AGGREGATE_TARGETS
}

/// Adds the aggregate years to `data`: a row per insats active in each
/// year, and the kommun statistics, förbund economies and förbundsordning
/// shares of the years after the person-level ones. `weights` are the
/// insatser's participant weights.
pub(super) fn add_aggregate_era(
    rng: &mut Sampler,
    scale: f64,
    data: &mut Dataset,
    weights: &HashMap<InsatsId, f64>,
) -> Result<()> {
    for target in &AGGREGATE_TARGETS {
        let rows = year_rows(rng, scale, &data.insatser, weights, target);
        data.insats_ar.extend(rows);
    }
    let last_statistics = data.kommunstatistik.iter().map(|s| s.ar).max().unwrap_or(*AGGREGATE_YEARS.start());
    let grown = grown_statistics(rng, &data.kommunstatistik, last_statistics + 1..=*AGGREGATE_YEARS.end());
    data.kommunstatistik.extend(grown);
    let last_economy = data.forbund_ekonomi.iter().map(|e| e.ar).max().unwrap_or(*AGGREGATE_YEARS.start());
    for ar in last_economy + 1..=*AGGREGATE_YEARS.end() {
        year_economy(rng, data, ar)?;
    }
    data.kommunandelar.extend(shares_of_sodra_norrbotten(&data.forbund, last_economy + 1..=*AGGREGATE_YEARS.end()));
    Ok(())
}

/// The rows of one aggregate year: participants spread over the active
/// insatser by weight (largest remainder, so they sum to the target), women
/// and men drawn per insats.
fn year_rows(
    rng: &mut Sampler,
    scale: f64,
    insatser: &[Insats],
    weights: &HashMap<InsatsId, f64>,
    target: &AggregateTarget,
) -> Vec<InsatsAr> {
    let year = target.ar;
    let mut rows = Vec::new();
    for (inriktning, total) in
        [(Inriktning::Individ, target.deltagare_individ), (Inriktning::Struktur, target.deltagare_struktur)]
    {
        let active: Vec<&Insats> =
            insatser.iter().filter(|i| i.inriktning == inriktning && i.is_active_in(year)).collect();
        let w: Vec<f64> = active.iter().map(|i| weights.get(&i.id).copied().unwrap_or(1.0)).collect();
        let counts = largest_remainder(&w, (f64::from(total) * scale).round() as u64);
        for ((insats, weight), n) in active.into_iter().zip(w).zip(counts) {
            let planned =
                super::insatser::Planned { insats: insats.clone(), weight, profile: super::casemix::Profile::NEUTRAL };
            let mut row = super::insatser::money_row(rng, &planned, year);
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            if inriktning == Inriktning::Individ {
                let women = rng.round(f64::from(n) * target.andel_kvinnor).min(n);
                row.deltagare_kvinnor = Some(women);
                row.deltagare_man = Some(n - women);
            } else {
                row.deltagare_totalt = Some(n);
            }
            rows.push(row);
        }
    }
    rows
}

/// Ends the person-level rows on the day SUS closed: a participation that
/// had not ended by then has no end date, status, support after or reason
/// in the data, as SUS never registered them. Deterministic, so the random
/// streams are untouched; the benefit spells (from the register, which
/// continues) are kept.
pub(super) fn close_person_level(deltaganden: &mut [Deltagande], closed: crate::Date) {
    for d in deltaganden.iter_mut().filter(|d| d.slut.is_some_and(|s| s > closed)) {
        d.slut = None;
        d.utfall = None;
        d.forsorjning_efter = ForsorjningSet::empty();
        d.subventionerad = None;
        d.avslutsanledning = None;
    }
}

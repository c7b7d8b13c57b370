//! Kommun statistics before the calibrated years (2004–2014), with the
//! planted effect of membership in a förbund.
//!
//! The years 2015–2023 are the calibrated statistics of
//! [`economy`](super::economy) and stay as they are (the state's allocations
//! are computed from them). The earlier years continue each kommun's path
//! backwards: inhabitants at its own growth rate, the 16–64 share and the
//! benefit mix of 2015, and its mean försörjningsmått per inhabitant 16–64
//! of 2015–2023 with 2 % yearly noise. A kommun that joined a förbund in the
//! cohorts of [`TRUE_EFFECTS`] is a member in every calibrated year, so that
//! level is its level as a member; in the years before it joined it has the
//! level it would have had without membership, `level / (1 + effect)`. The
//! effect is exact: as a member, the försörjningsmått is `1 + effect` times
//! what it would have been.

use rustc_hash::FxHashMap;

use super::Sampler;
use super::comparison::TRUE_EFFECTS;
use crate::evaluation::data::first_years;
use crate::model::*;

/// The first year of the kommun statistics.
pub const FIRST_STATISTICS_YEAR: i32 = 2004;

/// Rows for [`FIRST_STATISTICS_YEAR`] up to the year before the first
/// calibrated one, for every kommun with calibrated rows.
pub(super) fn history(rng: &mut Sampler, forbund: &[Forbund], calibrated: &[Kommunstatistik]) -> Vec<Kommunstatistik> {
    let Some(first_calibrated) = calibrated.iter().map(|s| s.ar).min() else {
        return Vec::new();
    };
    let joined = first_years(forbund);
    let mut by_kommun: FxHashMap<KommunKod, Vec<&Kommunstatistik>> = FxHashMap::default();
    for s in calibrated {
        by_kommun.entry(s.kommun).or_default().push(s);
    }
    let (from, to) = TRUE_EFFECTS.kommun_cohorts;
    let mut rows = Vec::new();
    for k in KommunKod::all() {
        let Some(years) = by_kommun.get_mut(&k) else { continue };
        years.sort_by_key(|s| s.ar);
        let (first, last) = (years[0], years[years.len() - 1]);
        let span = (last.ar - first.ar).max(1);
        let growth = (f64::from(last.invanare) / f64::from(first.invanare.max(1))).powf(1.0 / f64::from(span));
        let working_share = f64::from(first.invanare_16_64) / f64::from(first.invanare.max(1));
        let level =
            years.iter().map(|s| s.forsorjningsmatt_total().0 as f64 / f64::from(s.invanare_16_64.max(1))).sum::<f64>()
                / years.len() as f64;
        let total = first.forsorjningsmatt_total().0.max(1) as f64;
        let joined = joined.get(&k).copied();
        let cohort = joined.filter(|&y| (from..=to).contains(&y));
        for ar in FIRST_STATISTICS_YEAR..first_calibrated {
            let invanare = f64::from(first.invanare) * growth.powi(ar - first.ar);
            let working = invanare * working_share;
            let untreated = cohort.is_some_and(|g| ar < g);
            let level = if untreated { level / (1.0 + TRUE_EFFECTS.kommun_forsorjningsmatt) } else { level };
            let fm = working * level * (1.0 + 0.02 * rng.normal(0.0, 1.0));
            let mut forsorjningsmatt = [Hundradelar(0); 7];
            for (slot, part) in forsorjningsmatt.iter_mut().zip(first.forsorjningsmatt) {
                *slot = Hundradelar((fm * part.0 as f64 / total).round().max(0.0) as i64);
            }
            rows.push(Kommunstatistik {
                kommun: k,
                ar,
                invanare: invanare.round().max(1.0) as u32,
                invanare_16_64: working.round().max(1.0) as u32,
                forsorjningsmatt,
            });
        }
    }
    rows
}

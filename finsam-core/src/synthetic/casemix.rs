//! The insatser's case mixes and true effects on work or studies: the
//! known truth behind the case-mix-adjusted comparison of insatser
//! (`evaluation::casemix`).
//!
//! # The design
//!
//! A participant is a *hard case* if the försörjning before includes sick
//! pay, rehabiliteringspenning, aktivitetsersättning or sjukersättning
//! (about 38 % of participants). Hard cases end in work or studies
//! [`InsatsParameters::hard_case_gap`] less often than others.
//!
//! Each individinriktad insats gets a **case mix**, an affinity `h` drawn
//! uniformly from 0.1 to 0.9: a hard case joins it with weight `w·h`, any
//! other participant with weight `w·(1 − h)` (`w` the insats's size weight).
//! The share of hard cases among an insats's participants then runs from
//! about 6 % to 85 %.
//!
//! Each insats also gets a **true effect** `β` on the chance of work or
//! studies (probability points): normal with standard deviation
//! [`InsatsParameters::effect_sd`], plus [`InsatsParameters::case_mix_slope`]
//! `× (h − ½)`, so that the insatser that take the hardest groups do slightly
//! *better*, which a raw ranking (that punishes hard case mixes) turns upside
//! down. A few larger insatser are planted **outliers** with
//! `± `[`InsatsParameters::outlier`].
//!
//! A participant's chance of work or studies is the year's and kön's share,
//! less the hard-case gap (centred on the share of hard cases), plus the
//! insats's effect less the mean effect of the insatser active in the year
//! (weighted by their expected participations), so that the national shares
//! by year and kön stay as calibrated ([`chance_of_work_or_studies`],
//! [`YearOffsets`]). The realised effect of an insats
//! ([`InsatsEffect::realised`]) is the mean of what its effect added to its
//! participants' chances; it differs from `β` by the years' small offsets
//! and where a chance reached its bounds.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::deltagare::FORSORJNING_FORE;
use super::insatser::Planned;
use super::{AGGREGATE_YEARS, Sampler, WARMUP_YEAR, target};
use crate::model::*;

/// The parameters of the insatser's case mixes and effects (see the module
/// documentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct InsatsParameters {
    /// How much less often a hard case ends in work or studies.
    pub hard_case_gap: f64,
    /// The range of an insats's affinity for hard cases.
    pub affinity: (f64, f64),
    /// The standard deviation of the insatser's true effects.
    pub effect_sd: f64,
    /// The added effect per unit of affinity for hard cases.
    pub case_mix_slope: f64,
    /// The size of a planted outlier's effect.
    pub outlier: f64,
    /// The share of all individinriktade insatser that are planted
    /// outliers, drawn among those above the median size (so twice this
    /// among them).
    pub outlier_share: f64,
    /// The bounds of a participant's chance of work or studies. The lower
    /// one lies above [`super::TRUE_EFFECTS`]'s effect of participation, so
    /// the counterfactual chance without participation stays positive.
    pub chance_bounds: (f64, f64),
}

/// The last year an insats can be active in.
const AGGREGATE_END: i32 = *AGGREGATE_YEARS.end();

/// The planted case mixes and effects.
///
/// ```
/// use finsam_core::synthetic::INSATS_EFFECTS;
/// assert_eq!(INSATS_EFFECTS.hard_case_gap, 0.20);
/// assert!(INSATS_EFFECTS.chance_bounds.0 > finsam_core::synthetic::TRUE_EFFECTS.arbete_studier);
/// ```
pub const INSATS_EFFECTS: InsatsParameters = InsatsParameters {
    hard_case_gap: 0.20,
    affinity: (0.1, 0.9),
    effect_sd: 0.04,
    case_mix_slope: 0.10,
    outlier: 0.22,
    outlier_share: 0.02,
    chance_bounds: (0.09, 0.95),
};

/// An insats's planted case mix and effect.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Profile {
    /// The affinity for hard cases (0.5: none).
    pub(crate) affinity: f64,
    /// The true effect on the chance of work or studies.
    pub(crate) effect: f64,
    /// Whether the effect is a planted outlier.
    pub(crate) outlier: bool,
}

impl Profile {
    /// No preference and no effect: the insatser of the aggregate era,
    /// which have no person-level rows.
    pub(crate) const NEUTRAL: Profile = Profile { affinity: 0.5, effect: 0.0, outlier: false };
}

/// The true effect of one insats, as planted and as realised in the data.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsatsEffect {
    /// The insats.
    pub insats: InsatsId,
    /// The planted effect on the chance of work or studies.
    pub effect: f64,
    /// The mean over its participations with a status of what the effect
    /// added to their chances (`effect` less the mean effect of the years'
    /// insatser, unless a chance met its bounds).
    pub realised: f64,
    /// The affinity for hard cases.
    pub affinity: f64,
    /// The share of hard cases among the participations counted.
    pub hard_cases: f64,
    /// The participations counted: ended, not a felregistrering, with a
    /// status registered.
    pub n: u64,
    /// Whether the effect is a planted outlier.
    pub outlier: bool,
}

/// Whether a participant with this försörjning before is a hard case.
pub(crate) fn is_hard_case(fore: ForsorjningSet) -> bool {
    [
        Forsorjning::Sjukpenning,
        Forsorjning::Rehabiliteringspenning,
        Forsorjning::Aktivitetsersattning,
        Forsorjning::Sjukersattning,
    ]
    .iter()
    .any(|&s| fore.contains(s))
}

/// The expected share of hard cases among participants (from the primary
/// försörjning before; the secondary source added to some is never one of
/// the hard ones).
pub(crate) fn hard_case_share() -> f64 {
    FORSORJNING_FORE.iter().filter(|(s, _)| is_hard_case(ForsorjningSet::of(&[*s]))).map(|(_, p)| p).sum()
}

/// A participant's chance of ending in work or studies: the share of the
/// year (the end's) and kön, less the hard-case gap centred on the share of
/// hard cases, plus the insats's effect, within the bounds.
pub(crate) fn chance_of_work_or_studies(kon: Kon, end_year: i32, fore: ForsorjningSet, effect: f64) -> f64 {
    let gap = if kon == Kon::Man { 0.034 } else { -0.026 };
    let hard = if is_hard_case(fore) { 1.0 } else { 0.0 };
    let p = target(end_year).andel_arbete_studier + gap - INSATS_EFFECTS.hard_case_gap * (hard - hard_case_share())
        + effect;
    p.clamp(INSATS_EFFECTS.chance_bounds.0, INSATS_EFFECTS.chance_bounds.1)
}

/// Draws each individinriktad insats's case mix and effect.
pub(crate) fn plant(rng: &mut Sampler, insatser: &mut [Planned]) {
    let p = &INSATS_EFFECTS;
    let individ: Vec<usize> =
        (0..insatser.len()).filter(|&i| insatser[i].insats.inriktning == Inriktning::Individ).collect();
    let mut weights: Vec<f64> = individ.iter().map(|&i| insatser[i].weight).collect();
    weights.sort_by(f64::total_cmp);
    let median = weights.get(weights.len() / 2).copied().unwrap_or(0.0);
    let mut sign = 1.0;
    for &i in &individ {
        let affinity = p.affinity.0 + (p.affinity.1 - p.affinity.0) * rng.uniform();
        let mut effect = rng.normal(0.0, p.effect_sd) + p.case_mix_slope * (affinity - 0.5);
        let outlier = insatser[i].weight > median && rng.chance(p.outlier_share * 2.0);
        if outlier {
            effect = sign * p.outlier;
            sign = -sign;
        }
        insatser[i].profile = Profile { affinity, effect, outlier };
    }
}

/// Per year, the mean planted effect of the individinriktade insatser
/// active in it, weighted by their expected share of the year's
/// participations (hard cases spread by `w·h`, others by `w·(1 − h)`). A
/// chance takes the effect less its year's mean, so the insatser do not
/// move a year's national share.
pub(crate) struct YearOffsets {
    first: i32,
    means: Vec<f64>,
}

impl YearOffsets {
    pub(crate) fn of(insatser: &[Planned]) -> YearOffsets {
        let hard = hard_case_share();
        let means = (WARMUP_YEAR..=AGGREGATE_END)
            .map(|year| {
                let active: Vec<&Planned> = insatser
                    .iter()
                    .filter(|q| q.insats.inriktning == Inriktning::Individ && q.insats.is_active_in(year))
                    .collect();
                let (with_hard, with_other) = active.iter().fold((0.0, 0.0), |(a, b), q| {
                    (a + q.weight * q.profile.affinity, b + q.weight * (1.0 - q.profile.affinity))
                });
                if with_hard <= 0.0 || with_other <= 0.0 {
                    return 0.0;
                }
                let share = |q: &Planned| {
                    q.weight
                        * (hard * q.profile.affinity / with_hard
                            + (1.0 - hard) * (1.0 - q.profile.affinity) / with_other)
                };
                active.iter().map(|q| share(q) * q.profile.effect).sum()
            })
            .collect();
        YearOffsets { first: WARMUP_YEAR, means }
    }

    /// `effect` less the mean effect of `year`'s insatser.
    pub(crate) fn net(&self, effect: f64, year: i32) -> f64 {
        let mean = usize::try_from(year - self.first).ok().and_then(|i| self.means.get(i)).copied().unwrap_or(0.0);
        effect - mean
    }
}

/// The effect of each individinriktad insats that has participations with
/// a status, planted and realised, in the order of the insatser.
pub(crate) fn realised(insatser: &[Planned], deltaganden: &[Deltagande]) -> Vec<InsatsEffect> {
    let offsets = YearOffsets::of(insatser);
    let index: FxHashMap<InsatsId, usize> = insatser.iter().enumerate().map(|(i, q)| (q.insats.id, i)).collect();
    let mut sums = vec![(0.0, 0u64, 0u64); insatser.len()];
    for d in deltaganden.iter().filter(|d| d.utfall.is_some() && !d.is_felregistrering()) {
        let (Some(&i), Some(end)) = (index.get(&d.insats), d.slut) else { continue };
        let year = end.year().max(d.start.year());
        let effect = offsets.net(insatser[i].profile.effect, year);
        let with = chance_of_work_or_studies(d.kon, year, d.forsorjning_fore, effect);
        let without = chance_of_work_or_studies(d.kon, year, d.forsorjning_fore, 0.0);
        let s = &mut sums[i];
        s.0 += with - without;
        s.1 += 1;
        s.2 += u64::from(is_hard_case(d.forsorjning_fore));
    }
    insatser
        .iter()
        .zip(sums)
        .filter(|(_, (_, n, _))| *n > 0)
        .map(|(q, (added, n, hard))| InsatsEffect {
            insats: q.insats.id,
            effect: q.profile.effect,
            realised: added / n as f64,
            affinity: q.profile.affinity,
            hard_cases: hard as f64 / n as f64,
            n,
            outlier: q.profile.outlier,
        })
        .collect()
}

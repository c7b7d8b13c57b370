//! A calibrated synthetic national data set, seeded and deterministic.
//!
//! It lets anyone run finsam without access to sensitive data, and is the
//! data of the examples, tests and benchmarks. At `scale = 1` it reproduces
//! the reference figures of domain.md §9 for 2017–2022 (the calibration
//! tests state the tolerances):
//!
//! - förbund and member kommuner on 31 December of each year, with the
//!   mergers the sources describe (Södra Norrbotten from Pyramis, Activus and
//!   Consensus in 2020 with Boden joining in 2021; Skaraborg from norra,
//!   västra and östra Skaraborg in 2021; Dorotea joining Södra Lappland and
//!   Uppvidinge joining Värend in 2020; Härryda leaving Insjöriket from 2024)
//!   and synthetic mergers where the counts require them;
//! - individinriktade and strukturövergripande insatser active per year, and
//!   the share aimed at behovsgrupper;
//! - participants per year (persons with personal data plus anonymous
//!   counts), with the anonymous share of 2019 and 2020;
//! - the status after ended participations by year and kön, and the
//!   participations ended in 2017;
//! - the försörjning mix before (sjukpenning, aktivitetsersättning);
//! - benefit spells that give the 2020 changes in days before versus after
//!   (SP+RP −12, AE −4, SA +2);
//! - NNS survey answers: the förbund taking part and the questionnaires per
//!   year (2020: 42 förbund, 4,186; 2021: 39, 3,759; 2022: 36, 3,970;
//!   earlier years assumed, see [`survey_targets`]) in six respondent
//!   groups on a 1–10 scale, with "vet ej" and unanswered items, and men
//!   slightly less satisfied than women;
//! - kommun statistics (inhabitants, 16–64, försörjningsmått per benefit
//!   kind; drawn around SCB's national totals) and, per förbund and year
//!   2016–2025, the state's allocation of 339 million kr computed by the
//!   allocation model, a budget twice that (the state pays half) and an
//!   equity around 12 % of the budget; Södra Norrbotten splits the
//!   kommuner's quarter by förbundsordning shares;
//! - for evaluations: member kommuner from 2005 along the published path
//!   (221 in 2012, 247 in 2016; [`MEMBERS_BEFORE`]), kommun statistics from
//!   2004 ([`FIRST_STATISTICS_YEAR`]) with a known effect of membership, and
//!   a comparison population (`jamforelsepersoner`, 4× the participants of
//!   2017–2022 by default, [`EvaluationConfig`]) whose spells follow the
//!   path the participants would have followed without taking part, so that
//!   the effect of participation is known ([`TRUE_EFFECTS`], [`TrueEffects`],
//!   [`generate_with`]).
//!
//! - the aggregate era 2023–2025 ([`AGGREGATE_YEARS`]): per insats and year
//!   the budget, utfall, budgeted participants and participants (by kön in
//!   individinriktade insatser, in total in strukturövergripande ones), all
//!   assumed ([`aggregate_targets`]), with the kommun statistics, economies
//!   and allocations of those years. Person-level rows end with SUS: no
//!   participation starts after 2022, and one still running on 30 April
//!   2023 has no end in the data.
//!
//! Where §9 gives no figure, [`targets`] states the value assumed and marks
//! it as such. The compositions of förbund and the names of synthetic förbund
//! are made up; the kommunkoder are SCB's.
//!
//! `scale` multiplies the person-level rows (participations, anonymous
//! counts, benefit spells, structural participants); the structure (förbund,
//! kommuner, insatser) stays national, so ×100 gives about 6.7 million
//! participations in national group sizes, for benchmarks.
//!
//! The random numbers come from PCG-64 (MCG) with hand-written sampling
//! functions, so the data set depends only on `seed` and `scale`, not on the
//! version of a sampling library.

mod aggregates;
mod casemix;
mod comparison;
mod deltagare;
mod economy;
mod forbund;
mod insatser;
mod kommuner;
mod surveys;
mod targets;

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::*;
use crate::{Dataset, Date};
pub use aggregates::{AGGREGATE_YEARS, AggregateTarget, aggregate_targets};
pub use casemix::{INSATS_EFFECTS, InsatsEffect, InsatsParameters};
pub use comparison::{EffectParameters, QuarterEffect, TRUE_EFFECTS, TrueEffects};
use deltagare::*;
pub use forbund::MEMBERS_BEFORE;
use forbund::*;
use insatser::*;
pub use kommuner::FIRST_STATISTICS_YEAR;
pub use surveys::SurveyTarget;
use targets::*;
pub use targets::{YEARS, YearTarget, survey_targets, targets, uttagsdatum};

/// Options of the generator.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyntheticConfig {
    /// Multiplies the person-level rows; 1 is national size.
    pub scale: f64,
    /// The random seed.
    pub seed: u64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        SyntheticConfig { scale: 1.0, seed: 2004 }
    }
}

/// Options of the evaluation part of the data set (see [`generate_with`]).
/// They are apart from [`SyntheticConfig`] so that code that builds that
/// struct field by field keeps compiling.
///
/// ```
/// assert_eq!(finsam_core::synthetic::EvaluationConfig::default().comparison, 4.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvaluationConfig {
    /// Comparison persons (`jamforelsepersoner`) per participant of the
    /// reference years (first participations 2017–2022); 0 draws none.
    pub comparison: f64,
}

impl Default for EvaluationConfig {
    fn default() -> Self {
        EvaluationConfig { comparison: 4.0 }
    }
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap_or_else(|| unreachable!("constant dates are valid"))
}

/// Generates the data set.
///
/// ```
/// use finsam_core::synthetic::{generate, SyntheticConfig};
/// let a = generate(&SyntheticConfig { scale: 0.02, seed: 7 })?;
/// let b = generate(&SyntheticConfig { scale: 0.02, seed: 7 })?;
/// assert_eq!(a, b);
/// assert!(generate(&SyntheticConfig { scale: 0.0, seed: 7 }).is_err());
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` if `scale` is not a finite number in (0, 1000].
pub fn generate(config: &SyntheticConfig) -> Result<Dataset> {
    generate_with(config, &EvaluationConfig::default()).map(|(data, _)| data)
}

/// Generates the data set with a comparison population of the given size,
/// and returns the effects realised in it (see [`TrueEffects`] and
/// [`TRUE_EFFECTS`]): participation lowers the benefit days after the start
/// against the counterfactual path that the comparison persons follow, and
/// membership lowers a kommun's försörjningsmått.
///
/// Every table of [`generate`] without the evaluation part is as it was:
/// the comparison persons, their spells and the kommun statistics before
/// 2015 come from random streams of their own. (The start years of the
/// förbund that exist by 2016 follow [`MEMBERS_BEFORE`].)
///
/// ```
/// use finsam_core::synthetic::{generate_with, EvaluationConfig, SyntheticConfig};
/// let config = SyntheticConfig { scale: 0.02, ..Default::default() };
/// let (data, truth) = generate_with(&config, &EvaluationConfig { comparison: 2.0 })?;
/// assert!(data.jamforelsepersoner.len() > data.deltaganden.len());
/// let q1 = truth.dagar.iter().find(|q| q.quarter == 1).unwrap();
/// assert!(q1.att < -20.0); // far fewer benefit days while taking part
/// assert!(truth.dagar.iter().filter(|q| q.quarter < 0).all(|q| q.att == 0.0));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` if `scale` is not a finite number in (0, 1000], or
/// `comparison` not one in [0, 100].
pub fn generate_with(config: &SyntheticConfig, evaluation: &EvaluationConfig) -> Result<(Dataset, TrueEffects)> {
    if !(config.scale.is_finite() && config.scale > 0.0 && config.scale <= 1000.0) {
        return Err(Error::InvalidArgument {
            name: "scale",
            message: format!("must be in (0, 1000], got {}", config.scale),
        });
    }
    if !(evaluation.comparison.is_finite() && (0.0..=100.0).contains(&evaluation.comparison)) {
        return Err(Error::InvalidArgument {
            name: "comparison",
            message: format!("must be in [0, 100], got {}", evaluation.comparison),
        });
    }
    let mut rng = Sampler::new(config.seed);
    let forbund = build_forbund(&mut rng);
    let mut insatser = build_insatser(&mut rng, &forbund);
    // A stream of its own, so that every draw of the main one stays as it was.
    casemix::plant(&mut Sampler::new(config.seed).fork(11), &mut insatser);
    let mut builder = Participations::new(rng.fork(1), config.scale, &insatser);
    for year in WARMUP_YEAR..=*YEARS.end() {
        crate::exec::check()?;
        builder.year(year);
    }
    let Participations { deltaganden, mut spells, anchors, .. } = builder;
    let mut rng = rng.fork(2);
    let anonyma = anonymous_counts(&mut rng, config.scale, &insatser);
    let (insats_ar, mut insatser) = yearly_rows(&mut rng, config.scale, insatser);
    let enkatsvar = surveys::generate(&mut rng.fork(3), config.scale, &forbund);
    let statistics = economy::statistics(&mut rng.fork(4));
    let (forbund_ekonomi, mut kommunstatistik, kommunandelar) =
        economy::finances(&mut rng.fork(5), &forbund, statistics)?;
    calibrate_behovsgrupper(&mut rng.fork(6), &mut insatser);
    // The evaluation part: new streams, forked after every existing one.
    let mut truth = comparison::realised(&mut rng.fork(7), &anchors, &deltaganden, &spells, &insatser);
    truth.insatser = casemix::realised(&insatser, &deltaganden);
    let weights: std::collections::HashMap<InsatsId, f64> = insatser.iter().map(|p| (p.insats.id, p.weight)).collect();
    let insatser: Vec<Insats> = insatser.into_iter().map(|p| p.insats).collect();
    let (jamforelsepersoner, comparison_spells) =
        comparison::population(&mut rng.fork(8), evaluation.comparison, &anchors, &deltaganden, &insatser, &forbund);
    spells.extend(comparison_spells);
    // In (person, start) order, as register extracts come: the indicator
    // context then borrows them instead of sorting a copy on every call.
    spells.sort_by_key(|s| (s.person, s.fran));
    kommunstatistik.extend(kommuner::history(&mut rng.fork(9), &forbund, &kommunstatistik));
    let mut data = Dataset {
        forbund,
        insatser,
        deltaganden,
        anonyma_deltagare: anonyma,
        insats_ar,
        ersattningsperioder: spells,
        ersattningsdagar: Vec::new(),
        enkatsvar,
        forbund_ekonomi,
        kommunstatistik,
        kommunandelar,
        jamforelsepersoner,
        uttagsdatum: Some(uttagsdatum()),
        scope: Default::default(),
        origins: Default::default(),
    };
    aggregates::add_aggregate_era(&mut rng.fork(10), config.scale, &mut data, &weights)?;
    economy::fit_insats_budgets(&mut data);
    aggregates::close_person_level(&mut data.deltaganden, crate::engine::era::sus_closed());
    Ok((data, truth))
}

/// Sampling functions over PCG-64.
struct Sampler(Pcg64Mcg);

impl Sampler {
    fn new(seed: u64) -> Sampler {
        Sampler(Pcg64Mcg::seed_from_u64(seed))
    }

    /// An independent stream for one part of the data, so that changing one
    /// part does not shift the random numbers of the others.
    fn fork(&mut self, stream: u64) -> Sampler {
        let s = self.0.next_u64() ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Sampler::new(s)
    }

    fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n.saturating_sub(1))
    }

    fn range(&mut self, lo: i32, hi_inclusive: i32) -> i32 {
        lo + self.below((hi_inclusive - lo + 1) as usize) as i32
    }

    fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }

    fn lognormal(&mut self, sigma: f64) -> f64 {
        self.normal(0.0, sigma).exp()
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.len() - 1
    }

    /// An index drawn by cumulative weights (binary search).
    fn cumulative(&mut self, cumulative: &[f64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0.0);
        let u = self.uniform() * total;
        cumulative.partition_point(|&c| c <= u).min(cumulative.len().saturating_sub(1))
    }

    fn day_in(&mut self, year: i32) -> Date {
        let first = date(year, 1, 1);
        first.add_days(self.below(first.days_until(date(year, 12, 31)) as usize + 1) as i32)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }

    /// Rounds `x` up or down at random so that the expectation is `x`.
    fn round(&mut self, x: f64) -> u32 {
        let f = x.floor();
        (f + f64::from(u8::from(self.chance(x - f)))) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_exactly() {
        assert_eq!(largest_remainder(&[1.0, 1.0, 1.0], 10), vec![4, 3, 3]);
        assert_eq!(largest_remainder(&[0.0, 2.0], 5), vec![0, 5]);
        assert_eq!(largest_remainder(&[], 5), Vec::<u64>::new());
    }
}

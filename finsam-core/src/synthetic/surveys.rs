//! Synthetic NNS survey answers, calibrated to domain.md §5.

use super::{Sampler, largest_remainder};
use crate::model::*;

/// The survey figures a year is calibrated to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SurveyTarget {
    /// The year.
    pub ar: i32,
    /// Förbund whose respondents answered.
    pub forbund: u32,
    /// Questionnaires answered.
    pub enkater: u32,
    /// `true` where domain.md §5 gives the figures; `false` where they are
    /// assumed (before 2020: the network had slightly fewer förbund and, in
    /// 2019, more answers than in 2020).
    pub publicerad: bool,
}

/// The calibration targets by year.
pub const SURVEY_TARGETS: [SurveyTarget; 6] = [
    SurveyTarget { ar: 2017, forbund: 30, enkater: 3_000, publicerad: false },
    SurveyTarget { ar: 2018, forbund: 38, enkater: 4_100, publicerad: false },
    SurveyTarget { ar: 2019, forbund: 40, enkater: 4_450, publicerad: false },
    SurveyTarget { ar: 2020, forbund: 42, enkater: 4_186, publicerad: true },
    SurveyTarget { ar: 2021, forbund: 39, enkater: 3_759, publicerad: true },
    SurveyTarget { ar: 2022, forbund: 36, enkater: 3_970, publicerad: true },
];

/// Each group's share of questionnaires, the share of women in it, its
/// items (the equality item `d8` is asked from 2021) and how much lower men
/// score on the latent scale (the sources: men are slightly less satisfied).
struct Group {
    grupp: Respondentgrupp,
    share: f64,
    women: f64,
    items: &'static [&'static str],
    men_lower: f64,
}

const GROUPS: [Group; 6] = [
    Group {
        grupp: Respondentgrupp::DeltagarePagaende,
        share: 0.30,
        women: 0.58,
        items: &["d1", "d2", "d3", "d4", "d7", "d8"],
        men_lower: 0.45,
    },
    Group {
        grupp: Respondentgrupp::DeltagareAvslut,
        share: 0.25,
        women: 0.58,
        items: &["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"],
        men_lower: 0.45,
    },
    Group {
        grupp: Respondentgrupp::Insatspersonal,
        share: 0.17,
        women: 0.78,
        items: &["p1", "p2", "p3", "p4"],
        men_lower: 0.15,
    },
    Group {
        grupp: Respondentgrupp::Styrelse,
        share: 0.08,
        women: 0.52,
        items: &["s1", "s2", "s3", "s4"],
        men_lower: 0.15,
    },
    Group { grupp: Respondentgrupp::Chef, share: 0.10, women: 0.70, items: &["c1", "c2", "c3", "c4"], men_lower: 0.15 },
    Group { grupp: Respondentgrupp::Remittent, share: 0.10, women: 0.76, items: &["r1", "r2", "r3"], men_lower: 0.15 },
];

/// Per item: a probability of "vet ej" and of no answer.
const VET_EJ: f64 = 0.04;
const EJ_SVAR: f64 = 0.02;
/// Kön not given.
const KON_OKAND: f64 = 0.015;

/// The answers of every year. Each year's förbund are the first active ones
/// in a fixed random order, so most take part year after year.
pub(super) fn generate(rng: &mut Sampler, scale: f64, forbund: &[Forbund]) -> Vec<EnkatSvar> {
    let mut order: Vec<usize> = (0..forbund.len()).collect();
    rng.shuffle(&mut order);
    let effects: Vec<f64> = forbund.iter().map(|_| rng.normal(0.0, 0.35)).collect();
    let mut rows = Vec::new();
    let mut next_id = 1u64;
    for t in SURVEY_TARGETS {
        let chosen: Vec<usize> =
            order.iter().copied().filter(|&i| forbund[i].is_active_in(t.ar)).take(t.forbund as usize).collect();
        let sizes: Vec<f64> = chosen.iter().map(|_| rng.lognormal(0.5)).collect();
        let total = (f64::from(t.enkater) * scale).round() as u64;
        let per_forbund = largest_remainder(&sizes, total);
        let group_weights: Vec<f64> = GROUPS.iter().map(|g| g.share).collect();
        for (&f, n) in chosen.iter().zip(per_forbund) {
            let per_group = largest_remainder(&group_weights, n);
            for (g, count) in GROUPS.iter().zip(per_group) {
                for _ in 0..count {
                    let kon = if rng.chance(KON_OKAND) {
                        Kon::Okand
                    } else if rng.chance(g.women) {
                        Kon::Kvinna
                    } else {
                        Kon::Man
                    };
                    let latent = effects[f] + 0.05 * f64::from(t.ar - 2017) + rng.normal(0.0, 0.9)
                        - if kon == Kon::Man { g.men_lower } else { 0.0 };
                    for &item in g.items.iter().filter(|&&i| i != "d8" || t.ar >= 2021) {
                        let svar = answer(rng, latent);
                        rows.push(EnkatSvar {
                            enkat: EnkatId(next_id),
                            forbund: forbund[f].id,
                            ar: t.ar,
                            grupp: g.grupp,
                            kon,
                            fraga: item.to_owned(),
                            svar,
                        });
                    }
                    next_id += 1;
                }
            }
        }
    }
    rows
}

/// One item's answer on the 1–10 scale around a mean of 7.6 plus the
/// respondent's latent level.
fn answer(rng: &mut Sampler, latent: f64) -> Svar {
    if rng.chance(VET_EJ) {
        return Svar::VetEj;
    }
    if rng.chance(EJ_SVAR) {
        return Svar::EjSvar;
    }
    let x = rng.normal(7.6 + latent, 1.5).round().clamp(1.0, 10.0);
    Svar::Varde(x as u8)
}

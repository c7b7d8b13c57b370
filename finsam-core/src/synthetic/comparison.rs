//! The evaluation part of the synthetic data: a comparison population drawn
//! from registers, the counterfactual (no-participation) path of benefit
//! spells that both it and the participants' hidden counterfactual follow,
//! and the true effects this plants.
//!
//! # The design
//!
//! A person's benefit spells before a reference date (a participant's
//! start; for a comparison person the start of a participant drawn at
//! random, kept as its `forsorjning_datum`) are drawn in the same way for
//! both groups ([`spell_before`](super::spell_before)); the groups differ in
//! who has which benefit (participants have far more sick pay, activity and
//! sickness compensation and social assistance: selection on observables,
//! with overlap).
//!
//! Without participation (the counterfactual path, `Y(0)`), a benefit spell
//! that runs up to the day before the reference date goes on from it with
//! probability [`EffectParameters::persist_without`] for
//! `30 + Exp(`[`EffectParameters::continuation_mean_days`]`)` days, at the
//! same extent; a person without one starts one with the probability
//! `onset` of the participants' model, within two years. The comparison
//! persons' spells *are* this path. The participants' observed spells are
//! the calibrated ones (no benefit during the participation, then the
//! persistence that gives domain.md §9's changes); their counterfactual path
//! is drawn too, from the same random numbers as the comparison persons' but
//! in a stream of its own, and kept out of the data. Since `Y(0)` depends only
//! on whether and at what extent a spell runs into the reference date, and on
//! nothing unobserved, matching on the benefit days of the quarters before
//! identifies the effect.
//!
//! The effect on work or studies: without participation, a participant who
//! ended in work or studies would have done so with probability
//! `1 − δ / s` (`s` the year's and kön's share, `δ` =
//! [`EffectParameters::arbete_studier`]), so the share is `δ` lower.
//!
//! [`TrueEffects`] holds the effects realised in the generated participants
//! (the mean over them of `Y(1) − Y(0)`), exact for the data set.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{BeforeSpell, SPELL_MODELS, Sampler, YEARS, spell_before, uttagsdatum};
use crate::Date;
use crate::evaluation::data::{MAX_QUARTERS, add_spell_quarters, quarter_window};
use crate::model::*;

/// The parameters of the planted effects (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EffectParameters {
    /// Without participation, the chance that a spell running into the
    /// reference date goes on (sick pay and rehabiliteringspenning,
    /// aktivitetsersättning, sjukersättning).
    pub persist_without: [f64; 3],
    /// The mean of the exponential part of such a continuation, in days.
    pub continuation_mean_days: [f64; 3],
    /// The share of participants in work or studies after the participation
    /// that is due to it (percentage points as a fraction).
    pub arbete_studier: f64,
    /// The relative effect of membership in a förbund on the kommun's
    /// försörjningsmått per inhabitant 16–64, in every year from the year
    /// the kommun joined, for kommuner that joined in [`Self::kommun_cohorts`].
    pub kommun_forsorjningsmatt: f64,
    /// The joining years with the effect: the kommuner that joined from 2016
    /// have none, so that the statistics of 2015–2023 (which the state's
    /// allocations are computed from) stay as the calibrated data set has
    /// them.
    pub kommun_cohorts: (i32, i32),
}

/// The planted effects.
///
/// ```
/// use finsam_core::synthetic::TRUE_EFFECTS;
/// assert_eq!(TRUE_EFFECTS.arbete_studier, 0.08);
/// assert_eq!(TRUE_EFFECTS.kommun_forsorjningsmatt, -0.05);
/// ```
pub const TRUE_EFFECTS: EffectParameters = EffectParameters {
    persist_without: [0.80, 0.93, 0.98],
    continuation_mean_days: [540.0, 1100.0, 1500.0],
    arbete_studier: 0.08,
    kommun_forsorjningsmatt: -0.05,
    kommun_cohorts: (2005, 2015),
};

/// The effect of participation on benefit days in one quarter relative to
/// the start, realised in the generated participants.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuarterEffect {
    /// The quarter (0: the 91 days from the start), as in `dagar_q+0`.
    pub quarter: i32,
    /// The mean over the participants of the days observed minus the days
    /// without participation (all benefit kinds).
    pub att: f64,
    /// The participants whose quarter has closed by the cut-off.
    pub n: u64,
}

/// The effects realised in a generated data set: the average effects on the
/// treated (ATT) over the participants of the analysis frame's default
/// population (first participation per person, not a felregistrering,
/// started 2017–2022).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrueEffects {
    /// Per quarter from −8 to +8 (the quarters before are 0: no
    /// anticipation).
    pub dagar: Vec<QuarterEffect>,
    /// The effect on the share in work or studies, over the participations
    /// that ended with a status registered by the time SUS closed.
    pub arbete_studier: f64,
    /// The participations it is computed over.
    pub arbete_studier_n: u64,
    /// The relative effect on the försörjningsmått per inhabitant 16–64 of
    /// the kommuner that joined in the cohorts of [`TRUE_EFFECTS`].
    pub kommun_forsorjningsmatt: f64,
    /// Per individinriktad insats with participations that ended with a
    /// status, its case mix and its effect on work or studies relative to
    /// the average insats (see [`super::INSATS_EFFECTS`]), over every such
    /// participation, whatever the year.
    #[serde(default)]
    pub insatser: Vec<super::InsatsEffect>,
}

/// What a participant's counterfactual needs from the generator: its
/// participation, the spells drawn before its start, and the range of its
/// observed spells in the spell table.
pub(super) struct Anchor {
    pub(super) participation: usize,
    pub(super) before: [BeforeSpell; 3],
    pub(super) spells: Range<usize>,
}

/// The counterfactual spells from `reference` on, given the spells before
/// it, appended to `out`.
fn without_participation(
    rng: &mut Sampler,
    person: PersonId,
    reference: Date,
    before: &[BeforeSpell; 3],
    out: &mut Vec<Ersattningsperiod>,
) {
    for (m, (model, b)) in SPELL_MODELS.iter().zip(before).enumerate() {
        if b.days > 0 {
            if rng.chance(TRUE_EFFECTS.persist_without[m]) {
                let days = 30 + rng.exponential(TRUE_EFFECTS.continuation_mean_days[m]).round() as i32;
                out.push(Ersattningsperiod {
                    person,
                    slag: b.slag,
                    fran: reference,
                    till: reference.add_days(days - 1),
                    omfattning: b.omfattning,
                });
            }
        } else if rng.chance(model.onset) {
            let from = reference.add_days(rng.range(0, 729));
            out.push(Ersattningsperiod {
                person,
                slag: b.slag,
                fran: from,
                till: from.add_days(rng.range(30, 365) - 1),
                omfattning: Omfattning::ALL[rng.weighted(&model.omfattning)],
            });
        }
    }
}

/// Försörjning of the comparison population on its register date: the
/// primary source and its probability (assumed; far less sick pay and
/// social assistance, far more work, than among participants).
const FORSORJNING: [(Forsorjning, f64); 12] = [
    (Forsorjning::Sjukpenning, 0.07),
    (Forsorjning::Rehabiliteringspenning, 0.01),
    (Forsorjning::Aktivitetsersattning, 0.03),
    (Forsorjning::Sjukersattning, 0.04),
    (Forsorjning::Forsorjningsstod, 0.07),
    (Forsorjning::Aktivitetsstod, 0.06),
    (Forsorjning::AKassa, 0.07),
    (Forsorjning::Etableringsersattning, 0.02),
    (Forsorjning::Lon, 0.43),
    (Forsorjning::Studiemedel, 0.08),
    (Forsorjning::Annan, 0.02),
    (Forsorjning::IngenOffentlig, 0.10),
];

/// Keeps, from index `first` on, the elements `keep` returns true for (it
/// may change them), leaving the ones before `first` alone.
trait RetainFrom<T> {
    fn retain_mut_from(&mut self, first: usize, keep: impl FnMut(&mut T) -> bool);
}

impl<T> RetainFrom<T> for Vec<T> {
    fn retain_mut_from(&mut self, first: usize, keep: impl FnMut(&mut T) -> bool) {
        let mut tail = self.split_off(first);
        tail.retain_mut(keep);
        self.append(&mut tail);
    }
}

/// Whether an anchor belongs to the default analysis population.
fn in_population(d: &Deltagande) -> bool {
    YEARS.contains(&d.start.year())
}

/// The comparison population: `multiple` × the participants of the
/// reference years, each with a participant's start as register date, a
/// member kommun of that participant's förbund, and spells on the
/// counterfactual path.
pub(super) fn population(
    rng: &mut Sampler,
    multiple: f64,
    anchors: &[Anchor],
    deltaganden: &[Deltagande],
    insatser: &[Insats],
    forbund: &[Forbund],
) -> (Vec<Jamforelseperson>, Vec<Ersattningsperiod>) {
    let templates: Vec<&Deltagande> =
        anchors.iter().map(|a| &deltaganden[a.participation]).filter(|d| in_population(d)).collect();
    let n = (templates.len() as f64 * multiple).round() as usize;
    let (mut persons, mut spells) = (Vec::with_capacity(n), Vec::with_capacity(2 * n));
    if templates.is_empty() {
        return (persons, spells);
    }
    let forbund_of: rustc_hash::FxHashMap<InsatsId, ForbundId> = insatser.iter().map(|i| (i.id, i.forbund)).collect();
    let weights: Vec<f64> = FORSORJNING.iter().map(|(_, p)| *p).collect();
    for m in 0..n as u64 {
        let t = templates[rng.below(templates.len())];
        let reference = t.start;
        let members = forbund_of
            .get(&t.insats)
            .and_then(|id| forbund.iter().find(|f| f.id == *id))
            .map(|f| f.members_on(reference))
            .unwrap_or_default();
        let kommun = (!members.is_empty()).then(|| members[rng.below(members.len())]);
        let fore = ForsorjningSet::of(&[FORSORJNING[rng.weighted(&weights)].0]);
        let age = if fore.contains(Forsorjning::Aktivitetsersattning) {
            rng.range(19, 29)
        } else {
            rng.normal(42.0, 12.0).round().clamp(18.0, 64.0) as i32
        };
        let kon = if rng.chance(0.5) { Kon::Kvinna } else { Kon::Man };
        // Ids above every participant's (those stay below 2^48 + 10^6).
        let person = PersonId((1 << 50) + (m.wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 48) - 1)));
        let mut before = [BeforeSpell::default(); 3];
        for (b, model) in before.iter_mut().zip(&SPELL_MODELS) {
            *b = spell_before(rng, model, fore);
            spells.extend(b.spell(person, reference));
        }
        let first = spells.len();
        without_participation(rng, person, reference, &before, &mut spells);
        // A register extract holds nothing after its cut-off.
        let cutoff = uttagsdatum();
        spells.retain_mut_from(first, |s| {
            s.till = s.till.min(cutoff);
            s.fran <= cutoff
        });
        persons.push(Jamforelseperson {
            person,
            kon,
            fodelsear: Some((reference.year() - age) as u16),
            kommun,
            forsorjning: fore,
            forsorjning_datum: Some(reference),
        });
    }
    (persons, spells)
}

/// The effects realised in the participants: their counterfactual paths
/// are drawn (and dropped) here, from a stream of their own.
pub(super) fn realised(
    rng: &mut Sampler,
    anchors: &[Anchor],
    deltaganden: &[Deltagande],
    spells: &[Ersattningsperiod],
    insatser: &[super::insatser::Planned],
) -> TrueEffects {
    let effect_of: rustc_hash::FxHashMap<InsatsId, f64> =
        insatser.iter().map(|p| (p.insats.id, p.profile.effect)).collect();
    let offsets = super::casemix::YearOffsets::of(insatser);
    const FIRST: i32 = -8;
    const LAST: i32 = 8;
    let cutoff = uttagsdatum();
    let mut sum = [0i64; (LAST - FIRST + 1) as usize];
    let mut n = [0u64; (LAST - FIRST + 1) as usize];
    let (mut ws_sum, mut ws_n) = (0.0, 0u64);
    let mut observed = [[0i64; MAX_QUARTERS]; 8];
    let mut without = [[0i64; MAX_QUARTERS]; 8];
    let mut counterfactual = Vec::new();
    for a in anchors {
        let d = &deltaganden[a.participation];
        // Drawn for every anchor, so that each one's path does not depend
        // on which others are in the population.
        counterfactual.clear();
        for s in a.before.iter().filter_map(|b| b.spell(d.person, d.start)) {
            counterfactual.push(s);
        }
        without_participation(rng, d.person, d.start, &a.before, &mut counterfactual);
        let u = rng.uniform();
        if !in_population(d) {
            continue;
        }
        observed.iter_mut().chain(without.iter_mut()).for_each(|g| g.fill(0));
        for s in &spells[a.spells.clone()] {
            add_spell_quarters(s, d.start, FIRST, LAST, &mut observed);
        }
        for s in &counterfactual {
            add_spell_quarters(s, d.start, FIRST, LAST, &mut without);
        }
        for (i, q) in (FIRST..=LAST).enumerate() {
            if quarter_window(d.start, q).1 <= cutoff {
                let total = |x: &[[i64; MAX_QUARTERS]; 8]| x.iter().map(|g| g[i]).sum::<i64>();
                sum[i] += total(&observed) - total(&without);
                n[i] += 1;
            }
        }
        // A status registered after SUS closed is not in the data (see
        // `aggregates::close_person_level`): not part of the realised effect.
        let registered = d.slut.filter(|&end| end <= crate::engine::era::sus_closed());
        if let (Some(utfall), Some(end)) = (d.utfall, registered) {
            let works = matches!(utfall, Utfall::Arbete | Utfall::Studier);
            // The chance the generator used (see `Participations::outcome`).
            let year = end.year().max(d.start.year());
            let effect = offsets.net(effect_of.get(&d.insats).copied().unwrap_or(0.0), year);
            let share = super::casemix::chance_of_work_or_studies(d.kon, year, d.forsorjning_fore, effect);
            let works_without = works && u < 1.0 - TRUE_EFFECTS.arbete_studier / share;
            ws_sum += f64::from(u8::from(works)) - f64::from(u8::from(works_without));
            ws_n += 1;
        }
    }
    let dagar = (FIRST..=LAST)
        .enumerate()
        .map(|(i, quarter)| QuarterEffect {
            quarter,
            att: if n[i] > 0 { sum[i] as f64 / 4.0 / n[i] as f64 } else { 0.0 },
            n: n[i],
        })
        .collect();
    TrueEffects {
        dagar,
        arbete_studier: if ws_n > 0 { ws_sum / ws_n as f64 } else { 0.0 },
        arbete_studier_n: ws_n,
        kommun_forsorjningsmatt: TRUE_EFFECTS.kommun_forsorjningsmatt,
        insatser: Vec::new(),
    }
}

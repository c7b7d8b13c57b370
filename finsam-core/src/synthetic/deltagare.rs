//! Participants and their participations: persons, starts and ends,
//! status after, and benefit spells before and after.

use std::collections::HashMap;

use super::*;
use crate::Date;
use crate::model::*;

/// A person's lasting attributes.
#[derive(Clone, Copy)]
pub(crate) struct Person {
    pub(crate) id: PersonId,
    pub(crate) kon: Kon,
    pub(crate) fodelsear: u16,
    pub(crate) fore: ForsorjningSet,
    /// The end of the person's latest ended participation.
    pub(crate) last_end: Option<Date>,
    /// Whether a participation of the person is still ongoing.
    pub(crate) ongoing: bool,
    pub(crate) has_spells: bool,
    /// The insats and start of the person's latest participation: a second
    /// participation of one person in one insats from the same day would
    /// repeat its key.
    pub(crate) last_started: Option<(InsatsId, Date)>,
}

/// Försörjning before: the primary source and its probability.
pub(crate) const FORSORJNING_FORE: [(Forsorjning, f64); 12] = [
    (Forsorjning::Sjukpenning, 0.198),
    (Forsorjning::Rehabiliteringspenning, 0.05),
    (Forsorjning::Aktivitetsersattning, 0.09),
    (Forsorjning::Sjukersattning, 0.04),
    (Forsorjning::Forsorjningsstod, 0.232),
    (Forsorjning::Aktivitetsstod, 0.14),
    (Forsorjning::AKassa, 0.05),
    (Forsorjning::Etableringsersattning, 0.03),
    (Forsorjning::Lon, 0.03),
    (Forsorjning::Studiemedel, 0.02),
    (Forsorjning::Annan, 0.025),
    (Forsorjning::IngenOffentlig, 0.095),
];

/// Share of women among participants.
pub(crate) const WOMEN: f64 = 0.56;
/// Of the new persons in a year, the share who took part before (re-entry).
pub(crate) const REENTRY: f64 = 0.10;
/// Extra participations in the same year by persons already counted.
pub(crate) const EXTRA_PARTICIPATIONS: f64 = 0.07;
/// Participations registered by mistake, relative to new persons.
pub(crate) const FELREGISTRERING: f64 = 0.015;

/// The individinriktade insatser active in a year, with cumulative weights
/// for drawing one for a hard case and for another participant.
pub(crate) struct ActiveInsatser {
    pub(crate) active: Vec<usize>,
    pub(crate) hard: Vec<f64>,
    pub(crate) other: Vec<f64>,
}

pub(crate) struct Participations<'a> {
    pub(crate) rng: Sampler,
    pub(crate) scale: f64,
    pub(crate) insatser: &'a [Planned],
    /// Per year, the individinriktade insatser active in it and their
    /// cumulative weights for a hard case and for others (see
    /// [`casemix`](super::casemix)).
    pub(crate) by_year: HashMap<i32, ActiveInsatser>,
    /// The years' mean insats effects, netted out of each chance.
    pub(crate) offsets: casemix::YearOffsets,
    pub(crate) persons: Vec<Person>,
    pub(crate) deltaganden: Vec<Deltagande>,
    /// Per participation, the index of its person.
    pub(crate) owner: Vec<u32>,
    pub(crate) spells: Vec<Ersattningsperiod>,
    /// Per person with spells, what the counterfactual path needs.
    pub(crate) anchors: Vec<comparison::Anchor>,
    pub(crate) cutoff: Date,
}

impl<'a> Participations<'a> {
    pub(crate) fn new(rng: Sampler, scale: f64, insatser: &'a [Planned]) -> Self {
        let mut by_year = HashMap::new();
        for year in WARMUP_YEAR..=uttagsdatum().year() {
            let active: Vec<usize> = (0..insatser.len())
                .filter(|&i| {
                    insatser[i].insats.inriktning == Inriktning::Individ && insatser[i].insats.is_active_in(year)
                })
                .collect();
            let cumulative = |weight: &dyn Fn(&Planned) -> f64| {
                active
                    .iter()
                    .scan(0.0, |acc, &i| {
                        *acc += weight(&insatser[i]);
                        Some(*acc)
                    })
                    .collect()
            };
            let hard = cumulative(&|p| p.weight * p.profile.affinity);
            let other = cumulative(&|p| p.weight * (1.0 - p.profile.affinity));
            by_year.insert(year, ActiveInsatser { active, hard, other });
        }
        Participations {
            rng,
            scale,
            insatser,
            by_year,
            offsets: casemix::YearOffsets::of(insatser),
            persons: Vec::new(),
            deltaganden: Vec::new(),
            owner: Vec::new(),
            spells: Vec::new(),
            anchors: Vec::new(),
            cutoff: uttagsdatum(),
        }
    }

    /// Persons with a counted participation active in `year` so far.
    pub(crate) fn carried_into(&self, year: i32) -> usize {
        let mut seen = vec![false; self.persons.len()];
        let mut n = 0;
        for (d, &p) in self.deltaganden.iter().zip(&self.owner) {
            if !d.is_felregistrering() && d.is_active_in(year) && !seen[p as usize] {
                seen[p as usize] = true;
                n += 1;
            }
        }
        n
    }

    pub(crate) fn year(&mut self, year: i32) {
        let t = target(year.max(*YEARS.start()));
        let with_personal_data = f64::from(t.deltagare_totalt) * (1.0 - t.andel_anonyma) * self.scale;
        let wanted = if year == WARMUP_YEAR { with_personal_data * 0.62 } else { with_personal_data };
        let new_persons = (wanted.round() as usize).saturating_sub(self.carried_into(year));
        let jan1 = date(year, 1, 1);
        let mut this_year = Vec::with_capacity(new_persons);
        for _ in 0..new_persons {
            let p = self.reentry(jan1).unwrap_or_else(|| self.new_person(year));
            this_year.push(p);
            let start = self.rng.day_in(year);
            self.participate(p, start, year, false);
        }
        let extra = (new_persons as f64 * EXTRA_PARTICIPATIONS).round() as usize;
        for _ in 0..extra {
            let Some(&p) = this_year.get(self.rng.below(this_year.len())) else {
                break;
            };
            let start = self.rng.day_in(year).max(self.deltaganden.last().map_or(jan1, |d| d.start));
            self.participate(p, start, year, false);
        }
        let felreg = (new_persons as f64 * FELREGISTRERING).round() as usize;
        for _ in 0..felreg {
            let p = self.new_person(year);
            let start = self.rng.day_in(year);
            self.participate(p, start, year, true);
        }
    }

    pub(crate) fn reentry(&mut self, jan1: Date) -> Option<usize> {
        if self.persons.is_empty() || !self.rng.chance(REENTRY) {
            return None;
        }
        (0..4)
            .map(|_| self.rng.below(self.persons.len()))
            .find(|&p| !self.persons[p].ongoing && self.persons[p].last_end.is_some_and(|e| e < jan1))
    }

    pub(crate) fn new_person(&mut self, year: i32) -> usize {
        let n = self.persons.len() as u64;
        // A bijection of the counter: unique ids that do not reveal the order.
        let id = PersonId((n.wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 48) - 1)) + 1_000_000);
        let weights: Vec<f64> = FORSORJNING_FORE.iter().map(|(_, p)| *p).collect();
        let mut fore = ForsorjningSet::of(&[FORSORJNING_FORE[self.rng.weighted(&weights)].0]);
        if self.rng.chance(0.10) {
            fore.insert(if self.rng.chance(0.6) { Forsorjning::Forsorjningsstod } else { Forsorjning::Aktivitetsstod });
        }
        let age = if fore.contains(Forsorjning::Aktivitetsersattning) {
            self.rng.range(19, 29)
        } else {
            self.rng.normal(40.0, 11.0).round().clamp(18.0, 64.0) as i32
        };
        let kon = if self.rng.chance(WOMEN) { Kon::Kvinna } else { Kon::Man };
        // A few persons have no registered kön, as in real registers. Chosen
        // from the id, not the sampler, so every other draw stays as it was.
        let kon = if n.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 54 < UNKNOWN_KON_PER_1024 { Kon::Okand } else { kon };
        self.persons.push(Person {
            id,
            kon,
            fodelsear: (year - age) as u16,
            fore,
            last_end: None,
            ongoing: false,
            has_spells: false,
            last_started: None,
        });
        self.persons.len() - 1
    }

    pub(crate) fn participate(&mut self, p: usize, start: Date, year: i32, felregistrering: bool) {
        let planned_end = if felregistrering {
            start.add_days(self.rng.range(0, 20))
        } else {
            start.add_days(30 + (self.rng.exponential(200.0) + self.rng.exponential(200.0)).round() as i32)
        };
        let hard_case = casemix::is_hard_case(self.persons[p].fore);
        let (planned, start, end) = self.pick_insats(start, planned_end, hard_case);
        let (insats, effect) = (self.insatser[planned].insats.id, self.insatser[planned].profile.effect);
        // An extra participation starts no earlier than the latest one made,
        // so it can fall on the person's own latest start in the same insats:
        // the same participation again, not a second one (seed 907 at scale
        // 0.01 drew one). It is drawn as any other, so that every later draw
        // is as before, but not recorded.
        let repeat = self.persons[p].last_started == Some((insats, start));
        self.persons[p].last_started = Some((insats, start));
        let end = end.filter(|&e| e <= self.cutoff);
        let person = self.persons[p];
        let mut d = Deltagande {
            person: person.id,
            insats,
            kon: person.kon,
            fodelsear: Some(person.fodelsear),
            start,
            slut: end,
            forsorjning_fore: person.fore,
            forsorjning_efter: ForsorjningSet::empty(),
            utfall: None,
            subventionerad: None,
            avslutsanledning: None,
            remittent: Some(self.remittent(person.fore)),
        };
        if let Some(e) = end {
            if felregistrering {
                d.avslutsanledning = Some(Avslutsanledning::Felregistrering);
            } else {
                self.outcome(&mut d, e.year().max(year), effect);
            }
        }
        let record = &mut self.persons[p];
        match end {
            None => record.ongoing = true,
            Some(e) => record.last_end = Some(record.last_end.map_or(e, |prev| prev.max(e))),
        }
        if !felregistrering && !self.persons[p].has_spells {
            self.persons[p].has_spells = true;
            self.benefit_spells(person, &d);
        }
        if !repeat {
            self.deltaganden.push(d);
            self.owner.push(p as u32);
        }
    }

    /// An individinriktad insats for a participation planned from `start`
    /// to `end`, drawn by weight and affinity for hard cases: one that runs
    /// on both days if one is drawn, else one that runs on the start (the
    /// participation ends with it). Returns the index of the insats, the
    /// start (moved only if no insats of the year runs on it) and the end.
    pub(crate) fn pick_insats(&mut self, start: Date, end: Date, hard_case: bool) -> (usize, Date, Option<Date>) {
        let insatser = self.insatser;
        let covers = |a: usize, d: Date| {
            let i = &insatser[a].insats;
            i.start <= d && i.slut.is_none_or(|s| s >= d)
        };
        let span_end = end.min(self.cutoff);
        let year = &self.by_year[&start.year()];
        let (active, cumulative) = (&year.active, if hard_case { &year.hard } else { &year.other });
        let mut fallback = None;
        for _ in 0..64 {
            let a = active[self.rng.cumulative(cumulative)];
            if !covers(a, start) {
                continue;
            }
            if covers(a, span_end) {
                return (a, start, Some(end));
            }
            fallback.get_or_insert(a);
        }
        let covering = fallback.or_else(|| active.iter().copied().find(|&a| covers(a, start)));
        match covering {
            Some(a) => (a, start, Some(insatser[a].insats.slut.map_or(end, |s| s.min(end)))),
            // No insats of the year runs on the start day (early in the first
            // year, when every insats starts later): the participation starts
            // with the first insats that starts after it, so it lies within
            // that insats's lifetime as the validation rules require.
            None => {
                let a = active
                    .iter()
                    .copied()
                    .filter(|&a| insatser[a].insats.start > start)
                    .min_by_key(|&a| (insatser[a].insats.start, insatser[a].insats.id))
                    .unwrap_or(active[0]);
                let i = &insatser[a].insats;
                let moved = i.start.max(start);
                let end = end.max(moved);
                (a, moved, Some(i.slut.map_or(end, |s| s.min(end))))
            }
        }
    }

    pub(crate) fn remittent(&mut self, fore: ForsorjningSet) -> Part {
        let fk = if fore.contains(Forsorjning::Sjukpenning) || fore.contains(Forsorjning::Aktivitetsersattning) {
            0.45
        } else {
            0.22
        };
        let weights = [fk, 0.25, 0.12, 0.25, 0.06];
        [Part::Forsakringskassan, Part::Arbetsformedlingen, Part::Region, Part::Kommun, Part::Annan]
            [self.rng.weighted(&weights)]
    }

    /// The reason for the end and the status after, with the chance of work
    /// or studies of [`casemix::chance_of_work_or_studies`] (`effect`: the
    /// insats's).
    pub(crate) fn outcome(&mut self, d: &mut Deltagande, end_year: i32, effect: f64) {
        let t = target(end_year);
        d.avslutsanledning = Some(
            [
                Avslutsanledning::Genomford,
                Avslutsanledning::Avbrott,
                Avslutsanledning::Flytt,
                Avslutsanledning::Sjukdom,
                Avslutsanledning::Annan,
            ][self.rng.weighted(&[0.72, 0.18, 0.04, 0.04, 0.02])],
        );
        if self.rng.chance(0.02) {
            d.forsorjning_efter = d.forsorjning_fore;
            return; // no status registered
        }
        let u = self.rng.uniform();
        let effect = self.offsets.net(effect, end_year);
        let ws = casemix::chance_of_work_or_studies(d.kon, end_year, d.forsorjning_fore, effect);
        let utfall = if u < ws {
            if self.rng.chance(0.68) { Utfall::Arbete } else { Utfall::Studier }
        } else if u < ws + t.andel_arbetssokande {
            Utfall::Arbetssokande
        } else {
            [Utfall::FortsattInsats, Utfall::Sjukskriven, Utfall::Flyttat, Utfall::Annat, Utfall::Okand]
                [self.rng.weighted(&[0.30, 0.35, 0.05, 0.25, 0.05])]
        };
        d.utfall = Some(utfall);
        d.subventionerad = (utfall == Utfall::Arbete).then(|| self.rng.chance(0.4));
        d.forsorjning_efter = match utfall {
            Utfall::Arbete => ForsorjningSet::of(&[Forsorjning::Lon]),
            Utfall::Studier => ForsorjningSet::of(&[Forsorjning::Studiemedel]),
            Utfall::Arbetssokande if self.rng.chance(0.6) => ForsorjningSet::of(&[Forsorjning::Aktivitetsstod]),
            Utfall::Arbetssokande => ForsorjningSet::of(&[Forsorjning::AKassa]),
            Utfall::Sjukskriven => ForsorjningSet::of(&[Forsorjning::Sjukpenning]),
            _ => d.forsorjning_fore,
        };
    }

    /// Spells around a person's first participation: before it, for the
    /// benefits in the försörjning before (plus rare others), and after its
    /// end with the persistence and onset that give §9's changes.
    pub(crate) fn benefit_spells(&mut self, person: Person, d: &Deltagande) {
        let first_spell = self.spells.len();
        let mut before = [BeforeSpell::default(); 3];
        for (m, model) in SPELL_MODELS.iter().enumerate() {
            let b = spell_before(&mut self.rng, model, person.fore);
            before[m] = b;
            if let Some(spell) = b.spell(person.id, d.start) {
                self.spells.push(spell);
            }
            let fore_days = b.days;
            let Some(end) = d.slut else { continue };
            let after = if fore_days > 0 {
                if self.rng.chance(model.persist) {
                    (fore_days.min(365) as f64 + self.rng.normal(0.0, 60.0)).round().clamp(0.0, 365.0) as i32
                } else {
                    0
                }
            } else if self.rng.chance(model.onset) {
                self.rng.range(30, 365)
            } else {
                0
            };
            if after > 0 {
                let omfattning =
                    if fore_days > 0 { b.omfattning } else { Omfattning::ALL[self.rng.weighted(&model.omfattning)] };
                self.spells.push(Ersattningsperiod {
                    person: person.id,
                    slag: b.slag,
                    fran: end.add_days(1),
                    till: end.add_days(after),
                    omfattning,
                });
            }
        }
        self.anchors.push(comparison::Anchor {
            participation: self.deltaganden.len(),
            before,
            spells: first_spell..self.spells.len(),
        });
    }
}

/// A spell up to the day before a reference date, as drawn for one benefit
/// model: its length (0: none), kind and extent.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BeforeSpell {
    pub(crate) days: i32,
    pub(crate) slag: Ersattningsslag,
    pub(crate) omfattning: Omfattning,
}

impl Default for BeforeSpell {
    fn default() -> Self {
        BeforeSpell { days: 0, slag: Ersattningsslag::Sjukpenning, omfattning: Omfattning::ALL[3] }
    }
}

impl BeforeSpell {
    /// The spell ending the day before `reference`, if there is one.
    pub(crate) fn spell(&self, person: PersonId, reference: Date) -> Option<Ersattningsperiod> {
        (self.days > 0).then(|| Ersattningsperiod {
            person,
            slag: self.slag,
            fran: reference.add_days(-self.days),
            till: reference.add_days(-1),
            omfattning: self.omfattning,
        })
    }
}

/// The spell before a reference date for one benefit model: for a person
/// with the benefit in `fore` its long spell, for others a rare short one.
/// Participants and comparison persons share it, so that the two groups
/// differ in who has which benefit, not in how the spells are drawn.
pub(crate) fn spell_before(rng: &mut Sampler, model: &SpellModel, fore: ForsorjningSet) -> BeforeSpell {
    let had = model.sources.iter().any(|&s| fore.contains(s));
    let days = if had {
        (model.before_days)(rng)
    } else if rng.chance(model.occasional) {
        rng.range(10, 150)
    } else {
        0
    };
    let slag = if model.sources[0] == Forsorjning::Sjukpenning
        && fore.contains(Forsorjning::Rehabiliteringspenning)
        && !fore.contains(Forsorjning::Sjukpenning)
    {
        Ersattningsslag::Rehabiliteringspenning
    } else {
        model.slag
    };
    let omfattning = Omfattning::ALL[rng.weighted(&model.omfattning)];
    BeforeSpell { days, slag, omfattning }
}

/// How spells of one benefit are generated.
pub(crate) struct SpellModel {
    pub(crate) slag: Ersattningsslag,
    pub(crate) sources: &'static [Forsorjning],
    /// Days of the spell up to the start, for those with the benefit before.
    pub(crate) before_days: fn(&mut Sampler) -> i32,
    /// Chance of a short spell before for those without it registered.
    pub(crate) occasional: f64,
    /// Chance the benefit continues after the end.
    pub(crate) persist: f64,
    /// Chance of a new spell after the end for those without it before.
    pub(crate) onset: f64,
    /// Weights of 25, 50, 75 and 100 % omfattning.
    pub(crate) omfattning: [f64; 4],
}

pub(crate) const SPELL_MODELS: [SpellModel; 3] = [
    SpellModel {
        slag: Ersattningsslag::Sjukpenning,
        sources: &[Forsorjning::Sjukpenning, Forsorjning::Rehabiliteringspenning],
        // About 800 days of sick pay at start on average (domain.md §9, 2018).
        before_days: |r| 30 + r.exponential(780.0).round() as i32,
        occasional: 0.04,
        persist: 0.62,
        onset: 0.145,
        omfattning: [0.05, 0.25, 0.05, 0.65],
    },
    SpellModel {
        slag: Ersattningsslag::Aktivitetsersattning,
        sources: &[Forsorjning::Aktivitetsersattning],
        // About 3.5 years of aktivitetsersättning at start (domain.md §9).
        before_days: |r| 30 + r.exponential(1250.0).round() as i32,
        occasional: 0.005,
        persist: 0.91,
        onset: 0.002,
        omfattning: [0.0, 0.2, 0.0, 0.8],
    },
    SpellModel {
        slag: Ersattningsslag::Sjukersattning,
        sources: &[Forsorjning::Sjukersattning],
        before_days: |r| 365 + r.exponential(1000.0).round() as i32,
        occasional: 0.005,
        persist: 0.98,
        onset: 0.027,
        omfattning: [0.0, 0.2, 0.1, 0.7],
    },
];

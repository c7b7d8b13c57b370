//! A validated descriptive summary of a data set, per reporting year
//! ([`Dataset::reporting_years`]) of person-level data: the years of the
//! aggregate era ([`engine::era`](crate::engine::era)) have no persons to
//! describe, and their participants are in the participant tables.
//!
//! These are the headline figures of domain.md §4 computed directly, without
//! intervals or disclosure control: the main job prints them, and the
//! calibration tests of the synthetic data check them against §9. The
//! indicator engine publishes the same definitions with intervals and
//! suppression.
//!
//! Definitions (per year *Y*):
//! - **förbund**, **member kommuner**: förbund existing on 31 December of
//!   *Y*, and the distinct kommuner that are members of one of them that day;
//! - **insatser**: insatser active on any day of *Y*, by inriktning; those
//!   targeting at least one behovsgrupp, and their share of the
//!   individinriktade;
//! - **deltagare**: distinct persons with a participation in an
//!   individinriktad insats started or ongoing in *Y* (felregistrering
//!   excluded), plus the anonymous participants counted for *Y*;
//! - **avslutade**: participations with personal data ended in *Y*,
//!   felregistrering excluded; shares of those with a registered status in
//!   arbete or studier, and in arbete, studier or aktivt arbetssökande;
//! - **ersättningsdagar**: for participations ended in *Y* whose after-window
//!   has closed by the cut-off, the mean days in the 365 days before start
//!   and the 365 days after end, from benefit spells (a day at 50 % counts
//!   as half a day), and the mean difference after − before.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use crate::model::*;
use crate::{Dataset, Date};

/// The length of the windows before start and after end, in days.
pub const WINDOW_DAYS: i32 = 365;

/// Mean benefit days before and after, for one reporting group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DaysSummary {
    /// The reporting group.
    pub grupp: Ersattningsgrupp,
    /// Participations measured.
    pub n: u64,
    /// Mean days in the window before start.
    pub mean_fore: f64,
    /// Mean days in the window after end.
    pub mean_efter: f64,
    /// Mean of after − before.
    pub mean_diff: f64,
}

/// The figures of one calendar year.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct YearSummary {
    /// The year.
    pub ar: i32,
    /// Förbund existing on 31 December.
    pub forbund: u64,
    /// Distinct member kommuner on 31 December.
    pub medlemskommuner: u64,
    /// Individinriktade insatser active in the year.
    pub insatser_individ: u64,
    /// Strukturövergripande insatser active in the year.
    pub insatser_struktur: u64,
    /// Individinriktade insatser targeting a behovsgrupp.
    pub insatser_behovsgrupp: u64,
    /// Distinct persons with personal data.
    pub deltagare_personuppgifter: u64,
    /// Anonymous participants.
    pub deltagare_anonyma: u64,
    /// Persons plus anonymous participants.
    pub deltagare_totalt: u64,
    /// Participations started or ongoing (with personal data).
    pub deltaganden: u64,
    /// Participations ended in the year (felregistrering excluded).
    pub avslutade: u64,
    /// Of those, with a registered status after.
    pub avslutade_med_status: u64,
    /// Ended in the year and registered as felregistrering (excluded).
    pub felregistreringar: u64,
    /// Share in arbete or studier (of those with a status).
    pub andel_arbete_studier: Option<f64>,
    /// The same for women.
    pub andel_arbete_studier_kvinnor: Option<f64>,
    /// The same for men.
    pub andel_arbete_studier_man: Option<f64>,
    /// Share in arbete, studier or aktivt arbetssökande.
    pub andel_arbete_studier_sokande: Option<f64>,
    /// Persons with sjukpenning before a participation active in the year.
    pub personer_sjukpenning_fore: u64,
    /// Persons with aktivitetsersättning before.
    pub personer_aktivitetsersattning_fore: u64,
    /// Participants in strukturövergripande insatser (from aggregate rows).
    pub deltagare_struktur: u64,
    /// Ended participations left out of the day means because the
    /// after-window had not closed by the cut-off.
    pub efterfonster_oppna: u64,
    /// Benefit days before and after, per group present in the spells.
    pub ersattningsdagar: Vec<DaysSummary>,
}

/// A summary of a whole data set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// The cut-off date used for after-windows.
    pub uttagsdatum: Option<Date>,
    /// Per calendar year with any data.
    pub per_year: Vec<YearSummary>,
}

impl Dataset {
    /// The descriptive summary per year (see the [module docs](crate::summary)).
    ///
    /// ```
    /// use finsam_core::synthetic::{generate, SyntheticConfig};
    /// let data = generate(&SyntheticConfig { scale: 0.05, ..Default::default() })?;
    /// let s = data.summary();
    /// let y2020 = s.per_year.iter().find(|y| y.ar == 2020).unwrap();
    /// assert_eq!(y2020.forbund, 78);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn summary(&self) -> Summary {
        // Without a cut-off the person rows are bounded by the end of SUS alone.
        let cutoff = self.uttagsdatum.unwrap_or_else(crate::engine::era::sus_closed);
        let eras = crate::engine::era::Eras::of(self, &crate::indicators::Config::default(), cutoff);
        let person_level = |y: &i32| eras.source(*y) == crate::engine::era::YearSource::PersonLevel;
        let years: Vec<i32> = self.reporting_years().into_iter().filter(person_level).collect();
        let insatser = self.insats_index();
        let spells = SpellIndex::new(&self.ersattningsperioder);
        let per_year = years.into_iter().map(|y| self.year_summary(y, &insatser, &spells)).collect();
        Summary { rows: self.summary_rows().into_iter().collect(), uttagsdatum: self.uttagsdatum, per_year }
    }

    /// Rows per table (membership events counted as their own table).
    ///
    /// ```
    /// let data = finsam_core::Dataset::default();
    /// assert_eq!(data.summary_rows()["deltaganden"], 0);
    /// ```
    pub fn summary_rows(&self) -> HashMap<String, u64> {
        [
            ("forbund", self.forbund.len()),
            ("medlemskap", self.forbund.iter().map(|f| f.medlemskap.len()).sum()),
            ("insatser", self.insatser.len()),
            ("deltaganden", self.deltaganden.len()),
            ("anonyma_deltagare", self.anonyma_deltagare.len()),
            ("insats_ar", self.insats_ar.len()),
            ("ersattningsperioder", self.ersattningsperioder.len()),
            ("ersattningsdagar", self.ersattningsdagar.len()),
            ("enkatsvar", self.enkatsvar.len()),
            ("forbund_ekonomi", self.forbund_ekonomi.len()),
            ("kommunstatistik", self.kommunstatistik.len()),
            ("kommunandelar", self.kommunandelar.len()),
            ("jamforelsepersoner", self.jamforelsepersoner.len()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v as u64))
        .collect()
    }

    /// The reporting years: those with counted participants (anonymous
    /// counts or aggregate rows) if the data have any, since a delivery
    /// counts them for exactly its years; otherwise the years in which
    /// participations start.
    pub fn reporting_years(&self) -> BTreeSet<i32> {
        let counted: BTreeSet<i32> = self
            .anonyma_deltagare
            .iter()
            .map(|a| a.ar)
            .chain(self.insats_ar.iter().filter(|r| r.deltagare().is_some()).map(|r| r.ar))
            .collect();
        let years =
            if counted.is_empty() { self.deltaganden.iter().map(|d| d.start.year()).collect() } else { counted };
        years.into_iter().filter(|&y| self.scope.has_year(y)).collect()
    }

    fn year_summary(&self, ar: i32, insatser: &HashMap<InsatsId, &Insats>, spells: &SpellIndex<'_>) -> YearSummary {
        let mut s = YearSummary { ar, ..YearSummary::default() };
        self.coverage(ar, &mut s);
        for i in &self.insatser {
            if i.is_active_in(ar) {
                match i.inriktning {
                    Inriktning::Individ => {
                        s.insatser_individ += 1;
                        s.insatser_behovsgrupp += u64::from(!i.behovsgrupper.is_empty());
                    }
                    _ => s.insatser_struktur += 1,
                }
            }
        }
        let individ = |d: &Deltagande| insatser.get(&d.insats).is_some_and(|i| i.inriktning == Inriktning::Individ);
        let mut persons = HashSet::new();
        let (mut sp, mut ae) = (HashSet::new(), HashSet::new());
        let mut outcome = OutcomeCounts::default();
        let mut days: BTreeMap<Ersattningsgrupp, (u64, u64)> = BTreeMap::new();
        for d in self.deltaganden.iter().filter(|d| individ(d)) {
            if d.is_felregistrering() {
                s.felregistreringar += u64::from(d.slut.is_some_and(|e| e.year() == ar));
                continue;
            }
            if d.is_active_in(ar) {
                s.deltaganden += 1;
                persons.insert(d.person);
                if d.forsorjning_fore.contains(Forsorjning::Sjukpenning) {
                    sp.insert(d.person);
                }
                if d.forsorjning_fore.contains(Forsorjning::Aktivitetsersattning) {
                    ae.insert(d.person);
                }
            }
            let Some(slut) = d.slut.filter(|e| e.year() == ar) else {
                continue;
            };
            s.avslutade += 1;
            outcome.add(d);
            let after_end = slut.add_days(WINDOW_DAYS);
            if self.uttagsdatum.is_none_or(|cut| after_end > cut) {
                s.efterfonster_oppna += 1;
                continue;
            }
            spells.add_window_days(d, &mut days);
        }
        s.deltagare_personuppgifter = persons.len() as u64;
        s.personer_sjukpenning_fore = sp.len() as u64;
        s.personer_aktivitetsersattning_fore = ae.len() as u64;
        s.deltagare_anonyma = self.anonyma_deltagare.iter().filter(|a| a.ar == ar).map(|a| u64::from(a.antal)).sum();
        s.deltagare_totalt = s.deltagare_personuppgifter + s.deltagare_anonyma;
        s.deltagare_struktur = self
            .insats_ar
            .iter()
            .filter(|r| r.ar == ar && insatser.get(&r.insats).is_some_and(|i| i.inriktning == Inriktning::Struktur))
            .filter_map(InsatsAr::deltagare)
            .map(u64::from)
            .sum();
        outcome.fill(&mut s);
        let measured = s.avslutade - s.efterfonster_oppna;
        s.ersattningsdagar = days
            .into_iter()
            .map(|(grupp, (fore_q, efter_q))| {
                let n = measured as f64;
                let (fore, efter) = (fore_q as f64 / 4.0 / n, efter_q as f64 / 4.0 / n);
                DaysSummary { grupp, n: measured, mean_fore: fore, mean_efter: efter, mean_diff: efter - fore }
            })
            .collect();
        s
    }

    fn coverage(&self, ar: i32, s: &mut YearSummary) {
        let Some(dec31) = Date::last_of_year(ar) else {
            return;
        };
        let mut kommuner = HashSet::new();
        for f in &self.forbund {
            if f.start <= dec31 && f.slut.is_none_or(|e| e >= dec31) {
                s.forbund += 1;
                kommuner.extend(f.members_on(dec31));
            }
        }
        s.medlemskommuner = kommuner.len() as u64;
    }
}

#[derive(Default)]
struct OutcomeCounts {
    with_status: u64,
    work_or_study: u64,
    seeking: u64,
    by_kon: [(u64, u64); 2],
}

impl OutcomeCounts {
    fn add(&mut self, d: &Deltagande) {
        let Some(u) = d.utfall else { return };
        self.with_status += 1;
        let g = u.grupp();
        let ws = matches!(g, UtfallGrupp::Forvarvsarbete | UtfallGrupp::Studier);
        self.work_or_study += u64::from(ws);
        self.seeking += u64::from(g == UtfallGrupp::AktivtArbetssokande);
        let k = match d.kon {
            Kon::Kvinna => Some(0),
            Kon::Man => Some(1),
            _ => None,
        };
        if let Some(k) = k {
            self.by_kon[k].0 += 1;
            self.by_kon[k].1 += u64::from(ws);
        }
    }

    fn fill(&self, s: &mut YearSummary) {
        let share = |k: u64, n: u64| (n > 0).then(|| k as f64 / n as f64);
        s.avslutade_med_status = self.with_status;
        s.andel_arbete_studier = share(self.work_or_study, self.with_status);
        s.andel_arbete_studier_sokande = share(self.work_or_study + self.seeking, self.with_status);
        s.andel_arbete_studier_kvinnor = share(self.by_kon[0].1, self.by_kon[0].0);
        s.andel_arbete_studier_man = share(self.by_kon[1].1, self.by_kon[1].0);
    }
}

/// Benefit spells sorted by person, for window sums.
pub(crate) struct SpellIndex<'a> {
    spells: Vec<&'a Ersattningsperiod>,
}

impl<'a> SpellIndex<'a> {
    pub(crate) fn new(spells: &'a [Ersattningsperiod]) -> Self {
        let mut spells: Vec<&Ersattningsperiod> = spells.iter().collect();
        spells.sort_by_key(|s| (s.person, s.fran));
        SpellIndex { spells }
    }

    fn of(&self, person: PersonId) -> &[&'a Ersattningsperiod] {
        let lo = self.spells.partition_point(|s| s.person < person);
        let hi = self.spells.partition_point(|s| s.person <= person);
        &self.spells[lo..hi]
    }

    /// Adds the quarter days before and after `d` per group.
    fn add_window_days(&self, d: &Deltagande, days: &mut BTreeMap<Ersattningsgrupp, (u64, u64)>) {
        let Some(slut) = d.slut else { return };
        let (b0, b1) = (d.start.add_days(-WINDOW_DAYS), d.start.add_days(-1));
        let (a0, a1) = (slut.add_days(1), slut.add_days(WINDOW_DAYS));
        for s in self.of(d.person) {
            let e = days.entry(s.slag.grupp()).or_default();
            e.0 += u64::from(s.days_within(b0, b1).quarters());
            e.1 += u64::from(s.days_within(a0, a1).quarters());
        }
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".to_owned(), |v| format!("{:.1} %", v * 100.0))
}

impl fmt::Display for Summary {
    /// Markdown tables.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let _ = writeln!(out, "## Data set\n\n| table | rows |\n|---|---:|");
        for (t, n) in &self.rows {
            let _ = writeln!(out, "| {t} | {n} |");
        }
        if let Some(u) = self.uttagsdatum {
            let _ = writeln!(out, "\nCut-off (uttagsdatum): {u}");
        }
        let _ = writeln!(
            out,
            "\n## Per year\n\n| year | förbund | member kommuner | insatser individ / struktur | for behovsgrupper | participants (with personal data + anonymous) | ended | work/studies | women | men | + job seeking | SP before | AE before |\n|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
        );
        for y in &self.per_year {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} / {} | {} | {} ({} + {}) | {} | {} | {} | {} | {} | {} | {} |",
                y.ar,
                y.forbund,
                y.medlemskommuner,
                y.insatser_individ,
                y.insatser_struktur,
                y.insatser_behovsgrupp,
                y.deltagare_totalt,
                y.deltagare_personuppgifter,
                y.deltagare_anonyma,
                y.avslutade,
                pct(y.andel_arbete_studier),
                pct(y.andel_arbete_studier_kvinnor),
                pct(y.andel_arbete_studier_man),
                pct(y.andel_arbete_studier_sokande),
                y.personer_sjukpenning_fore,
                y.personer_aktivitetsersattning_fore,
            );
        }
        let _ = writeln!(
            out,
            "\n## Benefit days, 365 days before start vs after end (ended participations)\n\n| year | group | n | mean before | mean after | after − before | excluded: after-window open |\n|---:|---|---:|---:|---:|---:|---:|"
        );
        for y in &self.per_year {
            for d in &y.ersattningsdagar {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {:.1} | {:.1} | {:+.1} | {} |",
                    y.ar,
                    d.grupp.label_sv(),
                    d.n,
                    d.mean_fore,
                    d.mean_efter,
                    d.mean_diff,
                    y.efterfonster_oppna
                );
            }
        }
        f.write_str(&out)
    }
}

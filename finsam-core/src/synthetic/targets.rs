//! What the synthetic data are calibrated to: the published figures of
//! domain.md §9 per year, and the assumptions where §9 gives none.

use super::*;
use crate::Date;

/// The first and last year the data set is calibrated for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2017..=2022;
/// Participations start from this year so that 2017 has participants who
/// started earlier; it is not calibrated and has no anonymous counts.
pub(crate) const WARMUP_YEAR: i32 = 2016;

/// The figures a year is calibrated to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearTarget {
    /// The year.
    pub ar: i32,
    /// Förbund on 31 December.
    pub forbund: u32,
    /// Member kommuner on 31 December.
    pub medlemskommuner: u32,
    /// Individinriktade insatser active.
    pub insatser_individ: u32,
    /// Strukturövergripande insatser active.
    pub insatser_struktur: u32,
    /// Participants: persons with personal data plus anonymous.
    pub deltagare_totalt: u32,
    /// The share of them that are anonymous.
    pub andel_anonyma: f64,
    /// Share of ended participations in arbete or studier.
    pub andel_arbete_studier: f64,
    /// Additional share in aktivt arbetssökande.
    pub andel_arbetssokande: f64,
    /// Participants in strukturövergripande insatser.
    pub deltagare_struktur: u32,
    /// Which of the figures are published (§9); the rest are assumed.
    pub published: &'static str,
}

pub(crate) const TARGETS: [YearTarget; 6] = [
    YearTarget {
        ar: 2017,
        forbund: 83,
        medlemskommuner: 253,
        insatser_individ: 584,
        insatser_struktur: 518,
        deltagare_totalt: 28_381,
        andel_anonyma: 0.33,
        andel_arbete_studier: 0.31,
        andel_arbetssokande: 0.15,
        deltagare_struktur: 28_000,
        published: "medlemskommuner, insatser (1,102: 53 % / 47 %), deltagare_totalt, andel_arbete_studier (men 34 %, women 28 %), andel_arbetssokande, 8,400 ended",
    },
    YearTarget {
        ar: 2018,
        forbund: 83,
        medlemskommuner: 260,
        insatser_individ: 559,
        insatser_struktur: 546,
        deltagare_totalt: 32_715,
        andel_anonyma: 0.33,
        andel_arbete_studier: 0.31,
        andel_arbetssokande: 0.15,
        deltagare_struktur: 30_000,
        published: "forbund, medlemskommuner, insatser, deltagare_totalt",
    },
    YearTarget {
        ar: 2019,
        forbund: 80,
        medlemskommuner: 265,
        insatser_individ: 1_138,
        insatser_struktur: 1_000,
        deltagare_totalt: 31_167,
        andel_anonyma: 1.0 - 20_353.0 / 31_167.0,
        andel_arbete_studier: 0.31,
        andel_arbetssokande: 0.155,
        deltagare_struktur: 30_000,
        published: "insatser_individ, deltagare_totalt, andel_anonyma (20,353 with personal data), andel_arbete_studier, 38 % for behovsgrupper",
    },
    YearTarget {
        ar: 2020,
        forbund: 78,
        medlemskommuner: 271,
        insatser_individ: 1_087,
        insatser_struktur: 950,
        deltagare_totalt: 24_867,
        andel_anonyma: 1.0 - 17_454.0 / 24_867.0,
        andel_arbete_studier: 0.28,
        andel_arbetssokande: 0.185,
        deltagare_struktur: 20_400,
        published: "forbund, medlemskommuner, insatser_individ, 417 for behovsgrupper (38 %), deltagare_totalt, andel_anonyma (17,454), andel_arbete_studier, job seeking +3 pp, benefit days",
    },
    YearTarget {
        ar: 2021,
        forbund: 76,
        medlemskommuner: 272,
        insatser_individ: 1_050,
        insatser_struktur: 895,
        deltagare_totalt: 24_102,
        andel_anonyma: 0.29,
        andel_arbete_studier: 0.33,
        andel_arbetssokande: 0.27,
        deltagare_struktur: 34_900,
        published: "forbund, 46 % structural, deltagare_totalt, 60 % work/studies/job seeking, structural participants +71 %",
    },
    YearTarget {
        ar: 2022,
        forbund: 75,
        medlemskommuner: 272,
        insatser_individ: 1_000,
        insatser_struktur: 860,
        deltagare_totalt: 23_000,
        andel_anonyma: 0.28,
        andel_arbete_studier: 0.33,
        andel_arbetssokande: 0.25,
        deltagare_struktur: 33_000,
        published: "forbund",
    },
];

/// The calibration targets per year, with what is published and what assumed.
///
/// ```
/// let t = finsam_core::synthetic::targets();
/// assert_eq!(t.iter().find(|t| t.ar == 2020).unwrap().deltagare_totalt, 24_867);
/// ```
pub fn targets() -> &'static [YearTarget] {
    &TARGETS
}

pub(crate) fn target(ar: i32) -> &'static YearTarget {
    let i = (ar.clamp(*YEARS.start(), *YEARS.end()) - YEARS.start()) as usize;
    &TARGETS[i]
}

/// The survey calibration targets by year (questionnaires scale with `scale`).
///
/// ```
/// let t = finsam_core::synthetic::survey_targets();
/// assert_eq!(t.iter().find(|t| t.ar == 2020).unwrap().enkater, 4_186);
/// ```
pub fn survey_targets() -> &'static [SurveyTarget] {
    &surveys::SURVEY_TARGETS
}

/// The data's cut-off: benefit registers are linked through 2023, so the
/// after-window of participations ended in 2022 has closed.
pub fn uttagsdatum() -> Date {
    date(2023, 12, 31)
}

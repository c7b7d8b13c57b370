//! The NNS indicator surveys (domain.md §5): indicator values per förbund,
//! year, respondent group and kön, their change from the previous year, and
//! a förbund against the rest of the country.
//!
//! # Definitions
//!
//! - An **indicator** is a set of items ([`SurveyIndicator`]) asked of some
//!   respondent groups. A questionnaire's **score** on it is the mean of its
//!   answers on those items that lie on the scale. "Vet ej" and unanswered
//!   items are not scores: a questionnaire with no answer on the scale for an
//!   indicator is counted apart, as `vet_ej` if any of its items was "vet
//!   ej" and as `ej_svar` otherwise, and is left out of the values. An item
//!   with no row at all in a questionnaire was not asked (e.g. the equality
//!   item before 2021): a questionnaire with no row for any of an
//!   indicator's items is not in that indicator's population.
//! - **medel** is the mean score with a Student-t interval; **andel_hog** is
//!   the share of scores at or above the top-box threshold, with a Wilson
//!   interval (or the configured method).
//! - **Change from the previous year**: the difference of means with Welch's
//!   interval and of shares with Newcombe's hybrid score interval; the two
//!   years' respondents are different people, so the samples are independent.
//! - **A förbund against the country**: the förbund against the *rest* of
//!   the country (the national aggregate without it), so that the samples
//!   are independent and the intervals valid; the national value is shown
//!   beside it.
//! - Values from fewer than [`SurveyConfig::min_svar`] responses are
//!   withheld (`few_responses`); the counts of respondents pass the usual
//!   disclosure control, with the förbund and kön totals as margins.
//!
//! Scores are kept as exact integers (a score times the least common
//! multiple of the indicators' item counts), so sums merge exactly.
//!
//! ```
//! use finsam_core::survey::{self, SurveyConfig, SurveySplit};
//! let data = finsam_core::synthetic::generate(&Default::default())?;
//! let t = survey::indicators(&data, 2021..=2021, SurveySplit { forbund: false, kon: true }, &SurveyConfig::default())?;
//! let women = t.value(&["2021", "deltagare_avslut", "kvinna", "nojdhet"], "medel").unwrap();
//! let men = t.value(&["2021", "deltagare_avslut", "man", "nojdhet"], "medel").unwrap();
//! assert!(men < women);
//! # Ok::<(), finsam_core::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::*;
use crate::publish::disclosure::Disclosure;
use crate::stats::ProportionMethod;

mod state;
mod tables;

use state::{ALLA, CellKey};
pub use state::{CellSums, SurveyState};
pub use tables::{change, comparison, indicators, report_tables};
use tables::{forbund_label, group_of, kon_label};

/// One survey indicator: the items that make it and who is asked them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyIndicator {
    /// The id (a key of the tables).
    pub id: String,
    /// The Swedish label.
    pub label_sv: String,
    /// The English label.
    pub label_en: String,
    /// The respondent groups it is computed for.
    pub grupper: Vec<Respondentgrupp>,
    /// The item ids (`fraga`) whose answers make it.
    pub fragor: Vec<String>,
}

/// The options of the survey indicators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurveyConfig {
    /// The lowest point of the agreement scale.
    pub skala_min: u8,
    /// The highest point of the agreement scale.
    pub skala_max: u8,
    /// The top-box threshold: a score at or above it counts as high.
    pub hog_niva: f64,
    /// The indicators (item → indicator mapping).
    pub indikatorer: Vec<SurveyIndicator>,
    /// The fewest responses a value is shown for.
    pub min_svar: u64,
    /// The confidence level of the intervals.
    pub level: f64,
    /// The interval method of shares.
    pub method: ProportionMethod,
    /// Disclosure control of the respondent counts.
    pub disclosure: Disclosure,
}

impl Default for SurveyConfig {
    fn default() -> Self {
        SurveyConfig {
            skala_min: 1,
            skala_max: 10,
            hog_niva: 8.0,
            indikatorer: default_indicators(),
            min_svar: 5,
            level: 0.95,
            method: ProportionMethod::Wilson,
            disclosure: Disclosure::default(),
        }
    }
}

impl SurveyConfig {
    /// The defaults with the interval level, share method and disclosure
    /// control of the indicator options (what the annual report uses).
    ///
    /// ```
    /// use finsam_core::{indicators::Config, survey::SurveyConfig};
    /// let s = SurveyConfig::from_config(&Config { level: 0.9, ..Config::default() });
    /// assert_eq!((s.level, s.skala_max), (0.9, 10));
    /// ```
    pub fn from_config(config: &crate::indicators::Config) -> SurveyConfig {
        SurveyConfig {
            level: config.level,
            method: config.method,
            disclosure: config.disclosure,
            ..SurveyConfig::default()
        }
    }

    /// Checks the options.
    ///
    /// # Errors
    /// `invalid_argument` for an empty scale, a threshold off the scale, no
    /// indicators, duplicate indicator ids, an indicator with no items or
    /// groups, a level outside (0, 1) or `min_svar` of 0.
    pub fn check(&self) -> Result<()> {
        let bad = |name, message: String| Err(Error::InvalidArgument { name, message });
        if self.skala_min >= self.skala_max {
            return bad("skala", format!("min {} must be below max {}", self.skala_min, self.skala_max));
        }
        if !(self.hog_niva >= f64::from(self.skala_min) && self.hog_niva <= f64::from(self.skala_max)) {
            return bad(
                "hog_niva",
                format!("{} is not on the scale {}..={}", self.hog_niva, self.skala_min, self.skala_max),
            );
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return bad("level", format!("must be in (0, 1), got {}", self.level));
        }
        if self.min_svar == 0 {
            return bad("min_svar", "must be at least 1".into());
        }
        if self.indikatorer.is_empty() {
            return bad("indikatorer", "no indicators".into());
        }
        let mut ids = std::collections::HashSet::new();
        for i in &self.indikatorer {
            if !ids.insert(i.id.as_str()) {
                return bad("indikatorer", format!("indicator id {:?} is used twice", i.id));
            }
            if i.fragor.is_empty() || i.grupper.is_empty() || i.fragor.len() > 12 {
                return bad("indikatorer", format!("indicator {:?} needs 1–12 items and at least one group", i.id));
            }
        }
        Ok(())
    }

    /// The least common multiple of the item counts: scores times this are integers.
    fn unit(&self) -> i128 {
        self.indikatorer.iter().map(|i| i.fragor.len() as i128).fold(1, |a, b| a / gcd(a, b) * b)
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// finsam's default item → indicator mapping: fifteen core indicators and
/// the equality indicator (from 2021), after the NNS questionnaires. The
/// item ids (`d1`…, `p1`…, `s1`…, `c1`…, `r1`…) are those of the synthetic
/// data; map your own items with [`SurveyConfig::indikatorer`].
pub fn default_indicators() -> Vec<SurveyIndicator> {
    use Respondentgrupp::*;
    let deltagare = [DeltagarePagaende, DeltagareAvslut];
    let ind = |id: &str, sv: &str, en: &str, grupper: &[Respondentgrupp], fragor: &[&str]| SurveyIndicator {
        id: id.to_owned(),
        label_sv: sv.to_owned(),
        label_en: en.to_owned(),
        grupper: grupper.to_vec(),
        fragor: fragor.iter().map(|f| (*f).to_owned()).collect(),
    };
    vec![
        ind("delaktighet", "Inflytande över stödet", "Influence over the support", &deltagare, &["d1", "d2"]),
        ind("helhet", "Någon håller samman processen", "Someone holds the process together", &deltagare, &["d3"]),
        ind(
            "hantera_situation",
            "Hjälp att hantera sin situation",
            "Help to handle one's situation",
            &deltagare,
            &["d4"],
        ),
        ind(
            "redo_arbete_studier",
            "Mer redo att arbeta eller studera",
            "More ready to work or study",
            &[DeltagareAvslut],
            &["d5", "d6"],
        ),
        ind("nojdhet", "Nöjd med stödet", "Satisfied with the support", &deltagare, &["d7"]),
        ind("jamstalldhet", "Bemöts lika oavsett kön", "Treated alike regardless of gender", &deltagare, &["d8"]),
        ind(
            "samverkan_individ",
            "Samverkan kring individen fungerar",
            "Cooperation around the individual works",
            &[Insatspersonal],
            &["p1", "p2"],
        ),
        ind(
            "kunskap_parter",
            "Kunskap om parternas uppdrag",
            "Knowledge of the parties' remits",
            &[Insatspersonal, Chef],
            &["p3", "c3"],
        ),
        ind(
            "behovsstyrt",
            "Insatsen utgår från individens behov",
            "The insats starts from the individual's needs",
            &[Insatspersonal],
            &["p4"],
        ),
        ind(
            "styrning",
            "Styrelsen styr mot förbundets mål",
            "The board steers towards the förbund's goals",
            &[Styrelse],
            &["s1", "s2"],
        ),
        ind(
            "strategisk_samverkan",
            "Förbundet stärker den strategiska samverkan",
            "The förbund strengthens strategic cooperation",
            &[Styrelse, Chef],
            &["s3", "c1"],
        ),
        ind("uppfoljning", "Uppföljningen används i styrningen", "Follow-up is used in steering", &[Styrelse], &["s4"]),
        ind(
            "strukturer",
            "Strukturer för samverkan finns och används",
            "Structures for cooperation exist and are used",
            &[Chef],
            &["c2"],
        ),
        ind(
            "forankring",
            "Insatserna är förankrade i organisationen",
            "The insatser are rooted in the organisation",
            &[Chef],
            &["c4"],
        ),
        ind(
            "tillganglighet",
            "Lätt att remittera till insatserna",
            "Easy to refer to the insatser",
            &[Remittent],
            &["r1"],
        ),
        ind(
            "nytta",
            "Insatserna gör nytta för dem som remitteras",
            "The insatser help those referred",
            &[Remittent],
            &["r2", "r3"],
        ),
    ]
}

/// Which dimensions the indicator table is split by (besides year,
/// respondent group and indicator). Each adds total rows (`alla`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveySplit {
    /// Per förbund.
    pub forbund: bool,
    /// Per kön.
    pub kon: bool,
}

impl SurveySplit {
    /// Whether a cell with förbund `f` and kön `k` (either may be `ALLA`) is a row of this split.
    fn includes(self, f: u32, k: u32) -> bool {
        (self.forbund || f == ALLA) && (self.kon || k == ALLA)
    }

    /// The key columns of a table of this split.
    fn key_columns(self) -> Vec<String> {
        self.row_key("ar".into(), "forbund".into(), "respondentgrupp".into(), "kon".into(), "indikator".into())
    }

    /// A key in this split's column order: year, [förbund], group, [kön], indicator.
    fn row_key(self, ar: String, forbund: String, grupp: String, kon: String, indikator: String) -> Vec<String> {
        let mut key = vec![ar];
        if self.forbund {
            key.push(forbund);
        }
        key.push(grupp);
        if self.kon {
            key.push(kon);
        }
        key.push(indikator);
        key
    }

    /// The labels of a cell's key.
    fn label(self, key: CellKey, config: &SurveyConfig) -> Vec<String> {
        let (ar, f, g, k, i) = key;
        self.row_key(
            ar.to_string(),
            forbund_label(f),
            group_of(g).code().into(),
            kon_label(k),
            config.indikatorer[i as usize].id.clone(),
        )
    }
}

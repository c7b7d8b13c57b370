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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::Dataset;
use crate::error::{Error, Location, Result};
use crate::model::*;
use crate::publish::disclosure::{Cell, Disclosure, Reason};
use crate::publish::table::{Builder, CountId, Raw};
use crate::publish::{Table, Unit};
use crate::stats::{Moments, ProportionMethod, mean_ci, newcombe_diff, welch_diff};

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

/// "All values" in a key part.
const ALLA: u32 = u32::MAX;

/// A cell: year, förbund (or `ALLA`), group, kön (or `ALLA`), indicator.
type CellKey = (i32, u32, u8, u32, u16);

/// The sums of one cell. Scores are integers in units of `1 / unit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellSums {
    /// Questionnaires with a score.
    pub n: u64,
    /// The sum of scores × unit.
    pub sum: i128,
    /// The sum of (score × unit)².
    pub sum_sq: i128,
    /// Scores at or above the top-box threshold.
    pub hog: u64,
    /// Questionnaires with no answer on the scale and at least one "vet ej".
    pub vet_ej: u64,
    /// Questionnaires with no answer on the scale and no "vet ej".
    pub ej_svar: u64,
}

impl CellSums {
    fn add(&mut self, other: &CellSums) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
        self.hog += other.hog;
        self.vet_ej += other.vet_ej;
        self.ej_svar += other.ej_svar;
    }

    fn moments(&self, unit: i128) -> Moments {
        Moments::from_sums(self.n, self.sum, self.sum_sq, unit as f64)
    }
}

/// The survey sums of every cell, with förbund and kön totals.
#[derive(Clone, Debug, PartialEq)]
pub struct SurveyState {
    config: SurveyConfig,
    unit: i128,
    cells: BTreeMap<CellKey, CellSums>,
}

impl SurveyState {
    /// Scores every questionnaire of `years` and sums the scores per cell.
    ///
    /// # Errors
    /// `invalid_argument` for invalid options; `answer_out_of_scale` for an
    /// answer off the configured scale and `duplicate_key` for a second
    /// answer to the same item of a questionnaire (naming its row of `enkatsvar`).
    pub fn compute(data: &Dataset, years: RangeInclusive<i32>, config: &SurveyConfig) -> Result<SurveyState> {
        Self::compute_rows(data, years, config).map_err(|e| data.locate(e))
    }

    fn compute_rows(data: &Dataset, years: RangeInclusive<i32>, config: &SurveyConfig) -> Result<SurveyState> {
        config.check()?;
        let unit = config.unit();
        let mut item_index: FxHashMap<&str, Vec<u16>> = FxHashMap::default();
        for (i, ind) in config.indikatorer.iter().enumerate() {
            for f in &ind.fragor {
                item_index.entry(f.as_str()).or_default().push(i as u16);
            }
        }
        // The answers of the years, grouped by questionnaire (in id order, rows
        // in file order within one) by one stable sort of row numbers.
        let mut in_years: Vec<usize> = Vec::new();
        for (row, a) in data.enkatsvar.iter().enumerate() {
            if let Svar::Varde(v) = a.svar
                && (v < config.skala_min || v > config.skala_max)
            {
                return Err(Error::AnswerOutOfScale {
                    at: Box::new(Location::table("enkatsvar").row(row as u64).column("svar").value(v.to_string())),
                    min: config.skala_min,
                    max: config.skala_max,
                });
            }
            if years.contains(&a.ar) {
                in_years.push(row);
            }
        }
        if !in_years.is_sorted_by_key(|&row| data.enkatsvar[row].enkat) {
            in_years.sort_by_key(|&row| data.enkatsvar[row].enkat);
        }
        let mut cells: FxHashMap<CellKey, CellSums> = FxHashMap::default();
        // Per indicator: the sum and count of answers on the scale, whether any was
        // "vet ej", and whether any of its items was on the form at all.
        let mut scratch = vec![(0u32, 0u32, false, false); config.indikatorer.len()];
        for rows in in_years.chunk_by(|&a, &b| data.enkatsvar[a].enkat == data.enkatsvar[b].enkat) {
            let head = &data.enkatsvar[rows[0]];
            scratch.iter_mut().for_each(|s| *s = (0, 0, false, false));
            for (j, &row) in rows.iter().enumerate() {
                let a = &data.enkatsvar[row];
                // One answer per item (the data-set rule; checked here too, so
                // that unvalidated data cannot count an item twice).
                if let Some(&first) = rows[..j].iter().find(|&&r| data.enkatsvar[r].fraga == a.fraga) {
                    return Err(Error::DuplicateKey {
                        at: Box::new(
                            Location::table("enkatsvar").row(row as u64).column("fraga").value(a.fraga.clone()),
                        ),
                        first_row: first as u64,
                    });
                }
                for &i in item_index.get(a.fraga.as_str()).into_iter().flatten() {
                    let s = &mut scratch[i as usize];
                    s.3 = true;
                    match a.svar {
                        Svar::Varde(v) => {
                            s.0 += u32::from(v);
                            s.1 += 1;
                        }
                        Svar::VetEj => s.2 = true,
                        Svar::EjSvar => {}
                    }
                }
            }
            for (i, _) in config.indikatorer.iter().enumerate().filter(|(_, ind)| ind.grupper.contains(&head.grupp)) {
                let (sum, count, vet_ej, asked) = scratch[i];
                if !asked {
                    continue;
                }
                let one = score(sum, count, vet_ej, unit, config.hog_niva);
                for forbund in [head.forbund.0, ALLA] {
                    for kon in [head.kon as u32, ALLA] {
                        cells.entry((head.ar, forbund, head.grupp as u8, kon, i as u16)).or_default().add(&one);
                    }
                }
            }
        }
        Ok(SurveyState { config: config.clone(), unit, cells: cells.into_iter().collect() })
    }

    /// The sums of a cell (`None` for a förbund or kön means all).
    pub fn cell(
        &self,
        ar: i32,
        forbund: Option<ForbundId>,
        grupp: Respondentgrupp,
        kon: Option<Kon>,
        indikator: &str,
    ) -> Option<CellSums> {
        let i = self.config.indikatorer.iter().position(|x| x.id == indikator)?;
        let key = (ar, forbund.map_or(ALLA, |f| f.0), grupp as u8, kon.map_or(ALLA, |k| k as u32), i as u16);
        self.cells.get(&key).copied()
    }
}

/// One questionnaire's contribution to a cell.
fn score(sum: u32, count: u32, vet_ej: bool, unit: i128, hog_niva: f64) -> CellSums {
    if count == 0 {
        return CellSums { vet_ej: u64::from(vet_ej), ej_svar: u64::from(!vet_ej), ..CellSums::default() };
    }
    // score × unit = sum × unit / count, exact because count divides unit.
    let scaled = i128::from(sum) * unit / i128::from(count);
    let high = f64::from(sum) >= hog_niva * f64::from(count);
    CellSums { n: 1, sum: scaled, sum_sq: scaled * scaled, hog: u64::from(high), ..CellSums::default() }
}

fn group_of(g: u8) -> Respondentgrupp {
    Respondentgrupp::ALL[g as usize]
}

fn kon_label(k: u32) -> String {
    if k == ALLA { "alla".into() } else { Kon::ALL[k as usize].code().into() }
}

fn forbund_label(f: u32) -> String {
    if f == ALLA { "alla".into() } else { f.to_string() }
}

/// The indicator values of `years`: per year, respondent group and
/// indicator, and per förbund and/or kön as `split` asks, with total rows.
///
/// # Errors
/// As [`SurveyState::compute`].
pub fn indicators(
    data: &Dataset,
    years: RangeInclusive<i32>,
    split: SurveySplit,
    config: &SurveyConfig,
) -> Result<Table> {
    Ok(indicator_table(&SurveyState::compute(data, years, config)?, split))
}

fn indicator_table(state: &SurveyState, split: SurveySplit) -> Table {
    let built = indicator_builder(state, split);
    let mut tables = crate::publish::table::finish_together(vec![built.builder], &state.config.disclosure);
    let mut table = tables.pop().unwrap_or_else(|| unreachable!("one builder gives one table"));
    withhold_few(&mut table, &built.few);
    table
}

/// An indicator table before disclosure control: the builder, the row of
/// each cell, and the rows with too few responses for their values.
struct IndicatorRows {
    builder: Builder,
    index: HashMap<CellKey, usize>,
    few: Vec<usize>,
}

/// Withholds the values (not the counts) of rows from too few responses.
fn withhold_few(table: &mut Table, few: &[usize]) {
    for &r in few {
        for v in table.rows[r].values.iter_mut().skip(3) {
            *v = Cell::Suppressed(Reason::FewResponses);
        }
    }
}

fn indicator_builder(state: &SurveyState, split: SurveySplit) -> IndicatorRows {
    let config = &state.config;
    let mut b = Builder::new(
        "enkatindikatorer",
        "NNS-indikatorer: medelvärde och andel höga svar",
        split.key_columns(),
        &[
            ("n", Unit::Count),
            ("vet_ej", Unit::Count),
            ("ej_svar", Unit::Count),
            ("medel", Unit::Number),
            ("medel_lo", Unit::Number),
            ("medel_hi", Unit::Number),
            ("andel_hog", Unit::Share),
            ("andel_lo", Unit::Share),
            ("andel_hi", Unit::Share),
        ],
    );
    let mut index: HashMap<CellKey, usize> = HashMap::new();
    let mut few: Vec<usize> = Vec::new();
    for (&key, sums) in &state.cells {
        if !split.includes(key.1, key.3) {
            continue;
        }
        let label = split.label(key, config);
        let r = b.raw.len();
        let mut values = vec![Raw::Count(sums.n), Raw::Count(sums.vet_ej), Raw::Count(sums.ej_svar)];
        values.extend(mean_values(sums, state.unit, config.level, r));
        values.extend(crate::publish::table::share_values(sums.hog, sums.n, config.method, config.level, vec![(r, 0)]));
        b.push(label, values);
        index.insert(key, r);
        let (ar, f, g, k, i) = key;
        for (c, measure) in ["n", "vet_ej", "ej_svar"].into_iter().enumerate() {
            let id = CountId { measure: format!("enkat:{measure}:{g}:{i}"), ar, parts: vec![f, k] };
            b.ids.push(((r, c), id));
        }
        if sums.n < config.min_svar {
            few.push(r);
        }
    }
    // Each förbund's and each kön's rows add up to the `alla` row.
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (&(ar, f, g, k, i), &r) in &index {
        if f != ALLA
            && let Some(&t) = index.get(&(ar, ALLA, g, k, i))
        {
            groups.entry(t * 2).or_default().push(r);
        }
        if k != ALLA
            && let Some(&t) = index.get(&(ar, f, g, ALLA, i))
        {
            groups.entry(t * 2 + 1).or_default().push(r);
        }
    }
    b.margins = groups.into_iter().map(|(g, parts)| (parts, g / 2)).collect();
    b.table.notes.push(format!(
        "Score: the mean of a questionnaire's answers on the indicator's items (scale {}–{}); \"vet ej\" and unanswered items are not scores, and questionnaires with none on the scale are counted in vet_ej / ej_svar. medel with a t-interval; andel_hog = share of scores ≥ {} ({:?}), at {:.0} %. Values from fewer than {} responses are withheld (few_responses).",
        config.skala_min, config.skala_max, config.hog_niva, config.method, config.level * 100.0, config.min_svar
    ));
    IndicatorRows { builder: b, index, few }
}

/// The mean and its t-interval, withheld with the n at `(row, 0)`.
fn mean_values(sums: &CellSums, unit: i128, level: f64, row: usize) -> [Raw; 3] {
    let deps = || vec![(row, 0)];
    match mean_ci(sums.moments(unit), level) {
        Ok(ci) => [Raw::Derived(ci.estimate, deps()), Raw::Derived(ci.lo, deps()), Raw::Derived(ci.hi, deps())],
        Err(_) => {
            let mean = sums.moments(unit).mean;
            [Raw::Derived(mean, deps()), Raw::Derived(f64::NAN, deps()), Raw::Derived(f64::NAN, deps())]
        }
    }
}

/// The change from `year − 1` to `year` per respondent group and indicator
/// (and förbund and/or kön as `split` asks): the difference of means with
/// Welch's interval and of top-box shares with Newcombe's.
///
/// ```
/// use finsam_core::survey::{self, SurveyConfig, SurveySplit};
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = survey::change(&data, 2021, SurveySplit::default(), &SurveyConfig::default())?;
/// assert!(t.value(&["2021", "deltagare_avslut", "nojdhet"], "medel_diff").is_some());
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// As [`SurveyState::compute`].
pub fn change(data: &Dataset, year: i32, split: SurveySplit, config: &SurveyConfig) -> Result<Table> {
    Ok(change_table(&SurveyState::compute(data, year - 1..=year, config)?, year, split, &HashSet::new()))
}

/// `withheld`: cells whose respondent count another table of the same
/// publication withholds; their differences are withheld too, since an
/// interval's width gives its n away.
fn change_table(state: &SurveyState, year: i32, split: SurveySplit, withheld: &HashSet<CellKey>) -> Table {
    let config = &state.config;
    let mut rows = Vec::new();
    for (&(ar, f, g, k, i), now) in state.cells.range((year, 0, 0, 0, 0)..(year + 1, 0, 0, 0, 0)) {
        if ar != year || !split.includes(f, k) {
            continue;
        }
        let before = state.cells.get(&(year - 1, f, g, k, i)).copied().unwrap_or_default();
        let key = split.label((ar, f, g, k, i), config);
        let values = if withheld.contains(&(ar, f, g, k, i)) {
            vec![Cell::Suppressed(Reason::Denominator); 10]
        } else {
            difference_cells(now, &before, state.unit, config)
        };
        rows.push(crate::publish::Row { key, values });
    }
    Table {
        id: "enkatindikatorer_forandring".into(),
        title: format!("NNS-indikatorer: förändring från {}", year - 1),
        keys: split.key_columns(),
        columns: difference_columns("fg"),
        rows,
        notes: vec![format!(
            "This year − last year: means with Welch's interval, top-box shares with Newcombe's hybrid score interval, at {:.0} %. Withheld (few_responses) when either year has fewer than {} responses.",
            config.level * 100.0,
            config.min_svar
        )],
    }
}

fn difference_columns(other: &str) -> Vec<crate::publish::Column> {
    let c = |name: String, unit| crate::publish::Column { name, unit };
    vec![
        c("medel".into(), Unit::Number),
        c(format!("medel_{other}"), Unit::Number),
        c("medel_diff".into(), Unit::Number),
        c("medel_diff_lo".into(), Unit::Number),
        c("medel_diff_hi".into(), Unit::Number),
        c("andel_hog".into(), Unit::Share),
        c(format!("andel_hog_{other}"), Unit::Share),
        c("andel_diff".into(), Unit::ShareDifference),
        c("andel_diff_lo".into(), Unit::ShareDifference),
        c("andel_diff_hi".into(), Unit::ShareDifference),
    ]
}

/// The difference `a − b` of two cells' means and shares with intervals;
/// withheld if either has fewer responses than the minimum (or than the
/// disclosure threshold, as its counts would be).
fn difference_cells(a: &CellSums, b: &CellSums, unit: i128, config: &SurveyConfig) -> Vec<Cell<f64>> {
    let minimum = config.min_svar.max(if config.disclosure.enabled { config.disclosure.threshold } else { 0 });
    if a.n < minimum || b.n < minimum {
        return vec![Cell::Suppressed(Reason::FewResponses); 10];
    }
    let shown = |x: f64| if x.is_finite() { Cell::Shown(x) } else { Cell::Suppressed(Reason::NotComputable) };
    let (ma, mb) = (a.moments(unit), b.moments(unit));
    let means = welch_diff(ma, mb, config.level).map_or([f64::NAN; 3], |ci| [ci.estimate, ci.lo, ci.hi]);
    let shares =
        newcombe_diff(a.hog, a.n, b.hog, b.n, config.level).map_or([f64::NAN; 3], |ci| [ci.estimate, ci.lo, ci.hi]);
    let share = |k: u64, n: u64| k as f64 / n as f64;
    [
        ma.mean,
        mb.mean,
        means[0],
        means[1],
        means[2],
        share(a.hog, a.n),
        share(b.hog, b.n),
        shares[0],
        shares[1],
        shares[2],
    ]
    .into_iter()
    .map(shown)
    .collect()
}

/// Each förbund against the rest of the country in `year`, per respondent
/// group and indicator: both values, the national value, and the
/// difference förbund − rest with intervals.
///
/// ```
/// use finsam_core::survey::{self, SurveyConfig};
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = survey::comparison(&data, 2021, &SurveyConfig::default())?;
/// assert_eq!(t.keys, vec!["ar", "forbund", "respondentgrupp", "indikator"]);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// As [`SurveyState::compute`].
pub fn comparison(data: &Dataset, year: i32, config: &SurveyConfig) -> Result<Table> {
    Ok(comparison_table(&SurveyState::compute(data, year..=year, config)?, year, &HashSet::new()))
}

/// `withheld`: as for [`change_table`].
fn comparison_table(state: &SurveyState, year: i32, withheld: &HashSet<CellKey>) -> Table {
    let config = &state.config;
    let mut rows = Vec::new();
    for (&(ar, f, g, k, i), own) in &state.cells {
        if ar != year || f == ALLA || k != ALLA {
            continue;
        }
        let national = state.cells.get(&(ar, ALLA, g, ALLA, i)).copied().unwrap_or_default();
        let rest = CellSums {
            n: national.n - own.n,
            sum: national.sum - own.sum,
            sum_sq: national.sum_sq - own.sum_sq,
            hog: national.hog - own.hog,
            vet_ej: national.vet_ej - own.vet_ej,
            ej_svar: national.ej_svar - own.ej_svar,
        };
        let mut values = if withheld.contains(&(ar, f, g, k, i)) {
            vec![Cell::Suppressed(Reason::Denominator); 10]
        } else {
            difference_cells(own, &rest, state.unit, config)
        };
        let national_mean = national.moments(state.unit).mean;
        values.insert(
            2,
            if national.n >= config.min_svar {
                Cell::Shown(national_mean)
            } else {
                Cell::Suppressed(Reason::FewResponses)
            },
        );
        let key =
            vec![ar.to_string(), f.to_string(), group_of(g).code().into(), config.indikatorer[i as usize].id.clone()];
        rows.push(crate::publish::Row { key, values });
    }
    let mut columns = difference_columns("ovriga");
    columns.insert(2, crate::publish::Column { name: "medel_riket".into(), unit: Unit::Number });
    Table {
        id: "enkatindikatorer_jamforelse".into(),
        title: "NNS-indikatorer: förbundet jämfört med övriga landet".into(),
        keys: vec!["ar".into(), "forbund".into(), "respondentgrupp".into(), "indikator".into()],
        columns,
        rows,
        notes: vec![format!(
            "Förbund − the rest of the country (independent samples): means with Welch's interval, top-box shares with Newcombe's, at {:.0} %; medel_riket is the national mean including the förbund. Withheld (few_responses) below {} responses.",
            config.level * 100.0,
            config.min_svar
        )],
    }
}

/// The survey section of the annual report: national values by group and
/// kön, values per förbund by group, the change from the previous year and
/// each förbund against the rest of the country. Empty if the data have no
/// answers for `year`.
///
/// # Errors
/// As [`SurveyState::compute`].
pub fn report_tables(data: &Dataset, year: i32, config: &SurveyConfig) -> Result<Vec<Table>> {
    if !data.enkatsvar.iter().any(|a| a.ar == year) {
        return Ok(Vec::new());
    }
    let state = SurveyState::compute(data, year - 1..=year, config)?;
    let current = SurveyState {
        config: state.config.clone(),
        unit: state.unit,
        cells: state.cells.iter().filter(|(k, _)| k.0 == year).map(|(k, v)| (*k, *v)).collect(),
    };
    // The two indicator tables share their national rows: one disclosure problem.
    let parts = [SurveySplit { forbund: false, kon: true }, SurveySplit { forbund: true, kon: false }]
        .map(|split| indicator_builder(&current, split));
    let [by_kon, by_forbund] = parts;
    let (indices, few) = ([by_kon.index, by_forbund.index], [by_kon.few, by_forbund.few]);
    let mut tables =
        crate::publish::table::finish_together(vec![by_kon.builder, by_forbund.builder], &config.disclosure);
    let mut withheld: HashSet<CellKey> = HashSet::new();
    for ((table, index), few) in tables.iter_mut().zip(&indices).zip(&few) {
        withhold_few(table, few);
        withheld.extend(index.iter().filter(|(_, r)| table.rows[**r].values[0].value().is_none()).map(|(k, _)| *k));
    }
    tables.push(change_table(&state, year, SurveySplit::default(), &withheld));
    tables.push(comparison_table(&current, year, &withheld));
    Ok(tables)
}

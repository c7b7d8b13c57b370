//! The mergeable state of the survey indicators: integer sums per cell
//! (year, förbund, respondent group, kön, indicator) of every questionnaire.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::*;
use crate::Dataset;
use crate::error::{Error, Location, Result};
use crate::stats::Moments;

/// "All values" in a key part.
pub(crate) const ALLA: u32 = u32::MAX;

/// A cell: year, förbund (or `ALLA`), group, kön (or `ALLA`), indicator.
pub(crate) type CellKey = (i32, u32, u8, u32, u16);

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
    pub(crate) fn add(&mut self, other: &CellSums) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
        self.hog += other.hog;
        self.vet_ej += other.vet_ej;
        self.ej_svar += other.ej_svar;
    }

    pub(crate) fn moments(&self, unit: i128) -> Moments {
        Moments::from_sums(self.n, self.sum, self.sum_sq, unit as f64)
    }
}

/// The survey sums of every cell, with förbund and kön totals.
#[derive(Clone, Debug, PartialEq)]
pub struct SurveyState {
    pub(crate) config: SurveyConfig,
    pub(crate) unit: i128,
    pub(crate) cells: BTreeMap<CellKey, CellSums>,
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

    pub(crate) fn compute_rows(
        data: &Dataset,
        years: RangeInclusive<i32>,
        config: &SurveyConfig,
    ) -> Result<SurveyState> {
        config.check()?;
        let mut scorer = Scorer::new(config);
        let answers = &data.enkatsvar;
        if answers.is_sorted_by_key(|a| a.enkat) {
            // The usual case: each questionnaire's answers are adjacent, so
            // they are scored in one pass over the rows as they lie.
            let mut start = 0;
            for rows in answers.chunk_by(|a, b| a.enkat == b.enkat) {
                let range = start..start + rows.len();
                start = range.end;
                scorer.questionnaire(range.map(|row| (row, &answers[row])), &years);
            }
        } else {
            // Grouped by questionnaire (in id order, rows in file order within
            // one) by one stable sort of row numbers.
            let mut order: Vec<usize> = (0..answers.len()).collect();
            order.sort_by_key(|&row| answers[row].enkat);
            for rows in order.chunk_by(|&a, &b| answers[a].enkat == answers[b].enkat) {
                scorer.questionnaire(rows.iter().map(|&row| (row, &answers[row])), &years);
            }
        }
        scorer.finish()
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

/// A cell's key without the indicator: year, förbund, group, kön.
type BlockKey = (i32, u32, u8, u32);

/// What one questionnaire gave one indicator.
#[derive(Clone, Copy, Default)]
struct Tally {
    /// The sum of its answers on the scale.
    sum: u32,
    /// How many of its items were answered on the scale.
    count: u32,
    /// Whether any was "vet ej".
    vet_ej: bool,
    /// Whether any of its items was on the form at all.
    asked: bool,
}

/// Scores questionnaires one at a time. Items are numbered as they are
/// first seen, so an answer costs one lookup of its item, and the sums are
/// kept per block of cells (one lookup per questionnaire); the förbund and
/// kön totals are added once at the end, which integer sums allow.
struct Scorer<'a> {
    config: &'a SurveyConfig,
    unit: i128,
    item_of: FxHashMap<&'a str, usize>,
    /// The indicators each item counts in (none for items of no indicator).
    indicators_of: Vec<Vec<u16>>,
    /// Per item: the last questionnaire that answered it, and the row of
    /// its first answer there (a repeat is not recorded, so an error names it).
    last_answer: Vec<(usize, usize)>,
    questionnaires: usize,
    tallies: Vec<Tally>,
    blocks: FxHashMap<BlockKey, Vec<Option<CellSums>>>,
    /// The first answer off the scale in row order: it is the error, as it
    /// would be if every row were checked before any was scored.
    out_of_scale: Option<(usize, Error)>,
    /// The first second answer to an item, in the order questionnaires are scored.
    duplicate: Option<Error>,
}

impl<'a> Scorer<'a> {
    fn new(config: &'a SurveyConfig) -> Self {
        let mut scorer = Scorer {
            config,
            unit: config.unit(),
            item_of: FxHashMap::default(),
            indicators_of: Vec::new(),
            last_answer: Vec::new(),
            questionnaires: 0,
            tallies: vec![Tally::default(); config.indikatorer.len()],
            blocks: FxHashMap::default(),
            out_of_scale: None,
            duplicate: None,
        };
        for (i, ind) in config.indikatorer.iter().enumerate() {
            for f in &ind.fragor {
                let item = scorer.item(f);
                scorer.indicators_of[item].push(i as u16);
            }
        }
        scorer
    }

    /// The number of item `fraga`, numbering it if it is new.
    fn item(&mut self, fraga: &'a str) -> usize {
        let next = self.item_of.len();
        let item = *self.item_of.entry(fraga).or_insert(next);
        if item == next {
            self.indicators_of.push(Vec::new());
            self.last_answer.push((0, 0));
        }
        item
    }

    /// Scores the answers of one questionnaire (`row` numbers for errors);
    /// those outside `years` are only checked against the scale.
    fn questionnaire(&mut self, rows: impl Iterator<Item = (usize, &'a EnkatSvar)>, years: &RangeInclusive<i32>) {
        self.questionnaires += 1;
        let this = self.questionnaires;
        self.tallies.fill(Tally::default());
        let (min, max) = (self.config.skala_min, self.config.skala_max);
        let mut head = None;
        for (row, a) in rows {
            if let Svar::Varde(v) = a.svar
                && (v < min || v > max)
            {
                if self.out_of_scale.as_ref().is_none_or(|(first, _)| row < *first) {
                    let at = Location::table("enkatsvar").row(row as u64).column("svar").value(v.to_string());
                    self.out_of_scale = Some((row, Error::AnswerOutOfScale { at: Box::new(at), min, max }));
                }
                continue;
            }
            if !years.contains(&a.ar) {
                continue;
            }
            head.get_or_insert(a);
            let item = self.item(&a.fraga);
            // One answer per item (the data-set rule; checked here too, so
            // that unvalidated data cannot count an item twice).
            let last = &mut self.last_answer[item];
            if last.0 == this {
                if self.duplicate.is_none() {
                    let at = Location::table("enkatsvar").row(row as u64).column("fraga").value(a.fraga.clone());
                    self.duplicate = Some(Error::DuplicateKey { at: Box::new(at), first_row: last.1 as u64 });
                }
                continue;
            }
            *last = (this, row);
            for &i in &self.indicators_of[item] {
                let t = &mut self.tallies[i as usize];
                t.asked = true;
                match a.svar {
                    Svar::Varde(v) => {
                        t.sum += u32::from(v);
                        t.count += 1;
                    }
                    Svar::VetEj => t.vet_ej = true,
                    Svar::EjSvar => {}
                }
            }
        }
        let Some(head) = head else { return };
        let key = (head.ar, head.forbund.0, head.grupp as u8, head.kon as u32);
        // A block whose indicators were none of them asked stays all `None`
        // and makes no cell.
        let n = self.config.indikatorer.len();
        let block = self.blocks.entry(key).or_insert_with(|| vec![None; n]);
        for (i, ind) in self.config.indikatorer.iter().enumerate() {
            let t = self.tallies[i];
            if t.asked && ind.grupper.contains(&head.grupp) {
                let one = score(t.sum, t.count, t.vet_ej, self.unit, self.config.hog_niva);
                block[i].get_or_insert_default().add(&one);
            }
        }
    }

    /// The state: every block's cells with their förbund and kön totals.
    fn finish(self) -> Result<SurveyState> {
        if let Some((_, error)) = self.out_of_scale {
            return Err(error);
        }
        if let Some(error) = self.duplicate {
            return Err(error);
        }
        let mut cells: BTreeMap<CellKey, CellSums> = BTreeMap::new();
        for ((ar, forbund, grupp, kon), sums) in self.blocks {
            for (i, sums) in sums.iter().enumerate().filter_map(|(i, s)| Some((i as u16, s.as_ref()?))) {
                for forbund in [forbund, ALLA] {
                    for kon in [kon, ALLA] {
                        cells.entry((ar, forbund, grupp, kon, i)).or_default().add(sums);
                    }
                }
            }
        }
        Ok(SurveyState { config: self.config.clone(), unit: self.unit, cells })
    }
}

/// One questionnaire's contribution to a cell.
pub(crate) fn score(sum: u32, count: u32, vet_ej: bool, unit: i128, hog_niva: f64) -> CellSums {
    if count == 0 {
        return CellSums { vet_ej: u64::from(vet_ej), ej_svar: u64::from(!vet_ej), ..CellSums::default() };
    }
    // score × unit = sum × unit / count, exact because count divides unit.
    let scaled = i128::from(sum) * unit / i128::from(count);
    let high = f64::from(sum) >= hog_niva * f64::from(count);
    CellSums { n: 1, sum: scaled, sum_sq: scaled * scaled, hog: u64::from(high), ..CellSums::default() }
}

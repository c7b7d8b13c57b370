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
pub(crate) fn score(sum: u32, count: u32, vet_ej: bool, unit: i128, hog_niva: f64) -> CellSums {
    if count == 0 {
        return CellSums { vet_ej: u64::from(vet_ej), ej_svar: u64::from(!vet_ej), ..CellSums::default() };
    }
    // score × unit = sum × unit / count, exact because count divides unit.
    let scaled = i128::from(sum) * unit / i128::from(count);
    let high = f64::from(sum) >= hog_niva * f64::from(count);
    CellSums { n: 1, sum: scaled, sum_sq: scaled * scaled, hog: u64::from(high), ..CellSums::default() }
}

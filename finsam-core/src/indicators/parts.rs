//! What the indicator tables share: the total key, labels of key values,
//! count ids for disclosure, key columns, total rows and margins.

use std::collections::{BTreeMap, HashMap};

use super::state::{Accumulator, Key, UNUSED};
use super::{Config, Dim, Split, State};
use crate::error::Result;
use crate::model::*;
use crate::publish::table::CountId;

/// A key part that stands for "all values" (a total row).
pub(crate) const ALLA: u32 = u32::MAX - 1;

/// Labels of key values.
pub(crate) struct Labels<'a> {
    pub(crate) config: &'a Config,
}

impl Labels<'_> {
    pub(crate) fn label(&self, dim: Dim, v: u32) -> String {
        if v == ALLA {
            return "alla".to_owned();
        }
        let code = |all: &[&'static str], none: &str| all.get(v as usize).map_or(none.to_owned(), |c| (*c).to_owned());
        match dim {
            Dim::Forbund | Dim::Insats => v.to_string(),
            Dim::Kon => code(&Kon::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(), "okand"),
            Dim::Aldersgrupp => self.config.age_bands.label(v),
            Dim::Behovsgrupp => code(&Behovsgrupp::ALL.iter().map(|b| b.code()).collect::<Vec<_>>(), "ingen"),
            Dim::Remittent => code(&Part::ALL.iter().map(|p| p.code()).collect::<Vec<_>>(), "okand"),
            Dim::ForsorjningFore => {
                code(&Forsorjning::ALL.iter().map(|f| f.code()).collect::<Vec<_>>(), "ej_registrerad")
            }
        }
    }

    pub(crate) fn key(&self, split: &Split, k: &Key) -> Vec<String> {
        std::iter::once(k.ar.to_string())
            .chain(split.dims().iter().enumerate().map(|(i, &d)| self.label(d, k.parts[i])))
            .collect()
    }
}

/// The id of the count `measure` in cell `k` of a table split by `split`.
pub(crate) fn count_id(measure: impl Into<String>, split: &Split, k: &Key) -> CountId {
    let mut parts = vec![ALLA; Dim::ALL.len()];
    for (i, &d) in split.dims().iter().enumerate() {
        parts[d as usize] = k.parts[i];
    }
    CountId { measure: measure.into(), ar: k.ar, parts }
}

pub(crate) fn key_columns(split: &Split) -> Vec<String> {
    std::iter::once("ar".to_owned()).chain(split.dims().iter().map(|d| d.code().to_owned())).collect()
}

/// The cells of `state` and, for every subset of its single-valued
/// dimensions, the totals over them (`ALLA` in their place).
pub(crate) fn with_totals(state: &State) -> Result<BTreeMap<Key, Accumulator>> {
    let dims = state.split().dims();
    let droppable: Vec<usize> = (0..dims.len()).filter(|&i| !dims[i].is_multi_valued()).collect();
    let mut out = BTreeMap::new();
    for mask in 0u32..(1 << droppable.len()) {
        let dropped: Vec<usize> =
            droppable.iter().enumerate().filter(|(b, _)| mask & (1 << b) != 0).map(|(_, &i)| i).collect();
        let kept: Vec<usize> = (0..dims.len()).filter(|i| !dropped.contains(i)).collect();
        let target = Split::new(&kept.iter().map(|&i| dims[i]).collect::<Vec<_>>())?;
        // The rolled-up state is a copy already: its cells are moved, not
        // copied again (the person sets are most of a state's memory).
        for (k, acc) in state.rollup(&target)?.into_cells() {
            let mut parts = [UNUSED; Split::MAX];
            for (j, &i) in kept.iter().enumerate() {
                parts[i] = k.parts[j];
            }
            for &i in &dropped {
                parts[i] = ALLA;
            }
            out.insert(Key { ar: k.ar, parts }, acc);
        }
    }
    Ok(out)
}

/// The cells of `state` and of `totals`, rollups of it to coarser splits,
/// by reference, keyed in `state`'s split with `ALLA` for the dimensions a
/// total dropped: [`with_totals`] for a caller that has the rollups already
/// (the annual report), which then are not rolled up or copied again. The
/// totals are made by [`State::rollup`], which refuses to drop a
/// multi-valued dimension, so no total here counts a participation twice.
///
/// # Errors
/// `invalid_argument` if a total has a dimension that `state` has not.
pub(crate) fn cells_and_totals<'a>(state: &'a State, totals: &[&'a State]) -> Result<BTreeMap<Key, &'a Accumulator>> {
    let dims = state.split().dims();
    let mut out: BTreeMap<Key, &Accumulator> = state.cells().iter().map(|(k, acc)| (*k, acc)).collect();
    for total in totals {
        let of_total = total.split().dims();
        if of_total.iter().any(|d| !dims.contains(d)) {
            return Err(crate::Error::InvalidArgument {
                name: "totals",
                message: format!("a total split by {of_total:?} is not a rollup of a split by {dims:?}"),
            });
        }
        let at: Vec<Option<usize>> = dims.iter().map(|d| of_total.iter().position(|x| x == d)).collect();
        for (k, acc) in total.cells() {
            let mut parts = [UNUSED; Split::MAX];
            for (part, from) in parts.iter_mut().zip(&at) {
                *part = from.map_or(ALLA, |j| k.parts[j]);
            }
            out.insert(Key { ar: k.ar, parts }, acc);
        }
    }
    Ok(out)
}

/// `parts` and every key above it: each subset of the parts set to `ALLA`
/// (the cells a count adds to when a table has all its total rows).
pub(crate) fn with_alla(parts: &[u32]) -> impl Iterator<Item = Vec<u32>> + '_ {
    (0u32..(1 << parts.len()))
        .map(move |mask| parts.iter().enumerate().map(|(i, &p)| if mask & (1 << i) != 0 { ALLA } else { p }).collect())
}

/// Margins among rows keyed by `keys` (with an extra key `sub` per row for
/// tables that repeat each cell, e.g. per status): parts that differ from a
/// total row only in one single-valued dimension set to `ALLA`.
pub(crate) fn margins<S: Ord + Copy + std::hash::Hash>(rows: &[(Key, S)], dims: &[Dim]) -> Vec<(Vec<usize>, usize)> {
    let index: HashMap<(Key, S), usize> = rows.iter().enumerate().map(|(i, &(k, s))| ((k, s), i)).collect();
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (r, &(k, s)) in rows.iter().enumerate() {
        for (i, d) in dims.iter().enumerate() {
            if d.is_multi_valued() || k.parts[i] == ALLA {
                continue;
            }
            let mut total = k;
            total.parts[i] = ALLA;
            if let Some(&t) = index.get(&(total, s)) {
                groups.entry(t * dims.len() + i).or_default().push(r);
            }
        }
    }
    groups.into_iter().map(|(g, parts)| (parts, g / dims.len().max(1))).collect()
}

pub(crate) fn share(k: u64, n: u64) -> f64 {
    if n == 0 { f64::NAN } else { k as f64 / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::Context;

    /// The report's totals from rollups it has already are the cells that
    /// `with_totals` rolls up itself, person sets included.
    #[test]
    fn totals_from_given_rollups_are_those_rolled_up_here() {
        let data = crate::synthetic::generate(&crate::synthetic::SyntheticConfig { scale: 0.02, ..Default::default() })
            .expect("synthetic data");
        let config = Config::default();
        let ctx = Context::new(&data, &config, 2019..=2020).expect("context");
        let split = Split::new(&[Dim::Forbund, Dim::Kon]).expect("split");
        let state = State::compute(&split, &ctx, &data.deltaganden, &data.anonyma_deltagare);
        let national = state.rollup(&Split::national()).expect("national");
        for dims in [&[Dim::Forbund][..], &[Dim::Kon]] {
            let level = state.rollup(&Split::new(dims).expect("split")).expect("rollup");
            let given = cells_and_totals(&level, &[&national]).expect("totals");
            let rolled = with_totals(&level).expect("totals");
            assert!(given.len() > 2 * national.cells().len());
            assert_eq!(given, rolled.iter().map(|(k, acc)| (*k, acc)).collect::<BTreeMap<_, _>>());
        }
        let by_kon = state.rollup(&Split::new(&[Dim::Kon]).expect("split")).expect("rollup");
        assert_eq!(cells_and_totals(&national, &[&by_kon]).expect_err("not a rollup").code(), "invalid_argument");
    }
}

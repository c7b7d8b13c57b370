//! The balanced panel behind `att_gt`, prepared as R's `did`
//! (`pre_process_did`) prepares it: complete rows, groups beyond the last
//! period recoded as never treated, units treated in the first period
//! dropped, and units not observed in every period dropped.

use super::{AttGtOptions, Control};
use crate::error::{Error, Location, Result};
use crate::evaluation::event_study::{DenseIds, dense_ids};
use crate::evaluation::frame::{Column, Frame, Terms};

/// The design row of a model without covariates.
const INTERCEPT: [f64; 1] = [1.0];

/// A balanced panel: `n` units observed in every one of `times`.
#[derive(Clone, Debug)]
pub(super) struct Panel {
    /// Units.
    pub n: usize,
    /// The periods, ascending.
    pub times: Vec<f64>,
    /// The outcome, period-major: `y[k * n + i]`.
    pub y: Vec<f64>,
    /// The first treated period of each unit, 0 for never treated.
    pub group: Vec<f64>,
    /// The covariate design rows (intercept first), period-major:
    /// `x[(k * n + i) * p..][..p]`; `None` without covariates.
    pub x: Option<Vec<f64>>,
    /// The design's column names (`(Intercept)` alone without covariates).
    pub names: Vec<String>,
    /// The covariate each design column comes from.
    pub source: Vec<Option<usize>>,
    /// The treated groups estimated (R's `glist`), ascending.
    pub groups: Vec<f64>,
    /// The distinct values of `group` (never treated included), ascending.
    pub group_values: Vec<f64>,
    /// Each unit's index into `group_values`.
    pub group_index: Vec<u32>,
    /// The number of units with each of `group_values`.
    pub group_counts: Vec<u64>,
    /// Where the units of each of `group_values` start (units are ordered
    /// by group).
    pub group_start: Vec<usize>,
    /// What was left out and why.
    pub dropped: Vec<(String, u64)>,
}

impl Panel {
    /// The number of design columns.
    pub fn p(&self) -> usize {
        self.names.len()
    }

    /// The units of the `k`-th of `group_values`.
    pub fn group_units(&self, k: usize) -> std::ops::Range<usize> {
        self.group_start[k]..self.group_start[k] + self.group_counts[k] as usize
    }

    /// Unit `i`'s outcome in period `k`.
    #[inline]
    pub fn y(&self, k: usize, i: usize) -> f64 {
        self.y[k * self.n + i]
    }

    /// Unit `i`'s design row in period `k`.
    #[inline]
    pub fn x(&self, k: usize, i: usize) -> &[f64] {
        match &self.x {
            None => &INTERCEPT,
            Some(x) => {
                let p = self.names.len();
                &x[(k * self.n + i) * p..][..p]
            }
        }
    }

    /// Reads and prepares the panel (see the module documentation).
    pub fn read(frame: &Frame, o: &AttGtOptions) -> Result<Panel> {
        let rows = frame.rows();
        let units = unit_ids(frame, &o.unit)?;
        let time = frame.numeric(&o.time)?;
        let outcome = frame.numeric(&o.outcome)?;
        let group = frame.numeric(&o.group)?;
        let covariates: Vec<&str> = o.covariates.iter().map(String::as_str).collect();
        let design = if covariates.is_empty() { None } else { Some(frame.design(&covariates, Terms::Model)?) };
        let at = |column: &str, row: usize| Location::table("frame").row(row as u64).column(column);

        // Complete rows, as R's `complete_finite_cases` (a missing group
        // means never treated, so it does not drop the row).
        let complete: Vec<usize> = (0..rows)
            .filter(|&r| {
                units.ids[r].is_some()
                    && time[r].is_some()
                    && outcome[r].is_some()
                    && design.as_ref().is_none_or(|d| d.complete[r])
            })
            .collect();
        let mut dropped = Vec::new();
        if complete.len() < rows {
            dropped.push((
                "rows with a missing unit, period, outcome or covariate".to_owned(),
                (rows - complete.len()) as u64,
            ));
        }

        // The unit's group, checked constant within the unit.
        let mut unit_group: Vec<Option<f64>> = vec![None; units.count];
        for &r in &complete {
            let g = match group[r] {
                None => 0.0,
                Some(g) if g >= 0.0 => g,
                Some(g) => {
                    return Err(Error::InvalidNumber {
                        at: Box::new(at(&o.group, r).value(g.to_string())),
                        range: "the first treated period, or 0 (or missing) for never treated".into(),
                    });
                }
            };
            let u = units.ids[r].unwrap_or_default() as usize;
            match unit_group[u] {
                Some(seen) if seen != g => {
                    return Err(Error::InvalidArgument {
                        name: "group",
                        message: format!(
                            "row {r}: the group is {g} here but {seen} in an earlier row of the same unit; treatment is irreversible, so the first treated period is one value per unit"
                        ),
                    });
                }
                _ => unit_group[u] = Some(g),
            }
        }

        // The distinct periods through a set: a person panel has millions
        // of rows but a handful of periods, so sorting every row would
        // dominate the preparation.
        let mut times: Vec<f64> = Vec::new();
        for &r in &complete {
            let t = time[r].unwrap_or_default();
            if let Err(at) = times.binary_search_by(|x| x.total_cmp(&t)) {
                times.insert(at, t);
            }
        }
        let Some(&last) = times.last() else {
            return Err(Error::NotIdentified { message: "the panel has no complete row".into() });
        };
        // A group after the last period (+ anticipation) is never treated
        // within the panel: `did` recodes it to 0.
        for g in unit_group.iter_mut().flatten() {
            if *g > last + o.anticipation {
                *g = 0.0;
            }
        }
        let mut present: Vec<f64> = unit_group.iter().flatten().copied().collect();
        present.sort_by(f64::total_cmp);
        present.dedup();
        let latest = present.last().copied().unwrap_or(0.0);
        let any_never = present.first() == Some(&0.0);
        let mut exclude_latest = false;
        if !any_never {
            match o.control {
                Control::NeverTreated => {
                    return Err(Error::NotIdentified {
                        message: "no unit is never treated, so `control = never_treated` has no comparison units; use `not_yet_treated` (R's `did` would instead recode the last-treated group as never treated and drop the periods from its start)".into(),
                    });
                }
                Control::NotYetTreated => {
                    // As `did`: the periods from the last group's start on
                    // have no comparison units; that group only compares.
                    let cutoff = latest - o.anticipation;
                    let before = times.len();
                    times.retain(|&t| t < cutoff);
                    if times.len() < before {
                        dropped.push((
                            format!("periods from {cutoff} on, when every unit is treated (no comparison units)"),
                            (before - times.len()) as u64,
                        ));
                    }
                    exclude_latest = true;
                }
            }
        }
        let Some(&first) = times.first() else {
            return Err(Error::NotIdentified { message: "no period has comparison units".into() });
        };

        // Units treated in the first period have no pre-period: dropped.
        let mut keep_unit: Vec<bool> =
            unit_group.iter().map(|g| g.is_some_and(|g| g == 0.0 || g > first + o.anticipation)).collect();
        let first_treated = unit_group.iter().zip(&keep_unit).filter(|(g, k)| g.is_some() && !**k).count();
        if first_treated > 0 {
            dropped.push(("units already treated in the first period".to_owned(), first_treated as u64));
        }
        if keep_unit.iter().all(|k| !k) {
            return Err(Error::NotIdentified {
                message: "every unit is treated in the first period: there is no pre-treatment period".into(),
            });
        }

        // Balance: a unit must be observed once in each period.
        let t_count = times.len();
        let mut slot: Vec<u32> = vec![u32::MAX; units.count * t_count];
        let mut rows_of_unit = vec![0usize; units.count];
        for &r in &complete {
            let u = units.ids[r].unwrap_or_default() as usize;
            let t = time[r].unwrap_or_default();
            let Ok(k) = times.binary_search_by(|x| x.total_cmp(&t)) else { continue };
            let s = &mut slot[u * t_count + k];
            if *s != u32::MAX {
                return Err(Error::DuplicateKey { at: Box::new(at(&o.time, r)), first_row: *s as u64 });
            }
            *s = r as u32;
            rows_of_unit[u] += 1;
        }
        let mut unbalanced = 0u64;
        for u in 0..units.count {
            if keep_unit[u] && rows_of_unit[u] != t_count {
                keep_unit[u] = false;
                unbalanced += 1;
            }
        }
        if unbalanced > 0 {
            dropped.push((
                "units not observed in every period (the panel is balanced as `did` does)".to_owned(),
                unbalanced,
            ));
        }
        // Units ordered by group, so that a cell's units are a few
        // contiguous ranges (its group, the never treated, the groups
        // treated later) read straight through.
        let mut kept: Vec<usize> = (0..units.count).filter(|&u| keep_unit[u]).collect();
        kept.sort_by(|&a, &b| unit_group[a].unwrap_or(0.0).total_cmp(&unit_group[b].unwrap_or(0.0)));
        let n = kept.len();
        if n == 0 {
            return Err(Error::NotIdentified { message: "no unit is observed in every period".into() });
        }

        // Unit by unit: a unit's rows are usually together in the input,
        // so the reads stay local; the writes are one stream per period.
        let mut y = vec![0.0; n * t_count];
        for (i, &u) in kept.iter().enumerate() {
            for (k, &row) in slot[u * t_count..(u + 1) * t_count].iter().enumerate() {
                y[k * n + i] = outcome[row as usize].unwrap_or_default();
            }
        }
        let group: Vec<f64> = kept.iter().map(|&u| unit_group[u].unwrap_or(0.0)).collect();
        let (names, source, x) = match &design {
            None => (vec!["(Intercept)".to_owned()], vec![None], None),
            Some(d) => {
                let p = d.cols();
                let mut x = vec![0.0; n * t_count * p];
                for (i, &u) in kept.iter().enumerate() {
                    for (k, &row) in slot[u * t_count..(u + 1) * t_count].iter().enumerate() {
                        x[(k * n + i) * p..][..p].copy_from_slice(d.row(row as usize));
                    }
                }
                (d.names.clone(), d.source.clone(), Some(x))
            }
        };

        let mut groups: Vec<f64> = group.iter().copied().filter(|&g| g > 0.0).collect();
        groups.sort_by(f64::total_cmp);
        groups.dedup();
        if exclude_latest {
            groups.retain(|&g| g < latest);
        }
        if groups.is_empty() {
            return Err(Error::NotIdentified {
                message: "no treated group has a pre-treatment period and comparison units".into(),
            });
        }
        let mut group_values = group.clone();
        group_values.sort_by(f64::total_cmp);
        group_values.dedup();
        let group_index: Vec<u32> = group
            .iter()
            .map(|g| group_values.binary_search_by(|v| v.total_cmp(g)).unwrap_or_default() as u32)
            .collect();
        let mut group_counts = vec![0u64; group_values.len()];
        for &k in &group_index {
            group_counts[k as usize] += 1;
        }
        let group_start = group_counts
            .iter()
            .scan(0usize, |start, &c| {
                let here = *start;
                *start += c as usize;
                Some(here)
            })
            .collect();
        Ok(Panel {
            n,
            times,
            y,
            group,
            x,
            names,
            source,
            groups,
            group_values,
            group_index,
            group_counts,
            group_start,
            dropped,
        })
    }
}

/// Dense unit ids. Whole-number ids in a range not much wider than the
/// rows (person and kommun numbers) index directly, without hashing
/// millions of rows; ids without rows are units that do not exist and are
/// never kept. Other ids are numbered through a hash map.
fn unit_ids(frame: &Frame, name: &str) -> Result<DenseIds> {
    if let Column::Numeric(values) = frame.column(name)? {
        let (mut lo, mut hi, mut whole) = (f64::INFINITY, f64::NEG_INFINITY, true);
        for &v in values.iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
            whole &= v.fract() == 0.0;
        }
        if whole && lo.is_finite() && hi - lo < 2.0 * values.len() as f64 + 1.0 && hi - lo < u32::MAX as f64 {
            let ids = values.iter().map(|v| v.map(|v| (v - lo) as u32)).collect();
            return Ok(DenseIds { ids, count: (hi - lo) as usize + 1 });
        }
    }
    dense_ids(frame, name)
}

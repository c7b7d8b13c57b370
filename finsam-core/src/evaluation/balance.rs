//! What a [`Matching`] achieved and what it estimates: `MatchIt`'s balance
//! table (`summary()`) and the effect on the treated in the matched
//! sample (weighted least squares with cluster-robust standard errors,
//! as `lm` + `sandwich::vcovCL` + `lmtest::coeftest`).

use serde::{Deserialize, Serialize};

use super::Estimate;
use super::frame::{Column, Frame, Terms};
use super::glm;
use super::matching::Matching;
use crate::error::Result;
use crate::publish::disclosure::{Cell, Reason};
use crate::publish::table::{self, Table, Unit};

/// One side (before or after matching) of a balance row: the columns of
/// `MatchIt`'s `summary()`.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
/// let after = m.balance(&f)?.rows[1].after;
/// assert_eq!(after.mean_treated, 2.0);
/// assert!((after.mean_control - 2.05).abs() < 1e-12);
/// assert_eq!(after.variance_ratio.is_some(), true);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalanceStats {
    /// The (weighted) mean among treated units.
    pub mean_treated: f64,
    /// The (weighted) mean among control units.
    pub mean_control: f64,
    /// The standardised mean difference: the difference over the treated
    /// units' standard deviation in the full sample (for a 0/1 variable
    /// `√(p(1−p))`); the raw difference when it is below `√ε`; `None`
    /// when both groups have fewer than two units.
    pub smd: Option<f64>,
    /// The ratio of the (weighted) variances, treated over control
    /// (`None` for a 0/1 variable).
    pub variance_ratio: Option<f64>,
    /// The mean distance between the groups' (weighted) empirical CDFs
    /// over the variable's distinct values (for a 0/1 variable the
    /// absolute difference in means).
    pub ecdf_mean: Option<f64>,
    /// The largest such distance.
    pub ecdf_max: Option<f64>,
    /// After matching: the mean absolute difference within matched pairs
    /// (or subclasses), standardised as `smd`.
    pub pair_distance: Option<f64>,
}

/// One covariate (or level of a categorical one, or the distance) of a
/// balance table.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
/// let b = m.balance(&f)?;
/// let names: Vec<&str> = b.rows.iter().map(|r| r.name.as_str()).collect();
/// assert_eq!(names, ["distance", "x"]);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalanceRow {
    /// The name, as R's `model.matrix` names it (`konMan`), or `distance`.
    pub name: String,
    /// In the sample before matching.
    pub before: BalanceStats,
    /// In the matched sample, with the matching weights.
    pub after: BalanceStats,
}

/// `MatchIt`'s balance table: one row for the distance (nearest
/// neighbour), then one per numeric covariate and per level of each
/// categorical one.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
/// let b = m.balance(&f)?;
/// assert_eq!(b.rows[0].name, "distance");
/// assert!(b.rows[1].after.smd.unwrap().abs() < b.rows[1].before.smd.unwrap().abs());
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// The rows.
    pub rows: Vec<BalanceRow>,
}

/// The value columns of [`Balance::to_table`].
const COLUMNS: [&str; 13] = [
    "means_treated_before",
    "means_control_before",
    "smd_before",
    "variance_ratio_before",
    "ecdf_mean_before",
    "ecdf_max_before",
    "means_treated_after",
    "means_control_after",
    "smd_after",
    "variance_ratio_after",
    "ecdf_mean_after",
    "ecdf_max_after",
    "pair_distance_after",
];

impl Balance {
    /// The table as a published [`Table`] keyed by `variable`; a statistic
    /// that cannot be computed is withheld as `not_computable`.
    ///
    /// ```
    /// use finsam_core::evaluation::Frame;
    /// use finsam_core::evaluation::matching::{match_units, MatchOptions};
    /// let f = Frame::new()
    ///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
    ///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
    /// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
    /// let t = m.balance(&f)?.to_table();
    /// assert_eq!(t.keys, ["variable"]);
    /// assert!(t.value(&["x"], "smd_after").is_some());
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn to_table(&self) -> Table {
        let cell = |v: Option<f64>| v.map_or(Cell::Suppressed(Reason::NotComputable), Cell::Shown);
        let side = |s: &BalanceStats| {
            [Some(s.mean_treated), Some(s.mean_control), s.smd, s.variance_ratio, s.ecdf_mean, s.ecdf_max]
        };
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let mut values: Vec<Cell<f64>> = side(&r.before).into_iter().map(cell).collect();
                values.extend(side(&r.after).into_iter().map(cell));
                values.push(cell(r.after.pair_distance));
                table::Row { key: vec![r.name.clone()], values }
            })
            .collect();
        Table {
            names: Default::default(),
            id: "matching_balance".into(),
            title: "Covariate balance before and after matching".into(),
            keys: vec!["variable".into()],
            columns: COLUMNS.iter().map(|c| table::Column { name: (*c).into(), unit: Unit::Number }).collect(),
            rows,
            notes: vec![
                "Standardised mean differences use the treated units' standard deviation before matching (MatchIt)."
                    .into(),
            ],
        }
    }
}

/// The balance table of a matching (`summary(m)` in `MatchIt`): the
/// covariates matched on (and any exact-matching covariates not among
/// them), every level of a categorical one, over the units the matching
/// used.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
/// let b = finsam_core::evaluation::matching::balance(&f, &m)?;
/// assert_eq!(b, m.balance(&f)?);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `missing_column` if the frame is not the one that was matched.
pub fn balance(frame: &Frame, matching: &Matching) -> Result<Balance> {
    let rows: Vec<usize> = (0..frame.rows()).filter(|&r| matching.treated[r].is_some()).collect();
    let treated: Vec<bool> = rows.iter().map(|&r| matching.treated[r] == Some(true)).collect();
    let weights: Vec<f64> = rows.iter().map(|&r| matching.weights[r]).collect();
    let pairs = Pairs::new(matching, &rows);
    let mut names: Vec<&str> = matching.options.covariates.iter().map(String::as_str).collect();
    for e in &matching.options.exact {
        if !names.contains(&e.as_str()) {
            names.push(e);
        }
    }
    let design = frame.design(&names, Terms::AllLevels)?.select(&rows);
    let mut out = Vec::new();
    if matching.distance.iter().any(Option::is_some) {
        let d: Vec<f64> = rows.iter().map(|&r| matching.distance[r].unwrap_or(f64::NAN)).collect();
        out.push(row("distance", &d, &treated, &weights, &pairs));
    }
    for (j, name) in design.names.iter().enumerate() {
        let x: Vec<f64> = (0..design.rows).map(|i| design.row(i)[j]).collect();
        let categorical =
            design.source[j].is_some_and(|k| matches!(frame.column(names[k]), Ok(Column::Categorical { .. })));
        // R's droplevels: a level no unit has is not a row.
        if categorical && x.iter().all(|v| *v == 0.0) {
            continue;
        }
        out.push(row(name, &x, &treated, &weights, &pairs));
    }
    Ok(Balance { rows: out })
}

fn row(name: &str, x: &[f64], treated: &[bool], weights: &[f64], pairs: &Pairs) -> BalanceRow {
    let ones = vec![1.0; x.len()];
    BalanceRow {
        name: name.to_owned(),
        before: stats(x, treated, &ones, None),
        after: stats(x, treated, weights, Some(pairs)),
    }
}

/// Who is compared with whom, for the pair distance: `MatchIt` uses the
/// match matrix when there is one and the subclasses otherwise.
enum Pairs {
    /// Treated and control sample indices of each matched pair.
    Matrix(Vec<(usize, usize)>),
    /// The subclass of each sample unit.
    Subclass(Vec<Option<u32>>),
}

impl Pairs {
    fn new(matching: &Matching, rows: &[usize]) -> Pairs {
        if matching.pairs.is_empty() {
            return Pairs::Subclass(rows.iter().map(|&r| matching.subclass[r]).collect());
        }
        let mut index = vec![usize::MAX; matching.treated.len()];
        for (i, &r) in rows.iter().enumerate() {
            index[r] = i;
        }
        let pairs = matching.pairs.iter().flat_map(|(t, cs)| cs.iter().map(|c| (index[*t], index[*c]))).collect();
        Pairs::Matrix(pairs)
    }

    /// The mean absolute difference of `x` over all treated–control pairs.
    fn mean_distance(&self, x: &[f64], treated: &[bool]) -> f64 {
        match self {
            Pairs::Matrix(p) => p.iter().map(|&(t, c)| (x[t] - x[c]).abs()).sum::<f64>() / p.len() as f64,
            Pairs::Subclass(s) => subclass_distance(x, treated, s),
        }
    }
}

/// `Σ_s Σ_{t,c ∈ s} |x_t − x_c|` over the number of such pairs, by sorting
/// each subclass's controls and prefix sums rather than every pair.
fn subclass_distance(x: &[f64], treated: &[bool], subclass: &[Option<u32>]) -> f64 {
    let count = subclass.iter().flatten().max().map_or(0, |m| *m as usize + 1);
    let mut groups: Vec<[Vec<f64>; 2]> = vec![[Vec::new(), Vec::new()]; count];
    for (i, s) in subclass.iter().enumerate() {
        if let Some(s) = s {
            groups[*s as usize][usize::from(treated[i])].push(x[i]);
        }
    }
    let (mut total, mut pairs) = (0.0, 0.0);
    for [controls, treated] in &mut groups {
        controls.sort_by(f64::total_cmp);
        let mut prefix = vec![0.0];
        for c in controls.iter() {
            prefix.push(prefix[prefix.len() - 1] + c);
        }
        let (m, all) = (controls.len(), prefix[controls.len()]);
        for &t in treated.iter() {
            let k = controls.partition_point(|c| *c <= t);
            total += t * k as f64 - prefix[k] + (all - prefix[k]) - t * (m - k) as f64;
        }
        pairs += (treated.len() * m) as f64;
    }
    total / pairs
}

/// `MatchIt`'s `bal1var` with `standardize = TRUE` and the ATT: the
/// statistics of one variable under weights `w` (all 1 before matching).
fn stats(x: &[f64], treated: &[bool], w: &[f64], pairs: Option<&Pairs>) -> BalanceStats {
    let binary = x.iter().all(|v| *v == 0.0 || *v == 1.0);
    let group =
        |g: bool| -> (Vec<f64>, Vec<f64>) { (0..x.len()).filter(|&i| treated[i] == g).map(|i| (x[i], w[i])).unzip() };
    let ((x1, w1), (x0, w0)) = (group(true), group(false));
    let nonzero = |w: &[f64]| w.iter().filter(|v| **v != 0.0).count();
    let too_small = nonzero(&w1) < 2 && nonzero(&w0) < 2;
    let (mean_treated, mean_control) = (mean(&x1, &w1), mean(&x0, &w0));
    let diff = mean_treated - mean_control;
    let tiny = f64::EPSILON.sqrt();
    let (smd, scale) = if diff.abs() > tiny {
        if too_small {
            (None, None)
        } else {
            let s = treated_sd(x, treated, &x1, binary);
            (Some(diff / s), Some(s))
        }
    } else {
        (Some(diff), None)
    };
    let pair_distance = match pairs {
        Some(p) if smd.is_some() => {
            let d = p.mean_distance(x, treated);
            Some(match scale {
                Some(s) if d.abs() > 1e-8 => d / s,
                _ => d,
            })
        }
        _ => None,
    };
    let (variance_ratio, ecdf_mean, ecdf_max) = if binary {
        (None, Some(diff.abs()), Some(diff.abs()))
    } else if too_small {
        (None, None, None)
    } else {
        let (m, mx) = ecdf_distance(x, treated, w);
        (Some(variance(&x1, &w1, false) / variance(&x0, &w0, false)), Some(m), Some(mx))
    };
    BalanceStats { mean_treated, mean_control, smd, variance_ratio, ecdf_mean, ecdf_max, pair_distance }
}

/// The weighted mean `Σwx / Σw`.
fn mean(x: &[f64], w: &[f64]) -> f64 {
    x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / w.iter().sum::<f64>()
}

/// `MatchIt`'s `wvar`: for a 0/1 variable `p(1−p)`; otherwise the
/// reliability-weighted variance `Σw(x−x̄)² / (1 − Σw²)` with `w` summing
/// to one (the sample variance when the weights are equal).
fn variance(x: &[f64], w: &[f64], binary: bool) -> f64 {
    let total: f64 = w.iter().sum();
    let m = mean(x, w);
    if binary {
        return m * (1.0 - m);
    }
    let ss: f64 = x.iter().zip(w).map(|(x, w)| w / total * (x - m).powi(2)).sum();
    ss / (1.0 - w.iter().map(|w| (w / total).powi(2)).sum::<f64>())
}

/// The SMD's denominator: the treated units' standard deviation in the
/// sample before matching; `MatchIt` falls back to the pooled one when it
/// is (nearly) zero.
fn treated_sd(x: &[f64], treated: &[bool], x1: &[f64], binary: bool) -> f64 {
    let s = variance(x1, &vec![1.0; x1.len()], binary).sqrt();
    if s.is_finite() && s >= f64::EPSILON.sqrt() {
        return s;
    }
    let n = x.len() as f64;
    let pooled: f64 = [true, false]
        .iter()
        .map(|&g| {
            let xs: Vec<f64> = (0..x.len()).filter(|&i| treated[i] == g).map(|i| x[i]).collect();
            let (sum, k) = (xs.iter().sum::<f64>(), xs.len() as f64);
            if binary {
                sum * (1.0 - sum / k) / n
            } else {
                xs.iter().map(|v| (v - sum / k).powi(2)).sum::<f64>() / (n - 2.0)
            }
        })
        .sum();
    pooled.sqrt()
}

/// The mean and largest absolute difference between the two groups'
/// weighted empirical CDFs, evaluated at each distinct value of `x` among
/// all units (`MatchIt`'s `qqsum` with `standardize = TRUE`).
fn ecdf_distance(x: &[f64], treated: &[bool], w: &[f64]) -> (f64, f64) {
    let total = |g: bool| (0..x.len()).filter(|&i| treated[i] == g).map(|i| w[i]).sum::<f64>();
    let (t1, t0) = (total(true), total(false));
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let (mut cum, mut sum, mut max, mut k) = (0.0f64, 0.0f64, 0.0f64, 0usize);
    for (j, &i) in order.iter().enumerate() {
        cum += if treated[i] { w[i] / t1 } else { -w[i] / t0 };
        let last = order.get(j + 1).is_none_or(|&next| x[next] != x[i]);
        if last {
            sum += cum.abs();
            max = max.max(cum.abs());
            k += 1;
        }
    }
    (sum / k as f64, max)
}

/// The effect on the treated estimated in the matched sample.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0].map(Some))?;
/// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
/// let f = f.with_numeric("y", [4.0, 2.0, 1.0, 6.0, 3.5, 0.0].map(Some))?;
/// let e = m.effect(&f, "y", &[], 0.95)?;
/// assert_eq!((e.df, e.clusters, e.n_treated, e.n_control), (2.0, 2, 2, 2));
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// The coefficient of the treatment, its cluster-robust standard error
    /// and the Student t interval.
    pub estimate: Estimate,
    /// The residual degrees of freedom `n − k` of the interval.
    pub df: f64,
    /// The clusters: subclasses, or units when matching with replacement.
    pub clusters: usize,
    /// Matched treated units used.
    pub n_treated: usize,
    /// Matched control units used.
    pub n_control: usize,
    /// Matched units dropped for a missing outcome or covariate.
    pub dropped_missing: usize,
    /// The covariates adjusted for.
    pub covariates: Vec<String>,
}

/// The effect on the treated: weighted least squares of `outcome` on the
/// treatment (and `covariates`) in the matched sample with the matching
/// weights, a cluster-robust standard error clustered by subclass (by unit
/// when matching with replacement, as `MatchIt`'s vignette advises), and
/// the interval `lmtest::coefci` gives.
///
/// # Formula
/// `V = G/(G−1) · (n−1)/(n−k) · (XᵀWX)⁻¹ (Σ_g u_g u_gᵀ) (XᵀWX)⁻¹`, with
/// `u_g = Σ_{i∈g} wᵢ eᵢ xᵢ` (`sandwich::vcovCL`, `type = "HC1"`); the
/// interval uses Student's t with the residual `n − k` degrees of freedom.
///
/// ```
/// use finsam_core::evaluation::Frame;
/// use finsam_core::evaluation::matching::{match_units, MatchOptions};
/// let f = Frame::new()
///     .with_numeric("t", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0].map(Some))?
///     .with_numeric("x", [1.0, 1.2, 5.0, 3.0, 2.9, 0.0, 4.0, 4.2].map(Some))?
///     .with_numeric("y", [3.0, 1.0, 2.0, 5.0, 2.5, 0.5, 6.0, 3.9].map(Some))?;
/// let m = match_units(&f, &MatchOptions::new("t", &["x"]))?;
/// let e = m.effect(&f, "y", &[], 0.95)?;
/// assert_eq!((e.n_treated, e.n_control, e.clusters), (3, 3, 3));
/// assert!(e.estimate.lo < e.estimate.estimate && e.estimate.estimate < e.estimate.hi);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` for a non-numeric outcome; `not_identified` with
/// fewer than two clusters or no residual degrees of freedom (from
/// [`glm::cluster_robust`]);
/// `singular_design` for collinear covariates.
pub fn effect(frame: &Frame, matching: &Matching, outcome: &str, covariates: &[&str], level: f64) -> Result<Effect> {
    let y = frame.numeric(outcome)?;
    let treatment = matching.options.treatment.as_str();
    let mut terms = vec![treatment];
    terms.extend(covariates.iter().filter(|c| **c != treatment));
    let design = frame.design(&terms, Terms::Model)?;
    let matched: Vec<usize> = (0..frame.rows()).filter(|&r| matching.weights[r] > 0.0).collect();
    let rows: Vec<usize> = matched.iter().copied().filter(|&r| design.complete[r] && y[r].is_some()).collect();
    let design = design.select(&rows);
    let yv: Vec<f64> = rows.iter().map(|&r| y[r].unwrap_or(f64::NAN)).collect();
    let w: Vec<f64> = rows.iter().map(|&r| matching.weights[r]).collect();
    let (cluster, g) = clusters(&rows, &matching.subclass);
    let fit = glm::ols(&design, &yv, Some(&w))?;
    let v = glm::cluster_robust(&design, &fit, &yv, Some(&w), &cluster)?;
    let (n, k) = (rows.len() as f64, design.cols() as f64);
    // The treatment's coefficient is column 1.
    let se = v[design.cols() + 1].sqrt();
    let treated_in = |t: bool| rows.iter().filter(|&&r| matching.treated[r] == Some(t)).count();
    Ok(Effect {
        estimate: Estimate::student(fit.coefficients[1], se, n - k, level)?,
        df: n - k,
        clusters: g,
        n_treated: treated_in(true),
        n_control: treated_in(false),
        dropped_missing: matched.len() - rows.len(),
        covariates: covariates.iter().map(|c| (*c).to_owned()).collect(),
    })
}

/// A dense cluster id per row and the number of clusters: the subclass
/// (matched set), or each unit its own cluster when matching with
/// replacement left no subclasses.
fn clusters(rows: &[usize], subclass: &[Option<u32>]) -> (Vec<u32>, usize) {
    let mut ids: rustc_hash::FxHashMap<u32, u32> = rustc_hash::FxHashMap::default();
    let mut next = 0u32;
    let mut fresh = || {
        next += 1;
        next - 1
    };
    let cluster = rows
        .iter()
        .map(|&r| match subclass[r] {
            Some(s) => *ids.entry(s).or_insert_with(&mut fresh),
            None => fresh(),
        })
        .collect();
    (cluster, next as usize)
}

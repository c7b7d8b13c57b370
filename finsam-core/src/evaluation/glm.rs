//! Weighted least squares and logistic regression: the models under the
//! propensity score, the outcome regressions of doubly robust
//! difference-in-differences and the case-mix models.
//!
//! The logistic regression is fitted by Newton–Raphson (IRLS, the method
//! of R's `glm` and statsmodels' `Logit`), iterated to full convergence
//! rather than to R's deviance tolerance, so that the coefficients agree
//! with both to far below their own tolerance (tested against statsmodels
//! to 1e-8).
//!
//! ```
//! use finsam_core::evaluation::{glm, Frame};
//! let f = Frame::new()
//!     .with_numeric("x", [1.0, 2.0, 3.0, 4.0].map(Some))?
//!     .with_numeric("y", [2.0, 4.1, 5.9, 8.0].map(Some))?;
//! let d = f.design(&["x"], glm::Terms::Model)?;
//! let fit = glm::ols(&d, &[2.0, 4.1, 5.9, 8.0], None)?;
//! assert!((fit.coefficients[1] - 1.98).abs() < 1e-12);
//! # Ok::<(), finsam_core::Error>(())
//! ```

use super::frame::Design;
use super::linalg::{Cholesky, add_outer_lower, symmetrise};
use crate::error::{Error, Result};

pub use super::frame::Terms;

/// A fitted linear or logistic model.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The design's column names, in the order of `coefficients`.
    pub names: Vec<String>,
    /// The coefficients.
    pub coefficients: Vec<f64>,
    /// The fitted values: `Xβ` for least squares, the probabilities for
    /// the logistic regression.
    pub fitted: Vec<f64>,
    /// `(XᵀWX)⁻¹` at the solution (row-major p×p), with `W` the prior
    /// weights (least squares) or the weights times `μ(1−μ)` (logistic):
    /// the bread of sandwich variances, and the model-based variance of a
    /// logistic regression.
    pub bread: Vec<f64>,
    /// Newton iterations (1 for least squares).
    pub iterations: usize,
}

impl Fit {
    /// The linear predictor `xᵀβ` of one row.
    pub fn predict_linear(&self, x: &[f64]) -> f64 {
        x.iter().zip(&self.coefficients).map(|(a, b)| a * b).sum()
    }
}

/// Checks the inputs every fit shares.
fn check(design: &Design, y: &[f64], weights: Option<&[f64]>) -> Result<()> {
    if y.len() != design.rows || weights.is_some_and(|w| w.len() != design.rows) {
        return Err(Error::InvalidArgument {
            name: "y",
            message: format!("the outcome and weights need one value per row of the design ({})", design.rows),
        });
    }
    if let Some(i) = design.complete.iter().position(|c| !c) {
        return Err(Error::InvalidArgument {
            name: "design",
            message: format!("row {i} has a missing covariate: select the complete rows first"),
        });
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidArgument {
            name: "y",
            message: format!("row {i}: the outcome is missing or not finite"),
        });
    }
    if let Some(i) = weights.and_then(|w| w.iter().position(|v| !(v.is_finite() && *v >= 0.0))) {
        return Err(Error::InvalidArgument {
            name: "weights",
            message: format!("row {i}: a weight must be finite and ≥ 0"),
        });
    }
    Ok(())
}

/// Factors `XᵀWX`; a collinear column is a `singular_design` error naming it.
fn factor(xtwx: &mut [f64], design: &Design) -> Result<Cholesky> {
    let p = design.cols();
    symmetrise(xtwx, p);
    Cholesky::new(xtwx, p).map_err(|j| Error::SingularDesign {
        message: format!(
            "column `{}` is constant or a combination of the columns before it (or its category is empty)",
            design.names[j]
        ),
    })
}

/// Weighted least squares: minimises `Σ wᵢ (yᵢ − xᵢᵀβ)²`.
pub fn ols(design: &Design, y: &[f64], weights: Option<&[f64]>) -> Result<Fit> {
    check(design, y, weights)?;
    let p = design.cols();
    let mut xtwx = vec![0.0; p * p];
    let mut xtwy = vec![0.0; p];
    for i in 0..design.rows {
        let w = weights.map_or(1.0, |w| w[i]);
        let x = design.row(i);
        add_outer_lower(&mut xtwx, x, w);
        for (s, xj) in xtwy.iter_mut().zip(x) {
            *s += w * xj * y[i];
        }
    }
    let chol = factor(&mut xtwx, design)?;
    let coefficients = chol.solve(&xtwy);
    let fitted = (0..design.rows).map(|i| dot(design.row(i), &coefficients)).collect();
    Ok(Fit { names: design.names.clone(), coefficients, fitted, bread: chol.inverse(), iterations: 1 })
}

/// The cluster-robust (CR1) covariance of a least-squares fit:
/// `c · B (Σ_g s_g s_gᵀ) B` with `B = (XᵀWX)⁻¹`, the cluster scores
/// `s_g = Σ_{i∈g} wᵢ xᵢ eᵢ` and the small-sample factor
/// `c = G/(G−1) · (N−1)/(N−K)`. This is R's `sandwich::vcovCL` with its
/// default `type = "HC1"`, Stata's `vce(cluster)` and statsmodels'
/// `cov_type="cluster"`. `clusters` holds a dense cluster id per row.
///
/// Fewer than two clusters cannot estimate a variance: `not_identified`.
///
/// ```
/// use finsam_core::evaluation::{glm, Frame};
/// let f = Frame::new().with_numeric("d", [0.0, 0.0, 1.0, 1.0].map(Some))?;
/// let design = f.design(&["d"], glm::Terms::Model)?;
/// let y = [1.0, 2.0, 4.0, 7.0];
/// let fit = glm::ols(&design, &y, None)?;
/// let v = glm::cluster_robust(&design, &fit, &y, None, &[0, 1, 2, 3])?;
/// // Residuals −½, ½ (d = 0) and −1½, 1½ (d = 1): the slope's HC0
/// // variance is 0.5/2² + 4.5/2² = 1.25, times 4/3 · 3/2 = 2.
/// assert!((v[3] - 2.5).abs() < 1e-12);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn cluster_robust(
    design: &Design,
    fit: &Fit,
    y: &[f64],
    weights: Option<&[f64]>,
    clusters: &[u32],
) -> Result<Vec<f64>> {
    check(design, y, weights)?;
    if clusters.len() != design.rows {
        return Err(Error::InvalidArgument { name: "clusters", message: "one cluster id per row".into() });
    }
    let p = design.cols();
    let groups = clusters.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut scores = vec![0.0; groups * p];
    let mut used = vec![false; groups];
    for i in 0..design.rows {
        let w = weights.map_or(1.0, |w| w[i]);
        let x = design.row(i);
        let e = y[i] - dot(x, &fit.coefficients);
        let g = clusters[i] as usize;
        used[g] = true;
        for (s, xj) in scores[g * p..(g + 1) * p].iter_mut().zip(x) {
            *s += w * xj * e;
        }
    }
    let g_count = used.iter().filter(|&&u| u).count();
    let n = design.rows;
    if g_count < 2 || n <= p {
        return Err(Error::NotIdentified {
            message: format!(
                "a cluster-robust variance needs two clusters and more rows than coefficients ({g_count} clusters, {n} rows, {p} coefficients)"
            ),
        });
    }
    let mut meat = vec![0.0; p * p];
    for g in (0..groups).filter(|&g| used[g]) {
        add_outer_lower(&mut meat, &scores[g * p..(g + 1) * p], 1.0);
    }
    symmetrise(&mut meat, p);
    let c = g_count as f64 / (g_count as f64 - 1.0) * (n as f64 - 1.0) / (n as f64 - p as f64);
    let bread = &fit.bread;
    let mut bm = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            bm[i * p + j] = (0..p).map(|k| bread[i * p + k] * meat[k * p + j]).sum();
        }
    }
    let mut v = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            v[i * p + j] = c * (0..p).map(|k| bm[i * p + k] * bread[k * p + j]).sum::<f64>();
        }
    }
    Ok(v)
}

/// The most Newton iterations before a logistic fit is declared not to
/// converge (R's `glm` stops at 25 with a warning; a well-posed problem
/// converges in under 10).
const MAX_ITERATIONS: usize = 100;

/// Logistic regression of a 0/1 outcome, with optional prior weights.
///
/// Errors: an outcome other than 0 or 1 is `invalid_argument`; an outcome
/// that does not vary is `not_identified`; a collinear design is
/// `singular_design`; covariates that separate the outcomes perfectly
/// (the fit does not converge and the probabilities reach 0 or 1) are
/// `no_overlap`.
pub fn logit(design: &Design, y: &[f64], weights: Option<&[f64]>) -> Result<Fit> {
    check(design, y, weights)?;
    if let Some(i) = y.iter().position(|&v| v != 0.0 && v != 1.0) {
        return Err(Error::InvalidArgument {
            name: "y",
            message: format!("row {i}: a binary outcome is 0 or 1, not {}", y[i]),
        });
    }
    let positive: f64 = (0..y.len()).map(|i| weights.map_or(1.0, |w| w[i]) * y[i]).sum();
    let total: f64 = weights.map_or(y.len() as f64, |w| w.iter().sum());
    if positive <= 0.0 || positive >= total {
        return Err(Error::NotIdentified {
            message: "the binary outcome does not vary among the weighted rows".into(),
        });
    }
    let p = design.cols();
    let mut beta = vec![0.0; p];
    for iteration in 1..=MAX_ITERATIONS {
        crate::exec::check()?;
        let (mut xtwx, score) = newton_terms(design, y, weights, &beta);
        // Under separation the weights μ(1−μ) vanish and XᵀWX becomes
        // singular: say which of the two it is.
        let chol = factor(&mut xtwx, design)
            .map_err(|e| if separated(design, &beta) { separation(design, &beta) } else { e })?;
        let step = chol.solve(&score);
        let mut largest = 0.0f64;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
            largest = largest.max(s.abs() / (1.0 + b.abs()));
        }
        // Newton converges quadratically: once a step is below 1e-10 (relative)
        // the remaining error is far below it. A stricter bound can be out of
        // reach, because the score sums n terms and carries their rounding.
        if largest < 1e-10 {
            let (mut xtwx, _) = newton_terms(design, y, weights, &beta);
            let bread = factor(&mut xtwx, design)?.inverse();
            let fitted = (0..design.rows).map(|i| sigmoid(dot(design.row(i), &beta))).collect();
            return Ok(Fit { names: design.names.clone(), coefficients: beta, fitted, bread, iterations: iteration });
        }
    }
    Err(if separated(design, &beta) {
        separation(design, &beta)
    } else {
        Error::SingularDesign {
            message: format!("the logistic regression did not converge in {MAX_ITERATIONS} iterations"),
        }
    })
}

/// Whether some fitted probability is numerically 0 or 1.
fn separated(design: &Design, beta: &[f64]) -> bool {
    (0..design.rows).any(|i| {
        let mu = sigmoid(dot(design.row(i), beta));
        !(1e-10..=1.0 - 1e-10).contains(&mu)
    })
}

/// The separation error, naming the column whose coefficient runs away
/// (the largest in absolute value, the intercept aside).
fn separation(design: &Design, beta: &[f64]) -> Error {
    let culprit = (0..beta.len())
        .filter(|&j| design.source[j].is_some())
        .max_by(|&a, &b| beta[a].abs().total_cmp(&beta[b].abs()))
        .map_or_else(String::new, |j| {
            format!(" (most likely `{}`: a value or category found in one group only)", design.names[j])
        });
    Error::NoOverlap {
        message: format!("the covariates separate the outcome perfectly (fitted probabilities of 0 or 1){culprit}"),
    }
}

/// Rows per block of [`newton_terms`]: the blocks' sums are added in
/// block order, so the fit is the same on any number of threads.
const NEWTON_BLOCK: usize = 1 << 15;

/// `XᵀWX` (lower triangle) and the score `Xᵀ w (y − μ)` at `beta`: the
/// blocks of rows on every core (a national comparison of insatser fits
/// millions of rows), their sums added in block order.
fn newton_terms(design: &Design, y: &[f64], weights: Option<&[f64]>, beta: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let p = design.cols();
    // A case-mix design is mostly 0/1 indicators, of which a row has one
    // per covariate: the products of its nonzero columns only are the
    // same sums (a zero term adds nothing) at a fraction of the work.
    let block_terms = |block: usize| {
        let mut xtwx = vec![0.0; p * p];
        let mut score = vec![0.0; p];
        let mut nonzero: Vec<(usize, f64)> = Vec::with_capacity(p);
        for i in block * NEWTON_BLOCK..((block + 1) * NEWTON_BLOCK).min(design.rows) {
            let w = weights.map_or(1.0, |w| w[i]);
            nonzero.clear();
            nonzero.extend(design.row(i).iter().copied().enumerate().filter(|&(_, v)| v != 0.0));
            let mu = sigmoid(nonzero.iter().map(|&(j, v)| v * beta[j]).sum());
            let curvature = w * mu * (1.0 - mu);
            for (a, &(ja, va)) in nonzero.iter().enumerate() {
                let wa = curvature * va;
                let row = &mut xtwx[ja * p..ja * p + ja + 1];
                for &(jb, vb) in &nonzero[..=a] {
                    row[jb] += wa * vb;
                }
            }
            let residual = w * (y[i] - mu);
            for &(j, v) in &nonzero {
                score[j] += residual * v;
            }
        }
        (xtwx, score)
    };
    let blocks: Vec<usize> = (0..design.rows.div_ceil(NEWTON_BLOCK).max(1)).collect();
    if blocks.len() == 1 {
        // One block (most fits, and every cell of att_gt, which already runs
        // its cells on every core): no thread.
        return block_terms(0);
    }
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(blocks.len());
    let parts =
        crate::exec::map_chunks(&blocks, threads, |_, chunk| chunk.iter().map(|&b| block_terms(b)).collect::<Vec<_>>());
    let mut sums = parts.into_iter().flatten();
    let (mut xtwx, mut score) = sums.next().unwrap_or_else(|| (vec![0.0; p * p], vec![0.0; p]));
    for (a, b) in sums {
        xtwx.iter_mut().zip(a).for_each(|(t, v)| *t += v);
        score.iter_mut().zip(b).for_each(|(t, v)| *t += v);
    }
    (xtwx, score)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The logistic function, stable for large |η|.
pub fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::Frame;

    fn design(x: &[f64]) -> Design {
        Frame::new().with_numeric("x", x.iter().copied().map(Some)).unwrap().design(&["x"], Terms::Model).unwrap()
    }

    #[test]
    fn logistic_regression_solves_its_score_equations() {
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let y = [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        let fit = logit(&design(&x), &y, None).unwrap();
        // At the maximum the score Σ (y − μ) x is zero for each column.
        let s0: f64 = y.iter().zip(&fit.fitted).map(|(y, m)| y - m).sum();
        let s1: f64 = x.iter().zip(y.iter().zip(&fit.fitted)).map(|(x, (y, m))| x * (y - m)).sum();
        assert!(s0.abs() < 1e-12 && s1.abs() < 1e-12, "{s0} {s1}");
        // statsmodels Logit(y, add_constant(x)).fit(tol=1e-14).params
        assert!((fit.coefficients[0] - -2.079295260695023).abs() < 1e-8, "{:?}", fit.coefficients);
        assert!((fit.coefficients[1] - 0.594084360198578).abs() < 1e-8, "{:?}", fit.coefficients);
    }

    #[test]
    fn separation_and_constant_outcomes_are_typed_errors() {
        let d = design(&[0.0, 1.0, 2.0, 3.0]);
        assert_eq!(logit(&d, &[0.0, 0.0, 1.0, 1.0], None).unwrap_err().code(), "no_overlap");
        assert_eq!(logit(&d, &[1.0; 4], None).unwrap_err().code(), "not_identified");
        let flat = design(&[2.0; 4]);
        assert_eq!(ols(&flat, &[1.0, 2.0, 3.0, 4.0], None).unwrap_err().code(), "singular_design");
    }
}

//! The 2×2 panel estimators of `DRDID` that `did` calls for each (g, t)
//! cell: `drdid_panel` (doubly robust, the default), `std_ipw_did_panel`
//! (normalised inverse probability weighting) and `reg_did_panel`
//! (outcome regression), with their influence functions.
//!
//! A fit keeps the cell's nuisance parameters (propensity and outcome
//! coefficients, the weighted means and the estimation-effect vectors)
//! rather than the influence function itself: a unit's influence is a
//! closed form of its own treatment, outcome change and covariates given
//! those parameters, so it is recomputed where needed and a panel of a
//! million units never holds a units × cells matrix.

use super::Method;
use crate::error::{Error, Result};
use crate::evaluation::frame::Design;
use crate::evaluation::glm;

/// DRDID caps the propensity score below 1 "to avoid dividing by zero".
const PS_CAP: f64 = 1.0 - 1e-6;
/// DRDID's `trim.level`: comparison units with a propensity at or above
/// it get no weight.
const TRIM: f64 = 0.995;
/// `did`'s overlap guard: a cell whose largest propensity score reaches
/// it is not estimated.
const OVERLAP: f64 = 0.999;

/// The fitted nuisance parameters of one cell and the pieces of its
/// influence function.
#[derive(Clone, Debug)]
pub(super) struct CellFit {
    method: Method,
    /// Propensity-score coefficients (DR, IPW).
    gamma: Vec<f64>,
    /// Outcome-regression coefficients for the change in the outcome of
    /// comparison units (DR, REG).
    beta: Vec<f64>,
    /// The treated and comparison components of the ATT.
    eta_treat: f64,
    eta_control: f64,
    /// The means over the cell of the treated and comparison weights.
    mean_treat: f64,
    mean_control: f64,
    /// The estimation effect of the outcome regression: a unit's
    /// influence has `−(1−D) e xᵀ or_effect`.
    or_effect: Vec<f64>,
    /// The estimation effect of the propensity score: `−(D − ps) xᵀ ps_effect`.
    ps_effect: Vec<f64>,
    /// `n / n₁`: `did` rescales the cell's influence function from the
    /// cell's units to the whole panel.
    pub scale: f64,
    /// The propensity score of every unit when there are no covariates.
    ps_const: Option<f64>,
}

impl CellFit {
    /// The ATT of the cell.
    pub fn att(&self) -> f64 {
        self.eta_treat - self.eta_control
    }

    fn ps(&self, x: &[f64]) -> f64 {
        self.ps_const.unwrap_or_else(|| glm::sigmoid(dot(x, &self.gamma)).min(PS_CAP))
    }

    /// The (rescaled) influence of one unit of the cell.
    #[inline]
    pub fn influence(&self, treated: bool, dy: f64, x: &[f64]) -> f64 {
        let d = if treated { 1.0 } else { 0.0 };
        let value = match self.method {
            Method::Reg => {
                let od = dot(x, &self.beta);
                let lead =
                    d * (dy - self.eta_treat) / self.mean_treat - d * (od - self.eta_control) / self.mean_control;
                lead - (1.0 - d) * (dy - od) * dot(x, &self.or_effect)
            }
            Method::Ipw | Method::Dr => {
                let od = if self.method == Method::Dr { dot(x, &self.beta) } else { 0.0 };
                let ps = self.ps(x);
                let wc = if treated || ps >= TRIM { 0.0 } else { ps / (1.0 - ps) };
                let e = dy - od;
                let lead = d * (e - self.eta_treat) / self.mean_treat - wc * (e - self.eta_control) / self.mean_control;
                let or = if self.method == Method::Dr { (1.0 - d) * e * dot(x, &self.or_effect) } else { 0.0 };
                lead - or - (d - ps) * dot(x, &self.ps_effect)
            }
        };
        self.scale * value
    }
}

/// One cell's data: the treatment indicator, the change in the outcome
/// and the design rows (base-period covariates) of its units.
pub(super) struct CellData {
    pub d: Vec<f64>,
    pub dy: Vec<f64>,
    pub design: Design,
    /// Whether the design is the intercept alone (no covariates); its
    /// rows are then not stored.
    pub intercept_only: bool,
}

impl CellData {
    /// The design row of unit `i` of the cell.
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        if self.intercept_only { &[1.0] } else { self.design.row(i) }
    }
}

/// Fits one cell. `n` is the number of units of the whole panel.
pub(super) fn fit(method: Method, cell: &CellData, n: usize) -> Result<CellFit> {
    let n1 = cell.d.len();
    let p = if cell.intercept_only { 1 } else { cell.design.cols() };
    let nf = n1 as f64;
    let mut fit = CellFit {
        method,
        gamma: vec![0.0; p],
        beta: vec![0.0; p],
        eta_treat: 0.0,
        eta_control: 0.0,
        mean_treat: 0.0,
        mean_control: 0.0,
        or_effect: vec![0.0; p],
        ps_effect: vec![0.0; p],
        scale: n as f64 / nf,
        ps_const: None,
    };
    // The propensity score (DR, IPW): a logit of D on the covariates; its
    // bread (XᵀWX)⁻¹ gives the estimation effect.
    let ps_bread = if method == Method::Reg {
        None
    } else if cell.intercept_only {
        // The logit on an intercept fits the share of treated units:
        // closed forms instead of Newton steps (`did` takes the same
        // shortcut for its overlap check).
        let p_treat = cell.d.iter().sum::<f64>() / nf;
        check_overlap(p_treat)?;
        fit.gamma = vec![(p_treat / (1.0 - p_treat)).ln()];
        fit.ps_const = Some(p_treat.min(PS_CAP));
        Some(vec![1.0 / (nf * p_treat * (1.0 - p_treat))])
    } else {
        let ps = glm::logit(&cell.design, &cell.d, None)?;
        check_overlap(ps.fitted.iter().copied().fold(0.0, f64::max))?;
        fit.gamma = ps.coefficients;
        Some(ps.bread)
    };
    // The outcome regression (DR, REG): least squares of ΔY on the
    // covariates among the comparison units.
    let or_bread = if method == Method::Ipw {
        None
    } else if cell.intercept_only {
        let (sum, count) =
            (0..n1).filter(|&i| cell.d[i] == 0.0).fold((0.0, 0.0), |(s, c), i| (s + cell.dy[i], c + 1.0));
        fit.beta = vec![sum / count];
        Some(vec![1.0 / count])
    } else {
        let controls: Vec<usize> = (0..n1).filter(|&i| cell.d[i] == 0.0).collect();
        let dy: Vec<f64> = controls.iter().map(|&i| cell.dy[i]).collect();
        let ols = glm::ols(&cell.design.select(&controls), &dy, None)?;
        fit.beta = ols.coefficients;
        Some(ols.bread)
    };

    // The weighted components and the derivative vectors M of DRDID, in
    // one pass.
    let mut sum_wt = 0.0;
    let mut sum_wc = 0.0;
    let mut sum_t = 0.0;
    let mut sum_c = 0.0;
    let mut m_treat = vec![0.0; p]; // Σ w_treat x
    let mut m_control = vec![0.0; p]; // Σ w_cont x
    for i in 0..n1 {
        let x = cell.row(i);
        let od = if method == Method::Ipw { 0.0 } else { dot(x, &fit.beta) };
        let treated = cell.d[i] == 1.0;
        let (wt, wc, yt, yc) = match method {
            Method::Reg => {
                let w = cell.d[i];
                (w, w, cell.dy[i], od)
            }
            _ => {
                let ps = fit.ps(x);
                let wc = if treated || ps >= TRIM { 0.0 } else { ps / (1.0 - ps) };
                (cell.d[i], wc, cell.dy[i] - od, cell.dy[i] - od)
            }
        };
        sum_wt += wt;
        sum_wc += wc;
        sum_t += wt * yt;
        sum_c += wc * yc;
        axpy(&mut m_treat, wt, x);
        axpy(&mut m_control, wc, x);
    }
    if sum_wc <= 0.0 {
        return Err(Error::NoOverlap {
            message: format!("every comparison unit has a propensity score of {TRIM} or more and is trimmed"),
        });
    }
    fit.eta_treat = sum_t / sum_wt;
    fit.eta_control = sum_c / sum_wc;
    fit.mean_treat = sum_wt / nf;
    fit.mean_control = sum_wc / nf;

    // The propensity-score estimation effect needs M2 = mean(w_c (ΔY − od − η_c) x).
    if let Some(bread) = &ps_bread {
        let mut m2 = vec![0.0; p];
        for i in 0..n1 {
            let x = cell.row(i);
            if cell.d[i] == 1.0 {
                continue;
            }
            let ps_i = fit.ps(x);
            if ps_i >= TRIM {
                continue;
            }
            let od = if method == Method::Dr { dot(x, &fit.beta) } else { 0.0 };
            axpy(&mut m2, ps_i / (1.0 - ps_i) * (cell.dy[i] - od - fit.eta_control), x);
        }
        // Hessian.ps = (XᵀWX)⁻¹ · n₁, applied to M2 / n₁: the n₁ cancel.
        let a2 = mat_vec(bread, &m2);
        fit.ps_effect = a2.iter().map(|v| v / fit.mean_control).collect();
    }
    // The outcome-regression estimation effect: XpX⁻¹ = n₁ (X_cᵀX_c)⁻¹,
    // applied to M = Σ w x / n₁: again the n₁ cancel.
    if let Some(bread) = &or_bread {
        let a1 = mat_vec(bread, &m_treat);
        fit.or_effect = match method {
            Method::Reg => a1.iter().map(|v| v / fit.mean_control).collect(),
            _ => {
                let a3 = mat_vec(bread, &m_control);
                a1.iter().zip(&a3).map(|(a, b)| a / fit.mean_treat - b / fit.mean_control).collect()
            }
        };
    }
    Ok(fit)
}

/// `did`'s overlap guard on the largest propensity score of a cell.
fn check_overlap(largest: f64) -> Result<()> {
    if largest >= OVERLAP {
        return Err(Error::NoOverlap {
            message: format!(
                "a propensity score reaches {OVERLAP}: some treated units have no comparable untreated units (R's `did` leaves the cell out with a warning)"
            ),
        });
    }
    Ok(())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(acc: &mut [f64], w: f64, x: &[f64]) {
    for (a, xj) in acc.iter_mut().zip(x) {
        *a += w * xj;
    }
}

/// A row-major p×p matrix times a vector.
fn mat_vec(m: &[f64], v: &[f64]) -> Vec<f64> {
    let p = v.len();
    (0..p).map(|i| dot(&m[i * p..(i + 1) * p], v)).collect()
}

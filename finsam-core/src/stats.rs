//! Interval estimates used by the indicators.
//!
//! Every function documents its formula; the tests check them against
//! values computed with scipy and statsmodels (written into the tests with
//! their source) and against hand-worked cases.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ChiSquared, Continuous, ContinuousCDF, Normal, StudentsT};

use crate::error::{Error, Result};

/// A two-sided confidence interval with its point estimate.
///
/// ```
/// let ci = finsam_core::stats::proportion_ci(31, 100, Default::default(), 0.95)?;
/// assert!(ci.lo < ci.estimate && ci.estimate < ci.hi);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The point estimate.
    pub estimate: f64,
    /// The lower bound.
    pub lo: f64,
    /// The upper bound.
    pub hi: f64,
}

/// How an interval for a proportion is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProportionMethod {
    /// Wilson score interval (the default: good coverage at small n and
    /// near 0 or 1, never outside [0, 1]).
    #[default]
    Wilson,
    /// Clopper–Pearson exact interval from beta quantiles (conservative).
    ClopperPearson,
    /// Agresti–Coull: the Wald interval around the adjusted proportion
    /// (k + z²/2) / (n + z²), clipped to [0, 1].
    AgrestiCoull,
}

impl ProportionMethod {
    /// The names [`parse`](Self::parse) accepts: the canonical
    /// `wilson`, `clopper-pearson` and `agresti-coull`, and the spellings
    /// of statsmodels' `proportion_confint` (`beta` is its name for
    /// Clopper–Pearson), which researchers bring from Python.
    pub const NAMES: [&'static str; 6] =
        ["wilson", "clopper-pearson", "agresti-coull", "beta", "clopper_pearson", "agresti_coull"];

    /// Parses one of [`NAMES`](Self::NAMES).
    ///
    /// ```
    /// use finsam_core::stats::ProportionMethod;
    /// assert_eq!(ProportionMethod::parse("clopper-pearson"), Some(ProportionMethod::ClopperPearson));
    /// assert_eq!(ProportionMethod::parse("beta"), Some(ProportionMethod::ClopperPearson));
    /// assert_eq!(ProportionMethod::parse("agresti_coull"), Some(ProportionMethod::AgrestiCoull));
    /// ```
    pub fn parse(text: &str) -> Option<ProportionMethod> {
        match text {
            "wilson" => Some(ProportionMethod::Wilson),
            "clopper-pearson" | "clopper_pearson" | "beta" => Some(ProportionMethod::ClopperPearson),
            "agresti-coull" | "agresti_coull" => Some(ProportionMethod::AgrestiCoull),
            _ => None,
        }
    }

    /// The canonical name (the first spelling [`parse`](Self::parse) takes).
    ///
    /// ```
    /// use finsam_core::stats::ProportionMethod;
    /// assert_eq!(ProportionMethod::parse("beta").map(ProportionMethod::name), Some("clopper-pearson"));
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ProportionMethod::Wilson => "wilson",
            ProportionMethod::ClopperPearson => "clopper-pearson",
            ProportionMethod::AgrestiCoull => "agresti-coull",
        }
    }
}

pub(crate) fn check_level(level: f64) -> Result<()> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument { name: "level", message: format!("must be in (0, 1), got {level}") })
    }
}

/// The standard normal quantile `z` with `P(Z ≤ z) = p`.
pub(crate) fn z(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// The upper tail `P(χ²_df ≥ x)` of the chi-square distribution (NaN for
/// df ≤ 0).
pub(crate) fn chi_square_sf(x: f64, df: f64) -> f64 {
    ChiSquared::new(df).map_or(f64::NAN, |d| d.sf(x))
}

/// The Student t quantile with `df` degrees of freedom.
pub(crate) fn t(p: f64, df: f64) -> f64 {
    let Ok(dist) = StudentsT::new(0.0, 1.0, df) else { return f64::NAN };
    // statrs inverts the CDF by a search that stops around 1e-7 for large
    // df; Newton steps on its (accurate) CDF polish the root to ~1e-15.
    let mut x = dist.inverse_cdf(p);
    for _ in 0..4 {
        let density = dist.pdf(x);
        if density.is_nan() || density <= 0.0 {
            break;
        }
        let step = (dist.cdf(x) - p) / density;
        x -= step;
        if step.abs() <= 1e-15 * x.abs().max(1.0) {
            break;
        }
    }
    x
}

/// A confidence interval for a proportion `k / n`.
///
/// # Formula
/// With `z` the `(1 + level) / 2` normal quantile and `p = k / n`:
/// - Wilson: `(p + z²/2n ± z √(p(1−p)/n + z²/4n²)) / (1 + z²/n)`;
/// - Clopper–Pearson: `[B(α/2; k, n−k+1), B(1−α/2; k+1, n−k)]` with `B`
///   the beta quantile (0 and 1 at the edges);
/// - Agresti–Coull: `p̃ ± z √(p̃(1−p̃)/ñ)` with `ñ = n + z²`, `p̃ = (k + z²/2)/ñ`.
///
/// # Errors
/// `invalid_argument` if `n` is 0, `k > n`, or `level` is not in (0, 1).
///
/// ```
/// use finsam_core::stats::{proportion_ci, ProportionMethod};
/// let ci = proportion_ci(8, 20, ProportionMethod::Wilson, 0.95)?;
/// assert!((ci.lo - 0.218807).abs() < 1e-6 && (ci.hi - 0.613418).abs() < 1e-6);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn proportion_ci(k: u64, n: u64, method: ProportionMethod, level: f64) -> Result<Interval> {
    check_level(level)?;
    if n == 0 || k > n {
        return Err(Error::InvalidArgument {
            name: "k, n",
            message: format!("need 0 ≤ k ≤ n and n > 0, got k = {k}, n = {n}"),
        });
    }
    let (kf, nf) = (k as f64, n as f64);
    let p = kf / nf;
    let alpha = 1.0 - level;
    let z = z(1.0 - alpha / 2.0);
    let (lo, hi) = match method {
        ProportionMethod::Wilson => {
            let z2 = z * z;
            let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
            let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / (1.0 + z2 / nf);
            (centre - half, centre + half)
        }
        ProportionMethod::ClopperPearson => {
            let beta = |q: f64, a: f64, b: f64| Beta::new(a, b).map(|d| d.inverse_cdf(q)).unwrap_or(f64::NAN);
            let lo = if k == 0 { 0.0 } else { beta(alpha / 2.0, kf, nf - kf + 1.0) };
            let hi = if k == n { 1.0 } else { beta(1.0 - alpha / 2.0, kf + 1.0, nf - kf) };
            (lo, hi)
        }
        ProportionMethod::AgrestiCoull => {
            let n_adj = nf + z * z;
            let p_adj = (kf + z * z / 2.0) / n_adj;
            let half = z * (p_adj * (1.0 - p_adj) / n_adj).sqrt();
            (p_adj - half, p_adj + half)
        }
    };
    Ok(Interval { estimate: p, lo: lo.max(0.0), hi: hi.min(1.0) })
}

/// Summary of a sample: size, mean and the sum of squared deviations.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// The number of values.
    pub n: u64,
    /// The mean.
    pub mean: f64,
    /// The sample variance (n − 1 in the denominator).
    pub variance: f64,
}

impl Moments {
    /// The moments of a slice.
    ///
    /// ```
    /// let m = finsam_core::stats::Moments::of(&[1.0, 2.0, 3.0, 4.0]);
    /// assert_eq!((m.n, m.mean), (4, 2.5));
    /// assert!((m.variance - 5.0 / 3.0).abs() < 1e-12);
    /// ```
    pub fn of(values: &[f64]) -> Moments {
        let n = values.len() as u64;
        let mean = values.iter().sum::<f64>() / n as f64;
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        Moments { n, mean, variance: if n > 1 { ss / (n - 1) as f64 } else { f64::NAN } }
    }

    /// From exact integer sums of values and of squares, scaled by `unit`
    /// (each integer is `value × unit`). Exact up to the final division, so
    /// that merged partial sums give bit-identical results.
    pub fn from_sums(n: u64, sum: i128, sum_sq: i128, unit: f64) -> Moments {
        if n == 0 {
            return Moments { n, mean: f64::NAN, variance: f64::NAN };
        }
        let nn = i128::from(n);
        let mean = sum as f64 / n as f64 / unit;
        // n·Σx² − (Σx)² is exact in integers; divide once.
        let variance = if n > 1 {
            (nn * sum_sq - sum * sum) as f64 / (n as f64 * (n - 1) as f64) / (unit * unit)
        } else {
            f64::NAN
        };
        Moments { n, mean, variance }
    }
}

/// The t-interval for a mean, e.g. of paired differences after − before.
///
/// # Formula
/// `x̄ ± t(1 − α/2; n − 1) · s / √n`.
///
/// # Errors
/// `invalid_argument` if `n < 2` or `level` is not in (0, 1).
///
/// ```
/// use finsam_core::stats::{mean_ci, Moments};
/// let ci = mean_ci(Moments::of(&[-3.0, -1.0, 0.0, 2.0, -5.0]), 0.95)?;
/// assert!((ci.lo - -4.754791).abs() < 1e-6);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn mean_ci(m: Moments, level: f64) -> Result<Interval> {
    check_level(level)?;
    if m.n < 2 {
        return Err(Error::InvalidArgument { name: "n", message: format!("a t-interval needs n ≥ 2, got {}", m.n) });
    }
    let half = t(1.0 - (1.0 - level) / 2.0, (m.n - 1) as f64) * (m.variance / m.n as f64).sqrt();
    Ok(Interval { estimate: m.mean, lo: m.mean - half, hi: m.mean + half })
}

/// The paired t-interval of `after − before`.
///
/// # Errors
/// As [`mean_ci`]; also if the slices differ in length.
///
/// ```
/// let ci = finsam_core::stats::paired_mean_ci(&[10.0, 20.0, 30.0], &[8.0, 15.0, 31.0], 0.95)?;
/// assert!((ci.estimate - -2.0).abs() < 1e-12);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn paired_mean_ci(before: &[f64], after: &[f64], level: f64) -> Result<Interval> {
    if before.len() != after.len() {
        return Err(Error::InvalidArgument {
            name: "after",
            message: "before and after must have the same length".into(),
        });
    }
    let diffs: Vec<f64> = before.iter().zip(after).map(|(b, a)| a - b).collect();
    mean_ci(Moments::of(&diffs), level)
}

/// Newcombe's hybrid score interval for a difference of proportions
/// `k1/n1 − k2/n2` (Newcombe 1998, method 10).
///
/// # Formula
/// With Wilson intervals `[l1, u1]`, `[l2, u2]` and `d = p1 − p2`:
/// `[d − √((p1 − l1)² + (u2 − p2)²), d + √((u1 − p1)² + (p2 − l2)²)]`.
///
/// # Errors
/// As [`proportion_ci`] for either group.
///
/// ```
/// let ci = finsam_core::stats::newcombe_diff(34, 100, 28, 100, 0.95)?;
/// assert!((ci.estimate - 0.06).abs() < 1e-12 && ci.lo < 0.0 && ci.hi > 0.0);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn newcombe_diff(k1: u64, n1: u64, k2: u64, n2: u64, level: f64) -> Result<Interval> {
    let a = proportion_ci(k1, n1, ProportionMethod::Wilson, level)?;
    let b = proportion_ci(k2, n2, ProportionMethod::Wilson, level)?;
    let d = a.estimate - b.estimate;
    let lo = d - ((a.estimate - a.lo).powi(2) + (b.hi - b.estimate).powi(2)).sqrt();
    let hi = d + ((a.hi - a.estimate).powi(2) + (b.estimate - b.lo).powi(2)).sqrt();
    Ok(Interval { estimate: d, lo, hi })
}

/// Welch's interval for a difference of means `mean1 − mean2` with unequal
/// variances.
///
/// # Formula
/// `se = √(s1²/n1 + s2²/n2)`, `ν = se⁴ / ((s1²/n1)²/(n1−1) + (s2²/n2)²/(n2−1))`,
/// `d ± t(1 − α/2; ν) · se`.
///
/// # Errors
/// `invalid_argument` if either group has fewer than 2 values.
///
/// ```
/// use finsam_core::stats::{welch_diff, Moments};
/// let a = Moments::of(&[1.0, 2.0, 3.0, 4.0]);
/// let b = Moments::of(&[2.0, 4.0, 6.0, 8.0, 10.0]);
/// let ci = welch_diff(a, b, 0.95)?;
/// assert!((ci.estimate - -3.5).abs() < 1e-12);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn welch_diff(a: Moments, b: Moments, level: f64) -> Result<Interval> {
    check_level(level)?;
    if a.n < 2 || b.n < 2 {
        return Err(Error::InvalidArgument {
            name: "n",
            message: format!("Welch needs n ≥ 2 in both groups, got {} and {}", a.n, b.n),
        });
    }
    let (va, vb) = (a.variance / a.n as f64, b.variance / b.n as f64);
    let se = (va + vb).sqrt();
    let df = (va + vb).powi(2) / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    let d = a.mean - b.mean;
    let half = t(1.0 - (1.0 - level) / 2.0, df) * se;
    Ok(Interval { estimate: d, lo: d - half, hi: d + half })
}

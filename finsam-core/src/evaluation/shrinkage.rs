//! Empirical-Bayes shrinkage of unit estimates, and rankings that show
//! their uncertainty.
//!
//! Small insatser swing by chance, so a raw ranking puts noise at its top
//! and bottom. The normal–normal model treats each unit's estimate `yᵢ`
//! (with known sampling variance `vᵢ`) as its true value `θᵢ ~ N(μ, τ²)`
//! plus noise; the between-unit variance `τ²` is estimated from the data
//! (DerSimonian–Laird, Paule–Mandel or REML) and each unit is pulled toward
//! the pooled mean by its own reliability `τ² / (τ² + vᵢ)`:
//!
//! `θ̂ᵢ = μ̂ + (1 − Bᵢ)(yᵢ − μ̂)`, `Bᵢ = vᵢ / (vᵢ + τ²)`,
//!
//! with posterior variance `(1 − Bᵢ) vᵢ + Bᵢ² Var(μ̂)` (Morris 1983: the
//! second term accounts for estimating μ; the uncertainty of τ² is not
//! propagated, which makes the intervals slightly narrow when units are
//! few).
//!
//! ```
//! use finsam_core::evaluation::shrinkage::{shrink, Tau2Method};
//! let y = [0.10, 0.30, 0.35, 0.60];
//! let v = [0.01, 0.02, 0.01, 0.05];
//! let s = shrink(&y, &v, Tau2Method::Reml, 0.95)?;
//! // Every estimate moves toward the pooled mean, the noisiest the most.
//! for (i, u) in s.units.iter().enumerate() {
//!     assert!((u.estimate - s.mean).abs() <= (y[i] - s.mean).abs());
//! }
//! # Ok::<(), finsam_core::Error>(())
//! ```

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF};

use crate::error::{Error, Result};
use crate::stats;

/// How the between-unit variance τ² is estimated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tau2Method {
    /// DerSimonian–Laird (1986): the method of moments on Cochran's Q with
    /// inverse-variance weights; closed form (statsmodels' `combine_effects`
    /// `method_re="chi2"`).
    Dl,
    /// Paule–Mandel (1982): τ² such that the generalised Q equals its
    /// degrees of freedom (statsmodels' `method_re="iterated"`).
    Pm,
    /// Restricted maximum likelihood (the default of R's `metafor`),
    /// by Fisher scoring.
    #[default]
    Reml,
}

impl Tau2Method {
    /// Parses `dl`, `pm` or `reml`.
    ///
    /// ```
    /// use finsam_core::evaluation::shrinkage::Tau2Method;
    /// assert_eq!(Tau2Method::parse("pm"), Some(Tau2Method::Pm));
    /// ```
    pub fn parse(text: &str) -> Option<Tau2Method> {
        match text {
            "dl" => Some(Tau2Method::Dl),
            "pm" => Some(Tau2Method::Pm),
            "reml" => Some(Tau2Method::Reml),
            _ => None,
        }
    }
}

/// The random-effects summary of unit estimates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomEffects {
    /// The between-unit variance τ² (≥ 0).
    pub tau2: f64,
    /// The pooled mean μ̂ with weights `1/(vᵢ + τ²)`.
    pub mean: f64,
    /// The standard error of μ̂: `(Σ 1/(vᵢ + τ²))^(−½)`.
    pub mean_se: f64,
    /// Cochran's Q with the fixed-effect weights `1/vᵢ`.
    pub q: f64,
    /// How τ² was estimated.
    pub method: Tau2Method,
}

/// Checks unit estimates and their variances.
fn check(y: &[f64], v: &[f64], fewest: usize) -> Result<()> {
    if y.len() != v.len() {
        return Err(Error::InvalidArgument {
            name: "variances",
            message: format!("{} estimates but {} variances", y.len(), v.len()),
        });
    }
    if let Some(i) = y.iter().position(|x| !x.is_finite()) {
        return Err(Error::InvalidArgument {
            name: "estimates",
            message: format!("estimate {i} is not a finite number"),
        });
    }
    if let Some(i) = v.iter().position(|x| !(x.is_finite() && *x > 0.0)) {
        return Err(Error::InvalidArgument {
            name: "variances",
            message: format!("variance {i} must be a positive finite number, got {}", v[i]),
        });
    }
    if y.len() < fewest {
        return Err(Error::NotIdentified {
            message: format!("{} units; the between-unit variance needs at least {fewest}", y.len()),
        });
    }
    Ok(())
}

/// The pooled mean and its variance with weights `1/(vᵢ + τ²)`.
fn pooled(y: &[f64], v: &[f64], tau2: f64) -> (f64, f64) {
    let (mut sw, mut swy) = (0.0, 0.0);
    for (yi, vi) in y.iter().zip(v) {
        let w = 1.0 / (vi + tau2);
        sw += w;
        swy += w * yi;
    }
    (swy / sw, 1.0 / sw)
}

/// The generalised Q statistic `Σ (yᵢ − μ̂(τ²))² / (vᵢ + τ²)`.
fn generalised_q(y: &[f64], v: &[f64], tau2: f64) -> f64 {
    let (mu, _) = pooled(y, v, tau2);
    y.iter().zip(v).map(|(yi, vi)| (yi - mu).powi(2) / (vi + tau2)).sum()
}

/// Estimates τ² and the pooled mean (at least two units).
///
/// ```
/// use finsam_core::evaluation::shrinkage::{random_effects, Tau2Method};
/// // Equal variances: DL's τ² is the excess of the sample variance.
/// let re = random_effects(&[1.0, 2.0, 3.0], &[0.5; 3], Tau2Method::Dl)?;
/// assert!((re.tau2 - 0.5).abs() < 1e-12 && (re.mean - 2.0).abs() < 1e-12);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn random_effects(y: &[f64], v: &[f64], method: Tau2Method) -> Result<RandomEffects> {
    check(y, v, 2)?;
    let k = y.len() as f64;
    let q = generalised_q(y, v, 0.0);
    let tau2 = match method {
        Tau2Method::Dl => {
            let sw: f64 = v.iter().map(|vi| 1.0 / vi).sum();
            let sw2: f64 = v.iter().map(|vi| 1.0 / (vi * vi)).sum();
            ((q - (k - 1.0)) / (sw - sw2 / sw)).max(0.0)
        }
        Tau2Method::Pm => paule_mandel(y, v, q, k),
        Tau2Method::Reml => reml(y, v)?,
    };
    let (mean, var) = pooled(y, v, tau2);
    Ok(RandomEffects { tau2, mean, mean_se: var.sqrt(), q, method })
}

/// Paule–Mandel: the root of `Q(τ²) = k − 1`, which is decreasing in τ²;
/// 0 when even τ² = 0 gives a Q below `k − 1`. Bisection on a bracket
/// that doubles until it holds the root, to full precision.
fn paule_mandel(y: &[f64], v: &[f64], q0: f64, k: f64) -> f64 {
    if q0 <= k - 1.0 {
        return 0.0;
    }
    let f = |t: f64| generalised_q(y, v, t) - (k - 1.0);
    let mut hi = v.iter().fold(0.0f64, |a, &b| a.max(b)).max(1e-12);
    while f(hi) > 0.0 && hi < 1e300 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) > 0.0 { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

/// REML by Fisher scoring (Viechtbauer 2005), truncated at 0, started at
/// the DerSimonian–Laird value.
fn reml(y: &[f64], v: &[f64]) -> Result<f64> {
    let mut tau2 = {
        let k = y.len() as f64;
        let q = generalised_q(y, v, 0.0);
        let sw: f64 = v.iter().map(|vi| 1.0 / vi).sum();
        let sw2: f64 = v.iter().map(|vi| 1.0 / (vi * vi)).sum();
        ((q - (k - 1.0)) / (sw - sw2 / sw)).max(0.0)
    };
    for _ in 0..1000 {
        let (mu, var_mu) = pooled(y, v, tau2);
        let (mut num, mut sw2) = (0.0, 0.0);
        for (yi, vi) in y.iter().zip(v) {
            let w = 1.0 / (vi + tau2);
            num += w * w * ((yi - mu).powi(2) - vi);
            sw2 += w * w;
        }
        let next = (num / sw2 + var_mu).max(0.0);
        if (next - tau2).abs() <= 1e-14 * (1.0 + tau2) {
            return Ok(next);
        }
        tau2 = next;
    }
    Err(Error::SingularDesign { message: "the REML estimate of τ² did not converge in 1000 iterations".into() })
}

/// One unit's shrunken estimate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shrunken {
    /// The posterior mean θ̂ᵢ.
    pub estimate: f64,
    /// Its posterior standard deviation.
    pub sd: f64,
    /// The lower bound of the posterior interval.
    pub lo: f64,
    /// The upper bound of the posterior interval.
    pub hi: f64,
    /// The weight on the unit's own estimate, `τ²/(τ² + vᵢ)` (0 = fully
    /// pooled, 1 = not shrunk).
    pub reliability: f64,
}

/// Shrunken estimates of every unit with the random-effects summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shrinkage {
    /// The units, in input order.
    pub units: Vec<Shrunken>,
    /// τ².
    pub tau2: f64,
    /// The pooled mean.
    pub mean: f64,
    /// Its standard error.
    pub mean_se: f64,
    /// How τ² was estimated.
    pub method: Tau2Method,
}

/// Empirical-Bayes (normal–normal) shrinkage toward the pooled mean (see
/// the module documentation), with posterior intervals at `level`.
pub fn shrink(y: &[f64], v: &[f64], method: Tau2Method, level: f64) -> Result<Shrinkage> {
    stats::check_level(level)?;
    let re = random_effects(y, v, method)?;
    let z = stats::z(0.5 + level / 2.0);
    let var_mu = re.mean_se * re.mean_se;
    let units = y
        .iter()
        .zip(v)
        .map(|(yi, vi)| {
            let b = vi / (vi + re.tau2);
            let estimate = re.mean + (1.0 - b) * (yi - re.mean);
            let sd = ((1.0 - b) * vi + b * b * var_mu).sqrt();
            Shrunken { estimate, sd, lo: estimate - z * sd, hi: estimate + z * sd, reliability: 1.0 - b }
        })
        .collect();
    Ok(Shrinkage { units, tau2: re.tau2, mean: re.mean, mean_se: re.mean_se, method })
}

/// The positive-part James–Stein estimator toward the grand mean, for
/// estimates with one known common variance `variance` (at least four
/// units): `ȳ + max(0, 1 − (k − 3)σ²/Σ(yᵢ − ȳ)²)(yᵢ − ȳ)`.
///
/// ```
/// use finsam_core::evaluation::shrinkage::james_stein;
/// let js = james_stein(&[1.0, 2.0, 3.0, 6.0], 1.0)?;
/// // Σ(y − ȳ)² = 14, so every deviation keeps 1 − 1/14 of itself.
/// assert!((js[3] - (3.0 + 3.0 * 13.0 / 14.0)).abs() < 1e-12);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn james_stein(y: &[f64], variance: f64) -> Result<Vec<f64>> {
    check(y, &vec![variance; y.len()], 4)?;
    let k = y.len() as f64;
    let mean = y.iter().sum::<f64>() / k;
    let ss: f64 = y.iter().map(|yi| (yi - mean).powi(2)).sum();
    let keep = if ss > 0.0 { (1.0 - (k - 3.0) * variance / ss).max(0.0) } else { 0.0 };
    Ok(y.iter().map(|yi| mean + keep * (yi - mean)).collect())
}

/// A beta prior fitted to unit proportions, and each unit's posterior.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BetaBinomial {
    /// The prior's α.
    pub alpha: f64,
    /// The prior's β.
    pub beta: f64,
    /// Per unit: the posterior mean `(kᵢ + α)/(nᵢ + α + β)` with the
    /// equal-tailed posterior interval from the Beta quantiles.
    pub units: Vec<Shrunken>,
}

/// Beta-binomial empirical Bayes for raw proportions `kᵢ/nᵢ`: the prior's
/// mean and overdispersion by the method of moments (Kleinman 1973,
/// weighted by `nᵢ`), then each unit's Beta posterior. Without
/// overdispersion (a between-unit variance no larger than binomial noise)
/// every unit is pooled to the overall proportion: that is `not_identified`
/// as a prior and reported as such.
///
/// ```
/// use finsam_core::evaluation::shrinkage::beta_binomial;
/// let b = beta_binomial(&[2, 30, 12, 45], &[10, 60, 40, 90], 0.95)?;
/// assert!(b.units.iter().all(|u| u.lo < u.estimate && u.estimate < u.hi));
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn beta_binomial(k: &[u64], n: &[u64], level: f64) -> Result<BetaBinomial> {
    stats::check_level(level)?;
    if k.len() != n.len() || k.len() < 2 || k.iter().zip(n).any(|(k, n)| k > n || *n == 0) {
        return Err(Error::InvalidArgument {
            name: "counts",
            message: "at least two units, each with 0 ≤ k ≤ n and n ≥ 1".into(),
        });
    }
    let total_n: f64 = n.iter().map(|&x| x as f64).sum();
    let p = k.iter().map(|&x| x as f64).sum::<f64>() / total_n;
    let units = k.len() as f64;
    // Kleinman's weighted moments: S = Σ nᵢ (pᵢ − p)² estimates
    // p(1−p)[(units−1) + ρ(N − Σnᵢ²/N)] where ρ = 1/(α+β+1).
    let s: f64 = k.iter().zip(n).map(|(&ki, &ni)| ni as f64 * (ki as f64 / ni as f64 - p).powi(2)).sum();
    let sum_n2: f64 = n.iter().map(|&x| (x as f64).powi(2)).sum();
    let rho = (s / (p * (1.0 - p)) - (units - 1.0)) / (total_n - sum_n2 / total_n);
    if !(p > 0.0 && p < 1.0 && rho > 0.0 && rho < 1.0) {
        return Err(Error::NotIdentified {
            message:
                "the proportions vary no more than binomial noise (or all are 0 or 1): no beta prior to shrink toward"
                    .into(),
        });
    }
    let strength = 1.0 / rho - 1.0;
    let (alpha, beta) = (p * strength, (1.0 - p) * strength);
    let half = (1.0 - level) / 2.0;
    let units = k
        .iter()
        .zip(n)
        .map(|(&ki, &ni)| {
            let (a, b) = (alpha + ki as f64, beta + (ni - ki) as f64);
            let post = Beta::new(a, b)
                .map_err(|e| Error::NotIdentified { message: format!("posterior Beta({a}, {b}): {e}") })?;
            let estimate = a / (a + b);
            let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
            Ok(Shrunken {
                estimate,
                sd,
                lo: post.inverse_cdf(half),
                hi: post.inverse_cdf(1.0 - half),
                reliability: ni as f64 / (ni as f64 + strength),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(BetaBinomial { alpha, beta, units })
}

/// A unit's rank (1 = highest) with its interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rank {
    /// The rank of the point estimate.
    pub rank: usize,
    /// The lower end of the rank interval (best plausible rank).
    pub lo: usize,
    /// The upper end of the rank interval (worst plausible rank).
    pub hi: usize,
}

/// Ranks of units with intervals from simulation: `draws` seeded draws of
/// every unit from `N(estimateᵢ, sdᵢ²)` (its posterior), ranked in each
/// draw; the interval holds the central `level` of each unit's ranks. So a
/// report can say "between 3rd and 17th of 40" rather than "5th".
///
/// ```
/// use finsam_core::evaluation::shrinkage::ranks;
/// let r = ranks(&[0.9, 0.5, 0.1], &[0.01, 0.5, 0.01], 0.95, 2000, 7)?;
/// assert_eq!((r[0].rank, r[1].rank, r[2].rank), (1, 2, 3));
/// assert!(r[1].lo == 1 && r[1].hi == 3, "the uncertain unit could be anywhere");
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn ranks(estimates: &[f64], sds: &[f64], level: f64, draws: usize, seed: u64) -> Result<Vec<Rank>> {
    stats::check_level(level)?;
    check(estimates, &sds.iter().map(|s| s.max(f64::MIN_POSITIVE)).collect::<Vec<_>>(), 1)?;
    if draws == 0 {
        return Err(Error::InvalidArgument { name: "draws", message: "at least one draw".into() });
    }
    let k = estimates.len();
    let point = rank_of(estimates);
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut seen: Vec<Vec<u32>> = vec![Vec::with_capacity(draws); k];
    let mut draw = vec![0.0; k];
    for _ in 0..draws {
        for (d, (m, s)) in draw.iter_mut().zip(estimates.iter().zip(sds)) {
            *d = m + s * standard_normal(&mut rng);
        }
        for (i, r) in rank_of(&draw).into_iter().enumerate() {
            seen[i].push(r as u32);
        }
    }
    let half = (1.0 - level) / 2.0;
    Ok(seen
        .into_iter()
        .zip(point)
        .map(|(mut rs, rank)| {
            rs.sort_unstable();
            let at = |q: f64| rs[((q * draws as f64).floor() as usize).min(draws - 1)] as usize;
            Rank { rank, lo: at(half), hi: at(1.0 - half) }
        })
        .collect())
}

/// Ranks, 1 = highest; ties share the better rank.
fn rank_of(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut rank = vec![0; values.len()];
    for (pos, &i) in order.iter().enumerate() {
        rank[i] = if pos > 0 && values[order[pos - 1]] == values[i] { rank[order[pos - 1]] } else { pos + 1 };
    }
    rank
}

/// A standard normal draw (Box–Muller, one of the pair).
fn standard_normal(rng: &mut Pcg64Mcg) -> f64 {
    let uniform = |rng: &mut Pcg64Mcg| (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let u1 = uniform(rng).max(f64::MIN_POSITIVE);
    let u2 = uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

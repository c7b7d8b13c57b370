//! Funnel plots: control limits for unit proportions or observed/expected
//! ratios against the unit's size, with over-dispersion handled as in
//! Spiegelhalter (2005), "Funnel plots for comparing institutional
//! performance", *Statistics in Medicine* 24:1185–1202.
//!
//! Without over-dispersion the limits are exact: for a proportion with
//! target `θ₀` and size `n`, the `p`-limit is `(r_p − α)/n` where `r_p` is
//! the `p`-quantile of Binomial(n, θ₀) (the smallest `r` with
//! `F(r) ≥ p`) and `α = (F(r_p) − p)/(F(r_p) − F(r_p − 1))` interpolates
//! between the integers (the paper's appendix); for an O/E ratio with
//! expected count `E` the same with Poisson(E) and target 1. For the O/E
//! ratio of `n` 0/1 outcomes (a case-mix-adjusted share) Poisson(E) is far
//! too wide when the outcome is common (its variance is `E`, the count's is
//! at most `E(1 − E/n)`: 41 % wider limits at a share of 50 %), so that kind
//! takes the limits of Binomial(n, E/n)/E, whose mean is `E` and whose
//! variance `E(1 − E/n)` bounds that of the count (a sum of Bernoullis with
//! unequal chances) from above, closely when the chances are not extreme.
//!
//! With over-dispersion, the z-scores `zᵢ = (yᵢ − θ₀)/sᵢ` (with
//! `sᵢ² = θ₀(1−θ₀)/nᵢ`, `1/Eᵢ`, or `(1 − Eᵢ/nᵢ)/Eᵢ`) are winsorised at their 10th and 90th
//! percentiles and `φ̂ = mean(z_w²)`. If `φ̂ > 1`:
//! - *multiplicative*: limits `θ₀ ± z_p √φ̂ sᵢ`;
//! - *additive* (random effects): `τ̂² = (Iφ̂ − (I − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ)`
//!   with `wᵢ = 1/sᵢ²` (0 if negative) and limits `θ₀ ± z_p √(sᵢ² + τ̂²)`.
//!
//! ```
//! use finsam_core::evaluation::funnel::{binomial_limit, poisson_limit};
//! // 95 % limits for 100 participants around a target of 30 %.
//! let lo = binomial_limit(100, 0.30, 0.025)?;
//! let hi = binomial_limit(100, 0.30, 0.975)?;
//! assert!(lo < 0.30 && 0.30 < hi && (hi - lo - 0.18).abs() < 0.01);
//! assert!(poisson_limit(50.0, 0.999)? > 1.0);
//! # Ok::<(), finsam_core::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, DiscreteCDF, Poisson};

use crate::error::{Error, Result};
use crate::stats;

/// The `p`-limit of a proportion of `n` under Binomial(n, θ₀), exact with
/// the interpolation of Spiegelhalter (2005).
pub fn binomial_limit(n: u64, target: f64, p: f64) -> Result<f64> {
    check_probability("target", target)?;
    check_probability("p", p)?;
    if n == 0 {
        return Err(Error::InvalidArgument { name: "n", message: "a unit of size 0 has no limits".into() });
    }
    let dist =
        Binomial::new(target, n).map_err(|e| Error::InvalidArgument { name: "target", message: e.to_string() })?;
    Ok(interpolated_quantile(|r| dist.cdf(r), n, p) / n as f64)
}

/// The `p`-limit of an O/E ratio with expected count `expected` under
/// Poisson(E) (target ratio 1), exact with the same interpolation.
pub fn poisson_limit(expected: f64, p: f64) -> Result<f64> {
    check_probability("p", p)?;
    if !(expected.is_finite() && expected > 0.0) {
        return Err(Error::InvalidArgument { name: "expected", message: format!("must be positive, got {expected}") });
    }
    let dist =
        Poisson::new(expected).map_err(|e| Error::InvalidArgument { name: "expected", message: e.to_string() })?;
    // An upper bound for the search: far beyond any quantile asked for.
    let top = (expected + 40.0 * expected.sqrt() + 100.0).ceil() as u64;
    Ok(interpolated_quantile(|r| dist.cdf(r), top, p) / expected)
}

/// The `p`-limit of the O/E ratio of `n` 0/1 outcomes with expected count
/// `expected` (target 1): the limit of Binomial(n, E/n), divided by `E`.
///
/// ```
/// use finsam_core::evaluation::funnel::{binary_ratio_limit, poisson_limit};
/// // 100 participants expected to reach work or studies in 50 cases.
/// let binary = binary_ratio_limit(100, 50.0, 0.975)?;
/// let poisson = poisson_limit(50.0, 0.975)?;
/// assert!(1.0 < binary && binary < poisson, "Poisson is too wide for a common outcome");
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn binary_ratio_limit(n: u64, expected: f64, p: f64) -> Result<f64> {
    if !(expected.is_finite() && expected > 0.0 && expected < n as f64) {
        return Err(Error::InvalidArgument {
            name: "expected",
            message: format!("must be positive and below the {n} outcomes, got {expected}"),
        });
    }
    Ok(binomial_limit(n, expected / n as f64, p)? * n as f64 / expected)
}

/// `r_p − α` (see the module documentation) for a discrete distribution on
/// `0..=top` with the given CDF, and 0 where that falls below 0 (a tiny
/// unit's lowest limit).
fn interpolated_quantile(cdf: impl Fn(u64) -> f64, top: u64, p: f64) -> f64 {
    // The smallest r with F(r) ≥ p, by bisection (F is non-decreasing).
    let (mut lo, mut hi) = (0u64, top);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if cdf(mid) >= p { hi = mid } else { lo = mid + 1 }
    }
    let r = lo;
    let at = cdf(r);
    let below = if r == 0 { 0.0 } else { cdf(r - 1) };
    let alpha = if at > below { (at - p) / (at - below) } else { 0.0 };
    // At r = 0 the interpolation would reach below 0, which no count can.
    (r as f64 - alpha).max(0.0)
}

fn check_probability(name: &'static str, p: f64) -> Result<()> {
    if p.is_finite() && p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument { name, message: format!("must be strictly between 0 and 1, got {p}") })
    }
}

/// What the units' values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelKind {
    /// A proportion `observed / size` against a target proportion
    /// (binomial).
    Proportion,
    /// A ratio `observed / expected` against 1 (Poisson): `size` is the
    /// expected count from a case-mix model.
    Ratio,
    /// A ratio `observed / expected` of a count of 0/1 outcomes against 1
    /// (Binomial(n, E/n)/E; see [`binary_ratio_funnel`]): `size` is the
    /// expected count, and each unit has its number of outcomes.
    BinaryRatio,
}

/// How over-dispersion is allowed for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overdispersion {
    /// None: exact binomial or Poisson limits.
    None,
    /// A multiplicative factor φ on the variance.
    Multiplicative,
    /// An additive between-unit variance τ² (random effects; the default,
    /// as it does not widen the limits of small units more than large).
    #[default]
    Additive,
}

impl Overdispersion {
    /// Parses `none`, `multiplicative` or `additive`.
    ///
    /// ```
    /// use finsam_core::evaluation::funnel::Overdispersion;
    /// assert_eq!(Overdispersion::parse("additive"), Some(Overdispersion::Additive));
    /// ```
    pub fn parse(text: &str) -> Option<Overdispersion> {
        match text {
            "none" => Some(Overdispersion::None),
            "multiplicative" => Some(Overdispersion::Multiplicative),
            "additive" => Some(Overdispersion::Additive),
            _ => None,
        }
    }
}

/// Where a unit falls against the limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Above the 99.8 % limit.
    Above998,
    /// Above the 95 % limit (and within 99.8 %).
    Above95,
    /// Within the 95 % limits.
    Within,
    /// Below the 95 % limit (and within 99.8 %).
    Below95,
    /// Below the 99.8 % limit.
    Below998,
}

impl Flag {
    /// The flag's name: `above_99.8`, `above_95`, `within`, `below_95`,
    /// `below_99.8`.
    pub fn name(self) -> &'static str {
        match self {
            Flag::Above998 => "above_99.8",
            Flag::Above95 => "above_95",
            Flag::Within => "within",
            Flag::Below95 => "below_95",
            Flag::Below998 => "below_99.8",
        }
    }
}

/// One unit on the funnel.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelUnit {
    /// The unit's value: the proportion or the O/E ratio.
    pub value: f64,
    /// Its size: n, or the expected count.
    pub size: f64,
    /// The number of 0/1 outcomes behind a [`FunnelKind::BinaryRatio`]
    /// (else the size).
    #[serde(default)]
    pub trials: f64,
    /// Its z-score, allowing for the over-dispersion used.
    pub z: f64,
    /// The 95 % limits (2.5 % and 97.5 %).
    pub limits_95: (f64, f64),
    /// The 99.8 % limits (0.1 % and 99.9 %).
    pub limits_998: (f64, f64),
    /// Where it falls.
    pub flag: Flag,
}

/// A funnel plot's units, target and over-dispersion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    /// The units, in input order.
    pub units: Vec<FunnelUnit>,
    /// The target θ₀ (the overall proportion, or 1 for ratios).
    pub target: f64,
    /// φ̂ from the winsorised z-scores (1 would be no over-dispersion).
    pub phi: f64,
    /// τ̂² when the additive model was used and φ̂ > 1, else 0.
    pub tau2: f64,
    /// The model asked for.
    pub overdispersion: Overdispersion,
    /// Whether over-dispersion was applied (asked for and φ̂ > 1).
    pub adjusted: bool,
    /// What the values are.
    pub kind: FunnelKind,
    /// For [`FunnelKind::BinaryRatio`], the overall rate `ΣE / Σn`: a curve
    /// drawn at expected count `E` is that of `E / rate` outcomes.
    #[serde(default)]
    pub rate: Option<f64>,
}

impl Funnel {
    /// The number of outcomes of a unit with expected count `size` on the
    /// drawn curves (the size itself unless the kind is a binary ratio).
    fn trials_at(&self, size: f64) -> f64 {
        match (self.kind, self.rate) {
            // Whole outcomes, and more than the expected count.
            (FunnelKind::BinaryRatio, Some(rate)) if rate > 0.0 => (size / rate).ceil().max(size.floor() + 1.0),
            _ => size,
        }
    }

    /// The standard deviation of a unit's value under the target, before
    /// over-dispersion.
    fn sd(&self, size: f64, trials: f64) -> f64 {
        match self.kind {
            FunnelKind::Proportion => (self.target * (1.0 - self.target) / size).sqrt(),
            FunnelKind::Ratio => (1.0 / size).sqrt(),
            FunnelKind::BinaryRatio => ((1.0 - size / trials).max(0.0) / size).sqrt().max(f64::MIN_POSITIVE),
        }
    }

    /// The spread of a unit's value with the over-dispersion applied.
    fn spread(&self, size: f64, trials: f64) -> f64 {
        let sd = self.sd(size, trials);
        match (self.adjusted, self.overdispersion) {
            (true, Overdispersion::Multiplicative) => self.phi.sqrt() * sd,
            (true, Overdispersion::Additive) => (sd.powi(2) + self.tau2).sqrt(),
            _ => sd,
        }
    }

    /// The `p`-limit at a unit size (a whole number of participants for
    /// proportions), for drawing the funnel's curves.
    ///
    /// ```
    /// # use finsam_core::evaluation::funnel::{funnel, FunnelKind, Overdispersion};
    /// let f = funnel(&[30.0, 28.0, 35.0], &[100.0; 3], FunnelKind::Proportion, None, Overdispersion::None)?;
    /// let curve: Vec<f64> = [20.0, 50.0, 200.0].iter().map(|&n| f.limit(n, 0.975)).collect::<Result<_, _>>()?;
    /// assert!(curve[0] > curve[1] && curve[1] > curve[2], "the funnel narrows");
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn limit(&self, size: f64, p: f64) -> Result<f64> {
        self.unit_limit(size, self.trials_at(size), p)
    }

    /// The `p`-limit of a unit of `size` with `trials` outcomes.
    fn unit_limit(&self, size: f64, trials: f64, p: f64) -> Result<f64> {
        check_probability("p", p)?;
        if self.adjusted {
            return Ok(self.target + stats::z(p) * self.spread(size, trials));
        }
        match self.kind {
            FunnelKind::Proportion => binomial_limit(size.round() as u64, self.target, p),
            FunnelKind::Ratio => poisson_limit(size, p),
            FunnelKind::BinaryRatio => binary_ratio_limit(trials.round() as u64, size, p),
        }
    }
}

/// Places units on a funnel. `observed[i]` is the count of unit `i` with
/// the outcome and `size[i]` its number of participants (proportions) or
/// its expected count (ratios). The target of proportions is
/// `target.unwrap_or(Σ observed / Σ size)`; of ratios, 1.
///
/// ```
/// use finsam_core::evaluation::funnel::{funnel, Flag, FunnelKind, Overdispersion};
/// let observed = [30.0, 28.0, 35.0, 90.0, 31.0];
/// let n = [100.0, 100.0, 100.0, 150.0, 100.0];
/// let f = funnel(&observed, &n, FunnelKind::Proportion, None, Overdispersion::None)?;
/// assert_eq!(f.units[3].flag, Flag::Above998);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn funnel(
    observed: &[f64],
    size: &[f64],
    kind: FunnelKind,
    target: Option<f64>,
    overdispersion: Overdispersion,
) -> Result<Funnel> {
    if kind == FunnelKind::BinaryRatio {
        return Err(Error::InvalidArgument {
            name: "kind",
            message: "a binary ratio needs each unit's number of outcomes: use binary_ratio_funnel".into(),
        });
    }
    check_units(observed, size, kind)?;
    let target = match kind {
        FunnelKind::Proportion => target.unwrap_or_else(|| observed.iter().sum::<f64>() / size.iter().sum::<f64>()),
        _ => 1.0,
    };
    if kind == FunnelKind::Proportion {
        check_probability("target", target)?;
    }
    place(observed, size, size, Funnel::empty(kind, target, overdispersion, None))
}

/// Places the O/E ratios of counts of 0/1 outcomes on a funnel: unit `i`
/// has `observed[i]` outcomes of 1 among `trials[i]`, with expected count
/// `expected[i]` from a case-mix model. The limits are those of
/// Binomial(nᵢ, Eᵢ/nᵢ)/Eᵢ (see the module documentation), and the curves
/// drawn with [`Funnel::limit`] are those of `E / rate` outcomes, `rate`
/// the overall `ΣE / Σn`.
///
/// ```
/// use finsam_core::evaluation::funnel::{binary_ratio_funnel, funnel, Flag, FunnelKind, Overdispersion};
/// // Five units of 100 with half expected to succeed; the fourth does far better.
/// let (observed, expected, n) = ([50.0, 46.0, 55.0, 68.0, 49.0], [50.0; 5], [100.0; 5]);
/// let binary = binary_ratio_funnel(&observed, &expected, &n, Overdispersion::None)?;
/// let poisson = funnel(&observed, &expected, FunnelKind::Ratio, None, Overdispersion::None)?;
/// assert_eq!(binary.units[3].flag, Flag::Above998);
/// assert_eq!(poisson.units[3].flag, Flag::Above95, "Poisson limits miss it");
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn binary_ratio_funnel(
    observed: &[f64],
    expected: &[f64],
    trials: &[f64],
    overdispersion: Overdispersion,
) -> Result<Funnel> {
    check_units(observed, expected, FunnelKind::BinaryRatio)?;
    if trials.len() != expected.len() {
        return Err(Error::InvalidArgument {
            name: "trials",
            message: format!("one number of outcomes per unit ({} for {} units)", trials.len(), expected.len()),
        });
    }
    for (i, ((&o, &e), &n)) in observed.iter().zip(expected).zip(trials).enumerate() {
        if !(n.fract() == 0.0 && o <= n && e < n) {
            return Err(Error::InvalidArgument {
                name: "trials",
                message: format!(
                    "unit {i}: {n} outcomes with {o} observed and {e} expected (need a whole number above both)"
                ),
            });
        }
    }
    let rate = expected.iter().sum::<f64>() / trials.iter().sum::<f64>();
    place(observed, expected, trials, Funnel::empty(FunnelKind::BinaryRatio, 1.0, overdispersion, Some(rate)))
}

impl Funnel {
    fn empty(kind: FunnelKind, target: f64, overdispersion: Overdispersion, rate: Option<f64>) -> Funnel {
        Funnel { units: Vec::new(), target, phi: 1.0, tau2: 0.0, overdispersion, adjusted: false, kind, rate }
    }
}

/// The units on `funnel`: φ̂, τ̂² if asked for, and each unit's limits,
/// z-score and flag.
fn place(observed: &[f64], size: &[f64], trials: &[f64], mut funnel: Funnel) -> Result<Funnel> {
    let target = funnel.target;
    let values: Vec<f64> = observed.iter().zip(size).map(|(o, n)| o / n).collect();
    let z: Vec<f64> = values.iter().zip(size).zip(trials).map(|((y, &n), &t)| (y - target) / funnel.sd(n, t)).collect();
    funnel.phi = winsorised_phi(&z);
    funnel.adjusted = funnel.overdispersion != Overdispersion::None && funnel.phi > 1.0;
    if funnel.adjusted && funnel.overdispersion == Overdispersion::Additive {
        let sds: Vec<f64> = size.iter().zip(trials).map(|(&n, &t)| funnel.sd(n, t)).collect();
        funnel.tau2 = additive_tau2(&sds, funnel.phi);
    }
    funnel.units = values
        .iter()
        .zip(size)
        .zip(trials)
        .map(|((&value, &n), &t)| {
            let limits_95 = (funnel.unit_limit(n, t, 0.025)?, funnel.unit_limit(n, t, 0.975)?);
            let limits_998 = (funnel.unit_limit(n, t, 0.001)?, funnel.unit_limit(n, t, 0.999)?);
            let flag = flag(value, limits_95, limits_998);
            let z = (value - target) / funnel.spread(n, t);
            Ok(FunnelUnit { value, size: n, trials: t, z, limits_95, limits_998, flag })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(funnel)
}

fn check_units(observed: &[f64], size: &[f64], kind: FunnelKind) -> Result<()> {
    if observed.len() != size.len() || observed.len() < 2 {
        return Err(Error::InvalidArgument {
            name: "units",
            message: format!("at least two units with one size each ({} values, {} sizes)", observed.len(), size.len()),
        });
    }
    for (i, (&o, &n)) in observed.iter().zip(size).enumerate() {
        let whole = kind != FunnelKind::Proportion || (n.fract() == 0.0 && o <= n);
        if !(o.is_finite() && o >= 0.0 && n.is_finite() && n > 0.0 && whole) {
            return Err(Error::InvalidArgument {
                name: "units",
                message: format!(
                    "unit {i}: observed {o} and size {n} (need 0 ≤ observed, size > 0; a proportion's size is whole and ≥ observed)"
                ),
            });
        }
    }
    Ok(())
}

/// Where `value` falls against the 95 % and 99.8 % limits.
pub(crate) fn flag(value: f64, limits_95: (f64, f64), limits_998: (f64, f64)) -> Flag {
    if value > limits_998.1 {
        Flag::Above998
    } else if value > limits_95.1 {
        Flag::Above95
    } else if value < limits_998.0 {
        Flag::Below998
    } else if value < limits_95.0 {
        Flag::Below95
    } else {
        Flag::Within
    }
}

/// φ̂: the mean square of the z-scores winsorised at their 10th and 90th
/// percentiles: the ⌊0.1·I⌋ lowest are set to the next lowest, and
/// likewise at the top (with I = 20, the two lowest become the third
/// lowest). The z-scores are on the natural scale; FunnelPlotR works on a
/// transformed scale (log or arcsine) instead, so its φ̂ differs slightly.
fn winsorised_phi(z: &[f64]) -> f64 {
    let mut sorted = z.to_vec();
    sorted.sort_by(f64::total_cmp);
    let i = sorted.len();
    let cut = (0.1 * i as f64).floor() as usize;
    let (lo, hi) = (sorted[cut.min(i - 1)], sorted[(i - 1).saturating_sub(cut)]);
    z.iter().map(|&v| v.clamp(lo, hi).powi(2)).sum::<f64>() / i as f64
}

/// τ̂² of the additive model (DerSimonian–Laird on the winsorised φ̂), from
/// the units' standard deviations under the target.
fn additive_tau2(sds: &[f64], phi: f64) -> f64 {
    let w: Vec<f64> = sds.iter().map(|sd| 1.0 / sd.powi(2)).collect();
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|x| x * x).sum();
    let i = sds.len() as f64;
    ((i * phi - (i - 1.0)) / (sw - sw2 / sw)).max(0.0)
}

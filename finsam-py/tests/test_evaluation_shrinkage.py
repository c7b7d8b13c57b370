"""Shrinkage, rankings and funnel limits against independent references.

- DerSimonian–Laird τ² and the pooled mean against statsmodels'
  ``combine_effects`` (``method_re="chi2"``): 1e-10. Paule–Mandel against
  its iteration ``_fit_tau_iterative`` run to atol 1e-10 (``combine_effects``
  stops at 1e-5): 1e-9, and the PM equation itself to 1e-9.
- REML against a direct maximisation of the restricted log-likelihood
  with scipy (``minimize_scalar`` to xatol 1e-13): 1e-8.
- The posterior means and variances, James–Stein and the beta-binomial
  posterior against the textbook formulas written out here with numpy and
  scipy: 1e-12.
- The exact funnel limits against Spiegelhalter's (2005) interpolation
  formula written out here with scipy's binomial and Poisson CDFs: 1e-12;
  the over-dispersion factors against a hand computation.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats
from statsmodels.stats import meta_analysis as sm_meta

import finsam
from finsam import evaluation as ev


def _units(k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.002, 0.05, k)
    theta = rng.normal(0.3, 0.15, k)
    return theta + rng.normal(0, np.sqrt(v)), v


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dersimonian_laird_agrees_with_statsmodels(seed):
    y, v = _units(25, seed)
    ref = sm_meta.combine_effects(y, v, method_re="chi2")
    assert ref.tau2 > 0, "heterogeneous units: statsmodels does not truncate a negative τ² at 0, finsam does"
    got = ev.shrink(y, v, method="dl")
    assert got.tau2 == pytest.approx(ref.tau2, abs=1e-10)
    assert got.mean == pytest.approx(ref.mean_effect_re, abs=1e-10)
    assert got.mean_se == pytest.approx(ref.sd_eff_w_re, abs=1e-10)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_paule_mandel_agrees_with_statsmodels_iterated(seed):
    y, v = _units(25, seed)
    # statsmodels' Newton iteration gives up (returns 0) when rounding makes
    # its estimating equation dip below 0, so its tolerance stays at 1e-10.
    tau2, converged = sm_meta._fit_tau_iterative(y, v, atol=1e-10, maxiter=1000)
    assert converged
    got = ev.shrink(y, v, method="pm")
    assert got.tau2 == pytest.approx(tau2, abs=1e-9)
    w = 1 / (v + got.tau2)
    q = np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2)
    assert q == pytest.approx(len(y) - 1, abs=1e-9), "finsam solves Q(τ²) = k − 1 to full precision"


def _restricted_loglik(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    w = 1 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return -0.5 * (np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reml_maximises_the_restricted_likelihood(seed):
    y, v = _units(25, seed)
    best = optimize.minimize_scalar(
        lambda t: -_restricted_loglik(t, y, v), bounds=(0, 1), method="bounded", options={"xatol": 1e-13}
    )
    got = ev.shrink(y, v, method="reml")
    assert got.tau2 == pytest.approx(max(best.x, 0.0), abs=1e-8)


def test_posterior_means_and_intervals_follow_the_normal_normal_formulas():
    y, v = _units(12, 9)
    got = ev.shrink(y, v, method="dl", level=0.9)
    tau2 = sm_meta.combine_effects(y, v, method_re="chi2").tau2
    w = 1 / (v + tau2)
    mu, var_mu = np.sum(w * y) / np.sum(w), 1 / np.sum(w)
    b = v / (v + tau2)
    post = mu + (1 - b) * (y - mu)
    sd = np.sqrt((1 - b) * v + b**2 * var_mu)
    z = stats.norm.ppf(0.95)
    np.testing.assert_allclose(got.estimates, post, atol=1e-12)
    np.testing.assert_allclose(got.sd, sd, atol=1e-12)
    np.testing.assert_allclose(got.lo, post - z * sd, atol=1e-12)
    np.testing.assert_allclose(got.reliability, 1 - b, atol=1e-12)


def test_no_heterogeneity_pools_every_unit_to_the_mean():
    y = np.array([0.30, 0.31, 0.29, 0.30])
    got = ev.shrink(y, [0.01] * 4, method="dl")
    assert got.tau2 == 0.0
    np.testing.assert_allclose(got.estimates, [got.mean] * 4, atol=1e-15)


def test_james_stein_positive_part():
    y = np.array([0.2, 0.5, 0.1, 0.9, 0.4, 0.3])
    sigma2 = 0.02
    keep = max(0.0, 1 - (len(y) - 3) * sigma2 / np.sum((y - y.mean()) ** 2))
    np.testing.assert_allclose(ev.james_stein(y, sigma2), y.mean() + keep * (y - y.mean()), atol=1e-12)
    # So much noise that the positive part pools everything.
    np.testing.assert_allclose(ev.james_stein(y, 10.0), [y.mean()] * len(y), atol=1e-15)


def test_rank_intervals_cover_the_point_rank_and_are_reproducible():
    y, v = _units(40, 4)
    s = ev.shrink(y, v)
    a = ev.ranks(s.estimates, s.sd, seed=3)
    assert a == ev.ranks(s.estimates, s.sd, seed=3)
    order = np.argsort(-np.array(s.estimates))
    assert [a[i][0] for i in order] == list(range(1, 41))
    assert all(lo <= rank <= hi for rank, lo, hi in a)
    assert any(hi - lo >= 5 for _, lo, hi in a), "forty noisy units cannot all be ranked precisely"


def _exact_limit(p: float, cdf, size: float, top: int) -> float:
    r = next(r for r in range(top + 1) if cdf(r) >= p)
    below = cdf(r - 1) if r > 0 else 0.0
    alpha = (cdf(r) - p) / (cdf(r) - below)
    return max(r - alpha, 0.0) / size  # at r = 0 the interpolation would fall below 0


@pytest.mark.parametrize("n,target", [(20, 0.3), (100, 0.3), (437, 0.12), (1500, 0.55)])
def test_exact_binomial_funnel_limits_follow_spiegelhalter(n, target):
    f = ev.funnel_limits([target * n, target * n], [n, n], target=target, overdispersion="none")
    for p, got in [(0.001, f.limits_998[0][0]), (0.025, f.limits_95[0][0]), (0.975, f.limits_95[0][1]), (0.999, f.limits_998[0][1])]:
        ref = _exact_limit(p, lambda r: stats.binom.cdf(r, n, target), n, n)
        assert got == pytest.approx(ref, abs=1e-12), p


@pytest.mark.parametrize("expected", [3.2, 25.0, 410.5])
def test_exact_poisson_funnel_limits_follow_spiegelhalter(expected):
    f = ev.funnel_limits([expected, expected], [expected, expected], kind="ratio", overdispersion="none")
    for p, got in [(0.025, f.limits_95[0][0]), (0.999, f.limits_998[0][1])]:
        ref = _exact_limit(p, lambda r: stats.poisson.cdf(r, expected), expected, int(expected * 5 + 100))
        assert got == pytest.approx(ref, abs=1e-12), p


@pytest.mark.parametrize("n,expected", [(40, 11.3), (120, 61.7), (900, 302.4)])
def test_binary_ratio_funnel_limits_are_binomial_with_the_expected_share(n, expected):
    # The O/E of n 0/1 outcomes: Binomial(n, E/n) divided by E, which for a
    # common outcome is far narrower than Poisson(E).
    f = ev.funnel_limits([expected, expected], [expected, expected], kind="binary_ratio", trials=[n, n], overdispersion="none")
    poisson = ev.funnel_limits([expected, expected], [expected, expected], kind="ratio", overdispersion="none")
    for p, got in [(0.001, f.limits_998[0][0]), (0.025, f.limits_95[0][0]), (0.975, f.limits_95[0][1]), (0.999, f.limits_998[0][1])]:
        ref = _exact_limit(p, lambda r: stats.binom.cdf(r, n, expected / n), expected, n)
        assert got == pytest.approx(ref, abs=1e-12), p
    assert poisson.limits_998[0][1] - poisson.limits_998[0][0] > f.limits_998[0][1] - f.limits_998[0][0]
    # Curves at an expected count are drawn for E / rate outcomes.
    assert f.curve([expected], 0.975)[0] == pytest.approx(f.limits_95[0][1], abs=1e-12)
    with pytest.raises(finsam.ArgumentError, match="trials"):
        ev.funnel_limits([expected], [expected], kind="binary_ratio")
    with pytest.raises(finsam.ArgumentError, match="trials"):
        ev.funnel_limits([expected, expected], [expected, expected], kind="ratio", trials=[n, n])
    with pytest.raises(finsam.ArgumentError, match="trials"):
        ev.funnel_limits([expected, expected], [expected, expected], kind="binary_ratio", trials=[n, expected / 2])


def test_a_tiny_units_lowest_limit_is_zero_not_below():
    # Spiegelhalter's interpolation at r = 0 would give a negative count.
    ratio = ev.funnel_limits([0, 1], [1.0, 1.0], kind="binary_ratio", trials=[3, 3], overdispersion="none")
    share = ev.funnel_limits([0, 1], [3, 3], target=0.3, overdispersion="none")
    assert ratio.limits_998[0][0] == 0.0 and share.limits_998[0][0] == 0.0
    assert ratio.curve([1.0], 0.001) == [0.0]


def test_binary_ratio_overdispersion_uses_the_binomial_spread():
    rng = np.random.default_rng(12)
    n = rng.integers(50, 600, 40).astype(float)
    share = rng.uniform(0.2, 0.6, 40)
    expected = n * share
    observed = rng.binomial(n.astype(int), np.clip(share + rng.normal(0, 0.08, 40), 0.01, 0.99)).astype(float)
    s = np.sqrt((1 - expected / n) / expected)
    z = (observed / expected - 1) / s
    lo, hi = np.sort(z)[4], np.sort(z)[-5]  # ⌊0.1·40⌋ = 4 at each end
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    w = 1 / s**2
    tau2 = max(0.0, (40 * phi - 39) / (w.sum() - (w**2).sum() / w.sum()))
    f = ev.funnel_limits(observed, expected, kind="binary_ratio", trials=n)
    assert f.phi == pytest.approx(phi, abs=1e-12) and phi > 1 and f.adjusted
    assert f.tau2 == pytest.approx(tau2, abs=1e-14)
    np.testing.assert_allclose([h for _, h in f.limits_998], 1 + stats.norm.ppf(0.999) * np.sqrt(s**2 + tau2), atol=1e-12)


def test_overdispersion_widens_the_limits_as_spiegelhalter():
    rng = np.random.default_rng(8)
    n = rng.integers(50, 800, 30).astype(float)
    p = np.clip(rng.normal(0.3, 0.06, 30), 0.01, 0.99)
    observed = rng.binomial(n.astype(int), p).astype(float)
    target = observed.sum() / n.sum()
    s = np.sqrt(target * (1 - target) / n)
    z = (observed / n - target) / s
    lo, hi = np.sort(z)[3], np.sort(z)[-4]  # ⌊0.1·30⌋ = 3 winsorised at each end
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    w = 1 / s**2
    tau2 = max(0.0, (30 * phi - 29) / (w.sum() - (w**2).sum() / w.sum()))
    add = ev.funnel_limits(observed, n, overdispersion="additive")
    mult = ev.funnel_limits(observed, n, overdispersion="multiplicative")
    assert add.phi == pytest.approx(phi, abs=1e-12) and phi > 1 and add.adjusted
    assert add.tau2 == pytest.approx(tau2, abs=1e-14)
    z975 = stats.norm.ppf(0.975)
    np.testing.assert_allclose([h for _, h in add.limits_95], target + z975 * np.sqrt(s**2 + tau2), atol=1e-12)
    np.testing.assert_allclose([h for _, h in mult.limits_95], target + z975 * np.sqrt(phi) * s, atol=1e-12)
    none = ev.funnel_limits(observed, n, overdispersion="none")
    flagged = lambda f: sum(flag != "within" for flag in f.flag)  # noqa: E731
    assert flagged(add) <= flagged(none)


def test_a_planted_outlier_is_flagged():
    observed = [30.0, 28.0, 35.0, 90.0, 31.0, 27.0]
    n = [100.0, 100.0, 100.0, 150.0, 100.0, 90.0]
    f = ev.funnel_limits(observed, n, overdispersion="none")
    assert f.flag[3] == "above_99.8"
    assert f.curve([20, 50, 200], 0.975)[0] > f.curve([20, 50, 200], 0.975)[2]


def test_bad_input_raises_typed_errors():
    with pytest.raises(finsam.ArgumentError, match="method"):
        ev.shrink([1.0, 2.0], [0.1, 0.1], method="bayes")  # type: ignore[arg-type]
    with pytest.raises(finsam.ArgumentError, match="variance"):
        ev.shrink([1.0, 2.0], [0.1, -0.1])
    with pytest.raises(finsam.EstimationError):
        ev.shrink([1.0], [0.1])
    with pytest.raises(finsam.EstimationError):
        ev.james_stein([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(finsam.ArgumentError):
        ev.funnel_limits([5.0, 120.0], [100.0, 100.0], overdispersion="none", kind="proportion", target=1.5)

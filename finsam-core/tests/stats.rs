//! Interval functions against independent values.
//!
//! Reference values were computed with scipy 1.17.1 and statsmodels 0.15.0:
//! `statsmodels.stats.proportion.proportion_confint(k, n, alpha, method)` with
//! `wilson`, `beta` (Clopper–Pearson) and `agresti_coull`;
//! `scipy.stats.ttest_1samp(x, 0)` / `ttest_rel(after, before)` /
//! `ttest_ind(a, b, equal_var=False)` `.confidence_interval(level)`; and
//! `statsmodels.stats.proportion.confint_proportions_2indep(k1, n1, k2, n2,
//! method="newcomb", compare="diff")`.
//!
//! Tolerances: 1e-12 for closed forms (Wilson, Agresti–Coull, Newcombe),
//! 1e-9 where a quantile is inverted numerically (Clopper–Pearson beta
//! quantiles, Student t).

use finsam_core::stats::*;

#[rustfmt::skip]
const PROPORTIONS: &[(u64, u64, f64, &str, f64, f64)] = &[
    (8, 20, 0.95, "wilson", 0.21880653237281705, 0.6134184992377469),
    (8, 20, 0.95, "beta", 0.19119006072530725, 0.6394574126925103),
    (8, 20, 0.95, "agresti_coull", 0.2182554106725836, 0.6139696209379802),
    (0, 10, 0.95, "wilson", 0.0, 0.2775327998628892),
    (0, 10, 0.95, "beta", 0.0, 0.3084971078187607),
    (0, 10, 0.95, "agresti_coull", 0.0, 0.3208873057505457),
    (10, 10, 0.95, "wilson", 0.7224672001371107, 0.9999999999999999),
    (10, 10, 0.95, "beta", 0.6915028921812392, 1.0),
    (10, 10, 0.95, "agresti_coull", 0.6791126942494543, 1.0),
    (2604, 8400, 0.95, "wilson", 0.30019833012257774, 0.31997537072113963),
    (2604, 8400, 0.95, "beta", 0.30011736948243184, 0.3200145832639394),
    (2604, 8400, 0.95, "agresti_coull", 0.3001979489026247, 0.3199757519410927),
    (1, 7, 0.9, "wilson", 0.03254380205478663, 0.45228669469702926),
    (1, 7, 0.9, "beta", 0.0073008319790147, 0.5207029735913071),
    (1, 7, 0.9, "agresti_coull", 0.016152578662093603, 0.46867791808972226),
    (31, 100, 0.99, "wilson", 0.20585312819272739, 0.4377907331392853),
    (31, 100, 0.99, "beta", 0.1974718781672824, 0.44116712726532326),
    (31, 100, 0.99, "agresti_coull", 0.2052894229692055, 0.4383544383628072),
];

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: got {got:.17}, want {want:.17} (tolerance {tol})");
}

#[test]
fn proportion_intervals_match_statsmodels() {
    for &(k, n, level, method, lo, hi) in PROPORTIONS {
        let (m, tol) = match method {
            "wilson" => (ProportionMethod::Wilson, 1e-12),
            "beta" => (ProportionMethod::ClopperPearson, 1e-9),
            _ => (ProportionMethod::AgrestiCoull, 1e-12),
        };
        let ci = proportion_ci(k, n, m, level).unwrap();
        close(&format!("{method} lo ({k}/{n}, {level})"), ci.lo, lo, tol);
        close(&format!("{method} hi ({k}/{n}, {level})"), ci.hi, hi, tol);
    }
}

#[test]
fn t_intervals_match_scipy() {
    let ci = mean_ci(Moments::of(&[-3.0, -1.0, 0.0, 2.0, -5.0]), 0.95).unwrap();
    close("1-sample lo", ci.lo, -4.754791384926656, 1e-9);
    close("1-sample hi", ci.hi, 1.954791384926656, 1e-9);
    let (before, after) = ([10.0, 20.0, 30.0], [8.0, 15.0, 31.0]);
    let ci = paired_mean_ci(&before, &after, 0.95).unwrap();
    close("paired lo", ci.lo, -9.452413135250989, 1e-9);
    close("paired hi", ci.hi, 5.452413135250989, 1e-9);
    let ci = paired_mean_ci(&before, &after, 0.9).unwrap();
    close("paired 90 lo", ci.lo, -7.057563382541148, 1e-9);
    close("paired 90 hi", ci.hi, 3.0575633825411446, 1e-9);
}

#[test]
fn newcombe_matches_statsmodels() {
    for (k1, n1, k2, n2, lo, hi) in [
        (34, 100, 28, 100, -0.06764337659839867, 0.18502283983396747),
        (5, 12, 1, 9, -0.08790882680854256, 0.58470280669879),
        (2800, 8000, 1900, 7000, 0.06377946344129834, 0.0932883729754183),
    ] {
        let ci = newcombe_diff(k1, n1, k2, n2, 0.95).unwrap();
        close("newcombe lo", ci.lo, lo, 1e-12);
        close("newcombe hi", ci.hi, hi, 1e-12);
    }
}

#[test]
fn welch_matches_scipy() {
    let a = Moments::of(&[1.0, 2.0, 3.0, 4.0]);
    let b = Moments::of(&[2.0, 4.0, 6.0, 8.0, 10.0]);
    let ci = welch_diff(a, b, 0.95).unwrap();
    close("welch lo", ci.lo, -7.385368080514045, 1e-9);
    close("welch hi", ci.hi, 0.3853680805140449, 1e-9);
    let ci = welch_diff(a, b, 0.9).unwrap();
    close("welch 90 lo", ci.lo, -6.568411028749692, 1e-9);
    close("welch 90 hi", ci.hi, -0.4315889712503096, 1e-9);
}

#[test]
fn exact_sums_give_the_same_moments_as_values() {
    // Quarter days: 12.25, 0, 365, 0.5 → integers 49, 0, 1460, 2.
    let m = Moments::from_sums(4, 49 + 1460 + 2, 49 * 49 + 1460 * 1460 + 4, 4.0);
    let direct = Moments::of(&[12.25, 0.0, 365.0, 0.5]);
    close("mean", m.mean, direct.mean, 1e-12);
    close("variance", m.variance, direct.variance, 1e-9);
}

#[test]
fn arguments_are_checked() {
    assert_eq!(proportion_ci(3, 2, ProportionMethod::Wilson, 0.95).unwrap_err().code(), "invalid_argument");
    assert_eq!(proportion_ci(0, 0, ProportionMethod::Wilson, 0.95).unwrap_err().code(), "invalid_argument");
    assert_eq!(proportion_ci(1, 2, ProportionMethod::Wilson, 1.0).unwrap_err().code(), "invalid_argument");
    assert_eq!(mean_ci(Moments::of(&[1.0]), 0.95).unwrap_err().code(), "invalid_argument");
}

#[test]
fn t_interval_is_exact_for_large_samples() {
    // scipy 1.17.1: stats.t.ppf(0.975, df) for df = 74,999 and 4,999,999.
    for (n, quantile) in [(75_000u64, 1.959_995_615_746_664_5), (5_000_000, 1.959_964_458_994_508)] {
        let m = finsam_core::stats::Moments { n, mean: 0.0, variance: n as f64 };
        let ci = finsam_core::stats::mean_ci(m, 0.95).unwrap();
        // statrs's CDF is good to ~1e-12 here, so the quantile to ~1e-10 at df 1e5 and ~2e-10 at 5e6 (it was ~1e-7).
        assert!((ci.hi - quantile).abs() < 1e-9, "n = {n}: {} vs {quantile}", ci.hi);
    }
}

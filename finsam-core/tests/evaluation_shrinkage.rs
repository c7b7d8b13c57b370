//! Beta-binomial empirical Bayes and ranks: hand-worked values. The
//! normal–normal shrinkage and the funnel limits are checked against
//! statsmodels and scipy in `finsam-py/tests/test_evaluation_shrinkage.py`.

use finsam_core::evaluation::shrinkage::{beta_binomial, ranks};

#[test]
fn beta_binomial_follows_kleinmans_moments_and_the_beta_posterior() {
    // Computed with numpy (Kleinman's weighted moments) and scipy.stats.beta.
    let k = [2, 30, 12, 45, 8];
    let n = [10, 60, 40, 90, 50];
    let b = beta_binomial(&k, &n, 0.95).unwrap();
    assert!((b.alpha - 3.7066249702444534).abs() < 1e-12, "{}", b.alpha);
    assert!((b.beta - 5.846532169560838).abs() < 1e-12, "{}", b.beta);
    let posterior =
        [0.29185184415191984, 0.4846167500706326, 0.31696517188462975, 0.4892524392957662, 0.1965743804776347];
    for (u, want) in b.units.iter().zip(posterior) {
        assert!((u.estimate - want).abs() < 1e-12);
    }
    assert!((b.units[0].lo - 0.11841314846000764).abs() < 1e-9, "{}", b.units[0].lo);
    assert!((b.units[0].hi - 0.5055000860659686).abs() < 1e-9, "{}", b.units[0].hi);
}

#[test]
fn proportions_without_overdispersion_have_no_prior() {
    let e = beta_binomial(&[30, 30, 30], &[100, 100, 100], 0.95).unwrap_err();
    assert_eq!(e.code(), "not_identified");
}

#[test]
fn ranks_share_ties_and_certain_units_have_narrow_intervals() {
    let r = ranks(&[5.0, 5.0, 1.0], &[1e-9, 1e-9, 1e-9], 0.95, 500, 1).unwrap();
    assert_eq!((r[0].rank, r[1].rank, r[2].rank), (1, 1, 3));
    assert_eq!((r[2].lo, r[2].hi), (3, 3));
}

//! Staggered difference-in-differences: hand-worked 2×2 cases, invariances
//! and the typed errors. The agreement with R's `did` (through `csdid`) is
//! tested in `finsam-py/tests/test_evaluation_did.py`.

use finsam_core::evaluation::Frame;
use finsam_core::evaluation::did::{Aggregation, AttGtOptions, BasePeriod, Bootstrap, Control, Method, att_gt};

/// A long panel `(unit, time, group, y, x)` as a frame.
fn frame(rows: &[(f64, f64, f64, f64, f64)]) -> Frame {
    let col = |k: usize| rows.iter().map(move |r| Some([r.0, r.1, r.2, r.3, r.4][k])).collect::<Vec<_>>();
    Frame::new()
        .with_numeric("id", col(0))
        .and_then(|f| f.with_numeric("t", col(1)))
        .and_then(|f| f.with_numeric("g", col(2)))
        .and_then(|f| f.with_numeric("y", col(3)))
        .and_then(|f| f.with_numeric("x", col(4)))
        .unwrap()
}

/// A deterministic panel of `n` units over periods 1..=periods: cohorts
/// 0 (never), 3 and 4, a unit effect, a trend, a covariate and an effect.
fn panel(n: usize, periods: usize, seed: u64) -> Vec<(f64, f64, f64, f64, f64)> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut rows = Vec::new();
    for i in 0..n {
        let g = [0.0, 3.0, 4.0][(next() * 3.0) as usize];
        let x = next() * 2.0 - 1.0;
        let a = next() * 4.0;
        for t in 1..=periods {
            let t = t as f64;
            let effect = if g > 0.0 && t >= g { 1.0 + 0.5 * (t - g) } else { 0.0 };
            rows.push((i as f64 + 1.0, t, g, a + 0.3 * t + 0.2 * x * t + effect + next() - 0.5, x));
        }
    }
    rows
}

fn options() -> AttGtOptions {
    AttGtOptions::new("y", "id", "t", "g")
}

#[test]
fn one_group_two_periods_is_the_difference_in_differences_of_means() {
    // Treated (g = 2): 1→4, 2→6, 3→5; comparisons: 2→3, 4→4.
    let rows = [
        (1.0, 1.0, 2.0, 1.0, 0.0),
        (1.0, 2.0, 2.0, 4.0, 0.0),
        (2.0, 1.0, 2.0, 2.0, 0.0),
        (2.0, 2.0, 2.0, 6.0, 0.0),
        (3.0, 1.0, 2.0, 3.0, 0.0),
        (3.0, 2.0, 2.0, 5.0, 0.0),
        (4.0, 1.0, 0.0, 2.0, 0.0),
        (4.0, 2.0, 0.0, 3.0, 0.0),
        (5.0, 1.0, 0.0, 4.0, 0.0),
        (5.0, 2.0, 0.0, 4.0, 0.0),
    ];
    let f = frame(&rows);
    // Changes: treated 3, 4, 2 (mean 3, population variance 2/3);
    // comparisons 1, 0 (mean ½, population variance ¼).
    let att = 3.0 - 0.5;
    let se = (2.0 / 3.0 / 3.0 + 0.25 / 2.0f64).sqrt();
    for method in [Method::Dr, Method::Ipw, Method::Reg] {
        let r = att_gt(&f, &AttGtOptions { method, ..options() }).unwrap();
        assert_eq!(r.cells.len(), 1);
        let c = &r.cells[0];
        assert_eq!((c.group, c.time, c.base, c.post), (2.0, 2.0, 1.0, true));
        assert!((c.att - att).abs() < 1e-12, "{method:?} {}", c.att);
        assert!((c.se.unwrap() - se).abs() < 1e-12, "{method:?} {:?}", c.se);
        assert_eq!((c.n_treated, c.n_control, r.units), (3, 2, 5));
        let z = 1.959963984540054;
        assert!((c.lo.unwrap() - (att - z * se)).abs() < 1e-9);
        for kind in [Aggregation::Simple, Aggregation::Group, Aggregation::Calendar] {
            let overall = r.aggregate(&kind).unwrap().overall.unwrap();
            assert!((overall.estimate - att).abs() < 1e-12, "{kind:?}");
        }
    }
}

#[test]
fn cells_follow_did_s_base_periods() {
    let f = frame(&panel(60, 5, 1));
    let varying = att_gt(&f, &options()).unwrap();
    let bases: Vec<(f64, f64, f64)> = varying.cells.iter().map(|c| (c.group, c.time, c.base)).collect();
    // Varying: pre-periods against the period before, post against g − 1.
    assert_eq!(
        bases,
        [
            (3.0, 2.0, 1.0),
            (3.0, 3.0, 2.0),
            (3.0, 4.0, 2.0),
            (3.0, 5.0, 2.0),
            (4.0, 2.0, 1.0),
            (4.0, 3.0, 2.0),
            (4.0, 4.0, 3.0),
            (4.0, 5.0, 3.0)
        ]
    );
    let universal = att_gt(&f, &AttGtOptions { base_period: BasePeriod::Universal, ..options() }).unwrap();
    assert_eq!(universal.cells.len(), 10);
    let reference = universal.cells.iter().find(|c| c.group == 4.0 && c.time == 3.0).unwrap();
    assert_eq!((reference.att, reference.se, reference.lo), (0.0, None, None));
    // Post-treatment cells are the same under both base periods.
    for c in varying.cells.iter().filter(|c| c.post) {
        let u = universal.cells.iter().find(|u| u.group == c.group && u.time == c.time).unwrap();
        assert_eq!((u.att, u.se), (c.att, c.se));
    }
}

#[test]
fn relabelling_and_reordering_units_changes_nothing() {
    let rows = panel(80, 5, 2);
    let a = att_gt(&frame(&rows), &AttGtOptions { covariates: vec!["x".into()], ..options() }).unwrap();
    let mut shuffled: Vec<_> = rows.iter().map(|r| (1000.0 - 7.0 * r.0, r.1, r.2, r.3, r.4)).collect();
    shuffled.reverse();
    let b = att_gt(&frame(&shuffled), &AttGtOptions { covariates: vec!["x".into()], ..options() }).unwrap();
    for (x, y) in a.cells.iter().zip(&b.cells) {
        assert!((x.att - y.att).abs() < 1e-12 && (x.se.unwrap() - y.se.unwrap()).abs() < 1e-12);
    }
    let (da, db) = (a.aggregate(&Aggregation::Group).unwrap(), b.aggregate(&Aggregation::Group).unwrap());
    assert!((da.overall.unwrap().se - db.overall.unwrap().se).abs() < 1e-12);
}

#[test]
fn a_constant_or_a_unit_effect_added_to_the_outcome_changes_nothing() {
    let rows = panel(80, 5, 3);
    for method in [Method::Dr, Method::Ipw, Method::Reg] {
        let o = AttGtOptions { method, covariates: vec!["x".into()], control: Control::NotYetTreated, ..options() };
        let a = att_gt(&frame(&rows), &o).unwrap();
        let shifted: Vec<_> = rows.iter().map(|r| (r.0, r.1, r.2, r.3 + 100.0 + 3.0 * r.0, r.4)).collect();
        let b = att_gt(&frame(&shifted), &o).unwrap();
        for (x, y) in a.cells.iter().zip(&b.cells) {
            assert!((x.att - y.att).abs() < 1e-9, "{method:?}");
            assert!((x.se.unwrap() - y.se.unwrap()).abs() < 1e-9, "{method:?}");
        }
        let t = a.pretest().unwrap();
        assert!((t.statistic - b.pretest().unwrap().statistic).abs() < 1e-6 && t.df == 3);
    }
}

#[test]
fn the_bootstrap_is_reproducible_from_its_seed() {
    let f = frame(&panel(200, 5, 4));
    let o = AttGtOptions { bootstrap: Some(Bootstrap { iterations: 500, seed: 11 }), ..options() };
    let a = att_gt(&f, &o).unwrap();
    let b = att_gt(&f, &o).unwrap();
    assert_eq!(a.cells, b.cells);
    assert!(a.critical_value > 1.96 && a.critical_value < 4.0);
    let analytic = att_gt(&f, &options()).unwrap();
    for (x, y) in a.cells.iter().zip(&analytic.cells) {
        let ratio = x.se.unwrap() / y.se.unwrap();
        assert!((0.75..1.33).contains(&ratio), "{ratio}");
    }
}

#[test]
fn an_unbalanced_panel_is_balanced_by_dropping_units() {
    let mut rows = panel(50, 4, 5);
    rows.retain(|r| (r.0, r.1) != (7.0, 2.0) && (r.0, r.1) != (9.0, 4.0));
    let r = att_gt(&frame(&rows), &options()).unwrap();
    assert_eq!(r.units, 48);
    assert!(r.dropped.iter().any(|(why, n)| why.starts_with("units not observed") && *n == 2));
}

#[test]
fn what_cannot_be_estimated_is_a_typed_error() {
    let code = |rows: &[(f64, f64, f64, f64, f64)], o: &AttGtOptions| att_gt(&frame(rows), o).unwrap_err().code();
    // No never-treated unit.
    let all_treated: Vec<_> =
        panel(30, 5, 6).into_iter().map(|r| (r.0, r.1, if r.2 == 0.0 { 3.0 } else { r.2 }, r.3, r.4)).collect();
    assert_eq!(code(&all_treated, &options()), "not_identified");
    // Every unit treated in the first period.
    let first: Vec<_> = panel(30, 5, 6).into_iter().map(|r| (r.0, r.1, 1.0, r.3, r.4)).collect();
    assert_eq!(code(&first, &options()), "not_identified");
    // A covariate equal to the treatment: no overlap (DR, IPW).
    let separated: Vec<_> =
        panel(60, 5, 7).into_iter().map(|r| (r.0, r.1, r.2, r.3, (r.2 == 3.0) as u8 as f64)).collect();
    let with_x = AttGtOptions { covariates: vec!["x".into()], ..options() };
    assert_eq!(code(&separated, &with_x), "no_overlap");
    // A constant covariate is collinear with the intercept.
    let constant: Vec<_> = panel(60, 5, 7).into_iter().map(|r| (r.0, r.1, r.2, r.3, 2.0)).collect();
    assert_eq!(code(&constant, &AttGtOptions { method: Method::Reg, ..with_x.clone() }), "singular_design");
    // Bad options and inputs.
    let rows = panel(30, 4, 8);
    assert_eq!(code(&rows, &AttGtOptions { level: 1.0, ..options() }), "invalid_argument");
    assert_eq!(code(&rows, &AttGtOptions { anticipation: -1.0, ..options() }), "invalid_argument");
    let mut varying_group = rows.clone();
    varying_group[1].2 = 4.0;
    assert_eq!(code(&varying_group, &options()), "invalid_argument");
    let mut duplicate = rows.clone();
    duplicate.push(rows[0]);
    assert_eq!(code(&duplicate, &options()), "duplicate_key");
    let r = att_gt(&frame(&rows), &options()).unwrap();
    let window = Aggregation::Dynamic { min_e: Some(2.0), max_e: Some(1.0) };
    assert_eq!(r.aggregate(&window).unwrap_err().code(), "invalid_argument");
}

#[test]
fn the_table_has_a_row_per_cell() {
    let r = att_gt(&frame(&panel(60, 5, 9)), &options()).unwrap();
    let t = r.table();
    assert_eq!(t.rows.len(), r.cells.len());
    assert_eq!(t.value(&["3", "4"], "att"), Some(r.cells[2].att));
    let dynamic = r.aggregate(&Aggregation::Dynamic { min_e: None, max_e: None }).unwrap();
    assert!(dynamic.table().row(&["overall"]).is_some());
}

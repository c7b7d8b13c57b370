//! Hand-worked cases of nearest-neighbour, exact and coarsened exact
//! matching (small enough to check each pair by hand), and invariants.
//! The comparison with R's MatchIt on 2,000 units is in
//! finsam-py/tests/test_evaluation_matching.py.

use finsam_core::evaluation::Frame;
use finsam_core::evaluation::matching::{Distance, MatchOptions, Method, Order, match_units, propensity};
use proptest::prelude::*;

/// Treated units (t = 1) and controls on one covariate `x`. The
/// propensity score rises with `x`, so neighbours on `x` are neighbours
/// on the score.
fn frame(t: &[f64], x: &[f64]) -> Frame {
    Frame::new()
        .with_numeric("t", t.iter().copied().map(Some))
        .and_then(|f| f.with_numeric("x", x.iter().copied().map(Some)))
        .unwrap()
}

/// Treated at x = 5 and 9; controls at 1, 4.8, 6, 8.5, 9.2, 3.
fn six() -> Frame {
    frame(&[1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0], &[5.0, 1.0, 4.8, 9.0, 6.0, 8.5, 9.2, 3.0])
}

fn pairs(m: &finsam_core::evaluation::matching::Matching) -> Vec<(usize, Vec<usize>)> {
    let mut p = m.pairs.clone();
    p.sort();
    p
}

#[test]
fn nearest_takes_the_closest_control_largest_score_first() {
    let m = match_units(&six(), &MatchOptions::new("t", &["x"])).unwrap();
    // Row 3 (x = 9, largest score) first: 9.2 (row 6) is nearer than 8.5.
    // Then row 0 (x = 5): 4.8 (row 2) on the score scale.
    assert_eq!(pairs(&m), [(0, vec![2]), (3, vec![6])]);
    assert_eq!(m.weights, [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
    // Subclasses by the treated row number as text: "1" < "4".
    assert_eq!(m.subclass[0], Some(1));
    assert_eq!(m.subclass[6], Some(2));
    assert_eq!((m.counts.treated_after, m.counts.control_after, m.counts.control_unmatched), (2, 2, 4));
}

#[test]
fn ratio_two_fills_round_by_round_with_normalised_weights() {
    let o = MatchOptions { ratio: 2, ..MatchOptions::new("t", &["x"]) };
    let m = match_units(&six(), &o).unwrap();
    assert_eq!(pairs(&m), [(0, vec![2, 4]), (3, vec![6, 5])]);
    // Each control 1/2, scaled to sum to the 4 matched controls: 1.
    assert!(m.weights.iter().all(|w| *w == 0.0 || *w == 1.0));
}

#[test]
fn with_replacement_two_treated_units_share_a_control() {
    let f = frame(&[1.0, 1.0, 0.0, 0.0, 0.0], &[5.0, 5.1, 5.05, 1.0, 9.0]);
    let o = MatchOptions { replace: true, ..MatchOptions::new("t", &["x"]) };
    let m = match_units(&f, &o).unwrap();
    assert_eq!(pairs(&m), [(0, vec![2]), (1, vec![2])]);
    // Weight 2 before scaling, one matched control: scaled to 1.
    assert_eq!(m.weights[2], 1.0);
    assert_eq!(m.subclass, vec![None; 5]);
    // Without replacement the second treated unit takes the next control.
    let m = match_units(&f, &MatchOptions::new("t", &["x"])).unwrap();
    assert_eq!(m.counts.control_after, 2);
}

#[test]
fn caliper_leaves_a_far_treated_unit_unmatched() {
    let f = frame(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0], &[2.0, 2.1, 0.0, 1.0, 9.0, 2.3]);
    let o = MatchOptions { caliper: Some(0.25), distance: Distance::LinearLogit, ..MatchOptions::new("t", &["x"]) };
    let m = match_units(&f, &o).unwrap();
    assert_eq!(pairs(&m), [(0, vec![1])]);
    assert_eq!(m.counts.treated_outside_caliper, 1);
    assert_eq!(m.counts.treated_unmatched, 0);
    let tiny = MatchOptions { caliper: Some(1e-9), ..o };
    assert_eq!(match_units(&f, &tiny).unwrap_err().code(), "no_overlap");
}

#[test]
fn exact_covariates_restrict_pairs_to_their_stratum() {
    let f = six().with_categorical("kon", ["K", "K", "M", "M", "K", "M", "K", "K"].map(Some)).unwrap();
    let o = MatchOptions { exact: vec!["kon".into()], ..MatchOptions::new("t", &["x"]) };
    let m = match_units(&f, &o).unwrap();
    // Row 3 (M, x = 9) → nearest M control 8.5; row 0 (K, 5) → K control 6.
    assert_eq!(pairs(&m), [(0, vec![4]), (3, vec![5])]);
}

#[test]
fn order_decides_who_gets_a_contested_control() {
    let f = frame(&[1.0, 1.0, 0.0, 0.0], &[5.0, 5.2, 5.15, 0.0]);
    let largest = match_units(&f, &MatchOptions::new("t", &["x"])).unwrap();
    assert_eq!(pairs(&largest), [(0, vec![3]), (1, vec![2])]);
    let smallest = MatchOptions { order: Order::Smallest, ..MatchOptions::new("t", &["x"]) };
    assert_eq!(pairs(&match_units(&f, &smallest).unwrap()), [(0, vec![2]), (1, vec![3])]);
    let data = MatchOptions { order: Order::Data, ..MatchOptions::new("t", &["x"]) };
    assert_eq!(pairs(&match_units(&f, &data).unwrap()), [(0, vec![2]), (1, vec![3])]);
    let random = MatchOptions { order: Order::Random, seed: Some(1), ..MatchOptions::new("t", &["x"]) };
    let a = match_units(&f, &random).unwrap();
    assert_eq!(a.weights, match_units(&f, &random).unwrap().weights);
}

#[test]
fn exact_and_cem_weight_controls_by_their_strata() {
    let f = frame(&[1.0, 0.0, 0.0, 1.0, 0.0, 1.0], &[1.0, 1.0, 1.0, 2.0, 2.0, 3.0]);
    let o = MatchOptions { method: Method::Exact, ..MatchOptions::new("t", &["x"]) };
    let m = match_units(&f, &o).unwrap();
    // Strata x=1 (1 treated, 2 controls) and x=2 (1, 1); x=3 has no control.
    // Control weights 1/2, 1/2, 1 scaled to sum to 3: 0.75, 0.75, 1.5.
    assert_eq!(m.weights, [1.0, 0.75, 0.75, 1.0, 1.5, 0.0]);
    assert_eq!(m.subclass, [Some(1), Some(1), Some(1), Some(2), Some(2), None]);
    assert_eq!(m.counts.treated_no_exact_match, 1);
    let cem = MatchOptions { method: Method::Cem, ..MatchOptions::new("t", &["x"]) };
    assert_eq!(match_units(&f, &cem).unwrap().counts.treated_after, 2);
}

#[test]
fn missing_values_are_dropped_and_counted() {
    let f = Frame::new()
        .with_numeric("t", [Some(1.0), Some(0.0), None, Some(1.0), Some(0.0), Some(0.0)])
        .and_then(|f| f.with_numeric("x", [Some(1.0), Some(2.0), Some(3.0), None, Some(0.5), Some(4.0)]))
        .unwrap();
    let m = match_units(&f, &MatchOptions::new("t", &["x"])).unwrap();
    assert_eq!(m.counts.dropped_missing, 2);
    assert_eq!((m.distance[2], m.distance[3]), (None, None));
    assert_eq!(propensity(&f, "t", &["x"]).unwrap().dropped_missing, 2);
}

#[test]
fn bad_options_and_data_are_typed_errors() {
    let f = six();
    let code = |o: MatchOptions| match_units(&f, &o).unwrap_err().code();
    assert_eq!(code(MatchOptions { ratio: 0, ..MatchOptions::new("t", &["x"]) }), "invalid_argument");
    assert_eq!(code(MatchOptions { order: Order::Random, ..MatchOptions::new("t", &["x"]) }), "invalid_argument");
    assert_eq!(
        code(MatchOptions { method: Method::Cem, replace: true, ..MatchOptions::new("t", &["x"]) }),
        "invalid_argument"
    );
    let none = frame(&[0.0; 4], &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(match_units(&none, &MatchOptions::new("t", &["x"])).unwrap_err().code(), "not_identified");
    let two = frame(&[1.0, 0.0, 1.0], &[1.0, 1.0, 1.0]);
    assert_eq!(match_units(&two, &MatchOptions::new("t", &["x"])).unwrap_err().code(), "singular_design");
}

proptest! {
    /// Without replacement no control is used twice; every treated unit
    /// gets at most `ratio` controls; weights of matched treated units are 1
    /// and control weights sum to the number of matched controls.
    #[test]
    fn matches_are_consistent(xs in prop::collection::vec((any::<bool>(), -3.0f64..3.0), 8..60), ratio in 1usize..4) {
        let t: Vec<f64> = xs.iter().enumerate().map(|(i, (b, _))| f64::from(u8::from(*b || i == 0) * u8::from(i != 1))).collect();
        let x: Vec<f64> = xs.iter().map(|(_, v)| *v).collect();
        let o = MatchOptions { ratio, ..MatchOptions::new("t", &["x"]) };
        let Ok(m) = match_units(&frame(&t, &x), &o) else { return Ok(()) };
        let mut used: Vec<usize> = m.pairs.iter().flat_map(|(_, c)| c.clone()).collect();
        let total = used.len();
        used.sort();
        used.dedup();
        prop_assert_eq!(used.len(), total);
        prop_assert!(m.pairs.iter().all(|(tr, c)| c.len() <= ratio && m.weights[*tr] == 1.0));
        let sum: f64 = (0..t.len()).filter(|&i| t[i] == 0.0).map(|i| m.weights[i]).sum();
        prop_assert!((sum - m.counts.control_after as f64).abs() < 1e-9);
    }
}

/// The committed MatchIt fixtures (see finsam-py/tests/reference/matchit.R):
/// the same weights and subclasses for three configurations, read without
/// Python so that the Rust tests check MatchIt compatibility on their own.
mod reference {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../finsam-py/tests/reference/");

    fn data() -> Frame {
        let mut reader = csv::Reader::from_path(format!("{DIR}matching_data.csv")).unwrap();
        let headers = reader.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let mut frame = Frame::new();
        for (j, name) in headers.iter().enumerate() {
            let values: Vec<&str> = records.iter().map(|r| &r[j]).collect();
            frame = if values[0].parse::<f64>().is_ok() {
                frame.with_numeric(name, values.iter().map(|v| v.parse::<f64>().ok())).unwrap()
            } else {
                frame.with_categorical(name, values.iter().map(Some)).unwrap()
            };
        }
        frame
    }

    fn check(config: &str, options: MatchOptions) {
        let m = match_units(&data(), &options).unwrap();
        let mut reader = csv::Reader::from_path(format!("{DIR}matchit_rows.csv")).unwrap();
        let mut n = 0;
        for (i, r) in reader.records().map(Result::unwrap).filter(|r| &r[0] == config).enumerate() {
            let weight: f64 = r[3].parse().unwrap();
            assert!((m.weights[i] - weight).abs() < 1e-12, "{config} row {i}: {} vs {weight}", m.weights[i]);
            assert_eq!(m.subclass[i], r[4].parse::<u32>().ok(), "{config} row {i}");
            if let (Some(d), Ok(want)) = (m.distance[i], r[2].parse::<f64>()) {
                assert!((d - want).abs() < 1e-10, "{config} row {i}");
            }
            n += 1;
        }
        assert_eq!(n, 2000);
    }

    const COVARIATES: [&str; 5] = ["alder", "kon", "utbildning", "dagar_fore", "forsorjning"];

    #[test]
    fn nearest_ratio_two_matches_matchit() {
        check("ratio2", MatchOptions { ratio: 2, ..MatchOptions::new("treat", &COVARIATES) });
    }

    #[test]
    fn replacement_with_caliper_and_ratio_three_matches_matchit() {
        let o = MatchOptions { ratio: 3, replace: true, caliper: Some(0.1), ..MatchOptions::new("treat", &COVARIATES) };
        check("ratio3_replace_caliper", o);
    }

    #[test]
    fn cem_matches_matchit() {
        check("cem", MatchOptions { method: Method::Cem, ..MatchOptions::new("treat", &COVARIATES) });
    }
}

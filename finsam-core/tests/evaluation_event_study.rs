//! Person-level event studies and 2×2 difference-in-differences: hand-worked
//! cases, invariances and typed errors. The agreement with statsmodels'
//! clustered WLS is in `finsam-py/tests/test_evaluation_event_study.py`.

use finsam_core::evaluation::Frame;
use finsam_core::evaluation::event_study::{EventStudyOptions, did_2x2, event_study};

/// A panel of `units` units over periods −2..=2; the first half treated.
/// The outcome is unit level + period level + effect (after start) + noise.
fn panel(units: usize, effect: f64, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut noise = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let (mut unit, mut time, mut treated, mut y) = (vec![], vec![], vec![], vec![]);
    for u in 0..units {
        let d = if u < units / 2 { 1.0 } else { 0.0 };
        let level = 10.0 * noise() + 3.0 * d;
        for t in -2..=2 {
            unit.push(u as f64);
            time.push(t as f64);
            treated.push(d);
            let after = if t >= 0 { effect * d } else { 0.0 };
            y.push(level + 0.7 * t as f64 + after + noise());
        }
    }
    (unit, time, treated, y)
}

fn frame(unit: &[f64], time: &[f64], treated: &[f64], y: &[f64]) -> Frame {
    Frame::new()
        .with_numeric("unit", unit.iter().copied().map(Some))
        .and_then(|f| f.with_numeric("time", time.iter().copied().map(Some)))
        .and_then(|f| f.with_numeric("treated", treated.iter().copied().map(Some)))
        .and_then(|f| f.with_numeric("y", y.iter().copied().map(Some)))
        .unwrap()
}

fn options() -> EventStudyOptions {
    EventStudyOptions::new("unit", "time", "treated", "y")
}

#[test]
fn the_event_study_recovers_a_planted_effect_and_is_zero_before() {
    let (u, t, d, y) = panel(2000, -5.0, 7);
    let es = event_study(&frame(&u, &t, &d, &y), &options()).unwrap();
    let times: Vec<i64> = es.periods.iter().map(|p| p.time).collect();
    assert_eq!(times, [-2, -1, 0, 1, 2]);
    assert!(es.periods[1].estimate.is_none(), "the reference period has no estimate");
    for p in &es.periods {
        let Some(e) = p.estimate else { continue };
        let truth = if p.time >= 0 { -5.0 } else { 0.0 };
        assert!(e.lo < truth && truth < e.hi, "period {}: {e:?} should cover {truth}", p.time);
        assert_eq!((p.n_treated, p.n_control, p.clusters), (1000, 1000, 2000));
    }
}

#[test]
fn unit_levels_do_not_move_the_estimates() {
    let (u, t, d, y) = panel(60, 2.0, 3);
    let shifted: Vec<f64> = y.iter().zip(&u).map(|(y, u)| y + 100.0 * u).collect();
    let a = event_study(&frame(&u, &t, &d, &y), &options()).unwrap();
    let b = event_study(&frame(&u, &t, &d, &shifted), &options()).unwrap();
    for (p, q) in a.periods.iter().zip(&b.periods) {
        match (p.estimate, q.estimate) {
            (Some(e), Some(f)) => {
                assert!((e.estimate - f.estimate).abs() < 1e-9 && (e.se - f.se).abs() < 1e-9);
            }
            (None, None) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_2x2_is_the_mean_of_the_event_study_periods_in_a_balanced_panel() {
    let (u, t, d, y) = panel(40, 1.5, 11);
    let f = frame(&u, &t, &d, &y);
    let es = event_study(&f, &options()).unwrap();
    let did = did_2x2(&f, &options(), (-1, -1), (0, 2)).unwrap();
    let mean: f64 = es.periods[2..].iter().map(|p| p.estimate.unwrap().estimate).sum::<f64>() / 3.0;
    assert!((did.estimate.estimate - mean).abs() < 1e-12);
}

#[test]
fn weights_of_zero_leave_units_out_and_say_so() {
    let (u, t, d, y) = panel(20, 1.0, 5);
    let w: Vec<f64> = u.iter().map(|&u| if u == 0.0 || u == 19.0 { 0.0 } else { 1.0 }).collect();
    let f = frame(&u, &t, &d, &y).with_numeric("w", w.into_iter().map(Some)).unwrap();
    let mut o = options();
    o.weights = Some("w".into());
    let es = event_study(&f, &o).unwrap();
    assert_eq!((es.units_treated, es.units_control), (9, 9));
    assert_eq!(es.dropped, [("weight 0 (unmatched)".to_owned(), 2)]);
}

#[test]
fn small_groups_are_withheld_in_the_published_table() {
    let (u, t, d, y) = panel(8, 1.0, 9);
    let es = event_study(&frame(&u, &t, &d, &y), &options()).unwrap();
    let table = es.table();
    assert_eq!(table.id, "event_study");
    // 4 treated and 4 comparison units: every count is below 5, so every
    // count and every estimate is withheld, never shown as zero.
    for row in &table.rows {
        assert!(row.values.iter().all(|c| c.value().is_none()), "{row:?}");
    }
    let (u, t, d, y) = panel(40, 1.0, 9);
    let big = event_study(&frame(&u, &t, &d, &y), &options()).unwrap();
    assert_eq!(big.table().value(&["1"], "n_behandlade"), Some(20.0));
}

#[test]
fn bad_panels_are_typed_errors() {
    let (u, t, d, y) = panel(4, 1.0, 1);
    let mut bad_d = d.clone();
    bad_d[1] = 0.0; // unit 0 switches treatment within the unit
    assert_eq!(event_study(&frame(&u, &t, &bad_d, &y), &options()).unwrap_err().code(), "invalid_argument");
    let mut half = t.clone();
    half[0] = -1.5;
    assert_eq!(event_study(&frame(&u, &half, &d, &y), &options()).unwrap_err().code(), "invalid_number");
    let mut twice = t.clone();
    twice[1] = -2.0;
    assert_eq!(event_study(&frame(&u, &twice, &d, &y), &options()).unwrap_err().code(), "duplicate_key");
    let mut o = options();
    o.reference = -7;
    assert_eq!(event_study(&frame(&u, &t, &d, &y), &o).unwrap_err().code(), "invalid_argument");
    let none_treated = vec![0.0; d.len()];
    assert_eq!(
        did_2x2(&frame(&u, &t, &none_treated, &y), &options(), (-2, -1), (0, 2)).unwrap_err().code(),
        "not_identified"
    );
    o = options();
    o.outcome = "nope".into();
    assert_eq!(event_study(&frame(&u, &t, &d, &y), &o).unwrap_err().code(), "missing_column");
}

//! Every finding of the coverage-guided fuzz campaign (`finsam-core/fuzz`),
//! as a test that runs in CI. The inputs that crashed are kept in
//! `fuzz/regressions/<target>/` and are replayed here too.

use finsam_core::disclosure::Disclosure;
use finsam_core::engine::{Extract, Partial};
use finsam_core::indicators::{Config, Split};

/// `state_json`: a state whose cell had kön index 5 (of 3) panicked with an
/// index out of bounds in `finish`, and one with more ended without a
/// status than ended overflowed a subtraction. Both crashed the follow-up's
/// own state, which is gone; its inputs are not states of today's format
/// (`invalid_json`). Today's mergeable state ([`Partial`]) is validated as
/// it is read: a cell key with kön index 5 is refused, and so is a count
/// without a status that makes a cell's ended participations (those with a
/// status plus those without: the second crash's inconsistency cannot be
/// written, as ended is not stored) exceed the rows read.
#[test]
fn the_states_that_crashed_are_errors() {
    for crash in ["crash-1b3a6c0f1c323ab6e333c46282860089a1cbb320", "crash-350d36cc9e5ba450157ee3e95cdbc727a00e7221"] {
        let path = format!("{}/fuzz/regressions/state_json/{crash}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(Partial::from_json(&text).unwrap_err().code(), "invalid_json", "{path}");
    }
    let csv = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n1;7;K;2021-02-01;2021-10-31;arbete\n";
    let extract = Extract::from_csv_reader(csv.as_bytes(), "one.csv", &Default::default()).unwrap();
    let split = Split::parse(&["forbund", "kon"]).unwrap();
    let good = Partial::compute(&extract, &split, 2021..=2021, &Config::default()).unwrap().to_json().unwrap();
    Partial::from_json(&good).unwrap();
    for (from, to) in [("\"parts\":[7,0,", "\"parts\":[7,5,"), ("\"utan_status\":0", "\"utan_status\":2")] {
        assert!(good.contains(from), "{from} in {good}");
        let bad = good.replacen(from, to, 1);
        assert_eq!(Partial::from_json(&bad).unwrap_err().code(), "invalid_json", "{to}");
    }
}

/// `disclosure`: in a 3 × 2 table with zeros shown, the row `0, 0` under a
/// shown row total 0 had its cells withheld (complementary suppression of
/// the column) yet derivable: withheld parts under a shown total of zero are
/// zero. The solver now withholds that total too.
#[test]
fn withheld_zeros_under_a_shown_zero_total_are_not_derivable() {
    // Cells row-major, row totals, column totals, grand total (the fuzz target's layout).
    let counts = [1, 22, 12, 0, 0, 0, 23, 12, 0, 13, 22, 35];
    let margins = vec![
        (vec![0, 1], 6),
        (vec![2, 3], 7),
        (vec![4, 5], 8),
        (vec![0, 2, 4], 9),
        (vec![1, 3, 5], 10),
        (vec![6, 7, 8], 11),
        (vec![9, 10], 11),
    ];
    let d = Disclosure { enabled: true, threshold: 2, show_zeros: true, rounding: None };
    let cells = d.suppress(&counts, &margins);
    for (parts, total) in &margins {
        let withheld: Vec<usize> = parts.iter().copied().filter(|&p| cells[p].value().is_none()).collect();
        if cells[*total].value().is_some() && !withheld.is_empty() {
            let sum: u64 = withheld.iter().map(|&p| counts[p]).sum();
            assert!(sum > 0, "withheld {withheld:?} are zero by their shown total {total}: {cells:?}");
        }
    }
    assert!(cells[0].value().is_none(), "the small count is withheld");
}

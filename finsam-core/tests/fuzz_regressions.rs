//! Every finding of the coverage-guided fuzz campaign (`finsam-core/fuzz`),
//! as a test that runs in CI. The inputs that crashed are kept in
//! `fuzz/regressions/<target>/` and are replayed here too.

use finsam_core::disclosure::Disclosure;
use finsam_core::followup::FollowUpState;
use finsam_core::indicators::Config;

/// A state from JSON, as a finsam error if it is not one.
fn read_state(text: &str) -> finsam_core::Result<FollowUpState> {
    Ok(serde_json::from_str(text)?)
}

/// `state_json`: a state whose cell has kön index 5 (of 3) panicked with an
/// index out of bounds in `finish`. A deserialised state is now validated as
/// it is read, so such a state is an `invalid_json` error and never reaches
/// `finish` or `merge`.
#[test]
fn a_state_with_an_impossible_kon_is_an_error() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/state_json/crash-1b3a6c0f1c323ab6e333c46282860089a1cbb320"
    );
    // The second: more ended without a status than ended (a subtraction overflowed).
    let second = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/state_json/crash-350d36cc9e5ba450157ee3e95cdbc727a00e7221"
    );
    for path in [path, second] {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(read_state(&text).unwrap_err().code(), "invalid_json", "{path}");
    }
    // The other inconsistencies a hand-edited state can have.
    let good = r#"{"groups":[],"cells":[{"ar":2021,"forbund":7,"kon":0}],"counts":[{"startade":1,"avslutade":1,"utan_status":0,"utfall":[1,0,0,0,0,0,0,0],"dagar":[]}],"persons":{"ids":[1],"cells":[0]},"rows":1}"#;
    read_state(good).unwrap().finish(&Config::default()).unwrap();
    for bad in [
        good.replace(r#""cells":[0]"#, r#""cells":[1]"#),
        good.replace(r#""ids":[1]"#, r#""ids":[1,2]"#),
        good.replace(r#""dagar":[]"#, r#""dagar":[{"n":0,"missing":0,"sum":0,"sum_sq":0}]"#),
        good.replace(r#""startade":1"#, r#""startade":18446744073709551615"#),
        good.replace(r#""utan_status":0"#, r#""utan_status":1"#),
        good.replace(
            r#","counts":[{"startade":1,"avslutade":1,"utan_status":0,"utfall":[1,0,0,0,0,0,0,0],"dagar":[]}]"#,
            r#","counts":[]"#,
        ),
    ] {
        assert_eq!(read_state(&bad).unwrap_err().code(), "invalid_json", "{bad}");
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

//! The follow-up of a flat extract: a hand-worked case, merging, the Arrow
//! reader against the CSV reader, and errors with their locations.

use finsam_core::disclosure::{Cell, Disclosure};
use finsam_core::followup::{FlatCsvOptions, FollowUpState};
use finsam_core::indicators::Config;

const HEAD: &str = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter;sp_rp_fore;sp_rp_efter;extra\n";
const ROWS: &str = "1;1;K;2021-01-10;2021-06-30;arbete;100;50;x\n\
                    1;2;K;2021-07-01;2021-12-31;studier;50;20;x\n\
                    2;1;M;2021-02-01;2021-09-30;arbetssokande;0;10;x\n\
                    3;1;M;2021-03-01;2022-01-15;sjukskriven;30;;x\n\
                    4;2;K;2020-05-05;2021-03-03;;10;10;x\n\
                    5;2;M;2022-02-02;;;0;;x\n";

fn open() -> Config {
    Config { disclosure: Disclosure::OFF, ..Config::default() }
}

fn read(text: &str, options: &FlatCsvOptions) -> finsam_core::Result<FollowUpState> {
    FollowUpState::from_csv_reader(text.as_bytes(), "extract.csv", options)
}

#[test]
fn hand_worked_extract() {
    let state = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap();
    let f = state.finish(&open()).unwrap();
    let v = |t: &finsam_core::report::Table, key: &[&str], col: &str| t.value(key, col);
    // 2021: four ended (person 1 twice), three persons, one without status.
    assert_eq!(v(&f.national, &["2021"], "n_avslutade"), Some(4.0));
    assert_eq!(v(&f.national, &["2021"], "n_deltagare"), Some(3.0));
    assert_eq!(v(&f.national, &["2021"], "utan_status"), Some(1.0));
    assert_eq!(v(&f.national, &["2021"], "andel_arbete_studier"), Some(2.0 / 3.0));
    assert_eq!(v(&f.national, &["2021"], "andel_arbete_studier_sokande"), Some(1.0));
    assert_eq!(v(&f.by_kon, &["2021", "kvinna"], "n_deltagare"), Some(2.0));
    assert_eq!(v(&f.by_kon, &["2021", "kvinna"], "andel_arbete_studier"), Some(1.0));
    assert_eq!(v(&f.by_kon, &["2021", "man"], "andel_arbete_studier"), Some(0.0));
    // Person 1 ended in both förbund: counted once in each.
    assert_eq!(v(&f.by_forbund, &["2021", "1"], "n_deltagare"), Some(2.0));
    assert_eq!(v(&f.by_forbund, &["2021", "2"], "n_deltagare"), Some(2.0));
    assert_eq!(v(&f.national, &["2022"], "andel_arbete_studier_sokande"), Some(0.0));
    // Wilson interval of 2/3 at 95 % (statsmodels proportion_confint).
    let lo = v(&f.national, &["2021"], "lo").unwrap();
    let hi = v(&f.national, &["2021"], "hi").unwrap();
    assert!((lo - 0.207_659_600_802_047_7).abs() < 1e-12, "{lo}");
    assert!((hi - 0.938_508_055_279_603_7).abs() < 1e-12, "{hi}");
    // sp_rp 2021: −50, −30, +10, 0 → mean −17.5, sd² = 2275/3, t(0.975, 3) = 3.1824463052837078 (scipy).
    let half = 3.182_446_305_283_707_8 * (2275.0f64 / 3.0 / 4.0).sqrt();
    assert_eq!(v(&f.benefit_days, &["2021", "alla"], "n_sp_rp"), Some(4.0));
    assert_eq!(v(&f.benefit_days, &["2021", "alla"], "sp_rp_medel"), Some(-17.5));
    assert!((v(&f.benefit_days, &["2021", "alla"], "sp_rp_lo").unwrap() - (-17.5 - half)).abs() < 1e-9);
    assert!((v(&f.benefit_days, &["2021", "alla"], "sp_rp_hi").unwrap() - (-17.5 + half)).abs() < 1e-9);
    assert!(f.benefit_days.notes.iter().any(|n| n.contains("sp_rp: 1 ended")), "{:?}", f.benefit_days.notes);
    // Started: 2020 1, 2021 4 (+300 %), 2022 1 (−75 %).
    assert_eq!(v(&f.started, &["2021"], "n_startade"), Some(4.0));
    assert_eq!(v(&f.started, &["2021"], "forandring_pct"), Some(300.0));
    assert_eq!(v(&f.started, &["2022"], "forandring_pct"), Some(-75.0));
    assert_eq!(f.rows, 6);
}

#[test]
fn small_cells_are_withheld_by_default() {
    let state = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap();
    let f = state.finish(&Config::default()).unwrap();
    assert!(matches!(f.national.get(&["2021"], "n_avslutade"), Some(Cell::Suppressed(_))));
    assert_eq!(f.national.value(&["2021"], "andel_arbete_studier"), None);
}

#[test]
fn merged_parts_equal_the_whole_for_any_cut_and_thread_count() {
    let whole = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap().finish(&open()).unwrap();
    let lines: Vec<&str> = ROWS.lines().collect();
    for cut in 0..=lines.len() {
        let (a, b) = lines.split_at(cut);
        let part = |rows: &[&str]| {
            read(
                &format!("{HEAD}{}", rows.iter().map(|r| format!("{r}\n")).collect::<String>()),
                &FlatCsvOptions::default(),
            )
            .unwrap()
        };
        let mut state = part(b);
        state.merge(part(a)).unwrap();
        assert_eq!(state.finish(&open()).unwrap(), whole, "cut at {cut}");
    }
    for threads in [1, 3] {
        let options = FlatCsvOptions { threads, block_size: 1, ..FlatCsvOptions::default() };
        let big: String = std::iter::repeat_n(ROWS, 2000).collect();
        let one = read(&format!("{HEAD}{big}"), &FlatCsvOptions { threads: 1, ..Default::default() }).unwrap();
        let many = read(&format!("{HEAD}{big}"), &options).unwrap();
        assert_eq!(one.finish(&open()).unwrap(), many.finish(&open()).unwrap());
    }
}

#[test]
fn state_round_trips_through_json() {
    let state = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap();
    let back: FollowUpState = serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
    assert_eq!(back.finish(&open()).unwrap(), state.finish(&open()).unwrap());
}

#[test]
fn quoted_fields_windows_1252_and_commas() {
    let text = "\u{feff}deltagare_id,forbund_id,kon,startdatum,slutdatum,status_efter\r\n1,\"7\",\"K\",2021-01-01,2021-02-01,\"arbetss\u{f6}kande\"\r\n";
    let f = read(text, &FlatCsvOptions::default()).unwrap().finish(&open()).unwrap();
    assert_eq!(f.national.value(&["2021"], "andel_arbete_studier_sokande"), Some(1.0));
    let mut latin1 =
        b"deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n1;7;K;2021-01-01;2021-02-01;arbetss".to_vec();
    latin1.extend_from_slice(b"\xF6kande\n");
    let state = FollowUpState::from_csv_reader(&latin1[..], "latin1.csv", &FlatCsvOptions::default()).unwrap();
    assert_eq!(state.finish(&open()).unwrap().national.value(&["2021"], "andel_arbete_studier_sokande"), Some(1.0));
}

#[test]
fn bad_rows_are_typed_errors_at_their_line() {
    let cases: [(&str, &str, u64, &str); 7] = [
        ("1;1;K;2021-01-10;2020-06-30;arbete;1;1;x\n", "end_before_start", 2, "slutdatum"),
        ("1;1;K;2021-01-10;;arbete;1;1;x\n", "outcome_without_end", 2, "status_efter"),
        ("1;1;X;2021-01-10;;;1;1;x\n", "invalid_code", 2, "kon"),
        ("1;1;K;2021-02-30;;;1;1;x\n", "invalid_date", 2, "startdatum"),
        ("1;1;K;2021-01-10;;;400;1;x\n", "invalid_days", 2, "sp_rp_fore"),
        ("a;1;K;2021-01-10;;;1;1;x\n", "invalid_number", 2, "deltagare_id"),
        (";1;K;2021-01-10;;;1;1;x\n", "missing_value", 2, "deltagare_id"),
    ];
    for (row, code, line, column) in cases {
        let text = format!("{HEAD}{}{row}", "");
        let e = read(&text, &FlatCsvOptions::default()).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        let at = e.location().unwrap();
        assert_eq!((at.line, at.column.as_deref()), (Some(line), Some(column)), "{e}");
    }
    // The earliest bad line is reported even when several threads fail.
    let good: String = std::iter::repeat_n("1;1;K;2021-01-10;;;1;1;x\n", 5000).collect();
    let text = format!("{HEAD}{good}1;1;K;2021-01-10;;;1;1\n{good}1;1;Q;2021-01-10;;;1;1;x\n");
    let e = read(&text, &FlatCsvOptions { block_size: 4096, ..Default::default() }).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().line), ("wrong_field_count", Some(5002)));
    let e = read("deltagare_id;kon\n1;K\n", &FlatCsvOptions::default()).unwrap_err();
    assert_eq!(e.code(), "missing_column");
    let e = FollowUpState::from_csv(std::path::Path::new("/no/such/file.csv"), &Default::default()).unwrap_err();
    assert_eq!(e.code(), "io");
}

#[test]
fn arrow_batches_give_the_same_result_as_csv() {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, Date32Array, DictionaryArray, Int16Array, Int64Array, RecordBatch, StringViewArray};
    let csv = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap().finish(&open()).unwrap();
    let day = |s: &str| s.parse::<finsam_core::Date>().unwrap().days_since_epoch();
    let rows: Vec<Vec<&str>> = ROWS.lines().map(|l| l.split(';').collect()).collect();
    let col = |i: usize| rows.iter().map(move |r| r[i]);
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let batch = RecordBatch::try_from_iter([
        ("deltagare_id", Arc::new(Int64Array::from_iter_values(col(0).map(|s| s.parse().unwrap()))) as ArrayRef),
        ("forbund_id", Arc::new(Int16Array::from_iter_values(col(1).map(|s| s.parse().unwrap())))),
        ("kon", Arc::new(col(2).collect::<DictionaryArray<Int32Type>>())),
        ("startdatum", Arc::new(Date32Array::from_iter_values(col(3).map(day)))),
        ("slutdatum", Arc::new(Date32Array::from_iter(col(4).map(|s| opt(s).map(|s| day(&s)))))),
        ("status_efter", Arc::new(StringViewArray::from_iter(col(5).map(opt)))),
        ("sp_rp_fore", Arc::new(Int16Array::from_iter(col(6).map(|s| opt(s).map(|s| s.parse().unwrap()))))),
        ("sp_rp_efter", Arc::new(Int16Array::from_iter(col(7).map(|s| opt(s).map(|s| s.parse().unwrap()))))),
    ])
    .unwrap();
    for threads in [1, 2] {
        let halves = [batch.slice(0, 3), batch.slice(3, 3)];
        let state = FollowUpState::from_record_batches(&halves, threads).unwrap();
        assert_eq!(state.finish(&open()).unwrap(), csv);
    }
    let bad = RecordBatch::try_from_iter([
        ("deltagare_id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
        ("forbund_id", Arc::new(Int64Array::from(vec![1, 1]))),
        ("kon", Arc::new(StringViewArray::from(vec!["K", "nej"]))),
        ("startdatum", Arc::new(Date32Array::from(vec![18_000, 18_000]))),
        ("slutdatum", Arc::new(Date32Array::from(vec![None, None]))),
        ("status_efter", Arc::new(StringViewArray::from(vec![None::<&str>, None]))),
    ])
    .unwrap();
    let e = FollowUpState::from_record_batches(&[bad], 2).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().row), ("invalid_code", Some(1)));
}

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
    let lo = v(&f.national, &["2021"], "andel_arbete_studier_lo").unwrap();
    let hi = v(&f.national, &["2021"], "andel_arbete_studier_hi").unwrap();
    assert!((lo - 0.207_659_600_802_047_7).abs() < 1e-12, "{lo}");
    assert!((hi - 0.938_508_055_279_603_7).abs() < 1e-12, "{hi}");
    // sp_rp 2021: −50, −30, +10, 0 → mean −17.5, sd² = 2275/3, t(0.975, 3) = 3.1824463052837078 (scipy).
    let half = 3.182_446_305_283_707_8 * (2275.0f64 / 3.0 / 4.0).sqrt();
    assert_eq!(v(&f.benefit_days, &["2021", "alla"], "n_sp_rp"), Some(4.0));
    assert_eq!(v(&f.benefit_days, &["2021", "alla"], "sp_rp_medel"), Some(-17.5));
    assert!((v(&f.benefit_days, &["2021", "alla"], "sp_rp_medel_lo").unwrap() - (-17.5 - half)).abs() < 1e-9);
    assert!((v(&f.benefit_days, &["2021", "alla"], "sp_rp_medel_hi").unwrap() - (-17.5 + half)).abs() < 1e-9);
    assert!(f.benefit_days.notes.iter().any(|n| n.contains("sp_rp: 1 ended")), "{:?}", f.benefit_days.notes);
    // Started: 2020 1, 2021 4 (+300 %), 2022 1 (−75 %).
    assert_eq!(v(&f.started, &["2021"], "n_startade"), Some(4.0));
    assert_eq!(v(&f.started, &["2021"], "forandring_procent"), Some(300.0));
    assert_eq!(v(&f.started, &["2022"], "forandring_procent"), Some(-75.0));
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
        // Distinct rows (an exact repeat is an error): the unused column counts.
        let big: String = (0..2000).map(|i| ROWS.replace(";x", &format!(";{i}"))).collect();
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

/// The six rows of `ROWS` as Arrow columns of the given layouts, with
/// `pad` junk rows before and after (so that a slice must honour offsets).
mod frames {
    use std::sync::Arc;

    use arrow_array::builder::{StringDictionaryBuilder, StringViewBuilder};
    use arrow_array::types::{Int8Type, Int16Type};
    use arrow_array::{
        ArrayRef, Date32Array, DictionaryArray, Int16Array, Int64Array, LargeStringArray, RecordBatch, StringArray,
        StringViewArray, UInt64Array,
    };
    use arrow_buffer::{NullBuffer, ScalarBuffer};

    pub(super) fn day(s: &str) -> i32 {
        s.parse::<finsam_core::Date>().unwrap().days_since_epoch()
    }

    pub(super) fn rows(pad: usize) -> Vec<Vec<String>> {
        let junk = "9;9;X;1999-01-01;;;0;0;x".split(';').map(str::to_owned).collect::<Vec<_>>();
        let mut rows: Vec<Vec<String>> = vec![junk.clone(); pad];
        rows.extend(super::ROWS.lines().map(|l| l.split(';').map(str::to_owned).collect()));
        rows.extend(vec![junk; pad]);
        rows
    }

    /// Every column in another layout: kon as a dictionary of large strings
    /// keyed by int8, status as a dictionary of string views keyed by int16,
    /// dates as text views, days as uint64 with a garbage value under nulls.
    pub(super) fn unusual(pad: usize) -> RecordBatch {
        let rows = rows(pad);
        let col = |i: usize| rows.iter().map(move |r| r[i].clone());
        let opt = |s: String| (!s.is_empty()).then_some(s);
        let mut kon = arrow_array::builder::LargeStringDictionaryBuilder::<Int8Type>::new();
        col(2).for_each(|s| kon.append_value(s));
        // Dictionary keys into string views, built by hand (arrow-rs has no builder).
        let codes = ["arbete", "studier", "arbetssokande", "sjukskriven"];
        let keys: Int16Array = col(5).map(|s| codes.iter().position(|c| *c == s).map(|i| i as i16)).collect();
        let status =
            DictionaryArray::<Int16Type>::try_new(keys, Arc::new(StringViewArray::from(codes.to_vec()))).unwrap();
        let mut start = StringViewBuilder::new();
        col(3).for_each(|s| start.append_value(s));
        let days = |i: usize| {
            let values: Vec<u64> = col(i).map(|s| s.parse().unwrap_or(u64::MAX)).collect();
            let valid: Vec<bool> = col(i).map(|s| !s.is_empty()).collect();
            Arc::new(UInt64Array::new(ScalarBuffer::from(values), Some(NullBuffer::from(valid)))) as ArrayRef
        };
        RecordBatch::try_from_iter([
            ("deltagare_id", Arc::new(Int64Array::from_iter_values(col(0).map(|s| s.parse().unwrap()))) as ArrayRef),
            ("forbund_id", Arc::new(Int16Array::from_iter_values(col(1).map(|s| s.parse().unwrap())))),
            ("kon", Arc::new(kon.finish())),
            ("startdatum", Arc::new(start.finish())),
            ("slutdatum", Arc::new(LargeStringArray::from_iter(col(4).map(opt)))),
            ("status_efter", Arc::new(status)),
            ("sp_rp_fore", days(6)),
            ("sp_rp_efter", days(7)),
        ])
        .unwrap()
    }

    /// Plain layouts with pandas-style folded headers.
    pub(super) fn folded_headers() -> RecordBatch {
        let rows = rows(0);
        let col = |i: usize| rows.iter().map(move |r| r[i].clone());
        let opt = |s: String| (!s.is_empty()).then_some(s);
        let mut kon = StringDictionaryBuilder::<Int8Type>::new();
        col(2).for_each(|s| kon.append_value(s));
        RecordBatch::try_from_iter([
            ("Deltagare-ID", Arc::new(Int64Array::from_iter_values(col(0).map(|s| s.parse().unwrap()))) as ArrayRef),
            ("Förbund ID", Arc::new(Int16Array::from_iter_values(col(1).map(|s| s.parse().unwrap())))),
            ("Kön", Arc::new(kon.finish())),
            ("Startdatum", Arc::new(Date32Array::from_iter_values(col(3).map(|s| day(&s))))),
            ("Slutdatum", Arc::new(Date32Array::from_iter(col(4).map(|s| opt(s).map(|s| day(&s)))))),
            ("Status efter", Arc::new(StringArray::from_iter(col(5).map(opt)))),
            ("SP/RP före", Arc::new(Int16Array::from_iter(col(6).map(|s| opt(s).map(|s| s.parse().unwrap()))))),
            ("SP/RP efter", Arc::new(Int16Array::from_iter(col(7).map(|s| opt(s).map(|s| s.parse().unwrap()))))),
        ])
        .unwrap()
    }
}

fn csv_result() -> finsam_core::followup::FollowUp {
    read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap().finish(&open()).unwrap()
}

#[test]
fn sliced_dictionary_large_and_view_columns_read_like_csv() {
    let batch = frames::unusual(3);
    for threads in [1, 2] {
        let state = FollowUpState::from_record_batches(&[batch.slice(3, 6)], threads).unwrap();
        assert_eq!(state.finish(&open()).unwrap(), csv_result());
        let halves = [batch.slice(3, 2), batch.slice(5, 4)];
        assert_eq!(
            FollowUpState::from_record_batches(&halves, threads).unwrap().finish(&open()).unwrap(),
            csv_result()
        );
    }
}

#[test]
fn arrow_headers_are_folded_like_the_contract_reader() {
    let state = FollowUpState::from_record_batches(&[frames::folded_headers()], 2).unwrap();
    assert_eq!(state.finish(&open()).unwrap(), csv_result());
    assert_eq!(state.groups().len(), 1);
}

#[test]
fn nulls_inside_dictionaries_are_missing_values_or_no_status() {
    use std::sync::Arc;

    use arrow_array::types::{Int8Type, Int32Type};
    use arrow_array::{
        ArrayRef, Date32Array, DictionaryArray, Int8Array, Int32Array, Int64Array, RecordBatch, StringArray,
    };
    let batch = |kon: ArrayRef, status: ArrayRef| {
        RecordBatch::try_from_iter([
            ("deltagare_id", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
            ("forbund_id", Arc::new(Int64Array::from(vec![1, 1, 1]))),
            ("kon", kon),
            ("startdatum", Arc::new(Date32Array::from(vec![18_000; 3]))),
            ("slutdatum", Arc::new(Date32Array::from(vec![18_100; 3]))),
            ("status_efter", status),
        ])
        .unwrap()
    };
    let dict = |keys: Vec<Option<i8>>, values: Vec<Option<&str>>| -> ArrayRef {
        Arc::new(
            DictionaryArray::<Int8Type>::try_new(Int8Array::from(keys), Arc::new(StringArray::from(values))).unwrap(),
        )
    };
    let status = dict(vec![Some(0), Some(0), Some(0)], vec![Some("arbete")]);
    // A null key, and a key pointing at a null entry of the dictionary.
    for kon in [
        dict(vec![Some(0), None, Some(1)], vec![Some("K"), Some("M")]),
        dict(vec![Some(0), Some(1), Some(0)], vec![Some("K"), None]),
    ] {
        for threads in [1, 2] {
            let e = FollowUpState::from_record_batches(&[batch(kon.clone(), status.clone())], threads).unwrap_err();
            let at = e.location().unwrap();
            assert_eq!((e.code(), at.row, at.column.as_deref()), ("missing_value", Some(1), Some("kon")), "{e}");
        }
    }
    // The same in a nullable column is an ended participation without a status.
    let kon = dict(vec![Some(0), Some(1), Some(0)], vec![Some("K"), Some("M")]);
    for status in [
        dict(vec![Some(0), None, Some(1)], vec![Some("arbete"), Some("studier")]),
        dict(vec![Some(0), Some(1), Some(0)], vec![Some("arbete"), None]),
    ] {
        let f = FollowUpState::from_record_batches(&[batch(kon.clone(), status)], 1).unwrap().finish(&open()).unwrap();
        let ar = finsam_core::Date::from_days_since_epoch(18_100).unwrap().year().to_string();
        assert_eq!(f.national.value(&[&ar], "n_avslutade"), Some(3.0));
        assert_eq!(f.national.value(&[&ar], "utan_status"), Some(1.0));
    }
    // A dictionary of numbers is not a column of codes.
    let numbers: ArrayRef = Arc::new(
        DictionaryArray::<Int32Type>::try_new(Int32Array::from(vec![0, 0, 0]), Arc::new(Int8Array::from(vec![1])))
            .unwrap(),
    );
    let e = FollowUpState::from_record_batches(&[batch(numbers, status.clone())], 1).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("arrow_type", Some("kon")), "{e}");
}

#[test]
fn timestamps_count_on_their_civil_date_in_their_own_zone() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray, TimestampSecondArray};
    let batch = |start: ArrayRef, slut: ArrayRef| {
        RecordBatch::try_from_iter([
            ("deltagare_id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
            ("forbund_id", Arc::new(Int64Array::from(vec![1, 1]))),
            ("kon", Arc::new(StringArray::from(vec!["K", "M"]))),
            ("startdatum", start),
            ("slutdatum", slut),
            ("status_efter", Arc::new(StringArray::from(vec![Some("arbete"), None]))),
        ])
        .unwrap()
    };
    let secs = |d: jiff::civil::Date, zone: &str| d.at(0, 0, 0, 0).in_tz(zone).unwrap().timestamp().as_second();
    let (new_year, midsummer) = (jiff::civil::date(2021, 1, 1), jiff::civil::date(2021, 6, 25));
    let at = |values: Vec<Option<i64>>, zone: &str| -> ArrayRef {
        Arc::new(TimestampSecondArray::from(values).with_timezone(zone))
    };
    // Midnight in Stockholm (winter and summer time) and at a fixed offset.
    let start = at(
        vec![Some(secs(new_year, "Europe/Stockholm")), Some(secs(new_year, "Europe/Stockholm"))],
        "Europe/Stockholm",
    );
    let slut = at(vec![Some(secs(midsummer, "Europe/Stockholm")), None], "Europe/Stockholm");
    // Etc/GMT-1 is the IANA name of +01:00.
    let fixed = at(vec![Some(secs(midsummer, "Etc/GMT-1")), None], "+01:00");
    for slut in [slut, fixed] {
        let f = FollowUpState::from_record_batches(&[batch(start.clone(), slut)], 1).unwrap().finish(&open()).unwrap();
        assert_eq!(f.started.value(&["2021"], "n_startade"), Some(2.0), "{}", f.to_markdown());
        assert_eq!(f.started.value(&["2020"], "n_startade"), None);
        assert_eq!(f.national.value(&["2021"], "n_avslutade"), Some(1.0));
    }
    // The same instants in a date column without a zone are not midnight.
    let end = Arc::new(Date32Array::from(vec![Some(19_000), None])) as ArrayRef;
    let naive: ArrayRef = Arc::new(TimestampSecondArray::from(vec![secs(new_year, "Europe/Stockholm"); 2]));
    let e = FollowUpState::from_record_batches(&[batch(naive, end.clone())], 1).unwrap_err();
    let at_ = e.location().unwrap();
    assert_eq!(
        (e.code(), at_.column.as_deref(), at_.value.as_deref()),
        ("invalid_date", Some("startdatum"), Some("2020-12-31T23:00:00"))
    );
    let noon = at(vec![Some(secs(new_year, "Europe/Stockholm") + 12 * 3600); 2], "Europe/Stockholm");
    let e = FollowUpState::from_record_batches(&[batch(noon, end.clone())], 1).unwrap_err();
    assert_eq!(e.code(), "invalid_date");
    assert_eq!(e.location().unwrap().value.as_deref(), Some("2021-01-01T12:00:00+01:00[Europe/Stockholm]"));
    let mars = at(vec![Some(0); 2], "Mars/Olympus_Mons");
    let e = FollowUpState::from_record_batches(&[batch(mars, end)], 1).unwrap_err();
    let at_ = e.location().unwrap();
    assert_eq!(
        (e.code(), at_.column.as_deref(), at_.value.as_deref()),
        ("arrow_type", Some("startdatum"), Some("Mars/Olympus_Mons")),
        "{e}"
    );
}

#[test]
fn empty_inputs_need_the_columns_but_no_rows() {
    use std::sync::Arc;

    use arrow_array::RecordBatch;
    use arrow_schema::Schema;
    let e = FollowUpState::from_record_batches(&[], 2).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("missing_column", Some("deltagare_id")));
    let no_columns = RecordBatch::new_empty(Arc::new(Schema::empty()));
    let e = FollowUpState::from_record_batches(&[no_columns], 2).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("missing_column", Some("deltagare_id")));
    let no_rows = frames::folded_headers().slice(0, 0);
    let state = FollowUpState::from_record_batches(&[no_rows], 2).unwrap();
    assert_eq!(state.rows(), 0);
    assert!(state.finish(&open()).unwrap().national.rows.is_empty());
}

#[test]
fn tampered_states_are_invalid_json_never_a_panic() {
    let state = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap();
    let json: serde_json::Value = serde_json::to_value(&state).unwrap();
    let tamper = |path: &[&str], value: serde_json::Value| {
        let mut j = json.clone();
        let mut at = &mut j;
        for p in path {
            at = match p.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*p],
            };
        }
        *at = value;
        serde_json::from_value::<FollowUpState>(j)
    };
    let cases = [
        (vec!["persons", "cells", "0"], serde_json::json!(1000)),
        (vec!["counts", "0", "utan_status"], serde_json::json!(99)),
        (vec!["counts", "0", "avslutade"], serde_json::json!(0)),
        (vec!["counts", "0", "startade"], serde_json::json!(7)),
        (vec!["cells", "0", "kon"], serde_json::json!(200)),
        (vec!["cells", "0", "ar"], serde_json::json!(-2_000_000_000)),
        (vec!["counts", "0", "dagar"], serde_json::json!([])),
        (vec!["counts", "0", "dagar", "0", "n"], serde_json::json!(40)),
        (vec!["counts", "0", "dagar", "0", "sum_sq"], serde_json::json!(-1)),
        (vec!["counts"], serde_json::json!([])),
        (vec!["rows"], serde_json::json!(2)),
        (vec!["persons", "ids"], serde_json::json!([])),
    ];
    for (path, value) in cases {
        let e: finsam_core::Error = tamper(&path, value.clone()).map(|_| ()).unwrap_err().into();
        assert_eq!(e.code(), "invalid_json", "{path:?} = {value}: {e}");
    }
    // The index of a second cell with the key of the first.
    let mut j = json.clone();
    j["cells"][1] = j["cells"][0].clone();
    assert!(serde_json::from_value::<FollowUpState>(j).is_err());
    // Merging refuses states whose sums would overflow.
    let mut big = json.clone();
    big["rows"] = serde_json::json!(u64::MAX - 1);
    let counts = big["counts"].as_array_mut().unwrap();
    let s = counts[0]["startade"].as_u64().unwrap();
    let total: u64 = state.cells().values().map(|c| c.startade).sum();
    counts[0]["startade"] = serde_json::json!(s + (u64::MAX - 1 - total));
    let big: FollowUpState = serde_json::from_value(big).unwrap();
    let mut sum = big.clone();
    assert_eq!(sum.merge(big).unwrap_err().code(), "invalid_argument");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]
    /// Any number of a valid serialised state replaced by any other: the
    /// state is refused, or it finishes and merges without a panic.
    #[test]
    fn mutated_states_never_panic(pick in 0usize..10_000, value in proptest::prelude::any::<i64>(), small in 0i64..6) {
        let state = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap();
        let mut json: serde_json::Value = serde_json::to_value(&state).unwrap();
        /// The JSON pointer of every number.
        fn numbers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Number(_) => out.push(at),
                serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| numbers(x, format!("{at}/{i}"), out)),
                serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| numbers(x, format!("{at}/{k}"), out)),
                _ => {}
            }
        }
        let mut paths = Vec::new();
        numbers(&json, String::new(), &mut paths);
        let target = json.pointer_mut(&paths[pick % paths.len()]).unwrap();
        *target = serde_json::json!(if pick % 2 == 0 { value } else { small });
        if let Ok(tampered) = serde_json::from_value::<FollowUpState>(json) {
            let _ = tampered.finish(&open());
            let mut merged = tampered.clone();
            let _ = merged.merge(state.clone()).map(|()| merged.finish(&open()));
            let mut merged = state.clone();
            let _ = merged.merge(tampered).map(|()| merged.finish(&open()));
        }
    }
}

#[test]
fn csv_headers_are_folded_and_empty_excel_columns_ignored() {
    let head = "Deltagare-ID;Förbund ID;Kön;Startdatum;Slutdatum;Status efter;SP/RP före;SP/RP efter;extra;;\n";
    let rows: String = ROWS.lines().map(|l| format!("{l};;\n")).collect();
    let state = read(&format!("{head}{rows}"), &FlatCsvOptions::default()).unwrap();
    assert_eq!(state.finish(&open()).unwrap(), csv_result());
    // Errors name the column as the file spells it.
    let e = read(&format!("{head}1;1;X;2021-01-10;;;1;1;x;;\n"), &FlatCsvOptions::default()).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("invalid_code", Some("Kön")));
    // A used column twice is ambiguous; unused ones may repeat.
    let e = read(
        "deltagare_id;Deltagare ID;forbund_id;kon;startdatum;slutdatum;status_efter\n",
        &FlatCsvOptions::default(),
    )
    .unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("duplicate_column", Some("Deltagare ID")));
    let e = read("forbund_id;kon;startdatum;slutdatum;status_efter\n", &FlatCsvOptions::default()).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("missing_column", Some("deltagare_id")));
}

#[test]
fn quoted_fields_hold_delimiters_and_newlines_across_blocks() {
    // Every row has a quoted field with the delimiter, a quote and a line
    // break; blocks of 4 KiB cut the file in many places.
    let rows: String =
        ROWS.lines().map(|l| l.replace(";x", ";\"a;\"\"b\"\"\r\nc\"")).map(|l| format!("{l}\r\n")).collect();
    let one = read(&format!("{HEAD}{rows}"), &FlatCsvOptions::default()).unwrap();
    assert_eq!(one.finish(&open()).unwrap(), csv_result());
    let quoted = |i: usize| rows.replace(";\"a;", &format!(";\"{i};"));
    let many: String = (0..2000).map(quoted).collect();
    let plain: String = (0..2000).map(|i| ROWS.replace(";x", &format!(";{i}"))).collect();
    for threads in [1, 2, 3] {
        let options = FlatCsvOptions { threads, block_size: 1, ..FlatCsvOptions::default() };
        let quoted = read(&format!("{HEAD}{many}"), &options).unwrap();
        let expected = read(&format!("{HEAD}{plain}"), &options).unwrap();
        assert_eq!(quoted.finish(&open()).unwrap(), expected.finish(&open()).unwrap());
    }
    // Lines are counted across the line breaks inside quotes.
    let bad = format!("{HEAD}{rows}1;1;Q;2021-01-10;;;1;1;\"x\ny\"\n");
    let e = read(&bad, &FlatCsvOptions::default()).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().line), ("invalid_code", Some(2 + 2 * 6)), "{e}");
}

#[test]
fn exact_duplicate_rows_are_refused_naming_both_lines() {
    let rows: Vec<&str> = ROWS.lines().collect();
    let text = format!("{HEAD}{}\n{}\n{}\n{}\n", rows[0], rows[1], rows[2], rows[1]);
    for threads in [1, 2] {
        let e = read(&text, &FlatCsvOptions { threads, ..Default::default() }).unwrap_err();
        assert_eq!(e.code(), "duplicate_row", "{e}");
        assert_eq!(e.location().unwrap().line, Some(5));
        let finsam_core::Error::DuplicateRow { first_row, first_line, .. } = &e else { panic!("{e}") };
        assert_eq!((*first_row, *first_line), (1, Some(3)));
        assert!(e.to_string().contains("line 3"), "{e}");
    }
    // Across blocks and threads, the earliest repeat is named.
    let body: String = (0..20_000).map(|i| format!("{i};1;K;2021-01-10;;;1;1;x\n")).collect();
    let text = format!("{HEAD}{body}17;1;K;2021-01-10;;;1;1;x\n5;1;K;2021-01-10;;;1;1;x\n");
    let e = read(&text, &FlatCsvOptions { threads: 2, block_size: 4096, ..Default::default() }).unwrap_err();
    let finsam_core::Error::DuplicateRow { first_row, first_line, .. } = &e else { panic!("{e}") };
    assert_eq!((e.location().unwrap().line, *first_row, *first_line), (Some(20_002), 17, Some(19)));
    // Rows are records: a quoted line break and a blank line start none.
    let quoted = "1;1;K;2021-01-10;;;1;1;\"a\r\nb\"\r\n";
    let text = format!("{HEAD}{quoted}\r\n2;1;K;2021-01-10;;;1;1;x\r\n{quoted}");
    for block_size in [1, 1 << 20] {
        let e = read(&text, &FlatCsvOptions { block_size, ..Default::default() }).unwrap_err();
        let finsam_core::Error::DuplicateRow { first_row, first_line, .. } = &e else { panic!("{e}") };
        let at = e.location().unwrap();
        assert_eq!((at.line, at.row, *first_row, *first_line), (Some(6), Some(2), 0, Some(2)), "{e}");
    }
    // Rows that differ in any column, even an unused one, are not duplicates.
    let text = format!("{HEAD}{}\n{}\n", rows[0], rows[0].replace(";x", ";y"));
    assert!(read(&text, &FlatCsvOptions::default()).is_ok());
}

#[test]
fn exact_duplicate_rows_of_a_frame_are_refused_like_those_of_a_file() {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, Date32Array, DictionaryArray, Int64Array, RecordBatch, StringArray};
    // Row 3 repeats row 1 in every column; a later row differs from row 0 only
    // in an unused column, which makes it another row (as in a file).
    let batch = |extra: [&str; 4]| {
        RecordBatch::try_from_iter([
            ("deltagare_id", Arc::new(Int64Array::from(vec![1, 2, 3, 2])) as ArrayRef),
            ("forbund_id", Arc::new(Int64Array::from(vec![1, 1, 2, 1]))),
            ("kon", Arc::new(["K", "M", "K", "M"].into_iter().collect::<DictionaryArray<Int32Type>>())),
            ("startdatum", Arc::new(Date32Array::from(vec![18_700, 18_710, 18_720, 18_710]))),
            ("slutdatum", Arc::new(Date32Array::from(vec![Some(18_800), None, Some(18_900), None]))),
            ("status_efter", Arc::new(StringArray::from(vec![Some("arbete"), None, Some("studier"), None]))),
            ("extra", Arc::new(StringArray::from(extra.to_vec()))),
        ])
        .unwrap()
    };
    for threads in [1, 2] {
        // Split so that the repeat is in another slice than its first row.
        let b = batch(["a", "b", "c", "b"]);
        let e = FollowUpState::from_record_batches(&[b.slice(0, 2), b.slice(2, 2)], threads).unwrap_err();
        assert_eq!(e.code(), "duplicate_row", "{e}");
        let finsam_core::Error::DuplicateRow { first_row, .. } = &e else { panic!("{e}") };
        assert_eq!((e.location().unwrap().row, *first_row), (Some(3), 1));
        // The same rows differing in the unused column are not repeats.
        assert!(FollowUpState::from_record_batches(&[batch(["a", "b", "c", "d"])], threads).is_ok());
    }
}

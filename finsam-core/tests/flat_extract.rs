//! Flat extracts read by `ingest::flat` and counted by the engine: a
//! hand-worked case, merging, the Arrow reader against the CSV reader, and
//! errors with their locations.

use finsam_core::disclosure::{Cell, Disclosure};
use finsam_core::engine::{Extract, Partial};
use finsam_core::indicators::{Config, Split};
use finsam_core::ingest::flat::FlatCsvOptions;
use finsam_core::publish::Table;
use finsam_core::report::{self, Source};

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

fn read(text: &str, options: &FlatCsvOptions) -> finsam_core::Result<Extract> {
    Extract::from_csv_reader(text.as_bytes(), "extract.csv", options)
}

/// The tables a follow-up of an extract reads (status after, benefit
/// days, participants), over the years it reports
/// on: compared whole (keys, values, withheld cells, notes).
#[derive(Debug, PartialEq)]
struct Tables {
    national: Table,
    by_kon: Table,
    by_forbund: Table,
    benefit_days: Table,
    participants: Table,
    participants_by_forbund: Table,
}

fn tables<'a>(source: impl Into<Source<'a>>, config: &Config) -> Tables {
    let source = source.into();
    let years = source.years(config).unwrap();
    let by = |names: &[&str]| Split::parse(names).unwrap();
    Tables {
        national: report::outcomes(source, &Split::national(), years.clone(), config).unwrap(),
        by_kon: report::outcomes(source, &by(&["kon"]), years.clone(), config).unwrap(),
        by_forbund: report::outcomes(source, &by(&["forbund"]), years.clone(), config).unwrap(),
        benefit_days: report::benefit_days(source, &by(&["kon"]), years.clone(), config).unwrap(),
        participants: report::participants(source, &Split::national(), years.clone(), config).unwrap(),
        participants_by_forbund: report::participants(source, &by(&["forbund"]), years, config).unwrap(),
    }
}

fn csv_result() -> Tables {
    tables(&read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap(), &open())
}

#[test]
fn hand_worked_extract() {
    let f = csv_result();
    let v = |t: &Table, key: &[&str], col: &str| t.value(key, col);
    // 2021: four ended, three with a status (arbete, studier,
    // arbetssökande), one without.
    assert_eq!(v(&f.national, &["2021"], "n"), Some(3.0));
    assert_eq!(v(&f.national, &["2021"], "utan_status"), Some(1.0));
    assert_eq!(v(&f.national, &["2021"], "andel_arbete_studier"), Some(2.0 / 3.0));
    assert_eq!(v(&f.national, &["2021"], "andel_arbete_studier_sokande"), Some(1.0));
    assert_eq!(v(&f.by_kon, &["2021", "kvinna"], "andel_arbete_studier"), Some(1.0));
    assert_eq!(v(&f.by_kon, &["2021", "man"], "andel_arbete_studier"), Some(0.0));
    assert_eq!(v(&f.by_forbund, &["2021", "1"], "andel_arbete_studier"), Some(0.5));
    assert_eq!(v(&f.national, &["2022"], "andel_arbete_studier_sokande"), Some(0.0));
    // Wilson interval of 2/3 at 95 % (statsmodels proportion_confint).
    let lo = v(&f.national, &["2021"], "andel_arbete_studier_lo").unwrap();
    let hi = v(&f.national, &["2021"], "andel_arbete_studier_hi").unwrap();
    assert!((lo - 0.207_659_600_802_047_7).abs() < 1e-12, "{lo}");
    assert!((hi - 0.938_508_055_279_603_7).abs() < 1e-12, "{hi}");
    // sp_rp 2021: −50, −30, +10, 0 → mean −17.5, sd² = 2275/3, t(0.975, 3) = 3.1824463052837078 (scipy).
    let half = 3.182_446_305_283_707_8 * (2275.0f64 / 3.0 / 4.0).sqrt();
    let days = |key: &[&str], col: &str| v(&f.benefit_days, key, col);
    assert_eq!(days(&["2021", "alla", "sp_rp"], "n"), Some(4.0));
    assert_eq!(days(&["2021", "alla", "sp_rp"], "medel_diff"), Some(-17.5));
    assert!((days(&["2021", "alla", "sp_rp"], "medel_diff_lo").unwrap() - (-17.5 - half)).abs() < 1e-9);
    assert!((days(&["2021", "alla", "sp_rp"], "medel_diff_hi").unwrap() - (-17.5 + half)).abs() < 1e-9);
    // Person 3 ended 2022-01-15: the after-window is open at the cut-off
    // (the latest date, 2022-02-02), so excluded and counted.
    assert_eq!(days(&["2022", "alla", "sp_rp"], "n"), Some(0.0));
    assert_eq!(days(&["2022", "alla", "sp_rp"], "oppet_efterfonster"), Some(1.0));
    // Started: 2020 1, 2021 4, 2022 1; persons active: 1, 4 (1, 2, 3, 4), 2 (3, 5).
    let started: Vec<Option<f64>> =
        ["2020", "2021", "2022"].iter().map(|y| v(&f.participants, &[y], "startade")).collect();
    assert_eq!(started, [Some(1.0), Some(4.0), Some(1.0)]);
    let persons: Vec<Option<f64>> =
        ["2020", "2021", "2022"].iter().map(|y| v(&f.participants, &[y], "deltagare")).collect();
    assert_eq!(persons, [Some(1.0), Some(4.0), Some(2.0)]);
    assert_eq!(v(&f.participants, &["2021"], "deltaganden"), Some(5.0));
    // Person 1 took part in both förbund in 2021: counted once in each.
    assert_eq!(v(&f.participants_by_forbund, &["2021", "1"], "deltagare"), Some(3.0));
    assert_eq!(v(&f.participants_by_forbund, &["2021", "2"], "deltagare"), Some(2.0));
    assert_eq!(v(&f.participants_by_forbund, &["2021", "alla"], "deltagare"), Some(4.0));
}

/// The change in participants from the year before is given between
/// complete years only: 2019 (the first year) and 2022 (cut off on
/// 2022-05-01) are not; 2020 → 2021 is.
#[test]
fn the_change_in_participants_is_given_between_complete_years() {
    let rows = "1;1;K;2019-03-01;2019-05-01;arbete;;;a\n\
                2;1;M;2020-01-10;2020-02-01;arbete;;;a\n\
                3;1;K;2020-03-01;2020-04-01;arbete;;;a\n\
                4;1;K;2021-01-10;2021-02-01;studier;;;a\n\
                5;1;M;2021-03-01;2021-04-01;studier;;;a\n\
                6;1;M;2021-05-01;2021-06-01;studier;;;a\n\
                7;1;K;2022-05-01;;;;;a\n";
    let f = tables(&read(&format!("{HEAD}{rows}"), &FlatCsvOptions::default()).unwrap(), &open());
    let change = |year: &str| f.participants.get(&[year], "forandring_procent").map(|c| c.value());
    assert_eq!(f.participants.value(&["2021"], "deltagare"), Some(3.0));
    assert_eq!(change("2021"), Some(Some(50.0)), "2 → 3 persons");
    assert_eq!(change("2020"), Some(None), "2019 is the first year, not complete");
    assert_eq!(change("2022"), Some(None), "2022 is cut off");
}

#[test]
fn small_cells_are_withheld_by_default() {
    let extract = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap();
    let f = tables(&extract, &Config::default());
    assert!(matches!(f.national.get(&["2021"], "n"), Some(Cell::Suppressed(_))));
    assert_eq!(f.national.value(&["2021"], "andel_arbete_studier"), None);
}

#[test]
fn merged_parts_equal_the_whole_for_any_cut_and_thread_count() {
    let whole = csv_result();
    let lines: Vec<&str> = ROWS.lines().collect();
    let split = Split::parse(&["forbund", "kon"]).unwrap();
    for cut in 0..=lines.len() {
        let (a, b) = lines.split_at(cut);
        let part = |rows: &[&str]| {
            let text = format!("{HEAD}{}", rows.iter().map(|r| format!("{r}\n")).collect::<String>());
            Partial::compute(&read(&text, &FlatCsvOptions::default()).unwrap(), &split, 2020..=2022, &open()).unwrap()
        };
        let mut state = part(b);
        state.merge(part(a)).unwrap();
        assert_eq!(tables(&state, &open()), whole, "cut at {cut}");
    }
    for threads in [1, 3] {
        let options = FlatCsvOptions { threads, block_size: 1, ..FlatCsvOptions::default() };
        // Distinct rows (an exact repeat is an error): the unused column counts.
        let big: String = (0..2000).map(|i| ROWS.replace(";x", &format!(";{i}"))).collect();
        let one = read(&format!("{HEAD}{big}"), &FlatCsvOptions { threads: 1, ..Default::default() }).unwrap();
        let many = read(&format!("{HEAD}{big}"), &options).unwrap();
        assert_eq!(tables(&one, &open()), tables(&many, &open()));
    }
}

#[test]
fn state_round_trips_through_json_and_bytes() {
    let extract = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap();
    let state = Partial::compute(&extract, &Split::parse(&["forbund", "kon"]).unwrap(), 2020..=2022, &open()).unwrap();
    let back = Partial::from_json(&state.to_json().unwrap()).unwrap();
    assert_eq!(tables(&back, &open()), tables(&extract, &open()));
    assert_eq!(Partial::from_bytes(&state.to_bytes().unwrap()).unwrap(), state);
}

#[test]
fn quoted_fields_windows_1252_and_commas() {
    let text = "\u{feff}deltagare_id,forbund_id,kon,startdatum,slutdatum,status_efter\r\n1,\"7\",\"K\",2021-01-01,2021-02-01,\"arbetss\u{f6}kande\"\r\n";
    let f = tables(&read(text, &FlatCsvOptions::default()).unwrap(), &open());
    assert_eq!(f.national.value(&["2021"], "andel_arbete_studier_sokande"), Some(1.0));
    let mut latin1 =
        b"deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n1;7;K;2021-01-01;2021-02-01;arbetss".to_vec();
    latin1.extend_from_slice(b"\xF6kande\n");
    let extract = Extract::from_csv_reader(&latin1[..], "latin1.csv", &FlatCsvOptions::default()).unwrap();
    assert_eq!(tables(&extract, &open()).national.value(&["2021"], "andel_arbete_studier_sokande"), Some(1.0));
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
    let e = Extract::from_csv(std::path::Path::new("/no/such/file.csv"), &Default::default()).unwrap_err();
    assert_eq!(e.code(), "io");
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_batches_give_the_same_result_as_csv() {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, Date32Array, DictionaryArray, Int16Array, Int64Array, RecordBatch, StringViewArray};
    let csv = csv_result();
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
        let extract = Extract::from_record_batches(&halves, threads).unwrap();
        assert_eq!(tables(&extract, &open()), csv);
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
    let e = Extract::from_record_batches(&[bad], 2).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().row), ("invalid_code", Some(1)));
}

/// The six rows of `ROWS` as Arrow columns of the given layouts, with
/// `pad` junk rows before and after (so that a slice must honour offsets).
#[cfg(feature = "arrow")]
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

#[cfg(feature = "arrow")]
#[test]
fn sliced_dictionary_large_and_view_columns_read_like_csv() {
    let batch = frames::unusual(3);
    for threads in [1, 2] {
        let extract = Extract::from_record_batches(&[batch.slice(3, 6)], threads).unwrap();
        assert_eq!(tables(&extract, &open()), csv_result());
        let halves = [batch.slice(3, 2), batch.slice(5, 4)];
        assert_eq!(tables(&Extract::from_record_batches(&halves, threads).unwrap(), &open()), csv_result());
    }
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_headers_are_folded_like_the_contract_reader() {
    let extract = Extract::from_record_batches(&[frames::folded_headers()], 2).unwrap();
    assert_eq!(tables(&extract, &open()), csv_result());
    assert_eq!(extract.groups().len(), 1);
}

#[cfg(feature = "arrow")]
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
            let e = Extract::from_record_batches(&[batch(kon.clone(), status.clone())], threads).unwrap_err();
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
        let f = tables(&Extract::from_record_batches(&[batch(kon.clone(), status)], 1).unwrap(), &open());
        let ar = finsam_core::Date::from_days_since_epoch(18_100).unwrap().year().to_string();
        assert_eq!(f.national.value(&[&ar], "n"), Some(2.0));
        assert_eq!(f.national.value(&[&ar], "utan_status"), Some(1.0));
    }
    // A dictionary of numbers is not a column of codes.
    let numbers: ArrayRef = Arc::new(
        DictionaryArray::<Int32Type>::try_new(Int32Array::from(vec![0, 0, 0]), Arc::new(Int8Array::from(vec![1])))
            .unwrap(),
    );
    let e = Extract::from_record_batches(&[batch(numbers, status.clone())], 1).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("arrow_type", Some("kon")), "{e}");
}

#[cfg(feature = "arrow")]
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
        let f = tables(&Extract::from_record_batches(&[batch(start.clone(), slut)], 1).unwrap(), &open());
        assert_eq!(f.participants.value(&["2021"], "startade"), Some(2.0), "{}", f.participants.to_markdown());
        assert_eq!(f.participants.value(&["2020"], "startade"), None);
        assert_eq!(f.national.value(&["2021"], "n"), Some(1.0));
    }
    // The same instants in a date column without a zone are not midnight.
    let end = Arc::new(Date32Array::from(vec![Some(19_000), None])) as ArrayRef;
    let naive: ArrayRef = Arc::new(TimestampSecondArray::from(vec![secs(new_year, "Europe/Stockholm"); 2]));
    let e = Extract::from_record_batches(&[batch(naive, end.clone())], 1).unwrap_err();
    let at_ = e.location().unwrap();
    assert_eq!(
        (e.code(), at_.column.as_deref(), at_.value.as_deref()),
        ("invalid_date", Some("startdatum"), Some("2020-12-31T23:00:00"))
    );
    let noon = at(vec![Some(secs(new_year, "Europe/Stockholm") + 12 * 3600); 2], "Europe/Stockholm");
    let e = Extract::from_record_batches(&[batch(noon, end.clone())], 1).unwrap_err();
    assert_eq!(e.code(), "invalid_date");
    assert_eq!(e.location().unwrap().value.as_deref(), Some("2021-01-01T12:00:00+01:00[Europe/Stockholm]"));
    let mars = at(vec![Some(0); 2], "Mars/Olympus_Mons");
    let e = Extract::from_record_batches(&[batch(mars, end)], 1).unwrap_err();
    let at_ = e.location().unwrap();
    assert_eq!(
        (e.code(), at_.column.as_deref(), at_.value.as_deref()),
        ("arrow_type", Some("startdatum"), Some("Mars/Olympus_Mons")),
        "{e}"
    );
}

#[cfg(feature = "arrow")]
#[test]
fn empty_inputs_need_the_columns_but_no_rows() {
    use std::sync::Arc;

    use arrow_array::RecordBatch;
    use arrow_schema::Schema;
    let e = Extract::from_record_batches(&[], 2).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("missing_column", Some("deltagare_id")));
    let no_columns = RecordBatch::new_empty(Arc::new(Schema::empty()));
    let e = Extract::from_record_batches(&[no_columns], 2).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("missing_column", Some("deltagare_id")));
    let no_rows = frames::folded_headers().slice(0, 0);
    let extract = Extract::from_record_batches(&[no_rows], 2).unwrap();
    assert_eq!(extract.rows(), 0);
    let e = Source::from(&extract).years(&open()).unwrap_err();
    assert_eq!(e.code(), "invalid_argument", "no rows, no years to report on: {e}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]
    /// Any number of a valid serialised state replaced by any other: the
    /// state is refused, or it finishes and merges without a panic.
    #[test]
    fn mutated_states_never_panic(pick in 0usize..10_000, value in proptest::prelude::any::<i64>(), small in 0i64..6) {
        let extract = read(&format!("{HEAD}{ROWS}"), &FlatCsvOptions::default()).unwrap();
        let state = Partial::compute(&extract, &Split::parse(&["forbund", "kon"]).unwrap(), 2020..=2022, &open()).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&state.to_json().unwrap()).unwrap();
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
        let finish = |state: &Partial| {
            if let Ok(years) = state.report_years() {
                let _ = report::outcomes(state, &Split::national(), years.clone(), &open());
                let _ = report::participants(state, &Split::parse(&["kon"]).unwrap(), years, &open());
            }
        };
        if let Ok(tampered) = Partial::from_json(&json.to_string()) {
            finish(&tampered);
            let mut merged = tampered.clone();
            if merged.merge(state.clone()).is_ok() { finish(&merged) }
            let mut merged = state.clone();
            if merged.merge(tampered).is_ok() { finish(&merged) }
        }
    }
}

#[test]
fn csv_headers_are_folded_and_empty_excel_columns_ignored() {
    let head = "Deltagare-ID;Förbund ID;Kön;Startdatum;Slutdatum;Status efter;SP/RP före;SP/RP efter;extra;;\n";
    let rows: String = ROWS.lines().map(|l| format!("{l};;\n")).collect();
    let extract = read(&format!("{head}{rows}"), &FlatCsvOptions::default()).unwrap();
    assert_eq!(tables(&extract, &open()), csv_result());
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
    assert_eq!(tables(&one, &open()), csv_result());
    let quoted = |i: usize| rows.replace(";\"a;", &format!(";\"{i};"));
    let many: String = (0..2000).map(quoted).collect();
    let plain: String = (0..2000).map(|i| ROWS.replace(";x", &format!(";{i}"))).collect();
    for threads in [1, 2, 3] {
        let options = FlatCsvOptions { threads, block_size: 1, ..FlatCsvOptions::default() };
        let quoted = read(&format!("{HEAD}{many}"), &options).unwrap();
        let expected = read(&format!("{HEAD}{plain}"), &options).unwrap();
        assert_eq!(tables(&quoted, &open()), tables(&expected, &open()));
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

#[cfg(feature = "arrow")]
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
        let e = Extract::from_record_batches(&[b.slice(0, 2), b.slice(2, 2)], threads).unwrap_err();
        assert_eq!(e.code(), "duplicate_row", "{e}");
        let finsam_core::Error::DuplicateRow { first_row, .. } = &e else { panic!("{e}") };
        assert_eq!((e.location().unwrap().row, *first_row), (Some(3), 1));
        // The same rows differing in the unused column are not repeats.
        assert!(Extract::from_record_batches(&[batch(["a", "b", "c", "d"])], threads).is_ok());
    }
}

//! Every error code, each provoked by a small malformed input, with the
//! location it must name. The last test checks that no code is untested.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use finsam_core::ingest::{CsvOptions, Encoding};
use finsam_core::{Dataset, Error, ErrorPolicy, Rules};

static SEEN: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

fn seen(code: &'static str) {
    SEEN.lock().unwrap().insert(code);
}

const VALID: [(&str, &str); 8] = [
    ("forbund.csv", "forbund_id;namn;startdatum;slutdatum;foregangare\n1;F1;2015-01-01;;\n"),
    ("medlemskap.csv", "forbund_id;kommunkod;datum;handelse\n1;0180;2015-01-01;intrade\n"),
    (
        "insatser.csv",
        "insats_id;forbund_id;namn;inriktning;behovsgrupper;startdatum;slutdatum;budget;utfall\n10;1;I1;individ;;2018-01-01;;;\n",
    ),
    (
        "deltaganden.csv",
        "deltagare_id;insats_id;forbund_id;kon;fodelsear;startdatum;slutdatum;forsorjning_fore;forsorjning_efter;status_efter;subventionerad;avslutsanledning;remitterande_part\n1;10;1;K;1980;2019-01-01;2019-06-30;sjukpenning;lon;arbete;ja;genomford;fk\n",
    ),
    ("anonyma_deltagare.csv", "insats_id;ar;kon;antal\n10;2019;K;3\n"),
    (
        "insats_ar.csv",
        "insats_id;ar;budget;utfall;budgeterade_deltagare;deltagare_kvinnor;deltagare_man;deltagare_totalt\n10;2019;100000;90000;10;;;\n",
    ),
    (
        "ersattningsperioder.csv",
        "deltagare_id;ersattningsslag;from_datum;till_datum;omfattning\n1;sp;2018-06-01;2018-12-31;50\n",
    ),
    (
        "ersattningsdagar.csv",
        "deltagare_id;insats_id;startdatum;ersattningsgrupp;dagar_fore;dagar_efter\n1;10;2019-01-01;sp_rp;107;12.5\n",
    ),
];

const DELT_HEADER: &str = "deltagare_id;insats_id;forbund_id;kon;fodelsear;startdatum;slutdatum;forsorjning_fore;forsorjning_efter;status_efter;subventionerad;avslutsanledning;remitterande_part\n";

/// Reads the valid data set with `file` replaced by `content`.
fn read_with(file: &str, content: &[u8], opts: &CsvOptions) -> Result<Dataset, Error> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in VALID {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join(file), content).unwrap();
    Dataset::read_csv_dir(dir.path(), opts, &Rules::default()).map(|(d, _)| d)
}

/// Expects `code` at `file`, `line`, `column`, `value` (each if given).
fn expect(
    file: &str,
    content: &str,
    code: &'static str,
    line: Option<u64>,
    column: Option<&str>,
    value: Option<&str>,
) -> Error {
    let err = read_with(file, content.as_bytes(), &CsvOptions::default()).expect_err(code);
    assert_eq!(err.code(), code, "{err}");
    let at = err.location().unwrap_or_else(|| panic!("{code} has a location: {err}"));
    assert!(at.source.as_deref().is_some_and(|s| s.ends_with(file)), "{code}: source {:?}", at.source);
    if line.is_some() {
        assert_eq!(at.line, line, "{code}: line in {err}");
    }
    if column.is_some() {
        assert_eq!(at.column.as_deref(), column, "{code}: column in {err}");
    }
    if value.is_some() {
        assert_eq!(at.value.as_deref(), value, "{code}: value in {err}");
    }
    seen(code);
    err
}

fn delt(row: &str) -> String {
    format!("{DELT_HEADER}{row}\n")
}

#[test]
fn the_valid_data_set_reads() {
    read_with("forbund.csv", VALID[0].1.as_bytes(), &CsvOptions::default()).unwrap();
}

#[test]
fn field_level_errors_name_file_line_column_and_value() {
    expect(
        "deltaganden.csv",
        &delt("1;10;1;K;1980;2019-02-30;;;;;;;"),
        "invalid_date",
        Some(2),
        Some("startdatum"),
        Some("2019-02-30"),
    );
    expect(
        "deltaganden.csv",
        &delt("1;10;1;K;abc;2019-01-01;;;;;;;"),
        "invalid_number",
        Some(2),
        Some("fodelsear"),
        Some("abc"),
    );
    expect(
        "deltaganden.csv",
        &delt("1;10;1;X;1980;2019-01-01;;;;;;;"),
        "invalid_code",
        Some(2),
        Some("kon"),
        Some("X"),
    );
    expect("deltaganden.csv", &delt("1;10;1;K;1980;;;;;;;;"), "missing_value", Some(2), Some("startdatum"), None);
    expect(
        "deltaganden.csv",
        &delt("1;10;1;K;1980;2019-01-01;2019-02-01;;;arbete;kanske;;"),
        "invalid_bool",
        Some(2),
        Some("subventionerad"),
        Some("kanske"),
    );
    expect(
        "deltaganden.csv",
        &delt("1;10;1;K;1980;2019-01-01;;sp|lottovinst;;;;;"),
        "invalid_code",
        Some(2),
        Some("forsorjning_fore"),
        Some("lottovinst"),
    );
    expect(
        "medlemskap.csv",
        "forbund_id;kommunkod;datum;handelse\n1;0100;2015-01-01;intrade\n",
        "invalid_kommunkod",
        Some(2),
        Some("kommunkod"),
        Some("0100"),
    );
    expect(
        "insatser.csv",
        "insats_id;forbund_id;namn;inriktning;behovsgrupper;startdatum;slutdatum;budget;utfall\n10;1;I1;individ;;2018-01-01;;12.345;\n",
        "invalid_amount",
        Some(2),
        Some("budget"),
        Some("12.345"),
    );
    expect(
        "ersattningsdagar.csv",
        "deltagare_id;insats_id;startdatum;ersattningsgrupp;dagar_fore;dagar_efter\n1;10;2019-01-01;sp_rp;12.3;\n",
        "invalid_days",
        Some(2),
        Some("dagar_fore"),
        Some("12.3"),
    );
}

#[test]
fn file_level_errors() {
    // A Parquet file saved as .csv is refused by its signature, not parsed as text.
    expect("deltaganden.csv", "PAR1\u{15}\u{4}\u{15}binary", "not_csv", None, None, None);
    expect(
        "deltaganden.csv",
        "deltagare_id;insats_id;kon\n1;10;K\n",
        "missing_column",
        Some(1),
        Some("startdatum"),
        None,
    );
    expect(
        "anonyma_deltagare.csv",
        "insats_id;ar;kon;Kön;antal\n10;2019;K;K;3\n",
        "duplicate_column",
        Some(1),
        Some("Kön"),
        None,
    );
    let e = expect(
        "anonyma_deltagare.csv",
        "insats_id;ar;kon;antal\n10;2019;K;3\n10;2019;M\n",
        "wrong_field_count",
        Some(3),
        None,
        None,
    );
    assert!(matches!(e, Error::WrongFieldCount { expected: 4, found: 3, .. }));
    let mut bytes = delt("1;10;1;K;1980;2019-01-01;;;;;;;Socialtj\u{e4}nst").into_bytes();
    let at = bytes.windows(2).position(|w| w == "ä".as_bytes()).unwrap();
    bytes.splice(at..at + 2, [0xE4]); // 'ä' in Windows-1252
    let err = read_with("deltaganden.csv", &bytes, &CsvOptions::default().encoding(Encoding::Utf8)).unwrap_err();
    assert_eq!(err.code(), "invalid_encoding");
    assert_eq!(err.location().unwrap().line, Some(2));
    assert_eq!(err.location().unwrap().column.as_deref(), Some("remitterande_part"));
    seen("invalid_encoding");

    // Two files that are the same table once case is folded: an error naming both.
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in VALID {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("Deltaganden.csv"), VALID[3].1).unwrap();
    let err = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap_err();
    assert_eq!(err.code(), "duplicate_file", "{err}");
    let message = err.to_string();
    assert!(message.contains("deltaganden.csv") && message.contains("Deltaganden.csv"), "{message}");
    assert!(message.contains("`deltaganden`"), "{message}");
    seen("duplicate_file");
}

#[test]
fn a_long_value_is_cut_in_the_error() {
    let kon = "X".repeat(100_000);
    let err = read_with(
        "deltaganden.csv",
        delt(&format!("1;10;1;{kon};1980;2019-01-01;;;;;;;")).as_bytes(),
        &CsvOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_code");
    let at = err.location().unwrap();
    assert_eq!(at.value.as_deref(), Some(format!("{}…", "X".repeat(80)).as_str()));
    assert_eq!(at.value_chars, Some(100_000));
    let message = err.to_string();
    assert!(message.len() < 1_000, "{} bytes", message.len());
    assert!(message.contains("(100000 characters)"), "{message}");
    // Cut at a character boundary, never inside a multi-byte letter.
    let at = finsam_core::Location::file("a.csv").value("ö".repeat(81));
    assert_eq!(at.value.as_deref(), Some(format!("{}…", "ö".repeat(80)).as_str()));
    let at = finsam_core::Location::file("a.csv").value("ö".repeat(80));
    assert_eq!((at.value.as_deref(), at.value_chars), (Some("ö".repeat(80).as_str()), None));
}

#[test]
fn rule_errors_name_the_line_the_row_came_from() {
    let two = |a: &str, b: &str| format!("{DELT_HEADER}{a}\n{b}\n");
    let ok = "1;10;1;K;1980;2019-01-01;2019-06-30;sjukpenning;lon;arbete;ja;genomford;fk";
    expect("deltaganden.csv", &two(ok, ok), "duplicate_row", Some(3), None, None);
    expect(
        "deltaganden.csv",
        &two(ok, "2;99;;K;1980;2019-01-01;;;;;;;"),
        "unknown_insats",
        Some(3),
        Some("insats_id"),
        Some("99"),
    );
    expect(
        "deltaganden.csv",
        &delt("1;10;1;K;1980;2019-01-01;2018-12-01;;;;;;"),
        "end_before_start",
        Some(2),
        Some("slutdatum"),
        Some("2018-12-01"),
    );
    expect(
        "deltaganden.csv",
        &delt("1;10;1;K;1980;2017-01-01;2017-03-01;;;;;;"),
        "outside_insats_lifetime",
        Some(2),
        Some("startdatum"),
        Some("2017-01-01"),
    );
    expect(
        "deltaganden.csv",
        &delt("1;10;1;K;1900;2019-01-01;;;;;;;"),
        "implausible_birth_year",
        Some(2),
        Some("fodelsear"),
        Some("1900"),
    );
    expect(
        "deltaganden.csv",
        &delt("1;10;1;K;1980;2019-01-01;;;;arbete;;;"),
        "outcome_without_end",
        Some(2),
        Some("status_efter"),
        Some("arbete"),
    );
    expect(
        "deltaganden.csv",
        &delt("1;10;7;K;1980;2019-01-01;;;;;;;"),
        "forbund_mismatch",
        Some(2),
        Some("forbund_id"),
        Some("7"),
    );
    let insats_header = "insats_id;forbund_id;namn;inriktning;behovsgrupper;startdatum;slutdatum;budget;utfall\n";
    expect(
        "insatser.csv",
        &format!("{insats_header}10;1;I1;individ;;2018-01-01;;;\n10;1;I2;struktur;;2018-01-01;;;\n"),
        "duplicate_id",
        Some(3),
        Some("insats_id"),
        Some("10"),
    );
    expect(
        "medlemskap.csv",
        "forbund_id;kommunkod;datum;handelse\n9;0180;2015-01-01;intrade\n",
        "unknown_forbund",
        Some(2),
        Some("forbund_id"),
        Some("9"),
    );
    expect(
        "anonyma_deltagare.csv",
        "insats_id;ar;kon;antal\n10;2019;K;3\n10;2019;K;4\n",
        "duplicate_key",
        Some(3),
        None,
        None,
    );
    expect(
        "insats_ar.csv",
        "insats_id;ar;budget;utfall;budgeterade_deltagare;deltagare_kvinnor;deltagare_man;deltagare_totalt\n10;2019;;;;5;6;10\n",
        "inconsistent_counts",
        Some(2),
        Some("deltagare_totalt"),
        Some("10"),
    );
    expect(
        "ersattningsdagar.csv",
        "deltagare_id;insats_id;startdatum;ersattningsgrupp;dagar_fore;dagar_efter\n1;10;2019-01-02;sp_rp;107;12.5\n",
        "unknown_deltagande",
        Some(2),
        Some("deltagare_id"),
        Some("1"),
    );
    expect(
        "medlemskap.csv",
        "forbund_id;kommunkod;datum;handelse\n1;0180;2015-01-01;intrade\n1;0181;2015-01-01;intrade\n1;0180;2016-01-01;intrade\n",
        "membership_conflict",
        Some(4),
        Some("kommunkod"),
        Some("0180"),
    );
}

#[test]
fn collect_policy_reports_every_error_at_once() {
    let ok = "1;10;1;K;1980;2019-01-01;2019-06-30;sjukpenning;lon;arbete;ja;genomford;fk";
    let content = delt(&format!(
        "5;10;1;X;1980;2019-01-01;;;;;;;\n6;10;1;K;abc;2019-01-01;;;;;;;\n7;10;1;K;1980;2019-01-01;2018-01-01;;;;;;\n{ok}"
    ));
    let err = read_with("deltaganden.csv", content.as_bytes(), &CsvOptions::default().policy(ErrorPolicy::COLLECT))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_data");
    let Error::Invalid(report) = &err else { panic!("{err}") };
    assert_eq!(report.total(), 3, "{report}");
    assert_eq!(
        report.counts().keys().copied().collect::<Vec<_>>(),
        vec!["end_before_start", "invalid_code", "invalid_number"]
    );
    let lines: Vec<Option<u64>> = report.errors().iter().map(|e| e.location().unwrap().line).collect();
    assert_eq!(lines, vec![Some(2), Some(3), Some(4)]);
    // Fail-fast stops at the first.
    let first = read_with("deltaganden.csv", content.as_bytes(), &CsvOptions::default()).unwrap_err();
    assert_eq!(first.code(), "invalid_code");
    seen("invalid_data");
}

#[test]
fn metadata_and_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in VALID {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("dataset.json"), "{\"uttagsdatum\": 2023}").unwrap();
    let err = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_json");
    assert!(err.to_string().contains("dataset.json"), "{err}");
    seen("invalid_json");
    let err = finsam_core::engine::Partial::from_bytes(b"FINSAMP\x01\x05").unwrap_err();
    assert_eq!(err.code(), "invalid_binary");
    assert!(err.to_string().contains("invalid binary state"), "{err}");
    let err = finsam_core::engine::Partial::from_bytes(b"PK\x03\x04").unwrap_err();
    assert!(err.to_string().contains("wrong header"), "{err}");
    seen("invalid_binary");
    let err = Dataset::read_csv_dir(Path::new("/no/such/dir"), &CsvOptions::default(), &Rules::default()).unwrap_err();
    assert_eq!(err.code(), "io");
    assert!(err.to_string().contains("/no/such/dir"));
    seen("io");
    let empty = tempfile::tempdir().unwrap();
    let err = Dataset::read_csv_dir(empty.path(), &CsvOptions::default(), &Rules::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_argument", "{err}");
    seen("invalid_argument");
    let err = finsam_core::synthetic::generate(&finsam_core::synthetic::SyntheticConfig { scale: -1.0, seed: 1 })
        .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
}

const ENKAT_HEADER: &str = "enkat_id;forbund_id;ar;respondentgrupp;kon;fraga;svar\n";

#[test]
fn survey_and_money_errors() {
    // A questionnaire whose rows disagree on kön, named at its second row's line.
    expect(
        "enkatsvar.csv",
        &format!("{ENKAT_HEADER}1;1;2021;styrelse;kvinna;s1;7\n1;1;2021;styrelse;man;s2;8\n"),
        "inconsistent_questionnaire",
        Some(3),
        Some("kon"),
        Some("man"),
    );
    expect(
        "enkatsvar.csv",
        &format!("{ENKAT_HEADER}1;1;2021;styrelse;kvinna;s1;kanske\n"),
        "invalid_code",
        Some(2),
        Some("svar"),
        Some("kanske"),
    );
    // An answer off the scale: refused when loading, at its file and line.
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in VALID {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("enkatsvar.csv"), format!("{ENKAT_HEADER}1;1;2021;styrelse;kvinna;s1;11\n"))
        .unwrap();
    let err = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap_err();
    assert_eq!(err.code(), "answer_out_of_scale", "{err}");
    let at = err.location().unwrap();
    assert_eq!((at.line, at.column.as_deref(), at.value.as_deref()), (Some(2), Some("svar"), Some("11")));
    // Loaded on a wider scale, a computation on the default scale refuses it, naming the line too.
    let wide = Rules { skala_max: 11, ..Rules::default() };
    let (data, _) = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &wide).unwrap();
    let err = finsam_core::survey::SurveyState::compute(&data, 2021..=2021, &Default::default()).unwrap_err();
    assert_eq!(err.code(), "answer_out_of_scale", "{err}");
    let at = err.location().unwrap();
    assert_eq!(
        (at.row, at.line, at.column.as_deref(), at.value.as_deref()),
        (Some(0), Some(2), Some("svar"), Some("11"))
    );
    seen("answer_out_of_scale");
    std::fs::write(dir.path().join("enkatsvar.csv"), ENKAT_HEADER).unwrap();
    // A budget without the inhabitants of its member kommun.
    std::fs::write(
        dir.path().join("forbund_ekonomi.csv"),
        "forbund_id;ar;budget;statlig_tilldelning;eget_kapital\n1;2021;1000000;;\n",
    )
    .unwrap();
    let (data, _) = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap();
    let err = finsam_core::finance::financing(&data, 2021).unwrap_err();
    assert_eq!(err.code(), "missing_statistics", "{err}");
    assert_eq!(err.location().unwrap().value.as_deref(), Some("0180 2021"));
    seen("missing_statistics");
    // Base amounts above the total.
    let input = finsam_core::finance::AllocationInput {
        forbund: finsam_core::ForbundId(1),
        namn: "F1".into(),
        kommuner: vec![],
        invanare_16_64: 100,
        forsorjningsmatt: [finsam_core::Hundradelar(100); 7],
        foregaende: None,
        eget_kapital: None,
        budget: None,
    };
    let params =
        finsam_core::finance::AllocationParams { total: finsam_core::Ore::from_kronor(300_000), ..Default::default() };
    let err = finsam_core::finance::allocate(2021, &[input], &params).unwrap_err();
    assert_eq!(err.code(), "allocation_infeasible", "{err}");
    assert!(err.to_string().contains("300000.00"), "{err}");
    seen("allocation_infeasible");
    // Money that is not an amount, and a negative försörjningsmått.
    expect(
        "kommunstatistik.csv",
        "kommunkod;ar;invanare;invanare_16_64;fm_sp_rp;fm_ae;fm_sa;fm_a_kassa;fm_aktivitetsstod;fm_etableringsersattning;fm_forsorjningsstod\n0180;2021;1000;600;1;2;3;4;5;6;-7\n",
        "invalid_number",
        Some(2),
        Some("fm_forsorjningsstod"),
        Some("-7"),
    );
}

/// A file read as Parquet that is none, or is cut short, names the file.
#[cfg(feature = "parquet")]
#[test]
fn invalid_parquet_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("extract.parquet");
    std::fs::write(&path, b"PAR1 and then nothing a Parquet reader can use").unwrap();
    let err = finsam_core::engine::Extract::from_parquet(&path, 1).unwrap_err();
    assert_eq!(err.code(), "invalid_parquet", "{err}");
    assert_eq!(err.location().and_then(|at| at.source.clone()), Some(path.display().to_string()));
    seen("invalid_parquet");
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_type_errors_name_table_and_column() {
    use std::sync::Arc;

    use arrow_array::{BooleanArray, Int64Array, RecordBatch, StringArray};
    let batch = RecordBatch::try_from_iter([
        ("insats_id", Arc::new(Int64Array::from(vec![10])) as _),
        ("ar", Arc::new(BooleanArray::from(vec![true])) as _),
        ("kon", Arc::new(StringArray::from(vec!["K"])) as _),
        ("antal", Arc::new(Int64Array::from(vec![-3])) as _),
    ])
    .unwrap();
    let err =
        finsam_core::arrow::from_record_batch::<finsam_core::AnonymaDeltagare>(&batch, None, ErrorPolicy::COLLECT)
            .unwrap_err();
    let Error::Invalid(report) = err else { panic!() };
    assert_eq!(report.counts().keys().copied().collect::<Vec<_>>(), vec!["invalid_number"], "{report}");
    let batch = RecordBatch::try_from_iter([
        ("insats_id", Arc::new(Int64Array::from(vec![10])) as _),
        ("ar", Arc::new(Int64Array::from(vec![2020])) as _),
        ("kon", Arc::new(StringArray::from(vec!["K"])) as _),
        ("antal", Arc::new(Int64Array::from(vec![3])) as _),
        ("startdatum", Arc::new(BooleanArray::from(vec![true])) as _),
    ])
    .unwrap();
    let err =
        finsam_core::arrow::from_record_batch::<finsam_core::Ersattningsdagar>(&batch, None, ErrorPolicy::FailFast)
            .unwrap_err();
    assert_eq!(err.code(), "missing_column");
    let spells = RecordBatch::try_from_iter([
        ("deltagare_id", Arc::new(Int64Array::from(vec![1])) as _),
        ("ersattningsslag", Arc::new(StringArray::from(vec!["sp"])) as _),
        ("from_datum", Arc::new(BooleanArray::from(vec![true])) as _),
        ("till_datum", Arc::new(StringArray::from(vec!["2020-01-01"])) as _),
        ("omfattning", Arc::new(Int64Array::from(vec![100])) as _),
    ])
    .unwrap();
    let err =
        finsam_core::arrow::from_record_batch::<finsam_core::Ersattningsperiod>(&spells, None, ErrorPolicy::FailFast)
            .unwrap_err();
    assert_eq!(err.code(), "arrow_type", "{err}");
    let at = err.location().unwrap();
    assert_eq!(
        (at.source.as_deref(), at.row, at.column.as_deref()),
        (Some("table ersattningsperioder"), Some(0), Some("from_datum"))
    );
    seen("arrow_type");
}

/// The estimation errors, from matching: no controls, a caliper nobody
/// meets, collinear covariates.
#[test]
fn estimation_errors_say_what_the_data_cannot_support() {
    use finsam_core::evaluation::Frame;
    use finsam_core::evaluation::matching::{MatchOptions, match_units};
    let frame = |t: [f64; 4], x: [f64; 4]| {
        Frame::new().with_numeric("t", t.map(Some)).and_then(|f| f.with_numeric("x", x.map(Some))).unwrap()
    };
    let options = MatchOptions::new("t", &["x"]);
    let err = match_units(&frame([0.0; 4], [1.0, 2.0, 3.0, 4.0]), &options).unwrap_err();
    assert_eq!(err.code(), "not_identified", "{err}");
    seen("not_identified");
    let narrow = MatchOptions { caliper: Some(1e-9), ..options.clone() };
    let err = match_units(&frame([1.0, 0.0, 1.0, 0.0], [1.0, 2.0, 3.0, 5.0]), &narrow).unwrap_err();
    assert_eq!(err.code(), "no_overlap", "{err}");
    seen("no_overlap");
    let err = match_units(&frame([1.0, 0.0, 1.0, 0.0], [1.0; 4]), &options).unwrap_err();
    assert_eq!(err.code(), "singular_design", "{err}");
    assert!(err.to_string().contains("`x`"), "{err}");
    seen("singular_design");
}

/// Runs after the others in this file (cargo runs a file's tests in one
/// process; this one waits for them).
#[test]
fn zz_every_code_is_tested() {
    let others = [
        field_level_errors_name_file_line_column_and_value as fn(),
        file_level_errors,
        rule_errors_name_the_line_the_row_came_from,
        collect_policy_reports_every_error_at_once,
        metadata_and_io_errors,
        survey_and_money_errors,
        #[cfg(feature = "arrow")]
        arrow_type_errors_name_table_and_column,
        #[cfg(feature = "parquet")]
        invalid_parquet_names_the_file,
        invalid_personnummer_names_line_and_column_never_the_value,
        estimation_errors_say_what_the_data_cannot_support,
        an_interrupted_computation_stops_with_its_code,
    ];
    for test in others {
        test();
    }
    let seen = SEEN.lock().unwrap().clone();
    let mut missing: Vec<&str> = Error::CODES.iter().copied().filter(|c| !seen.contains(c)).collect();
    if !cfg!(feature = "arrow") {
        missing.retain(|c| *c != "arrow_type");
    }
    if !cfg!(feature = "parquet") {
        missing.retain(|c| *c != "invalid_parquet");
    }
    assert!(missing.is_empty(), "codes without a test: {missing:?}");
}

#[test]
fn an_interrupted_computation_stops_with_its_code() {
    use finsam_core::exec::Interrupt;
    let asked = Interrupt::new();
    asked.interrupt();
    // Generating data, reading a delivery: each stops at its next step.
    let config = finsam_core::synthetic::SyntheticConfig { scale: 0.01, ..Default::default() };
    let err = asked.run(|| finsam_core::synthetic::generate(&config)).expect_err("interrupted");
    assert_eq!(err.code(), "interrupted", "{err}");
    let err = asked
        .run(|| read_with("deltaganden.csv", delt("1;10;K;1980;2019-01-01;;;;;;;").as_bytes(), &CsvOptions::default()));
    assert_eq!(err.expect_err("interrupted").code(), "interrupted");
    // Collecting every error does not collect the interrupt: it ends the read.
    let collect = CsvOptions::default().policy(ErrorPolicy::COLLECT);
    let err = asked.run(|| read_with("deltaganden.csv", delt("1;10;K;1980;2019-01-01;;;;;;;").as_bytes(), &collect));
    assert_eq!(err.expect_err("interrupted").code(), "interrupted");
    // An interrupt nobody asked for changes nothing, and it ends with its run.
    let quiet = Interrupt::new();
    assert!(quiet.run(|| finsam_core::synthetic::generate(&config)).is_ok());
    assert!(finsam_core::synthetic::generate(&config).is_ok());
    seen("interrupted");
}

#[test]
fn invalid_personnummer_names_line_and_column_never_the_value() {
    use finsam_core::pseudonym::{PseudonymKey, PseudonymOptions, pseudonymise_csv};
    let key = PseudonymKey::new(b"0123456789abcdef".to_vec()).unwrap();
    let opts = PseudonymOptions::new("personnummer").reference_date(finsam_core::Date::from_ymd(2025, 6, 1).unwrap());
    // 800101-123?: the check digit is 1 (see tests/personnummer.rs), so 4 is a typo.
    let input = "personnummer;kon\n800101-1231;K\n800101-1234;M\n";
    let err = pseudonymise_csv(input.as_bytes(), "in.csv", Vec::new(), None, &key, &opts).unwrap_err();
    assert_eq!(err.code(), "invalid_personnummer", "{err}");
    let at = err.location().unwrap();
    assert_eq!((at.source.as_deref(), at.line, at.row), (Some("in.csv"), Some(3), Some(1)));
    assert_eq!((at.column.as_deref(), at.value.as_deref()), (Some("personnummer"), None));
    assert!(matches!(err, Error::InvalidPersonnummer { reason: finsam_core::personnummer::Reason::CheckDigit, .. }));
    assert!(!err.to_string().contains("800101"), "{err}");
    seen("invalid_personnummer");
}

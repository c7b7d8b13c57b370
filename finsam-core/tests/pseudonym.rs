//! Pseudonymisation of a column, in CSV and in Arrow: every form of one
//! number gives one pseudonym (the HMAC-SHA-256 that Python's `hmac` module
//! computes), every other field is kept byte for byte, invalid numbers are
//! reported by line or row and never hashed.

use finsam_core::pseudonym::{
    PseudonymKey, PseudonymOptions, PseudonymSummary, pseudonymise_csv, pseudonymise_csv_file,
};
use finsam_core::{Date, Error, ErrorPolicy};

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
/// HMAC-SHA-256(KEY, "198001011231"), first eight bytes big-endian, top bit
/// cleared, from Python: `int.from_bytes(hmac.new(KEY, b"198001011231",
/// hashlib.sha256).digest()[:8], "big") & (2**63 - 1)`.
const ID_800101_1231: &str = "4479197971459081281";
/// The same for "198112189876".
const ID_811218_9876: &str = "8253592251223125412";

fn key() -> PseudonymKey {
    PseudonymKey::new(KEY.to_vec()).unwrap()
}

fn opts(column: &str) -> PseudonymOptions {
    PseudonymOptions::new(column).reference_date(Date::from_ymd(2025, 6, 1).unwrap())
}

fn run(input: &[u8], opts: &PseudonymOptions, reject: bool) -> Result<(Vec<u8>, Vec<u8>, PseudonymSummary), Error> {
    let (mut out, mut rejects) = (Vec::new(), Vec::new());
    let summary = pseudonymise_csv(
        std::io::Cursor::new(input.to_vec()),
        "in.csv",
        &mut out,
        if reject { Some(&mut rejects as &mut dyn std::io::Write) } else { None },
        &key(),
        opts,
    )?;
    Ok((out, rejects, summary))
}

#[test]
fn three_forms_one_pseudonym_and_every_other_field_kept() {
    let input = "id;Personnummer;ort;belopp\n1;19800101-1231;\"Umeå; C\";1 234,50\n2;198001011231;;\n3;800101-1231;\"sa \"\"hej\"\"\";x\n\n4;811218-9876;Kiruna;0\n";
    let (out, _, summary) = run(input.as_bytes(), &opts("personnummer"), false).unwrap();
    assert_eq!(summary, PseudonymSummary { rows: 4, pseudonymised: 4, rejected: 0 });
    let expected = format!(
        "id;Personnummer;ort;belopp\n1;{a};\"Umeå; C\";1 234,50\n2;{a};;\n3;{a};\"sa \"\"hej\"\"\";x\n4;{b};Kiruna;0\n",
        a = ID_800101_1231,
        b = ID_811218_9876
    );
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

#[test]
fn windows_1252_bom_crlf_and_delimiter_are_kept() {
    // Windows-1252: "Gävle" with ä as the single byte 0xE4, comma-separated, CRLF.
    let input = b"pnr,ort\r\n800101-1231,G\xE4vle\r\n".to_vec();
    let (out, _, _) = run(&input, &opts("pnr"), false).unwrap();
    let expected = [b"pnr,ort\r\n".as_slice(), ID_800101_1231.as_bytes(), b",G\xE4vle\r\n"].concat();
    assert_eq!(out, expected);
    // A UTF-8 byte order mark stays in front.
    let (out, _, _) = run("\u{feff}pnr;ort\n800101-1231;Gävle\n".as_bytes(), &opts("pnr"), false).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), format!("\u{feff}pnr;ort\n{ID_800101_1231};Gävle\n"));
}

#[test]
fn invalid_numbers_are_rejected_with_their_line_and_reason() {
    let input = "pnr;kon\n800101-1231;M\n800101-1234;K\n\"multi\nline\";K\n;M\n811218-9876;K\n";
    let (out, rejects, summary) = run(input.as_bytes(), &opts("pnr"), true).unwrap();
    assert_eq!(summary, PseudonymSummary { rows: 5, pseudonymised: 2, rejected: 3 });
    assert_eq!(String::from_utf8(out).unwrap(), format!("pnr;kon\n{ID_800101_1231};M\n{ID_811218_9876};K\n"));
    assert_eq!(
        String::from_utf8(rejects).unwrap(),
        "pnr;kon;finsam_line;finsam_reason\n800101-1234;K;3;check_digit\n\"multi\nline\";K;4;characters\n;M;6;empty\n"
    );
}

#[test]
fn failing_stops_at_the_first_or_collects_every_line() {
    let input = "pnr;kon\n800101-1234;K\n800101-1231;M\n800230-1231;K\n";
    let e = run(input.as_bytes(), &opts("pnr"), false).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().line), ("invalid_personnummer", Some(2)));
    let e = run(input.as_bytes(), &opts("pnr").policy(ErrorPolicy::COLLECT), false).unwrap_err();
    let Error::Invalid(report) = &e else { panic!("{e}") };
    let lines: Vec<_> = report.errors().iter().map(|e| e.location().unwrap().line.unwrap()).collect();
    assert_eq!(lines, [2, 4]);
    assert!(!e.to_string().contains("800"), "{e}");
    // Structural errors are errors in either mode.
    let e = run(b"pnr;kon\n800101-1231\n", &opts("pnr"), true).unwrap_err();
    assert_eq!(e.code(), "wrong_field_count");
    let e = run(b"personnr;kon\n800101-1231;K\n", &opts("pnr"), true).unwrap_err();
    assert_eq!(e.code(), "missing_column");
    let e = run(b"pnr;PNR\n800101-1231;K\n", &opts("pnr"), true).unwrap_err();
    assert_eq!(e.code(), "duplicate_column");
}

#[test]
fn files_are_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output, rejects) = (dir.path().join("in.csv"), dir.path().join("out.csv"), dir.path().join("rej.csv"));
    std::fs::write(&input, "pnr;kon\n800101-1231;M\n800101-1234;K\n").unwrap();
    let e = pseudonymise_csv_file(&input, &output, None, &key(), &opts("pnr")).unwrap_err();
    assert_eq!(e.code(), "invalid_personnummer");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["in.csv"], "no partial file is left");
    let s = pseudonymise_csv_file(&input, &output, Some(&rejects), &key(), &opts("pnr")).unwrap();
    assert_eq!((s.pseudonymised, s.rejected), (1, 1));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), format!("pnr;kon\n{ID_800101_1231};M\n"));
    assert!(std::fs::read_to_string(&rejects).unwrap().ends_with("800101-1234;K;3;check_digit\n"));
    for (out, rej) in [(&input, None), (&output, Some(&output))] {
        let e = pseudonymise_csv_file(&input, out, rej.map(|p| p.as_path()), &key(), &opts("pnr")).unwrap_err();
        assert_eq!(e.code(), "invalid_argument", "{e}");
    }
    let e = pseudonymise_csv_file(&dir.path().join("none.csv"), &output, None, &key(), &opts("pnr")).unwrap_err();
    assert_eq!(e.code(), "io");
}

#[test]
fn keys_come_from_files_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k");
    std::fs::write(&path, [KEY, b"\r\n"].concat()).unwrap();
    assert_eq!(PseudonymKey::from_file(&path).unwrap().as_bytes(), KEY);
    std::fs::write(&path, b"abcde\n").unwrap();
    let e = PseudonymKey::from_file(&path).unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
    assert!(!e.to_string().contains("abcde"), "{e}");
    // SAFETY of the test: no other test in this file reads this variable.
    unsafe { std::env::set_var("FINSAM_TEST_PSEUDONYM_KEY", std::str::from_utf8(KEY).unwrap()) };
    assert_eq!(PseudonymKey::from_env("FINSAM_TEST_PSEUDONYM_KEY").unwrap().as_bytes(), KEY);
    assert_eq!(PseudonymKey::from_env("FINSAM_TEST_UNSET_KEY").unwrap_err().code(), "invalid_argument");
    assert!(!format!("{:?}", key()).contains("0123"));
}

#[cfg(feature = "arrow")]
mod arrow {
    use std::collections::HashMap;
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{
        Array, ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, LargeStringArray, RecordBatch,
        StringArray, StringViewArray,
    };
    use arrow_schema::{DataType, Field, Schema};
    use finsam_core::personnummer::Reason;
    use finsam_core::pseudonym::{OnInvalid, Rejected, pseudonymise_batches};

    use super::*;

    fn batch(pnr: ArrayRef) -> RecordBatch {
        let n = pnr.len();
        let field = Field::new("pnr", pnr.data_type().clone(), true)
            .with_metadata(HashMap::from([("note".to_owned(), "kept".to_owned())]));
        let schema = Schema::new_with_metadata(
            vec![field, Field::new("x", DataType::Float64, true)],
            HashMap::from([("pandas".to_owned(), "{}".to_owned())]),
        );
        let x: ArrayRef = Arc::new(Float64Array::from_iter((0..n).map(|i| (i % 2 == 0).then_some(i as f64))));
        RecordBatch::try_new(Arc::new(schema), vec![pnr, x]).unwrap()
    }

    fn ids(b: &RecordBatch) -> Vec<i64> {
        b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec()
    }

    #[test]
    fn every_text_and_integer_type_gives_the_same_pseudonym() {
        let forms = ["19800101-1231", "198001011231", "800101-1231"];
        let expected = vec![ID_800101_1231.parse::<i64>().unwrap(); 3];
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(forms.to_vec())),
            Arc::new(LargeStringArray::from(forms.to_vec())),
            Arc::new(StringViewArray::from(forms.to_vec())),
            Arc::new(DictionaryArray::<Int32Type>::new(
                Int32Array::from(vec![2, 0, 1]),
                Arc::new(StringArray::from(vec!["198001011231", "800101 1231", "8001011231"])),
            )),
            Arc::new(Int64Array::from(vec![198_001_011_231, 8_001_011_231, 198_001_011_231])),
            // A slice: offsets must be honoured.
            Arc::new(StringArray::from(vec!["x", "19800101-1231", "198001011231", "800101-1231"]).slice(1, 3)),
        ];
        for array in arrays {
            let kind = array.data_type().clone();
            let input = batch(array);
            let out =
                pseudonymise_batches(std::slice::from_ref(&input), &key(), &opts("PNR"), OnInvalid::Fail).unwrap();
            let b = &out.batches[0];
            assert_eq!(ids(b), expected, "{kind}");
            assert_eq!(b.schema().metadata(), input.schema().metadata());
            assert_eq!(b.schema().field(0).metadata()["note"], "kept");
            assert_eq!(b.schema().field(0).data_type(), &DataType::Int64);
            assert_eq!(b.column(1).as_ref(), input.column(1).as_ref(), "{kind}: the other column is kept");
        }
    }

    #[test]
    fn invalid_rows_are_reported_by_row_across_batches() {
        let first = batch(Arc::new(StringArray::from(vec![Some("800101-1231"), None])));
        let second = batch(Arc::new(StringArray::from(vec![Some("811218-9876"), Some("800101-1234")])));
        let e =
            pseudonymise_batches(&[first.clone(), second.clone()], &key(), &opts("pnr"), OnInvalid::Fail).unwrap_err();
        let at = e.location().unwrap();
        assert_eq!((e.code(), at.row, at.value.as_deref()), ("invalid_personnummer", Some(1), None));
        let out = pseudonymise_batches(&[first, second], &key(), &opts("pnr"), OnInvalid::Reject).unwrap();
        assert_eq!(
            out.rejected,
            [Rejected { row: 1, reason: Reason::Empty }, Rejected { row: 3, reason: Reason::CheckDigit }]
        );
        assert_eq!(ids(&out.batches[0]), [ID_800101_1231.parse::<i64>().unwrap()]);
        assert_eq!(ids(&out.batches[1]), [ID_811218_9876.parse::<i64>().unwrap()]);
        // The other column of the kept rows: row 0 of each batch (0.0 and 0.0).
        assert_eq!(out.batches[1].column(1).as_any().downcast_ref::<Float64Array>().unwrap().value(0), 0.0);
    }

    /// Found by the hypothesis strategies of `finsam-py/tests/test_arrow_fuzz.py`:
    /// an all-null dictionary column with an empty dictionary panicked in
    /// arrow's `normalized_keys`.
    #[test]
    fn an_empty_dictionary_is_a_column_of_empty_values() {
        let keys = Int32Array::from(vec![None, None]);
        let dict = DictionaryArray::<Int32Type>::new(keys, Arc::new(StringArray::from(Vec::<&str>::new())));
        let b = batch(Arc::new(dict));
        let out = pseudonymise_batches(&[b], &key(), &opts("pnr"), OnInvalid::Reject).unwrap();
        assert_eq!(out.batches[0].num_rows(), 0);
        assert_eq!(out.rejected.iter().map(|r| r.reason).collect::<Vec<_>>(), [Reason::Empty, Reason::Empty]);
    }

    #[test]
    fn a_column_of_another_type_is_an_arrow_type_error() {
        let b = batch(Arc::new(Float64Array::from(vec![1.0])));
        let e = pseudonymise_batches(&[b], &key(), &opts("pnr"), OnInvalid::Fail).unwrap_err();
        assert_eq!(e.code(), "arrow_type");
        let b = batch(Arc::new(StringArray::from(vec!["800101-1231"])));
        let e = pseudonymise_batches(&[b], &key(), &opts("personnummer"), OnInvalid::Fail).unwrap_err();
        assert_eq!(e.code(), "missing_column");
    }
}

//! Errors in a file with Windows line endings (as Excel writes CSV) name the
//! right line. The csv crate names every record after a `\r\n` one line too
//! early; found while testing the pseudonymiser's reject file, and true of
//! every contract reader.

use finsam_core::AnonymaDeltagare;
use finsam_core::ingest::{CsvOptions, CsvReader};
use finsam_core::pseudonym::{PseudonymKey, PseudonymOptions, pseudonymise_csv};

fn line_of_error(text: &str) -> Option<u64> {
    let reader = CsvReader::<AnonymaDeltagare>::from_reader(
        std::io::Cursor::new(text.as_bytes().to_vec()),
        "a.csv",
        &CsvOptions::default(),
    )
    .unwrap();
    let rows: Result<Vec<_>, _> = reader.collect();
    rows.unwrap_err().location().unwrap().line
}

#[test]
fn the_contract_reader_names_the_line_in_a_crlf_file() {
    let bad = "10;2020;X;3";
    for ending in ["\n", "\r\n"] {
        let text = ["insats_id;ar;kon;antal", "10;2020;K;4", bad, ""].join(ending);
        assert_eq!(line_of_error(&text), Some(3), "{ending:?}");
        // A quoted field over two lines moves the following lines down by one.
        let text = ["insats_id;ar;kon;antal", "10;2020;\"K", "\";4", bad, ""].join(ending);
        assert_eq!(line_of_error(&text), Some(4), "{ending:?}");
    }
}

#[test]
fn the_pseudonymiser_names_the_line_in_a_crlf_file() {
    let key = PseudonymKey::new(b"0123456789abcdef".to_vec()).unwrap();
    let opts = PseudonymOptions::new("pnr").reference_date(finsam_core::Date::from_ymd(2025, 6, 1).unwrap());
    for ending in ["\n", "\r\n"] {
        let text = ["pnr;x", "800101-1231;a", "800101-1234;b", ""].join(ending);
        let e = pseudonymise_csv(std::io::Cursor::new(text.into_bytes()), "in.csv", Vec::new(), None, &key, &opts)
            .unwrap_err();
        assert_eq!(e.location().unwrap().line, Some(3), "{ending:?}");
    }
}

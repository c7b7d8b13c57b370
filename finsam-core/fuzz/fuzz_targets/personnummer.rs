//! The personnummer parser and the CSV pseudonymiser on arbitrary bytes:
//! never a panic; an accepted number is twelve digits whose normal form
//! parses to itself; an invalid one is never written with a pseudonym.
#![no_main]

use finsam_core::Date;
use finsam_core::personnummer::Personnummer;
use finsam_core::pseudonym::{PseudonymKey, PseudonymOptions, pseudonymise_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reference = Date::from_ymd(2025, 6, 1).unwrap();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = Personnummer::parse(text, reference) {
            assert_eq!(p.as_str().len(), 12);
            assert!(p.birth_date() <= reference);
            assert_eq!(Personnummer::parse(p.as_str(), reference).unwrap(), p);
        }
    }
    // The same bytes as a CSV file with the column `pnr`.
    let key = PseudonymKey::new(b"fuzzing-key-0123456789".to_vec()).unwrap();
    let opts = PseudonymOptions::new("pnr").reference_date(reference);
    let mut input = b"pnr;x\n".to_vec();
    input.extend_from_slice(data);
    let (mut out, mut rejects) = (Vec::new(), Vec::new());
    if let Ok(s) = pseudonymise_csv(
        std::io::Cursor::new(input),
        "fuzz.csv",
        &mut out,
        Some(&mut rejects as &mut dyn std::io::Write),
        &key,
        &opts,
    ) {
        assert_eq!(s.rows, s.pseudonymised + s.rejected);
    }
});

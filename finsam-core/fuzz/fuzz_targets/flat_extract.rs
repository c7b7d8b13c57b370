//! The flat-extract reader (the parallel block reader of
//! `ingest::flat`) on arbitrary bytes, with small blocks so that records
//! cross block borders: an extract or a typed error, never a panic. The
//! same bytes counted as they are read (a `Partial`) are accepted exactly
//! when the extract is, and then equal its state. An extract goes through
//! the one state builder into the indicator tables and the annual report,
//! never a panic.
#![no_main]

use finsam_core::engine::{Extract, Partial};
use finsam_core::indicators::{Config, Split};
use finsam_core::ingest::flat::FlatCsvOptions;
use finsam_core::report;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, bytes)) = data.split_first() else { return };
    let options = FlatCsvOptions {
        delimiter: [None, Some(b';'), Some(b',')][usize::from(control % 3)],
        threads: 1 + usize::from(control >> 7),
        block_size: 1 << 12,
    };
    let extract = Extract::from_csv_reader(bytes, "fuzz.csv", &options);
    let split = Split::parse(&["forbund", "kon"]).expect("a valid split");
    let years = 2000..=2030;
    let counted = Partial::from_csv_reader(bytes, "fuzz.csv", &options, &split, years.clone(), &Config::default());
    // Both sinks sit behind the same readers and row rules.
    assert_eq!(extract.is_ok(), counted.is_ok());
    if let (Ok(extract), Ok(counted)) = (&extract, counted) {
        let computed = Partial::compute_on(extract, &split, years, &Config::default(), options.threads);
        assert_eq!(computed.expect("a valid query"), counted);
    }
    if let Ok(extract) = extract {
        let config = Config::default();
        let year = extract.latest().year();
        let _ = report::outcomes(&extract, &split, year..=year, &config);
        let _ = report::participants(&extract, &Split::national(), year..=year, &config);
        let _ = report::annual_report(&extract, year, &config);
    }
});

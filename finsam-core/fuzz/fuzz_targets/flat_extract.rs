//! The flat-extract reader (the parallel block reader of the follow-up) on
//! arbitrary bytes, with small blocks so that records cross block borders:
//! a state or a typed error, never a panic; a state finishes. The same bytes
//! read as an `Extract` go through the one state builder into the indicator
//! tables and the annual report: the same rows accepted, never a panic.
#![no_main]

use finsam_core::engine::Extract;
use finsam_core::followup::{FlatCsvOptions, FollowUpState};
use finsam_core::indicators::{Config, Split};
use finsam_core::report;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, bytes)) = data.split_first() else { return };
    let options = FlatCsvOptions {
        delimiter: [None, Some(b';'), Some(b',')][usize::from(control % 3)],
        threads: 1 + usize::from(control >> 7),
        block_size: 1 << 12,
    };
    let state = FollowUpState::from_csv_reader(bytes, "fuzz.csv", &options);
    let extract = Extract::from_csv_reader(bytes, "fuzz.csv", &options);
    // Both sinks sit behind the same readers and row rules.
    assert_eq!(state.is_ok(), extract.is_ok());
    if let Ok(state) = state {
        let _ = state.finish(&Config::default());
    }
    if let Ok(extract) = extract {
        let config = Config::default();
        let year = extract.latest().year();
        let split = Split::parse(&["forbund", "kon"]).expect("a valid split");
        let _ = report::outcomes(&extract, &split, year..=year, &config);
        let _ = report::participants(&extract, &Split::national(), year..=year, &config);
        let _ = report::annual_report(&extract, year, &config);
    }
});

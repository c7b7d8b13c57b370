//! The flat-extract reader (the parallel block reader of the follow-up) on
//! arbitrary bytes, with small blocks so that records cross block borders:
//! a state or a typed error, never a panic; a state finishes.
#![no_main]

use finsam_core::followup::{FlatCsvOptions, FollowUpState};
use finsam_core::indicators::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, bytes)) = data.split_first() else { return };
    let options = FlatCsvOptions {
        delimiter: [None, Some(b';'), Some(b',')][usize::from(control % 3)],
        threads: 1 + usize::from(control >> 7),
        block_size: 1 << 12,
    };
    if let Ok(state) = FollowUpState::from_csv_reader(bytes, "fuzz.csv", &options) {
        let _ = state.finish(&Config::default());
    }
});

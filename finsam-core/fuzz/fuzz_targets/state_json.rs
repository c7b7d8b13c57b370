//! A mergeable state ([`Partial`]) deserialised from arbitrary JSON: an
//! error, or a state that merges with itself and finishes into tables,
//! never a panic.
#![no_main]

use finsam_core::engine::Partial;
use finsam_core::indicators::{Config, Split};
use finsam_core::report;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(state) = Partial::from_json(text) else { return };
    let finish = |state: &Partial| {
        let config = Config::default();
        let Ok(years) = state.report_years() else { return };
        let _ = report::outcomes(state, &Split::national(), years.clone(), &config);
        let _ = report::participants(state, state.split(), years, &config);
    };
    finish(&state);
    let mut merged = state.clone();
    if merged.merge(state).is_ok() {
        finish(&merged);
    }
});

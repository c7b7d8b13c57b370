//! A mergeable follow-up state deserialised from arbitrary JSON: an error,
//! or a state that merges with itself and finishes, never a panic.
#![no_main]

use finsam_core::followup::FollowUpState;
use finsam_core::indicators::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(state) = serde_json::from_slice::<FollowUpState>(data) else { return };
    let _ = state.finish(&Config::default());
    let mut merged = state.clone();
    if merged.merge(state).is_ok() {
        let _ = merged.finish(&Config::default());
    }
});

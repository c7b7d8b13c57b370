//! Benchmarks of finsam-core (criterion, `cargo bench -p finsam-benches`)
//! and the Python benchmark against the pandas/polars peers.
//!
//! This library holds what the benchmarks share: where to put the synthetic
//! CSV data they read.

use std::path::PathBuf;

/// A directory for benchmark data under the target directory, made anew
/// for each scale so runs do not depend on each other's leftovers.
///
/// ```
/// let dir = finsam_benches::data_dir("doc", 1.0);
/// assert!(dir.ends_with("finsam-bench-doc-x1"));
/// ```
pub fn data_dir(name: &str, scale: f64) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"), PathBuf::from);
    target.join(format!("finsam-bench-{name}-x{scale}"))
}

//! Helpers shared by the runnable examples of finsam.

use std::path::Path;

use finsam_core::ingest::CsvOptions;
use finsam_core::synthetic::{self, SyntheticConfig};
use finsam_core::{Dataset, ErrorPolicy, Rules};

/// Loads the data set the examples work on: the CSV directory `dir` in the
/// data contract (every error collected and reported), or the embedded
/// synthetic national data set at `scale` if `dir` is `None`.
///
/// ```no_run
/// let data = finsam_examples::load(None, 1.0)?;
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// The validation report of the directory, or an invalid scale.
pub fn load(dir: Option<&Path>, scale: f64) -> finsam_core::Result<Dataset> {
    match dir {
        Some(dir) => {
            let opts = CsvOptions::default().policy(ErrorPolicy::COLLECT);
            let (data, summary) = Dataset::read_csv_dir(dir, &opts, &Rules::default())?;
            eprint!("{summary}");
            Ok(data)
        }
        None => synthetic::generate(&SyntheticConfig { scale, ..SyntheticConfig::default() }),
    }
}

//! Writes the synthetic national data set as CSV files in the data contract.
//!
//! ```text
//! cargo run --release --example write_synthetic -- OUT_DIR [--scale 1.0] [--seed 2004]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use finsam_core::synthetic::{self, SyntheticConfig};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut config = SyntheticConfig::default();
    while let Some(arg) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| args.next().unwrap_or_default();
        match arg.as_str() {
            "--scale" => config.scale = value(&mut args).parse().unwrap_or(f64::NAN),
            "--seed" => config.seed = value(&mut args).parse().unwrap_or(0),
            _ => out = Some(PathBuf::from(arg)),
        }
    }
    let Some(out) = out else {
        eprintln!("usage: write_synthetic OUT_DIR [--scale 1.0] [--seed 2004]");
        return ExitCode::FAILURE;
    };
    let result = synthetic::generate(&config).and_then(|data| {
        data.write_csv_dir(&out)?;
        Ok(data.deltaganden.len())
    });
    match result {
        Ok(n) => {
            eprintln!("wrote {n} participations (scale {}, seed {}) to {}", config.scale, config.seed, out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

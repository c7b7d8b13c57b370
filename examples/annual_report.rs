//! The main job: the annual report of a data set.
//!
//! ```text
//! cargo run --release --example annual_report              # embedded synthetic national data
//! cargo run --release --example annual_report -- DIR       # a directory of CSV files in the contract
//! cargo run --release --example annual_report -- --json    # the same as JSON
//! ```
//!
//! Until the indicator engine lands this prints the validated descriptive
//! summary per year (see `finsam_core::summary`).

use std::path::PathBuf;
use std::process::ExitCode;

use finsam_core::{ErrorPolicy, Rules};

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut json = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            "-h" | "--help" => {
                println!(
                    "usage: annual_report [DIR] [--json]\n\nDIR: a directory of CSV files in the finsam data contract (default: the embedded synthetic data set)"
                );
                return ExitCode::SUCCESS;
            }
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let data = match finsam_examples::load(dir.as_deref(), 1.0) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = data.validate(&Rules::default(), ErrorPolicy::COLLECT) {
        eprintln!("error [{}]: {e}", e.code());
        return ExitCode::FAILURE;
    }
    let summary = data.summary();
    if json {
        match serde_json::to_string_pretty(&summary) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        let source = dir.map_or("the embedded synthetic national data set (seed 2004, scale 1)".to_owned(), |d| {
            d.display().to_string()
        });
        println!("# Finsam: validated summary of {source}\n");
        println!("{summary}");
    }
    ExitCode::SUCCESS
}

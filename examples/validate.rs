//! Validates a directory of CSV files in the data contract and reports
//! every error at once, or the row counts if there is none.
//!
//! ```text
//! cargo run --release --example validate -- DIR
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: validate DIR");
        return ExitCode::FAILURE;
    };
    match finsam_examples::load(Some(&dir), 1.0) {
        Ok(data) => {
            let mut rows: Vec<(String, u64)> = data.summary_rows().into_iter().collect();
            rows.sort();
            for (table, n) in rows {
                println!("{table}: {n} rows");
            }
            println!("valid");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

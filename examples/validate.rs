//! Validates a directory of CSV files in the data contract and reports
//! every error at once, or the row counts of every table of the contract
//! if there is none. What was read from which file (encoding, delimiter,
//! unused columns) and the files that are no table go to stderr.
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
            let rows = data.summary_rows();
            // Every table of the contract, in its order: a table without a file shows 0 rows.
            for table in finsam_core::ingest::tables() {
                let n = rows.get(table.name).copied().unwrap_or_default();
                println!("{}: {n} rows", table.name);
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

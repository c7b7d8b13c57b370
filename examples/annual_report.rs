//! The main job: the annual report of a data set.
//!
//! ```text
//! cargo run --release --example annual_report                       # synthetic data, latest year (2025: aggregate era)
//! cargo run --release --example annual_report -- DIR                # a directory of CSV files in the contract
//! cargo run --release --example annual_report -- --year 2020 --format csv|json|markdown
//! cargo run --release --example annual_report -- DIR --stream       # stream the participation file in chunks
//! cargo run --release --example annual_report -- --no-suppression   # only for data that stay in-house
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use finsam_core::ErrorPolicy;
use finsam_core::disclosure::Disclosure;
use finsam_core::indicators::Config;
use finsam_core::ingest::CsvOptions;
use finsam_core::report::{annual_report, annual_report_csv};

struct Args {
    dir: Option<PathBuf>,
    year: Option<i32>,
    format: String,
    suppression: bool,
    stream: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { dir: None, year: None, format: "markdown".into(), suppression: true, stream: false };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--year" => args.year = Some(it.next().and_then(|y| y.parse().ok()).ok_or("--year takes a year")?),
            "--format" => args.format = it.next().ok_or("--format takes markdown, csv or json")?,
            "--json" => args.format = "json".into(),
            "--no-suppression" => args.suppression = false,
            "--stream" => args.stream = true,
            "-h" | "--help" => return Err(String::new()),
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            other => args.dir = Some(PathBuf::from(other)),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "{e}\nusage: annual_report [DIR [--stream]] [--year YEAR] [--format markdown|csv|json] [--no-suppression]"
            );
            return if e.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
        }
    };
    let config = Config {
        disclosure: if args.suppression { Disclosure::default() } else { Disclosure::OFF },
        ..Config::default()
    };
    let report = match (&args.dir, args.stream) {
        (Some(dir), true) => {
            let Some(year) = args.year else {
                eprintln!("error: --stream needs --year");
                return ExitCode::FAILURE;
            };
            annual_report_csv(
                dir,
                year,
                &config,
                &CsvOptions::default().policy(ErrorPolicy::COLLECT),
                &Default::default(),
                2,
            )
        }
        _ => finsam_examples::load(args.dir.as_deref(), 1.0).and_then(|data| {
            let year = args.year.or_else(|| data.reporting_years().last().copied()).ok_or_else(|| {
                finsam_core::Error::InvalidArgument {
                    name: "year",
                    message: "the data have no reporting year; give --year".into(),
                }
            })?;
            annual_report(&data, year, &config)
        }),
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    let text = match args.format.as_str() {
        "markdown" => report.to_markdown(),
        "csv" => report.to_csv(),
        "json" => match report.to_json() {
            Ok(j) => j,
            Err(e) => {
                eprintln!("error [{}]: {e}", e.code());
                return ExitCode::FAILURE;
            }
        },
        other => {
            eprintln!("unknown format {other}; use markdown, csv or json");
            return ExitCode::FAILURE;
        }
    };
    // A reader that stops early (`| head`) closes the pipe: that ends the
    // output, it is not an error worth a panic.
    use std::io::Write as _;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            eprintln!("error writing the report: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

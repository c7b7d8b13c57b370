//! The streaming path (`annual_report_csv`) accepts and refuses exactly what
//! the in-memory path (`Dataset::read_csv_dir` + `annual_report`) does: the
//! same report, or the same first error at the same file, line and column.

use finsam_core::indicators::Config;
use finsam_core::ingest::CsvOptions;
use finsam_core::report;
use finsam_core::synthetic::{SyntheticConfig, generate};
use finsam_core::*;
use proptest::prelude::*;

/// What identifies an error for the comparison: code, file, line, column, value.
fn signature(e: &Error) -> (String, Option<String>, Option<u64>, Option<String>, Option<String>) {
    let at = e.location();
    (
        e.code().to_owned(),
        at.and_then(|a| a.source.clone()),
        at.and_then(|a| a.line),
        at.and_then(|a| a.column.clone()),
        at.and_then(|a| a.value.clone()),
    )
}

/// Both paths over the directory: the report or the first error of each.
fn both(dir: &std::path::Path, year: i32) -> (Result<report::AnnualReport>, Result<report::AnnualReport>) {
    let config = Config::default();
    let opts = CsvOptions::default();
    let in_memory = Dataset::read_csv_dir(dir, &opts, &Rules::default())
        .and_then(|(data, _)| report::annual_report(&data, year, &config));
    let streamed = report::annual_report_csv(dir, year, &config, &opts, &Rules::default(), 2);
    (in_memory, streamed)
}

fn assert_same(dir: &std::path::Path, year: i32) -> Option<Error> {
    let (a, b) = both(dir, year);
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b);
            None
        }
        (Err(a), Err(b)) => {
            assert_eq!(signature(&a), signature(&b), "in memory: {a}\nstreamed: {b}");
            Some(b)
        }
        (a, b) => panic!("the paths disagree:\nin memory: {:?}\nstreamed: {:?}", a.err(), b.err()),
    }
}

/// Replaces field `column` of data line `line` (1-based file line) of `deltaganden.csv`.
fn edit(dir: &std::path::Path, line: usize, column: &str, value: &str) {
    let path = dir.join("deltaganden.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let c = lines[0].split(';').position(|h| h == column).unwrap();
    let mut fields: Vec<String> = lines[line - 1].split(';').map(str::to_owned).collect();
    fields[c] = value.to_owned();
    lines[line - 1] = fields.join(";");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

fn append_copy(dir: &std::path::Path, line: usize, change: Option<(&str, &str)>) {
    let path = dir.join("deltaganden.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut fields: Vec<String> = lines[line - 1].split(';').map(str::to_owned).collect();
    if let Some((column, value)) = change {
        let c = lines[0].split(';').position(|h| h == column).unwrap();
        fields[c] = value.to_owned();
    }
    std::fs::write(&path, format!("{text}{}\n", fields.join(";"))).unwrap();
}

fn small() -> (tempfile::TempDir, Dataset) {
    let data = generate(&SyntheticConfig { scale: 0.02, seed: 11 }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    data.write_csv_dir(dir.path()).unwrap();
    (dir, data)
}

/// The line of the first ended participation that starts and ends in `year`.
fn ended_line(data: &Dataset, year: i32) -> usize {
    data.deltaganden.iter().position(|d| d.start.year() == year && d.slut.is_some_and(|s| s.year() == year)).unwrap()
        + 2
}

#[test]
fn every_participation_rule_is_applied_when_streaming() {
    let cases: [(&str, &str, &str); 6] = [
        ("slutdatum", "2000-01-01", "end_before_start"),
        ("fodelsear", "1900", "implausible_birth_year"),
        ("startdatum", "2001-01-01", "outside_insats_lifetime"),
        ("insats_id", "999999", "unknown_insats"),
        ("forbund_id", "9999", "forbund_mismatch"),
        ("slutdatum", "", "outcome_without_end"),
    ];
    for (column, value, code) in cases {
        let (dir, data) = small();
        let line = ended_line(&data, 2020);
        edit(dir.path(), line, column, value);
        let e = assert_same(dir.path(), 2020).unwrap_or_else(|| panic!("{code} was accepted"));
        assert_eq!(e.code(), code);
        assert_eq!(e.location().and_then(|a| a.line), Some(line as u64), "{e}");
    }
}

#[test]
fn repeats_are_found_across_chunks_when_streaming() {
    // An exact copy of the first row at the end: far apart, in different chunks.
    let (dir, _) = small();
    append_copy(dir.path(), 2, None);
    let e = assert_same(dir.path(), 2020).unwrap();
    assert_eq!(e.code(), "duplicate_row");
    // The same person, insats and start with another status: a duplicate key.
    let (dir, data) = small();
    let line = ended_line(&data, 2020);
    let other = if data.deltaganden[line - 2].utfall == Some(Utfall::Arbete) { "studier" } else { "arbete" };
    append_copy(dir.path(), line, Some(("status_efter", other)));
    let e = assert_same(dir.path(), 2020).unwrap();
    assert_eq!(e.code(), "duplicate_key");
    assert!(e.to_string().contains(&format!("row {}", line - 2)), "{e}");
}

#[test]
fn the_same_key_with_other_values_is_a_duplicate_key_in_every_mode() {
    let data = generate(&SyntheticConfig { scale: 0.02, seed: 3 }).unwrap();
    let mut bad = data.clone();
    let mut twin = *bad.deltaganden.iter().find(|d| d.utfall == Some(Utfall::Arbete)).unwrap();
    twin.utfall = Some(Utfall::Studier);
    bad.deltaganden.push(twin);
    let e = bad.validate(&Rules::default(), ErrorPolicy::FailFast).unwrap_err();
    assert_eq!(e.code(), "duplicate_key");
    let e = bad.validate(&Rules::default(), ErrorPolicy::COLLECT).unwrap_err();
    assert!(e.to_string().contains("duplicate_key"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    bad.write_csv_dir(dir.path()).unwrap();
    let e = Dataset::read_csv_dir(dir.path(), &Default::default(), &Rules::default()).unwrap_err();
    assert_eq!(e.code(), "duplicate_key");
    assert_eq!(e.location().unwrap().line, Some(bad.deltaganden.len() as u64 + 1));
}

#[test]
fn an_unknown_forbund_of_an_insats_is_reported_as_the_cause_not_its_consequences() {
    let (dir, data) = small();
    // Give one insats with participants a förbund that does not exist.
    let insats = data.deltaganden[0].insats;
    let path = dir.path().join("insatser.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let header = text.lines().next().unwrap().to_owned();
    let (id_col, f_col) = (
        header.split(';').position(|h| h == "insats_id").unwrap(),
        header.split(';').position(|h| h == "forbund_id").unwrap(),
    );
    let edited: Vec<String> = text
        .lines()
        .map(|l| {
            let mut f: Vec<String> = l.split(';').map(str::to_owned).collect();
            if f[id_col] == insats.to_string() {
                f[f_col] = "9999".into();
            }
            f.join(";")
        })
        .collect();
    std::fs::write(&path, edited.join("\n") + "\n").unwrap();
    let e = Dataset::read_csv_dir(dir.path(), &Default::default(), &Rules::default()).unwrap_err();
    assert_eq!((e.code(), e.location().unwrap().column.as_deref()), ("unknown_forbund", Some("forbund_id")));
    assert!(e.location().unwrap().source.as_deref().unwrap().ends_with("insatser.csv"), "{e}");
    let all = Dataset::read_csv_dir(dir.path(), &CsvOptions::default().policy(ErrorPolicy::COLLECT), &Rules::default())
        .unwrap_err();
    let Error::Invalid(report) = &all else { panic!("{all}") };
    assert!(report.errors().iter().all(|e| e.code() != "forbund_mismatch"), "follow-on errors: {all}");
    assert_eq!(report.errors()[0].code(), "unknown_forbund", "the cause comes first: {all}");
    assert_same(dir.path(), 2020);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random small data sets, each valid or with one random fault in one
    /// participation: both paths give the same report or the same error.
    #[test]
    fn both_paths_agree_on_random_data_sets(
        seed in 0u64..1_000,
        fault in 0usize..8,
        pick in any::<prop::sample::Index>(),
        year in 2018i32..=2022,
    ) {
        let data = generate(&SyntheticConfig { scale: 0.01, seed }).unwrap();
        // The synthetic data of every seed are valid (the faults below are the only ones).
        prop_assert!(data.validate(&Rules::default(), ErrorPolicy::FailFast).is_ok());
        let dir = tempfile::tempdir().unwrap();
        data.write_csv_dir(dir.path()).unwrap();
        let line = pick.index(data.deltaganden.len()) + 2;
        match fault {
            0 => edit(dir.path(), line, "slutdatum", "1999-12-31"),
            1 => edit(dir.path(), line, "fodelsear", "2015"),
            2 => edit(dir.path(), line, "insats_id", "123456"),
            3 => edit(dir.path(), line, "kon", "x"),
            4 => append_copy(dir.path(), line, None),
            5 => append_copy(dir.path(), line, Some(("fodelsear", "1961"))),
            _ => {}
        }
        assert_same(dir.path(), year);
    }
}

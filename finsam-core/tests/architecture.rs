//! The dependency rules of `../shared/architecture.md`, checked on the
//! source: `report` is a root that nothing imports, and `publish` is a leaf
//! that imports only the error type, the statistics and the domain values
//! (`model`, itself a leaf). A `use` that breaks
//! a rule fails here with the file and line, before it becomes a cycle.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code lines (not comments) of every source file under `src/`, with
/// their file and line number.
fn code_lines() -> Vec<(PathBuf, usize, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut lines = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap().to_path_buf();
        for (i, line) in std::fs::read_to_string(&file).unwrap().lines().enumerate() {
            let code = line.trim_start();
            if !code.starts_with("//") {
                lines.push((relative.clone(), i + 1, code.to_owned()));
            }
        }
    }
    lines
}

#[test]
fn nothing_imports_report() {
    let offenders: Vec<String> = code_lines()
        .into_iter()
        .filter(|(file, _, code)| {
            !file.starts_with("report") && file != Path::new("lib.rs") && code.contains("crate::report")
        })
        .map(|(file, line, code)| format!("{}:{line}: {code}", file.display()))
        .collect();
    assert!(offenders.is_empty(), "report/ is a root; import from publish/ instead:\n{}", offenders.join("\n"));
}

#[test]
fn publish_is_a_leaf() {
    let allowed = ["crate::error", "crate::stats", "crate::model", "crate::publish"];
    let offenders: Vec<String> = code_lines()
        .into_iter()
        .filter(|(file, _, code)| {
            file.starts_with("publish")
                && code.contains("crate::")
                && !allowed
                    .iter()
                    .any(|a| code.split("crate::").skip(1).all(|rest| format!("crate::{rest}").starts_with(a)))
        })
        .map(|(file, line, code)| format!("{}:{line}: {code}", file.display()))
        .collect();
    assert!(offenders.is_empty(), "publish/ imports only error, stats, model and itself:\n{}", offenders.join("\n"));
}

//! The README's data contract and indicator table are what the code
//! declares. Run with `FINSAM_BLESS=1` to rewrite the README sections after
//! changing a table or an indicator.

use std::path::Path;

/// One section at a time: blessing reads and rewrites the whole README,
/// so two tests blessing at once lost one's section.
static README: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn check_section(name: &str, source: &str, wanted: &str) {
    let _one_at_a_time = README.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = format!("<!-- {name}:start (generated from {source}) -->\n");
    let end = format!("<!-- {name}:end -->");
    let (before, rest) = readme.split_once(&start).unwrap_or_else(|| panic!("README has the {name} start marker"));
    let (current, after) = rest.split_once(&end).unwrap_or_else(|| panic!("README has the {name} end marker"));
    if std::env::var_os("FINSAM_BLESS").is_some() {
        std::fs::write(&path, format!("{before}{start}{wanted}{end}{after}")).unwrap();
        return;
    }
    assert_eq!(current, wanted, "the README's {name} is out of date: run FINSAM_BLESS=1 cargo test --test readme");
}

#[test]
fn readme_contract_is_current() {
    check_section("contract", "finsam_core::ingest::contract_markdown", &finsam_core::ingest::contract_markdown());
}

#[test]
fn readme_catalogue_is_current() {
    check_section(
        "catalogue",
        "finsam_core::indicators::catalogue::catalogue_markdown",
        &finsam_core::indicators::catalogue::catalogue_markdown(),
    );
}

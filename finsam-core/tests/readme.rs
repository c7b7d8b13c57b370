//! The README's data contract is the contract the code reads. Run with
//! `FINSAM_BLESS=1` to rewrite the README section after changing a table.

use std::path::Path;

const START: &str = "<!-- contract:start (generated from finsam_core::ingest::contract_markdown) -->\n";
const END: &str = "<!-- contract:end -->";

#[test]
fn readme_contract_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (before, rest) = readme.split_once(START).expect("README has the contract start marker");
    let (current, after) = rest.split_once(END).expect("README has the contract end marker");
    let wanted = finsam_core::ingest::contract_markdown();
    if std::env::var_os("FINSAM_BLESS").is_some() {
        std::fs::write(&path, format!("{before}{START}{wanted}{END}{after}")).unwrap();
        return;
    }
    assert_eq!(current, wanted, "the README's contract is out of date: run FINSAM_BLESS=1 cargo test --test readme");
}

//! The workspace declares the Rust version its locked dependencies need.

use std::process::Command;

/// `major.minor[.patch]` as three numbers (a missing patch is 0).
fn version(v: &str) -> [u32; 3] {
    let mut out = [0; 3];
    for (slot, part) in out.iter_mut().zip(v.split('.')) {
        *slot = part.parse().unwrap_or(0);
    }
    out
}

/// The platform this test runs on, as `cargo -vV` names it.
fn host_triple(cargo: &str) -> String {
    let out = Command::new(cargo).arg("-vV").output().expect("cargo -vV runs");
    assert!(out.status.success(), "cargo -vV failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("cargo prints UTF-8");
    let host = text.lines().find_map(|l| l.strip_prefix("host: ")).expect("cargo -vV names the host");
    host.to_string()
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    // Offline, cargo has only the packages this platform builds (a fresh
    // machine has not downloaded, say, Android's), so the check covers the
    // packages of the platform it runs on, not those only others build.
    let host = host_triple(&cargo);
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", &host])
        .args(["--manifest-path", manifest])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let declared = packages
        .iter()
        .find(|p| p["name"] == "finsam-core")
        .and_then(|p| p["rust_version"].as_str())
        .expect("finsam-core declares a rust-version");
    for p in packages {
        if let Some(needed) = p["rust_version"].as_str() {
            assert!(
                version(needed) <= version(declared),
                "{} {} needs Rust {needed}, the workspace declares {declared}",
                p["name"],
                p["version"]
            );
        }
    }
}

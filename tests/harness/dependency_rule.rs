//! The gate agent's dependency tree holds none of the server's heavy crates.

use std::process::Command;

const FORBIDDEN: [&str; 4] = ["aws-sdk-s3", "lettre", "askama", "sqlx-postgres"];

fn tree(package: &str) -> Vec<String> {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--locked", "--offline", "--manifest-path", manifest, "-p", package])
        .args(["-e", "normal,build", "--prefix", "none", "--format", "{p}"])
        .output()
        .expect("run cargo tree");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn gate_agent_tree_has_no_server_crates() {
    let gate = tree("gate-agent");
    assert!(gate.iter().any(|c| c == "tokio"), "the tree was not read: {gate:?}");
    for crate_name in FORBIDDEN {
        assert!(!gate.iter().any(|c| c == crate_name), "gate-agent depends on {crate_name}");
    }
}

#[test]
fn the_rule_would_catch_a_forbidden_crate() {
    // The same check, pointed at the platform, must see the crates it forbids on the gate.
    let platform = tree("platform-server");
    for crate_name in ["askama", "sqlx-postgres"] {
        assert!(platform.iter().any(|c| c == crate_name), "{crate_name} not seen in the platform");
    }
}

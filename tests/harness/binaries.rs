//! The two binaries: `--help` works, and `gateledger serve` with no configuration keeps its
//! data under ./data and answers /healthz on 127.0.0.1:8080.

use std::process::Command;
use std::time::Duration;

use gateledger_e2e::process::{bin_path, spawn_until};

#[test]
fn both_binaries_print_help() {
    for (bin, expect) in [("gateledger", "serve"), ("gateledger-gate", "run")] {
        let out = Command::new(bin_path(bin)).arg("--help").output().expect("run --help");
        assert!(out.status.success(), "{bin} --help failed");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert!(text.contains(expect), "{bin} --help does not mention {expect}: {text}");
    }
}

#[tokio::test]
async fn serve_with_no_configuration_uses_data_dir_and_port_8080() {
    // Arrange: an empty working directory and no gateledger variables.
    let cwd = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(bin_path("gateledger"));
    cmd.arg("serve").current_dir(cwd.path());
    for (key, _) in std::env::vars() {
        if key.starts_with("GATELEDGER") || key == "DATABASE_URL" {
            cmd.env_remove(key);
        }
    }

    // Act
    let (_platform, line) = spawn_until(cmd, "listening on ", Duration::from_secs(60));
    let health = reqwest::get("http://127.0.0.1:8080/healthz").await.expect("GET /healthz");

    // Assert
    assert!(line.ends_with("http://127.0.0.1:8080"), "{line}");
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "sqlite");
    assert!(cwd.path().join("data/gateledger.db").is_file(), "no ./data/gateledger.db");
}

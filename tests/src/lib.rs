//! The end-to-end harness: finds the real services that `infra/test.sh` started, starts
//! gateledger's own binaries, and drives headless Chromium.
//!
//! A test that needs a service reads its address from an environment variable through
//! [`require_env`]. Run without the script, such a test fails and names the variable; it
//! never passes silently.

pub mod browser;
pub mod pg;
pub mod platform;
pub mod process;

/// Reads a variable that `infra/test.sh` sets, or fails the test naming it.
pub fn require_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => panic!(
            "{name} is not set: this test needs a real service. Run the suite with \
             `infra/test.sh`, which starts the services and sets {name}."
        ),
    }
}

/// A directory under the target directory where tests keep artefacts (screenshots, logs).
pub fn artifacts_dir() -> std::path::PathBuf {
    let dir = process::target_dir().join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("cannot create the test-artifacts directory");
    dir
}

//! Agent settings: defaults in code, then an optional TOML file, then the environment
//! (`GATELEDGER_GATE__SECTION__KEY`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The example configuration shipped with the binary (`gateledger-gate config-example`).
pub const EXAMPLE: &str = include_str!("../gateledger-gate.example.toml");

/// Everything the agent reads at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the local ledger, photos, keys and cached lists live.
    pub data_dir: PathBuf,
    /// The local status page for the guard house.
    pub status: StatusSettings,
    /// Logging filter; `RUST_LOG` wins.
    pub log_filter: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./gate-data"),
            status: StatusSettings::default(),
            log_filter: "info".to_owned(),
        }
    }
}

/// The local status page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusSettings {
    /// Address of the status page; keep it on the gate's LAN.
    pub bind: SocketAddr,
}

impl Default for StatusSettings {
    fn default() -> Self {
        Self { bind: SocketAddr::from(([127, 0, 0, 1], 8090)) }
    }
}

impl Settings {
    /// Loads defaults, then `file` when given, then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            anyhow::ensure!(path.is_file(), "configuration file {} does not exist", path.display());
            builder = builder.add_source(
                config::File::from(path).format(config::FileFormat::Toml).required(true),
            );
        }
        builder = builder.add_source(
            config::Environment::with_prefix("GATELEDGER_GATE")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        builder.build().and_then(config::Config::try_deserialize).context("invalid configuration")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_configuration_parses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.toml");
        std::fs::write(&path, EXAMPLE).unwrap();
        let settings = Settings::load(Some(&path)).unwrap();
        assert_eq!(settings.status.bind.port(), 8090);
    }
}

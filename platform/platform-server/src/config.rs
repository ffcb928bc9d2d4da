//! Platform settings: defaults in code, then an optional TOML file, then the environment.
//!
//! Environment variables use the prefix `GATELEDGER__` and `__` between sections, so
//! `GATELEDGER__HTTP__BIND=0.0.0.0:8080` sets `[http] bind`. `DATABASE_URL`, the usual name,
//! is honoured too and wins over both. With nothing set at all, the platform keeps its data
//! under `./data` (a SQLite file and a local evidence directory) and listens on
//! 127.0.0.1:8080: the embedded default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The example configuration shipped with the binary (`gateledger config-example`).
pub const EXAMPLE: &str = include_str!("../gateledger.example.toml");

/// Everything the platform reads at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the embedded database, evidence objects and keys live.
    pub data_dir: PathBuf,
    /// The HTTP listener.
    pub http: HttpSettings,
    /// The SQL backend.
    pub database: DatabaseSettings,
    /// Logging.
    pub log: LogSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            http: HttpSettings::default(),
            database: DatabaseSettings::default(),
            log: LogSettings::default(),
        }
    }
}

/// The HTTP listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Address to bind; port 0 picks a free port (tests use this).
    pub bind: SocketAddr,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self { bind: SocketAddr::from(([127, 0, 0, 1], 8080)) }
    }
}

/// The SQL backend. Without a URL the platform uses `sqlite://<data_dir>/gateledger.db`.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `postgres://…` or `sqlite://…`. Kept secret: it usually carries a password.
    pub url: Option<SecretString>,
    /// Largest number of pooled connections.
    pub max_connections: Option<u32>,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.url.as_ref().map(|u| redact_url(u.expose_secret()));
        f.debug_struct("DatabaseSettings")
            .field("url", &url)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// Logging.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// A tracing filter such as `info` or `platform_server=debug,info`. `RUST_LOG` wins.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { filter: "info".to_owned() }
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
            config::Environment::with_prefix("GATELEDGER")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let mut settings: Settings = builder
            .build()
            .and_then(config::Config::try_deserialize)
            .context("invalid configuration")?;
        if let Ok(url) = std::env::var("DATABASE_URL")
            && !url.is_empty()
        {
            settings.database.url = Some(url.into());
        }
        Ok(settings)
    }

    /// The database URL in effect: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join("gateledger.db").display()),
        }
    }
}

/// Hides the password of a URL such as `postgres://user:secret@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.split_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_configuration_parses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateledger.toml");
        std::fs::write(&path, EXAMPLE).unwrap();
        let settings = Settings::load(Some(&path)).unwrap();
        assert_eq!(settings.http.bind.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn unknown_key_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[http]\nbnid = \"127.0.0.1:1\"\n").unwrap();
        let err = format!("{:#}", Settings::load(Some(&path)).unwrap_err());
        assert!(err.contains("bnid"), "{err}");
    }

    #[test]
    fn password_is_redacted() {
        assert_eq!(redact_url("postgres://gl:s3cret@db:5432/gl"), "postgres://gl:***@db:5432/gl");
        assert_eq!(redact_url("sqlite://data/gateledger.db"), "sqlite://data/gateledger.db");
        let settings = DatabaseSettings {
            url: Some("postgres://gl:s3cret@db/gl".to_owned().into()),
            max_connections: None,
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
    }
}

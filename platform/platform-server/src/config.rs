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
    /// Sign-in, sessions and lockout.
    pub auth: AuthSettings,
    /// Outgoing mail (password resets, reports).
    pub mail: MailSettings,
    /// Where evidence objects (photos, documents) are kept.
    pub objects: ObjectSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            http: HttpSettings::default(),
            database: DatabaseSettings::default(),
            log: LogSettings::default(),
            auth: AuthSettings::default(),
            mail: MailSettings::default(),
            objects: ObjectSettings::default(),
        }
    }
}

/// The HTTP listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Address to bind; port 0 picks a free port (tests use this).
    pub bind: SocketAddr,
    /// The address people reach the platform at, for links in e-mails. Unset: derived
    /// from `bind` (`https://` when the platform serves TLS itself).
    pub public_url: Option<String>,
    /// A PEM certificate chain: with `tls_key`, the platform serves HTTPS itself.
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address other than loopback. Only for a platform behind a
    /// TLS-terminating proxy on the same host or a private link; browsers then get their
    /// cookies over the proxy's HTTPS (set `public_url` to its `https://` address).
    pub plain_http_beyond_loopback: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            tls_cert: None,
            tls_key: None,
            plain_http_beyond_loopback: false,
        }
    }
}

impl HttpSettings {
    /// The certificate and key when HTTPS is configured; an error when only one is given.
    pub fn tls(&self) -> anyhow::Result<Option<(&Path, &Path)>> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(c), Some(k)) => Ok(Some((c, k))),
            (None, None) => Ok(None),
            _ => anyhow::bail!("[http] tls_cert and tls_key go together: set both or neither"),
        }
    }

    /// Refuses plain HTTP on a network address unless explicitly allowed: passwords and
    /// session cookies must not cross a network in clear text.
    pub fn check_transport(&self) -> anyhow::Result<()> {
        if self.tls()?.is_none()
            && !self.bind.ip().is_loopback()
            && !self.plain_http_beyond_loopback
        {
            anyhow::bail!(
                "refusing plain HTTP on {}: give [http] tls_cert and tls_key to serve HTTPS, \
                 bind 127.0.0.1, or set [http] plain_http_beyond_loopback = true behind a TLS proxy",
                self.bind
            );
        }
        Ok(())
    }
}

/// Sign-in, sessions and lockout.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// How long a session lasts without signing in again, in hours.
    pub session_hours: u32,
    /// Failed sign-ins in a row that lock an account.
    pub max_failed_logins: u32,
    /// How long a locked account stays locked, in minutes.
    pub lockout_minutes: u32,
    /// How long a password-reset link is valid, in minutes.
    pub reset_minutes: u32,
    /// The key that signs session tokens. Unset: a random key kept in
    /// `<data_dir>/keys/session.key`, created on first start.
    pub session_key: Option<SecretString>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
            reset_minutes: 30,
            session_key: None,
        }
    }
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("session_hours", &self.session_hours)
            .field("max_failed_logins", &self.max_failed_logins)
            .field("lockout_minutes", &self.lockout_minutes)
            .field("reset_minutes", &self.reset_minutes)
            .field("session_key", &self.session_key.as_ref().map(|_| "***"))
            .finish()
    }
}

/// How SMTP connections are secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same host or network.
    None,
    /// STARTTLS on the submission port (usually 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually 465).
    Tls,
}

/// Outgoing mail. Without an SMTP host, mails are written as `.eml` files under
/// `<data_dir>/mail-outbox`, so a single-site install still shows reset links to its operator.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    /// The SMTP server.
    pub smtp_host: Option<String>,
    /// Its port; unset: 25, 587 or 465 by `tls`.
    pub smtp_port: Option<u16>,
    /// Transport security.
    pub tls: SmtpTls,
    /// SMTP user, if the server wants one.
    pub username: Option<String>,
    /// SMTP password.
    pub password: Option<SecretString>,
    /// The sender, e.g. `gateledger <noreply@example.com>`.
    pub from: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_host: None,
            smtp_port: None,
            tls: SmtpTls::default(),
            username: None,
            password: None,
            from: "gateledger <noreply@gateledger.local>".to_owned(),
        }
    }
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .finish()
    }
}

/// Where evidence objects are kept.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ObjectSettings {
    /// An S3-compatible store. Unset: `<data_dir>/evidence` on the local disk.
    pub s3: Option<S3Settings>,
}

impl std::fmt::Debug for ObjectSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectSettings").field("s3", &self.s3).finish()
    }
}

/// An S3-compatible object store (path-style addressing).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    /// The endpoint, e.g. `https://s3.example.com`.
    pub endpoint: String,
    /// The bucket; created at start when missing.
    pub bucket: String,
    /// The region; most S3-compatible servers accept `us-east-1`.
    #[serde(default = "default_region")]
    pub region: String,
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: SecretString,
    /// How long presigned download links stay valid, in seconds.
    #[serde(default = "default_presign_seconds")]
    pub presign_seconds: u64,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

fn default_presign_seconds() -> u64 {
    300
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &"***")
            .field("presign_seconds", &self.presign_seconds)
            .finish()
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

    /// The base URL for links in e-mails.
    pub fn public_url(&self) -> String {
        match &self.http.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("{}://{}", self.scheme(), self.http.bind),
        }
    }

    /// `https` when the platform serves TLS itself, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.http.tls_cert.is_some() { "https" } else { "http" }
    }

    /// Whether browsers reach the platform over HTTPS (its own or a proxy's): cookies are
    /// then marked `Secure`.
    pub fn https(&self) -> bool {
        self.public_url().starts_with("https://")
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
    fn plain_http_is_for_loopback_unless_explicitly_allowed() {
        let mut http = HttpSettings::default();
        http.check_transport().unwrap();
        http.bind = "0.0.0.0:8080".parse().unwrap();
        let err = http.check_transport().unwrap_err().to_string();
        assert!(err.contains("refusing plain HTTP"), "{err}");
        http.plain_http_beyond_loopback = true;
        http.check_transport().unwrap();
        http.plain_http_beyond_loopback = false;
        http.tls_cert = Some("cert.pem".into());
        assert!(http.check_transport().is_err(), "a certificate without its key");
        http.tls_key = Some("key.pem".into());
        http.check_transport().unwrap();
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

//! The gateledger platform as a library: the `gateledger` binary is a thin CLI over it, and
//! the end-to-end tests start the same [`startup::Application`] in-process.

pub mod admin;
pub mod auth;
pub mod config;
pub mod error;
pub mod http;
pub mod i18n;
pub mod keys;
pub mod mail;
pub mod objects;
pub mod ops;
pub mod registry;
pub mod sheets;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod tls;

/// The version of this build, reported by `/healthz` and to gates.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

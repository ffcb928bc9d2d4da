//! The gate agent as a library: the `gateledger-gate` binary is a thin CLI over it.
//!
//! The agent receives plate reads from the gate's ANPR cameras, decides admission locally
//! (also offline), drives the barrier through a Modbus PLC, records every passage in a
//! signed hash chain and streams it to the platform.
//!
//! - [`camera`]: the push formats (Hikvision, Dahua, our JSON) and the HTTP intake;
//! - [`matching`]: OCR-tolerant plate matching against the cached registry (pure);
//! - [`gate`]: the path from a push to the barrier and the screen, where admission and the
//!   ledger plug in;
//! - [`store`]: the durable local store (SQLite + photo files);
//! - [`barrier`]: the pure barrier state machine and the Modbus driver;
//! - [`display`]: what the driver and the guard read, and the LED sender;
//! - [`status`], [`health`]: the guard-house page and the live health record;
//! - [`supervisor`], [`agent`]: components with restarts, and their assembly;
//! - [`config`], settings.

pub mod agent;
pub mod barrier;
pub mod camera;
pub mod config;
pub mod display;
pub mod gate;
pub mod health;
pub mod matching;
pub mod status;
pub mod store;
pub mod supervisor;

/// The version of this build, reported in heartbeats and on the status page.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

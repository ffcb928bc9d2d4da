//! The gate agent as a library: the `gateledger-gate` binary is a thin CLI over it.
//!
//! The agent receives plate reads from the gate's ANPR cameras, decides admission locally
//! (also offline), drives the barrier through a Modbus PLC, records every passage in a
//! signed hash chain and streams it to the platform.

pub mod config;
pub mod status;

/// The version of this build, reported in heartbeats and on the status page.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

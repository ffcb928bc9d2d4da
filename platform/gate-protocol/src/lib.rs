//! The wire contract between a gateledger gate agent and the platform.
//!
//! The ALPN string carries the protocol major version; a peer that does not speak it is
//! refused during the TLS handshake, before any application byte is read.

/// The ALPN protocol id of the gate link, major version 1.
pub const ALPN: &[u8] = b"gateledger/1";

//! The gateledger wire contract: what a passage is, how the ledger chain makes it
//! tamper-evident, and how gate agents and the platform talk.
//!
//! - [`record`]: passage record version 1 and the other ledger records, with their
//!   canonical bytes (deterministic, versioned, independent of the wire codec).
//! - [`chain`]: `hash = SHA-256(prev_hash || canonical_bytes)`, genesis values, Ed25519
//!   signatures, the [`chain::Entry`] that carries a signed record, and a
//!   [`chain::ChainWriter`] that appends.
//! - [`verify`]: a [`verify::Verifier`] that checks a run of entries and names the first gap,
//!   fork, bad signature or unknown key.
//! - [`frame`]: length-delimited framing with an incremental decoder, the same over QUIC
//!   streams and over TLS on TCP.
//! - [`message`]: the handshake and the uplink and downlink messages.
//!
//! The crate does no I/O and depends on no async runtime: transports on both sides wrap it.
//! `docs/PROTOCOL.md` specifies every byte, so that a verifier can be written from it alone.
//!
//! Invariants:
//! - decoding never panics and never allocates more than its input, whatever the bytes;
//! - a stored chain verifies forever: record layouts of a released version are frozen;
//! - an older gate survives a newer platform: unknown messages and enum values decode to
//!   catch-alls, and message bodies only grow at their end.

pub mod bytes;
pub mod chain;
pub mod frame;
pub mod message;
pub mod record;
pub mod types;
pub mod verify;

pub use bytes::{DecodeError, EncodeError};
pub use chain::{ChainHead, ChainWriter, Entry};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use frame::{Frame, FrameDecoder, FrameError, MAX_FRAME_LEN};
pub use message::{Downlink, Uplink};
pub use record::{ChainId, PassageRecord, Record};
pub use types::{CommandId, Hash, PublicKey, UtcMicros};
pub use verify::{PlatformKeys, Verifier, VerifyError};

/// The QUIC / TLS application protocol name. It carries the major version: a gate and a
/// platform that share no ALPN never exchange a byte.
pub const ALPN: &[u8] = b"gateledger/1";

/// The protocol's major version (the one in [`ALPN`]).
pub const PROTOCOL_MAJOR: u16 = 1;

/// The protocol's minor version: compatible additions within the major.
pub const PROTOCOL_MINOR: u16 = 0;

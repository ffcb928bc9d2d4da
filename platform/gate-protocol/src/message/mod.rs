//! The messages gate agents and the platform exchange, and their encoding inside frames.
//!
//! # Direction and tags
//!
//! Each side decodes only what the other sends: the platform decodes [`Uplink`], the gate
//! [`Downlink`]. A frame's `u16` tag says which message its body holds:
//!
//! | tag | direction | message |
//! | --- | --- | --- |
//! | `0x0001` | gate → platform | [`Hello`] |
//! | `0x0002` | platform → gate | [`Welcome`] |
//! | `0x0003` | platform → gate | [`Reject`] |
//! | `0x0101` | gate → platform | [`PassageBatch`] |
//! | `0x0102` | gate → platform | [`PhotoChunk`] |
//! | `0x0103` | gate → platform | [`Heartbeat`] |
//! | `0x0104` | gate → platform | [`BarrierState`] |
//! | `0x0105` | gate → platform | [`CommandResult`] |
//! | `0x0201` | platform → gate | [`Ack`] |
//! | `0x0202` | platform → gate | [`Update`] |
//! | `0x0203` | platform → gate | [`OpenBarrier`] |
//!
//! # Codec
//!
//! Bodies use the same fixed-width, length-prefixed shapes as canonical records (see
//! [`crate::bytes`]), written by hand rather than through serde. We chose that over postcard
//! or CBOR because: the canonical record encoding must be hand-written anyway (NFC, sorted
//! maps and one encoding per value are not what a serde format guarantees), so one set of
//! primitives serves both; every length is checked against the frame before anything is
//! allocated, which is the decoder's safety property; unknown tags and enum values fall into
//! catch-alls without serde's limits (`#[serde(other)]` cannot keep the unknown value); and a
//! verifier or a second implementation needs nothing but `docs/PROTOCOL.md`.
//!
//! # Compatibility
//!
//! - The major version is in the ALPN (`gateledger/1`); a new major is a new ALPN.
//! - Within a major, a body only grows at its end: a decoder reads the fields it knows and
//!   ignores the rest of the body, and a field added in a later minor version is read only if
//!   the body still has bytes (older peers send shorter bodies; the field then takes its
//!   documented default).
//! - A frame tag a side does not know decodes to `Unknown` (kept with its body), and so does an
//!   enum value inside a message: an old gate survives a newer platform. The receiver logs and
//!   skips it.
//! - New features are announced as capabilities in the handshake ([`caps`]); a side sends a
//!   message that older peers would not understand only if both announced it.

mod downlink;
mod handshake;
mod uplink;

pub use downlink::{Ack, OpenBarrier, PayloadEncoding, Update};
pub use handshake::{Hello, ProtocolVersion, Reject, RejectReason, Welcome, negotiate};
pub use uplink::{
    BarrierPosition, BarrierState, CommandOutcome, CommandResult, ConfigVersion, DeviceHealth,
    DeviceKind, HealthStatus, Heartbeat, MAX_PHOTO_LEN, PHOTO_PIECE_LEN, PassageBatch, PhotoChunk,
};

use crate::bytes::{DecodeError, EncodeError, Reader, Writer};
use crate::frame::{Frame, MAX_FRAME_LEN};

/// Capability names for the handshake. A gate lists what it supports in [`Hello`]; the platform
/// answers with the ones both support in [`Welcome`].
pub mod caps {
    /// The gate executes [`super::OpenBarrier`] commands.
    pub const REMOTE_OPEN: &str = "barrier.remote_open";
    /// The gate applies [`super::Update`] messages (vehicle lists, rules, alerts).
    pub const CONFIG_UPDATES: &str = "config.updates";
    /// The gate has a weighbridge and records weighings.
    pub const WEIGHING: &str = "weighing";
}

/// Payload kinds of [`Update`]. Their payloads are defined by the platform, versioned by the
/// update's `version`.
pub mod kinds {
    /// The vehicle registries (external, in-plant, non-road) as the gate needs them.
    pub const VEHICLES: &str = "vehicles";
    /// Plates that must always be refused (the bureau's and the enterprise's).
    pub const BLACKLIST: &str = "blacklist";
    /// The admission rule set.
    pub const RULES: &str = "rules";
    /// The current heavy-pollution alert and its measures.
    pub const ALERT: &str = "alert";
}

/// A message with a tag this build does not know, kept whole so it can be logged or relayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMessage {
    /// The frame tag.
    pub tag: u16,
    /// The body, undecoded.
    pub body: Vec<u8>,
}

/// A message body: written and read without its tag.
pub(crate) trait Body: Sized {
    const TAG: u16;
    fn write(&self, w: &mut Writer);
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

/// Everything a gate sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uplink {
    /// First message on a connection.
    Hello(Hello),
    /// Chain entries: passages and key introductions.
    PassageBatch(PassageBatch),
    /// A piece of a photo.
    PhotoChunk(PhotoChunk),
    /// Periodic health and clock report.
    Heartbeat(Heartbeat),
    /// A barrier moved or failed.
    BarrierState(BarrierState),
    /// What became of a platform command.
    CommandResult(CommandResult),
    /// A message this build does not know.
    Unknown(UnknownMessage),
}

/// Everything the platform sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Downlink {
    /// The handshake succeeded.
    Welcome(Welcome),
    /// The handshake failed; the platform closes the connection.
    Reject(Reject),
    /// Entries up to a seq are durable on the platform.
    Ack(Ack),
    /// A new version of a list, the rules or the alert.
    Update(Update),
    /// Open a barrier now.
    OpenBarrier(OpenBarrier),
    /// A message this build does not know.
    Unknown(UnknownMessage),
}

fn encode_frame<B: Body>(body: &B) -> Result<Vec<u8>, EncodeError> {
    let mut w = Writer::from_vec(Vec::with_capacity(64));
    w.u32(0);
    w.u16(B::TAG);
    body.write(&mut w);
    let len = w.len() - 4;
    if len > MAX_FRAME_LEN {
        return Err(EncodeError::TooLarge {
            field: "frame",
            len: len as u64,
            max: MAX_FRAME_LEN as u64,
        });
    }
    // Checked above: the length fits in u32.
    w.patch_u32(0, len as u32);
    w.finish()
}

fn unknown_frame(m: &UnknownMessage) -> Result<Vec<u8>, EncodeError> {
    crate::frame::encode_frame(m.tag, &m.body)
}

fn decode_body<B: Body>(body: &[u8]) -> Result<B, DecodeError> {
    // Trailing bytes are fields from a later minor version: ignored (see the module docs).
    B::read(&mut Reader::new(body))
}

impl Uplink {
    /// The frame tag of this message.
    pub fn tag(&self) -> u16 {
        match self {
            Self::Hello(_) => Hello::TAG,
            Self::PassageBatch(_) => PassageBatch::TAG,
            Self::PhotoChunk(_) => PhotoChunk::TAG,
            Self::Heartbeat(_) => Heartbeat::TAG,
            Self::BarrierState(_) => BarrierState::TAG,
            Self::CommandResult(_) => CommandResult::TAG,
            Self::Unknown(m) => m.tag,
        }
    }

    /// The complete frame (length, tag, body), ready to write to a stream.
    pub fn to_frame(&self) -> Result<Vec<u8>, EncodeError> {
        match self {
            Self::Hello(m) => encode_frame(m),
            Self::PassageBatch(m) => encode_frame(m),
            Self::PhotoChunk(m) => encode_frame(m),
            Self::Heartbeat(m) => encode_frame(m),
            Self::BarrierState(m) => encode_frame(m),
            Self::CommandResult(m) => encode_frame(m),
            Self::Unknown(m) => unknown_frame(m),
        }
    }

    /// Decodes a frame from a gate. Unknown tags give [`Uplink::Unknown`].
    pub fn from_frame(frame: &Frame) -> Result<Self, DecodeError> {
        let b = &frame.body[..];
        Ok(match frame.tag {
            Hello::TAG => Self::Hello(decode_body(b)?),
            PassageBatch::TAG => Self::PassageBatch(decode_body(b)?),
            PhotoChunk::TAG => Self::PhotoChunk(decode_body(b)?),
            Heartbeat::TAG => Self::Heartbeat(decode_body(b)?),
            BarrierState::TAG => Self::BarrierState(decode_body(b)?),
            CommandResult::TAG => Self::CommandResult(decode_body(b)?),
            tag => Self::Unknown(UnknownMessage { tag, body: frame.body.clone() }),
        })
    }
}

impl Downlink {
    /// The frame tag of this message.
    pub fn tag(&self) -> u16 {
        match self {
            Self::Welcome(_) => Welcome::TAG,
            Self::Reject(_) => Reject::TAG,
            Self::Ack(_) => Ack::TAG,
            Self::Update(_) => Update::TAG,
            Self::OpenBarrier(_) => OpenBarrier::TAG,
            Self::Unknown(m) => m.tag,
        }
    }

    /// The complete frame (length, tag, body), ready to write to a stream.
    pub fn to_frame(&self) -> Result<Vec<u8>, EncodeError> {
        match self {
            Self::Welcome(m) => encode_frame(m),
            Self::Reject(m) => encode_frame(m),
            Self::Ack(m) => encode_frame(m),
            Self::Update(m) => encode_frame(m),
            Self::OpenBarrier(m) => encode_frame(m),
            Self::Unknown(m) => unknown_frame(m),
        }
    }

    /// Decodes a frame from the platform. Unknown tags give [`Downlink::Unknown`].
    pub fn from_frame(frame: &Frame) -> Result<Self, DecodeError> {
        let b = &frame.body[..];
        Ok(match frame.tag {
            Welcome::TAG => Self::Welcome(decode_body(b)?),
            Reject::TAG => Self::Reject(decode_body(b)?),
            Ack::TAG => Self::Ack(decode_body(b)?),
            Update::TAG => Self::Update(decode_body(b)?),
            OpenBarrier::TAG => Self::OpenBarrier(decode_body(b)?),
            tag => Self::Unknown(UnknownMessage { tag, body: frame.body.clone() }),
        })
    }
}

/// Room for a body inside one frame: the frame length minus the tag.
pub const MAX_BODY_LEN: usize = MAX_FRAME_LEN - 2;

/// Declares a one-byte wire enum with a catch-all that keeps values this build does not know.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this build does not know (from a newer peer).
            Unknown(u8),
        }

        impl $name {
            /// The wire byte.
            pub const fn to_u8(self) -> u8 {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(v) => v,
                }
            }

            /// The variant for a wire byte; unknown bytes give `Unknown`.
            pub const fn from_u8(v: u8) -> Self {
                match v {
                    $( $value => Self::$variant, )+
                    v => Self::Unknown(v),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

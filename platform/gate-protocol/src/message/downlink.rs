//! Messages the platform sends after the handshake.
//!
//! The payloads of list, rule and alert updates are defined by the platform and the admission
//! engine, not by this crate: an [`Update`] carries them opaque, with a kind, a version and an
//! encoding tag, so that their format can evolve without a protocol change.

use platform_domain::ids::LaneId;

use super::handshake::{read_head, write_head};
use super::{Body, wire_enum};
use crate::bytes::{DecodeError, EncodeError, Reader, Writer};
use crate::chain::ChainHead;
use crate::record::{Actor, read_ident, read_uuid};
use crate::types::{CommandId, PayloadKind, UtcMicros};

/// Everything up to and including `up_to.seq` is durable on the platform: the entries and the
/// photos they name. The gate marks its outbox rows (it keeps its local ledger copy). The hash
/// lets the gate notice a fork instead of trusting a seq number alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    /// The highest contiguous durable entry of the gate's chain.
    pub up_to: ChainHead,
}

/// A new version of one kind of configuration, possibly split into parts because a large
/// vehicle list does not fit one frame. The gate applies a version once it holds all parts.
#[derive(Clone, PartialEq, Eq)]
pub struct Update {
    /// Which configuration ([`super::kinds`]).
    pub kind: PayloadKind,
    /// Its version; versions of one kind only grow.
    pub version: u64,
    /// How the payload is encoded.
    pub encoding: PayloadEncoding,
    /// This part's index, from 0.
    pub part: u32,
    /// How many parts the version has (at least 1).
    pub parts: u32,
    /// This part's bytes.
    pub payload: Vec<u8>,
}

impl std::fmt::Debug for Update {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Update")
            .field("kind", &self.kind)
            .field("version", &self.version)
            .field("encoding", &self.encoding)
            .field("part", &self.part)
            .field("parts", &self.parts)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

wire_enum! {
    /// How an [`Update`]'s payload is encoded.
    PayloadEncoding {
        /// 1: UTF-8 JSON.
        Json = 1,
        /// 2: a binary format the kind defines.
        Binary = 2,
    }
}

/// Open a lane's barrier now, for an operator on the platform (a remote manual release). The
/// gate refuses it after `expires` (by its clock corrected by its offset), and whenever its
/// rules forbid an override (a bureau blacklist); it answers with a
/// [`super::CommandResult`], and records the release as a passage with a manual-release
/// decision that names this command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBarrier {
    /// The command id, echoed in the result and the passage record.
    pub command: CommandId,
    /// Which lane.
    pub lane: LaneId,
    /// Not to be executed after this time.
    pub expires: UtcMicros,
    /// The operator who asked.
    pub operator: Actor,
    /// The reason the operator gave.
    pub reason: String,
}

impl Body for Ack {
    const TAG: u16 = 0x0201;

    fn write(&self, w: &mut Writer) {
        write_head(w, &self.up_to);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { up_to: read_head(r, "ack.up_to")? })
    }
}

impl Body for Update {
    const TAG: u16 = 0x0202;

    fn write(&self, w: &mut Writer) {
        if self.parts == 0 || self.part >= self.parts {
            w.fail(EncodeError::Invalid { field: "update.part", reason: "not below update.parts" });
        }
        w.str("update.kind", self.kind.as_str());
        w.u64(self.version);
        w.u8(self.encoding.to_u8());
        w.u32(self.part);
        w.u32(self.parts);
        w.bytes("update.payload", &self.payload);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let u = Self {
            kind: read_ident(r, "update.kind", PayloadKind::parse)?,
            version: r.u64("update.version")?,
            encoding: PayloadEncoding::from_u8(r.u8("update.encoding")?),
            part: r.u32("update.part")?,
            parts: r.u32("update.parts")?,
            payload: r.bytes("update.payload")?.to_vec(),
        };
        if u.parts == 0 || u.part >= u.parts {
            return Err(DecodeError::Invalid {
                field: "update.part",
                reason: "not below update.parts",
            });
        }
        Ok(u)
    }
}

impl Body for OpenBarrier {
    const TAG: u16 = 0x0203;

    fn write(&self, w: &mut Writer) {
        w.raw(self.command.as_bytes());
        w.raw(self.lane.as_bytes());
        w.i64(self.expires.0);
        // The actor's name is written as on the wire (any normalisation): the gate copies it
        // into its record, whose encoder normalises it.
        w.option(self.operator.user.as_ref(), |w, u| w.raw(u.as_bytes()));
        w.str("open.operator.name", &self.operator.name);
        w.str("open.reason", &self.reason);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            command: CommandId::from_uuid(read_uuid(r, "open.command")?),
            lane: LaneId::from_uuid(read_uuid(r, "open.lane")?),
            expires: UtcMicros(r.i64("open.expires")?),
            operator: Actor {
                user: r.option("open.operator.user", |r| {
                    read_uuid(r, "open.operator.user").map(platform_domain::ids::UserId::from_uuid)
                })?,
                name: r.str("open.operator.name")?.to_owned(),
            },
            reason: r.str("open.reason")?.to_owned(),
        })
    }
}

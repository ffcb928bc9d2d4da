//! Ledger records and their canonical bytes.
//!
//! A record is what the ledger chain hashes and signs. There are four kinds:
//!
//! | kind | chain | written and signed by |
//! | --- | --- | --- |
//! | [`PassageRecord`] | the gate's | the gate's current key |
//! | [`KeyIntro`] | the gate's | the platform (enrolment) or the outgoing gate key (rotation) |
//! | [`Amendment`] | the tenant's | the platform: a correction or a later supplement of a passage |
//! | [`DailyRoot`] | the tenant's | the platform: every gate's chain head at the end of a day |
//!
//! # Canonical bytes
//!
//! [`Record::to_canonical_bytes`] gives the one byte string that stands for a record. It is
//! deterministic (fixed field order, integer times, NFC text, explicit option tags, sorted
//! maps), starts with [`RECORD_VERSION`], and does not depend on the wire codec, which may
//! change without touching stored chains. [`Record::from_canonical_bytes`] is strict: it
//! refuses any byte string that the encoder would not have produced (non-NFC text, unsorted
//! maps, option tags other than 0/1, trailing bytes), so every record has exactly one encoding.
//! The layout, field by field, is in `docs/PROTOCOL.md`.
//!
//! # Frozen
//!
//! The layout of record version 1 is frozen: stored chains must verify forever. Do not
//! reorder, remove or retype a field of any struct in this module, and do not change a code's
//! identifier. New fields go into [`Extensions`] or into a new record version.
//!
//! Every record starts with the same header ([`RecordHeader`]: version, kind, chain, seq), so
//! a verifier can check a chain without decoding record bodies, including bodies of kinds it
//! was built before.

mod key;
mod passage;
mod platform;

pub use key::{KeyCause, KeyIntro};
pub use passage::{
    Actor, Cargo, Decision, ExtValue, Extensions, ManualRelease, Outcome, PassageRecord, Photo,
    PhotoKind, Plate, PlateReading, VehicleSnapshot, VideoRef, Weighing,
};
pub use platform::{Amendment, AmendmentKind, Change, DailyRoot, EntryRef, GateHead};

pub(crate) use passage::read_ident;

use platform_domain::ids::{GateId, TenantId};
use uuid::Uuid;

use crate::bytes::{DecodeError, EncodeError, Reader, Writer, excerpt};

/// The version byte every canonical record starts with.
pub const RECORD_VERSION: u8 = 1;

/// The largest canonical record, in bytes. A passage with a dozen photos and readings is
/// about 1 KiB; the limit bounds what a verifier holds per record.
pub const MAX_RECORD_LEN: usize = 64 * 1024;

/// Length of the common header: version, kind, chain type, chain id, seq.
pub const HEADER_LEN: usize = 1 + 1 + 1 + 16 + 8;

/// Which chain a record belongs to. Chains are numbered independently from seq 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChainId {
    /// A gate's chain: its passages and key introductions.
    Gate(GateId),
    /// A tenant's platform chain: amendments and daily roots.
    Tenant(TenantId),
}

impl ChainId {
    /// The chain-type byte in the header (1 gate, 2 tenant).
    pub const fn type_byte(&self) -> u8 {
        match self {
            Self::Gate(_) => 1,
            Self::Tenant(_) => 2,
        }
    }

    /// The 16 id bytes in the header.
    pub const fn id_bytes(&self) -> &[u8; 16] {
        match self {
            Self::Gate(g) => g.as_bytes(),
            Self::Tenant(t) => t.as_bytes(),
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u8(self.type_byte());
        w.raw(self.id_bytes());
    }

    pub(crate) fn decode(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
        let kind = r.u8(field)?;
        let id = Uuid::from_bytes(r.array(field)?);
        match kind {
            1 => Ok(Self::Gate(GateId::from_uuid(id))),
            2 => Ok(Self::Tenant(TenantId::from_uuid(id))),
            tag => Err(DecodeError::InvalidTag { field, tag }),
        }
    }
}

impl std::fmt::Display for ChainId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Gate(g) => write!(f, "gate {g}"),
            Self::Tenant(t) => write!(f, "tenant {t}"),
        }
    }
}

/// The kind byte of a record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// 1: [`PassageRecord`].
    Passage,
    /// 2: [`KeyIntro`].
    KeyIntro,
    /// 3: [`Amendment`].
    Amendment,
    /// 4: [`DailyRoot`].
    DailyRoot,
}

impl RecordKind {
    /// The header byte.
    pub const fn byte(self) -> u8 {
        match self {
            Self::Passage => 1,
            Self::KeyIntro => 2,
            Self::Amendment => 3,
            Self::DailyRoot => 4,
        }
    }

    /// The kind with header byte `b`.
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Passage),
            2 => Some(Self::KeyIntro),
            3 => Some(Self::Amendment),
            4 => Some(Self::DailyRoot),
            _ => None,
        }
    }

    /// The chain type (1 gate, 2 tenant) records of this kind belong to.
    pub const fn chain_type(self) -> u8 {
        match self {
            Self::Passage | Self::KeyIntro => 1,
            Self::Amendment | Self::DailyRoot => 2,
        }
    }
}

/// The first [`HEADER_LEN`] bytes of every canonical record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// What the record is.
    pub kind: RecordKind,
    /// The chain it belongs to.
    pub chain: ChainId,
    /// Its position in that chain (from 1).
    pub seq: u64,
}

impl RecordHeader {
    /// Reads the header of canonical record bytes without decoding the body.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::read(&mut Reader::new(bytes))
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let version = r.u8("record.version")?;
        if version != RECORD_VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let kind_byte = r.u8("record.kind")?;
        let kind = RecordKind::from_byte(kind_byte)
            .ok_or(DecodeError::InvalidTag { field: "record.kind", tag: kind_byte })?;
        let chain = ChainId::decode(r, "record.chain")?;
        if chain.type_byte() != kind.chain_type() {
            return Err(DecodeError::Invalid {
                field: "record.chain",
                reason: "this kind of record does not belong to this type of chain",
            });
        }
        let seq = r.u64("record.seq")?;
        if seq == 0 {
            return Err(DecodeError::Invalid { field: "record.seq", reason: "seq starts at 1" });
        }
        Ok(Self { kind, chain, seq })
    }

    fn write(&self, w: &mut Writer) {
        w.u8(RECORD_VERSION);
        w.u8(self.kind.byte());
        self.chain.encode(w);
        w.u64(self.seq);
    }
}

/// A ledger record of any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "passages are the common case; boxing them would allocate once more per passage"
)]
pub enum Record {
    /// A vehicle crossed a gate (or was refused).
    Passage(PassageRecord),
    /// A gate's signing key was introduced or replaced.
    KeyIntro(KeyIntro),
    /// The platform corrected or supplemented a passage.
    Amendment(Amendment),
    /// The platform closed a day for a tenant.
    DailyRoot(DailyRoot),
}

impl Record {
    /// The header this record encodes to.
    pub fn header(&self) -> RecordHeader {
        match self {
            Self::Passage(p) => {
                RecordHeader { kind: RecordKind::Passage, chain: ChainId::Gate(p.gate), seq: p.seq }
            }
            Self::KeyIntro(k) => RecordHeader {
                kind: RecordKind::KeyIntro,
                chain: ChainId::Gate(k.gate),
                seq: k.seq,
            },
            Self::Amendment(a) => RecordHeader {
                kind: RecordKind::Amendment,
                chain: ChainId::Tenant(a.tenant),
                seq: a.seq,
            },
            Self::DailyRoot(d) => RecordHeader {
                kind: RecordKind::DailyRoot,
                chain: ChainId::Tenant(d.tenant),
                seq: d.seq,
            },
        }
    }

    /// The canonical bytes: what the chain hashes and the key signs.
    pub fn to_canonical_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let header = self.header();
        if header.seq == 0 {
            return Err(EncodeError::Invalid { field: "record.seq", reason: "seq starts at 1" });
        }
        let mut w = Writer::new();
        header.write(&mut w);
        match self {
            Self::Passage(p) => p.write_body(&mut w),
            Self::KeyIntro(k) => k.write_body(&mut w),
            Self::Amendment(a) => a.write_body(&mut w),
            Self::DailyRoot(d) => d.write_body(&mut w),
        }
        let bytes = w.finish()?;
        if bytes.len() > MAX_RECORD_LEN {
            return Err(EncodeError::TooLarge {
                field: "record",
                len: bytes.len() as u64,
                max: MAX_RECORD_LEN as u64,
            });
        }
        Ok(bytes)
    }

    /// Decodes canonical bytes, refusing anything that is not exactly what
    /// [`Record::to_canonical_bytes`] produces.
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() > MAX_RECORD_LEN {
            return Err(DecodeError::Invalid {
                field: "record",
                reason: "longer than the 64 KiB record limit",
            });
        }
        let mut r = Reader::new(bytes);
        let header = RecordHeader::read(&mut r)?;
        let (chain, seq) = (header.chain, header.seq);
        let record = match (header.kind, chain) {
            (RecordKind::Passage, ChainId::Gate(gate)) => {
                Self::Passage(PassageRecord::read_body(gate, seq, &mut r)?)
            }
            (RecordKind::KeyIntro, ChainId::Gate(gate)) => {
                Self::KeyIntro(KeyIntro::read_body(gate, seq, &mut r)?)
            }
            (RecordKind::Amendment, ChainId::Tenant(tenant)) => {
                Self::Amendment(Amendment::read_body(tenant, seq, &mut r)?)
            }
            (RecordKind::DailyRoot, ChainId::Tenant(tenant)) => {
                Self::DailyRoot(DailyRoot::read_body(tenant, seq, &mut r)?)
            }
            // RecordHeader::read already refused a kind on the wrong type of chain.
            _ => {
                return Err(DecodeError::Invalid {
                    field: "record.chain",
                    reason: "this kind of record does not belong to this type of chain",
                });
            }
        };
        r.finish("record")?;
        Ok(record)
    }
}

/// Reads a code enum of `platform-domain` (or of this crate) by its stable identifier.
pub(crate) fn read_code<T: std::str::FromStr>(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<T, DecodeError> {
    let s = r.str(field)?;
    s.parse().map_err(|_| DecodeError::UnknownCode { field, value: excerpt(s) })
}

/// Reads a UUID-based id.
pub(crate) fn read_uuid(r: &mut Reader<'_>, field: &'static str) -> Result<Uuid, DecodeError> {
    r.array(field).map(Uuid::from_bytes)
}

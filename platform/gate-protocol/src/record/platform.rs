//! Records the platform writes into a tenant's chain, signed with the platform's key.
//!
//! A passage is never edited. When a plate was misread or the cargo weight arrives later, the
//! platform appends an [`Amendment`] that names the original record by gate, seq *and hash*,
//! says who made the change, when and why, and lists the new values. Whoever reads the ledger
//! applies amendments in chain order on top of the original.
//!
//! At the end of each day the platform appends a [`DailyRoot`]: every gate's chain head for
//! that tenant. It ties the tenant's gate chains to the platform's signature, so a gate chain
//! cannot later be cut short or swapped without the root showing it.
//!
//! Frozen: these layouts are part of record version 1.

use platform_domain::codes::Direction;
use platform_domain::ids::{GateId, TenantId};
use uuid::Uuid;

use super::passage::{Actor, Cargo, ExtValue, Plate, VehicleSnapshot, Weighing, read_ident};
use super::{read_code, read_uuid};
use crate::bytes::{DecodeError, EncodeError, Reader, Writer};
use crate::types::{ExtKey, Hash, UtcMicros};

/// A record of a gate chain, named precisely: the hash pins the exact content. Frozen
/// (record version 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryRef {
    /// The gate.
    pub gate: GateId,
    /// The record's seq in that gate's chain.
    pub seq: u64,
    /// The record's chain hash.
    pub hash: Hash,
}

/// A correction or supplement of a passage. Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    /// The tenant whose chain holds the record.
    pub tenant: TenantId,
    /// Position in the tenant's chain.
    pub seq: u64,
    /// When the change was made.
    pub time: UtcMicros,
    /// The passage it changes.
    pub target: EntryRef,
    /// A correction of wrong data, or data supplied later.
    pub kind: AmendmentKind,
    /// Who made the change.
    pub by: Actor,
    /// Why, NFC text.
    pub reason: String,
    /// The new values, applied in this order.
    pub changes: Vec<Change>,
}

/// Why an amendment exists. Frozen: tags 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmendmentKind {
    /// 1: the passage held wrong data (a misread plate, a wrong registry match).
    Correction,
    /// 2: data the gate did not have was filled in later (cargo, weight from a weighbridge
    /// system).
    Supplement,
}

/// One changed field. `None` clears an optional field. Frozen: tags 1–6.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// 1: the plate.
    Plate(Option<Plate>),
    /// 2: the matched vehicle.
    Vehicle(Option<VehicleSnapshot>),
    /// 3: the direction.
    Direction(Direction),
    /// 4: the cargo.
    Cargo(Option<Cargo>),
    /// 5: the weighed mass.
    Weight(Option<Weighing>),
    /// 6: one extension field.
    Extension(ExtKey, Option<ExtValue>),
}

/// Every gate's chain head of a tenant at the end of a day. Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyRoot {
    /// The tenant whose chain holds the record.
    pub tenant: TenantId,
    /// Position in the tenant's chain.
    pub seq: u64,
    /// The day closed, as `yyyymmdd` in Asia/Shanghai (the ledger's local time).
    pub day: u32,
    /// When the platform closed it.
    pub time: UtcMicros,
    /// The heads, one per gate that has records, in ascending order of gate id bytes.
    pub heads: Vec<GateHead>,
}

/// A gate chain's head. Frozen (record version 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GateHead {
    /// The gate.
    pub gate: GateId,
    /// The last seq the platform held.
    pub seq: u64,
    /// That record's chain hash.
    pub hash: Hash,
}

impl EntryRef {
    fn write(&self, w: &mut Writer) {
        w.raw(self.gate.as_bytes());
        w.u64(self.seq);
        w.raw(&self.hash.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            gate: GateId::from_uuid(read_uuid(r, "amendment.target.gate")?),
            seq: r.u64("amendment.target.seq")?,
            hash: Hash(r.array("amendment.target.hash")?),
        })
    }
}

impl Amendment {
    pub(super) fn write_body(&self, w: &mut Writer) {
        w.i64(self.time.0);
        self.target.write(w);
        w.u8(match self.kind {
            AmendmentKind::Correction => 1,
            AmendmentKind::Supplement => 2,
        });
        self.by.write(w);
        w.text("amendment.reason", &self.reason);
        w.list("amendment.changes", &self.changes, |w, c| c.write(w));
    }

    pub(super) fn read_body(
        tenant: TenantId,
        seq: u64,
        r: &mut Reader<'_>,
    ) -> Result<Self, DecodeError> {
        Ok(Self {
            tenant,
            seq,
            time: UtcMicros(r.i64("amendment.time")?),
            target: EntryRef::read(r)?,
            kind: match r.u8("amendment.kind")? {
                1 => AmendmentKind::Correction,
                2 => AmendmentKind::Supplement,
                tag => return Err(DecodeError::InvalidTag { field: "amendment.kind", tag }),
            },
            by: Actor::read(r)?,
            reason: r.text("amendment.reason")?,
            // tag 1 + at least one byte of value
            changes: r.list("amendment.changes", 2, Change::read)?,
        })
    }
}

impl Change {
    fn write(&self, w: &mut Writer) {
        match self {
            Self::Plate(p) => {
                w.u8(1);
                w.option(p.as_ref(), |w, p| p.write(w));
            }
            Self::Vehicle(v) => {
                w.u8(2);
                w.option(v.as_ref(), |w, v| v.write(w));
            }
            Self::Direction(d) => {
                w.u8(3);
                w.str("amendment.changes.direction", d.as_str());
            }
            Self::Cargo(c) => {
                w.u8(4);
                w.option(c.as_ref(), |w, c| c.write(w));
            }
            Self::Weight(m) => {
                w.u8(5);
                w.option(m.as_ref(), |w, m| m.write(w));
            }
            Self::Extension(k, v) => {
                w.u8(6);
                w.str("amendment.changes.key", k.as_str());
                w.option(v.as_ref(), |w, v| v.write(w));
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.u8("amendment.changes")? {
            1 => Self::Plate(r.option("amendment.changes.plate", Plate::read)?),
            2 => Self::Vehicle(r.option("amendment.changes.vehicle", VehicleSnapshot::read)?),
            3 => Self::Direction(read_code(r, "amendment.changes.direction")?),
            4 => Self::Cargo(r.option("amendment.changes.cargo", Cargo::read)?),
            5 => Self::Weight(r.option("amendment.changes.weight", Weighing::read)?),
            6 => Self::Extension(
                read_ident(r, "amendment.changes.key", ExtKey::parse)?,
                r.option("amendment.changes.value", ExtValue::read)?,
            ),
            tag => return Err(DecodeError::InvalidTag { field: "amendment.changes", tag }),
        })
    }
}

/// Whether `day` looks like a `yyyymmdd` date (year 2000–9999, month 1–12, day 1–31).
fn plausible_day(day: u32) -> bool {
    let (y, m, d) = (day / 10_000, day / 100 % 100, day % 100);
    (2000..=9999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
}

impl DailyRoot {
    pub(super) fn write_body(&self, w: &mut Writer) {
        if !plausible_day(self.day) {
            w.fail(EncodeError::Invalid { field: "daily_root.day", reason: "not a yyyymmdd date" });
        }
        if !self.heads.windows(2).all(|p| p[0].gate.as_bytes() < p[1].gate.as_bytes()) {
            w.fail(EncodeError::Invalid {
                field: "daily_root.heads",
                reason: "gates must be unique and in ascending byte order",
            });
        }
        w.u32(self.day);
        w.i64(self.time.0);
        w.list("daily_root.heads", &self.heads, |w, h| {
            w.raw(h.gate.as_bytes());
            w.u64(h.seq);
            w.raw(&h.hash.0);
        });
    }

    pub(super) fn read_body(
        tenant: TenantId,
        seq: u64,
        r: &mut Reader<'_>,
    ) -> Result<Self, DecodeError> {
        let day = r.u32("daily_root.day")?;
        if !plausible_day(day) {
            return Err(DecodeError::Invalid {
                field: "daily_root.day",
                reason: "not a yyyymmdd date",
            });
        }
        let time = UtcMicros(r.i64("daily_root.time")?);
        let heads = r.list("daily_root.heads", 56, |r| {
            Ok(GateHead {
                gate: GateId::from_uuid(Uuid::from_bytes(r.array("daily_root.heads.gate")?)),
                seq: r.u64("daily_root.heads.seq")?,
                hash: Hash(r.array("daily_root.heads.hash")?),
            })
        })?;
        if !heads.windows(2).all(|p| p[0].gate.as_bytes() < p[1].gate.as_bytes()) {
            return Err(DecodeError::Invalid {
                field: "daily_root.heads",
                reason: "gates must be unique and in ascending byte order",
            });
        }
        Ok(Self { tenant, seq, day, time, heads })
    }
}

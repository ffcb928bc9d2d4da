//! Passage record version 1: one crossing of a gate lane, as the gate decided it.
//!
//! The record holds what an auditor checks (domain research §3 and §9.1): when and where, the
//! plate with every candidate reading, the registry entry it matched, the decision with its
//! reason and rule-set version, who released the barrier by hand and why, the digests of the
//! photos, and optionally a video window on the NVR, the cargo and the weighed mass.
//!
//! Frozen: this layout is part of record version 1 (see the parent module).

use std::collections::BTreeMap;

use platform_domain::codes::{
    CargoUnit, Direction, EmissionStage, Fuel, LedgerKind, PlateColour, VehicleClass,
};
use platform_domain::ids::{GateId, LaneId, PassageId, UserId, VehicleId};

use super::{read_code, read_uuid};
use crate::bytes::{DecodeError, EncodeError, Reader, Writer};
use crate::types::{CommandId, Confidence, ExtKey, Hash, ReasonCode, UtcMicros, is_ident};

/// One crossing of a gate lane. Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageRecord {
    /// The gate whose chain holds the record.
    pub gate: GateId,
    /// Position in the gate's chain, from 1, without gaps.
    pub seq: u64,
    /// The event id (UUIDv7), made by the gate when the camera reported the vehicle.
    pub event: PassageId,
    /// When the vehicle crossed, by the gate's clock.
    pub time: UtcMicros,
    /// The gate clock's offset at that moment: gate clock minus reference clock, in
    /// microseconds. The true time is `time - clock_offset_us`.
    pub clock_offset_us: i64,
    /// The lane (and so the barrier and cameras).
    pub lane: LaneId,
    /// Entry or exit.
    pub direction: Direction,
    /// The plate the decision used; `None` when no plate could be read (无牌 or unreadable).
    pub plate: Option<Plate>,
    /// Every candidate reading the cameras reported, in the order they arrived.
    pub readings: Vec<PlateReading>,
    /// The registry entry the plate matched, as it was at decision time; `None` if unmatched.
    pub vehicle: Option<VehicleSnapshot>,
    /// What the gate decided, and why.
    pub decision: Decision,
    /// The photos taken, by SHA-256 of their bytes. The photos themselves travel separately.
    pub photos: Vec<Photo>,
    /// Where the NVR recorded the crossing.
    pub video: Option<VideoRef>,
    /// The cargo declared or looked up at the gate.
    pub cargo: Option<Cargo>,
    /// The mass the weighbridge settled on, if the lane has one.
    pub weight: Option<Weighing>,
    /// Fields added after version 1, keyed by name.
    pub extensions: Extensions,
}

/// The plate text and colour a decision used. Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plate {
    /// The plate as read or entered (for example `冀A12345`), NFC.
    pub text: String,
    /// The plate colour, if known.
    pub colour: Option<PlateColour>,
}

/// One candidate reading from a camera. Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlateReading {
    /// The text the camera read.
    pub text: String,
    /// The colour the camera reported, if any.
    pub colour: Option<PlateColour>,
    /// How sure the camera was.
    pub confidence: Confidence,
    /// Which camera, as configured at the gate (may be empty).
    pub source: String,
}

/// The matched registry entry, as it was when the gate decided. Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VehicleSnapshot {
    /// The registry id.
    pub id: VehicleId,
    /// Which of the three ledgers it is registered in.
    pub ledger: LedgerKind,
    /// Vehicle or machine class, if registered.
    pub class: Option<VehicleClass>,
    /// Emission stage, if registered.
    pub stage: Option<EmissionStage>,
    /// Fuel, if registered.
    pub fuel: Option<Fuel>,
    /// VIN (or a machine's PIN), if registered.
    pub vin: Option<String>,
}

/// A decision with the reason code and the rule-set version that produced it. Frozen (record
/// version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What happened at the barrier.
    pub outcome: Outcome,
    /// The rules' reason code. For a manual release, the code of the automatic decision that
    /// the operator overrode.
    pub reason: ReasonCode,
    /// The version of the rule set the gate applied (0: none cached yet).
    pub rule_set_version: u64,
}

/// What happened at the barrier. Frozen (record version 1): tags 1–4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 1: the rules admitted the vehicle and the barrier opened.
    Admitted,
    /// 2: the rules refused the vehicle; the barrier stayed closed.
    Denied,
    /// 3: the rules asked for an operator; the barrier stayed closed. If an operator then
    /// releases the vehicle, a [`ManualRelease`] record follows that names this one.
    NeedsReview,
    /// 4: an operator opened the barrier by hand, at the gate or remotely.
    ManualRelease(ManualRelease),
}

impl Outcome {
    fn tag(&self) -> u8 {
        match self {
            Self::Admitted => 1,
            Self::Denied => 2,
            Self::NeedsReview => 3,
            Self::ManualRelease(_) => 4,
        }
    }
}

/// Who released the barrier by hand, and why: what auditors look for. Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualRelease {
    /// The operator.
    pub operator: Actor,
    /// The reason the operator gave, NFC text.
    pub reason: String,
    /// The platform command that asked for it, for a remote release.
    pub command: Option<CommandId>,
    /// The event id of the `NeedsReview` record this release resolves, if any.
    pub resolves: Option<PassageId>,
}

/// A person who acted: a platform user, or someone known to the gate only by name.
/// Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The platform account, when there is one.
    pub user: Option<UserId>,
    /// The name as shown at the time, NFC text.
    pub name: String,
}

/// A photo by digest. Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// SHA-256 of the photo's bytes exactly as stored.
    pub sha256: Hash,
    /// What the photo shows.
    pub kind: PhotoKind,
}

/// What a photo shows. The identifiers are frozen: they are part of canonical bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PhotoKind {
    /// `plate`: the plate close-up (车牌特写).
    Plate,
    /// `front`: the vehicle from the front (车头).
    Front,
    /// `rear`: the vehicle from behind (车尾).
    Rear,
    /// `side`: the whole body from the side (车身).
    Side,
    /// `scene`: the lane overview (全景).
    Scene,
    /// `document`: a document shown at the gate (随车清单, 行驶证).
    Document,
    /// `release`: taken when an operator released the barrier by hand.
    Release,
    /// `other`.
    Other,
}

impl PhotoKind {
    /// Every kind.
    pub const ALL: &'static [Self] = &[
        Self::Plate,
        Self::Front,
        Self::Rear,
        Self::Side,
        Self::Scene,
        Self::Document,
        Self::Release,
        Self::Other,
    ];

    /// The stable identifier.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plate => "plate",
            Self::Front => "front",
            Self::Rear => "rear",
            Self::Side => "side",
            Self::Scene => "scene",
            Self::Document => "document",
            Self::Release => "release",
            Self::Other => "other",
        }
    }
}

impl std::str::FromStr for PhotoKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s).ok_or(())
    }
}

/// Where the NVR recorded a crossing: enough to build a playback request later (devices
/// research part B). Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoRef {
    /// The NVR, as configured at the gate.
    pub nvr: String,
    /// The NVR channel covering the lane.
    pub channel: u32,
    /// Start of the window.
    pub start: UtcMicros,
    /// End of the window; not before `start`.
    pub end: UtcMicros,
}

/// Cargo (运输货物). Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cargo {
    /// Cargo name (运输货物名称), for example 铁矿石.
    pub name: String,
    /// Cargo type or category as the plant classifies it (may be empty).
    pub kind: String,
    /// Quantity in thousandths of `unit` (35.5 t is 35,500).
    pub quantity_milli: u64,
    /// Unit of the quantity.
    pub unit: CargoUnit,
}

/// A stable weighbridge reading, with the sample window that shows it was stable (devices
/// research A.7 and implication 3). Frozen (record version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighing {
    /// The scale, as configured at the gate.
    pub scale: String,
    /// The accepted mass in kilograms.
    pub mass_kg: u32,
    /// When it was accepted.
    pub at: UtcMicros,
    /// Smallest sample in the stability window; not above `mass_kg`.
    pub min_kg: u32,
    /// Largest sample in the stability window; not below `mass_kg`.
    pub max_kg: u32,
    /// Number of samples in the window.
    pub samples: u32,
}

/// Fields added after record version 1, sorted by key (the map's order is the canonical order).
pub type Extensions = BTreeMap<ExtKey, ExtValue>;

/// A value in the extension map. Frozen: tags 1 text, 2 integer, 3 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtValue {
    /// 1: NFC text.
    Text(String),
    /// 2: a signed integer.
    Int(i64),
    /// 3: raw bytes.
    Bytes(Vec<u8>),
}

impl PassageRecord {
    pub(super) fn write_body(&self, w: &mut Writer) {
        w.raw(self.event.as_bytes());
        w.i64(self.time.0);
        w.i64(self.clock_offset_us);
        w.raw(self.lane.as_bytes());
        w.str("passage.direction", self.direction.as_str());
        w.option(self.plate.as_ref(), |w, p| p.write(w));
        w.list("passage.readings", &self.readings, |w, r| {
            w.text("passage.readings.text", &r.text);
            w.option(r.colour.as_ref(), |w, c| w.str("passage.readings.colour", c.as_str()));
            w.u16(r.confidence.basis_points());
            w.text("passage.readings.source", &r.source);
        });
        w.option(self.vehicle.as_ref(), |w, v| v.write(w));
        self.decision.write(w);
        w.list("passage.photos", &self.photos, |w, p| {
            w.raw(&p.sha256.0);
            w.str("passage.photos.kind", p.kind.as_str());
        });
        w.option(self.video.as_ref(), |w, v| v.write(w));
        w.option(self.cargo.as_ref(), |w, c| c.write(w));
        w.option(self.weight.as_ref(), |w, m| m.write(w));
        write_extensions(w, &self.extensions);
    }

    pub(super) fn read_body(
        gate: GateId,
        seq: u64,
        r: &mut Reader<'_>,
    ) -> Result<Self, DecodeError> {
        Ok(Self {
            gate,
            seq,
            event: PassageId::from_uuid(read_uuid(r, "passage.event")?),
            time: UtcMicros(r.i64("passage.time")?),
            clock_offset_us: r.i64("passage.clock_offset_us")?,
            lane: LaneId::from_uuid(read_uuid(r, "passage.lane")?),
            direction: read_code(r, "passage.direction")?,
            plate: r.option("passage.plate", Plate::read)?,
            // text 4 + colour 1 + confidence 2 + source 4
            readings: r.list("passage.readings", 11, |r| {
                Ok(PlateReading {
                    text: r.text("passage.readings.text")?,
                    colour: r.option("passage.readings.colour", |r| {
                        read_code(r, "passage.readings.colour")
                    })?,
                    confidence: Confidence::new(r.u16("passage.readings.confidence")?).ok_or(
                        DecodeError::Invalid {
                            field: "passage.readings.confidence",
                            reason: "above 10000 basis points",
                        },
                    )?,
                    source: r.text("passage.readings.source")?,
                })
            })?,
            vehicle: r.option("passage.vehicle", VehicleSnapshot::read)?,
            decision: Decision::read(r)?,
            photos: r.list("passage.photos", 36, |r| {
                Ok(Photo {
                    sha256: Hash(r.array("passage.photos.sha256")?),
                    kind: read_code(r, "passage.photos.kind")?,
                })
            })?,
            video: r.option("passage.video", VideoRef::read)?,
            cargo: r.option("passage.cargo", Cargo::read)?,
            weight: r.option("passage.weight", Weighing::read)?,
            extensions: read_extensions(r, "passage.extensions")?,
        })
    }
}

impl Plate {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.text("plate.text", &self.text);
        w.option(self.colour.as_ref(), |w, c| w.str("plate.colour", c.as_str()));
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            text: r.text("plate.text")?,
            colour: r.option("plate.colour", |r| read_code(r, "plate.colour"))?,
        })
    }
}

impl VehicleSnapshot {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.raw(self.id.as_bytes());
        w.str("vehicle.ledger", self.ledger.as_str());
        w.option(self.class.as_ref(), |w, c| w.str("vehicle.class", c.as_str()));
        w.option(self.stage.as_ref(), |w, s| w.str("vehicle.stage", s.as_str()));
        w.option(self.fuel.as_ref(), |w, f| w.str("vehicle.fuel", f.as_str()));
        w.option(self.vin.as_ref(), |w, v| w.text("vehicle.vin", v));
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            id: VehicleId::from_uuid(read_uuid(r, "vehicle.id")?),
            ledger: read_code(r, "vehicle.ledger")?,
            class: r.option("vehicle.class", |r| read_code(r, "vehicle.class"))?,
            stage: r.option("vehicle.stage", |r| read_code(r, "vehicle.stage"))?,
            fuel: r.option("vehicle.fuel", |r| read_code(r, "vehicle.fuel"))?,
            vin: r.option("vehicle.vin", |r| r.text("vehicle.vin"))?,
        })
    }
}

impl Decision {
    fn write(&self, w: &mut Writer) {
        w.u8(self.outcome.tag());
        w.str("decision.reason", self.reason.as_str());
        w.u64(self.rule_set_version);
        if let Outcome::ManualRelease(m) = &self.outcome {
            m.operator.write(w);
            w.text("decision.release.reason", &m.reason);
            w.option(m.command.as_ref(), |w, c| w.raw(c.as_bytes()));
            w.option(m.resolves.as_ref(), |w, p| w.raw(p.as_bytes()));
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let tag = r.u8("decision.outcome")?;
        let reason = read_ident(r, "decision.reason", ReasonCode::parse)?;
        let rule_set_version = r.u64("decision.rule_set_version")?;
        let outcome = match tag {
            1 => Outcome::Admitted,
            2 => Outcome::Denied,
            3 => Outcome::NeedsReview,
            4 => Outcome::ManualRelease(ManualRelease {
                operator: Actor::read(r)?,
                reason: r.text("decision.release.reason")?,
                command: r.option("decision.release.command", |r| {
                    read_uuid(r, "decision.release.command").map(CommandId::from_uuid)
                })?,
                resolves: r.option("decision.release.resolves", |r| {
                    read_uuid(r, "decision.release.resolves").map(PassageId::from_uuid)
                })?,
            }),
            tag => return Err(DecodeError::InvalidTag { field: "decision.outcome", tag }),
        };
        Ok(Self { outcome, reason, rule_set_version })
    }
}

impl Actor {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.option(self.user.as_ref(), |w, u| w.raw(u.as_bytes()));
        w.text("actor.name", &self.name);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            user: r.option("actor.user", |r| read_uuid(r, "actor.user").map(UserId::from_uuid))?,
            name: r.text("actor.name")?,
        })
    }
}

impl VideoRef {
    fn write(&self, w: &mut Writer) {
        if self.end < self.start {
            w.fail(EncodeError::Invalid { field: "video.end", reason: "before video.start" });
        }
        w.text("video.nvr", &self.nvr);
        w.u32(self.channel);
        w.i64(self.start.0);
        w.i64(self.end.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let v = Self {
            nvr: r.text("video.nvr")?,
            channel: r.u32("video.channel")?,
            start: UtcMicros(r.i64("video.start")?),
            end: UtcMicros(r.i64("video.end")?),
        };
        if v.end < v.start {
            return Err(DecodeError::Invalid { field: "video.end", reason: "before video.start" });
        }
        Ok(v)
    }
}

impl Cargo {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.text("cargo.name", &self.name);
        w.text("cargo.kind", &self.kind);
        w.u64(self.quantity_milli);
        w.str("cargo.unit", self.unit.as_str());
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            name: r.text("cargo.name")?,
            kind: r.text("cargo.kind")?,
            quantity_milli: r.u64("cargo.quantity_milli")?,
            unit: read_code(r, "cargo.unit")?,
        })
    }
}

impl Weighing {
    pub(crate) fn write(&self, w: &mut Writer) {
        if !(self.min_kg <= self.mass_kg && self.mass_kg <= self.max_kg) {
            w.fail(EncodeError::Invalid {
                field: "weight.mass_kg",
                reason: "outside the window min_kg..=max_kg",
            });
        }
        w.text("weight.scale", &self.scale);
        w.u32(self.mass_kg);
        w.i64(self.at.0);
        w.u32(self.min_kg);
        w.u32(self.max_kg);
        w.u32(self.samples);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let m = Self {
            scale: r.text("weight.scale")?,
            mass_kg: r.u32("weight.mass_kg")?,
            at: UtcMicros(r.i64("weight.at")?),
            min_kg: r.u32("weight.min_kg")?,
            max_kg: r.u32("weight.max_kg")?,
            samples: r.u32("weight.samples")?,
        };
        if !(m.min_kg <= m.mass_kg && m.mass_kg <= m.max_kg) {
            return Err(DecodeError::Invalid {
                field: "weight.mass_kg",
                reason: "outside the window min_kg..=max_kg",
            });
        }
        Ok(m)
    }
}

impl ExtValue {
    pub(crate) fn write(&self, w: &mut Writer) {
        match self {
            Self::Text(s) => {
                w.u8(1);
                w.text("extensions.value", s);
            }
            Self::Int(i) => {
                w.u8(2);
                w.i64(*i);
            }
            Self::Bytes(b) => {
                w.u8(3);
                w.bytes("extensions.value", b);
            }
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("extensions.value")? {
            1 => Ok(Self::Text(r.text("extensions.value")?)),
            2 => Ok(Self::Int(r.i64("extensions.value")?)),
            3 => Ok(Self::Bytes(r.bytes("extensions.value")?.to_vec())),
            tag => Err(DecodeError::InvalidTag { field: "extensions.value", tag }),
        }
    }
}

pub(crate) fn write_extensions(w: &mut Writer, ext: &Extensions) {
    // BTreeMap iterates in key order, which for these ASCII keys is byte order.
    w.len_prefix("extensions", ext.len());
    for (k, v) in ext {
        w.str("extensions.key", k.as_str());
        v.write(w);
    }
}

pub(crate) fn read_extensions(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<Extensions, DecodeError> {
    // key 4 + 1 byte at least, value tag 1 + 1 byte at least
    let n = r.count(field, 7)?;
    let mut out = Extensions::new();
    let mut last: Option<ExtKey> = None;
    for _ in 0..n {
        let key = read_ident(r, "extensions.key", ExtKey::parse)?;
        if last.as_ref().is_some_and(|l| l >= &key) {
            return Err(DecodeError::Invalid {
                field: "extensions.key",
                reason: "keys must be unique and in ascending byte order",
            });
        }
        let value = ExtValue::read(r)?;
        last = Some(key.clone());
        out.insert(key, value);
    }
    Ok(out)
}

/// Reads an identifier (reason code, extension key) and checks its rule.
pub(crate) fn read_ident<T, E>(
    r: &mut Reader<'_>,
    field: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, DecodeError> {
    let s = r.str(field)?;
    if !is_ident(s) {
        return Err(DecodeError::Invalid {
            field,
            reason: "not an identifier (lowercase ASCII letters, digits, '_', '.', '-')",
        });
    }
    parse(s).map_err(|_| DecodeError::Invalid { field, reason: "not an identifier" })
}

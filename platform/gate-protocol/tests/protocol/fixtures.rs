//! Fixed records, keys and chains shared by the tests. Everything here is deterministic (fixed
//! ids, fixed key seeds; Ed25519 signatures are deterministic), so the golden vectors can be
//! rebuilt byte for byte.

use std::collections::BTreeMap;

use gate_protocol::SigningKey;
use gate_protocol::chain::{ChainHead, ChainWriter, Entry};
use gate_protocol::record::{
    Actor, Amendment, AmendmentKind, Cargo, ChainId, Change, DailyRoot, Decision, EntryRef,
    ExtValue, GateHead, KeyCause, KeyIntro, ManualRelease, Outcome, PassageRecord, Photo,
    PhotoKind, Plate, PlateReading, Record, VehicleSnapshot, VideoRef, Weighing,
};
use gate_protocol::types::{CommandId, Confidence, ExtKey, Hash, PublicKey, ReasonCode, UtcMicros};
use platform_domain::codes::{
    CargoUnit, Direction, EmissionStage, Fuel, LedgerKind, PlateColour, VehicleClass,
};
use platform_domain::ids::{GateId, LaneId, PassageId, TenantId, UserId, VehicleId};
use uuid::Uuid;

/// A UUIDv7-shaped id, fixed by `n`.
pub fn uuid(n: u16) -> Uuid {
    Uuid::from_u128(0x0190_9a1c_2b00_7000_8000_0000_0000_0000 | u128::from(n))
}

pub fn gate() -> GateId {
    GateId::from_uuid(uuid(1))
}

pub fn other_gate() -> GateId {
    GateId::from_uuid(uuid(2))
}

pub fn tenant() -> TenantId {
    TenantId::from_uuid(uuid(3))
}

pub fn lane() -> LaneId {
    LaneId::from_uuid(uuid(4))
}

pub fn platform_key() -> SigningKey {
    SigningKey::from_bytes(&[0x11; 32])
}

/// The gate PC's keys: 0 at enrolment, 1 after a rotation, 2 after a re-enrolment.
pub fn gate_key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[0x20 + n; 32])
}

pub fn public(key: &SigningKey) -> PublicKey {
    PublicKey::from(key)
}

/// 2024-07-01 08:00:00 UTC, and `s` seconds later.
pub fn at(s: i64) -> UtcMicros {
    UtcMicros(1_719_820_800_000_000 + s * 1_000_000)
}

pub fn reason(s: &str) -> ReasonCode {
    ReasonCode::parse(s).unwrap()
}

/// A passage with every optional field absent and every list empty.
pub fn minimal_passage(seq: u64) -> PassageRecord {
    PassageRecord {
        gate: gate(),
        seq,
        event: PassageId::from_uuid(uuid(100 + seq as u16)),
        time: at(seq as i64 * 60),
        clock_offset_us: 0,
        lane: lane(),
        direction: Direction::Exit,
        plate: None,
        readings: vec![],
        vehicle: None,
        decision: Decision {
            outcome: Outcome::Denied,
            reason: reason("no_plate"),
            rule_set_version: 0,
        },
        photos: vec![],
        video: None,
        cargo: None,
        weight: None,
        extensions: BTreeMap::new(),
    }
}

/// A passage with every field present: a manual release of a heavy truck with cargo, weight,
/// video and one extension of each value type.
pub fn full_passage(seq: u64) -> PassageRecord {
    let mut extensions = BTreeMap::new();
    extensions.insert(ExtKey::parse("axles").unwrap(), ExtValue::Int(6));
    extensions.insert(ExtKey::parse("fleet").unwrap(), ExtValue::Text("自有".into()));
    extensions.insert(ExtKey::parse("obd.frame").unwrap(), ExtValue::Bytes(vec![0xde, 0xad]));
    PassageRecord {
        gate: gate(),
        seq,
        event: PassageId::from_uuid(uuid(100 + seq as u16)),
        time: at(seq as i64 * 60),
        clock_offset_us: -1_250,
        lane: lane(),
        direction: Direction::Entry,
        plate: Some(Plate { text: "冀A12345".into(), colour: Some(PlateColour::Yellow) }),
        readings: vec![
            PlateReading {
                text: "冀A12345".into(),
                colour: Some(PlateColour::Yellow),
                confidence: Confidence::new(9_650).unwrap(),
                source: "lane1.front".into(),
            },
            PlateReading {
                text: "冀A12346".into(),
                colour: None,
                confidence: Confidence::new(4_100).unwrap(),
                source: "lane1.rear".into(),
            },
        ],
        vehicle: Some(VehicleSnapshot {
            id: VehicleId::from_uuid(uuid(5)),
            ledger: LedgerKind::ExternalTransport,
            class: Some(VehicleClass::HeavyTruck),
            stage: Some(EmissionStage::Cn5),
            fuel: Some(Fuel::Diesel),
            vin: Some("LFWSRXRJ3N1E00001".into()),
        }),
        decision: Decision {
            outcome: Outcome::ManualRelease(ManualRelease {
                operator: Actor { user: Some(UserId::from_uuid(uuid(6))), name: "张伟".into() },
                reason: "应急抢修物资".into(),
                command: Some(CommandId::from_uuid(uuid(7))),
                resolves: Some(PassageId::from_uuid(uuid(8))),
            }),
            reason: reason("stage_below_minimum"),
            rule_set_version: 42,
        },
        photos: vec![
            Photo { sha256: Hash::of(b"plate photo"), kind: PhotoKind::Plate },
            Photo { sha256: Hash::of(b"scene photo"), kind: PhotoKind::Scene },
        ],
        video: Some(VideoRef {
            nvr: "nvr-1".into(),
            channel: 3,
            start: at(seq as i64 * 60 - 10),
            end: at(seq as i64 * 60 + 20),
        }),
        cargo: Some(Cargo {
            name: "铁矿石".into(),
            kind: "原料".into(),
            quantity_milli: 35_500,
            unit: CargoUnit::Tonne,
        }),
        weight: Some(Weighing {
            scale: "scale-1".into(),
            mass_kg: 49_020,
            at: at(seq as i64 * 60 + 5),
            min_kg: 49_000,
            max_kg: 49_040,
            samples: 12,
        }),
        extensions,
    }
}

pub fn enrolment(seq: u64, key: &SigningKey) -> Record {
    Record::KeyIntro(KeyIntro {
        gate: gate(),
        seq,
        time: at(seq as i64 * 60),
        tenant: tenant(),
        cause: KeyCause::Enrolment,
        key: public(key),
        device: "gate-pc-01 (IPC-610)".into(),
    })
}

/// The reference gate chain:
/// 1 enrolment of key 0 (platform), 2 minimal passage, 3 full passage (key 0),
/// 4 rotation to key 1 (signed by key 0), 5 passage (key 1),
/// 6 re-enrolment of key 2 after the PC was replaced (platform), 7 passage (key 2).
pub fn gate_chain() -> Vec<Entry> {
    let chain = ChainId::Gate(gate());
    let platform = platform_key();
    let mut entries = Vec::new();

    let e1 = Entry::seal(&enrolment(1, &gate_key(0)), ChainHead::genesis(chain).hash, &platform)
        .unwrap();
    let mut w = ChainWriter::new(chain, ChainHead::genesis(chain), gate_key(0));
    w.adopt(&e1).unwrap();
    entries.push(e1);
    entries.push(w.append(&Record::Passage(minimal_passage(2))).unwrap());
    entries.push(w.append(&Record::Passage(full_passage(3))).unwrap());
    entries
        .push(w.rotate(gate_key(1), at(4 * 60), tenant(), "gate-pc-01 (IPC-610)".into()).unwrap());
    entries.push(w.append(&Record::Passage(minimal_passage(5))).unwrap());

    // The PC died with key 1 on it; the platform enrols the replacement's key 2.
    let e6 = Entry::seal(&enrolment(6, &gate_key(2)), w.head().hash, &platform).unwrap();
    let mut w = ChainWriter::new(chain, w.head(), gate_key(2));
    w.adopt(&e6).unwrap();
    entries.push(e6);
    entries.push(w.append(&Record::Passage(full_passage(7))).unwrap());
    entries
}

/// The reference tenant chain, over [`gate_chain`]: 1 a correction of gate seq 3,
/// 2 a supplement of gate seq 5, 3 the daily root with the gate's head.
pub fn tenant_chain(gate_entries: &[Entry]) -> Vec<Entry> {
    let chain = ChainId::Tenant(tenant());
    let mut w = ChainWriter::new(chain, ChainHead::genesis(chain), platform_key());
    let inspector = Actor { user: Some(UserId::from_uuid(uuid(9))), name: "李娜".into() };
    let correction = Record::Amendment(Amendment {
        tenant: tenant(),
        seq: 1,
        time: at(3_600),
        target: EntryRef { gate: gate(), seq: 3, hash: gate_entries[2].hash() },
        kind: AmendmentKind::Correction,
        by: inspector.clone(),
        reason: "车牌误识别".into(),
        changes: vec![
            Change::Plate(Some(Plate {
                text: "冀A12346".into(),
                colour: Some(PlateColour::Yellow),
            })),
            Change::Vehicle(None),
            Change::Direction(Direction::Exit),
            Change::Extension(ExtKey::parse("fleet").unwrap(), None),
        ],
    });
    let supplement = Record::Amendment(Amendment {
        tenant: tenant(),
        seq: 2,
        time: at(7_200),
        target: EntryRef { gate: gate(), seq: 5, hash: gate_entries[4].hash() },
        kind: AmendmentKind::Supplement,
        by: Actor { user: None, name: "weighbridge import".into() },
        reason: "磅单补录".into(),
        changes: vec![
            Change::Cargo(Some(Cargo {
                name: "熟料".into(),
                kind: String::new(),
                quantity_milli: 31_000,
                unit: CargoUnit::Tonne,
            })),
            Change::Weight(Some(Weighing {
                scale: "scale-2".into(),
                mass_kg: 46_000,
                at: at(7_000),
                min_kg: 46_000,
                max_kg: 46_000,
                samples: 1,
            })),
            Change::Extension(
                ExtKey::parse("ticket").unwrap(),
                Some(ExtValue::Text("B-0042".into())),
            ),
        ],
    });
    let last = gate_entries.last().unwrap();
    let root = Record::DailyRoot(DailyRoot {
        tenant: tenant(),
        seq: 3,
        day: 20240701,
        time: at(16 * 3_600),
        heads: vec![GateHead { gate: gate(), seq: gate_entries.len() as u64, hash: last.hash() }],
    });
    vec![w.append(&correction).unwrap(), w.append(&supplement).unwrap(), w.append(&root).unwrap()]
}

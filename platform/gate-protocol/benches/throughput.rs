//! Rough throughput of the platform's per-passage work, on one core: encode, sign, frame,
//! unframe, decode and verify. The platform must ingest 20,000 passages/s with chain and
//! signature verification on 2 cores (design §6), and this shows how much of that budget the
//! protocol itself takes.
//!
//! Run: `cargo bench -p gate-protocol --bench throughput` (optionally `-- 50000` passages).

use std::hint::black_box;
use std::time::{Duration, Instant};

use gate_protocol::chain::{ChainHead, Entry};
use gate_protocol::frame::FrameDecoder;
use gate_protocol::message::PassageBatch;
use gate_protocol::record::{
    Cargo, ChainId, Decision, KeyCause, KeyIntro, Outcome, PassageRecord, Photo, PhotoKind, Plate,
    PlateReading, Record, VehicleSnapshot,
};
use gate_protocol::types::{Confidence, Hash, PublicKey, ReasonCode, UtcMicros};
use gate_protocol::verify::{PlatformKeys, SignatureCheck, Verifier};
use gate_protocol::{ChainWriter, SigningKey, Uplink};
use platform_domain::codes::{
    CargoUnit, Direction, EmissionStage, Fuel, LedgerKind, PlateColour, VehicleClass,
};
use platform_domain::ids::{GateId, LaneId, PassageId, TenantId, VehicleId};

/// Entries per PassageBatch frame, as a gate sends them when draining a backlog.
const BATCH: usize = 500;

fn passage(gate: GateId, lane: LaneId, seq: u64) -> PassageRecord {
    PassageRecord {
        gate,
        seq,
        event: PassageId::new(),
        time: UtcMicros(1_719_820_800_000_000 + seq as i64 * 7_000_000),
        clock_offset_us: -800,
        lane,
        direction: if seq.is_multiple_of(2) { Direction::Entry } else { Direction::Exit },
        plate: Some(Plate {
            text: format!("冀A{:05}", seq % 100_000),
            colour: Some(PlateColour::Yellow),
        }),
        readings: vec![PlateReading {
            text: format!("冀A{:05}", seq % 100_000),
            colour: Some(PlateColour::Yellow),
            confidence: Confidence::new(9_500).unwrap(),
            source: "lane1.front".into(),
        }],
        vehicle: Some(VehicleSnapshot {
            id: VehicleId::new(),
            ledger: LedgerKind::ExternalTransport,
            class: Some(VehicleClass::HeavyTruck),
            stage: Some(EmissionStage::Cn6),
            fuel: Some(Fuel::Diesel),
            vin: Some("LFWSRXRJ3N1E00001".into()),
        }),
        decision: Decision {
            outcome: Outcome::Admitted,
            reason: ReasonCode::parse("stage_ok").unwrap(),
            rule_set_version: 12,
        },
        photos: vec![
            Photo { sha256: Hash::of(&seq.to_be_bytes()), kind: PhotoKind::Plate },
            Photo { sha256: Hash::of(&(seq + 1).to_be_bytes()), kind: PhotoKind::Scene },
        ],
        video: None,
        cargo: Some(Cargo {
            name: "铁矿石".into(),
            kind: String::new(),
            quantity_milli: 35_500,
            unit: CargoUnit::Tonne,
        }),
        weight: None,
        extensions: Default::default(),
    }
}

fn rate(what: &str, n: usize, d: Duration) {
    println!(
        "{what:<44} {:>10.0} /s  ({:>6.2} µs each)",
        n as f64 / d.as_secs_f64(),
        d.as_secs_f64() * 1e6 / n as f64
    );
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(20_000);
    let gate = GateId::new();
    let lane = LaneId::new();
    let chain = ChainId::Gate(gate);
    let platform = SigningKey::from_bytes(&[1; 32]);
    let gate_key = SigningKey::from_bytes(&[2; 32]);
    println!(
        "gate-protocol throughput, {n} passages, one thread ({} cores available)",
        std::thread::available_parallelism().map_or(0, |p| p.get())
    );

    let records: Vec<Record> =
        (2..n as u64 + 2).map(|seq| Record::Passage(passage(gate, lane, seq))).collect();

    let t = Instant::now();
    let mut total = 0;
    for r in &records {
        total += black_box(r.to_canonical_bytes().unwrap()).len();
    }
    rate("encode canonical bytes", n, t.elapsed());
    println!("{:<44} {:>10} bytes", "  mean canonical record", total / n);

    let enrol = Entry::seal(
        &Record::KeyIntro(KeyIntro {
            gate,
            seq: 1,
            time: UtcMicros(0),
            tenant: TenantId::new(),
            cause: KeyCause::Enrolment,
            key: PublicKey::from(&gate_key),
            device: String::new(),
        }),
        ChainHead::genesis(chain).hash,
        &platform,
    )
    .unwrap();
    let mut writer = ChainWriter::new(chain, ChainHead::genesis(chain), gate_key);
    writer.adopt(&enrol).unwrap();
    let t = Instant::now();
    let entries: Vec<Entry> = records.iter().map(|r| writer.append(r).unwrap()).collect();
    rate("encode + hash + sign (gate side)", n, t.elapsed());

    let t = Instant::now();
    let mut stream = Vec::new();
    for chunk in entries.chunks(BATCH) {
        let m = Uplink::PassageBatch(PassageBatch { entries: chunk.to_vec() });
        stream.extend(m.to_frame().unwrap());
    }
    rate("frame PassageBatch (500 per frame)", n, t.elapsed());

    let t = Instant::now();
    let mut decoder = FrameDecoder::new();
    let mut received: Vec<Vec<Entry>> = Vec::new();
    // Feed the stream in 64 KiB reads, as a transport would.
    for piece in stream.chunks(64 * 1024) {
        let mut input = piece;
        while let Some(frame) = decoder.decode(&mut input).unwrap() {
            let Uplink::PassageBatch(b) = Uplink::from_frame(&frame).unwrap() else { panic!() };
            received.push(b.entries);
        }
    }
    rate("unframe + decode PassageBatch", n, t.elapsed());

    let t = Instant::now();
    for e in received.iter().flatten() {
        black_box(e.decode_record().unwrap());
    }
    rate("decode canonical records", n, t.elapsed());

    let keys = PlatformKeys::from_keys([PublicKey::from(&platform)]).unwrap();
    for check in [SignatureCheck::Strict, SignatureCheck::Batch] {
        let mut v = Verifier::new(chain, keys.clone()).with_check(check);
        v.verify(std::slice::from_ref(&enrol)).unwrap();
        let t = Instant::now();
        for batch in &received {
            v.verify(batch).unwrap();
        }
        rate(&format!("verify chain + signatures ({check:?})"), n, t.elapsed());
    }

    // The platform's whole protocol-side ingest path for one stream.
    let t = Instant::now();
    let mut v = Verifier::new(chain, keys).with_check(SignatureCheck::Batch);
    v.verify(std::slice::from_ref(&enrol)).unwrap();
    let mut decoder = FrameDecoder::new();
    let mut stored = 0;
    for piece in stream.chunks(64 * 1024) {
        let mut input = piece;
        while let Some(frame) = decoder.decode(&mut input).unwrap() {
            let Uplink::PassageBatch(b) = Uplink::from_frame(&frame).unwrap() else { panic!() };
            v.verify(&b.entries).unwrap();
            for e in &b.entries {
                black_box((e.hash(), e.decode_record().unwrap()));
                stored += 1;
            }
        }
    }
    rate("ingest: unframe, verify (batch), decode, hash", stored, t.elapsed());
    assert_eq!(stored, n);
    assert_eq!(v.head().seq, n as u64 + 1);
}

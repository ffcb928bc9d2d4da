//! Golden vectors: the committed bytes of records, chains and frames.
//!
//! A failure here means a byte of the canonical encoding, the chain or the wire changed. For
//! records and chains that breaks every stored chain: fix the code, not the vector. For frames
//! it breaks deployed gates unless the change follows the compatibility rules in
//! `docs/PROTOCOL.md`. Only an intended wire change may regenerate the frame vectors:
//! `GATELEDGER_BLESS=1 cargo nextest run -p gate-protocol golden`.
//!
//! The chain checks recompute hashes, genesis values and signatures with sha2 and ed25519-dalek
//! directly, from the layout the docs give, not through this crate's chain code.

use std::path::PathBuf;

use ed25519_dalek::{Signature, VerifyingKey};
use gate_protocol::chain::Entry;
use gate_protocol::frame::FrameDecoder;
use gate_protocol::message::{
    Ack, BarrierPosition, BarrierState, CommandOutcome, CommandResult, ConfigVersion, DeviceHealth,
    DeviceKind, HealthStatus, Heartbeat, Hello, OpenBarrier, PassageBatch, PayloadEncoding,
    PhotoChunk, ProtocolVersion, Reject, RejectReason, UnknownMessage, Update, Welcome,
};
use gate_protocol::record::{ChainId, Record};
use gate_protocol::types::{Capability, CommandId, Hash, PayloadKind};
use gate_protocol::{ChainHead, Downlink, Uplink};
use platform_domain::ids::UserId;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::fixtures::*;

fn vector_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors").join(name)
}

/// Compares `actual` with the committed file, or rewrites the file when blessing.
fn check_or_bless(name: &str, actual: &Value) -> Value {
    let path = vector_path(name);
    let text = serde_json::to_string_pretty(actual).unwrap() + "\n";
    if std::env::var_os("GATELEDGER_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(committed, text, "{name} differs from the committed vector");
    serde_json::from_str(&committed).unwrap()
}

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn named_records() -> Vec<(&'static str, Record)> {
    let gate_entries = gate_chain();
    let tenant_entries = tenant_chain(&gate_entries);
    let decoded = |e: &Entry| e.decode_record().unwrap();
    vec![
        ("passage_minimal", Record::Passage(minimal_passage(2))),
        ("passage_full", Record::Passage(full_passage(3))),
        ("key_enrolment", enrolment(1, &gate_key(0))),
        ("key_rotation", decoded(&gate_entries[3])),
        ("amendment_correction", decoded(&tenant_entries[0])),
        ("amendment_supplement", decoded(&tenant_entries[1])),
        ("daily_root", decoded(&tenant_entries[2])),
    ]
}

#[test]
fn canonical_records_match_the_golden_vectors() {
    let records = named_records();
    let actual: Vec<Value> = records
        .iter()
        .map(|(name, r)| json!({ "name": name, "canonical": hex::encode(r.to_canonical_bytes().unwrap()) }))
        .collect();
    let committed = check_or_bless("records.json", &json!({ "records": actual }));

    for (v, (name, record)) in committed["records"].as_array().unwrap().iter().zip(&records) {
        let bytes = unhex(&v["canonical"]);
        assert_eq!(bytes[0], 1, "{name}: version byte");
        assert_eq!(&Record::from_canonical_bytes(&bytes).unwrap(), record, "{name}");
    }
}

fn chain_json(chain: ChainId, entries: &[Entry]) -> Value {
    let (kind, id) = match chain {
        ChainId::Gate(g) => ("gate", g.to_string()),
        ChainId::Tenant(t) => ("tenant", t.to_string()),
    };
    json!({
        "chain": kind,
        "chain_type": chain.type_byte(),
        "id": id,
        "genesis": gate_protocol::chain::genesis(chain).to_hex(),
        "entries": entries.iter().map(|e| json!({
            "seq": e.header().unwrap().seq,
            "prev_hash": e.prev_hash.to_hex(),
            "record": hex::encode(&e.record),
            "hash": e.hash().to_hex(),
            "signer": e.signer.to_hex(),
            "signature": hex::encode(e.signature),
            "entry": hex::encode(e.encode().unwrap()),
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn chains_match_the_golden_vectors_and_verify_from_first_principles() {
    let gate_entries = gate_chain();
    let tenant_entries = tenant_chain(&gate_entries);
    let actual = json!({
        "platform_public_key": public(&platform_key()).to_hex(),
        "gate_public_keys": (0..3).map(|n| public(&gate_key(n)).to_hex()).collect::<Vec<_>>(),
        "chains": [
            chain_json(ChainId::Gate(gate()), &gate_entries),
            chain_json(ChainId::Tenant(tenant()), &tenant_entries),
        ],
    });
    let committed = check_or_bless("chains.json", &actual);

    let mut checked = 0;
    for chain in committed["chains"].as_array().unwrap() {
        // genesis = SHA-256("gateledger/genesis/v1" || chain type || 16 id bytes)
        let id = uuid::Uuid::parse_str(chain["id"].as_str().unwrap()).unwrap();
        let chain_type = [chain["chain_type"].as_u64().unwrap() as u8];
        let genesis = sha256(&[b"gateledger/genesis/v1", &chain_type, id.as_bytes()]);
        assert_eq!(unhex(&chain["genesis"]), genesis);

        let mut prev = genesis;
        for (n, e) in chain["entries"].as_array().unwrap().iter().enumerate() {
            assert_eq!(e["seq"].as_u64().unwrap(), n as u64 + 1);
            assert_eq!(unhex(&e["prev_hash"]), prev, "entry {n} links to its predecessor");
            let record = unhex(&e["record"]);
            // The header: version 1, kind, chain type, id, seq.
            assert_eq!(record[0], 1);
            assert_eq!(record[2], chain_type[0]);
            assert_eq!(&record[3..19], id.as_bytes());
            assert_eq!(record[19..27], (n as u64 + 1).to_be_bytes());

            let hash = sha256(&[&prev, &record]);
            assert_eq!(unhex(&e["hash"]), hash);

            let signer: [u8; 32] = unhex(&e["signer"]).try_into().unwrap();
            let signature: [u8; 64] = unhex(&e["signature"]).try_into().unwrap();
            let message = [&b"gateledger/chain/v1"[..], &hash].concat();
            VerifyingKey::from_bytes(&signer)
                .unwrap()
                .verify_strict(&message, &Signature::from_bytes(&signature))
                .unwrap_or_else(|err| panic!("entry {n}: {err}"));

            // entry = prev_hash || signer || signature || u32 length || record
            let entry =
                [&prev[..], &signer, &signature, &(record.len() as u32).to_be_bytes(), &record]
                    .concat();
            assert_eq!(unhex(&e["entry"]), entry);
            assert!(Entry::decode(&entry).is_ok());

            prev = hash;
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

pub fn sample_uplinks() -> Vec<(&'static str, Uplink)> {
    let gate_entries = gate_chain();
    vec![
        (
            "hello",
            Uplink::Hello(Hello {
                protocol: ProtocolVersion { major: 1, minor: 0 },
                gate: gate(),
                agent_version: "0.3.1".into(),
                capabilities: vec![
                    Capability::parse("barrier.remote_open").unwrap(),
                    Capability::parse("config.updates").unwrap(),
                ],
                head: ChainHead { seq: 7, hash: gate_entries[6].hash() },
                config: vec![ConfigVersion {
                    kind: PayloadKind::parse("rules").unwrap(),
                    version: 42,
                }],
                time: at(30),
            }),
        ),
        (
            "passage_batch",
            Uplink::PassageBatch(PassageBatch { entries: gate_entries[..3].to_vec() }),
        ),
        (
            "photo_chunk",
            Uplink::PhotoChunk(PhotoChunk {
                sha256: Hash::of(b"plate photo"),
                total_len: 11,
                offset: 6,
                data: b"photo".to_vec(),
            }),
        ),
        (
            "heartbeat",
            Uplink::Heartbeat(Heartbeat {
                time: at(90),
                clock_offset_us: -1_250,
                software_version: "0.3.1".into(),
                outbox_entries: 3,
                outbox_photo_bytes: 512_000,
                head_seq: 7,
                uptime_secs: 86_400,
                devices: vec![
                    DeviceHealth {
                        device: "lane1.camera.front".into(),
                        kind: DeviceKind::Camera,
                        status: HealthStatus::Ok,
                        detail: String::new(),
                    },
                    DeviceHealth {
                        device: "lane1.plc".into(),
                        kind: DeviceKind::BarrierPlc,
                        status: HealthStatus::Degraded,
                        detail: "2 retries in the last minute".into(),
                    },
                ],
                config: vec![ConfigVersion {
                    kind: PayloadKind::parse("alert").unwrap(),
                    version: 7,
                }],
            }),
        ),
        (
            "barrier_state",
            Uplink::BarrierState(BarrierState {
                lane: lane(),
                position: BarrierPosition::Open,
                time: at(91),
                command: Some(CommandId::from_uuid(uuid(7))),
                detail: String::new(),
            }),
        ),
        (
            "command_result",
            Uplink::CommandResult(CommandResult {
                command: CommandId::from_uuid(uuid(7)),
                outcome: CommandOutcome::Executed,
                time: at(92),
                passage_seq: Some(3),
                detail: String::new(),
            }),
        ),
        ("uplink_unknown", Uplink::Unknown(UnknownMessage { tag: 0x01ff, body: vec![1, 2, 3] })),
    ]
}

pub fn sample_downlinks() -> Vec<(&'static str, Downlink)> {
    let gate_entries = gate_chain();
    vec![
        (
            "welcome",
            Downlink::Welcome(Welcome {
                protocol: ProtocolVersion { major: 1, minor: 0 },
                platform_version: "0.4.0".into(),
                capabilities: vec![Capability::parse("barrier.remote_open").unwrap()],
                acked: ChainHead { seq: 5, hash: gate_entries[4].hash() },
                time: at(31),
                heartbeat_secs: 30,
            }),
        ),
        (
            "reject",
            Downlink::Reject(Reject {
                reason: RejectReason::Busy,
                message: "platform busy".into(),
                retry_after_secs: Some(15),
                protocol: ProtocolVersion { major: 1, minor: 0 },
            }),
        ),
        ("ack", Downlink::Ack(Ack { up_to: ChainHead { seq: 7, hash: gate_entries[6].hash() } })),
        (
            "update",
            Downlink::Update(Update {
                kind: PayloadKind::parse("alert").unwrap(),
                version: 8,
                encoding: PayloadEncoding::Json,
                part: 0,
                parts: 1,
                payload: br#"{"level":"orange"}"#.to_vec(),
            }),
        ),
        (
            "open_barrier",
            Downlink::OpenBarrier(OpenBarrier {
                command: CommandId::from_uuid(uuid(7)),
                lane: lane(),
                expires: at(120),
                operator: gate_protocol::record::Actor {
                    user: Some(UserId::from_uuid(uuid(6))),
                    name: "张伟".into(),
                },
                reason: "应急抢修物资".into(),
            }),
        ),
        ("downlink_unknown", Downlink::Unknown(UnknownMessage { tag: 0x02ff, body: vec![] })),
    ]
}

fn single_frame(bytes: &[u8]) -> gate_protocol::Frame {
    let mut input = bytes;
    let frame = FrameDecoder::new().decode(&mut input).unwrap().expect("a whole frame");
    assert!(input.is_empty(), "one frame exactly");
    frame
}

#[test]
fn frames_match_the_golden_vectors() {
    let ups = sample_uplinks();
    let downs = sample_downlinks();
    let mut actual = Vec::new();
    for (name, m) in &ups {
        actual.push(json!({ "name": name, "frame": hex::encode(m.to_frame().unwrap()) }));
    }
    for (name, m) in &downs {
        actual.push(json!({ "name": name, "frame": hex::encode(m.to_frame().unwrap()) }));
    }
    let committed = check_or_bless("frames.json", &json!({ "frames": actual }));
    let frames = committed["frames"].as_array().unwrap();
    assert_eq!(frames.len(), ups.len() + downs.len());

    for (v, (name, m)) in frames.iter().zip(&ups) {
        let frame = single_frame(&unhex(&v["frame"]));
        assert_eq!(frame.tag, m.tag(), "{name}");
        assert_eq!(&Uplink::from_frame(&frame).unwrap(), m, "{name}");
    }
    for (v, (name, m)) in frames[ups.len()..].iter().zip(&downs) {
        let frame = single_frame(&unhex(&v["frame"]));
        assert_eq!(frame.tag, m.tag(), "{name}");
        assert_eq!(&Downlink::from_frame(&frame).unwrap(), m, "{name}");
    }
}

#[test]
fn the_ack_frame_is_exactly_the_documented_bytes() {
    // Written out by hand from docs/PROTOCOL.md: length 42, tag 0x0201, seq 7, hash.
    let hash = Hash([0xab; 32]);
    let frame = Downlink::Ack(Ack { up_to: ChainHead { seq: 7, hash } }).to_frame().unwrap();
    let mut expected = vec![0, 0, 0, 42, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 0, 7];
    expected.extend([0xab; 32]);
    assert_eq!(frame, expected);
}

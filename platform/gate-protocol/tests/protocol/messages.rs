//! Message rules and helpers: catch-alls, field rules, batching and photo pieces, and the
//! chain writer's refusals.

use gate_protocol::chain::{AppendError, ChainHead, ChainWriter, Entry};
use gate_protocol::frame::{Frame, MAX_FRAME_LEN};
use gate_protocol::message::{
    BarrierPosition, BarrierState, MAX_PHOTO_LEN, PHOTO_PIECE_LEN, PassageBatch, PhotoChunk, Update,
};
use gate_protocol::record::{ChainId, ExtValue, Record};
use gate_protocol::types::{ExtKey, Hash, PayloadKind};
use gate_protocol::verify::{ErrorKind, PlatformKeys, Verifier};
use gate_protocol::{DecodeError, Downlink, EncodeError, Uplink};

use super::fixtures::*;

fn body_of(frame: &[u8]) -> Frame {
    Frame { tag: u16::from_be_bytes([frame[4], frame[5]]), body: frame[6..].to_vec() }
}

#[test]
fn an_enum_value_from_a_newer_platform_survives_as_unknown() {
    let m = Uplink::BarrierState(BarrierState {
        lane: lane(),
        position: BarrierPosition::Unknown(42),
        time: at(0),
        command: None,
        detail: "locked by the guard house".into(),
    });
    let frame = m.to_frame().unwrap();
    // The position byte sits right after the 16-byte lane id.
    assert_eq!(frame[6 + 16], 42);
    assert_eq!(Uplink::from_frame(&body_of(&frame)).unwrap(), m);
    assert_eq!(BarrierPosition::from_u8(3), BarrierPosition::Open);
}

#[test]
fn photo_pieces_must_lie_inside_the_photo() {
    let piece = |total_len, offset, data: &[u8]| PhotoChunk {
        sha256: Hash::default(),
        total_len,
        offset,
        data: data.to_vec(),
    };
    assert!(Uplink::PhotoChunk(piece(10, 5, b"12345")).to_frame().is_ok());
    for bad in [piece(10, 6, b"12345"), piece(MAX_PHOTO_LEN + 1, 0, b""), piece(10, u64::MAX, b"1")]
    {
        assert!(matches!(
            Uplink::PhotoChunk(bad.clone()).to_frame(),
            Err(EncodeError::Invalid { field: "photo", .. })
        ));
        // The same piece built by hand is refused by the decoder.
        let mut body = bad.sha256.0.to_vec();
        body.extend(bad.total_len.to_be_bytes());
        body.extend(bad.offset.to_be_bytes());
        body.extend((bad.data.len() as u32).to_be_bytes());
        body.extend(&bad.data);
        assert!(matches!(
            Uplink::from_frame(&Frame { tag: 0x0102, body }),
            Err(DecodeError::Invalid { field: "photo", .. })
        ));
    }
}

#[test]
fn update_parts_must_be_in_range() {
    let update = |part, parts| {
        Downlink::Update(Update {
            kind: PayloadKind::parse("vehicles").unwrap(),
            version: 1,
            encoding: gate_protocol::message::PayloadEncoding::Json,
            part,
            parts,
            payload: b"[]".to_vec(),
        })
    };
    assert!(update(1, 2).to_frame().is_ok());
    for (part, parts) in [(2, 2), (0, 0)] {
        assert!(update(part, parts).to_frame().is_err());
        // Encode a valid one and patch the part number in place.
        let mut frame = update(0, 1).to_frame().unwrap();
        let at = frame.len() - 2 - 4 - 8;
        frame[at..at + 4].copy_from_slice(&u32::to_be_bytes(part));
        frame[at + 4..at + 8].copy_from_slice(&u32::to_be_bytes(parts));
        assert!(matches!(
            Downlink::from_frame(&body_of(&frame)),
            Err(DecodeError::Invalid { field: "update.part", .. })
        ));
    }
}

fn passages(n: u64, extra: usize) -> Vec<Entry> {
    let chain = ChainId::Gate(gate());
    let mut w = ChainWriter::new(chain, ChainHead { seq: 1, hash: Hash::default() }, gate_key(0));
    (2..n + 2)
        .map(|seq| {
            let mut p = minimal_passage(seq);
            if extra > 0 {
                p.extensions.insert(ExtKey::parse("pad").unwrap(), ExtValue::Bytes(vec![7; extra]));
            }
            w.append(&Record::Passage(p)).unwrap()
        })
        .collect()
}

#[test]
fn batches_hold_at_most_500_entries_and_fit_a_frame() {
    let entries = passages(1_200, 0);
    let batches = PassageBatch::pack(entries.clone());
    assert_eq!(batches.iter().map(|b| b.entries.len()).collect::<Vec<_>>(), [500, 500, 200]);
    assert_eq!(batches.iter().flat_map(|b| b.entries.clone()).collect::<Vec<_>>(), entries);

    // Records near the 64 KiB limit: the frame size decides.
    let big = passages(40, 60_000);
    let batches = PassageBatch::pack(big.clone());
    assert!(batches.len() > 1);
    for b in &batches {
        let frame = Uplink::PassageBatch(b.clone()).to_frame().unwrap();
        assert!(frame.len() - 4 <= MAX_FRAME_LEN);
    }
    assert_eq!(batches.into_iter().flat_map(|b| b.entries).collect::<Vec<_>>(), big);
    assert!(PassageBatch::pack(vec![]).is_empty());
}

#[test]
fn photos_split_into_pieces_that_rebuild_them() {
    let photo: Vec<u8> = (0..600 * 1024).map(|i| (i % 251) as u8).collect();
    let pieces = PhotoChunk::split(&photo, PHOTO_PIECE_LEN).unwrap();
    assert_eq!(pieces.iter().map(|p| p.offset).collect::<Vec<_>>(), [0, 262_144, 524_288]);
    let mut rebuilt: Vec<u8> = Vec::new();
    for p in &pieces {
        assert_eq!(p.sha256, Hash::of(&photo));
        assert_eq!(p.total_len, photo.len() as u64);
        assert!(Uplink::PhotoChunk(p.clone()).to_frame().is_ok());
        rebuilt.extend(&p.data);
    }
    assert_eq!(rebuilt, photo);

    let empty = PhotoChunk::split(&[], PHOTO_PIECE_LEN).unwrap();
    assert_eq!(empty.len(), 1);
    assert_eq!((empty[0].total_len, empty[0].data.len()), (0, 0));

    // A piece size beyond a frame is cut down to what fits.
    let pieces = PhotoChunk::split(&vec![1; 3 * 1024 * 1024], usize::MAX).unwrap();
    assert_eq!(pieces.len(), 4);
    assert!(pieces.iter().all(|p| Uplink::PhotoChunk(p.clone()).to_frame().is_ok()));

    assert!(matches!(
        PhotoChunk::split(&vec![0; MAX_PHOTO_LEN as usize + 1], PHOTO_PIECE_LEN),
        Err(EncodeError::TooLarge { field: "photo", .. })
    ));
}

#[test]
fn the_chain_writer_refuses_what_does_not_continue_its_chain() {
    let chain = ChainId::Gate(gate());
    let mut w = ChainWriter::new(chain, ChainHead::genesis(chain), gate_key(0));
    assert_eq!(
        w.append(&Record::Passage(minimal_passage(2))).unwrap_err(),
        AppendError::WrongSeq { expected: 1, found: 2 }
    );
    let mut foreign = minimal_passage(1);
    foreign.gate = other_gate();
    assert_eq!(
        w.append(&Record::Passage(foreign)).unwrap_err(),
        AppendError::WrongChain { expected: chain, found: ChainId::Gate(other_gate()) }
    );
    let stray = Entry::seal(&enrolment(1, &gate_key(0)), Hash([9; 32]), &platform_key()).unwrap();
    assert_eq!(w.adopt(&stray).unwrap_err(), AppendError::WrongPrevHash);
    assert_eq!(w.head(), ChainHead::genesis(chain), "nothing was appended");

    let tenant_chain = ChainId::Tenant(tenant());
    let mut t = ChainWriter::new(tenant_chain, ChainHead::genesis(tenant_chain), platform_key());
    assert_eq!(
        t.rotate(gate_key(1), at(0), tenant(), String::new()).unwrap_err(),
        AppendError::NotAGateChain
    );
}

#[test]
fn a_head_at_the_last_seq_has_no_successor_and_nothing_overflows() {
    let chain = ChainId::Gate(gate());
    let end = ChainHead { seq: u64::MAX, hash: Hash::default() };
    let mut last = minimal_passage(1);
    last.seq = u64::MAX;
    let entry = Entry::seal(&Record::Passage(last.clone()), end.hash, &gate_key(0)).unwrap();
    let keys = PlatformKeys::from_keys([public(&platform_key())]).unwrap();
    let mut v = Verifier::resume(chain, end, Some(public(&gate_key(0))), keys).unwrap();
    let err = v.verify(&[entry]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Rewind { expected: u64::MAX, found: u64::MAX });

    let mut w = ChainWriter::new(chain, end, gate_key(0));
    assert!(matches!(w.append(&Record::Passage(last)), Err(AppendError::WrongSeq { .. })));
}

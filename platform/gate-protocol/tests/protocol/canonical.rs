//! Canonical bytes are strict: every rule of the encoding is enforced when decoding, and the
//! error names the field.

use gate_protocol::record::{
    ChainId, DailyRoot, GateHead, Record, RecordHeader, RecordKind, VideoRef,
};
use gate_protocol::types::{ExtKey, Hash, UtcMicros};
use gate_protocol::{DecodeError, EncodeError};

use super::fixtures::*;

fn minimal_bytes() -> Vec<u8> {
    Record::Passage(minimal_passage(2)).to_canonical_bytes().unwrap()
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).position(|w| w == needle).expect("needle present")
}

#[test]
fn the_header_is_readable_without_the_body() {
    let bytes = Record::Passage(full_passage(3)).to_canonical_bytes().unwrap();
    let header = RecordHeader::parse(&bytes[..27]).unwrap();
    assert_eq!(
        header,
        RecordHeader { kind: RecordKind::Passage, chain: ChainId::Gate(gate()), seq: 3 }
    );
}

#[test]
fn text_that_is_not_nfc_is_refused_and_encoding_normalises_it() {
    let mut p = minimal_passage(2);
    p.decision.outcome = gate_protocol::record::Outcome::Denied;
    p.plate = Some(gate_protocol::record::Plate { text: "Å".into(), colour: None });
    let nfc = Record::Passage(p.clone()).to_canonical_bytes().unwrap();
    // U+212B ANGSTROM SIGN normalises to U+00C5.
    p.plate.as_mut().unwrap().text = "\u{212b}".into();
    let from_angstrom = Record::Passage(p).to_canonical_bytes().unwrap();
    assert_eq!(nfc, from_angstrom);

    // Put the decomposed form (A + combining ring, 3 bytes) in place of U+00C5 (2 bytes).
    let at = find(&nfc, &[0, 0, 0, 2, 0xc3, 0x85]);
    let mut bytes = nfc[..at].to_vec();
    bytes.extend([0, 0, 0, 3, b'A', 0xcc, 0x8a]);
    bytes.extend(&nfc[at + 6..]);
    assert_eq!(
        Record::from_canonical_bytes(&bytes),
        Err(DecodeError::NotNfc { field: "plate.text" })
    );
}

#[test]
fn an_unknown_code_is_refused_by_name() {
    let mut bytes = minimal_bytes();
    let at = find(&bytes, b"exit");
    bytes[at + 3] = b'x';
    assert_eq!(
        Record::from_canonical_bytes(&bytes),
        Err(DecodeError::UnknownCode { field: "passage.direction", value: "exix".into() })
    );
}

#[test]
fn option_tags_and_trailing_bytes_are_strict() {
    let bytes = minimal_bytes();
    // The plate option comes right after the direction string.
    let at = find(&bytes, b"exit") + 4;
    assert_eq!(bytes[at], 0);
    let mut bad = bytes.clone();
    bad[at] = 2;
    assert_eq!(
        Record::from_canonical_bytes(&bad),
        Err(DecodeError::InvalidTag { field: "passage.plate", tag: 2 })
    );

    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        Record::from_canonical_bytes(&long),
        Err(DecodeError::TrailingBytes { what: "record", count: 1 })
    );

    let short = &bytes[..bytes.len() - 1];
    assert_eq!(
        Record::from_canonical_bytes(short),
        Err(DecodeError::Truncated { field: "passage.extensions" })
    );
}

#[test]
fn extension_keys_must_ascend() {
    let bytes = minimal_bytes();
    // The minimal passage ends with an empty extension map: count 0.
    assert_eq!(bytes[bytes.len() - 4..], [0, 0, 0, 0]);
    let entry = |key: &str, v: i64| {
        let mut e = (key.len() as u32).to_be_bytes().to_vec();
        e.extend(key.as_bytes());
        e.push(2);
        e.extend(v.to_be_bytes());
        e
    };
    let with = |entries: &[Vec<u8>]| {
        let mut b = bytes[..bytes.len() - 4].to_vec();
        b.extend((entries.len() as u32).to_be_bytes());
        for e in entries {
            b.extend(e);
        }
        b
    };

    let sorted = with(&[entry("a", 1), entry("b", 2)]);
    let Record::Passage(p) = Record::from_canonical_bytes(&sorted).unwrap() else { panic!() };
    assert_eq!(p.extensions.keys().map(ExtKey::as_str).collect::<Vec<_>>(), ["a", "b"]);

    for bad in [with(&[entry("b", 2), entry("a", 1)]), with(&[entry("a", 1), entry("a", 2)])] {
        assert_eq!(
            Record::from_canonical_bytes(&bad),
            Err(DecodeError::Invalid {
                field: "extensions.key",
                reason: "keys must be unique and in ascending byte order"
            })
        );
    }
}

#[test]
fn field_rules_hold_on_both_sides() {
    let mut p = full_passage(3);
    p.video =
        Some(VideoRef { nvr: "n".into(), channel: 1, start: UtcMicros(10), end: UtcMicros(9) });
    assert_eq!(
        Record::Passage(p).to_canonical_bytes(),
        Err(EncodeError::Invalid { field: "video.end", reason: "before video.start" })
    );

    let mut p = full_passage(3);
    p.weight.as_mut().unwrap().mass_kg = 1;
    assert!(matches!(
        Record::Passage(p).to_canonical_bytes(),
        Err(EncodeError::Invalid { field: "weight.mass_kg", .. })
    ));

    // Swap the video's start and end in valid bytes: the decoder refuses it too.
    let p = full_passage(3);
    let video = p.video.clone().unwrap();
    let mut bytes = Record::Passage(p).to_canonical_bytes().unwrap();
    let mut pair = video.start.0.to_be_bytes().to_vec();
    pair.extend(video.end.0.to_be_bytes());
    let at = find(&bytes, &pair);
    bytes[at..at + 8].copy_from_slice(&video.end.0.to_be_bytes());
    bytes[at + 8..at + 16].copy_from_slice(&video.start.0.to_be_bytes());
    assert_eq!(
        Record::from_canonical_bytes(&bytes),
        Err(DecodeError::Invalid { field: "video.end", reason: "before video.start" })
    );
}

#[test]
fn daily_roots_list_gates_once_in_order() {
    let head = |n: u16| GateHead {
        gate: platform_domain::ids::GateId::from_uuid(uuid(n)),
        seq: 1,
        hash: Hash::default(),
    };
    let root = |heads| {
        Record::DailyRoot(DailyRoot { tenant: tenant(), seq: 1, day: 20240701, time: at(0), heads })
    };
    assert!(root(vec![head(1), head(2)]).to_canonical_bytes().is_ok());
    for heads in [vec![head(2), head(1)], vec![head(1), head(1)]] {
        assert!(matches!(
            root(heads).to_canonical_bytes(),
            Err(EncodeError::Invalid { field: "daily_root.heads", .. })
        ));
    }
    let Record::DailyRoot(mut bad_day) = root(vec![]) else { panic!() };
    bad_day.day = 20241301;
    assert!(matches!(
        Record::DailyRoot(bad_day).to_canonical_bytes(),
        Err(EncodeError::Invalid { field: "daily_root.day", .. })
    ));
}

#[test]
fn headers_are_checked() {
    let bytes = minimal_bytes();

    let mut zero_seq = bytes.clone();
    zero_seq[19..27].copy_from_slice(&0u64.to_be_bytes());
    assert!(matches!(
        Record::from_canonical_bytes(&zero_seq),
        Err(DecodeError::Invalid { field: "record.seq", .. })
    ));

    // A passage claiming a tenant chain.
    let mut wrong_chain = bytes.clone();
    wrong_chain[2] = 2;
    assert!(matches!(
        Record::from_canonical_bytes(&wrong_chain),
        Err(DecodeError::Invalid { field: "record.chain", .. })
    ));

    let mut unknown_kind = bytes.clone();
    unknown_kind[1] = 9;
    assert_eq!(
        Record::from_canonical_bytes(&unknown_kind),
        Err(DecodeError::InvalidTag { field: "record.kind", tag: 9 })
    );

    let mut p = minimal_passage(1);
    p.seq = 0;
    assert!(Record::Passage(p).to_canonical_bytes().is_err());
}

#[test]
fn records_over_64_kib_are_refused() {
    let mut p = minimal_passage(2);
    p.extensions.insert(
        ExtKey::parse("blob").unwrap(),
        gate_protocol::record::ExtValue::Bytes(vec![0; 64 * 1024]),
    );
    assert!(matches!(
        Record::Passage(p).to_canonical_bytes(),
        Err(EncodeError::TooLarge { field: "record", .. })
    ));
}

//! The verifier: the reference chains pass, and each kind of failure is reported at the right
//! entry, with the good prefix kept, in both signature modes.

use gate_protocol::chain::{ChainHead, Entry, genesis};
use gate_protocol::record::{ChainId, KeyCause, KeyIntro, Record};
use gate_protocol::types::{Hash, PublicKey};
use gate_protocol::verify::{ErrorKind, PlatformKeys, SignatureCheck, SignerRole, Verifier};
use gate_protocol::{SigningKey, VerifyingKey};

use super::fixtures::*;

const MODES: [SignatureCheck; 2] = [SignatureCheck::Strict, SignatureCheck::Batch];

fn platform_keys() -> PlatformKeys {
    PlatformKeys::from_keys([public(&platform_key())]).unwrap()
}

fn gate_verifier(check: SignatureCheck) -> Verifier {
    Verifier::new(ChainId::Gate(gate()), platform_keys()).with_check(check)
}

/// Signs `records` in order into a chain that starts after `head`.
fn sign_run(head: ChainHead, records: &[(Record, &SigningKey)]) -> Vec<Entry> {
    let mut prev = head.hash;
    records
        .iter()
        .map(|(r, key)| {
            let e = Entry::seal(r, prev, key).unwrap();
            prev = e.hash();
            e
        })
        .collect()
}

/// Verifies `entries` from genesis in both modes, checks that both report the same, and
/// returns the error kind, its index and the head the verifier kept.
fn first_error(entries: &[Entry]) -> (usize, ErrorKind, ChainHead) {
    let mut results = MODES.iter().map(|&mode| {
        let mut v = gate_verifier(mode);
        let err = v.verify(entries).expect_err("the run must fail");
        (err.index, err.kind, v.head())
    });
    let strict = results.next().unwrap();
    let batch = results.next().unwrap();
    assert_eq!(strict, batch, "strict and batch verification disagree");
    strict
}

fn stranger() -> SigningKey {
    SigningKey::from_bytes(&[0x55; 32])
}

#[test]
fn the_reference_chains_verify_in_both_modes() {
    let gate_entries = gate_chain();
    let tenant_entries = tenant_chain(&gate_entries);
    for mode in MODES {
        let mut v = gate_verifier(mode);
        assert_eq!(v.verify(&gate_entries), Ok(7));
        assert_eq!(v.head(), ChainHead { seq: 7, hash: gate_entries[6].hash() });
        assert_eq!(v.gate_key(), Some(public(&gate_key(2))), "the re-enrolled key is in force");
        assert_eq!(v.tenant(), Some(tenant()));

        let mut t = Verifier::new(ChainId::Tenant(tenant()), platform_keys()).with_check(mode);
        assert_eq!(t.verify(&tenant_entries), Ok(3));
        assert_eq!(t.head().seq, 3);
    }
}

#[test]
fn a_verifier_resumes_from_a_stored_head_and_key() {
    let entries = gate_chain();
    let mut first = gate_verifier(SignatureCheck::Strict);
    first.verify(&entries[..3]).unwrap();

    let mut resumed =
        Verifier::resume(ChainId::Gate(gate()), first.head(), first.gate_key(), platform_keys())
            .unwrap();
    assert_eq!(resumed.verify(&entries[3..]), Ok(4));
    assert_eq!(resumed.head().hash, entries[6].hash());

    // Resuming with the wrong key in force fails at the first gate-signed record.
    let mut wrong = Verifier::resume(
        ChainId::Gate(gate()),
        first.head(),
        Some(public(&gate_key(1))),
        platform_keys(),
    )
    .unwrap();
    let err = wrong.verify(&entries[3..]).unwrap_err();
    assert_eq!((err.index, err.seq), (0, Some(4)));
    assert_eq!(err.kind, ErrorKind::UnknownKey { key: public(&gate_key(0)) });
}

#[test]
fn a_missing_record_is_a_gap() {
    let mut entries = gate_chain();
    entries.remove(2);
    let (index, kind, head) = first_error(&entries);
    assert_eq!(index, 2);
    assert_eq!(kind, ErrorKind::Gap { expected: 3, found: 4 });
    assert_eq!(head.seq, 2);
}

#[test]
fn a_repeated_record_is_a_rewind() {
    let mut entries = gate_chain();
    entries.insert(4, entries[1].clone());
    let (index, kind, head) = first_error(&entries);
    assert_eq!(index, 4);
    assert_eq!(kind, ErrorKind::Rewind { expected: 5, found: 2 });
    assert_eq!(head.seq, 4);
}

#[test]
fn a_record_from_another_history_is_a_fork() {
    let entries = gate_chain();
    // Another history: a different record 2, and a record 3 that follows it.
    let mut other_two = minimal_passage(2);
    other_two.time = at(1);
    let other = sign_run(
        ChainHead { seq: 1, hash: entries[0].hash() },
        &[
            (Record::Passage(other_two), &gate_key(0)),
            (Record::Passage(full_passage(3)), &gate_key(0)),
        ],
    );
    let run = [entries[0].clone(), entries[1].clone(), other[1].clone()];
    let (index, kind, head) = first_error(&run);
    assert_eq!(index, 2);
    assert_eq!(
        kind,
        ErrorKind::Fork { seq: 3, expected_prev: entries[1].hash(), found_prev: other[0].hash() }
    );
    assert_eq!(head, ChainHead { seq: 2, hash: entries[1].hash() });
}

#[test]
fn a_passage_before_enrolment_is_not_enrolled() {
    let chain = ChainId::Gate(gate());
    let run =
        sign_run(ChainHead::genesis(chain), &[(Record::Passage(minimal_passage(1)), &gate_key(0))]);
    let (index, kind, head) = first_error(&run);
    assert_eq!(index, 0);
    assert_eq!(kind, ErrorKind::NotEnrolled { key: public(&gate_key(0)) });
    assert_eq!(head, ChainHead::genesis(chain));
}

#[test]
fn a_key_nobody_introduced_is_unknown() {
    let entries = gate_chain();
    let mut run = entries[..2].to_vec();
    run.extend(sign_run(
        ChainHead { seq: 2, hash: entries[1].hash() },
        &[(Record::Passage(full_passage(3)), &stranger())],
    ));
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 2);
    assert_eq!(kind, ErrorKind::UnknownKey { key: public(&stranger()) });

    // The key that a rotation replaced is unknown from then on.
    let mut run = entries[..4].to_vec();
    run.extend(sign_run(
        ChainHead { seq: 4, hash: entries[3].hash() },
        &[(Record::Passage(minimal_passage(5)), &gate_key(0))],
    ));
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 4);
    assert_eq!(kind, ErrorKind::UnknownKey { key: public(&gate_key(0)) });
}

#[test]
fn a_known_key_signing_what_it_may_not_is_the_wrong_signer() {
    let entries = gate_chain();
    let after_two = ChainHead { seq: 2, hash: entries[1].hash() };

    // The platform may not sign passages.
    let mut run = entries[..2].to_vec();
    run.extend(sign_run(after_two, &[(Record::Passage(full_passage(3)), &platform_key())]));
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 2);
    assert_eq!(
        kind,
        ErrorKind::WrongSigner { key: public(&platform_key()), expected: SignerRole::Gate }
    );

    // A gate may not enrol a key by itself: only the platform can.
    let mut run = entries[..2].to_vec();
    run.extend(sign_run(after_two, &[(enrolment(3, &gate_key(1)), &gate_key(0))]));
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 2);
    assert_eq!(
        kind,
        ErrorKind::WrongSigner { key: public(&gate_key(0)), expected: SignerRole::Platform }
    );
}

fn intro_of(seq: u64, key: PublicKey) -> Record {
    Record::KeyIntro(KeyIntro {
        gate: gate(),
        seq,
        time: at(seq as i64),
        tenant: tenant(),
        cause: KeyCause::Rotation,
        key,
        device: String::new(),
    })
}

#[test]
fn introducing_an_unusable_key_is_a_bad_key() {
    let entries = gate_chain();
    let after_two = ChainHead { seq: 2, hash: entries[1].hash() };

    // The point (0, -1) has order 2.
    let mut order_two = [0xff; 32];
    order_two[0] = 0xec;
    order_two[31] = 0x7f;
    // A key of full order plus that torsion point: valid, not weak, but not torsion-free.
    let torsion = VerifyingKey::from_bytes(&order_two).unwrap().to_edwards();
    let mixed = VerifyingKey::from(gate_key(1).verifying_key().to_edwards() + torsion).to_bytes();
    // y = 2 has no x on the curve.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;

    for bad in [order_two, mixed, not_a_point, public(&platform_key()).0] {
        let mut run = entries[..2].to_vec();
        run.extend(sign_run(after_two, &[(intro_of(3, PublicKey(bad)), &gate_key(0))]));
        let (index, kind, head) = first_error(&run);
        assert_eq!(index, 2);
        assert_eq!(kind, ErrorKind::BadKey { key: PublicKey(bad) });
        assert_eq!(head.seq, 2);
    }
}

#[test]
fn a_changed_signature_or_record_is_a_bad_signature() {
    let entries = gate_chain();

    let mut run = entries.clone();
    run[4].signature[10] ^= 0x01;
    let (index, kind, head) = first_error(&run);
    assert_eq!(index, 4);
    assert_eq!(kind, ErrorKind::BadSignature { key: public(&gate_key(1)) });
    assert_eq!(head, ChainHead { seq: 4, hash: entries[3].hash() });

    // Change the plate in record 3 (keeping its length): the hash changes, so its
    // signature no longer matches.
    let mut run = entries.clone();
    let pos = run[2].record.windows(3).position(|w| w == "冀".as_bytes()).unwrap();
    run[2].record[pos + 3] = b'B';
    assert!(run[2].decode_record().is_ok(), "still a well-formed record");
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 2);
    assert_eq!(kind, ErrorKind::BadSignature { key: public(&gate_key(0)) });
}

#[test]
fn undecodable_records_are_malformed() {
    let entries = gate_chain();

    let mut run = entries.clone();
    run[3].record[0] = 2;
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 3);
    assert_eq!(kind, ErrorKind::Malformed(gate_protocol::DecodeError::UnsupportedVersion(2)));

    let mut run = entries.clone();
    run[1].record.truncate(10);
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 1);
    assert!(matches!(kind, ErrorKind::Malformed(_)), "{kind:?}");

    // A key introduction must decode in full: the verifier needs its key.
    let mut run = entries.clone();
    run[3].record.push(0);
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 3);
    assert!(matches!(kind, ErrorKind::Malformed(gate_protocol::DecodeError::TrailingBytes { .. })));
}

#[test]
fn a_record_of_another_chain_is_refused() {
    let other = ChainId::Gate(other_gate());
    let mut foreign = minimal_passage(2);
    foreign.gate = other_gate();
    let entries = gate_chain();
    let mut run = entries[..1].to_vec();
    run.extend(sign_run(
        ChainHead { seq: 1, hash: entries[0].hash() },
        &[(Record::Passage(foreign), &gate_key(0))],
    ));
    let (index, kind, _) = first_error(&run);
    assert_eq!(index, 1);
    assert_eq!(kind, ErrorKind::WrongChain { expected: ChainId::Gate(gate()), found: other });
    assert_ne!(genesis(other), genesis(ChainId::Gate(gate())), "chains have their own genesis");
}

#[test]
fn the_first_bad_entry_is_found_across_batch_boundaries() {
    // 600 records: the enrolment and 599 passages; break the signature of entry 400.
    let chain = ChainId::Gate(gate());
    let mut records = vec![(enrolment(1, &gate_key(0)), platform_key())];
    for seq in 2..=600 {
        records.push((Record::Passage(minimal_passage(seq)), gate_key(0)));
    }
    let refs: Vec<(Record, &SigningKey)> = records.iter().map(|(r, k)| (r.clone(), k)).collect();
    let mut entries = sign_run(ChainHead::genesis(chain), &refs);
    for mode in MODES {
        assert_eq!(gate_verifier(mode).verify(&entries), Ok(600));
    }

    entries[400].signature[0] ^= 0x80;
    let (index, kind, head) = first_error(&entries);
    assert_eq!(index, 400);
    assert_eq!(kind, ErrorKind::BadSignature { key: public(&gate_key(0)) });
    assert_eq!(head, ChainHead { seq: 400, hash: entries[399].hash() });

    // A structural fault after a bad signature: the signature, which comes first, is reported.
    entries.remove(500);
    let (index, _, _) = first_error(&entries);
    assert_eq!(index, 400);
}

#[test]
fn a_verifier_that_stopped_continues_once_the_entry_is_fixed() {
    let entries = gate_chain();
    let mut broken = entries.clone();
    broken[5].signature[0] ^= 1;
    let mut v = gate_verifier(SignatureCheck::Batch);
    let err = v.verify(&broken).unwrap_err();
    assert_eq!(err.index, 5);
    assert_eq!(v.verify(&entries[5..]), Ok(2));
    assert_eq!(v.head().hash, entries[6].hash());
    assert_ne!(v.head().hash, Hash::default());
}

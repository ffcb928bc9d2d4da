//! Chain verification: checks a run of entries and reports precisely the first thing wrong.
//!
//! A [`Verifier`] holds one chain's state: its head (seq and hash), the gate key in force (for
//! gate chains) and the platform keys it trusts. [`Verifier::verify`] walks a run of entries
//! and, for each, checks in this order:
//!
//! 1. the header decodes, with a version this build knows ([`ErrorKind::Malformed`]);
//! 2. it belongs to this chain ([`ErrorKind::WrongChain`]);
//! 3. its seq is head + 1 ([`ErrorKind::Gap`] above, [`ErrorKind::Rewind`] below);
//! 4. its previous hash is the head's hash ([`ErrorKind::Fork`]);
//! 5. its signer may sign this kind of record here ([`ErrorKind::NotEnrolled`],
//!    [`ErrorKind::UnknownKey`], [`ErrorKind::WrongSigner`]); a key introduction must carry a
//!    usable key ([`ErrorKind::BadKey`]);
//! 6. the signature verifies ([`ErrorKind::BadSignature`]).
//!
//! It stops at the first failing entry and returns its index in the run. Everything before
//! that entry has been fully checked and is now part of the verifier's state, so the platform
//! can store the good prefix of a batch and refuse the rest.
//!
//! Who may sign what (see [`crate::record`]): passages and key rotations, the gate key in force;
//! enrolments (the first key, or a replaced PC's key), amendments and daily roots, a trusted
//! platform key.
//!
//! # Signature semantics
//!
//! The reference is single, strict Ed25519 verification (RFC 8032 with canonical `s`, and
//! small-order `R` and keys refused: ed25519-dalek's `verify_strict`). Keys must also be free
//! of torsion, checked once when a key is trusted or introduced. [`SignatureCheck::Batch`]
//! checks a run with one multiscalar multiplication per 256 entries, about three times as
//! fast, and falls back to strict single checks to name the first bad entry when a batch
//! fails. Batch verification can accept a signature that its own signer deliberately built
//! with a torsion component in `R`, which strict verification refuses; only the key holder can
//! do that, so it forges nothing, but a pack verified offline would then report it. The
//! platform therefore verifies with batch on ingest and re-verifies strictly before it signs a
//! daily root; offline verifiers use [`SignatureCheck::Strict`], the default.

use ed25519_dalek::{Signature, VerifyingKey};
use platform_domain::ids::TenantId;

use crate::bytes::DecodeError;
use crate::chain::{ChainHead, Entry, signing_message};
use crate::record::{ChainId, KeyCause, Record, RecordKind};
use crate::types::{Hash, PublicKey};

/// How many entries one batch verification covers.
const BATCH: usize = 256;

/// Why a public key cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The bytes are not a point on the curve, or the point has small order or a torsion
    /// component.
    #[error("{0} is not a usable Ed25519 public key")]
    Unusable(PublicKey),
}

/// Checks that `key` is a usable Ed25519 public key: a valid point, not of small order, and
/// torsion-free (so that single and batch verification agree for its honest signatures).
pub fn usable_key(key: &PublicKey) -> Result<VerifyingKey, KeyError> {
    let vk = VerifyingKey::from_bytes(&key.0).map_err(|_| KeyError::Unusable(*key))?;
    if vk.is_weak() || !vk.to_edwards().is_torsion_free() {
        return Err(KeyError::Unusable(*key));
    }
    Ok(vk)
}

/// The platform's public keys that a verifier trusts. The platform publishes all of its keys,
/// current and retired; an evidence pack carries them.
#[derive(Debug, Clone, Default)]
pub struct PlatformKeys {
    keys: Vec<(PublicKey, VerifyingKey)>,
}

impl PlatformKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts `key` from now on.
    pub fn add(&mut self, key: PublicKey) -> Result<(), KeyError> {
        let vk = usable_key(&key)?;
        if !self.contains(&key) {
            self.keys.push((key, vk));
        }
        Ok(())
    }

    /// The trusted keys.
    pub fn from_keys(keys: impl IntoIterator<Item = PublicKey>) -> Result<Self, KeyError> {
        let mut out = Self::new();
        for k in keys {
            out.add(k)?;
        }
        Ok(out)
    }

    /// Whether `key` is trusted.
    pub fn contains(&self, key: &PublicKey) -> bool {
        self.get(key).is_some()
    }

    fn get(&self, key: &PublicKey) -> Option<&VerifyingKey> {
        self.keys.iter().find(|(k, _)| k == key).map(|(_, vk)| vk)
    }
}

/// How signatures are checked. See the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureCheck {
    /// One strict verification per entry: the reference semantics.
    #[default]
    Strict,
    /// Batch verification, with strict single checks to locate a failure.
    Batch,
}

/// Who must sign a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerRole {
    /// The gate key in force.
    Gate,
    /// A trusted platform key.
    Platform,
}

/// What is wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// The record header (or a key introduction's body) does not decode.
    #[error("malformed record: {0}")]
    Malformed(DecodeError),
    /// The record belongs to another chain.
    #[error("record belongs to {found}, not {expected}")]
    WrongChain {
        /// The chain being verified.
        expected: ChainId,
        /// The record's chain.
        found: ChainId,
    },
    /// Records are missing: the seq jumps ahead.
    #[error("gap: expected seq {expected}, found seq {found}")]
    Gap {
        /// The seq that should come next.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// The seq goes back: a replay, or a second version of an earlier record.
    #[error("rewind: expected seq {expected}, found seq {found}")]
    Rewind {
        /// The seq that should come next.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// The record has the right seq but does not continue this chain: some other history
    /// exists for the records before it.
    #[error("fork at seq {seq}: previous hash {found_prev}, chain has {expected_prev}")]
    Fork {
        /// The record's seq.
        seq: u64,
        /// The hash of the chain's record seq - 1.
        expected_prev: Hash,
        /// The previous hash the record names.
        found_prev: Hash,
    },
    /// A gate record comes before the gate's enrolment: no gate key is in force yet.
    #[error("gate record signed by {key} before any key was enrolled")]
    NotEnrolled {
        /// The key that signed it.
        key: PublicKey,
    },
    /// The signer is neither the gate key in force nor a trusted platform key.
    #[error("unknown signing key {key}")]
    UnknownKey {
        /// The key that signed it.
        key: PublicKey,
    },
    /// The signer is known, but may not sign this kind of record.
    #[error("{key} may not sign this record: it needs the {expected:?} key")]
    WrongSigner {
        /// The key that signed it.
        key: PublicKey,
        /// Who must sign it.
        expected: SignerRole,
    },
    /// A key introduction names a key that is not usable (not a point, small order, torsion,
    /// or a platform key).
    #[error("key introduction names an unusable key {key}")]
    BadKey {
        /// The introduced key.
        key: PublicKey,
    },
    /// The signature does not verify.
    #[error("bad signature by {key}")]
    BadSignature {
        /// The key it claims.
        key: PublicKey,
    },
}

/// The first failing entry of a run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {index}{}: {kind}", seq.map(|s| format!(" (seq {s})")).unwrap_or_default())]
pub struct VerifyError {
    /// Position of the entry in the run given to [`Verifier::verify`].
    pub index: usize,
    /// The entry's seq, if its header could be read.
    pub seq: Option<u64>,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// The gate key in force, and the tenant its introduction named.
#[derive(Clone, Copy)]
struct GateKey {
    public: PublicKey,
    key: VerifyingKey,
    tenant: Option<TenantId>,
}

/// What one checked entry changes in the state.
struct Step {
    head: ChainHead,
    new_key: Option<GateKey>,
    key: VerifyingKey,
}

/// Verifies runs of one chain. See the module docs.
#[derive(Clone)]
pub struct Verifier {
    chain: ChainId,
    head: ChainHead,
    gate_key: Option<GateKey>,
    platform: PlatformKeys,
    check: SignatureCheck,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("chain", &self.chain)
            .field("head", &self.head)
            .field("gate_key", &self.gate_key.map(|k| k.public))
            .field("check", &self.check)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `chain` from its genesis, trusting `platform`.
    pub fn new(chain: ChainId, platform: PlatformKeys) -> Self {
        Self {
            chain,
            head: ChainHead::genesis(chain),
            gate_key: None,
            platform,
            check: SignatureCheck::default(),
        }
    }

    /// A verifier that continues `chain` after `head`, where `gate_key` is the gate key in
    /// force (`None` for tenant chains). The platform resumes from its head row per gate.
    pub fn resume(
        chain: ChainId,
        head: ChainHead,
        gate_key: Option<PublicKey>,
        platform: PlatformKeys,
    ) -> Result<Self, KeyError> {
        let gate_key = match gate_key {
            Some(public) => Some(GateKey { public, key: usable_key(&public)?, tenant: None }),
            None => None,
        };
        Ok(Self { chain, head, gate_key, platform, check: SignatureCheck::default() })
    }

    /// Chooses how signatures are checked.
    pub fn with_check(mut self, check: SignatureCheck) -> Self {
        self.check = check;
        self
    }

    /// The chain being verified.
    pub fn chain(&self) -> ChainId {
        self.chain
    }

    /// The last verified entry's seq and hash.
    pub fn head(&self) -> ChainHead {
        self.head
    }

    /// The gate key in force after the last verified entry.
    pub fn gate_key(&self) -> Option<PublicKey> {
        self.gate_key.map(|k| k.public)
    }

    /// The tenant named by the last key introduction verified, if one was.
    pub fn tenant(&self) -> Option<TenantId> {
        self.gate_key.and_then(|k| k.tenant)
    }

    /// Verifies `entries` in order, continuing from the current head. On success the head
    /// moves to the last entry and the count is returned. On failure the verifier holds the
    /// state after the last good entry and the error names the first bad one.
    pub fn verify(&mut self, entries: &[Entry]) -> Result<usize, VerifyError> {
        for (chunk_no, chunk) in entries.chunks(BATCH).enumerate() {
            let base = chunk_no * BATCH;
            self.verify_chunk(chunk).map_err(|mut e| {
                e.index += base;
                e
            })?;
        }
        Ok(entries.len())
    }

    fn verify_chunk(&mut self, entries: &[Entry]) -> Result<(), VerifyError> {
        // Pass 1: structure and signer policy, assuming signatures hold. Entries before the
        // first failure are exactly the ones whose state this pass computed correctly, if their
        // signatures hold, which pass 2 checks.
        let mut steps: Vec<Step> = Vec::with_capacity(entries.len());
        let mut structural: Option<VerifyError> = None;
        {
            let mut head = self.head;
            let mut gate_key = self.gate_key;
            for (index, entry) in entries.iter().enumerate() {
                match self.check_structure(entry, head, gate_key) {
                    Ok(step) => {
                        head = step.head;
                        if let Some(k) = step.new_key {
                            gate_key = Some(k);
                        }
                        steps.push(step);
                    }
                    Err((seq, kind)) => {
                        structural = Some(VerifyError { index, seq, kind });
                        break;
                    }
                }
            }
        }

        // Pass 2: signatures of the structurally sound prefix.
        let bad_signature = self.first_bad_signature(&entries[..steps.len()], &steps);

        let (good, error) = match bad_signature {
            Some(index) => {
                let entry = &entries[index];
                let error = VerifyError {
                    index,
                    seq: Some(steps[index].head.seq),
                    kind: ErrorKind::BadSignature { key: entry.signer },
                };
                (index, Some(error))
            }
            None => (steps.len(), structural),
        };
        for step in &steps[..good] {
            self.head = step.head;
            if let Some(k) = step.new_key {
                self.gate_key = Some(k);
            }
        }
        error.map_or(Ok(()), Err)
    }

    /// Index of the first entry whose signature fails, if any.
    fn first_bad_signature(&self, entries: &[Entry], steps: &[Step]) -> Option<usize> {
        let strict = |i: usize| -> bool {
            let sig = Signature::from_bytes(&entries[i].signature);
            steps[i].key.verify_strict(&signing_message(&steps[i].head.hash), &sig).is_ok()
        };
        match self.check {
            SignatureCheck::Strict => (0..entries.len()).find(|&i| !strict(i)),
            SignatureCheck::Batch => {
                if entries.is_empty() {
                    return None;
                }
                let messages: Vec<_> =
                    steps.iter().map(|s| signing_message(&s.head.hash)).collect();
                let message_refs: Vec<&[u8]> = messages.iter().map(|m| &m[..]).collect();
                let signatures: Vec<Signature> =
                    entries.iter().map(|e| Signature::from_bytes(&e.signature)).collect();
                let keys: Vec<VerifyingKey> = steps.iter().map(|s| s.key).collect();
                if ed25519_dalek::verify_batch(&message_refs, &signatures, &keys).is_ok() {
                    None
                } else {
                    (0..entries.len()).find(|&i| !strict(i))
                }
            }
        }
    }

    fn check_structure(
        &self,
        entry: &Entry,
        head: ChainHead,
        gate_key: Option<GateKey>,
    ) -> Result<Step, (Option<u64>, ErrorKind)> {
        let header = entry.header().map_err(|e| (None, ErrorKind::Malformed(e)))?;
        let seq = header.seq;
        let fail = |kind| (Some(seq), kind);
        if header.chain != self.chain {
            return Err(fail(ErrorKind::WrongChain { expected: self.chain, found: header.chain }));
        }
        // Saturating: a head at u64::MAX (only reachable through `resume`) has no successor,
        // and every seq is then a rewind rather than an overflow.
        let expected = head.seq.saturating_add(1);
        if seq <= head.seq {
            return Err(fail(ErrorKind::Rewind { expected, found: seq }));
        }
        if seq > expected {
            return Err(fail(ErrorKind::Gap { expected, found: seq }));
        }
        if entry.prev_hash != head.hash {
            return Err(fail(ErrorKind::Fork {
                seq,
                expected_prev: head.hash,
                found_prev: entry.prev_hash,
            }));
        }

        // Who must sign it; a key introduction also brings the next key.
        let (role, intro) = match header.kind {
            RecordKind::Passage => (SignerRole::Gate, None),
            RecordKind::Amendment | RecordKind::DailyRoot => (SignerRole::Platform, None),
            RecordKind::KeyIntro => {
                let intro = match entry.decode_record() {
                    Ok(Record::KeyIntro(intro)) => intro,
                    // The header said key introduction, so decoding yields one or fails.
                    Ok(_) => {
                        return Err(fail(ErrorKind::Malformed(DecodeError::Invalid {
                            field: "record.kind",
                            reason: "not a key introduction",
                        })));
                    }
                    Err(e) => return Err(fail(ErrorKind::Malformed(e))),
                };
                let role = match intro.cause {
                    KeyCause::Enrolment => SignerRole::Platform,
                    KeyCause::Rotation => SignerRole::Gate,
                };
                (role, Some(intro))
            }
        };

        let signer = entry.signer;
        let key = match role {
            SignerRole::Gate => match gate_key {
                Some(k) if k.public == signer => k.key,
                _ if self.platform.contains(&signer) => {
                    return Err(fail(ErrorKind::WrongSigner { key: signer, expected: role }));
                }
                None => return Err(fail(ErrorKind::NotEnrolled { key: signer })),
                Some(_) => return Err(fail(ErrorKind::UnknownKey { key: signer })),
            },
            SignerRole::Platform => match self.platform.get(&signer) {
                Some(k) => *k,
                None if gate_key.is_some_and(|k| k.public == signer) => {
                    return Err(fail(ErrorKind::WrongSigner { key: signer, expected: role }));
                }
                None => return Err(fail(ErrorKind::UnknownKey { key: signer })),
            },
        };

        let new_key = match intro {
            None => None,
            Some(intro) => {
                let bad = || fail(ErrorKind::BadKey { key: intro.key });
                if self.platform.contains(&intro.key) {
                    return Err(bad());
                }
                let vk = usable_key(&intro.key).map_err(|_| bad())?;
                Some(GateKey { public: intro.key, key: vk, tenant: Some(intro.tenant) })
            }
        };

        Ok(Step { head: ChainHead { seq, hash: entry.hash() }, new_key, key })
    }
}

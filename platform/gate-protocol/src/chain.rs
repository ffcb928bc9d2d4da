//! The ledger chain: hashing, genesis, signing, and the entry that carries a signed record.
//!
//! - `hash(n) = SHA-256(hash(n-1) || canonical_bytes(record n))`.
//! - `hash(0)` is the chain's genesis value, [`genesis`]: SHA-256 of [`GENESIS_CONTEXT`], the
//!   chain-type byte and the 16 id bytes. Every gate and every tenant therefore starts from its
//!   own value, so no record of one chain can ever be replayed as a link of another.
//! - Each record is signed: Ed25519 over [`SIGNING_CONTEXT`] followed by the record's 32-byte
//!   chain hash. Signing the hash commits the signature to the whole history before it; the
//!   context keeps a gateledger chain signature from being valid for anything else.
//!
//! An [`Entry`] is what is stored, sent and put into evidence packs: the previous hash, the
//! canonical record bytes, the signer's public key and the signature. The entry carries the
//! record's bytes, never a re-encoding of them, so the wire codec can change and stored chains
//! still verify.

use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

use crate::bytes::{DecodeError, EncodeError, Reader, Writer};
use crate::record::{ChainId, KeyCause, KeyIntro, MAX_RECORD_LEN, Record, RecordHeader};
use crate::types::{Hash, PublicKey, UtcMicros};

/// Prefix of the genesis hash input.
pub const GENESIS_CONTEXT: &[u8] = b"gateledger/genesis/v1";

/// Prefix of every signed message: the signature covers `SIGNING_CONTEXT || hash`.
pub const SIGNING_CONTEXT: &[u8] = b"gateledger/chain/v1";

/// Encoded size of an entry without its record bytes: prev hash, signer, signature, length.
pub const ENTRY_OVERHEAD: usize = 32 + 32 + 64 + 4;

/// The genesis value of a chain: the "previous hash" of its record 1.
pub fn genesis(chain: ChainId) -> Hash {
    let mut h = Sha256::new();
    h.update(GENESIS_CONTEXT);
    h.update([chain.type_byte()]);
    h.update(chain.id_bytes());
    Hash(h.finalize().into())
}

/// The chain hash of a record that follows `prev`.
pub fn chain_hash(prev: &Hash, record: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(prev.0);
    h.update(record);
    Hash(h.finalize().into())
}

/// The exact bytes an Ed25519 signature covers for a record with chain hash `hash`.
pub fn signing_message(hash: &Hash) -> [u8; SIGNING_CONTEXT.len() + 32] {
    let mut m = [0u8; SIGNING_CONTEXT.len() + 32];
    m[..SIGNING_CONTEXT.len()].copy_from_slice(SIGNING_CONTEXT);
    m[SIGNING_CONTEXT.len()..].copy_from_slice(&hash.0);
    m
}

/// The last record of a chain as someone holds it: its seq and chain hash. At genesis the seq
/// is 0 and the hash is [`genesis`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHead {
    /// Seq of the last record (0 before the first).
    pub seq: u64,
    /// Chain hash of the last record (the genesis value before the first).
    pub hash: Hash,
}

impl ChainHead {
    /// The head of an empty chain.
    pub fn genesis(chain: ChainId) -> Self {
        Self { seq: 0, hash: genesis(chain) }
    }
}

/// A signed record as stored, sent and archived. Frozen: the encoding (see [`Entry::encode`])
/// is shared by the wire and by evidence packs.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    /// Chain hash of the record before this one (the genesis value for seq 1).
    pub prev_hash: Hash,
    /// The record's canonical bytes.
    pub record: Vec<u8>,
    /// The key that signed it.
    pub signer: PublicKey,
    /// Ed25519 signature over [`signing_message`] of this entry's chain hash.
    pub signature: [u8; 64],
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("prev_hash", &self.prev_hash)
            .field("record_len", &self.record.len())
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// Signs canonical record bytes that follow `prev_hash`.
    pub fn sign(prev_hash: Hash, record: Vec<u8>, key: &SigningKey) -> Self {
        let hash = chain_hash(&prev_hash, &record);
        let signature = key.sign(&signing_message(&hash)).to_bytes();
        Self { prev_hash, record, signer: PublicKey::from(key), signature }
    }

    /// Encodes `record` canonically and signs it.
    pub fn seal(record: &Record, prev_hash: Hash, key: &SigningKey) -> Result<Self, EncodeError> {
        Ok(Self::sign(prev_hash, record.to_canonical_bytes()?, key))
    }

    /// This entry's chain hash.
    pub fn hash(&self) -> Hash {
        chain_hash(&self.prev_hash, &self.record)
    }

    /// The record header, without decoding the body.
    pub fn header(&self) -> Result<RecordHeader, DecodeError> {
        RecordHeader::parse(&self.record)
    }

    /// The decoded record.
    pub fn decode_record(&self) -> Result<Record, DecodeError> {
        Record::from_canonical_bytes(&self.record)
    }

    /// The entry's encoding: prev hash (32), signer (32), signature (64), then the record as
    /// `u32` length and bytes.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish()
    }

    /// Decodes one entry that fills `bytes` exactly.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let e = Self::read(&mut r)?;
        r.finish("entry")?;
        Ok(e)
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        if self.record.len() > MAX_RECORD_LEN {
            w.fail(EncodeError::TooLarge {
                field: "entry.record",
                len: self.record.len() as u64,
                max: MAX_RECORD_LEN as u64,
            });
        }
        w.raw(&self.prev_hash.0);
        w.raw(&self.signer.0);
        w.raw(&self.signature);
        w.bytes("entry.record", &self.record);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let prev_hash = Hash(r.array("entry.prev_hash")?);
        let signer = PublicKey(r.array("entry.signer")?);
        let signature = r.array("entry.signature")?;
        let record = r.bytes("entry.record")?;
        if record.len() > MAX_RECORD_LEN {
            return Err(DecodeError::Invalid {
                field: "entry.record",
                reason: "longer than the 64 KiB record limit",
            });
        }
        Ok(Self { prev_hash, record: record.to_vec(), signer, signature })
    }
}

/// Why a [`ChainWriter`] refused to append.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// The record belongs to another chain.
    #[error("record belongs to {found}, this writer appends to {expected}")]
    WrongChain {
        /// This writer's chain.
        expected: ChainId,
        /// The record's chain.
        found: ChainId,
    },
    /// The record's seq is not the next one.
    #[error("record has seq {found}, the next seq is {expected}")]
    WrongSeq {
        /// The next seq.
        expected: u64,
        /// The record's seq.
        found: u64,
    },
    /// The entry does not continue this chain's head.
    #[error("entry does not continue the chain head")]
    WrongPrevHash,
    /// Keys rotate only in gate chains; tenant chains are signed by platform keys.
    #[error("only gate chains have key introductions")]
    NotAGateChain,
    /// The record could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// An entry to adopt could not be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// Appends records to one chain: checks chain and seq, encodes, signs with the current key and
/// advances the head. The gate agent holds one for its chain; the platform one per tenant chain.
///
/// ```
/// # use gate_protocol::chain::{ChainWriter, ChainHead};
/// # use gate_protocol::record::ChainId;
/// # use platform_domain::ids::GateId;
/// # use ed25519_dalek::SigningKey;
/// let chain = ChainId::Gate(GateId::new());
/// let writer = ChainWriter::new(chain, ChainHead::genesis(chain), SigningKey::from_bytes(&[7; 32]));
/// assert_eq!(writer.next_seq(), 1);
/// ```
pub struct ChainWriter {
    chain: ChainId,
    head: ChainHead,
    key: SigningKey,
}

impl std::fmt::Debug for ChainWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the signing key.
        f.debug_struct("ChainWriter")
            .field("chain", &self.chain)
            .field("head", &self.head)
            .field("key", &PublicKey::from(&self.key))
            .finish()
    }
}

impl ChainWriter {
    /// A writer that continues `chain` after `head`, signing with `key`.
    pub fn new(chain: ChainId, head: ChainHead, key: SigningKey) -> Self {
        Self { chain, head, key }
    }

    /// The chain this writer appends to.
    pub fn chain(&self) -> ChainId {
        self.chain
    }

    /// The last record written (or adopted).
    pub fn head(&self) -> ChainHead {
        self.head
    }

    /// The seq the next record must carry.
    pub fn next_seq(&self) -> u64 {
        self.head.seq.saturating_add(1)
    }

    /// The public half of the current signing key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from(&self.key)
    }

    /// Encodes, signs and appends `record`, which must belong to this chain and carry
    /// [`ChainWriter::next_seq`].
    pub fn append(&mut self, record: &Record) -> Result<Entry, AppendError> {
        let header = record.header();
        self.check(header)?;
        let entry = Entry::seal(record, self.head.hash, &self.key)?;
        self.head = ChainHead { seq: header.seq, hash: entry.hash() };
        Ok(entry)
    }

    /// Rotates the gate key: appends a [`KeyIntro`] for `new_key`, signed by the current key,
    /// then signs everything after it with `new_key`. Only for gate chains.
    pub fn rotate(
        &mut self,
        new_key: SigningKey,
        time: UtcMicros,
        tenant: platform_domain::ids::TenantId,
        device: String,
    ) -> Result<Entry, AppendError> {
        let ChainId::Gate(gate) = self.chain else {
            return Err(AppendError::NotAGateChain);
        };
        let intro = Record::KeyIntro(KeyIntro {
            gate,
            seq: self.next_seq(),
            time,
            tenant,
            cause: KeyCause::Rotation,
            key: PublicKey::from(&new_key),
            device,
        });
        let entry = self.append(&intro)?;
        self.key = new_key;
        Ok(entry)
    }

    /// Adopts an entry someone else signed at the next seq (the platform's enrolment record
    /// for a new or replaced gate PC), so that the writer continues after it. This checks
    /// position only; signatures are the verifier's job.
    pub fn adopt(&mut self, entry: &Entry) -> Result<(), AppendError> {
        let header = entry.header()?;
        self.check(header)?;
        if entry.prev_hash != self.head.hash {
            return Err(AppendError::WrongPrevHash);
        }
        self.head = ChainHead { seq: header.seq, hash: entry.hash() };
        Ok(())
    }

    fn check(&self, header: RecordHeader) -> Result<(), AppendError> {
        if header.chain != self.chain {
            return Err(AppendError::WrongChain { expected: self.chain, found: header.chain });
        }
        if header.seq != self.next_seq() || header.seq <= self.head.seq {
            return Err(AppendError::WrongSeq { expected: self.next_seq(), found: header.seq });
        }
        Ok(())
    }
}

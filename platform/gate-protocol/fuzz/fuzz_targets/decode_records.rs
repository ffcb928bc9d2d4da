//! Any bytes as a canonical record and as a chain entry, then a run of entries through the
//! verifier. Decoding must return errors, never panic, and accept only canonical input: what
//! decodes re-encodes to exactly the same bytes.

#![no_main]

use gate_protocol::chain::Entry;
use gate_protocol::record::{ChainId, Record};
use gate_protocol::verify::{PlatformKeys, SignatureCheck, Verifier};
use gate_protocol::{PublicKey, SigningKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = Record::from_canonical_bytes(data) {
        assert_eq!(record.to_canonical_bytes().unwrap(), data);
    }
    if let Ok(entry) = Entry::decode(data) {
        assert_eq!(entry.encode().unwrap(), data);
        let platform = PublicKey::from(&SigningKey::from_bytes(&[0x11; 32]));
        let keys = PlatformKeys::from_keys([platform]).unwrap();
        // The entry names its own chain if its header reads; otherwise any chain will do.
        let chain = match entry.header() {
            Ok(h) => h.chain,
            Err(_) => ChainId::Gate(Default::default()),
        };
        for check in [SignatureCheck::Strict, SignatureCheck::Batch] {
            let _ = Verifier::new(chain, keys.clone())
                .with_check(check)
                .verify(std::slice::from_ref(&entry));
        }
    }
});

//! Key introduction: the record that makes a key the gate's signing key from the next seq on.
//!
//! Two causes, two signers:
//! - **Enrolment** (a gate's first key, or the key of a replacement PC whose predecessor's key
//!   is lost): the platform signs the record with its own key, after an administrator
//!   approved the enrolment. The first record of every gate chain is an enrolment.
//! - **Rotation** (the gate replaces its key while it still holds the old one, including a
//!   planned PC swap where the old PC hands over): the outgoing key signs the record.
//!
//! Either way the chain runs on unbroken across the change, and a verifier that trusts only
//! the platform's keys can follow every gate key from the chain itself.
//!
//! Frozen: this layout is part of record version 1.

use platform_domain::ids::{GateId, TenantId};

use super::read_uuid;
use crate::bytes::{DecodeError, Reader, Writer};
use crate::types::{PublicKey, UtcMicros};

/// Introduces `key` as the gate's signing key for every record after this one. Frozen (record
/// version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyIntro {
    /// The gate whose chain holds the record.
    pub gate: GateId,
    /// Position in the gate's chain.
    pub seq: u64,
    /// When the key was introduced.
    pub time: UtcMicros,
    /// The tenant the gate belongs to from now on.
    pub tenant: TenantId,
    /// Why, and so who must sign the record.
    pub cause: KeyCause,
    /// The new key.
    pub key: PublicKey,
    /// A description of the device holding the key (host name, hardware serial), NFC text.
    pub device: String,
}

/// Why a key was introduced. Frozen: tags 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCause {
    /// 1: enrolment approved by the platform; signed by a platform key.
    Enrolment,
    /// 2: rotation by the gate; signed by the gate key it replaces.
    Rotation,
}

impl KeyIntro {
    pub(super) fn write_body(&self, w: &mut Writer) {
        w.i64(self.time.0);
        w.raw(self.tenant.as_bytes());
        w.u8(match self.cause {
            KeyCause::Enrolment => 1,
            KeyCause::Rotation => 2,
        });
        w.raw(&self.key.0);
        w.text("key.device", &self.device);
    }

    pub(super) fn read_body(
        gate: GateId,
        seq: u64,
        r: &mut Reader<'_>,
    ) -> Result<Self, DecodeError> {
        Ok(Self {
            gate,
            seq,
            time: UtcMicros(r.i64("key.time")?),
            tenant: TenantId::from_uuid(read_uuid(r, "key.tenant")?),
            cause: match r.u8("key.cause")? {
                1 => KeyCause::Enrolment,
                2 => KeyCause::Rotation,
                tag => return Err(DecodeError::InvalidTag { field: "key.cause", tag }),
            },
            key: PublicKey(r.array("key.key")?),
            device: r.text("key.device")?,
        })
    }
}

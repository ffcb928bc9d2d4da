//! The handshake: the gate's [`Hello`], answered by [`Welcome`] or [`Reject`].
//!
//! The TLS client certificate already says which gate is calling; the handshake settles the
//! rest before any other message flows:
//! - the protocol version: the major must match (it is also in the ALPN), the session runs at
//!   the lower of the two minors;
//! - the capabilities both sides support ([`negotiate`]);
//! - where to resume: the gate says how far its chain goes, the platform says how far it has
//!   durably stored it, and the gate resends from there;
//! - the two clocks, so that each side can estimate the other's offset.

use platform_domain::ids::GateId;

use super::uplink::ConfigVersion;
use super::{Body, wire_enum};
use crate::bytes::{DecodeError, Reader, Writer};
use crate::chain::ChainHead;
use crate::record::read_ident;
use crate::record::read_uuid;
use crate::types::{Capability, Hash, UtcMicros};
use crate::{PROTOCOL_MAJOR, PROTOCOL_MINOR};

/// A protocol version: the major is in the ALPN; minors add messages, fields and capabilities
/// compatibly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProtocolVersion {
    /// Incompatible changes.
    pub major: u16,
    /// Compatible additions.
    pub minor: u16,
}

impl ProtocolVersion {
    /// The version this build speaks.
    pub const CURRENT: Self = Self { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR };

    fn write(&self, w: &mut Writer) {
        w.u16(self.major);
        w.u16(self.minor);
    }

    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
        Ok(Self { major: r.u16(field)?, minor: r.u16(field)? })
    }
}

/// The gate's opening message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// The protocol version the gate speaks.
    pub protocol: ProtocolVersion,
    /// The gate (must match its certificate).
    pub gate: GateId,
    /// The gate agent's software version.
    pub agent_version: String,
    /// What the gate supports ([`super::caps`]).
    pub capabilities: Vec<Capability>,
    /// The gate's own chain head: the last record it wrote.
    pub head: ChainHead,
    /// The versions of the lists, rules and alert the gate has cached.
    pub config: Vec<ConfigVersion>,
    /// The gate's clock when it sent this.
    pub time: UtcMicros,
}

/// The platform accepts the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// The version the session runs at: the gate's major, the lower minor.
    pub protocol: ProtocolVersion,
    /// The platform's software version.
    pub platform_version: String,
    /// The capabilities both sides support.
    pub capabilities: Vec<Capability>,
    /// The last entry of this gate's chain the platform holds durably (seq 0 and the genesis
    /// hash if none). The gate sends everything after it. If the gate's own record at that
    /// seq has another hash, the chains have forked: the gate stops sending and raises an
    /// alarm instead of overwriting either side.
    pub acked: ChainHead,
    /// The platform's clock when it sent this.
    pub time: UtcMicros,
    /// How often the gate should send a heartbeat, in seconds.
    pub heartbeat_secs: u32,
}

/// The platform refuses the gate, then closes the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Why.
    pub reason: RejectReason,
    /// A human-readable explanation, for the gate's log and status page.
    pub message: String,
    /// When to try again, in seconds (`None`: not before an administrator acts).
    pub retry_after_secs: Option<u32>,
    /// The version the platform speaks.
    pub protocol: ProtocolVersion,
}

wire_enum! {
    /// Why the platform refused a gate.
    RejectReason {
        /// 1: the gate's major version is not one the platform speaks.
        UnsupportedVersion = 1,
        /// 2: no such gate, or the certificate does not match the gate id.
        UnknownGate = 2,
        /// 3: the gate's certificate or key was revoked.
        Revoked = 3,
        /// 4: the tenant is suspended.
        Suspended = 4,
        /// 5: the platform is overloaded; retry later.
        Busy = 5,
        /// 6: the gate's chain conflicts with the platform's (a fork); an administrator must
        /// look before the gate may send again.
        ChainConflict = 6,
    }
}

/// Settles a session: the version (same major; the lower minor) and the capabilities both
/// sides name, in the gate's order. The platform calls this on [`Hello`] and answers with a
/// [`Welcome`] or, on error, a [`Reject`] with the returned reason.
pub fn negotiate(
    hello: &Hello,
    ours: ProtocolVersion,
    our_capabilities: &[Capability],
) -> Result<(ProtocolVersion, Vec<Capability>), RejectReason> {
    if hello.protocol.major != ours.major {
        return Err(RejectReason::UnsupportedVersion);
    }
    let version =
        ProtocolVersion { major: ours.major, minor: hello.protocol.minor.min(ours.minor) };
    let caps =
        hello.capabilities.iter().filter(|c| our_capabilities.contains(c)).cloned().collect();
    Ok((version, caps))
}

pub(super) fn write_head(w: &mut Writer, head: &ChainHead) {
    w.u64(head.seq);
    w.raw(&head.hash.0);
}

pub(super) fn read_head(r: &mut Reader<'_>, field: &'static str) -> Result<ChainHead, DecodeError> {
    Ok(ChainHead { seq: r.u64(field)?, hash: Hash(r.array(field)?) })
}

pub(super) fn write_caps(w: &mut Writer, field: &'static str, caps: &[Capability]) {
    w.list(field, caps, |w, c| w.str(field, c.as_str()));
}

pub(super) fn read_caps(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<Vec<Capability>, DecodeError> {
    r.list(field, 5, |r| read_ident(r, field, Capability::parse))
}

impl Body for Hello {
    const TAG: u16 = 0x0001;

    fn write(&self, w: &mut Writer) {
        self.protocol.write(w);
        w.raw(self.gate.as_bytes());
        w.str("hello.agent_version", &self.agent_version);
        write_caps(w, "hello.capabilities", &self.capabilities);
        write_head(w, &self.head);
        w.list("hello.config", &self.config, |w, c| c.write(w));
        w.i64(self.time.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            protocol: ProtocolVersion::read(r, "hello.protocol")?,
            gate: GateId::from_uuid(read_uuid(r, "hello.gate")?),
            agent_version: r.str("hello.agent_version")?.to_owned(),
            capabilities: read_caps(r, "hello.capabilities")?,
            head: read_head(r, "hello.head")?,
            config: r.list("hello.config", 13, ConfigVersion::read)?,
            time: UtcMicros(r.i64("hello.time")?),
        })
    }
}

impl Body for Welcome {
    const TAG: u16 = 0x0002;

    fn write(&self, w: &mut Writer) {
        self.protocol.write(w);
        w.str("welcome.platform_version", &self.platform_version);
        write_caps(w, "welcome.capabilities", &self.capabilities);
        write_head(w, &self.acked);
        w.i64(self.time.0);
        w.u32(self.heartbeat_secs);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            protocol: ProtocolVersion::read(r, "welcome.protocol")?,
            platform_version: r.str("welcome.platform_version")?.to_owned(),
            capabilities: read_caps(r, "welcome.capabilities")?,
            acked: read_head(r, "welcome.acked")?,
            time: UtcMicros(r.i64("welcome.time")?),
            heartbeat_secs: r.u32("welcome.heartbeat_secs")?,
        })
    }
}

impl Body for Reject {
    const TAG: u16 = 0x0003;

    fn write(&self, w: &mut Writer) {
        w.u8(self.reason.to_u8());
        w.str("reject.message", &self.message);
        w.option(self.retry_after_secs.as_ref(), |w, s| w.u32(*s));
        self.protocol.write(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            reason: RejectReason::from_u8(r.u8("reject.reason")?),
            message: r.str("reject.message")?.to_owned(),
            retry_after_secs: r
                .option("reject.retry_after_secs", |r| r.u32("reject.retry_after_secs"))?,
            protocol: ProtocolVersion::read(r, "reject.protocol")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(minor: u16, caps: &[&str]) -> Hello {
        Hello {
            protocol: ProtocolVersion { major: 1, minor },
            gate: GateId::new(),
            agent_version: "0.1.0".into(),
            capabilities: caps.iter().map(|c| Capability::parse(c).unwrap()).collect(),
            head: ChainHead { seq: 0, hash: Hash::default() },
            config: vec![],
            time: UtcMicros(0),
        }
    }

    #[test]
    fn negotiation_takes_the_lower_minor_and_the_common_capabilities() {
        let ours = [Capability::parse("a").unwrap(), Capability::parse("c").unwrap()];
        let (v, caps) =
            negotiate(&hello(3, &["c", "b", "a"]), ProtocolVersion { major: 1, minor: 1 }, &ours)
                .unwrap();
        assert_eq!(v, ProtocolVersion { major: 1, minor: 1 });
        let names: Vec<&str> = caps.iter().map(|c| c.as_str()).collect();
        assert_eq!(names, ["c", "a"]);
    }

    #[test]
    fn another_major_is_refused() {
        let mut h = hello(0, &[]);
        h.protocol.major = 2;
        assert_eq!(
            negotiate(&h, ProtocolVersion::CURRENT, &[]),
            Err(RejectReason::UnsupportedVersion)
        );
    }
}

//! Small value types used by records and messages: times, hashes, keys, command ids, and the
//! short identifiers (reason codes, extension keys, capabilities, payload kinds).
//!
//! Identifiers are parsed once, at the boundary ([`ReasonCode::parse`] and friends), so a value
//! of one of these types always satisfies its rule: 1 to 64 bytes of lowercase ASCII letters,
//! digits, `_`, `.` and `-`, starting with a letter. That keeps them safe to use as database
//! values, log fields and file names, and identical in NFC and in every code page.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A point in time: microseconds since the Unix epoch, UTC. Integer, so that canonical bytes
/// never depend on floating-point formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UtcMicros(pub i64);

impl UtcMicros {
    /// The current time of this machine's clock (callers that must not read the clock, such
    /// as pure rules, take a `UtcMicros` argument instead).
    pub fn now() -> Self {
        let since =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Self(i64::try_from(since.as_micros()).unwrap_or(i64::MAX))
    }
}

/// A SHA-256 digest: a chain hash, a photo digest, a genesis value.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// SHA-256 of `data`.
    pub fn of(data: &[u8]) -> Self {
        use sha2::Digest;
        Self(sha2::Sha256::digest(data).into())
    }

    /// Lowercase hexadecimal, as in the docs and the golden vectors.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// An Ed25519 public key as its 32 bytes. It is only a name for a key: whether the bytes are a
/// usable key is checked where a key is trusted (see [`crate::verify`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// Lowercase hexadecimal.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl From<&ed25519_dalek::VerifyingKey> for PublicKey {
    fn from(key: &ed25519_dalek::VerifyingKey) -> Self {
        Self(key.to_bytes())
    }
}

impl From<&ed25519_dalek::SigningKey> for PublicKey {
    fn from(key: &ed25519_dalek::SigningKey) -> Self {
        Self(key.verifying_key().to_bytes())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// The id of a command the platform sends to a gate (UUIDv7), echoed in the gate's result and
/// in the passage record the command caused.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommandId(Uuid);

impl CommandId {
    /// A new id from the current time and fresh randomness (UUIDv7).
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Wraps an existing UUID, as read from storage or the wire.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The 16 bytes of the UUID.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl Default for CommandId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommandId({})", self.0)
    }
}

/// A plate reading's confidence in basis points: 0 (none) to 10,000 (certain). Cameras report
/// percentages or per-mille; an integer keeps canonical bytes exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Confidence(u16);

impl Confidence {
    /// The largest value: certain.
    pub const MAX: Self = Self(10_000);

    /// A confidence of `basis_points` (`None` above 10,000).
    pub const fn new(basis_points: u16) -> Option<Self> {
        if basis_points <= 10_000 { Some(Self(basis_points)) } else { None }
    }

    /// A confidence from a camera's percentage (0–100), clamped.
    pub fn from_percent(percent: f64) -> Self {
        let bp = (percent * 100.0).round().clamp(0.0, 10_000.0);
        // The clamp keeps the value inside u16.
        Self(bp as u16)
    }

    /// The value in basis points.
    pub const fn basis_points(self) -> u16 {
        self.0
    }
}

/// Why text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid {kind} {value:?}: use 1 to 64 lowercase ASCII letters, digits, '_', '.' or '-', starting with a letter"
)]
pub struct InvalidIdent {
    /// Which identifier type was being parsed.
    pub kind: &'static str,
    /// The text that was refused (at most 64 bytes of it).
    pub value: String,
}

/// Whether `s` satisfies the identifier rule (see the module docs).
pub(crate) fn is_ident(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=64).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter().all(|&c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'.' | b'-')
        })
}

macro_rules! ident_type {
    ($($(#[$meta:meta])* $name:ident ($kind:literal);)+) => {$(
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses `s`, refusing anything outside the identifier rule.
            pub fn parse(s: &str) -> Result<Self, InvalidIdent> {
                if is_ident(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(InvalidIdent { kind: $kind, value: crate::bytes::excerpt(s) })
                }
            }

            /// The identifier text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidIdent;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    )+};
}

ident_type! {
    /// The stable identifier of the rule outcome behind a decision (for example
    /// `stage_below_minimum`). The admission engine in `platform-domain` owns the list; the
    /// record carries only the text, so old records stay readable when codes are added.
    ReasonCode ("reason code");
    /// A key of a record's extension map (fields added after record version 1).
    ExtKey ("extension key");
    /// A protocol capability named in the handshake (see [`crate::message::caps`]).
    Capability ("capability");
    /// What a downlink update carries: `vehicles`, `rules`, `alert`, … (see
    /// [`crate::message::kinds`]).
    PayloadKind ("payload kind");
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_the_rule() {
        assert!(ReasonCode::parse("stage_below_minimum").is_ok());
        assert!(ReasonCode::parse("bureau.blacklist").is_ok());
        assert!(ReasonCode::parse("a").is_ok());
        assert!(ReasonCode::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "Stage", "9lives", "_x", "with space", "车", &"a".repeat(65)] {
            let err = ReasonCode::parse(bad).unwrap_err();
            assert_eq!(err.kind, "reason code");
        }
    }

    #[test]
    fn confidence_is_bounded() {
        assert_eq!(Confidence::new(10_000), Some(Confidence::MAX));
        assert_eq!(Confidence::new(10_001), None);
        assert_eq!(Confidence::from_percent(93.57).basis_points(), 9357);
        assert_eq!(Confidence::from_percent(180.0), Confidence::MAX);
        assert_eq!(Confidence::from_percent(-3.0).basis_points(), 0);
    }

    #[test]
    fn hash_of_empty_input_is_the_known_sha256() {
        assert_eq!(
            Hash::of(b"").to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

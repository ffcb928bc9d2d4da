//! Byte-level primitives shared by the canonical record encoding and the wire messages.
//!
//! Both encodings are built from the same few shapes, all big-endian and fixed-width so that a
//! verifier in any language can be written from `docs/PROTOCOL.md` alone:
//!
//! | shape | bytes |
//! | --- | --- |
//! | `u8`, `u16`, `u32`, `u64`, `i64` | fixed width, big-endian (two's complement for `i64`) |
//! | id (UUID) | its 16 bytes, RFC 9562 order |
//! | hash, key, signature | 32, 32, 64 raw bytes |
//! | bytes | `u32` length, then the bytes |
//! | text | `u32` length, then UTF-8 (canonical records also require NFC) |
//! | option | `0x00` (absent) or `0x01` followed by the value |
//! | list | `u32` count, then the items |
//!
//! Invariants the decoder (`Reader`) keeps, whatever the input:
//! - it never panics and never reads past the end of its slice;
//! - it never allocates more than the input it was given: every length and count is checked
//!   against the bytes that remain *before* anything is allocated.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Why bytes could not be decoded. `field` names what was being read, as a dotted path
/// (`passage.plate.text`), so an error says exactly where the input went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended inside a value.
    #[error("{field}: input ends early")]
    Truncated {
        /// What was being read.
        field: &'static str,
    },
    /// A declared length or count is larger than the bytes that remain.
    #[error("{field}: declared length {declared} exceeds the {remaining} bytes that remain")]
    LengthOverflow {
        /// What was being read.
        field: &'static str,
        /// The length or count the input declared.
        declared: u64,
        /// How many bytes were left.
        remaining: usize,
    },
    /// An option or variant tag that is not allowed here.
    #[error("{field}: invalid tag {tag:#04x}")]
    InvalidTag {
        /// What was being read.
        field: &'static str,
        /// The tag found.
        tag: u8,
    },
    /// Text that is not UTF-8.
    #[error("{field}: text is not valid UTF-8")]
    InvalidUtf8 {
        /// What was being read.
        field: &'static str,
    },
    /// Text in a canonical record that is not in Unicode Normalization Form C.
    #[error("{field}: text is not in Unicode NFC")]
    NotNfc {
        /// What was being read.
        field: &'static str,
    },
    /// A code that this version of gateledger does not know.
    #[error("{field}: unknown code {value:?}")]
    UnknownCode {
        /// What was being read.
        field: &'static str,
        /// The code found (truncated to 64 bytes).
        value: String,
    },
    /// A value that breaks a rule of its field.
    #[error("{field}: {reason}")]
    Invalid {
        /// What was being read.
        field: &'static str,
        /// The rule that was broken.
        reason: &'static str,
    },
    /// Bytes left over after a complete canonical value.
    #[error("{count} bytes left over after {what}")]
    TrailingBytes {
        /// What had been decoded.
        what: &'static str,
        /// How many bytes were left.
        count: usize,
    },
    /// A canonical record whose version byte this build does not know.
    #[error("unsupported record version {0}")]
    UnsupportedVersion(u8),
}

/// Why a value could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A length or count does not fit the encoding's `u32`, or exceeds the limit of its
    /// container (record, frame, photo).
    #[error("{field}: {len} bytes exceed the limit of {max}")]
    TooLarge {
        /// What was being written.
        field: &'static str,
        /// Its size.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// A value that breaks a rule of its field (the decoder would refuse it).
    #[error("{field}: {reason}")]
    Invalid {
        /// What was being written.
        field: &'static str,
        /// The rule that was broken.
        reason: &'static str,
    },
}

/// Appends the encoding shapes to a byte vector. Lengths that do not fit a `u32` are remembered
/// and reported once by [`Writer::finish`], so encoders stay free of `?` on every field.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
    error: Option<EncodeError>,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Continues writing at the end of `buf` (used to write a frame header in place).
    pub(crate) fn from_vec(buf: Vec<u8>) -> Self {
        Self { buf, error: None }
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn fail(&mut self, error: EncodeError) {
        self.error.get_or_insert(error);
    }

    pub(crate) fn finish(self) -> Result<Vec<u8>, EncodeError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.buf),
        }
    }

    /// Overwrites four bytes at `at` (a length reserved earlier).
    pub(crate) fn patch_u32(&mut self, at: usize, v: u32) {
        self.buf[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn raw(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }

    /// A `u32` length or count; records an error if `n` does not fit.
    pub(crate) fn len_prefix(&mut self, field: &'static str, n: usize) {
        match u32::try_from(n) {
            Ok(n) => self.u32(n),
            Err(_) => {
                self.fail(EncodeError::TooLarge { field, len: n as u64, max: u32::MAX.into() });
                self.u32(0);
            }
        }
    }

    pub(crate) fn bytes(&mut self, field: &'static str, v: &[u8]) {
        self.len_prefix(field, v.len());
        self.raw(v);
    }

    /// Text as it is (wire messages).
    pub(crate) fn str(&mut self, field: &'static str, v: &str) {
        self.bytes(field, v.as_bytes());
    }

    /// Text normalised to NFC (canonical records). Already-normalised text, the common case,
    /// is written without an intermediate copy.
    pub(crate) fn text(&mut self, field: &'static str, v: &str) {
        if is_nfc_quick(v.chars()) == IsNormalized::Yes {
            self.str(field, v);
        } else {
            let normalised: String = v.nfc().collect();
            self.str(field, &normalised);
        }
    }

    pub(crate) fn option<T>(&mut self, v: Option<&T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                f(self, v);
            }
        }
    }

    pub(crate) fn list<T>(
        &mut self,
        field: &'static str,
        items: &[T],
        mut f: impl FnMut(&mut Self, &T),
    ) {
        self.len_prefix(field, items.len());
        for item in items {
            f(self, item);
        }
    }
}

/// Reads the encoding shapes from a slice, front to back. See the module docs for its
/// guarantees.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    /// Fails unless everything was read: canonical values have exactly one encoding.
    pub(crate) fn finish(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes { what, count: self.buf.len() })
        }
    }

    pub(crate) fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return Err(DecodeError::Truncated { field });
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(field, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(field)?[0])
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        self.array(field).map(u16::from_be_bytes)
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        self.array(field).map(u32::from_be_bytes)
    }

    pub(crate) fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        self.array(field).map(u64::from_be_bytes)
    }

    pub(crate) fn i64(&mut self, field: &'static str) -> Result<i64, DecodeError> {
        self.array(field).map(i64::from_be_bytes)
    }

    /// A `u32` length or count of items at least `min_item` bytes long each, checked against
    /// what remains so that no caller allocates for data that is not there.
    pub(crate) fn count(
        &mut self,
        field: &'static str,
        min_item: usize,
    ) -> Result<usize, DecodeError> {
        let declared = self.u32(field)?;
        let n = declared as usize;
        if n.saturating_mul(min_item.max(1)) > self.buf.len() {
            return Err(DecodeError::LengthOverflow {
                field,
                declared: declared.into(),
                remaining: self.buf.len(),
            });
        }
        Ok(n)
    }

    pub(crate) fn bytes(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.count(field, 1)?;
        self.take(field, n)
    }

    /// UTF-8 text, any normalisation (wire messages).
    pub(crate) fn str(&mut self, field: &'static str) -> Result<&'a str, DecodeError> {
        std::str::from_utf8(self.bytes(field)?).map_err(|_| DecodeError::InvalidUtf8 { field })
    }

    /// UTF-8 text that must already be NFC (canonical records).
    pub(crate) fn text(&mut self, field: &'static str) -> Result<String, DecodeError> {
        let s = self.str(field)?;
        if !is_nfc(s) {
            return Err(DecodeError::NotNfc { field });
        }
        Ok(s.to_owned())
    }

    pub(crate) fn option<T>(
        &mut self,
        field: &'static str,
        f: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        match self.u8(field)? {
            0 => Ok(None),
            1 => f(self).map(Some),
            tag => Err(DecodeError::InvalidTag { field, tag }),
        }
    }

    pub(crate) fn list<T>(
        &mut self,
        field: &'static str,
        min_item: usize,
        mut f: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let n = self.count(field, min_item)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(f(self)?);
        }
        Ok(out)
    }
}

/// Whether `s` is in NFC. The quick check settles almost all text (ASCII and most CJK);
/// only a `Maybe` answer pays for a full normalisation.
pub(crate) fn is_nfc(s: &str) -> bool {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => s.chars().eq(s.nfc()),
    }
}

/// At most 64 bytes of `s`, cut at a character boundary, for error messages about input that
/// may be long.
pub(crate) fn excerpt(s: &str) -> String {
    let mut end = s.len().min(64);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_big_endian_and_length_prefixed() {
        let mut w = Writer::new();
        w.u16(0x0102);
        w.i64(-2);
        w.str("f", "门");
        w.option(Some(&7u8), |w, v| w.u8(*v));
        w.option::<u8>(None, |w, v| w.u8(*v));
        let bytes = w.finish().unwrap();
        assert_eq!(
            bytes,
            [
                0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 3, 0xe9, 0x97,
                0xa8, 1, 7, 0
            ]
        );
    }

    #[test]
    fn a_declared_length_beyond_the_input_is_refused_before_allocating() {
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 1, 2]);
        let err = r.list("f", 1, |r| r.u8("f.item")).unwrap_err();
        assert_eq!(
            err,
            DecodeError::LengthOverflow { field: "f", declared: u32::MAX.into(), remaining: 2 }
        );
    }

    #[test]
    fn list_counts_respect_the_minimum_item_size() {
        // Two items of at least 16 bytes cannot fit in 20 bytes.
        let mut input = vec![0, 0, 0, 2];
        input.extend([0u8; 20]);
        assert!(matches!(
            Reader::new(&input).count("f", 16),
            Err(DecodeError::LengthOverflow { declared: 2, remaining: 20, .. })
        ));
        assert_eq!(Reader::new(&input).count("f", 10), Ok(2));
    }

    #[test]
    fn canonical_text_is_written_in_nfc_and_must_be_read_in_nfc() {
        // "é" as e + combining acute accent (NFD) becomes the single code point U+00E9.
        let mut w = Writer::new();
        w.text("t", "e\u{301}");
        let bytes = w.finish().unwrap();
        assert_eq!(bytes, [0, 0, 0, 2, 0xc3, 0xa9]);
        assert_eq!(Reader::new(&bytes).text("t").unwrap(), "\u{e9}");

        let mut w = Writer::new();
        w.str("t", "e\u{301}");
        let nfd = w.finish().unwrap();
        assert_eq!(Reader::new(&nfd).text("t"), Err(DecodeError::NotNfc { field: "t" }));
        assert_eq!(Reader::new(&nfd).str("t").unwrap(), "e\u{301}");
    }

    #[test]
    fn option_tags_other_than_0_and_1_are_refused() {
        let err = Reader::new(&[2]).option("o", |r| r.u8("o")).unwrap_err();
        assert_eq!(err, DecodeError::InvalidTag { field: "o", tag: 2 });
    }

    #[test]
    fn excerpt_cuts_at_a_character_boundary() {
        let long = "车".repeat(30); // 90 bytes
        let e = excerpt(&long);
        assert_eq!(e.len(), 63);
        assert!(long.starts_with(&e));
    }
}

//! Length-delimited framing, the same over a QUIC stream and over one TLS-over-TCP stream.
//!
//! A frame is a `u32` big-endian length `L`, then `L` bytes: a `u16` big-endian message tag and
//! `L - 2` bytes of message body. `L` is at least 2 and at most [`MAX_FRAME_LEN`].
//!
//! This module does no I/O. Transports read bytes from wherever they come and feed them to a
//! [`FrameDecoder`], which hands back whole frames; they write what the message encoders return.
//! Whatever bytes it is fed, the decoder never panics and never holds more than one frame's
//! declared body, which is at most [`MAX_FRAME_LEN`]; it grows that buffer only as bytes
//! arrive, so a peer that announces a large frame and sends nothing costs nothing.

use crate::bytes::EncodeError;

/// The largest value of a frame's length field (tag plus body): 1 MiB. Photo chunks and
/// passage batches are sized to fit (see [`crate::message`]).
pub const MAX_FRAME_LEN: usize = 1024 * 1024;

/// Bytes before a frame's body: the length (4) and the tag (2).
pub const FRAME_HEADER_LEN: usize = 6;

/// One frame: a message tag and its body, not yet decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The message tag.
    pub tag: u16,
    /// The message body.
    pub body: Vec<u8>,
}

/// Why a byte stream cannot be framed. The stream is then unusable: the decoder keeps
/// returning the error, and the transport should close the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length field exceeds the limit.
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// The declared length.
        len: u32,
        /// The limit.
        max: usize,
    },
    /// The length field is too small to hold a tag.
    #[error("frame length {len} is too short to hold a message tag")]
    TooShort {
        /// The declared length.
        len: u32,
    },
}

/// Turns a byte stream into frames, incrementally. See the module docs.
///
/// ```
/// use gate_protocol::frame::{FrameDecoder, encode_frame};
///
/// let mut stream = encode_frame(0x0103, b"hello").unwrap();
/// stream.extend(encode_frame(0x0104, b"").unwrap());
///
/// let mut decoder = FrameDecoder::new();
/// let mut frames = Vec::new();
/// // Bytes may arrive in any pieces; here, three bytes at a time.
/// for piece in stream.chunks(3) {
///     let mut input = piece;
///     while let Some(frame) = decoder.decode(&mut input).unwrap() {
///         frames.push(frame);
///     }
/// }
/// assert_eq!(frames.len(), 2);
/// assert_eq!((frames[0].tag, &frames[0].body[..]), (0x0103, &b"hello"[..]));
/// ```
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    max: usize,
    header: [u8; FRAME_HEADER_LEN],
    header_len: usize,
    body_len: usize,
    body: Vec<u8>,
    failed: Option<FrameError>,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    /// A decoder with the protocol's limit, [`MAX_FRAME_LEN`].
    pub fn new() -> Self {
        Self::with_max(MAX_FRAME_LEN)
    }

    /// A decoder with a smaller limit (never larger than [`MAX_FRAME_LEN`]).
    pub fn with_max(max: usize) -> Self {
        Self {
            max: max.clamp(2, MAX_FRAME_LEN),
            header: [0; FRAME_HEADER_LEN],
            header_len: 0,
            body_len: 0,
            body: Vec::new(),
            failed: None,
        }
    }

    /// Takes bytes from the front of `input` until one frame is complete and returns it,
    /// leaving the rest of `input` for the next call. Returns `Ok(None)` once `input` is used
    /// up in the middle of a frame (or exactly at a frame boundary).
    pub fn decode(&mut self, input: &mut &[u8]) -> Result<Option<Frame>, FrameError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if self.header_len < FRAME_HEADER_LEN {
            let n = (FRAME_HEADER_LEN - self.header_len).min(input.len());
            self.header[self.header_len..self.header_len + n].copy_from_slice(&input[..n]);
            self.header_len += n;
            *input = &input[n..];
            if self.header_len < 4 {
                return Ok(None);
            }
            // Check the length as soon as it is known, before waiting for the tag.
            let len = u32::from_be_bytes([
                self.header[0],
                self.header[1],
                self.header[2],
                self.header[3],
            ]);
            let error = if (len as usize) < 2 {
                Some(FrameError::TooShort { len })
            } else if len as usize > self.max {
                Some(FrameError::TooLarge { len, max: self.max })
            } else {
                None
            };
            if let Some(e) = error {
                self.failed = Some(e);
                return Err(e);
            }
            if self.header_len < FRAME_HEADER_LEN {
                return Ok(None);
            }
            self.body_len = len as usize - 2;
        }
        let n = (self.body_len - self.body.len()).min(input.len());
        // Grow only by what arrived, and exactly: the buffer never exceeds the body length.
        self.body.reserve_exact(n);
        self.body.extend_from_slice(&input[..n]);
        *input = &input[n..];
        if self.body.len() < self.body_len {
            return Ok(None);
        }
        let frame = Frame {
            tag: u16::from_be_bytes([self.header[4], self.header[5]]),
            body: std::mem::take(&mut self.body),
        };
        self.header_len = 0;
        self.body_len = 0;
        Ok(Some(frame))
    }

    /// Whether a frame has begun but not ended: at the end of a stream, this means the peer
    /// stopped in the middle of a frame.
    pub fn is_mid_frame(&self) -> bool {
        self.header_len > 0
    }
}

/// A frame holding `body` under `tag`.
pub fn encode_frame(tag: u16, body: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let len = body.len() + 2;
    if len > MAX_FRAME_LEN {
        return Err(EncodeError::TooLarge {
            field: "frame",
            len: len as u64,
            max: MAX_FRAME_LEN as u64,
        });
    }
    let mut out = Vec::with_capacity(4 + len);
    // The check above keeps `len` within u32.
    out.extend_from_slice(&(len as u32).to_be_bytes());
    out.extend_from_slice(&tag.to_be_bytes());
    out.extend_from_slice(body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_frames(decoder: &mut FrameDecoder, mut input: &[u8]) -> Result<Vec<Frame>, FrameError> {
        let mut out = Vec::new();
        while let Some(f) = decoder.decode(&mut input)? {
            out.push(f);
        }
        assert!(input.is_empty(), "decode returned None with input left");
        Ok(out)
    }

    #[test]
    fn frames_split_at_every_byte_boundary_decode_the_same() {
        let mut stream = encode_frame(1, b"abc").unwrap();
        stream.extend(encode_frame(2, &[]).unwrap());
        stream.extend(encode_frame(0xffff, &[9; 300]).unwrap());
        let whole = all_frames(&mut FrameDecoder::new(), &stream).unwrap();
        assert_eq!(whole.len(), 3);
        for cut in 0..stream.len() {
            let mut d = FrameDecoder::new();
            let mut frames = all_frames(&mut d, &stream[..cut]).unwrap();
            frames.extend(all_frames(&mut d, &stream[cut..]).unwrap());
            assert_eq!(frames, whole, "cut at {cut}");
            assert!(!d.is_mid_frame());
        }
    }

    #[test]
    fn an_oversized_length_fails_at_once_and_stays_failed() {
        let mut d = FrameDecoder::with_max(100);
        let mut input: &[u8] = &[0, 0, 0, 101];
        assert_eq!(d.decode(&mut input), Err(FrameError::TooLarge { len: 101, max: 100 }));
        let mut more: &[u8] = &[0, 0, 0, 5, 0, 1, 2, 3];
        assert_eq!(d.decode(&mut more), Err(FrameError::TooLarge { len: 101, max: 100 }));
    }

    #[test]
    fn a_length_below_two_is_refused() {
        for len in [0u8, 1] {
            let mut input: &[u8] = &[0, 0, 0, len];
            assert_eq!(
                FrameDecoder::new().decode(&mut input),
                Err(FrameError::TooShort { len: len.into() })
            );
        }
    }

    #[test]
    fn a_large_announced_frame_allocates_only_what_arrived() {
        let mut d = FrameDecoder::new();
        let mut input: &[u8] = &[0, 0x10, 0, 0, 0, 1, 42, 42, 42];
        assert_eq!(d.decode(&mut input), Ok(None));
        assert!(d.is_mid_frame());
        assert!(d.body.capacity() <= 3, "capacity {}", d.body.capacity());
    }

    #[test]
    fn the_encoder_refuses_frames_over_the_limit() {
        assert!(encode_frame(1, &vec![0; MAX_FRAME_LEN - 2]).is_ok());
        assert!(matches!(
            encode_frame(1, &vec![0; MAX_FRAME_LEN - 1]),
            Err(EncodeError::TooLarge { field: "frame", .. })
        ));
    }
}

//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s steps): the optional
//! second factor. The secret is shown once as base32 and as an `otpauth://` URI.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

const STEP: i64 = 30;
const DIGITS: u32 = 6;

/// A fresh 160-bit secret.
pub fn new_secret() -> Vec<u8> {
    rand::random::<[u8; 20]>().to_vec()
}

/// The code for `secret` at Unix time `unix`.
pub fn code_at(secret: &[u8], unix: i64) -> String {
    let counter = (unix.div_euclid(STEP) as u64).to_be_bytes();
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(&counter);
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    format!("{:0width$}", value % 10u32.pow(DIGITS), width = DIGITS as usize)
}

/// Whether `code` is valid at `unix`, allowing one step of clock drift either way.
pub fn verify(secret: &[u8], code: &str, unix: i64) -> bool {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    (-1..=1).any(|step| {
        constant_time_eq(code_at(secret, unix + step * STEP).as_bytes(), code.as_bytes())
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 4648 base32 without padding, as authenticator apps expect.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 (case-insensitive, padding and spaces ignored).
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.chars().filter(|c| *c != '=' && !c.is_whitespace()) {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The provisioning URI an authenticator app scans.
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/gateledger:{}?secret={}&issuer=gateledger&algorithm=SHA1&digits=6&period=30",
        enc(account),
        base32(secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", truncated to 6 digits.
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secret, t), code, "t = {t}");
        }
    }

    #[test]
    fn verify_allows_one_step_of_drift_only() {
        let secret = new_secret();
        let now = 1_800_000_000;
        assert!(verify(&secret, &code_at(&secret, now - 30), now));
        assert!(verify(&secret, &code_at(&secret, now + 30), now));
        assert!(!verify(&secret, &code_at(&secret, now - 90), now));
        assert!(!verify(&secret, "12345", now));
        assert!(!verify(&secret, "abcdef", now));
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        for len in 0..25 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(from_base32(&base32(&bytes)).unwrap(), bytes);
        }
        assert!(from_base32("not base32!").is_none());
    }
}

//! Unified social credit codes (统一社会信用代码, GB 32100-2015): the enterprise's legal
//! identity.
//!
//! 18 characters from `0-9 A-H J-N P-R T-U W-Y` (31 characters; no I, O, Z, S, V):
//! registration authority (1), organisation type (1), the registering authority's GB/T 2260
//! region code (6 digits), the organisation's identifier (9), and a check character.
//!
//! The check character: each of the first 17 characters has its value in the character set
//! (0–30); position i (from 1) weighs 3^(i−1) mod 31; the check value is
//! 31 − (Σ value × weight mod 31), with 31 written as 0.
//!
//! The region part is required to be six digits but is not checked against the region list:
//! it names the authority that registered the code, which may since have been renamed or
//! merged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ValidationError, normalise_code};

const FIELD: &str = "credit_code";

/// The 31 characters of GB 32100, in value order.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A unified social credit code with a valid check character.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a code: trims, folds full-width characters, upper-cases, then checks length,
    /// characters, the region part and the check character.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = normalise_code(input);
        if s.is_empty() {
            return Err(ValidationError::new(
                ErrorCode::CreditCodeEmpty,
                FIELD,
                "统一社会信用代码不能为空",
                "The unified social credit code must not be empty.",
            ));
        }
        let count = s.chars().count();
        if count != 18 {
            return Err(ValidationError::new(
                ErrorCode::CreditCodeLength,
                FIELD,
                format!("统一社会信用代码应为18位，“{s}”有{count}位"),
                format!("A unified social credit code has 18 characters; {s:?} has {count}."),
            ));
        }
        let bytes = s.as_bytes();
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| value(*c).is_none()) {
            return Err(ValidationError::new(
                ErrorCode::CreditCodeChar,
                FIELD,
                format!(
                    "统一社会信用代码第{}位“{c}”不可用；只能使用数字和除I、O、Z、S、V以外的大写字母",
                    i + 1
                ),
                format!(
                    "Position {} ({c:?}) of the unified social credit code is not allowed; use digits and capital letters except I, O, Z, S and V.",
                    i + 1
                ),
            ));
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(ValidationError::new(
                ErrorCode::CreditCodeRegion,
                FIELD,
                format!("统一社会信用代码“{s}”的第3至8位“{}”应为6位行政区划码", &s[2..8]),
                format!(
                    "Positions 3 to 8 of {s:?} ({}) must be a six-digit region code.",
                    &s[2..8]
                ),
            ));
        }
        let expected = check_character(&bytes[..17]);
        if bytes[17] != expected {
            return Err(ValidationError::new(
                ErrorCode::CreditCodeCheck,
                FIELD,
                format!(
                    "统一社会信用代码“{s}”的校验码是{}，按GB 32100计算应为{}；请核对营业执照",
                    bytes[17] as char, expected as char
                ),
                format!(
                    "{s:?} ends in {}, GB 32100 gives {}; compare it with the business licence.",
                    bytes[17] as char, expected as char
                ),
            ));
        }
        Ok(Self(s))
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registering authority's region code (positions 3–8), as written.
    pub fn region_digits(&self) -> &str {
        &self.0[2..8]
    }
}

fn value(c: char) -> Option<u32> {
    let b = u8::try_from(c).ok()?;
    CHARSET.iter().position(|&x| x == b).map(|i| i as u32)
}

/// The check character over the first 17 characters, which must be from [`CHARSET`].
fn check_character(first17: &[u8]) -> u8 {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for &b in first17 {
        sum += value(char::from(b)).unwrap_or(0) * weight;
        weight = weight * 3 % 31;
    }
    let check = (31 - sum % 31) % 31;
    CHARSET[check as usize]
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreditCode({})", self.0)
    }
}

impl AsRef<str> for CreditCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for CreditCode {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> Self {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        // The weight table printed in the standard.
        let printed = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
        let mut w = 1u32;
        for expected in printed {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn the_worked_example_of_the_standard() {
        // 91350100M000100Y4: weighted sum 1640, 1640 mod 31 = 28, 31 − 28 = 3.
        assert_eq!(check_character(b"91350100M000100Y4"), b'3');
        let code = CreditCode::parse(" 91350100m000100y43 ").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.region_digits(), "350100");
        let err = CreditCode::parse("91350100M000100Y4Z").unwrap_err();
        // Z is not in the character set at all, so the character check comes first.
        assert_eq!(err.code(), ErrorCode::CreditCodeChar);
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(err.code(), ErrorCode::CreditCodeCheck);
        assert!(err.message_en().contains("gives 3"));
    }

    #[test]
    fn bad_credit_codes_are_named() {
        let cases = [
            ("", ErrorCode::CreditCodeEmpty),
            ("91350100M000100Y4", ErrorCode::CreditCodeLength),
            ("91350100M000100Y433", ErrorCode::CreditCodeLength),
            ("91350100M000100I43", ErrorCode::CreditCodeChar),
            ("91350100M0001O0Y43", ErrorCode::CreditCodeChar),
            ("9135010SM000100Y43", ErrorCode::CreditCodeChar),
            ("91350100M00010-Y43", ErrorCode::CreditCodeChar),
            ("9135A100M000100Y43", ErrorCode::CreditCodeRegion),
            ("91350100M000100Y41", ErrorCode::CreditCodeCheck),
        ];
        for (input, expected) in cases {
            let err = CreditCode::parse(input).unwrap_err();
            assert_eq!(err.code(), expected, "{input:?}");
            assert_eq!(err.field(), "credit_code");
        }
    }

    fn code_char() -> impl Strategy<Value = u8> {
        prop::sample::select(CHARSET.to_vec())
    }

    proptest! {
        #[test]
        fn a_code_with_its_computed_check_parses_and_one_changed_character_does_not(
            head in prop::collection::vec(code_char(), 2),
            region in prop::collection::vec(prop::sample::select(b"0123456789".to_vec()), 6),
            body in prop::collection::vec(code_char(), 9),
            at in 0usize..17,
            shift in 1u32..31,
        ) {
            let mut bytes: Vec<u8> = head.into_iter().chain(region).chain(body).collect();
            bytes.push(check_character(&bytes));
            let text = String::from_utf8(bytes.clone()).unwrap();
            prop_assert!(CreditCode::parse(&text).is_ok());
            // Weights are non-zero mod 31 (a prime), so changing one character always changes
            // the check value. Keep the region digits digits.
            let old = value(char::from(bytes[at])).unwrap();
            let new = if (2..8).contains(&at) { (old + shift % 9 + 1) % 10 } else { (old + shift) % 31 };
            bytes[at] = CHARSET[new as usize];
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(
                CreditCode::parse(&changed).unwrap_err().code(),
                ErrorCode::CreditCodeCheck
            );
        }
    }
}

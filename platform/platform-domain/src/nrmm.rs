//! Registration codes of non-road mobile machinery (非道路移动机械环保登记编码).
//!
//! Each province sets its own format, so the code is free text of at most 32 characters
//! (the 2020 ledger table's `char(32)`), optionally checked against a per-tenant pattern.
//!
//! The pattern is a [`CodePattern`] the caller supplies, not a regular expression this crate
//! compiles: the platform keeps and compiles the tenants' patterns (it already has a regex
//! engine), and the gate agent, which never registers machinery, stays free of one.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ValidationError, normalise_code};

const FIELD: &str = "nrmm_code";

/// The longest registration code, in characters.
pub const MAX_CHARS: usize = 32;

/// A tenant's format for registration codes, e.g. a compiled regular expression.
pub trait CodePattern {
    /// Whether `code` (already normalised) has the tenant's format.
    fn matches(&self, code: &str) -> bool;

    /// The format as people read it, for the error message (e.g. the regex source or an
    /// example such as `晋A-123456`).
    fn describe(&self) -> &str;
}

/// A pattern from a description and a predicate, for callers without a type of their own.
impl<F: Fn(&str) -> bool> CodePattern for (&str, F) {
    fn matches(&self, code: &str) -> bool {
        (self.1)(code)
    }

    fn describe(&self) -> &str {
        self.0
    }
}

/// A registration code: 1–32 characters, no control characters, normalised (trimmed,
/// full-width folded, letters upper-cased).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NrmmCode(String);

impl NrmmCode {
    /// Parses a code with no tenant pattern.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        Self::parse_with(input, None)
    }

    /// Parses a code and, when the tenant has one, checks it against `pattern`.
    pub fn parse_with(
        input: &str,
        pattern: Option<&dyn CodePattern>,
    ) -> Result<Self, ValidationError> {
        let s = normalise_code(input);
        if s.is_empty() {
            return Err(ValidationError::new(
                ErrorCode::NrmmCodeEmpty,
                FIELD,
                "环保登记编码不能为空",
                "The registration code must not be empty.",
            ));
        }
        let count = s.chars().count();
        if count > MAX_CHARS {
            return Err(ValidationError::new(
                ErrorCode::NrmmCodeLength,
                FIELD,
                format!("环保登记编码最多{MAX_CHARS}个字符，收到{count}个"),
                format!("A registration code has at most {MAX_CHARS} characters; got {count}."),
            ));
        }
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            return Err(ValidationError::new(
                ErrorCode::NrmmCodeChar,
                FIELD,
                format!("环保登记编码含有控制字符（U+{:04X}）", u32::from(c)),
                format!(
                    "The registration code contains a control character (U+{:04X}).",
                    u32::from(c)
                ),
            ));
        }
        if let Some(p) = pattern
            && !p.matches(&s)
        {
            return Err(ValidationError::new(
                ErrorCode::NrmmCodePattern,
                FIELD,
                format!("环保登记编码“{s}”不符合本企业规定的格式：{}", p.describe()),
                format!(
                    "Registration code {s:?} does not match the enterprise's format: {}.",
                    p.describe()
                ),
            ));
        }
        Ok(Self(s))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NrmmCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NrmmCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NrmmCode({})", self.0)
    }
}

impl AsRef<str> for NrmmCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NrmmCode {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<NrmmCode> for String {
    fn from(c: NrmmCode) -> Self {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A stand-in for a tenant regex: a province character, `-`, six digits.
    fn shanxi(code: &str) -> bool {
        let chars: Vec<char> = code.chars().collect();
        chars.len() == 8
            && chars[0] == '晋'
            && chars[1] == '-'
            && chars[2..].iter().all(char::is_ascii_digit)
    }

    #[test]
    fn free_text_codes_are_normalised() {
        assert_eq!(NrmmCode::parse("  jz-00123 ").unwrap().as_str(), "JZ-00123");
        assert_eq!(NrmmCode::parse("晋Ａ00123").unwrap().as_str(), "晋A00123");
        let thirty_two = "码".repeat(32);
        assert_eq!(NrmmCode::parse(&thirty_two).unwrap().as_str(), thirty_two);
    }

    #[test]
    fn the_tenant_pattern_is_applied_when_given() {
        let pattern = ("晋-000000", shanxi);
        assert!(NrmmCode::parse_with("晋-123456", Some(&pattern)).is_ok());
        let err = NrmmCode::parse_with("冀-123456", Some(&pattern)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NrmmCodePattern);
        assert!(err.message_zh().contains("晋-000000"));
        // Without a pattern the same code is fine.
        assert!(NrmmCode::parse("冀-123456").is_ok());
    }

    #[test]
    fn bad_nrmm_codes_are_named() {
        let pattern = ("晋-000000", shanxi);
        let cases: [(&str, Option<&dyn CodePattern>, ErrorCode); 5] = [
            ("", None, ErrorCode::NrmmCodeEmpty),
            (" \u{3000} ", None, ErrorCode::NrmmCodeEmpty),
            ("A23456789012345678901234567890123", None, ErrorCode::NrmmCodeLength),
            ("JZ\u{0007}001", None, ErrorCode::NrmmCodeChar),
            ("JZ-001", Some(&pattern), ErrorCode::NrmmCodePattern),
        ];
        for (input, pattern, expected) in cases {
            let err = NrmmCode::parse_with(input, pattern).unwrap_err();
            assert_eq!(err.code(), expected, "{input:?}");
            assert_eq!(err.field(), "nrmm_code");
        }
    }

    proptest! {
        #[test]
        fn length_limit_is_in_characters_not_bytes(n in 1usize..=40) {
            let code = "机".repeat(n);
            let result = NrmmCode::parse(&code);
            prop_assert_eq!(result.is_ok(), n <= MAX_CHARS);
        }
    }
}
